/**
 * docs/examples/ holds reports the docs show as what `socket-lab report` makes. Each report names,
 * in its appendix, the report revision that rendered it and the log schema of the logs it was made
 * from; this fails while a committed example names another revision or schema than today's, so an
 * example made by an older report (or from older logs) cannot stay in the docs unnoticed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LOG_SCHEMA } from '../src/log/events.ts';
import { REPORT_REVISION } from '../src/report/index.ts';

const EXAMPLES = ['report.md', 'report.html', 'report.ru.md', 'report.ru.html'];
const PROVENANCE = [
  /Report revision (\d+), made from logs of schema ([\d, ]+)\./,
  /Редакция отчёта: (\d+); схема журналов: ([\d, ]+)\./,
];

test('every committed example under docs/examples/ was made by this report revision from logs of this schema', () => {
  for (const name of EXAMPLES) {
    const text = readFileSync(new URL(`../docs/examples/${name}`, import.meta.url), 'utf8');
    const m = PROVENANCE.map((re) => re.exec(text)).find((x) => x !== null);
    assert.ok(
      m,
      `docs/examples/${name} names no report revision: regenerate it (docs/report.md, "Examples")`,
    );
    assert.equal(
      Number(m[1]),
      REPORT_REVISION,
      `docs/examples/${name} was made by report revision ${m[1]}, this is ${REPORT_REVISION}: regenerate it`,
    );
    assert.equal(
      m[2]?.trim(),
      String(LOG_SCHEMA),
      `docs/examples/${name} was made from logs of schema ${m[2]}, the lab writes ${LOG_SCHEMA}: regenerate it from a run of today's lab`,
    );
  }
});
