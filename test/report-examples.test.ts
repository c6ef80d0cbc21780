/**
 * docs/examples/ holds reports the docs show as what `socket-lab report` makes: one of a run of our
 * programs (docs/examples/logs) and one of a student's own four programs (docs/examples/own, from
 * test/fixtures/own/student-run). Each is made again here, the way docs/report.md says, and must be
 * byte for byte what is committed: an example made by an older report (or from older logs) cannot
 * stay in the docs unnoticed. Each also names, in its appendix, the report revision that rendered it
 * and the log schema of its logs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LOG_SCHEMA } from '../src/log/events.ts';
import { REPORT_REVISION } from '../src/report/index.ts';
import { runCli } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The examples and the logs each is made from (the commands in docs/report.md, "Examples"). */
const SETS = [
  { dir: 'docs/examples', logs: 'docs/examples/logs', student: 'Смирнова Ольга Павловна', group: 'ИВТ-21' },
  {
    dir: 'docs/examples/own',
    logs: 'test/fixtures/own/student-run/logs',
    student: 'Петров Алексей',
    group: 'ИУ7-32Б',
  },
];
const EXAMPLES = SETS.flatMap((s) =>
  ['en', 'ru'].flatMap((lang) =>
    ['md', 'html'].map((format) => ({
      ...s,
      lang,
      format,
      file: `${s.dir}/report${lang === 'ru' ? '.ru' : ''}.${format}`,
    })),
  ),
);
const PROVENANCE = [
  /Report revision (\d+), made from logs of schema ([\d, ]+)\./,
  /Редакция отчёта: (\d+); схема журналов: ([\d, ]+)\./,
];

test('every committed example under docs/examples/ was made by this report revision from logs of this schema', () => {
  for (const { file } of EXAMPLES) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const m = PROVENANCE.map((re) => re.exec(text)).find((x) => x !== null);
    assert.ok(m, `${file} names no report revision: regenerate it (docs/report.md, "Examples")`);
    assert.equal(Number(m[1]), REPORT_REVISION, `${file} was made by report revision ${m[1]}: regenerate it`);
    assert.equal(
      m[2]?.trim(),
      String(LOG_SCHEMA),
      `${file}: logs of schema ${m[2]}: regenerate it from a new run`,
    );
  }
});

test('every committed example is what the report makes today from its logs, byte for byte', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'socket-lab-examples-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  for (const [i, e] of EXAMPLES.entries()) {
    const target = join(out, `${i}.${e.format}`);
    const p = runCli(
      [
        'report',
        join(ROOT, e.logs),
        '--lang',
        e.lang,
        '--format',
        e.format,
        '--student',
        e.student,
        '--group',
        e.group,
        '--out',
        target,
      ],
      undefined,
      { TZ: 'UTC', LAB_LANG: '' },
    );
    assert.equal(await p.exited, 0, p.stderr());
    const made = await readFile(target, 'utf8');
    const committed = readFileSync(join(ROOT, e.file), 'utf8');
    assert.ok(
      made === committed,
      `${e.file} is not what the report makes today: regenerate it (docs/report.md, "Examples")`,
    );
  }
});
