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
  // Not a failure: a machine without a network address cannot show these, and the demo says why.
  'no-lan-address': sentence(
    {},
    () =>
      'this machine has no IPv4 address besides loopback, so a connection through a network address cannot be shown here (give one with --lan-host)',
    () =>
      'у этой машины нет IPv4-адреса, кроме петлевого, поэтому соединение через сетевой адрес здесь показать нельзя (адрес можно указать в --lan-host)',
  ),
  // Nobody listened on that address and port: the kernel itself answered the SYN with RST; no
  // server socket (and no program) took part.
  'mistake-refused': sentence(
    { port: 40001, lan: '10.0.0.2' },
    (p) =>
      `a server bound to 127.0.0.1:${p.port} does not listen on ${p.lan}:${p.port}: the kernel itself answered the SYN there with RST (connection refused), no server socket was involved; that is why the lab binds 0.0.0.0`,
    (p) =>
      `сервер, привязанный к 127.0.0.1:${p.port}, не слушает на ${p.lan}:${p.port}: на SYN туда ответило само ядро сегментом RST (в соединении отказано, ожидаемо), сокет сервера в этом не участвовал; поэтому стенд привязывает сервер к 0.0.0.0`,
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
  'not-applicable': sentence(
    {},
    () => 'NOT APPLICABLE',
    () => 'НЕПРИМЕНИМО',
  ),
  'all-passed': sentence(
    { n: 4 },
    (p) => `All ${p.n} scenarios passed.`,
    (p) => `Все сценарии пройдены: ${p.n} из ${p.n}.`,
  ),
  'passed-some-na': sentence(
    { n: 2, na: 2 },
    (p) => `All ${p.n} scenarios this machine can show passed; ${p.na} not applicable here (see above why).`,
    (p) =>
      `Все сценарии, которые может показать эта машина, пройдены: ${p.n} из ${p.n}; неприменимо здесь: ${p.na} (причина указана выше).`,
  ),
  'some-failed': sentence(
    { failed: 1, n: 4 },
    (p) => `${p.failed} of ${p.n} scenarios failed.`,
    (p) => `Не пройдено сценариев: ${p.failed} из ${p.n}.`,
  ),
} satisfies Catalogue;
