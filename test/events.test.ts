import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EVENT_NAMES,
  catalogue,
  chatLeaveText,
  clientCloseText,
  closeReasonText,
  explain,
  leaveReasonText,
  lostReasonText,
  rejectReasonText,
} from '../src/log/events.ts';
import { LANGS, type Lang } from '../src/text/lang.ts';

/** Every value each reason field can take, so the texts are checked for all of them, not one example. */
const VARIANTS: Record<string, Record<string, readonly unknown[]>> = {
  'server.listening': { protocol: ['tcp', 'udp'] },
  'tcp.connection.rejected': { reason: ['max-connections', 'server-stopping'] },
  'tcp.backpressure': { state: ['paused', 'resumed'] },
  'tcp.connection.error': { code: ['ECONNRESET', 'EPIPE'] },
  'tcp.connection.closed': { reason: Object.keys(closeReasonText.en) },
  'udp.member.left': { reason: Object.keys(leaveReasonText.en) },
  'chat.member.left': { reason: Object.keys(leaveReasonText.en) },
  'udp.datagram.rejected': { reason: Object.keys(rejectReasonText.en) },
  'client.disconnected': { reason: Object.keys(clientCloseText.en) },
  'chat.left': { reason: Object.keys(chatLeaveText.en) },
  'chat.server.lost': { reason: Object.keys(lostReasonText.en) },
};

/** Every explanation of the catalogue in `lang`: each event with its example and each variant. */
function allTexts(lang: Lang): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  for (const name of EVENT_NAMES) {
    const example = catalogue[name].example as Record<string, unknown>;
    out.push({ name, text: explain(name, example as never, lang) });
    for (const [field, values] of Object.entries(VARIANTS[name] ?? {})) {
      for (const v of values) {
        out.push({
          name: `${name} ${field}=${String(v)}`,
          text: explain(name, { ...example, [field]: v } as never, lang),
        });
      }
    }
  }
  return out;
}

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

test('UDP events never speak of FIN, RST or connections (except to say there is none)', () => {
  const tcpWords = {
    en: /\bFIN\b|\bRST\b|connection|handshake|segment/i,
    ru: /\bFIN\b|\bRST\b|соединени|рукопожат|сегмент/i,
  };
  const noConnection = { en: /no connection/gi, ru: /нет соединения/gi };
  let checked = 0;
  for (const lang of LANGS) {
    for (const { name, text } of allTexts(lang)) {
      if (!/^(udp|chat)\./.test(name)) continue;
      checked++;
      const rest = text.replace(noConnection[lang], '');
      assert.doesNotMatch(rest, tcpWords[lang], `${name}/${lang}: ${text}`);
    }
  }
  assert.ok(checked > 40, `only ${checked} UDP texts checked`);
});

test('TCP explanations do not overclaim: no delivery promise, no "written" before the write, no "read portion"', () => {
  for (const lang of LANGS) {
    for (const { name, text } of allTexts(lang)) {
      assert.doesNotMatch(text, /delivers? them|доставит их/i, `${name}/${lang} claims delivery: ${text}`);
      assert.doesNotMatch(text, /read portion|прочитана порция/i, `${name}/${lang}: ${text}`);
      if (name.startsWith('client.data.sent')) assert.doesNotMatch(text, /written|записано/i, text);
      if (name.startsWith('tcp.backpressure') && name.endsWith('paused'))
        assert.match(text, /Node/, `${name}/${lang} must name Node's own write queue: ${text}`);
    }
  }
});

test('texts that depend on a reason say that reason', () => {
  const rejected = (reason: string, lang: Lang) =>
    explain(
      'tcp.connection.rejected',
      { ...catalogue['tcp.connection.rejected'].example, reason } as never,
      lang,
    );
  assert.match(rejected('server-stopping', 'en'), /stopping/);
  assert.doesNotMatch(rejected('server-stopping', 'en'), /slots/);
  assert.match(rejected('max-connections', 'ru'), /100 из 100/);
  const lost = (reason: string, lang: Lang) =>
    explain('chat.server.lost', { server: '10.0.0.1:7008', reason } as never, lang);
  assert.match(lost('server-stopping', 'en'), /SHUTDOWN/);
  assert.doesNotMatch(lost('server-stopping', 'en'), /missing answers/);
  assert.match(lost('not-a-member', 'ru'), /NOPE/);
  assert.match(lost('no-answer', 'en'), /no answer/);
  // The chat's limit is the chat's own: a UDP datagram can be far larger.
  assert.match(rejectReasonText.en['too-large'], /chat's own/);
  assert.match(rejectReasonText.ru['too-large'], /самого чата/);
});

test('Russian uses the textbook terms, not calques', () => {
  for (const { name, text } of allTexts('ru')) {
    assert.doesNotMatch(text, /датаграмм/i, `${name}: «дейтаграмма», not «датаграмма»: ${text}`);
    assert.doesNotMatch(text, /обратное давление|читать от него|достаёт до/i, `${name}: ${text}`);
    assert.doesNotMatch(text, /^[a-z0-9_-]+ вош(ёл|ел)/, `${name}: a nickname alone as the subject: ${text}`);
    // Number forms: never "2 байт", "23 байт", "1 байта" — except in the genitive a comparison
    // takes ("не больше 1024 байт": of the phrase "1024 байта").
    assert.doesNotMatch(
      text,
      /(?<!(?:больше|меньше|длиннее|короче) )(?<![\d.,])(?:\d*[02-9])?[234] байт(?!а)/,
      `${name}: ${text}`,
    );
    assert.doesNotMatch(text, /(?<![\d.,])(?:\d*[02-9])?1 байта/, `${name}: ${text}`);
  }
});
