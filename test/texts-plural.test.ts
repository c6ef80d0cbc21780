import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { count, pluralForm } from '../src/text/plural.ts';

test('after «до», «не больше» a Russian count is genitive: plural except for numbers ending in 1 (not 11)', () => {
  assert.equal(count('ru', 1024, 'byte', 'gen'), '1024 байт');
  assert.equal(count('ru', 2, 'byte', 'gen'), '2 байт');
  assert.equal(count('ru', 11, 'byte', 'gen'), '11 байт');
  assert.equal(count('ru', 21, 'byte', 'gen'), '21 байта');
  assert.equal(count('ru', 1, 'byte', 'gen'), '1 байта');
  assert.equal(count('ru', 1.5, 'byte', 'gen'), '1,5 байта');
  assert.equal(count('en', 1024, 'byte', 'gen'), '1024 bytes');
  // A noun without genitive forms keeps its nominative.
  assert.equal(count('ru', 5, 'message', 'gen'), '5 сообщений');
});

test('Russian counts take the right noun form', () => {
  assert.equal(count('ru', 1, 'byte'), '1 байт');
  assert.equal(count('ru', 2, 'byte'), '2 байта');
  assert.equal(count('ru', 5, 'byte'), '5 байт');
  assert.equal(count('ru', 11, 'byte'), '11 байт');
  assert.equal(count('ru', 21, 'byte'), '21 байт');
  assert.equal(count('ru', 23, 'byte'), '23 байта');
  assert.equal(count('ru', 1024, 'byte'), '1024 байта');
  assert.equal(count('ru', 1, 'message'), '1 сообщение');
  assert.equal(count('ru', 3, 'message'), '3 сообщения');
  assert.equal(count('ru', 5, 'message'), '5 сообщений');
  assert.equal(count('ru', 21, 'portion'), '21 порция');
  assert.equal(count('ru', 113, 'portion'), '113 порций');
  assert.equal(count('ru', 2, 'datagram'), '2 дейтаграммы');
  assert.equal(count('ru', 0, 'member'), '0 участников');
});

test('English counts: one and the rest', () => {
  assert.equal(count('en', 1, 'byte'), '1 byte');
  assert.equal(count('en', 0, 'byte'), '0 bytes');
  assert.equal(count('en', 2, 'datagram'), '2 datagrams');
});

test('the Russian form follows the last two digits, for any count', () => {
  const forms = { one: 'one', few: 'few', many: 'many', other: 'other' };
  fc.assert(
    fc.property(fc.nat(10_000_000), (n) => {
      const d = n % 100;
      const u = n % 10;
      const want = d >= 11 && d <= 14 ? 'many' : u === 1 ? 'one' : u >= 2 && u <= 4 ? 'few' : 'many';
      assert.equal(pluralForm('ru', n, forms), want);
    }),
  );
});

test('Russian numbers: thousands apart from five digits on, a decimal comma', async () => {
  const { count, numberText } = await import('../src/text/plural.ts');
  assert.equal(count('ru', 15086, 'byte'), '15\u202f086 байт');
  assert.equal(count('ru', 1024, 'byte'), '1024 байта');
  assert.equal(count('ru', 1234567, 'byte'), '1\u202f234\u202f567 байт');
  assert.equal(numberText('ru', 0.5), '0,5');
  assert.equal(count('en', 15086, 'byte'), '15086 bytes');
});
