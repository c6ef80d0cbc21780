import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BudgetedLines } from '../src/log/budget.ts';
import { ExitLineScanner } from '../src/text/byte-lines.ts';

/** Feeds `input` cut at `cuts`, returns what the scanner sends and whether it saw `exit`. */
function scan(input: Buffer, cuts: number[]): { sent: Buffer; exited: boolean } {
  const s = new ExitLineScanner();
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < input.length)].sort((a, b) => a - b)) {
    out.push(...s.push(input.subarray(at, cut)));
    at = cut;
  }
  out.push(...s.push(input.subarray(at)), ...s.end());
  return { sent: Buffer.concat(out), exited: s.exited };
}

/** The rule, written the slow and obvious way: everything before the first `exit` line. */
function expected(input: Buffer): { sent: Buffer; exited: boolean } {
  let start = 0;
  while (start < input.length) {
    const nl = input.indexOf(0x0a, start);
    const end = nl === -1 ? input.length : nl + 1;
    if (/^[ \t]*exit[ \t\r]*\n?$/.test(input.subarray(start, end).toString('latin1'))) {
      return { sent: input.subarray(0, start), exited: true };
    }
    start = end;
  }
  return { sent: input, exited: false };
}

const bytesWithExits = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc
        .constantFrom('exit\n', ' exit \r\n', 'exit', 'exi', '\n', '\r\n', 'exits\n', 'e\n')
        .map((t) => Buffer.from(t)),
    ),
    { maxLength: 12 },
  )
  .map((parts) => Buffer.concat(parts));

test('piped input: sent byte for byte up to the first exit line, whatever the chunking', () => {
  fc.assert(
    fc.property(bytesWithExits, fc.array(fc.nat({ max: 3000 }), { maxLength: 8 }), (input, cuts) => {
      const got = scan(input, cuts);
      const want = expected(input);
      assert.equal(got.exited, want.exited);
      assert.ok(got.sent.equals(want.sent), 'same bytes');
    }),
    { numRuns: 500 },
  );
});

test('piped input: CRLF, invalid UTF-8 and a missing last newline pass unchanged', () => {
  const input = Buffer.concat([
    Buffer.from('a\r\n'),
    Buffer.from([0xff, 0xfe, 0x0a, 0xc3]),
    Buffer.from('end'),
  ]);
  assert.ok(scan(input, [2, 5]).sent.equals(input));
  assert.equal(scan(Buffer.from('x\nexit\ny\n'), []).sent.toString(), 'x\n');
});

test('budgeted lines: every event is a line of its own or counted in exactly one summary', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 400 }), { maxLength: 300 }), fc.nat({ max: 5 }), (gaps, perSecond) => {
      const summaries: number[] = [];
      const b = new BudgetedLines({
        perSecond,
        empty: () => ({ n: 0 }),
        summary: (t) => summaries.push(t.n),
      });
      let now = 0;
      let lines = 0;
      for (const gap of gaps) {
        now += gap;
        if (b.allow(now)) lines++;
        else b.count(now).n++;
      }
      b.flush(now + 1);
      const counted = summaries.reduce((a, c) => a + c, 0);
      assert.equal(lines + counted, gaps.length);
      assert.ok(
        summaries.every((n) => n > 0),
        'no empty summary',
      );
    }),
  );
});
