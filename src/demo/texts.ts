/**
 * The demo's sentences (src/text/catalogue.ts): the verdict of each scenario and the summary that
 * `socket-lab demo` prints after the events. The events themselves come from log/events.ts.
 */
import { type Catalogue, sentence } from '../text/catalogue.js';

export const DEMO_TEXTS = {
  'echo-seen': sentence(
    {
      local: '127.0.0.1:40000',
      target: '127.0.0.1:7007',
      bound: '0.0.0.0' as string | undefined,
      remote: '127.0.0.1:40000' as string | undefined,
      received: 20 as number | undefined,
      sent: 20 as number | undefined,
    },
    (p) =>
      `client ${p.local} -> ${p.target}; the server${p.bound ? ` (bound to ${p.bound})` : ''} saw ${p.remote ?? 'nothing'}; ${p.received ?? '?'}/${p.sent ?? '?'} bytes echoed`,
    (p) =>
      `клиент ${p.local} -> ${p.target}; сервер${p.bound ? ` (привязан к ${p.bound})` : ''} увидел ${p.remote ?? 'ничего'}; эхо: ${p.received ?? '?'} Б из ${p.sent ?? '?'} Б`,
  ),
  'no-lan-address': sentence(
    {},
    () => 'this machine has no non-loopback IPv4 address (use --lan-host)',
    () => 'у этой машины нет IPv4-адреса, кроме loopback (укажите --lan-host)',
  ),
  'mistake-refused': sentence(
    { port: 40001, lan: '10.0.0.2' },
    (p) =>
      `a server bound to 127.0.0.1:${p.port} refused ${p.lan}:${p.port}: that is why the lab binds 0.0.0.0`,
    (p) =>
      `сервер, привязанный к 127.0.0.1:${p.port}, отказал в соединении с ${p.lan}:${p.port} (ожидаемо): поэтому лаборатория привязывает сервер к 0.0.0.0`,
  ),
  'mistake-other-error': sentence(
    { code: 'LAB_ERR_CONNECT_TIMEOUT' },
    (p) => `expected "connection refused", got ${p.code}`,
    (p) => `ожидался отказ в соединении, а получено ${p.code}`,
  ),
  'mistake-accepted': sentence(
    { lan: '10.0.0.2' },
    (p) => `a server bound to 127.0.0.1 accepted a connection to ${p.lan}`,
    (p) => `сервер, привязанный к 127.0.0.1, принял соединение с ${p.lan}`,
  ),
  'chat-result': sentence(
    { alice: ['bob: hi alice'], bob: ['alice: hi bob'], relays: 2 },
    (p) =>
      `alice received [${p.alice.join(', ')}], bob received [${p.bob.join(', ')}]; relays logged: ${p.relays}`,
    (p) =>
      `alice получила [${p.alice.join(', ')}], bob получил [${p.bob.join(', ')}]; пересылок в журнале: ${p.relays}`,
  ),
  results: sentence(
    {},
    () => 'Results:',
    () => 'Итоги:',
  ),
  pass: sentence(
    {},
    () => 'PASS',
    () => 'ЗАЧТЕНО',
  ),
  fail: sentence(
    {},
    () => 'FAIL',
    () => 'НЕ ЗАЧТЕНО',
  ),
  'all-passed': sentence(
    { n: 4 },
    (p) => `All ${p.n} scenarios passed.`,
    (p) => `Все сценарии пройдены: ${p.n} из ${p.n}.`,
  ),
  'some-failed': sentence(
    { failed: 1, n: 4 },
    (p) => `${p.failed} of ${p.n} scenarios failed.`,
    (p) => `Не пройдено сценариев: ${p.failed} из ${p.n}.`,
  ),
} satisfies Catalogue;
