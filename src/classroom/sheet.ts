import type { Lang } from '../log/events.js';
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
      return ru
        ? 'внутри gzip не tar-архив (или повреждённый заголовок)'
        : 'no tar archive inside (or a corrupt header)';
    case 'truncated':
      return ru ? 'tar-архив обрезан' : 'the tar archive is truncated';
    case 'bad-path':
      return ru
        ? `опасный путь в архиве: ${r.path} (абсолютный или с ..)`
        : `unsafe member path: ${r.path} (absolute, or with ..)`;
    case 'link':
      return ru ? `в архиве ссылка (${r.type}): ${r.path}` : `a ${r.type} in the archive: ${r.path}`;
    case 'special':
      return ru
        ? `в архиве специальный файл (${r.type}): ${r.path}`
        : `a ${r.type} in the archive: ${r.path}`;
    case 'member-type':
      return ru
        ? `в архиве запись неподдерживаемого типа (${r.type}): ${r.path}`
        : `unsupported member (${r.type}): ${r.path}`;
    case 'too-many-members':
      return ru ? `в архиве больше ${r.limit} записей` : `more than ${r.limit} members in the archive`;
    case 'member-too-big':
      return ru
        ? `файл в архиве больше ${MiB(r.limit)}: ${r.path}`
        : `member larger than ${MiB(r.limit)}: ${r.path}`;
    case 'duplicate-member':
      return ru ? `файл встречается в архиве дважды: ${r.path}` : `the same member twice: ${r.path}`;
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
      return ru ? `тот же запуск, что в ${r.of}` : `the same run as ${r.of}`;
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
    reason: 'Причина',
  },
};

function cells(
  row: GradeRow,
  lang: Lang,
  words: { pass: string; fail: string; yes: string; no: string },
): string[] {
  return [
    row.file,
    row.student ?? '',
    row.group ?? '',
    row.pass ? words.pass : words.fail,
    ...CHECK_IDS.map((id) => row.checks[id] ?? ''),
    row.modified === undefined ? '' : row.modified ? words.yes : words.no,
    row.duplicateOf.join(' '),
    row.reasons.map((r) => describeReason(r, lang)).join('; '),
  ];
}

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading
 * `'`: names come from students, and the sheet is opened by the teacher.
 */
function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** RFC 4180 CSV: English column ids and values, reasons in `lang`. */
export function renderCsv(rows: readonly GradeRow[], lang: Lang): string {
  const words = { pass: 'pass', fail: 'fail', yes: 'yes', no: 'no' };
  const lines = [COLUMNS.join(','), ...rows.map((r) => cells(r, lang, words).map(csvCell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Text from a submission, made inert in a Markdown table: no markup, no HTML, no line breaks. */
function mdCell(text: string): string {
  return visible(text.replace(/[\r\n]+/g, ' '))
    .replace(/[\\`*_{}[\]<>()#+!|~]/g, (c) => `\\${c}`)
    .replace(/^-/, '\\-');
}

/** A Markdown table, headers and values in `lang`. */
export function renderMarkdown(rows: readonly GradeRow[], lang: Lang): string {
  const words =
    lang === 'ru'
      ? { pass: '✅ зачтено', fail: '❌ не зачтено', yes: 'да', no: 'нет' }
      : { pass: '✅ pass', fail: '❌ fail', yes: 'yes', no: 'no' };
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

/** One line: how many submissions, passed, failed, and why the failures failed. */
export function summaryLine(rows: readonly GradeRow[], lang: Lang): string {
  const pass = rows.filter((r) => r.pass).length;
  const modified = rows.filter((r) => r.modified).length;
  const duplicates = rows.filter((r) => r.duplicateOf.length > 0).length;
  const unreadable = rows.filter((r) => r.unreadable).length;
  const refused = rows.filter((r) => !r.unreadable && r.modified === undefined && !r.pass).length;
  const checks = rows.filter((r) => r.reasons.some((x) => x.code === 'check-failed')).length;
  return lang === 'ru'
    ? `работ: ${rows.length}; зачтено: ${pass}, не зачтено: ${rows.length - pass} (проверки не пройдены: ${checks}, изменены после упаковки: ${modified}, один запуск в нескольких работах: ${duplicates}, отклонены: ${refused}, не прочитаны: ${unreadable})`
    : `${rows.length} submissions: ${pass} pass, ${rows.length - pass} fail (checks failed: ${checks}, modified after bundling: ${modified}, same run as another: ${duplicates}, refused: ${refused}, unreadable: ${unreadable})`;
}
