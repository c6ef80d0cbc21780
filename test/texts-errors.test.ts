import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import {
  CODE_SUMMARY,
  LabError,
  type Operation,
  errorFields,
  explainSocketError,
  labError,
  localizeError,
  localizeErrorText,
} from '../src/errors.ts';
import { explain } from '../src/log/events.ts';
import { connectEcho } from '../src/tcp/echo-client.ts';
import { SCREEN_TEXTS, screenIn } from '../src/text/screen.ts';
import { REASON_LABELS, reasonLabel } from '../src/text/reasons.ts';
import { captureLog } from './helpers.ts';

/** English left in a Russian sentence: the words every English error sentence is made of. */
const ENGLISH = /\b(cannot|the|is|no|not|connection|refused|answer|use|server)\b/;

test('every socket error sentence has a full Russian version, looked up by its entry', () => {
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
  const ops: Operation[] = [
    { op: 'connect', at: '10.0.0.5:7007' },
    { op: 'listen-tcp', at: '0.0.0.0:7007' },
    { op: 'bind-udp', at: '0.0.0.0:7008' },
    { op: 'reach-chat', at: '10.0.0.5:7008' },
    { op: 'talk', at: '10.0.0.5:7007' },
  ];
  for (const errno of errnos) {
    for (const what of ops) {
      const err = explainSocketError(Object.assign(new Error(errno), { code: errno }), what);
      const ru = localizeError(err, 'ru');
      assert.match(ru, /[а-я]/, `${errno} ${what.op}: ${ru}`);
      assert.doesNotMatch(ru, ENGLISH, `${errno} ${what.op}: English left in «${ru}»`);
      assert.ok(ru.includes(what.at), `the address is kept: ${ru}`);
      assert.equal(localizeError(err, 'en'), err.message);
      assert.ok(err.text, 'made from an entry of the catalogue');
    }
  }
});

test('the other LabError sentences have Russian versions with their numbers', () => {
  const cases: Array<[LabError, RegExp]> = [
    [labError('chat-no-answer', { target: '10.0.0.5:7008', tries: 5, port: 7008 }), /5 попыток.*7008/],
    [labError('chat-port-unreachable', { target: '10.0.0.5:7008' }), /ICMP-сообщение «port unreachable»/],
    [labError('chat-nick-taken', { target: '10.0.0.5:7008', nick: 'bob' }), /ник «bob».*занят/],
    [labError('chat-message-too-long', { bytes: 1500, max: 1000 }), /1500 байт.*1000 байт.*дейтаграмма/],
    [labError('server-closed', { remote: '10.0.0.5:7007' }), /сервер 10\.0\.0\.5:7007 закрыл соединение/],
    [
      labError('echo-incomplete', { remote: '10.0.0.5:7007', ms: 10_000, received: 3, sent: 22 }),
      /3 из 22 байт/,
    ],
  ];
  for (const [err, want] of cases) {
    const ru = localizeError(err, 'ru');
    assert.match(ru, want, ru);
    assert.doesNotMatch(ru, ENGLISH, ru);
  }
  assert.equal(cases[2]![0].code, 'LAB_ERR_CHAT_REFUSED', 'the code comes from the entry');
});

test('an error without an entry (an older log line, a bare sentence) gets its code in Russian, the English beside it', () => {
  for (const code of Object.keys(CODE_SUMMARY)) {
    const ru = localizeErrorText({ code, message: 'something new happened' }, 'ru');
    assert.match(ru, /[а-я]/, ru);
    assert.ok(ru.includes('something new happened'), ru);
  }
  // A log line's entry and parameters are rendered, not its message; a line from before `ERR
  // room-full` carried the limit has no `limit`, and the sentence goes without it.
  assert.equal(
    localizeErrorText(
      { code: 'LAB_ERR_CHAT_REFUSED', message: 'x', text: 'chat-full', params: { target: '10.0.0.5:7008' } },
      'ru',
    ),
    'не удалось войти в чат на 10.0.0.5:7008: чат заполнен: заняты все места; их число задают на сервере: LAB_MAX_MEMBERS / --max-members',
  );
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
  const line = explain('client.error', errorFields(err), 'ru');
  assert.match(
    line,
    new RegExp(`^Ошибка клиента: не удалось подключиться к 127\\.0\\.0\\.1:${port}: в соединении отказано`),
  );
  assert.doesNotMatch(line, ENGLISH, line);
});

test('client screens and reason labels have every sentence in both languages, Russian words only', () => {
  for (const [cat, entries] of [
    ['screen', SCREEN_TEXTS],
    ['reasons', REASON_LABELS],
  ] as const) {
    for (const [key, entry] of Object.entries(entries)) {
      const render = (lang: 'en' | 'ru') => (entry[lang] as (p: unknown) => string)(entry.example);
      assert.notEqual(render('ru'), render('en'), `${cat} ${key} is not translated`);
      assert.match(render('ru'), /[а-яё]/i, `${cat} ${key}: ${render('ru')}`);
    }
  }
  const ru = screenIn('ru');
  assert.equal(ru('member-joined', { nick: 'bob' }), '* участник bob вошёл в чат');
  // The reason in Russian words only: no English code in brackets inside brackets.
  assert.equal(ru('member-left', { nick: 'bob', reason: 'timeout' }), '* участник bob вышел (тайм-аут)');
  // An unknown code (a newer log, or "constructor" from a hostile one) is shown as it is.
  assert.equal(reasonLabel('constructor', 'ru'), 'constructor');
  assert.equal(reasonLabel('stalled', 'en'), 'stalled');
});
