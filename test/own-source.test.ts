/**
 * Where a failing check points in the student's code (src/report/own-source.ts): only at files the
 * command ran, by the value the call used, in one pass however hostile the recorded source.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LogRecord } from '../src/report/parse.ts';
import { locateCall } from '../src/report/own-source.ts';

const rec = (event: string, fields: Record<string, unknown>): LogRecord =>
  ({ source: 's', line: 1, time: 0, event, fields }) as unknown as LogRecord;
const run = (command: string, files: Array<{ path: string; text?: string }>) => ({
  started: rec('own.program.started', { role: 'echo-server', command }),
  sources: rec('own.sources', { role: 'echo-server', files, skipped: 0 }),
  output: [],
});

test('the line that uses the size the call asked for wins, directly or through a constant', () => {
  const text = [
    'import socket',
    'BUF = 4096',
    'def first(c):',
    '    return c.recv(1024)',
    'def second(c):',
    '    return c.recv(BUF)',
  ].join('\n');
  const r = [run('python3 server.py 7007', [{ path: 'server.py', text }])];
  assert.equal(locateCall(r, 'read', '4096')?.line, 6, 'through BUF = 4096');
  assert.equal(locateCall(r, 'read', '1024')?.line, 4, 'the value itself');
  assert.equal(locateCall(r, 'read')?.line, 4, 'without a value: the first call');
  assert.equal(locateCall(r, 'read', '4096')?.how, 'match');
});

test('a decoy beside a file the command ran is never blamed (an attacker review)', () => {
  // server.py was recorded without text (not UTF-8): nothing to point at, and decoy.py did not run.
  const r = [
    run('python3 server.py 7007', [
      { path: 'server.py' },
      { path: 'decoy.py', text: 'def f(c):\n    return c.recv(1024)\n' },
    ]),
  ];
  assert.equal(locateCall(r, 'read', '65536'), undefined);
  // A command that names no recorded file (a compiled program): every file with text may hold it.
  const compiled = [
    run('./echo_server 7007', [{ path: 'echo_server.c', text: 'n = recv(fd, buf, 4096, 0);\n' }]),
  ];
  assert.equal(locateCall(compiled, 'read', '4096')?.path, 'echo_server.c');
});

test('a line of thousands of names over thousands of lines is read once, and the answer is right', () => {
  const names = Array.from({ length: 3000 }, (_, i) => `n${i}`);
  const text = [
    `x = c.recv(${names.join(',')})`,
    ...names.map((n) => `${n} = ${n === 'n2999' ? 65536 : 1}`),
  ].join('\n');
  const r = [run('python3 server.py', [{ path: 'server.py', text }])];
  assert.equal(locateCall(r, 'read', '65536')?.line, 1);
});
