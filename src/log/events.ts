/**
 * The event catalogue: every observable event of socket-lab, named once.
 *
 * Servers, clients, the report and the tests all use this list, so the names and fields cannot
 * drift apart. Each entry has a level, an example of its fields (used for docs/events.md and the
 * tests), and an explanation in English and Russian that says what happened at the socket level.
 * Explanations never contain untrusted data (what a client sent); that stays in fields.
 */

import { type ErrorFields, REFUSAL_WHY, localizeErrorText } from '../errors.js';
import { count, numberText, pluralForm } from '../text/plural.js';
import {
  CHAT_LIMIT_SETTING,
  MAX_DATAGRAM,
  MAX_TEXT_BYTES,
  PLAIN_JOIN_TEXT,
  PLAIN_LEAVE_TEXT as PLAIN_LEFT_TEXT,
  TCP_LIMIT_SETTING,
} from '../limits.js';
import { ownEvents } from './own-events.js';

import type { Lang } from '../text/lang.js';
import { type EventSpec, spec } from './spec.js';
export { type EventSpec, type Level } from './spec.js';
// Declared in text/lang.ts; re-exported while report/course.ts and report/texts.ts still import it
// from here. New code imports text/lang.ts.
export { LANGS, type Lang } from '../text/lang.js';

/**
 * Log schema version, written as `schema` on every line so the report can tell old logs apart.
 * 2: `tcp.connection.closed`'s `bytesOut`/`portionsOut` count what the kernel accepted (in 1 they
 * were copies of `bytesIn`/`portionsIn`), with `bytesDiscarded` and `reset` beside them.
 */
export const LOG_SCHEMA = 2;

/**
 * The oldest schema the report still reads, and the schema from which each field is required (a line
 * of an older schema may lack it). `text` and `params` (an error's catalogue entry, src/errors.ts)
 * are never required: an error that has no entry (a system error) and older lines carry only
 * `code` and `message`.
 */
export const OLDEST_SCHEMA = 1;
export const FIELDS_SINCE: Readonly<Record<string, number>> = {
  bytesDiscarded: 2,
  reset: 2,
  text: Infinity,
  params: Infinity,
};
/**
 * Fields of an event's example that some of its lines leave out: the plain chat protocol never
 * says how many members there are, so its `chat.joined` has no `members`.
 */
export const OPTIONAL_FIELDS: Readonly<Partial<Record<string, readonly string[]>>> = {
  'chat.joined': ['members'],
};

const bytesEn = (n: number) => count('en', n, 'byte');
const bytesRu = (n: number) => count('ru', n, 'byte');

/** The server's configuration as `server.starting` logs it (the CLI adds its other options). */
export interface ServerConfigFields {
  host: string;
  tcpPort: number;
  udpPort: number;
  chunkSize: number;
}
const sumCounts = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ') || '-';

export const catalogue = {
  // ---- server lifecycle -------------------------------------------------------------------
  'server.starting': spec(
    'info',
    // `serving` as in server.stopping: absent when both parts run (a log written before the field
    // existed has it added by the report's reader from the program's server.replaced lines).
    {
      version: '1.0.0',
      config: { host: '0.0.0.0', tcpPort: 7007, udpPort: 7008, chunkSize: 1024 } as ServerConfigFields,
    } as { version: string; config: ServerConfigFields; serving?: 'tcp' | 'udp' | 'none' },
    (f) =>
      f.serving === 'none'
        ? `socket-lab ${f.version} is starting without servers of its own: TCP port ${f.config.tcpPort} is left to the student's own echo server, UDP port ${f.config.udpPort} to the student's own chat server`
        : f.serving === 'udp'
          ? `socket-lab ${f.version} is starting: UDP chat on port ${f.config.udpPort}, bound to ${f.config.host}; TCP port ${f.config.tcpPort} is left to the student's own echo server`
          : `socket-lab ${f.version} is starting: TCP echo on port ${f.config.tcpPort}, ${f.serving === 'tcp' ? '' : `UDP chat on port ${f.config.udpPort}, `}bound to ${f.config.host}; each read() asks the kernel for up to 64 KiB, handled in echo portions of at most ${bytesEn(f.config.chunkSize)}${f.serving === 'tcp' ? `; UDP port ${f.config.udpPort} is left to the student's own chat server` : ''}`,
    (f) =>
      f.serving === 'none'
        ? `socket-lab ${f.version} запускается без своих серверов: TCP-порт ${f.config.tcpPort} оставлен собственному эхо-серверу студента, UDP-порт ${f.config.udpPort} — его собственному чат-серверу`
        : f.serving === 'udp'
          ? `socket-lab ${f.version} запускается: UDP-чат на порту ${f.config.udpPort}, адрес привязки ${f.config.host}; TCP-порт ${f.config.tcpPort} оставлен собственному эхо-серверу студента`
          : `socket-lab ${f.version} запускается: TCP-эхо на порту ${f.config.tcpPort}, ${f.serving === 'tcp' ? '' : `UDP-чат на порту ${f.config.udpPort}, `}адрес привязки ${f.config.host}; каждый read() запрашивает у ядра до 64 КиБ, полученное обрабатывается порциями эха не больше ${count('ru', f.config.chunkSize, 'byte', 'gen')}${f.serving === 'tcp' ? `; UDP-порт ${f.config.udpPort} оставлен собственному чат-серверу студента` : ''}`,
  ),
  'server.listening': spec(
    'info',
    { protocol: 'tcp' as 'tcp' | 'udp', address: '0.0.0.0', port: 7007 },
    (f) =>
      f.protocol === 'tcp'
        ? `TCP socket bound to ${f.address}:${f.port} and listening: the kernel completes handshakes and queues connections for accept()`
        : `UDP socket bound to ${f.address}:${f.port}: this one socket receives every peer's datagrams (UDP has no listen() or accept())`,
    (f) =>
      f.protocol === 'tcp'
        ? `TCP-сокет привязан (bind) к ${f.address}:${f.port} и слушает (listen): ядро само завершает рукопожатия и копит соединения для accept()`
        : `UDP-сокет привязан (bind) к ${f.address}:${f.port}: этот один сокет принимает дейтаграммы всех собеседников (у UDP нет listen() и accept())`,
  ),
  'server.replaced': spec(
    'info',
    { protocol: 'tcp' as 'tcp' | 'udp', port: 7007, setting: 'LAB_OWN_ECHO_SERVER' },
    (f) =>
      f.protocol === 'tcp'
        ? `The lab's TCP echo server is not started: the student's own echo server (${f.setting}) listens on port ${f.port} of this machine in its place`
        : `The lab's UDP chat server is not started: the student's own chat server (${f.setting}) uses port ${f.port} of this machine in its place`,
    (f) =>
      f.protocol === 'tcp'
        ? `TCP-эхо-сервер стенда не запущен: вместо него порт ${f.port} этой машины слушает собственный эхо-сервер студента (${f.setting})`
        : `UDP-чат-сервер стенда не запущен: вместо него порт ${f.port} этой машины занимает собственный чат-сервер студента (${f.setting})`,
  ),
  'server.error': spec(
    'error',
    {
      code: 'LAB_ERR_ADDR_IN_USE',
      message:
        'cannot listen on 0.0.0.0:7007 (TCP): the port is already in use by another program (stop it, or choose another port)',
      text: 'socket-in-use',
      params: { op: { op: 'listen-tcp', at: '0.0.0.0:7007' } },
    } as ErrorFields,
    (f) => `The server cannot continue: ${localizeErrorText(f, 'en')}`,
    (f) => `Сервер не может продолжать работу: ${localizeErrorText(f, 'ru')}`,
  ),
  'server.stopping': spec(
    'info',
    // `serving` stays out of the example (the reader requires every example field): absent means
    // both parts ran; 'tcp', 'udp' or 'none' when a student's own server replaced the others.
    { signal: 'SIGTERM', openConnections: 2, members: 1 } as {
      signal: string;
      openConnections: number;
      members: number;
      serving?: 'tcp' | 'udp' | 'none';
    },
    (f) =>
      f.serving === 'none'
        ? `Received ${f.signal}: stopping. Both parts were left to the student's own servers: this process has no socket to close`
        : f.serving === 'udp'
          ? `Received ${f.signal}: stopping. The chat socket is closed; ${count('en', f.members, 'member')} of the chat get a SHUTDOWN datagram (the TCP echo was left to the student's own server)`
          : f.serving === 'tcp'
            ? `Received ${f.signal}: stopping. The listening socket is closed; ${count('en', f.openConnections, 'connection')} get a FIN (the UDP chat was left to the student's own server)`
            : `Received ${f.signal}: stopping. The listening socket is closed; ${count('en', f.openConnections, 'connection')} get a FIN, ${count('en', f.members, 'member')} of the chat a SHUTDOWN datagram`,
    (f) =>
      f.serving === 'none'
        ? `Получен сигнал ${f.signal}: остановка. Обе части отданы собственным серверам студента: этому процессу закрывать нечего`
        : f.serving === 'udp'
          ? `Получен сигнал ${f.signal}: остановка. Сокет чата закрыт; участники чата (${f.members}) получат дейтаграмму SHUTDOWN (TCP-эхо отдано собственному серверу студента)`
          : f.serving === 'tcp'
            ? `Получен сигнал ${f.signal}: остановка. Слушающий сокет закрыт; открытые TCP-соединения (${f.openConnections}) получат FIN (UDP-чат отдан собственному серверу студента)`
            : `Получен сигнал ${f.signal}: остановка. Слушающий сокет закрыт; открытые TCP-соединения (${f.openConnections}) получат FIN, участники чата (${f.members}) — дейтаграмму SHUTDOWN`,
  ),
  'server.stopped': spec(
    'info',
    { signal: 'SIGTERM', openConnections: 0, members: 0, durationMs: 12 },
    (f) => `Server stopped after ${f.signal}: all its sockets are closed (${f.durationMs} ms to shut down)`,
    (f) =>
      `Сервер остановлен по сигналу ${f.signal}: все его сокеты закрыты (остановка заняла ${f.durationMs} мс)`,
  ),

  // ---- TCP echo server ---------------------------------------------------------------------
  'tcp.connection.accepted': spec(
    'info',
    { connId: 1, remote: '10.77.0.21:40122', local: '10.77.0.10:7007', open: 1 },
    (f) =>
      `accept() returned a new socket just for client #${f.connId} (${f.remote}); the listening socket keeps listening (open: ${f.open})`,
    (f) =>
      `accept() вернул новый сокет только для клиента №${f.connId} (${f.remote}); слушающий сокет продолжает слушать (открыто: ${f.open})`,
  ),
  'tcp.connection.rejected': spec(
    'warn',
    { remote: '10.77.0.21:40123', reason: 'max-connections' as TcpRejectReason, open: 100, max: 100 },
    (f) =>
      f.reason === 'server-stopping'
        ? `Accepted a connection from ${f.remote} and closed it at once: the server is stopping (the kernel had already completed its handshake)`
        : f.reason === 'max-per-address'
          ? `Accepted a connection from ${f.remote} and closed it at once: its address already holds ${f.open} of the ${f.max} connections one address may have (the kernel had already completed its handshake); ${TCP_LIMIT_SETTING[f.reason]} (or --class-size) raises the limit, and the client was told so in one line`
          : `Accepted a connection from ${f.remote} and closed it at once: ${f.open} of ${f.max} connection slots are in use (the kernel had already completed its handshake); ${TCP_LIMIT_SETTING[f.reason]} raises the limit, and the client was told so in one line`,
    (f) =>
      f.reason === 'server-stopping'
        ? `Соединение с ${f.remote} принято и сразу закрыто: сервер останавливается (рукопожатие ядро уже завершило)`
        : f.reason === 'max-per-address'
          ? `Соединение с ${f.remote} принято и сразу закрыто: с этого адреса уже открыто ${f.open} из ${count('ru', f.max, 'connection', 'gen')}, разрешённых одному адресу (рукопожатие ядро уже завершило); предел поднимает ${TCP_LIMIT_SETTING[f.reason]} (или --class-size), клиенту это сказано одной строкой`
          : `Соединение с ${f.remote} принято и сразу закрыто: заняты все места для соединений (${f.open} из ${f.max}; рукопожатие ядро уже завершило); предел поднимает ${TCP_LIMIT_SETTING[f.reason]}, клиенту это сказано одной строкой`,
  ),
  'tcp.data.received': spec(
    'info',
    { connId: 1, bytes: 6, portion: 1, preview: 'hello\\n' },
    (f) =>
      `Portion #${f.portion} from client #${f.connId}: ${bytesEn(f.bytes)}. Each read() asks the kernel for up to 64 KiB (Node's read buffer, not settable for a server's connections) and the server handles what it got in portions of at most 1024 bytes (--chunk-size); portions are not TCP segments`,
    (f) =>
      `Порция №${f.portion} от клиента №${f.connId}: ${bytesRu(f.bytes)}. Каждый read() запрашивает у ядра до 64 КиБ (буфер чтения Node, для соединений сервера он не настраивается), и сервер обрабатывает полученное порциями не больше 1024 байт (--chunk-size); порции — не TCP-сегменты`,
  ),
  'tcp.data.sent': spec(
    'info',
    { connId: 1, bytes: 6, portion: 1 },
    (f) =>
      `Echo of portion #${f.portion} (${bytesEn(f.bytes)}) to client #${f.connId}: right after its read's portions are logged, the whole read is handed to the socket in one write() (this line is written before that call), and TCP sends it in order`,
    (f) =>
      `Эхо порции №${f.portion} (${bytesRu(f.bytes)}) клиенту №${f.connId}: сразу после того, как порции этого чтения записаны в журнал, всё прочитанное передаётся в сокет одним write() (эта строка пишется до вызова), и TCP отправит его по порядку`,
  ),
  'tcp.data.summary': spec(
    'info',
    { connId: 1, portionsIn: 5000, bytesIn: 5120000, windowMs: 1000 },
    (f) =>
      `Client #${f.connId} is sending fast: in the last ${f.windowMs} ms, ${count('en', f.portionsIn, 'portion')} (${bytesEn(f.bytesIn)}) arrived and were handed back to its socket without a line each; these counts are exact`,
    (f) =>
      `Клиент №${f.connId} отправляет быстро: за последние ${f.windowMs} мс пришло ${count('ru', f.portionsIn, 'portion')} (${bytesRu(f.bytesIn)}), все переданы обратно в его сокет — без отдельной строки на каждую; счётчики точные`,
  ),
  'tcp.backpressure': spec(
    'debug',
    { connId: 1, state: 'paused' as 'paused' | 'resumed', buffered: 65536 },
    (f) =>
      f.state === 'paused'
        ? `Client #${f.connId} is not reading fast enough: the kernel's send buffer is full and ${bytesEn(f.buffered)} wait in Node's own write queue, so the server stops reading from this socket until that queue drains (TCP flow control then slows the client down)`
        : `Node's write queue for client #${f.connId} has drained into the kernel: the server reads from this socket again`,
    (f) =>
      f.state === 'paused'
        ? `Клиент №${f.connId} не успевает читать эхо: буфер отправки в ядре заполнен, и ещё ${bytesRu(f.buffered)} ${pluralForm('ru', f.buffered, { one: 'ждёт', other: 'ждут' })} в собственной очереди записи Node, поэтому сервер приостанавливает чтение из этого сокета, пока очередь не опустеет (затем управление потоком TCP притормозит клиента)`
        : `Очередь записи Node для клиента №${f.connId} ушла в ядро: сервер снова читает из этого сокета`,
  ),
  'tcp.peer.ended': spec(
    'info',
    { connId: 1 },
    (f) =>
      `Client #${f.connId} sent FIN (a read returned end of stream): the server sends the rest of the echo, then its own FIN`,
    (f) =>
      `Клиент №${f.connId} прислал FIN (чтение вернуло конец потока): сервер отправит остаток эха, затем свой FIN`,
  ),
  'tcp.connection.error': spec(
    'warn',
    { connId: 1, code: 'ECONNRESET', message: 'read ECONNRESET' },
    (f) =>
      f.code === 'ECONNRESET'
        ? `Socket error on client #${f.connId}: ECONNRESET, the client reset the connection (RST); it cannot be used any more`
        : `Socket error on client #${f.connId}: ${f.code}; the connection cannot be used any more`,
    (f) =>
      f.code === 'ECONNRESET'
        ? `Ошибка сокета клиента №${f.connId}: ECONNRESET, клиент сбросил соединение (RST); пользоваться им больше нельзя`
        : `Ошибка сокета клиента №${f.connId}: ${f.code}; пользоваться соединением больше нельзя`,
  ),
  'tcp.connection.closed': spec(
    'info',
    {
      connId: 1,
      remote: '10.77.0.21:40122',
      reason: 'peer-closed' as CloseReason,
      bytesIn: 6,
      bytesOut: 6,
      bytesDiscarded: 0,
      reset: false,
      portionsIn: 1,
      portionsOut: 1,
      durationMs: 2034,
      open: 0,
    },
    (f) =>
      `Connection of client #${f.connId} (${f.remote}) closed: ${closeReasonText.en[f.reason] ?? f.reason}; received ${bytesEn(f.bytesIn)}, the kernel took ${bytesEn(f.bytesOut)} of the echo${f.bytesDiscarded > 0 ? `, ${bytesEn(f.bytesDiscarded)} still queued were discarded` : ''}${f.reset ? ' (reset: what the kernel had not delivered is lost too)' : ''}; the connection lasted ${f.durationMs} ms`,
    (f) =>
      `Соединение клиента №${f.connId} (${f.remote}) закрыто: ${closeReasonText.ru[f.reason] ?? f.reason}; получено ${bytesRu(f.bytesIn)}, ядро приняло ${bytesRu(f.bytesOut)} эха${f.bytesDiscarded > 0 ? `, ${bytesRu(f.bytesDiscarded)} из очереди отброшено` : ''}${f.reset ? ' (сброс RST: недоставленное ядром тоже потеряно)' : ''}; соединение длилось ${numberText('ru', f.durationMs)} мс`,
  ),
  'tcp.connection.summary': spec(
    'info',
    {
      accepted: 120,
      closed: 118,
      rejected: { 'max-connections': 3 } as Record<string, number>,
      windowMs: 1000,
    },
    (f) =>
      `Connections are coming fast: in the last ${f.windowMs} ms, ${f.accepted} more were accepted, ${f.closed} closed and ${sumCounts(f.rejected)} refused (${countsText(f.rejected)}) without a line each; these counts are exact`,
    (f) =>
      `Много соединений подряд: за последние ${f.windowMs} мс ещё принято: ${f.accepted}, закрыто: ${f.closed}, отклонено: ${sumCounts(f.rejected)} (${countsText(f.rejected)}) — без отдельной строки на каждое; счётчики точные`,
  ),

  // ---- UDP chat server ---------------------------------------------------------------------
  'udp.cookie.sent': spec(
    'info',
    { remote: '10.88.0.31:51000', nick: 'alice', bytes: 30 },
    (f) =>
      `HELLO from ${f.remote} for the nickname ${f.nick}: sent a cookie (${bytesEn(f.bytes)}, no more than the HELLO); only a peer that receives there can return it`,
    (f) =>
      `HELLO от ${f.remote} с ником ${f.nick}: отправлен маркер подтверждения COOKIE (${bytesRu(f.bytes)}, не больше HELLO); вернуть его может только тот, кто получает на этом адресе`,
  ),
  'udp.member.joined': spec(
    'info',
    { member: 'alice', remote: '10.88.0.31:51000', members: 2 } as {
      member: string;
      remote: string;
      members: number;
      /** Set in plain mode (`--protocol plain`): the member joined by sending any datagram. */
      protocol?: 'plain';
    },
    (f) =>
      f.protocol === 'plain'
        ? `${f.member}'s first datagram came from ${f.remote}: the server remembers that address and sends it every other member's datagrams from now on, although nothing proves that it receives there (plain protocol: a source address can be forged); ${count('en', f.members, 'member')} now`
        : `${f.member} joined from ${f.remote}: the cookie came back, so that address really receives; ${count('en', f.members, 'member')} now`,
    (f) =>
      f.protocol === 'plain'
        ? `Первая дейтаграмма участника ${f.member} пришла с адреса ${f.remote}: сервер запомнил этот адрес и отныне шлёт на него дейтаграммы всех остальных участников, хотя ничто не доказывает, что там их принимают (простой протокол: адрес отправителя можно подделать); в чате ${count('ru', f.members, 'member')}`
        : `Участник ${f.member} вошёл с адреса ${f.remote}: маркер подтверждения вернулся, значит по этому адресу действительно получают дейтаграммы; в чате ${count('ru', f.members, 'member')}`,
  ),
  'udp.member.left': spec(
    'info',
    { member: 'alice', remote: '10.88.0.31:51000', reason: 'leave' as LeaveReason, members: 1 },
    (f) =>
      `${f.member} (${f.remote}) left the chat: ${leaveReasonText.en[f.reason] ?? f.reason}; ${count('en', f.members, 'member')} now`,
    (f) =>
      `Участник ${f.member} (${f.remote}) покинул чат: ${leaveReasonText.ru[f.reason] ?? f.reason}; теперь в чате ${count('ru', f.members, 'member')}`,
  ),
  'udp.message.relayed': spec(
    'info',
    { member: 'alice', remote: '10.88.0.31:51000', bytes: 12, recipients: 1, preview: 'hi all' },
    (f) =>
      `One datagram from ${f.member} (${bytesEn(f.bytes)} of text) sent on: ${count('en', f.recipients, { one: 'copy', other: 'copies' })}, one to each other member (a broadcast does not cross a router, and multicast needs multicast routing)`,
    (f) =>
      `Дейтаграмма от ${f.member} (текст: ${bytesRu(f.bytes)}): ${pluralForm('ru', f.recipients, { one: 'отправлена', few: 'отправлены', many: 'отправлено', other: 'отправлено' })} ${count('ru', f.recipients, { one: 'копия', few: 'копии', many: 'копий', other: 'копии' })}, по одной каждому из остальных участников (широковещательная рассылка не проходит через маршрутизатор, а групповой нужна поддержка групповой маршрутизации)`,
  ),
  'udp.relay.summary': spec(
    'info',
    { messages: 2000, datagrams: 98000, bytes: 1200000, windowMs: 1000 },
    (f) =>
      `Busy chat: in the last ${f.windowMs} ms, ${count('en', f.messages, 'message')} went on as ${count('en', f.datagrams, 'datagram')} without a line each; these counts are exact`,
    (f) =>
      `Оживлённый чат: за последние ${f.windowMs} мс ${count('ru', f.messages, 'message')} разослано как ${count('ru', f.datagrams, 'datagram')} — без отдельной строки на каждое; счётчики точные`,
  ),
  'udp.handshake.summary': spec(
    'info',
    { cookies: 400, windowMs: 1000 },
    (f) =>
      `Many joiners: in the last ${f.windowMs} ms, ${count('en', f.cookies, 'cookie')} more went out without a line each (a HELLO costs nothing to forge, so its lines are budgeted too); the count is exact`,
    (f) =>
      `Много желающих войти: за последние ${f.windowMs} мс отправлено ещё маркеров подтверждения: ${f.cookies} — без отдельной строки на каждый (HELLO ничего не стоит подделать, поэтому и эти строки ограничены); счётчик точный`,
  ),
  'udp.datagram.rejected': spec(
    'warn',
    { remote: '10.88.0.31:51000', bytes: 1400, reason: 'too-large' as RejectReason },
    (f) =>
      `Dropped a ${f.bytes}-byte datagram from ${f.remote}: ${rejectReasonText.en[f.reason] ?? f.reason}`,
    (f) =>
      `Отброшена дейтаграмма (${bytesRu(f.bytes)}) от ${f.remote}: ${rejectReasonText.ru[f.reason] ?? f.reason}`,
  ),
  'udp.drop.summary': spec(
    'warn',
    { windowMs: 1000, dropped: 250, reasons: { 'rate-limited': 250 } as Record<string, number> },
    (f) =>
      `In the last ${f.windowMs} ms, ${count('en', f.dropped, 'datagram')} more were dropped without a line each (counts by reason are exact)`,
    (f) =>
      `За последние ${f.windowMs} мс отброшено ещё ${count('ru', f.dropped, 'datagram')} — без отдельной строки на каждую (счётчики по причинам точные)`,
  ),

  // ---- TCP echo client ---------------------------------------------------------------------
  'client.connected': spec(
    'info',
    { remote: '10.77.0.10:7007', local: '10.77.0.21:40122' },
    (f) =>
      `connect() done: three-way handshake with ${f.remote} complete; the kernel chose the local address ${f.local}`,
    (f) =>
      `connect() выполнен: тройное рукопожатие с ${f.remote} завершено; локальный адрес ${f.local} выбрало ядро`,
  ),
  'client.data.sent': spec(
    'info',
    { bytes: 6, portion: 1 },
    (f) =>
      `Portion #${f.portion} to the server: handing ${bytesEn(f.bytes)} to the socket (one write() of at most 1024 bytes, --chunk-size)`,
    (f) =>
      `Порция №${f.portion} серверу: ${bytesRu(f.bytes)} ${pluralForm('ru', f.bytes, { one: 'передаётся', other: 'передаются' })} в сокет (один write() не больше 1024 байт, --chunk-size)`,
  ),
  'client.data.received': spec(
    'info',
    { bytes: 6, preview: 'hello\\n' },
    (f) =>
      `Read ${bytesEn(f.bytes)} from the server (a read returns whatever has arrived so far, but no more than the read buffer holds)`,
    (f) =>
      `От сервера прочитано ${bytesRu(f.bytes)} (чтение возвращает всё, что уже пришло, но не больше размера буфера чтения)`,
  ),
  'client.disconnected': spec(
    'info',
    { reason: 'user-exit' as ClientCloseReason, bytesSent: 6, bytesReceived: 6 },
    (f) =>
      `Disconnected from the server: ${clientCloseText.en[f.reason] ?? f.reason}${f.reason === 'signal' && f.bytesReceived < f.bytesSent ? ' without waiting for the rest of the echo' : ''}. It handed ${bytesEn(f.bytesSent)} to its socket and read ${bytesEn(f.bytesReceived)} back`,
    (f) =>
      `Соединение с сервером закрыто: ${clientCloseText.ru[f.reason] ?? f.reason}${f.reason === 'signal' && f.bytesReceived < f.bytesSent ? ', не дожидаясь остатка эха' : ''}. Клиент передал в сокет ${bytesRu(f.bytesSent)} и прочитал обратно ${bytesRu(f.bytesReceived)}`,
  ),
  'client.refused': spec(
    'warn',
    {
      remote: '10.77.0.10:7007',
      reason: 'max-per-address' as TcpRefusalReason,
      open: 64,
      max: 64,
      line: 'SOCKET-LAB-REFUSED max-per-address 64/64: this address already holds 64 of the 64 connections',
    },
    (f) =>
      f.reason === 'other'
        ? `The server ${f.remote} refused the connection with one line of a form this client does not know (see the line field), then closed it`
        : `The server ${f.remote} accepted the connection, then refused it with one line and closed it: ${REFUSAL_WHY[f.reason].en(f)}`,
    (f) =>
      f.reason === 'other'
        ? `Сервер ${f.remote} отказал в соединении строкой незнакомого этому клиенту вида (см. поле line) и закрыл его`
        : `Сервер ${f.remote} принял соединение, но отказал одной строкой и закрыл его: ${REFUSAL_WHY[f.reason].ru(f)}`,
  ),
  'client.error': spec(
    'error',
    {
      code: 'LAB_ERR_CONNECT_REFUSED',
      message:
        'cannot connect to 127.0.0.1:7007: connection refused (no socket listens on that address and port, or a firewall rejected the connection; is the server running and bound to an address this machine can reach?)',
      text: 'socket-refused',
      params: { op: { op: 'connect', at: '127.0.0.1:7007' } },
    } as ErrorFields,
    (f) => `Client error: ${localizeErrorText(f, 'en')}`,
    (f) => `Ошибка клиента: ${localizeErrorText(f, 'ru')}`,
  ),

  // ---- UDP chat client ---------------------------------------------------------------------
  'chat.joined': spec(
    'info',
    { nick: 'alice', server: '10.77.0.10:7008', local: '10.88.0.31:51000', members: 2 } as {
      nick: string;
      server: string;
      local: string;
      /** Absent in plain mode: the plain protocol never says how many members there are. */
      members?: number;
      protocol?: 'plain';
    },
    (f) =>
      f.protocol === 'plain'
        ? `Plain chat at ${f.server} as ${f.nick} from ${f.local}: the first datagram ("${f.nick}: ${PLAIN_JOIN_TEXT}") is in the send buffer; the server learns our address from it, and nothing tells us whether it arrived (the plain protocol has no answer)`
        : `Joined the chat at ${f.server} as ${f.nick} from ${f.local}: cookie received and returned, the server relays our messages (${count('en', f.members ?? 0, 'member')})`,
    (f) =>
      f.protocol === 'plain'
        ? `Простой чат ${f.server}, ник ${f.nick}, адрес ${f.local}: первая дейтаграмма («${f.nick}: ${PLAIN_JOIN_TEXT}») помещена в буфер отправки; по ней сервер узнаёт наш адрес, а дошла ли она, нам никто не скажет (в простом протоколе нет ответов)`
        : `Вход в чат ${f.server} под ником ${f.nick} с адреса ${f.local}: маркер подтверждения получен и возвращён, сервер пересылает наши сообщения (в чате ${count('ru', f.members ?? 0, 'member')})`,
  ),
  'chat.message.sent': spec(
    'info',
    { nick: 'alice', bytes: 6 },
    (f) =>
      `Sent one datagram with ${bytesEn(f.bytes)} of text: it arrives whole or not at all; UDP neither confirms nor resends`,
    (f) =>
      `Отправлена одна дейтаграмма (текст: ${bytesRu(f.bytes)}): дойдёт целиком или не дойдёт; UDP не подтверждает и не повторяет`,
  ),
  'chat.message.received': spec(
    'info',
    { nick: 'bob', bytes: 8 },
    (f) => `Received a datagram relayed by the server: ${bytesEn(f.bytes)} of text from ${f.nick}`,
    (f) => `Получена дейтаграмма, пересланная сервером: сообщение от ${f.nick} (${bytesRu(f.bytes)})`,
  ),
  'chat.member.joined': spec(
    'info',
    { nick: 'bob' },
    (f) => `The server announced that ${f.nick} joined`,
    (f) => `Сервер сообщил: в чат вошёл участник ${f.nick}`,
  ),
  'chat.member.left': spec(
    'info',
    { nick: 'bob', reason: 'timeout' as LeaveReason },
    (f) => `The server announced that ${f.nick} left: ${leaveReasonText.en[f.reason] ?? f.reason}`,
    (f) => `Сервер сообщил, что участник ${f.nick} вышел: ${leaveReasonText.ru[f.reason] ?? f.reason}`,
  ),
  'chat.server.lost': spec(
    'warn',
    { server: '10.77.0.10:7008', reason: 'no-answer' as LostReason },
    (f) =>
      `Lost the chat server ${f.server}: ${lostReasonText.en[f.reason] ?? f.reason}; trying to join again`,
    (f) =>
      `Потеряна связь с чат-сервером ${f.server}: ${lostReasonText.ru[f.reason] ?? f.reason}; пробуем войти снова`,
  ),
  'chat.left': spec(
    'info',
    { nick: 'alice', reason: 'user-exit' as ClientCloseReason } as {
      nick: string;
      reason: ClientCloseReason;
      protocol?: 'plain';
    },
    (f) =>
      f.protocol === 'plain'
        ? `Left the plain chat as ${f.nick}: ${chatLeaveText.en[f.reason] ?? f.reason}; the goodbye line ("${f.nick}: ${PLAIN_LEFT_TEXT}") went to the send buffer, then the UDP socket closes`
        : `Left the chat as ${f.nick}: ${chatLeaveText.en[f.reason] ?? f.reason}; LEAVE sent if still a member, then the UDP socket closes`,
    (f) =>
      f.protocol === 'plain'
        ? `Выход из простого чата (ник ${f.nick}): ${chatLeaveText.ru[f.reason] ?? f.reason}; прощальная строка («${f.nick}: ${PLAIN_LEFT_TEXT}») помещена в буфер отправки, затем UDP-сокет закрывается`
        : `Выход из чата (ник ${f.nick}): ${chatLeaveText.ru[f.reason] ?? f.reason}; LEAVE отправлен, если клиент ещё был участником, затем UDP-сокет закрывается`,
  ),
  'chat.plain.unreachable': spec(
    'warn',
    { server: '10.77.0.10:7008' },
    (f) =>
      `One of our datagrams to ${f.server} came back refused (ICMP "port unreachable", ECONNREFUSED on the connected UDP socket): no UDP socket is bound to that port on that host now, or a firewall on the way rejects the datagrams; what we send meanwhile is lost (the plain protocol has no other sign of a missing server)`,
    (f) =>
      `На одну из наших дейтаграмм, отправленных на ${f.server}, пришло ICMP-сообщение «port unreachable» (порт недоступен; подключённый UDP-сокет сообщает об этом ошибкой «ECONNREFUSED»): на этом хосте к этому порту сейчас не привязан ни один UDP-сокет, или дейтаграммы отклоняет межсетевой экран на пути; всё отправленное тем временем теряется (других признаков отсутствия сервера в простом протоколе нет)`,
  ),

  // ---- the program's own log ---------------------------------------------------------------
  'log.lines.dropped': spec(
    'warn',
    { stream: 'stdout' as 'stdout' | 'stderr', lines: 1200, bytes: 380000, windowMs: 28000, file: true },
    (f) =>
      `The reader of ${f.stream} fell behind: for ${f.windowMs} ms, ${count('en', f.lines, 'line')} of the log (${bytesEn(f.bytes)}) were not shown there, so that serving never waits for it${f.file ? '; the JSON log file has every one of them' : ''}`,
    (f) =>
      `Вывод ${f.stream} не успевал за сервером: за ${f.windowMs} мс туда не выведено строк журнала: ${f.lines} (${bytesRu(f.bytes)}), чтобы обслуживание клиентов его не ждало${f.file ? '; в JSON-файле журнала есть все эти строки' : ''}`,
  ),
  'log.file.failed': spec(
    'error',
    { file: '/logs/lab-server.jsonl', code: 'ENOSPC', message: 'no space left on device' },
    (f) =>
      `Cannot write the log file ${f.file}: ${f.code} (${f.message}). The servers keep serving; lost lines are counted and reported once the file can be written again`,
    (f) =>
      `Не удаётся писать в файл журнала ${f.file}: ${f.code} (${f.message}). Серверы продолжают работу; потерянные строки подсчитываются, их число будет записано, когда запись снова станет возможной`,
  ),
  'log.file.recovered': spec(
    'warn',
    { file: '/logs/lab-server.jsonl', lines: 35, bytes: 14000, windowMs: 5200 },
    (f) =>
      `The log file ${f.file} can be written again: ${count('en', f.lines, 'line')} (${bytesEn(f.bytes)}) of the last ${f.windowMs} ms are missing from it`,
    (f) =>
      `В файл журнала ${f.file} снова можно писать: за последние ${f.windowMs} мс в нём не хватает строк: ${f.lines} (${bytesRu(f.bytes)})`,
  ),
  'client.data.summary': spec(
    'info',
    { sent: 900, bytesSent: 921600, received: 850, bytesReceived: 870400, windowMs: 1000 },
    (f) =>
      `Busy connection: in the last ${f.windowMs} ms, ${f.sent} more writes (${bytesEn(f.bytesSent)}) and ${f.received} more reads (${bytesEn(f.bytesReceived)}) without a line each; these counts are exact`,
    (f) =>
      `Оживлённое соединение: за последние ${f.windowMs} мс ещё записей: ${f.sent} (${bytesRu(f.bytesSent)}) и чтений: ${f.received} (${bytesRu(f.bytesReceived)}) — без отдельной строки на каждое; счётчики точные`,
  ),

  // ---- the lab's router between the wan and the vm networks (socket-lab router) --------------
  'router.rule.applied': spec(
    'info',
    {
      purpose: 'dnat' as 'dnat' | 'masquerade' | 'loss' | 'delay',
      command:
        'iptables -t nat -A PREROUTING -i eth1 -d 198.18.8.10 -p tcp --dport 7007 -j DNAT --to-destination 198.18.7.10:7007',
    },
    (f) => `Rule applied: ${f.command}. ${routerPurposeText.en[f.purpose]}`,
    (f) => `Правило применено: ${f.command}. ${routerPurposeText.ru[f.purpose]}`,
  ),
  'router.ready': spec(
    'info',
    {
      wan: '198.18.8.10',
      wanInterface: 'eth1',
      vm: '198.18.7.2',
      vmInterface: 'eth0',
      server: '198.18.7.10',
      tcpPort: 7007,
      udpPort: 7008,
      lossPercent: 0,
      delayMs: 0,
    },
    (f) =>
      `Router ready: TCP ${f.wan}:${f.tcpPort} and UDP ${f.wan}:${f.udpPort} (${f.wanInterface}, wan) lead to the server ${f.server} (${f.vmInterface}, vm). The kernel rewrites each packet's destination to the server (DNAT) and its source to this router's vm address ${f.vm} (MASQUERADE), so the server sees ${f.vm}, not the remote client; connection tracking (conntrack) remembers each rewrite and undoes it on the replies. The router ends no connection: each TCP connection stays one connection, with one handshake, from the remote client to the server. Loss ${f.lossPercent} %, delay ${f.delayMs} ms each way`,
    (f) =>
      `Маршрутизатор готов: TCP ${f.wan}:${f.tcpPort} и UDP ${f.wan}:${f.udpPort} (${f.wanInterface}, сеть wan) ведут к серверу ${f.server} (${f.vmInterface}, сеть vm). Ядро заменяет в каждом пакете адрес назначения на адрес сервера (DNAT), а адрес отправителя — на адрес маршрутизатора в сети vm ${f.vm} (MASQUERADE), поэтому сервер видит ${f.vm}, а не удалённого клиента; таблица отслеживания соединений (conntrack) помнит каждую замену и выполняет обратную в ответах. Маршрутизатор не завершает соединений: каждое TCP-соединение остаётся одним соединением, с одним рукопожатием, от удалённого клиента до сервера. Потери ${f.lossPercent} %, задержка ${f.delayMs} мс в каждую сторону`,
  ),
  'router.conntrack': spec(
    'info',
    { udpTimeoutS: 30, udpStreamTimeoutS: 120 },
    (f) =>
      `UDP through this router: conntrack keeps a mapping ${f.udpTimeoutS} s after its last datagram (nf_conntrack_udp_timeout), ${f.udpStreamTimeoutS} s once the flow has had answers and lasted more than 2 s (nf_conntrack_udp_timeout_stream). A chat client silent for longer loses its mapping: what the server sends it meanwhile is not forwarded, and its next datagram makes a new mapping`,
    (f) =>
      `UDP через этот маршрутизатор: conntrack хранит сопоставление ${f.udpTimeoutS} с после последней дейтаграммы (nf_conntrack_udp_timeout) и ${f.udpStreamTimeoutS} с, если в потоке уже были ответы и он длится больше 2 с (nf_conntrack_udp_timeout_stream). Клиент чата, молчащий дольше, теряет сопоставление: то, что сервер шлёт ему в это время, маршрутизатор не пересылает, а следующая дейтаграмма клиента создаёт новое сопоставление`,
  ),
  'router.delay.unavailable': spec(
    'warn',
    { delayMs: 50, interface: 'eth1', message: 'Error: Specified qdisc kind is unknown.' },
    (f) =>
      `LAB_WAN_DELAY=${f.delayMs} asks for a delay, but this kernel has no netem queueing discipline (the sch_netem module): tc said "${f.message}" for ${f.interface}. The link is NOT delayed; the rest of the router (and the loss, if set) works. A kernel with netem (most Linux distributions, Docker Desktop) delays it`,
    (f) =>
      `LAB_WAN_DELAY=${f.delayMs} просит задержку, но в этом ядре нет дисциплины очереди netem (модуль sch_netem): tc ответил «${f.message}» для ${f.interface}. Канал НЕ задерживается; остальное (и потери, если заданы) работает. В ядре с netem (большинство дистрибутивов Linux, Docker Desktop) задержка будет`,
  ),
  'router.stopped': spec(
    'info',
    { signal: 'SIGTERM' },
    (f) =>
      `Router stopping on ${f.signal}: its rules and conntrack entries live in the container's network namespace and go with it`,
    (f) =>
      `Маршрутизатор останавливается по сигналу ${f.signal}: его правила и записи conntrack живут в сетевом пространстве имён контейнера и исчезают вместе с ним`,
  ),
  // ---- a student's own programs (src/own/events.ts) ---------------------------------------
  ...ownEvents,
};

export type Catalogue = typeof catalogue;
export type EventName = keyof Catalogue;
export type EventFields<N extends EventName> = Catalogue[N]['example'];
export const EVENT_NAMES = Object.keys(catalogue) as EventName[];

/** What each kind of router rule does (the `purpose` field of `router.rule.applied`). */
const routerPurposeText: Record<Lang, Record<'dnat' | 'masquerade' | 'loss' | 'delay', string>> = {
  en: {
    dnat: 'A packet that arrives for this port of the router gets the server as its destination (DNAT) before the kernel routes it; conntrack records the rewrite and restores the router as the source of the replies',
    masquerade:
      "A forwarded packet leaving towards the server gets this router's vm address as its source (MASQUERADE), so the server's replies come back through the router",
    loss: 'Impaired link: each packet forwarded this way, TCP and UDP alike, is dropped at random with this probability (iptables statistic match). A lost datagram is gone; a lost TCP segment is sent again by its sender once it learns of the loss (duplicate ACKs or SACK: fast retransmit; a probe for a lost tail; or, last, its retransmission timeout)',
    delay: 'Each packet leaving this interface waits this long in the netem queue first',
  },
  ru: {
    dnat: 'Пакет, пришедший на этот порт маршрутизатора, получает сервер в качестве адреса назначения (DNAT) ещё до выбора маршрута; conntrack запоминает замену и в ответах возвращает маршрутизатор как отправителя',
    masquerade:
      'Пересылаемый к серверу пакет получает в качестве адреса отправителя адрес маршрутизатора в сети vm (MASQUERADE), поэтому ответы сервера возвращаются через маршрутизатор',
    loss: 'Канал с потерями: каждый пересылаемый в эту сторону пакет, TCP и UDP одинаково, отбрасывается случайно с этой вероятностью (модуль iptables statistic). Потерянная дейтаграмма пропадает; потерянный TCP-сегмент отправитель посылает снова, как только узнаёт о потере (по повторным ACK или SACK — быстрая повторная передача; по пробному сегменту в конце потока; в крайнем случае по тайм-ауту повторной передачи)',
    delay: 'Каждый пакет, выходящий через этот интерфейс, сначала ждёт столько в очереди netem',
  },
};

/** Why the server refused a new TCP connection: the `reason` field of `tcp.connection.rejected`. */
export type TcpRejectReason = 'max-connections' | 'max-per-address' | 'server-stopping';
/** `client.refused`: a reason our server sends, or `other` for a refusal line of an unknown form. */
export type TcpRefusalReason = TcpRejectReason | 'other';

/** Why the server closed a TCP connection: the `reason` field of `tcp.connection.closed`. */
export type CloseReason =
  'peer-closed' | 'peer-reset' | 'idle-timeout' | 'max-lifetime' | 'stalled' | 'server-stopping' | 'error';

export const closeReasonText: Record<Lang, Record<CloseReason, string>> = {
  en: {
    'peer-closed': 'the client sent FIN first, the server its own after the last echo',
    'peer-reset': 'the client reset the connection (RST) instead of closing it with FIN',
    'idle-timeout': 'the client sent nothing for too long (idle timeout)',
    'max-lifetime': 'the connection reached its maximum lifetime',
    stalled:
      "the client stopped reading its echo: the kernel's send buffer and Node's write queue stayed full too long (stall timeout)",
    'server-stopping': 'the server is stopping and closed it',
    error: 'a socket error',
  },
  ru: {
    'peer-closed': 'клиент первым прислал FIN, сервер свой — после последнего эха',
    'peer-reset': 'клиент сбросил соединение (RST), а не закрыл его через FIN',
    'idle-timeout': 'клиент слишком долго ничего не отправлял (тайм-аут простоя)',
    'max-lifetime': 'соединение достигло максимального времени жизни',
    stalled:
      'клиент перестал читать эхо: буфер отправки в ядре и очередь записи Node слишком долго оставались полными (тайм-аут зависания)',
    'server-stopping': 'сервер останавливается и закрыл его',
    error: 'ошибка сокета',
  },
};

/** Why a chat member left: the `reason` field of `udp.member.left` and `chat.member.left`. */
export type LeaveReason = 'leave' | 'timeout' | 'server-stopping' | 'silent' | 'goodbye';

export const leaveReasonText: Record<Lang, Record<LeaveReason, string>> = {
  en: {
    leave: 'it sent LEAVE',
    timeout: 'no PING arrived in time, so it is presumed gone (UDP never says when a peer disappears)',
    'server-stopping': 'the server is stopping',
    silent:
      "it sent nothing for the plain protocol's member timeout (plain clients send no PING), so it is presumed gone; nobody is told, the plain protocol has no message for it",
    goodbye: `it sent its goodbye line ("<nick>: ${PLAIN_LEFT_TEXT}", plain protocol)`,
  },
  ru: {
    leave: 'участник отправил LEAVE',
    timeout:
      'от участника вовремя не пришёл PING, поэтому он считается ушедшим (UDP не сообщает об исчезновении собеседника)',
    'server-stopping': 'сервер останавливается',
    silent:
      'участник ничего не присылал дольше тайм-аута простого протокола (простые клиенты не шлют PING), поэтому он считается ушедшим; никому об этом не сообщается, в простом протоколе нет такого сообщения',
    goodbye: `участник отправил прощальную строку («<ник>: ${PLAIN_LEFT_TEXT}», простой протокол)`,
  },
};

/** Why the server dropped a datagram: the `reason` field of `udp.datagram.rejected`. */
export type RejectReason =
  | 'too-large'
  | 'bad-source'
  | 'malformed'
  | 'bad-utf8'
  | 'hello-too-short'
  | 'bad-nick'
  | 'bad-cookie'
  | 'nick-taken'
  | 'room-full'
  | 'address-full'
  | 'not-a-member'
  | 'rate-limited'
  | 'relay-budget';

export const rejectReasonText: Record<Lang, Record<RejectReason, string>> = {
  en: {
    'too-large': `it is larger than the chat protocol allows (${MAX_DATAGRAM} bytes a datagram, ${MAX_TEXT_BYTES} bytes of text a message); the limit is the chat's own, a UDP datagram over IPv4 can carry up to 65,507 bytes`,
    'bad-source':
      'its source port is 0: RFC 768 allows that (it means the sender wants no reply), but nothing can be sent to port 0, and a chat member must receive what the others say',
    malformed: 'it is not a message of the chat protocol',
    'bad-utf8': 'its text is not valid UTF-8',
    'hello-too-short':
      'a HELLO must be padded to at least the size of the answer, so that the server never sends more than it received',
    'bad-nick': 'the nickname breaks the nickname rules',
    'bad-cookie':
      'the cookie is wrong or expired, so the sender has not proven that it receives at its address',
    'nick-taken': 'another member already uses that nickname',
    'room-full': `every place in the chat is taken (${CHAT_LIMIT_SETTING['room-full']} sets how many); the client was told so`,
    'address-full': `its address already has as many members as one address may have (everyone behind one NAT is one address); ${CHAT_LIMIT_SETTING['address-full']} (or --class-size) raises it, and the client was told so`,
    'not-a-member': 'the sender has not joined (or has expired), so nothing it sends is relayed',
    'rate-limited': 'the member sends faster than its allowed rate',
    'relay-budget': 'the server reached its relay budget for this second',
  },
  ru: {
    'too-large': `она больше, чем допускает протокол чата (дейтаграмма до ${count('ru', MAX_DATAGRAM, 'byte', 'gen')}, текст сообщения до ${count('ru', MAX_TEXT_BYTES, 'byte', 'gen')}); это ограничение самого чата, дейтаграмма UDP поверх IPv4 вмещает до ${count('ru', 65507, 'byte', 'gen')} данных`,
    'bad-source':
      'её порт отправителя равен 0: RFC 768 это допускает (отправитель не ждёт ответа), но на порт 0 ничего отправить нельзя, а участник чата должен получать сообщения других',
    malformed: 'это не сообщение протокола чата',
    'bad-utf8': 'текст не является корректным UTF-8',
    'hello-too-short':
      'HELLO должен быть дополнен до размера ответа, чтобы сервер никогда не отправлял больше, чем получил',
    'bad-nick': 'ник не соответствует правилам',
    'bad-cookie':
      'маркер подтверждения неверный или устарел: отправитель не доказал, что получает дейтаграммы на своём адресе',
    'nick-taken': 'этот ник уже занят другим участником',
    'room-full': `в чате заняты все места (их число задаёт ${CHAT_LIMIT_SETTING['room-full']}); клиенту это сказано`,
    'address-full': `с этого адреса уже вошло столько участников, сколько разрешено одному адресу (всех, кто за одним NAT, сервер видит как один адрес); предел поднимает ${CHAT_LIMIT_SETTING['address-full']} (или --class-size), клиенту это сказано`,
    'not-a-member': 'отправитель не вошёл в чат (или исключён по тайм-ауту), его сообщения не пересылаются',
    'rate-limited': 'участник отправляет чаще разрешённого',
    'relay-budget': 'сервер исчерпал лимит пересылок на эту секунду',
  },
};

/** Why a client ended its session: `client.disconnected` and `chat.left`. */
export type ClientCloseReason =
  'user-exit' | 'end-of-input' | 'server-closed' | 'refused' | 'signal' | 'error';

/** How a TCP echo client's connection ended (`client.disconnected`). */
export const clientCloseText: Record<Lang, Record<ClientCloseReason, string>> = {
  en: {
    'user-exit': 'exit typed; after the last echo the client sent FIN, the server its own',
    'end-of-input': 'input ended; after the last echo the client sent FIN, the server its own',
    'server-closed': 'the server closed the connection',
    refused: 'the server refused the connection and said why in one line (client.refused)',
    // Whether it waited for the echo depends on the counts: client.disconnected adds it when it did not.
    signal: 'the client was asked to stop (Ctrl-C or a signal) and sent FIN',
    error: 'a socket error',
  },
  ru: {
    'user-exit': 'введён exit; после последнего эха клиент отправил FIN, сервер — свой',
    'end-of-input': 'ввод закончился; после последнего эха клиент отправил FIN, сервер — свой',
    'server-closed': 'сервер закрыл соединение',
    refused: 'сервер отказал в соединении и одной строкой объяснил почему (client.refused)',
    signal: 'клиента остановили (Ctrl-C или сигнал), и он отправил FIN',
    error: 'ошибка сокета',
  },
};

/** Why a chat client left (`chat.left`): UDP has no connection, so nothing here speaks of one. */
export const chatLeaveText: Record<Lang, Record<ClientCloseReason, string>> = {
  en: {
    'user-exit': 'the user typed exit',
    'end-of-input': 'input ended',
    'server-closed': 'the server is gone',
    refused: 'the server refused to let it in',
    signal: 'the client was asked to stop (Ctrl-C or a signal)',
    error: 'a socket error',
  },
  ru: {
    'user-exit': 'пользователь ввёл exit',
    'end-of-input': 'ввод закончился',
    'server-closed': 'сервер пропал',
    refused: 'сервер не впустил клиента',
    signal: 'клиента остановили (Ctrl-C или сигнал)',
    error: 'ошибка сокета',
  },
};

/** Why a chat client lost its server: the `reason` field of `chat.server.lost`. */
export type LostReason = 'no-answer' | 'server-stopping' | 'not-a-member';

export const lostReasonText: Record<Lang, Record<LostReason, string>> = {
  en: {
    'no-answer':
      'three PINGs in a row got no answer; UDP has no connection whose loss could be noticed, only missing answers tell',
    'server-stopping': 'the server sent SHUTDOWN: it is stopping',
    'not-a-member':
      'the server answered NOPE: it no longer counts us as a member (it restarted, or timed us out)',
  },
  ru: {
    'no-answer':
      'три PING подряд остались без ответа; в UDP нет соединения, разрыв которого можно заметить, о потере говорит только отсутствие ответов',
    'server-stopping': 'сервер прислал SHUTDOWN: он останавливается',
    'not-a-member':
      'сервер ответил NOPE: он больше не считает нас участником (перезапущен или исключил нас по тайм-ауту)',
  },
};

/** The explanation of `name` with `fields` in `lang`. */
export function explain<N extends EventName>(name: N, fields: EventFields<N>, lang: Lang): string {
  const entry = catalogue[name] as unknown as EventSpec<EventFields<N>>;
  return entry[lang](fields);
}
