/** Conclusions: every check's result, then one sentence about them. */
import { TEXTS } from '../../texts.js';
import { heading, list, prose } from '../build.js';
import type { Block } from '../model.js';
import { type Ctx, L, P } from './context.js';

export function conclusions(c: Ctx): Block[] {
  const { lang, checks } = c;
  const t = TEXTS[lang];
  const passed = checks.filter((x) => x.status === 'pass');
  const failed = checks.filter((x) => x.status === 'fail');
  const na = checks.filter((x) => x.status === 'n/a');
  return [
    heading(2, L(lang, 'Conclusions', 'Выводы')),
    list(checks.map((x) => prose`${t.status[x.status]}: ${t.checkTitle[x.id]}`)),
    failed.length === 0
      ? P(
          lang,
          `Every applicable check passed (${passed.length} of ${checks.length}${na.length > 0 ? `; ${na.length} not applicable, their part is missing from the logs` : ''}): the echo returned every byte, the server saw the address each scenario predicts, and the chat crossed networks where the logs hold it.`,
          `Все применимые проверки пройдены (${passed.length} из ${checks.length}${na.length > 0 ? `; неприменимых: ${na.length}, их части в журналах нет` : ''}): эхо вернуло каждый байт, сервер увидел тот адрес, который предсказывает каждый сценарий, а чат работал между сетями там, где это есть в журналах.`,
        )
      : P(
          lang,
          `${failed.length} check(s) failed; the appendix lists the lines that show why. The report is still complete in what the logs hold.`,
          `Не пройдено проверок: ${failed.length}; строки, которые это показывают, перечислены в приложении. Всё, что есть в журналах, в отчёте показано.`,
        ),
  ];
}
