/**
 * The student's run of the Docker e2e (issue 11): the report a student hands in, checked on what a
 * real run wrote. Usage: node --import tsx test/e2e/student.ts LOGDIR STUDENT GROUP TYPED LONG_BYTES PREFIX
 * Prints one line per assertion; exits 1 when any fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir = '', student = '', group = '', typed = '', longBytes = '0', prefix = ''] = process.argv.slice(2);
const ru = readFileSync(join(dir, 'report.ru.md'), 'utf8');
const en = readFileSync(join(dir, 'report.md'), 'utf8');
const long = Number(longBytes);
const results: Array<[string, boolean]> = [
  ['the Russian report names the student', ru.includes(student)],
  ['the Russian report names the group', ru.includes(group)],
  ['the English report names the student too', en.includes(student)],
  ...[1, 2, 3, 4, 5, 6, 7].map((n): [string, boolean] => [
    `control question ${n} is answered in Russian`,
    new RegExp(`^#+ Вопрос ${n}\\.`, 'm').test(ru),
  ]),
  ['the Cyrillic line typed through docker attach is in the report', ru.includes(typed)],
  [
    `the ${long}-byte line is shown as 1 KB portions (1024 + ${long - 1024})`,
    new RegExp(`1024 \\+ ${long - 1024} = `).test(ru),
  ],
  [
    'the session ended with exit, and the report shows it',
    new RegExp(`${prefix}-echo-vm\`: [^\n]*exit`).test(ru),
  ],
  ['no placeholder left in the title block', !/не задано|not set/.test(ru.slice(0, 1500))],
  [
    'the printable HTML twins exist',
    existsSync(join(dir, 'report.ru.html')) && existsSync(join(dir, 'report.html')),
  ],
];
let failed = 0;
for (const [title, ok] of results) {
  process.stdout.write(`  ${ok ? 'ok  ' : 'FAIL'} ${title}\n`);
  if (!ok) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
