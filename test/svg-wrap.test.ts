import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { wrap } from '../src/report/svg.ts';

test('diagram labels wrap instead of being cut: every word kept, no line wider than its room', () => {
  fc.assert(
    fc.property(
      fc.array(fc.stringMatching(/^[a-zа-я0-9.:()]{1,12}$/), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 12, max: 60 }),
      (words, width) => {
        const text = words.join(' ');
        const lines = wrap(text, width);
        assert.ok(
          lines.every((l) => l.length <= width),
          JSON.stringify(lines),
        );
        // Short enough to fit in four lines: nothing is lost.
        if (text.length <= width * 2) assert.equal(lines.join(' '), text);
      },
    ),
  );
  assert.deepEqual(wrap('accept(): соединение 3, адрес 198.18.2.254:56994', 30), [
    'accept(): соединение 3, адрес',
    '198.18.2.254:56994',
  ]);
});
