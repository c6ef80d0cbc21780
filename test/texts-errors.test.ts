import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { LabError, explainSocketError } from '../src/errors.ts';
import { explain } from '../src/log/events.ts';
import { connectEcho } from '../src/tcp/echo-client.ts';
import { ERROR_SUMMARY_RU, localizeError, localizeErrorText } from '../src/text/errors-ru.ts';
import { SCREEN } from '../src/text/screen.ts';
import { captureLog } from './helpers.ts';

/** English left in a Russian sentence: the words every English error sentence is made of. */
const ENGLISH = /\b(cannot|the|is|no|not|connection|refused|answer|use|server)\b/;

test('every socket error sentence has a full Russian version', () => {
  const errnos = [
    'ECONNREFUSED',
    'ETIMEDOUT',
    'ENOTFOUND',
    'ENETUNREACH',
    'EADDRINUSE',
    'EADDRNOTAVAIL',
    'EACCES',
    'ECONNRESET',
  ];
  const whats = [
    'connect to 10.0.0.5:7007',
    'listen on 0.0.0.0:7007 (TCP)',
    'bind 0.0.0.0:7008 (UDP)',
    'reach the chat server 10.0.0.5:7008',
    'talk to 10.0.0.5:7007',
  ];
  for (const errno of errnos) {
    for (const what of whats) {
      const err = explainSocketError(Object.assign(new Error(errno), { code: errno }), what);
      const ru = localizeError(err, 'ru');
      assert.match(ru, /[а-я]/, `${errno} ${what}: ${ru}`);
      assert.doesNotMatch(ru, ENGLISH, `${errno} ${what}: English left in «${ru}»`);
      assert.ok(ru.includes('10.0.0.5') || ru.includes('0.0.0.0'), `the address is kept: ${ru}`);
      assert.equal(localizeError(err, 'en'), err.message);
    }
  }
});

test('the other LabError sentences have Russian versions with their numbers', () => {
  const cases: Array<[LabError, RegExp]> = [
    [
      new LabError(
        'LAB_ERR_CHAT_NO_ANSWER',
        'cannot join the chat at 10.0.0.5:7008: no answer after 5 tries (is the server running, and is UDP port 7008 reachable?)',
      ),
      /5 попыток.*7008/,
    ],
    [
      new LabError(
        'LAB_ERR_CONNECT_REFUSED',
        'cannot join the chat at 10.0.0.5:7008: nothing listens on that UDP port (the host answered "port unreachable")',
      ),
      /никто не слушает/,
    ],
    [
      new LabError(
        'LAB_ERR_CHAT_REFUSED',
        'cannot join the chat at 10.0.0.5:7008: the nickname "bob" is already taken in this chat: choose another with --nick',
      ),
      /ник «bob».*занят/,
    ],
    [
      new LabError(
        'LAB_ERR_BAD_INPUT',
        'the message is 1500 bytes; a chat message may have at most 1000 bytes (one datagram)',
      ),
      /1500 байт.*1000 байт.*дейтаграмма/,
    ],
    [
      new LabError('LAB_ERR_CONNECTION_LOST', 'the server 10.0.0.5:7007 closed the connection'),
      /сервер 10\.0\.0\.5:7007 закрыл соединение/,
    ],
    [
      new LabError(
        'LAB_ERR_CONNECT_TIMEOUT',
        'the echo from 10.0.0.5:7007 is incomplete after 10000 ms (3 of 22 bytes came back)',
      ),
      /3 из 22 байт/,
    ],
  ];
  for (const [err, want] of cases) {
    const ru = localizeError(err, 'ru');
    assert.match(ru, want, ru);
    assert.doesNotMatch(ru, ENGLISH, ru);
  }
});

test('a sentence of an unknown shape still gets Russian for its code, with the English beside it', () => {
  for (const code of Object.keys(ERROR_SUMMARY_RU)) {
    const ru = localizeErrorText(code, 'something new happened', 'ru');
    assert.match(ru, /[а-я]/, ru);
    assert.ok(ru.includes('something new happened'), ru);
  }
  // Errors that are not LabErrors are bugs: their own text, untouched.
  assert.equal(localizeError(new TypeError('port must be a number'), 'ru'), 'port must be a number');
});

test('a real refused connection is explained in Russian in client.error', async (t) => {
  // A port that was listening a moment ago and is closed now: connect() gets RST, ECONNREFUSED.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const { log } = captureLog();
  const err = await connectEcho({ host: '127.0.0.1', port, log }).then(
    () => assert.fail('connected to a closed port'),
    (e: unknown) => e,
  );
  t.diagnostic(String(err));
  assert.ok(err instanceof LabError);
  const line = explain('client.error', { code: err.code, message: err.message }, 'ru');
  assert.match(
    line,
    new RegExp(`^Ошибка клиента: не удалось подключиться к 127\\.0\\.0\\.1:${port}: в соединении отказано`),
  );
  assert.doesNotMatch(line, ENGLISH, line);
});

test('client screens have every sentence in both languages', () => {
  const p = {
    nick: 'alice',
    reason: 'timeout',
    remote: '10.0.0.5:7007',
    local: '10.0.0.9:40000',
    server: '10.0.0.5:7008',
    members: 2,
  };
  for (const [key, en] of Object.entries(SCREEN.en)) {
    const ru = SCREEN.ru[key as keyof typeof SCREEN.ru];
    const render = (v: unknown) =>
      typeof v === 'function'
        ? String((v as (x: unknown) => string)(key === 'attachHint' ? 'X' : p))
        : String(v);
    assert.notEqual(render(ru), render(en), `${key} is not translated`);
    assert.match(render(ru), /[а-яё]/i, `${key}: ${render(ru)}`);
  }
  assert.equal(SCREEN.ru.memberJoined({ nick: 'bob' }), '* участник bob вошёл в чат');
  assert.match(SCREEN.ru.memberLeft({ nick: 'bob', reason: 'timeout' }), /тайм-аут \(timeout\)/);
});
