import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { preview, visible } from '../src/text/escape.ts';

test('control characters, escape sequences and bidi overrides are shown, never executed', () => {
  assert.equal(visible('\u001b[2J\u001b]0;pwned\u0007'), '\\e[2J\\e]0;pwned\\x07');
  assert.equal(visible('a\rb\nc\bd'), 'a\\rb\\nc\\x08d');
  assert.equal(visible('\u009b31m'), '\\x9b31m');
  assert.equal(visible('abc\u202edcba\u2066x\u2069'), 'abc\\u{202e}dcba\\u{2066}x\\u{2069}');
  assert.equal(visible('tab\tstays, Привет 🌍'), 'tab\tstays, Привет 🌍');
});

test('whatever the input, the output has no character a terminal acts on', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      const out = visible(s);
      assert.doesNotMatch(out, /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }),
    { numRuns: 2000 },
  );
});

test('preview caps the bytes it shows and marks the cut', () => {
  assert.equal(preview(Buffer.from('hello\n')), 'hello\\n');
  assert.equal(preview(Buffer.from('x'.repeat(100)), 10), `${'x'.repeat(10)}…`);
});

test('preview never cuts inside a character, and always marks a cut', async () => {
  const { preview, textPreview } = await import('../src/text/escape.ts');
  // 'Смирнова Ольга Павловна': the 64-byte limit of a shorter window falls inside «а» of «Па».
  const name = Buffer.from('Смирнова Ольга Павловна', 'utf8');
  const p = preview(name, 31); // the 32nd byte is the second byte of «а» in «Па»
  assert.equal(p, 'Смирнова Ольга П…');
  assert.doesNotMatch(p, /\uFFFD/);
  assert.equal(preview(name, 100), 'Смирнова Ольга Павловна');
  // A slice that starts inside a character still shows it: that is what the portion held.
  assert.equal(preview(name.subarray(1), 100).startsWith('\uFFFD'), true);
  // The chat's preview counts characters and marks the cut.
  assert.equal(textPreview('ж'.repeat(70)), `${'ж'.repeat(64)}…`);
  assert.equal(textPreview('ж'.repeat(64)), 'ж'.repeat(64));
});
