import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_NAMES, LANGS, catalogue, explain, ruCount } from '../src/log/events.ts';

test('every event explains itself in both languages with its example fields', () => {
  for (const name of EVENT_NAMES) {
    for (const lang of LANGS) {
      const text = explain(name, catalogue[name].example as never, lang);
      assert.ok(text.length > 20, `${name}/${lang} is too short`);
      assert.doesNotMatch(text, /undefined|NaN|\[object Object\]/, `${name}/${lang}: ${text}`);
    }
    assert.match(
      explain(name, catalogue[name].example as never, 'ru'),
      /[а-я]/,
      `${name} has no Russian text`,
    );
  }
});

test('Russian counts take the right noun form', () => {
  const bytes = (n: number) => ruCount(n, 'байт', 'байта', 'байт');
  assert.equal(bytes(1), '1 байт');
  assert.equal(bytes(2), '2 байта');
  assert.equal(bytes(4), '4 байта');
  assert.equal(bytes(5), '5 байт');
  assert.equal(bytes(11), '11 байт');
  assert.equal(bytes(12), '12 байт');
  assert.equal(bytes(21), '21 байт');
  assert.equal(bytes(22), '22 байта');
  assert.equal(bytes(1024), '1024 байта');
  assert.equal(ruCount(21, 'порция', 'порции', 'порций'), '21 порция');
  assert.equal(ruCount(113, 'порция', 'порции', 'порций'), '113 порций');
});
