import type { Lang } from '../text/lang.js';
import type { Sentence } from '../text/catalogue.js';
import { TAR_REFUSALS } from '../errors.js';
import { CHECK_IDS } from '../report/index.js';
import { OWN_CHECK_COLUMNS } from '../report/own-texts.js';
import { visible } from '../text/escape.js';
import type { GradeRow, Reason } from './grade.js';

const MiB = (n: number) => `${Math.round(n / 1048576)} MiB`;

/** One sentence per reason, in the teacher's language. Paths and names come from the submission. */
export function describeReason(r: Reason, lang: Lang): string {
  const ru = lang === 'ru';
  switch (r.code) {
    case 'file-too-big':
      return ru
        ? `файл больше ${MiB(r.limit)} (${MiB(r.size)}): не читается`
        : `file larger than ${MiB(r.limit)} (${MiB(r.size)}): not read`;
    case 'inflates-too-much':
      return ru
        ? `после распаковки gzip больше ${MiB(r.limit)}: отклонён (похоже на zip-бомбу)`
        : `gzip inflates beyond ${MiB(r.limit)}: refused (a decompression bomb?)`;
    case 'corrupt-gzip':
      return ru ? `повреждённый gzip (${r.detail})` : `corrupt gzip (${r.detail})`;
    case 'zip':
      return ru
        ? 'ZIP-архив: принимается только .tar.gz, который делает socket-lab bundle'
        : 'a ZIP archive: grade reads the .tar.gz that socket-lab bundle makes';
    case 'foreign':
      return ru ? 'не архив socket-lab (ни gzip, ни tar)' : 'not a socket-lab bundle (neither gzip nor tar)';
    case 'not-tar':
    case 'truncated':
    case 'bad-path':
    case 'link':
    case 'special':
    case 'member-type':
    case 'too-many-members':
    case 'member-too-big':
    case 'duplicate-member':
      return (TAR_REFUSALS[r.code] as Sentence<unknown>)[lang](r);
    case 'unreadable':
      return ru ? `не удалось прочитать: ${r.detail}` : `cannot read it: ${r.detail}`;
    case 'not-regular':
      return ru
        ? `не обычный файл (${r.kind}): не открывается`
        : `not a regular file (${r.kind}): not opened`;
    case 'symlink-input':
      return ru ? 'символическая ссылка: не открывается' : 'a symbolic link: not followed';
    case 'empty-dir':
      return ru ? 'в каталоге нет ни одного файла' : 'no file in this directory';
    case 'no-manifest':
      return ru
        ? 'нет manifest.json: это не работа, упакованная socket-lab bundle'
        : 'no manifest.json: not made by socket-lab bundle';
    case 'several-manifests':
      return ru ? 'в архиве несколько manifest.json' : 'several manifest.json in the archive';
    case 'manifest-too-big':
      return ru ? `manifest.json больше ${MiB(r.limit)}` : `manifest.json larger than ${MiB(r.limit)}`;
    case 'manifest':
      return ru ? `manifest.json не читается (${r.problem})` : `manifest.json not usable (${r.problem})`;
    case 'changed':
      return ru ? `изменён после упаковки: ${r.path}` : `changed after bundling: ${r.path}`;
    case 'missing':
      return ru ? `удалён после упаковки: ${r.path}` : `removed after bundling: ${r.path}`;
    case 'added':
      return ru ? `добавлен после упаковки: ${r.path}` : `added after bundling: ${r.path}`;
    case 'identity-differs':
      return ru
        ? 'запуск в manifest.json не совпадает с журналами'
        : 'the run in manifest.json differs from the logs';
    case 'no-logs':
      return ru ? 'в работе нет журналов *.jsonl' : 'no *.jsonl logs in the submission';
    case 'no-records':
      return ru ? 'в журналах нет ни одной строки socket-lab' : 'no socket-lab log line in the logs';
    case 'check-failed':
      return ru ? `не пройдены проверки: ${r.checks}` : `checks failed: ${r.checks}`;
    case 'duplicate':
      return ru
        ? `тот же запуск, что в работе другого студента: ${r.of}`
        : `the same run as another student's submission: ${r.of}`;
    case 'too-long-line':
      return ru
        ? `строка ${r.line} в ${r.path} длиннее ${MiB(r.limit)}: журнал не читается`
        : `line ${r.line} of ${r.path} is longer than ${MiB(r.limit)}: the log is not read`;
    case 'log-too-big':
      return ru
        ? `журнал ${r.path} больше ${MiB(r.limit)}: не читается`
        : `log ${r.path} is larger than ${MiB(r.limit)}: not read`;
    case 'run-too-big': {
      const noun = {
        maxPrograms: ru ? 'программ (pid)' : 'programs (pids)',
        maxConversations: ru ? 'соединений и сеансов' : 'connections and sessions',
        maxChatLines: ru ? 'строк сообщений чата' : 'chat message lines',
        maxOwnLines: ru
          ? 'строк о собственных программах студента (own.call, own.output)'
          : "lines of the student's own programs (own.call, own.output)",
      }[r.what];
      return ru
        ? `в журналах больше ${r.limit} ${noun} (${r.count}): это не один запуск лабораторной, журналы не читаются`
        : `the logs hold more than ${r.limit} ${noun} (${r.count}): not one run of the lab, not read`;
    }
    case 'not-a-log':
      return ru
        ? `${r.path}: больше ${r.limit} строк — не строки журнала socket-lab: это не журнал лабораторной`
        : `${r.path}: more than ${r.limit} lines are not socket-lab log lines: not a log of the lab`;
    case 'too-much-randomness':
      return ru
        ? `клиентских портов или начальных номеров TCP в журналах: ${r.count}, а один запуск лабораторной даёт их не больше ${r.limit}: журналы правлены, сравнить эту работу с другими нельзя`
        : `the logs hold ${r.count} client ports or TCP initial sequence numbers, and one run of the lab makes at most ${r.limit}: edited logs, this submission cannot be compared with others`;
    case 'not-in-class':
      return ru
        ? 'ни один клиент этого запуска не подключался к серверу преподавателя (нет сценария classroom)'
        : "no client of this run dialed the teacher's server (no classroom scenario)";
    case 'internal':
      return ru
        ? `ошибка socket-lab при чтении этой работы (сообщите о ней): ${r.detail}`
        : `a socket-lab bug while reading this submission (please report it): ${r.detail}`;
    case 'unset':
      return ru
        ? `не указан${r.what === 'group' ? 'а группа' : ' студент'}`
        : `${r.what === 'group' ? 'group' : 'student name'} not set`;
  }
}

/** The sheet's columns: stable English ids in the CSV, headers in the teacher's language in Markdown. */
export const COLUMNS = [
  'file',
  'student',
  'group',
  'result',
  ...CHECK_IDS,
  'modified',
  'duplicate-of',
  'same-code-as',
  'reason',
] as const;

const HEADERS: Record<Lang, Record<(typeof COLUMNS)[number], string>> = {
  en: {
    file: 'File',
    student: 'Student',
    group: 'Group',
    result: 'Result',
    local: 'local',
    vm: 'vm',
    remote: 'remote',
    echo: 'echo',
    chat: 'chat',
    stopped: 'stopped',
    ...OWN_CHECK_COLUMNS.en,
    modified: 'Modified',
    'duplicate-of': 'Duplicate of',
    'same-code-as': 'Same code as',
    reason: 'Reason',
  },
  ru: {
    file: 'Файл',
    student: 'Студент',
    group: 'Группа',
    result: 'Итог',
    local: 'local',
    vm: 'vm',
    remote: 'remote',
    echo: 'эхо',
    chat: 'чат',
    stopped: 'остановка',
    ...OWN_CHECK_COLUMNS.ru,
    modified: 'Изменён',
    'duplicate-of': 'Дубликат',
    'same-code-as': 'Тот же код, что у',
    reason: 'Причина',
  },
};

function cells(
  row: GradeRow,
  lang: Lang,
  words: { pass: string; fail: string; yes: string; no: string; reupload: string },
): string[] {
  return [
    row.file,
    row.student ?? '',
    row.group ?? '',
    row.reuploadOf !== undefined ? words.reupload : row.pass ? words.pass : words.fail,
    ...CHECK_IDS.map((id) => row.checks[id] ?? ''),
    row.modified === undefined ? '' : row.modified ? words.yes : words.no,
    row.reuploadOf ?? row.duplicateOf.join(' '),
    row.sameCodeAs.join(' '),
    row.reasons.map((r) => describeReason(r, lang)).join('; '),
  ];
}

/**
 * visible(), and a tab shown as `\t` too: in a cell or on grade's one line per submission a raw tab
 * from a student's name splits a column for a program that reads the sheet or the output as TSV, and
 * aligns nothing (visible() keeps tabs for chat text, where they are the sender's layout).
 */
export function visibleLine(text: string): string {
  return visible(text).replace(/\t/g, '\\t');
}

/**
 * A cell no spreadsheet runs or splits, whatever separator it assumes (`,` here; `;` is the default
 * of a Russian-locale spreadsheet, which then reads `a;=1+1` as two cells): control characters are
 * shown as escapes (visibleLine()), any cell holding `,`, `;` or a quote is quoted, and a cell
 * that starts like a formula (`=`, `+`, `-`, `@`, after any blanks) gets a leading `'`, as does
 * every `;`-separated part of it that would, so that a program splitting on `;` despite the quotes
 * still finds no formula. Names and paths come from students; the sheet is opened by the teacher.
 */
export function csvCell(text: string): string {
  const guarded = visibleLine(text)
    .split(';')
    .map((part) => (/^[\s]*[=+\-@\t\r]/.test(part) ? `'${part}` : part))
    .join(';');
  return /[",;\t\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/**
 * RFC 4180 CSV: English column ids and values, reasons in `lang`. A UTF-8 byte order mark first: a
 * spreadsheet in a Russian locale otherwise opens it as Windows-1251 and the names turn to mojibake.
 */
export function renderCsv(rows: readonly GradeRow[], lang: Lang): string {
  const words = { pass: 'pass', fail: 'fail', yes: 'yes', no: 'no', reupload: 're-upload' };
  const lines = [COLUMNS.join(','), ...rows.map((r) => cells(r, lang, words).map(csvCell).join(','))];
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/**
 * Text from a submission, made inert in a Markdown table (CommonMark and GitHub's extensions): no
 * markup, no HTML, no line breaks, no autolink (`<...>`, and the bare `http://`, `www.` and
 * `name@host` GitHub links by itself), no `$...$` math, no `@mention` and no `#123` reference. A
 * backslash before ASCII punctuation shows the character itself in every CommonMark renderer.
 */
export function mdCell(text: string): string {
  return visibleLine(text.replace(/[\r\n]+/g, ' ')).replace(/[\\`*_{}[\]<>()#+!|~$@:.&=-]/g, (c) => `\\${c}`);
}

/** A Markdown table, headers and values in `lang`. */
export function renderMarkdown(rows: readonly GradeRow[], lang: Lang): string {
  const words =
    lang === 'ru'
      ? { pass: '✅ зачтено', fail: '❌ не зачтено', yes: 'да', no: 'нет', reupload: '↻ повторная сдача' }
      : { pass: '✅ pass', fail: '❌ fail', yes: 'yes', no: 'no', reupload: '↻ re-upload' };
  const title = lang === 'ru' ? '# Проверка работ socket-lab' : '# socket-lab submissions';
  const head = COLUMNS.map((c) => HEADERS[lang][c]);
  const lines = [
    title,
    '',
    summaryLine(rows, lang),
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${cells(r, lang, words).map(mdCell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** One line: how many submissions, passed, failed, and why the failures failed. Re-uploads are counted apart. */
export function summaryLine(all: readonly GradeRow[], lang: Lang): string {
  const reuploads = all.length - all.filter((r) => r.reuploadOf === undefined).length;
  const rows = all.filter((r) => r.reuploadOf === undefined);
  const pass = rows.filter((r) => r.pass).length;
  const modified = rows.filter((r) => r.modified).length;
  const duplicates = rows.filter((r) => r.duplicateOf.length > 0).length;
  const unreadable = rows.filter((r) => r.unreadable).length;
  const refused = rows.filter((r) => !r.unreadable && r.modified === undefined && !r.pass).length;
  const checks = rows.filter((r) => r.reasons.some((x) => x.code === 'check-failed')).length;
  const again =
    reuploads === 0
      ? ''
      : lang === 'ru'
        ? `; повторных сдач того же запуска: ${reuploads}`
        : `; re-uploads of the same run: ${reuploads}`;
  return lang === 'ru'
    ? `работ: ${rows.length}; зачтено: ${pass}, не зачтено: ${rows.length - pass} (проверки не пройдены: ${checks}, изменены после упаковки: ${modified}, один запуск в нескольких работах: ${duplicates}, отклонены: ${refused}, не прочитаны: ${unreadable})${again}`
    : `${rows.length} submissions: ${pass} pass, ${rows.length - pass} fail (checks failed: ${checks}, modified after bundling: ${modified}, same run as another: ${duplicates}, refused: ${refused}, unreadable: ${unreadable})${again}`;
}
