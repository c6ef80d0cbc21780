/**
 * The event catalogue: every observable event of socket-lab, named once.
 *
 * Servers, clients, the report and the tests all use this list, so the names and fields cannot
 * drift apart. Each entry has a level, an example of its fields (used for docs/events.md and the
 * tests), and an explanation in English and Russian that says what happened at the socket level.
 * Explanations never contain untrusted data (what a client sent); that stays in fields.
 */

export type Lang = 'en' | 'ru';
export const LANGS: readonly Lang[] = ['en', 'ru'];
export type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Log schema version, written as `schema` on every line so the report can tell old logs apart.
 * 2: `tcp.connection.closed`'s `bytesOut`/`portionsOut` count what the kernel accepted (in 1 they
 * were copies of `bytesIn`/`portionsIn`), with `bytesDiscarded` and `reset` beside them.
 */
export const LOG_SCHEMA = 2;

/** The oldest schema the report still reads, and the fields that schema's lines may lack. */
export const OLDEST_SCHEMA = 1;
export const FIELDS_SINCE: Readonly<Record<string, number>> = { bytesDiscarded: 2, reset: 2 };

export interface EventSpec<F> {
  level: Level;
  /** Fields as they appear in an example line; the docs and tests render the explanation with it. */
  example: F;
  en: (f: F) => string;
  ru: (f: F) => string;
}

function spec<F>(level: Level, example: F, en: (f: F) => string, ru: (f: F) => string): EventSpec<F> {
  return { level, example, en, ru };
}

/** "5 байт", "2 байта", "21 порция": the number with the Russian noun form it takes. */
export function ruCount(n: number, one: string, few: string, many: string): string {
  const d = Math.abs(n) % 100;
  const u = d % 10;
  const form = d >= 11 && d <= 14 ? many : u === 1 ? one : u >= 2 && u <= 4 ? few : many;
  return `${n} ${form}`;
}
const bytesRu = (n: number) => ruCount(n, 'байт', 'байта', 'байт');
const sumCounts = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ') || '-';

export const catalogue = {
  // ---- server lifecycle -------------------------------------------------------------------
  'server.starting': spec(
    'info',
    {
      version: '1.0.0',
      config: { host: '0.0.0.0', tcpPort: 7007, udpPort: 7008, chunkSize: 1024 } as object,
    },
    (f) => `socket-lab ${f.version} is starting: it will create its sockets with this configuration`,
    (f) => `socket-lab ${f.version} запускается: сокеты будут созданы с этой конфигурацией`,
  ),
  'server.listening': spec(
    'info',
    { protocol: 'tcp' as 'tcp' | 'udp', address: '0.0.0.0', port: 7007 },
    (f) =>
      f.protocol === 'tcp'
        ? `TCP socket bound to ${f.address}:${f.port} and listening: the kernel now queues incoming connections until accept() takes them`
        : `UDP socket bound to ${f.address}:${f.port}: datagrams sent to this port now reach the chat server (UDP has no listen() or accept())`,
    (f) =>
      f.protocol === 'tcp'
        ? `TCP-сокет привязан (bind) к ${f.address}:${f.port} и слушает (listen): ядро ставит входящие соединения в очередь, пока accept() их не примет`
        : `UDP-сокет привязан (bind) к ${f.address}:${f.port}: датаграммы на этот порт получает чат-сервер (у UDP нет listen() и accept())`,
  ),
  'server.error': spec(
    'error',
    {
      code: 'LAB_ERR_ADDR_IN_USE',
      message: 'cannot listen on 0.0.0.0:7007 (TCP): the port is already in use',
    },
    (f) => `The server cannot continue: ${f.message}`,
    (f) => `Сервер не может продолжать работу: ${f.message}`,
  ),
  'server.stopping': spec(
    'info',
    { signal: 'SIGTERM', openConnections: 2, members: 1 },
    (f) =>
      `Received ${f.signal}: stopping. The listening socket stops accepting; ${f.openConnections} open TCP connection(s) get a FIN and ${f.members} chat member(s) are told the server stops`,
    (f) =>
      `Получен сигнал ${f.signal}: остановка. Слушающий сокет больше не принимает соединения; открытые TCP-соединения (${f.openConnections}) получат FIN, участники чата (${f.members}) — уведомление об остановке`,
  ),
  'server.stopped': spec(
    'info',
    { signal: 'SIGTERM', openConnections: 0, members: 0, durationMs: 12 },
    (f) => `Server stopped after ${f.signal}: all sockets are closed (${f.durationMs} ms to shut down)`,
    (f) =>
      `Сервер остановлен по сигналу ${f.signal}: все сокеты закрыты (остановка заняла ${f.durationMs} мс)`,
  ),

  // ---- TCP echo server ---------------------------------------------------------------------
  'tcp.connection.accepted': spec(
    'info',
    { connId: 1, remote: '10.77.0.21:40122', local: '10.77.0.10:7007', open: 1 },
    (f) =>
      `accept() returned a new socket for client #${f.connId} from ${f.remote}: the listening socket keeps listening, this one talks only to that client (${f.open} open)`,
    (f) =>
      `accept() вернул новый сокет для клиента №${f.connId} с адреса ${f.remote}: слушающий сокет продолжает слушать, а новый обслуживает только этого клиента (открыто соединений: ${f.open})`,
  ),
  'tcp.connection.rejected': spec(
    'warn',
    { remote: '10.77.0.21:40123', reason: 'max-connections' as TcpRejectReason, open: 100, max: 100 },
    (f) =>
      f.reason === 'server-stopping'
        ? `Closed a new connection from ${f.remote} at once: the server is stopping`
        : f.reason === 'max-per-address'
          ? `Closed a new connection from ${f.remote} at once: its address already has ${f.open} of the ${f.max} connections one address may hold`
          : `Closed a new connection from ${f.remote} at once: ${f.open} of ${f.max} connection slots are in use`,
    (f) =>
      f.reason === 'server-stopping'
        ? `Новое соединение с ${f.remote} сразу закрыто: сервер останавливается`
        : f.reason === 'max-per-address'
          ? `Новое соединение с ${f.remote} сразу закрыто: с этого адреса уже открыто ${f.open} из ${f.max} разрешённых одному адресу соединений`
          : `Новое соединение с ${f.remote} сразу закрыто: заняты все слоты для соединений (${f.open} из ${f.max})`,
  ),
  'tcp.data.received': spec(
    'info',
    { connId: 1, bytes: 6, portion: 1, preview: 'hello\\n' },
    (f) =>
      `Read portion #${f.portion} from client #${f.connId}: ${f.bytes} bytes (a read returns whatever has arrived; the server handles it in portions of at most chunk-size bytes)`,
    (f) =>
      `Прочитана порция №${f.portion} от клиента №${f.connId}: ${bytesRu(f.bytes)} (чтение возвращает всё, что уже пришло; сервер обрабатывает это порциями не больше chunk-size байт)`,
  ),
  'tcp.data.sent': spec(
    'info',
    { connId: 1, bytes: 6, portion: 1 },
    (f) =>
      `Wrote portion #${f.portion} (${f.bytes} bytes) back to client #${f.connId}: the bytes are in the socket's send buffer and TCP delivers them in order`,
    (f) =>
      `Порция №${f.portion} (${bytesRu(f.bytes)}) записана обратно клиенту №${f.connId}: данные в буфере отправки сокета, TCP доставит их по порядку`,
  ),
  'tcp.data.summary': spec(
    'info',
    { connId: 1, portionsIn: 5000, bytesIn: 5120000, windowMs: 1000 },
    (f) =>
      `Client #${f.connId} is sending fast: in the last ${f.windowMs} ms, ${f.portionsIn} more portions (${f.bytesIn} bytes) were read and handed to write() for the echo without a line each; these counts are exact`,
    (f) =>
      `Клиент №${f.connId} отправляет быстро: за последние ${f.windowMs} мс прочитано ещё порций: ${f.portionsIn} (${bytesRu(f.bytesIn)}), все переданы в write() для эха — без отдельной строки на каждую; счётчики точные`,
  ),
  'tcp.backpressure': spec(
    'debug',
    { connId: 1, state: 'paused' as 'paused' | 'resumed', buffered: 65536 },
    (f) =>
      f.state === 'paused'
        ? `Client #${f.connId} is not reading fast enough: ${f.buffered} bytes wait in the send buffer, so the server stops reading from it until the buffer drains`
        : `The send buffer for client #${f.connId} drained: the server reads from it again`,
    (f) =>
      f.state === 'paused'
        ? `Клиент №${f.connId} читает слишком медленно: в буфере отправки ждут ${bytesRu(f.buffered)}, сервер перестаёт читать от него, пока буфер не освободится`
        : `Буфер отправки клиента №${f.connId} освободился: сервер снова читает от него`,
  ),
  'tcp.peer.ended': spec(
    'info',
    { connId: 1 },
    (f) =>
      `Client #${f.connId} closed its side (FIN): it will send nothing more; the server sends what is left and then closes its side too`,
    (f) =>
      `Клиент №${f.connId} закрыл свою сторону соединения (FIN): больше он ничего не пришлёт; сервер отправит остаток и тоже закроет свою сторону`,
  ),
  'tcp.connection.error': spec(
    'warn',
    { connId: 1, code: 'ECONNRESET', message: 'read ECONNRESET' },
    (f) => `Socket error on client #${f.connId}: ${f.code} (the connection cannot be used any more)`,
    (f) => `Ошибка сокета клиента №${f.connId}: ${f.code} (соединение больше нельзя использовать)`,
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
      `Connection with client #${f.connId} (${f.remote}) closed: ${closeReasonText.en[f.reason]}. Read ${f.bytesIn} bytes; the kernel accepted ${f.bytesOut} of the echo into its send buffer${f.bytesDiscarded > 0 ? `; ${f.bytesDiscarded} bytes still waiting in the server's write queue were discarded` : ''}${f.reset ? '; the server reset the connection (RST), so whatever of it the kernel had not yet delivered was lost too' : ''}; ${f.durationMs} ms (${f.open} open)`,
    (f) =>
      `Соединение с клиентом №${f.connId} (${f.remote}) закрыто: ${closeReasonText.ru[f.reason]}. Прочитано ${bytesRu(f.bytesIn)}; ядро приняло в буфер отправки ${bytesRu(f.bytesOut)} эха${f.bytesDiscarded > 0 ? `; ${bytesRu(f.bytesDiscarded)}, ещё ждавших в очереди записи сервера, отброшено` : ''}${f.reset ? '; сервер сбросил соединение (RST), поэтому всё, что ядро ещё не доставило, тоже потеряно' : ''}; ${f.durationMs} мс (открыто соединений: ${f.open})`,
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
      `Соединения идут часто: за последние ${f.windowMs} мс ещё принято: ${f.accepted}, закрыто: ${f.closed}, отклонено: ${sumCounts(f.rejected)} (${countsText(f.rejected)}) — без отдельной строки на каждое; счётчики точные`,
  ),

  // ---- UDP chat server ---------------------------------------------------------------------
  'udp.cookie.sent': spec(
    'info',
    { remote: '10.88.0.31:51000', nick: 'alice', bytes: 30 },
    (f) =>
      `HELLO from ${f.remote} wants the nickname ${f.nick}: answered with a cookie (${f.bytes} bytes, no more than the HELLO). Only a peer that really receives at that address can send it back`,
    (f) =>
      `HELLO от ${f.remote} с ником ${f.nick}: в ответ отправлен cookie (${bytesRu(f.bytes)}, не больше самого HELLO). Вернуть его сможет только тот, кто действительно получает датаграммы на этом адресе`,
  ),
  'udp.member.joined': spec(
    'info',
    { member: 'alice', remote: '10.88.0.31:51000', members: 2 },
    (f) =>
      `${f.member} joined the chat from ${f.remote}: the cookie came back, so that address is proven to receive; ${f.members} member(s) now`,
    (f) =>
      `${f.member} вошёл в чат с адреса ${f.remote}: cookie вернулся, значит этот адрес действительно получает датаграммы; участников: ${f.members}`,
  ),
  'udp.member.left': spec(
    'info',
    { member: 'alice', remote: '10.88.0.31:51000', reason: 'leave' as LeaveReason, members: 1 },
    (f) =>
      `${f.member} (${f.remote}) left the chat: ${leaveReasonText.en[f.reason]}; ${f.members} member(s) now`,
    (f) => `${f.member} (${f.remote}) покинул чат: ${leaveReasonText.ru[f.reason]}; участников: ${f.members}`,
  ),
  'udp.message.relayed': spec(
    'info',
    { member: 'alice', remote: '10.88.0.31:51000', bytes: 12, recipients: 1, preview: 'hi all' },
    (f) =>
      `One datagram from ${f.member} (${f.bytes} bytes of text) was sent on as ${f.recipients} separate datagram(s), one to each other member: the server keeps the list of members and sends a copy to each (multicast would not cross the lab's separate networks)`,
    (f) =>
      `Датаграмма от ${f.member} (текст: ${bytesRu(f.bytes)}) переслана остальным участникам отдельными датаграммами (${f.recipients}), по одной каждому: сервер хранит список участников и отправляет копию каждому (групповая рассылка, multicast, не прошла бы между отдельными сетями лаборатории)`,
  ),
  'udp.relay.summary': spec(
    'info',
    { messages: 2000, datagrams: 98000, bytes: 1200000, windowMs: 1000 },
    (f) =>
      `Busy chat: in the last ${f.windowMs} ms, ${f.messages} messages were relayed as ${f.datagrams} datagrams without a line each; these counts are exact`,
    (f) =>
      `Оживлённый чат: за последние ${f.windowMs} мс переслано сообщений: ${f.messages}, датаграмм: ${f.datagrams} — без отдельной строки на каждое; счётчики точные`,
  ),
  'udp.handshake.summary': spec(
    'info',
    { cookies: 400, windowMs: 1000 },
    (f) =>
      `Many joiners: in the last ${f.windowMs} ms, ${f.cookies} more cookies were sent without a line each (a HELLO costs nothing to forge, so its lines are budgeted too); the count is exact`,
    (f) =>
      `Много желающих войти: за последние ${f.windowMs} мс отправлено ещё cookie: ${f.cookies} — без отдельной строки на каждый (HELLO ничего не стоит подделать, поэтому и эти строки ограничены); счётчик точный`,
  ),
  'udp.datagram.rejected': spec(
    'warn',
    { remote: '10.88.0.31:51000', bytes: 1400, reason: 'too-large' as RejectReason },
    (f) => `Dropped a ${f.bytes}-byte datagram from ${f.remote}: ${rejectReasonText.en[f.reason]}`,
    (f) => `Отброшена датаграмма (${bytesRu(f.bytes)}) от ${f.remote}: ${rejectReasonText.ru[f.reason]}`,
  ),
  'udp.drop.summary': spec(
    'warn',
    { windowMs: 1000, dropped: 250, reasons: { 'rate-limited': 250 } as Record<string, number> },
    (f) =>
      `In the last ${f.windowMs} ms, ${f.dropped} more datagrams were dropped without a line each (counts by reason are exact)`,
    (f) =>
      `За последние ${f.windowMs} мс отброшено ещё датаграмм: ${f.dropped} — без отдельной строки на каждую (счётчики по причинам точные)`,
  ),

  // ---- TCP echo client ---------------------------------------------------------------------
  'client.connected': spec(
    'info',
    { remote: '10.77.0.10:7007', local: '10.77.0.21:40122' },
    (f) =>
      `connect() succeeded: the three-way handshake with ${f.remote} is done; the kernel gave this socket the local address ${f.local}`,
    (f) =>
      `connect() выполнен: тройное рукопожатие с ${f.remote} завершено; ядро назначило этому сокету локальный адрес ${f.local}`,
  ),
  'client.data.sent': spec(
    'info',
    { bytes: 6, portion: 1 },
    (f) => `Sent portion #${f.portion} to the server: ${f.bytes} bytes written to the socket`,
    (f) => `Серверу отправлена порция №${f.portion}: в сокет записано ${bytesRu(f.bytes)}`,
  ),
  'client.data.received': spec(
    'info',
    { bytes: 6, preview: 'hello\\n' },
    (f) => `Received ${f.bytes} bytes from the server (a read returns whatever has arrived so far)`,
    (f) => `От сервера получено ${bytesRu(f.bytes)} (чтение возвращает всё, что уже пришло)`,
  ),
  'client.disconnected': spec(
    'info',
    { reason: 'user-exit' as ClientCloseReason, bytesSent: 6, bytesReceived: 6 },
    (f) =>
      `Disconnected from the server: ${clientCloseText.en[f.reason]}. Sent ${f.bytesSent} bytes, received ${f.bytesReceived}`,
    (f) =>
      `Соединение с сервером закрыто: ${clientCloseText.ru[f.reason]}. Отправлено ${bytesRu(f.bytesSent)}, получено ${bytesRu(f.bytesReceived)}`,
  ),
  'client.error': spec(
    'error',
    { code: 'LAB_ERR_CONNECT_REFUSED', message: 'cannot connect to 127.0.0.1:7007: connection refused' },
    (f) => `Client error: ${f.message}`,
    (f) => `Ошибка клиента: ${f.message}`,
  ),

  // ---- UDP chat client ---------------------------------------------------------------------
  'chat.joined': spec(
    'info',
    { nick: 'alice', server: '10.77.0.10:7008', local: '10.88.0.31:51000', members: 2 },
    (f) =>
      `Joined the chat at ${f.server} as ${f.nick} from ${f.local}: the server sent a cookie, we sent it back, and now it relays our messages (${f.members} member(s))`,
    (f) =>
      `Выполнен вход в чат на сервере ${f.server} под ником ${f.nick} с адреса ${f.local}: сервер прислал cookie, мы его вернули, теперь сервер пересылает наши сообщения (участников: ${f.members})`,
  ),
  'chat.message.sent': spec(
    'info',
    { nick: 'alice', bytes: 6 },
    (f) =>
      `Sent one datagram with ${f.bytes} bytes of text: UDP delivers it whole or not at all, and does not confirm delivery`,
    (f) =>
      `Отправлена одна датаграмма (текст: ${bytesRu(f.bytes)}): UDP доставляет её целиком или никак, и не подтверждает доставку`,
  ),
  'chat.message.received': spec(
    'info',
    { nick: 'bob', bytes: 8 },
    (f) => `Received a datagram relayed by the server: ${f.bytes} bytes of text from ${f.nick}`,
    (f) => `Получена датаграмма, пересланная сервером: сообщение от ${f.nick} (${bytesRu(f.bytes)})`,
  ),
  'chat.member.joined': spec(
    'info',
    { nick: 'bob' },
    (f) => `The server announced that ${f.nick} joined`,
    (f) => `Сервер сообщил: в чат вошёл ${f.nick}`,
  ),
  'chat.member.left': spec(
    'info',
    { nick: 'bob', reason: 'timeout' as LeaveReason },
    (f) => `The server announced that ${f.nick} left: ${leaveReasonText.en[f.reason]}`,
    (f) => `Сервер сообщил, что ${f.nick} вышел: ${leaveReasonText.ru[f.reason]}`,
  ),
  'chat.server.lost': spec(
    'warn',
    { server: '10.77.0.10:7008', reason: 'no-answer' as 'no-answer' | 'server-stopping' | 'not-a-member' },
    (f) =>
      `Lost the chat server ${f.server} (${f.reason}): UDP has no connection to notice this, only missing answers; trying to join again`,
    (f) =>
      `Потеряна связь с чат-сервером ${f.server} (${f.reason}): в UDP нет соединения, разрыв которого можно заметить, о потере говорит только отсутствие ответов; пробуем войти снова`,
  ),
  'chat.left': spec(
    'info',
    { nick: 'alice', reason: 'user-exit' as ClientCloseReason },
    (f) => `Left the chat as ${f.nick}: ${clientCloseText.en[f.reason]}`,
    (f) => `Выход из чата (${f.nick}): ${clientCloseText.ru[f.reason]}`,
  ),

  // ---- the program's own log ---------------------------------------------------------------
  'log.lines.dropped': spec(
    'warn',
    { stream: 'stdout' as 'stdout' | 'stderr', lines: 1200, bytes: 380000, windowMs: 28000, file: true },
    (f) =>
      `The reader of ${f.stream} fell behind: for ${f.windowMs} ms, ${f.lines} log lines (${f.bytes} bytes) were not shown there, so that serving never waits for it${f.file ? '; the JSON log file has every one of them' : ''}`,
    (f) =>
      `Читатель ${f.stream} не успевал: за ${f.windowMs} мс ${f.lines} строк журнала (${bytesRu(f.bytes)}) туда не выведено, чтобы обслуживание клиентов его не ждало${f.file ? '; в JSON-файле журнала есть все эти строки' : ''}`,
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
      `The log file ${f.file} can be written again: ${f.lines} lines (${f.bytes} bytes) of the last ${f.windowMs} ms are missing from it`,
    (f) =>
      `В файл журнала ${f.file} снова можно писать: в нём нет ${f.lines} строк (${bytesRu(f.bytes)}) за последние ${f.windowMs} мс`,
  ),
  'client.data.summary': spec(
    'info',
    { sent: 900, bytesSent: 921600, received: 850, bytesReceived: 870400, windowMs: 1000 },
    (f) =>
      `Busy connection: in the last ${f.windowMs} ms, ${f.sent} more writes (${f.bytesSent} bytes) and ${f.received} more reads (${f.bytesReceived} bytes) without a line each; these counts are exact`,
    (f) =>
      `Оживлённое соединение: за последние ${f.windowMs} мс ещё записей: ${f.sent} (${bytesRu(f.bytesSent)}) и чтений: ${f.received} (${bytesRu(f.bytesReceived)}) — без отдельной строки на каждое; счётчики точные`,
  ),
};

export type Catalogue = typeof catalogue;
export type EventName = keyof Catalogue;
export type EventFields<N extends EventName> = Catalogue[N]['example'];
export const EVENT_NAMES = Object.keys(catalogue) as EventName[];

/** Why the server refused a new TCP connection: the `reason` field of `tcp.connection.rejected`. */
export type TcpRejectReason = 'max-connections' | 'max-per-address' | 'server-stopping';

/** Why the server closed a TCP connection: the `reason` field of `tcp.connection.closed`. */
export type CloseReason =
  'peer-closed' | 'peer-reset' | 'idle-timeout' | 'max-lifetime' | 'stalled' | 'server-stopping' | 'error';

export const closeReasonText: Record<Lang, Record<CloseReason, string>> = {
  en: {
    'peer-closed':
      'the client closed its side first (FIN) and the server closed its side after the last echo',
    'peer-reset': 'the client reset the connection (RST) without a clean close',
    'idle-timeout': 'the client sent nothing for too long (idle timeout)',
    'max-lifetime': 'the connection reached its maximum lifetime',
    stalled: 'the client stopped reading its echo and the send buffer stayed full too long',
    'server-stopping': 'the server is stopping and closed it',
    error: 'a socket error',
  },
  ru: {
    'peer-closed': 'клиент первым закрыл свою сторону (FIN), сервер закрыл свою после последнего эха',
    'peer-reset': 'клиент сбросил соединение (RST) без корректного закрытия',
    'idle-timeout': 'клиент слишком долго ничего не отправлял (тайм-аут простоя)',
    'max-lifetime': 'соединение достигло максимального времени жизни',
    stalled: 'клиент перестал читать эхо, и буфер отправки слишком долго был полон',
    'server-stopping': 'сервер останавливается и закрыл его',
    error: 'ошибка сокета',
  },
};

/** Why a chat member left: the `reason` field of `udp.member.left` and `chat.member.left`. */
export type LeaveReason = 'leave' | 'timeout' | 'server-stopping';

export const leaveReasonText: Record<Lang, Record<LeaveReason, string>> = {
  en: {
    leave: 'it sent LEAVE',
    timeout: 'no heartbeat arrived in time, so it is presumed gone (UDP never says when a peer disappears)',
    'server-stopping': 'the server is stopping',
  },
  ru: {
    leave: 'участник отправил LEAVE',
    timeout:
      'вовремя не пришло контрольное сообщение (PING), поэтому участник считается ушедшим (UDP не сообщает об исчезновении собеседника)',
    'server-stopping': 'сервер останавливается',
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
  | 'not-a-member'
  | 'rate-limited'
  | 'relay-budget';

export const rejectReasonText: Record<Lang, Record<RejectReason, string>> = {
  en: {
    'too-large': 'it is larger than the maximum datagram size, so it is never relayed',
    'bad-source':
      'its source port is 0, which no socket can receive on: it is forged, and nothing can be sent back',
    malformed: 'it is not a message of the chat protocol',
    'bad-utf8': 'its text is not valid UTF-8',
    'hello-too-short':
      'a HELLO must be padded to at least the size of the answer, so that the server never sends more than it received',
    'bad-nick': 'the nickname breaks the nickname rules',
    'bad-cookie':
      'the cookie is wrong or expired, so the sender has not proven that it receives at its address',
    'nick-taken': 'another member already uses that nickname',
    'room-full': 'the chat has reached its member limit (in all, or for one address)',
    'not-a-member': 'the sender has not joined (or has expired), so nothing it sends is relayed',
    'rate-limited': 'the member sends faster than its allowed rate',
    'relay-budget': 'the server reached its relay budget for this second',
  },
  ru: {
    'too-large': 'она больше максимального размера датаграммы и не пересылается',
    'bad-source':
      'её порт отправителя равен 0, на нём не может принимать ни один сокет: датаграмма подделана, ответить на неё нельзя',
    malformed: 'это не сообщение протокола чата',
    'bad-utf8': 'текст не является корректным UTF-8',
    'hello-too-short':
      'HELLO должен быть дополнен до размера ответа, чтобы сервер никогда не отправлял больше, чем получил',
    'bad-nick': 'ник не соответствует правилам',
    'bad-cookie':
      'cookie неверный или устарел: отправитель не доказал, что получает датаграммы на своём адресе',
    'nick-taken': 'этот ник уже занят другим участником',
    'room-full': 'в чате достигнут предел участников (всего или с одного адреса)',
    'not-a-member': 'отправитель не вошёл в чат (или исключён по тайм-ауту), его сообщения не пересылаются',
    'rate-limited': 'участник отправляет чаще разрешённого',
    'relay-budget': 'сервер исчерпал лимит пересылок на эту секунду',
  },
};

/** Why a client ended its session: `client.disconnected` and `chat.left`. */
export type ClientCloseReason = 'user-exit' | 'end-of-input' | 'server-closed' | 'signal' | 'error';

export const clientCloseText: Record<Lang, Record<ClientCloseReason, string>> = {
  en: {
    'user-exit': 'the user typed exit, so the client closed its side (FIN) and the server closed the other',
    'end-of-input': 'standard input ended, so the client closed its side after the last echo',
    'server-closed': 'the server closed the connection',
    signal: 'the client was asked to stop (signal)',
    error: 'a socket error',
  },
  ru: {
    'user-exit': 'пользователь ввёл exit, клиент закрыл свою сторону (FIN), сервер закрыл свою',
    'end-of-input': 'стандартный ввод закончился, клиент закрыл свою сторону после последнего эха',
    'server-closed': 'сервер закрыл соединение',
    signal: 'клиенту пришёл сигнал остановки',
    error: 'ошибка сокета',
  },
};

/** The explanation of `name` with `fields` in `lang`. */
export function explain<N extends EventName>(name: N, fields: EventFields<N>, lang: Lang): string {
  const entry = catalogue[name] as unknown as EventSpec<EventFields<N>>;
  return entry[lang](fields);
}
