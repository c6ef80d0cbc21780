import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { prettyLine } from '../src/log/pretty.ts';
import { columns, wrapLine } from '../src/log/wrap.ts';

test('wrapLine: every row fits unless it is one word, and no word is cut or lost', () => {
  const word = fc.stringMatching(/^[a-zа-я0-9.:()#]{1,30}$/);
  fc.assert(
    fc.property(
      fc.array(word, { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 30, max: 200 }),
      (words, width) => {
        const line = words.join(' ');
        const rows = wrapLine(line, width, 13);
        for (const r of rows) assert.ok(columns(r) <= width || !r.trim().includes(' '), `row too wide: ${r}`);
        assert.deepEqual(
          rows
            .map((r) => r.trim())
            .join(' ')
            .split(' '),
          words,
        );
        rows
          .slice(1)
          .forEach((r) =>
            assert.ok(r.startsWith(' '.repeat(Math.min(13, width - 20))), 'continuation rows are indented'),
          );
      },
    ),
  );
});

test('wrapLine: colour sequences take no columns; width 0 never breaks', () => {
  const red = '\u001b[31mERROR\u001b[0m';
  assert.equal(columns(red), 5);
  assert.deepEqual(wrapLine('a '.repeat(200), 0, 4), ['a '.repeat(200)]);
});

test('a pretty line longer than its width goes on in indented rows, with the event and numbers whole', () => {
  const json = JSON.stringify({
    level: 30,
    time: Date.UTC(2026, 11, 2, 10, 0, 0),
    event: 'tcp.data.received',
    component: 'tcp-echo',
    msg: 'read() returned 2501 bytes from client #3 (198.18.7.2:41234); the server handles them in portions of at most 1024 bytes',
  });
  const out = prettyLine(false, { width: 80 })(json);
  const rows = out.trimEnd().split('\n');
  assert.ok(rows.length >= 2, out);
  for (const r of rows) assert.ok(columns(r) <= 80, `${columns(r)}: ${r}`);
  assert.match(rows[0] ?? '', /tcp\.data\.received/);
  assert.match(out, /2501 bytes/);
  assert.match(out, /198\.18\.7\.2:41234\)/);
  const short = JSON.stringify({ ...JSON.parse(json), msg: 'read() returned 2501 bytes from client #3' });
  assert.equal(prettyLine(false)(short).trimEnd().split('\n').length, 1, 'a line that fits stays one row');
});
