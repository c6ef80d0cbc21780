import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { LogRecord } from '../src/report/parse.ts';
import { MIN_TOKENS, normalizeSource, ownCodeFingerprints } from '../src/report/own-same-code.ts';

const fixture = (p: string) => readFileSync(new URL(`fixtures/own/${p}`, import.meta.url), 'utf8');
const server = fixture('echo/server.py');
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
const prints = (files: Array<{ path: string; text: string }>) => ownCodeFingerprints(sources(files));

test('what a copying student changes first does not change the fingerprint', () => {
  const original = prints([{ path: 'server.py', text: server }]);
  assert.equal(original.length, 1);
  // Each of these alone, then all together (an attacker's review tried them one by one).
  const names = [...new Set(server.match(/^\s*([a-z_][a-z0-9_]*)\s*=/gim) ?? [])].map((m) =>
    m.split('=')[0]!.trim(),
  );
  assert.ok(names.length > 0, 'the fixture assigns names');
  const evasions: Record<string, (t: string) => string> = {
    'comments reworded': (t) => t.replace(/# .*$/gm, '# переписал комментарий'),
    'indentation doubled, blank lines': (t) => t.replace(/^( +)/gm, '$1$1').replace(/\n/g, '\n\n'),
    'a variable renamed': (t) => t.replace(new RegExp(`\\b${names[0]}\\b`, 'g'), 'my_renamed_thing'),
    '\' and " swapped': (t) =>
      t
        .replace(/'/g, '\u0000')
        .replace(/"/g, "'")
        .replace(/\u0000/g, '"'),
    'a docstring added': (t) => `"""Мой эхо-сервер.\n\nНаписал сам."""\n${t}`,
    '; at line ends': (t) => t.replace(/\)$/gm, ');'),
    'a line continuation': (t) => t.replace(/^(\s*)import (\w+)$/m, '$1import \\\n    $2'),
  };
  let all = server;
  for (const [what, change] of Object.entries(evasions)) {
    const changed = change(server);
    assert.notEqual(changed, server, `${what}: the change changes the text`);
    assert.deepEqual(prints([{ path: 'echo_server.py', text: changed }]), original, what);
    all = change(all);
  }
  assert.deepEqual(prints([{ path: 'srv.py', text: all }]), original, 'all of them at once');
  // A README beside the program is not code: it changes nothing.
  assert.deepEqual(
    prints([
      { path: 'server.py', text: server },
      { path: 'README.md', text: '# Мой проект\nНаписал сам.' },
    ]),
    original,
  );
});

test('different code is different: a constant, swapped statements, another student\u2019s server', () => {
  const original = prints([{ path: 'server.py', text: server }]);
  assert.notDeepEqual(prints([{ path: 'server.py', text: server.replace('1024', '4096') }]), original);
  const lines = server.split('\n');
  const i = lines.findIndex((l) => /^import /.test(l));
  const swapped = [...lines];
  [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
  if (swapped[i] !== lines[i])
    assert.notDeepEqual(prints([{ path: 'server.py', text: swapped.join('\n') }]), original);
  // Two servers written apart (the course's fixture and a reviewer's select server) share nothing.
  const other = fixture('student-run/mine/server.py');
  assert.equal(prints([{ path: 'server.py', text: other }]).length, 1);
  assert.notDeepEqual(prints([{ path: 'server.py', text: other }]), original);
});

test('per file: a copied server beside a client of one\u2019s own shares that file', () => {
  const client = fixture('echo/client.py');
  const copier = prints([
    { path: 'server.py', text: server },
    { path: 'client.py', text: fixture('student-run/mine/client.py') },
  ]);
  const original = prints([
    { path: 'server.py', text: server },
    { path: 'client.py', text: client },
  ]);
  assert.equal(copier.length, 2);
  assert.equal(original.length, 2);
  assert.equal(copier.filter((c) => original.includes(c)).length, 1, 'the server, not the client');
});

test('comments and strings: a # or // inside a string is not a comment; too little code is not compared', () => {
  assert.equal(
    normalizeSource('a.py', "print('# not a comment')  # a comment\n"),
    'n0 ( "# not a comment" )',
  );
  assert.equal(
    normalizeSource('a.c', 'puts("// x"); /* gone */ // gone\nint y;'),
    'n0 ( "// x" ) ; int n1 ;',
  );
  assert.equal(normalizeSource('README.md', 'print(1)'), '', 'not code');
  assert.deepEqual(
    prints([{ path: 'tiny.py', text: 'import socket\n' }]),
    [],
    `fewer than ${MIN_TOKENS} tokens`,
  );
  assert.deepEqual(prints([]), []);
});
