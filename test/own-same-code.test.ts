import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { LogRecord } from '../src/report/parse.ts';
import { normalizeSource, ownCodeFingerprint } from '../src/report/own-same-code.ts';

const server = readFileSync(new URL('fixtures/own/echo/server.py', import.meta.url), 'utf8');
const sources = (files: Array<{ path: string; text: string }>): LogRecord[] => [
  {
    source: 's',
    line: 1,
    time: 0,
    event: 'own.sources',
    fields: { role: 'echo-server', files, skipped: 0 },
    scenario: undefined,
    component: 'own',
    pid: 1,
    hostname: undefined,
    msg: undefined,
  },
];

test('comments and whitespace do not change the fingerprint; code does', () => {
  const renamed = server
    .replace(/# .*$/gm, '# переписал комментарий')
    .replace(/^( +)/gm, '$1$1')
    .replace(/\n/g, '\n\n');
  const a = ownCodeFingerprint(sources([{ path: 'server.py', text: server }]));
  const b = ownCodeFingerprint(sources([{ path: 'echo_server.py', text: renamed }]));
  assert.ok(a);
  assert.equal(a, b, 'same code under another file name, comments and indentation');
  const changed = server.replace('BUF_SIZE = 1024', 'BUF_SIZE = 4096');
  assert.notEqual(ownCodeFingerprint(sources([{ path: 'server.py', text: changed }])), a);
  assert.equal(ownCodeFingerprint(sources([])), undefined);
});

test('a # or // inside a string is not a comment', () => {
  assert.equal(
    normalizeSource('a.py', "print('# not a comment')  # a comment\n"),
    "print('#notacomment')".replace('#notacomment', '# not a comment'),
  );
  assert.equal(normalizeSource('a.c', 'puts("// x"); /* gone */ // gone\nint y;'), 'puts("// x");inty;');
});
