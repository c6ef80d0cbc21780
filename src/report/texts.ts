/**
 * Every sentence and label of the report's frame (the title, the appendix's headings, tables,
 * checks, findings and sequence diagrams), as catalogues of the one shape (text/catalogue.ts): a
 * code maps to `sentence(example, en, ru)`. test/texts-catalogue.test.ts walks every entry in every
 * language. The renderers read them through `TEXTS[lang]`, a view built from these catalogues.
 * The course's prose is in document/sections/, a student's own programs in own-texts.ts.
 */
import type { Lang } from '../text/lang.js';
import { type Sentence, sentence } from '../text/catalogue.js';
import { count } from '../text/plural.js';
import { reasonLabel } from '../text/reasons.js';
import type { CheckId, CheckStatus, Finding, FindingCode } from './check.js';
import { OWN_CHECK_TITLES, OWN_FINDINGS } from './own-texts.js';
import type { SkipCause } from './parse.js';

type P = Finding['params'];

/** A label: no parameters, one string per language. */
const label = (en: string, ru: string): Sentence<object> =>
  sentence(
    {},
    () => en,
    () => ru,
  );

/** A finding's sentence: its parameters are the finding's (strings and numbers from the logs). */
const finding = (example: P, en: (p: P) => string, ru: (p: P) => string): Sentence<P> =>
  sentence(example, en, ru);

/** A student's own program by its role, at the start of a sentence. */
const OWN_ROLE: Record<Lang, Record<string, string>> = {
  en: {
    'echo-server': 'Your echo server',
    'echo-client': 'Your echo client',
    'chat-server': 'Your chat server',
    'chat-client': 'Your chat client',
  },
  ru: {
    'echo-server': 'Ваш эхо-сервер',
    'echo-client': 'Ваш эхо-клиент',
    'chat-server': 'Ваш чат-сервер',
    'chat-client': 'Ваш чат-клиент',
  },
};

/** How an own program died of a signal (stop-own-killed): what the lab sent and what the status says. */
function ownKilled(lang: Lang, p: P): string {
  const who = `${OWN_ROLE[lang][String(p.role)] ?? p.role} (${p.program})`;
  const status =
    typeof p.code === 'number' && p.code > 128
      ? lang === 'en'
        ? ` (exit status ${p.code} = 128 + ${p.number}: the shell's way of saying the program died of signal ${p.number})`
        : ` (код выхода ${p.code} = 128 + ${p.number}: так оболочка сообщает, что программу завершил сигнал ${p.number})`
      : '';
  const last =
    p.last === '-'
      ? ''
      : lang === 'en'
        ? ` The last line it printed: «${p.last}».`
        : ` Последняя напечатанная строка: «${p.last}».`;
  if (p.grace === 'yes')
    return lang === 'en'
      ? `${who} did not end within the grace period after the lab's SIGTERM, and the lab killed it with SIGKILL, which no program can catch.${last}`
      : `${who} не завершился за отведённое время после SIGTERM от лаборатории, и лаборатория убила его сигналом SIGKILL, который перехватить нельзя.${last}`;
  if (p.signal === 'SIGTERM')
    return lang === 'en'
      ? `${who} was stopped by the lab with SIGTERM (how \`docker compose stop\` stops the containers; the lab passes it on to your program) and died of the signal itself${status}, printing nothing more.${last}`
      : `${who} остановлен лабораторией сигналом SIGTERM (так \`docker compose stop\` останавливает контейнеры; лаборатория передаёт сигнал вашей программе) и был завершён самим сигналом${status}, больше ничего не напечатав.${last}`;
  return lang === 'en'
    ? `${who} died of ${p.signal}${status}, printing nothing more.${last}`
    : `${who} был завершён сигналом ${p.signal}${status}, больше ничего не напечатав.${last}`;
}

/** What to change so that the program prints its stop (Python's default for SIGTERM is to die at once). */
function ownKilledFix(lang: Lang, p: P): string {
  if (p.grace === 'yes')
    return lang === 'en'
      ? 'End the program promptly when SIGTERM arrives (a handler that leaves the loop).'
      : 'Завершайте программу сразу по приходу SIGTERM (обработчик, который выходит из цикла).';
  if (p.signal !== 'SIGTERM') return '';
  return p.python === 'yes'
    ? lang === 'en'
      ? "Python's default for SIGTERM is to end at once: no `finally`, no `except KeyboardInterrupt` runs (KeyboardInterrupt comes from SIGINT, Ctrl-C, only). Install a handler, `signal.signal(signal.SIGTERM, handler)`, that leaves the loop so that the program prints its stop message (a client: that it disconnected)."
      : 'В Python сигнал SIGTERM по умолчанию завершает программу сразу: не выполняются ни `finally`, ни `except KeyboardInterrupt` (`KeyboardInterrupt` возникает только от SIGINT, по `Ctrl+C`). Установите обработчик `signal.signal(signal.SIGTERM, handler)`, который выходит из цикла, чтобы программа напечатала сообщение об остановке (клиент — об отключении от сервера).'
    : lang === 'en'
      ? 'Handle SIGTERM (a signal handler that leaves the loop) so that the program prints its stop message.'
      : 'Обработайте SIGTERM (обработчик сигнала, который выходит из цикла), чтобы программа напечатала сообщение об остановке.';
}

/** What chat-nat.ts knows of a remote plain chat client's silence that outlasted its NAT mapping. */
export interface NatGapParams {
  client: string;
  last: string;
  expired: string;
  timeoutS: number;
  udp: number;
  stream: number;
  logged: boolean;
  relayed: number;
  next?: string;
  /** The address the server saw the client come back from, when it changed. */
  rejoined?: string;
}

/** The title, headings, notes and lines of the report's frame. */
export const REPORT_TEXTS = {
  title: label('Sockets lab report', 'Отчёт по лабораторной работе «Сокеты»'),
  generated: sentence(
    {
      lines: 1234,
      sources: 3,
      used: 1200,
      from: '2026-12-01 10:15:01 +03:00',
      to: '2026-12-01 10:20:44 +03:00',
    },
    (p) =>
      `Generated by \`socket-lab report\` from ${count('en', p.lines, 'line')} of logs (${count('en', p.sources, { one: 'source', other: 'sources' })}); ${p.used} used. Times from ${p.from} to ${p.to}, with their time zone.`,
    (p) =>
      `Отчёт сформирован командой \`socket-lab report\` из ${count('ru', p.lines, 'line', 'gen')} журналов (источников: ${p.sources}); использовано строк: ${p.used}. Время — с ${p.from} по ${p.to} (указан часовой пояс).`,
  ),
  noRecords: label(
    'The input holds no socket-lab log line: there is nothing to report.',
    'Во входных данных нет ни одной строки журнала socket-lab: отчитываться не о чем.',
  ),
  provenance: sentence(
    { revision: 6, schemas: '1' },
    (p) => `Report revision ${p.revision}, made from logs of schema ${p.schemas}.`,
    (p) => `Редакция отчёта: ${p.revision}; схема журналов: ${p.schemas}.`,
  ),
  runNote: sentence(
    { start: '10:15:01.004 +03:00', earlier: 40 },
    (p) =>
      `Only the latest run is shown: lines from ${p.start} on (the latest \`server.starting\`). ${count('en', p.earlier, 'line')} from earlier runs are left out; \`--all-runs\` shows them.`,
    (p) =>
      `Показан только последний запуск: строки начиная с ${p.start} (последний \`server.starting\`). Строк из прежних запусков не показано: ${p.earlier}; их показывает \`--all-runs\`.`,
  ),
  allRunsNote: label(
    'Every run in the logs is shown (`--all-runs`).',
    'Показаны все запуски из журналов (`--all-runs`).',
  ),
  checksLine: sentence(
    { pass: 5, fail: 1, na: 1 },
    (p) => `**Checks: ${p.pass} pass, ${p.fail} fail, ${p.na} not applicable** (see [Checks](#checks)).`,
    (p) =>
      `**Проверки: пройдено ${p.pass}, не пройдено ${p.fail}, неприменимо ${p.na}** (см. [Проверки](#проверки)).`,
  ),
  sourcesHeading: label('Sources', 'Источники'),
  serverHeading: label('Server', 'Сервер'),
  serverListens: sentence(
    { protocol: 'tcp', endpoint: '0.0.0.0:7007' },
    (p) =>
      p.protocol === 'udp' ? `receives UDP datagrams on ${p.endpoint}` : `listens on TCP ${p.endpoint}`,
    (p) =>
      p.protocol === 'udp' ? `принимает дейтаграммы UDP на ${p.endpoint}` : `слушает TCP ${p.endpoint}`,
  ),
  serverStarted: sentence(
    { program: 'lab-server', host: 'server', time: '10:15:02.120 +03:00' },
    (p) => `**${p.program}** on host \`${p.host}\`, started at ${p.time}`,
    (p) => `**${p.program}** на хосте \`${p.host}\`, запущен в ${p.time}`,
  ),
  serverStopped: sentence(
    { time: '10:15:02.120 +03:00', signal: 'SIGTERM' },
    (p) => `stopped at ${p.time} on ${p.signal}`,
    (p) => `остановлен в ${p.time} по сигналу ${p.signal}`,
  ),
  serverNotStopped: label(
    'no `server.stopped` line: still running, or killed',
    'нет строки `server.stopped`: сервер ещё работает или был убит',
  ),
  serverOrphans: sentence(
    { n: 12 },
    (p) =>
      `${count('en', p.n, { one: 'connection or chat member', other: 'connections or chat members' })} came from programs whose logs are not in the input.`,
    (p) => `Соединений и участников чата от программ, чьих журналов нет во входных данных: ${p.n}.`,
  ),
  scenarioHeading: sentence(
    { name: 'vm' },
    (p) => `Scenario \`${p.name}\``,
    (p) => `Сценарий \`${p.name}\``,
  ),
  hostsHeading: label('Hosts and addresses', 'Хосты и адреса'),
  matchEndpoint: label('same endpoint', 'по совпадению адреса и порта'),
  matchNat: label('time and bytes (through a hop)', 'по времени и байтам (через промежуточный узел)'),
  matchNick: label('nickname', 'по нику'),
  matchNone: label('no server line', 'нет строки сервера'),
  neverConnected: sentence(
    { code: 'ECONNREFUSED' },
    (p) => `never connected (${p.code})`,
    (p) => `не подключилась (${p.code})`,
  ),
  connLabel: sentence(
    { program: 'lab-server', conn: 3 },
    (p) => `${p.program}, conn ${p.conn}`,
    (p) => `${p.program}, соединение ${p.conn}`,
  ),
  bytesHeading: label('Byte counts', 'Счётчики байтов'),
  diagramHeading: label('Sequence diagram', 'Диаграмма последовательности'),
  timelineHeading: label('Timeline', 'Хронология'),
  collapsedRows: sentence(
    { n: 12 },
    (p) => `… ${p.n} more lines about data written and echoed (all of them are in the log)`,
    (p) => `… и ещё строк о записанных в сокет и возвращённых эхом данных: ${p.n} (все они есть в журнале)`,
  ),
  natGap: sentence(
    {
      client: 'chat-remote',
      last: '10:00:01',
      expired: '10:00:31',
      timeoutS: 30,
      udp: 30,
      stream: 120,
      logged: true,
      relayed: 2,
      next: '10:00:40',
      rejoined: '198.18.0.2:40001',
    } as NatGapParams,
    (p) =>
      `${p.client} sent and received nothing after ${p.last}; ${p.timeoutS} s later, at ${p.expired}, the router's connection tracking (conntrack) forgot its UDP mapping: a mapping lasts ${p.udp} s after the flow's last datagram, ${p.stream} s once the flow has had answers and lasted more than 2 s (${p.logged ? 'the router’s own values, from its router.conntrack line' : 'Linux’s defaults: this run’s router did not log its values'}). After that the server relayed ${count('en', p.relayed, 'message')} from other members to it, and ${p.relayed === 1 ? 'it did not arrive' : 'none of them arrived'}: the server sends a member's copies to the address it saw, the router's, and the router had no mapping left to forward them with. ${p.next ? `Its next datagram, at ${p.next}, made a new mapping${p.rejoined ? `, from another port: the server saw it come from ${p.rejoined} and took it for a new member` : ''}. ` : ''}The course's plain protocol has the client send nothing while its user is silent; our client with the lab's protocol sends a PING every 5 s, which keeps the mapping.`,
    (p) =>
      `${p.client} ничего не отправлял и не получал после ${p.last}; через ${p.timeoutS} с, в ${p.expired}, таблица отслеживания соединений маршрутизатора (conntrack) забыла его UDP-сопоставление: оно хранится ${p.udp} с после последней дейтаграммы потока и ${p.stream} с, если в потоке уже были ответы и он длится больше 2 с (${p.logged ? 'значения самого маршрутизатора, из его строки router.conntrack' : 'значения Linux по умолчанию: маршрутизатор этого запуска их не записал'}). После этого сервер переслал ему от других участников ${count('ru', p.relayed, 'message')}, и ${p.relayed === 1 ? 'оно не дошло' : 'ни одно из них не дошло'}: сервер отправляет копии участнику на тот адрес, который видел, — адрес маршрутизатора, а у маршрутизатора уже не было сопоставления, чтобы переслать их дальше. ${p.next ? `Следующая дейтаграмма клиента, в ${p.next}, создала новое сопоставление${p.rejoined ? ` с другим портом: сервер увидел её с адреса ${p.rejoined} и принял клиента за нового участника` : ''}. ` : ''}В простом протоколе курса клиент ничего не отправляет, пока пользователь молчит; наш клиент с протоколом лаборатории каждые 5 с отправляет PING, и сопоставление сохраняется.`,
  ),
  chatHeading: label('Chat across networks', 'Чат между сетями'),
  chatAbout: label(
    'Every chat member in the logs, whatever its scenario: each message goes to the server as one datagram, and the server sends one copy to each other member.',
    'Все участники чата из журналов, из любых сценариев: каждое сообщение уходит на сервер одной дейтаграммой, и сервер отправляет по копии каждому из остальных участников.',
  ),
  checksHeading: label('Checks', 'Проверки'),
  evidenceHeading: label('Evidence', 'Доказательства'),
  skippedHeading: label('Skipped lines', 'Пропущенные строки'),
  appendixHeading: label('Appendix: the evidence', 'Приложение: доказательства'),
  appendixAbout: label(
    'Everything above comes from these logs: their sources, the server’s lines, each scenario’s addresses, byte counts, sequence diagram and full timeline, and the checks with the lines that prove them.',
    'Всё сказанное выше взято из этих журналов: их источники, строки сервера, адреса каждого сценария, счётчики байтов, диаграмма последовательности и полная хронология, а также проверки со строками, которые их подтверждают.',
  ),
  skippedNone: label('No line was skipped.', 'Ни одна строка не пропущена.'),
  // One kernel clock for programs on one machine (containers included): the stamps differ by when
  // each process got to write its line or strace saw its call return, not by clocks.
  timelineOrder: label(
    'The rows are in causal order, not strictly by time. A row’s time is when its program wrote the line, after the call the line describes had returned; for a traced call of your program it is when strace saw the call return. The programs are separate processes: when the kernel has done its part of a call, the process still has to be woken and run (under strace, also stopped and let go) before the call returns to it, and meanwhile the other side may already have handled the packet and returned from its own call. So a cause can be stamped later than its effect: a client’s send later than the server’s relay of the same datagram, a client’s connect() later than the server’s accept(). Programs on one machine, in containers of one host too, read one clock, the kernel’s; only programs on separate machines also read separate clocks, which may differ. Each program’s lines keep their own order, and a line that answers another program’s line (a relay after the message it relays, a received copy after the relay, an accept() after the connect(), a read after the write that sent its bytes) is placed after it.',
    'Строки идут в причинном порядке, а не строго по времени. Время строки — это момент, когда программа записала строку, уже после возврата описанного в ней вызова; у вызова вашей программы из трассировки — момент, когда strace увидела возврат вызова. Программы — разные процессы: когда ядро уже выполнило свою часть вызова, процесс ещё должен проснуться и получить процессор (под strace — ещё и остановиться и быть отпущенным), прежде чем вызов вернётся к нему, а другая сторона тем временем может уже обработать пакет и вернуться из своего вызова. Поэтому отметка причины может быть позже отметки следствия: отправка сообщения клиентом — позже, чем пересылка той же дейтаграммы сервером, connect() клиента — позже, чем accept() сервера. Программы на одной машине, в том числе в контейнерах одного хоста, читают одни часы — часы ядра; только у программ на разных машинах и часы разные, и они могут расходиться. Строки каждой программы сохраняют свой порядок, а строка, которая отвечает на строку другой программы (пересылка — на сообщение, которое она пересылает, полученная копия — на пересылку, accept() — на connect(), чтение — на запись, отправившую эти байты), стоит после неё.',
  ),
  // What the appendix holds for a run with a student's programs: their chat calls are not in the
  // timelines (the implementation section shows them), and the wire section compares bytes from the
  // trace of their server.
  appendixAboutOwn: sentence(
    { echo: true, chat: true, wire: true },
    (p: { echo: boolean; chat: boolean; wire: boolean }) =>
      `Everything above comes from these logs: their sources, each scenario’s addresses and timeline (your programs’ addresses from their traced calls), and the checks with the lines that prove them. A scenario’s timeline holds the lab’s programs’ lines${p.echo ? ' and your echo programs’ traced socket calls' : ''}${p.chat ? '; your chat programs’ calls are not in it, they are in “Implementation: your programs”' : ''}. Byte counts and sequence diagrams in this appendix come from the lab’s programs’ lines, so they appear only for the lab’s programs that ran${p.wire ? '; the bytes of your server’s connections are compared with the capture in “On the wire”, from its trace' : ''}.`,
    (p: { echo: boolean; chat: boolean; wire: boolean }) =>
      `Всё сказанное выше взято из этих журналов: их источники, адреса и хронология каждого сценария (адреса ваших программ — из их трассировки), а также проверки со строками, которые их подтверждают. В хронологии сценария — строки программ лаборатории${p.echo ? ' и вызовы с сокетами ваших эхо-программ из их трассировки' : ''}${p.chat ? '; вызовов ваших чат-программ в ней нет, они — в разделе «Реализация: ваши программы»' : ''}. Счётчики байтов и диаграммы последовательности в приложении строятся по строкам программ лаборатории, поэтому они есть только для тех программ лаборатории, которые работали${p.wire ? '; байты соединений вашего сервера сравниваются с захватом в разделе «В сети» — по его трассировке' : ''}.`,
  ),
  moreFindings: sentence(
    { n: 2 },
    (p: { n: number }) => ` (and ${count('en', p.n, { one: 'more item', other: 'more items' })})`,
    (p: { n: number }) =>
      ` (и ещё ${count('ru', p.n, { one: 'пункт', few: 'пункта', many: 'пунктов', other: 'пункта' })})`,
  ),
};

/** The columns of the report's tables, `table.column`, in the order each table shows them. */
export const REPORT_COLUMNS = {
  'sources.source': label('source', 'источник'),
  'sources.lines': label('lines', 'строк'),
  'sources.used': label('used', 'использовано'),
  'sources.hosts': label('hosts', 'хосты'),
  'sources.scenarios': label('scenarios', 'сценарии'),
  'sources.processes-pid': label('processes (pid)', 'процессы (pid)'),
  'hosts.program': label('program', 'программа'),
  'hosts.host': label('host', 'хост'),
  'hosts.its-own-address': label('its own address', 'локальный адрес'),
  // Also a chat client's row: UDP connects to nothing, so the column names what it used, not a connection.
  'hosts.it-dialed': label('server address', 'адрес сервера'),
  'hosts.the-server-saw': label('the server saw', 'что увидел сервер'),
  'hosts.paired-by': label('paired by', 'как сопоставлено'),
  'echo-bytes.connection': label('connection', 'соединение'),
  'echo-bytes.client-sent': label('client handed to its socket', 'клиент передал в сокет'),
  'echo-bytes.server-received': label('server received', 'сервер получил'),
  'echo-bytes.servers-kernel-accepted-as-echo': label(
    'server’s kernel accepted as echo',
    'байт эха приняло ядро сервера',
  ),
  'echo-bytes.client-received': label('client read back', 'клиент прочитал обратно'),
  'echo-bytes.portions-in-out': label(
    'portions read / accepted as echo',
    'порций прочитано / эха принято ядром',
  ),
  'chat-bytes.member': label('member', 'участник'),
  'chat-bytes.messages-sent-bytes': label('messages sent (bytes)', 'отправлено сообщений (байт)'),
  'chat-bytes.messages-received-bytes': label('messages received (bytes)', 'получено сообщений (байт)'),
  'chat-bytes.relayed-by-the-server-to': label('relayed by the server to', 'сервер переслал копий'),
  'timeline.time': label('time', 'время'),
  'timeline.source': label('source', 'источник'),
  'timeline.event': label('event', 'событие'),
  'timeline.explanation': label('explanation', 'пояснение'),
  'checks.check': label('check', 'проверка'),
  'checks.result': label('result', 'результат'),
  'checks.what-the-logs-show': label('what the logs show', 'что показывают журналы'),
  'skipped.why': label('why', 'причина'),
  'skipped.lines': label('lines', 'строк'),
  'skipped.first-ones-source-line': label('first ones (source:line)', 'первые из них (источник:строка)'),
};

/** What each scenario is, under its heading. */
export const SCENARIO_ABOUT = {
  local: label(
    'Client and server on one machine (in the lab’s containers: the client’s container shares the server’s network namespace): the client dials 127.0.0.1 and the server sees a loopback address.',
    'Клиент и сервер на одной машине (в контейнерах лаборатории контейнер клиента делит сетевое пространство имён с сервером): клиент подключается к 127.0.0.1, и сервер видит адрес петлевого интерфейса.',
  ),
  vm: label(
    'The course’s virtual machine on a virtual network of its host (a hypervisor’s host-only or bridged network) — here a container in its own network namespace on a Docker bridge network (vm) that the server’s container is on too: client and server are on one network with no router between them, so the client dials the server’s vm address and the server, listening on 0.0.0.0, sees the client’s own address. The lab’s router is on this network too (its other interface is on wan), and Docker lets the network out through the host’s NAT, but the vm clients use neither: their packets go straight to the server.',
    'Виртуальная машина из задания в виртуальной сети своего хоста (в гипервизоре — сеть «только хост» или «сетевой мост») — здесь контейнер в собственном сетевом пространстве имён, подключённый к мосту Docker (сеть vm), к которому подключён и контейнер сервера: клиент и сервер в одной сети, маршрутизатора между ними нет, поэтому клиент подключается к адресу сервера в сети vm, а сервер, слушающий 0.0.0.0, видит локальный адрес клиента. В этой сети есть и маршрутизатор лаборатории (другим интерфейсом он подключён к сети wan), а наружу Docker выпускает её через NAT хоста, но клиенты vm не пользуются ни тем, ни другим: их пакеты идут прямо к серверу.',
  ),
  remote: label(
    'A machine on another network — here a container in its own network namespace on a second Docker network (wan). The client is not on the server’s network: it dials the wan address of a router container that is on both networks, on the way to the server. The router translates addresses (DNAT to the server, MASQUERADE to its own vm address), so the server sees the router’s address, usually with the client’s port (MASQUERADE keeps the port unless another connection already uses it, then it picks another); the TCP connection stays one connection, with one handshake, from the client to the server. A proxy (such as Docker’s userland proxy on a published port) would instead accept the connection and open a second one. Addresses and ports in the logs cannot tell the two apart — a changed port proves no proxy; only the packets decide: one handshake through the router is NAT, two handshakes with different initial sequence numbers are a proxy (see the captures, “On the wire”).',
    'Машина в другой сети — здесь контейнер в собственном сетевом пространстве имён во второй сети Docker (wan). Клиент не в сети сервера: он подключается к адресу контейнера-маршрутизатора в сети wan; маршрутизатор подключён к обеим сетям и стоит на пути к серверу. Маршрутизатор транслирует адреса (DNAT — на адрес сервера, MASQUERADE — на свой адрес в сети vm), поэтому сервер видит адрес маршрутизатора, обычно с портом клиента (MASQUERADE сохраняет порт, если его не занимает другое соединение, иначе выбирает другой); соединение TCP при этом остаётся одним, с одним рукопожатием — от клиента до сервера. Прокси (например, прокси Docker в пространстве пользователя на опубликованном порту) принял бы соединение сам и открыл второе. По адресам и портам в журналах эти случаи не различить — другой порт ещё не доказывает прокси; решают только пакеты: одно рукопожатие через маршрутизатор — это NAT, два рукопожатия с разными начальными номерами последовательности — прокси (см. захват пакетов, раздел «В сети»).',
  ),
  mistake: label(
    'The classic mistake: a server bound to 127.0.0.1 cannot be reached from another machine. No socket listens on the address the client dials, so the server machine’s kernel answers the SYN with a reset (RST) and connect() fails with ECONNREFUSED.',
    'Типичная ошибка: к серверу, привязанному к 127.0.0.1, с другой машины не подключиться. На адресе, к которому подключается клиент, не слушает ни один сокет, поэтому ядро машины сервера отвечает на SYN сбросом (RST), и connect() завершается ошибкой ECONNREFUSED.',
  ),
};

/** The titles of the lab's checks (a student's own programs' are in own-texts.ts). */
export const CHECK_TITLES = {
  local: label('local: the server saw 127.0.0.1', 'local: сервер увидел 127.0.0.1'),
  vm: label('vm: the server saw the client’s own address', 'vm: сервер увидел локальный адрес клиента'),
  remote: label(
    'remote: the server saw the address of the hop on the way to it (the router), not the client’s',
    'remote: сервер увидел адрес промежуточного узла на пути к нему (маршрутизатора), а не клиента',
  ),
  echo: label(
    'in every echo connection as many bytes came back as were written (counts compared, not content)',
    'в каждом эхо-соединении байтов вернулось столько же, сколько было записано (сравниваются счётчики, а не содержимое)',
  ),
  chat: label(
    'chat messages reached members on other networks',
    'сообщения чата дошли до участников из других сетей',
  ),
  stopped: label('every program logged its stop', 'каждая программа записала в журнал свою остановку'),
} satisfies Record<Exclude<CheckId, keyof (typeof OWN_CHECK_TITLES)['en']>, Sentence<object>>;

/** A check's result. */
export const CHECK_STATUS = {
  pass: label('✅ pass', '✅ пройдена'),
  fail: label('❌ fail', '❌ не пройдена'),
  'n/a': label('➖ not applicable', '➖ неприменима'),
} satisfies Record<CheckStatus, Sentence<object>>;

/** One sentence per finding of the lab's checks (a student's own programs' are in own-texts.ts). */
export const FINDING_TEXTS = {
  'na-scenario': finding(
    { scenario: 'remote' },
    (p) => `the logs have no client of the scenario \`${p.scenario}\``,
    (p) => `в журналах нет клиента сценария \`${p.scenario}\``,
  ),
  'na-echo': finding(
    {},
    () => 'the logs have no echo connection',
    () => 'в журналах нет ни одного эхо-соединения',
  ),
  'na-chat': finding(
    { scenarios: 'local, vm' },
    (p) => `chat members of at least two scenarios are needed (found: ${p.scenarios || 'none'})`,
    (p) => `нужны участники чата хотя бы из двух сценариев (найдены: ${p.scenarios || 'нет'})`,
  ),
  'na-programs': finding(
    {},
    () => 'the logs have no program',
    () => 'в журналах нет ни одной программы',
  ),
  required: finding(
    { check: 'remote' },
    (p) => `\`--require ${p.check}\`: this part of the lab must be in the logs, and it is not`,
    (p) => `\`--require ${p.check}\`: эта часть работы должна быть в журналах, но её нет`,
  ),
  'no-server-view': finding(
    { client: 'echo-vm', own: '172.28.0.5' },
    (p) => `${p.client} (own address ${p.own}): the server logged no matching connection or member`,
    (p) =>
      `${p.client} (локальный адрес ${p.own}): у сервера нет строки о соответствующем соединении или участнике`,
  ),
  'not-connected': finding(
    { client: 'echo-vm', code: 'ECONNREFUSED' },
    (p) => `${p.client} never connected (${p.code})`,
    (p) => `${p.client}: клиент так и не подключился (${p.code})`,
  ),
  'local-ok': finding(
    { client: 'echo-vm', seen: '172.28.0.1' },
    (p) => `${p.client}: the server saw ${p.seen}, a loopback address`,
    (p) => `${p.client}: сервер увидел ${p.seen} — адрес петлевого интерфейса`,
  ),
  'local-not-loopback': finding(
    { client: 'echo-vm', seen: '172.28.0.1' },
    (p) => `${p.client}: the server saw ${p.seen}, which is not a loopback address`,
    (p) => `${p.client}: сервер увидел ${p.seen}, а это не адрес петлевого интерфейса`,
  ),
  'vm-ok': finding(
    { client: 'echo-vm', seen: '172.28.0.1' },
    (p) => `${p.client}: the server saw ${p.seen}, the client’s own address`,
    (p) => `${p.client}: сервер увидел ${p.seen} — локальный адрес клиента`,
  ),
  'vm-loopback': finding(
    { client: 'echo-vm', seen: '172.28.0.1' },
    (p) =>
      `${p.client}: the server saw ${p.seen}, a loopback address: the client runs on the server’s machine, not on the vm network`,
    (p) =>
      `${p.client}: сервер увидел ${p.seen} — адрес петлевого интерфейса: клиент работает на машине сервера, а не в сети виртуальной машины`,
  ),
  'vm-translated': finding(
    { client: 'echo-vm', seen: '172.28.0.1', own: '172.28.0.5' },
    (p) =>
      `${p.client}: the server saw ${p.seen}, not the client’s own ${p.own}: something translated the address on the way`,
    (p) =>
      `${p.client}: сервер увидел ${p.seen}, а не локальный адрес клиента ${p.own}: по дороге адрес был преобразован`,
  ),
  'remote-ok': finding(
    { client: 'echo-vm', own: '172.28.0.5', seen: '172.28.0.1' },
    (p) =>
      `${p.client} is ${p.own}, the server saw ${p.seen}: the address of the hop on the way to it, not the client’s`,
    (p) =>
      `У ${p.client} адрес ${p.own}, а сервер увидел ${p.seen} — адрес узла на пути к серверу, а не клиента`,
  ),
  'classroom-client-only': finding(
    { client: 'echo-vm', own: '172.28.0.5', dialed: '198.18.8.254:7007' },
    (p) =>
      `${p.client} is ${p.own} and dialed ${p.dialed}; what the server saw is in the teacher’s log (add it: \`--server-log\`)`,
    (p) =>
      `У ${p.client} адрес ${p.own}, клиент подключался к ${p.dialed}; что увидел сервер, записано в журнале преподавателя (добавьте его: \`--server-log\`)`,
  ),
  'classroom-direct': finding(
    { client: 'echo-vm', own: '172.28.0.5', dialed: '198.18.8.254:7007', seen: '172.28.0.1' },
    (p) =>
      `${p.client} is ${p.own} and dialed ${p.dialed}; the server saw ${p.seen}, the client’s own address: no address translation on the way (one network, or routed without NAT)`,
    (p) =>
      `У ${p.client} адрес ${p.own}, клиент подключался к ${p.dialed}; сервер увидел ${p.seen} — локальный адрес клиента: по дороге адрес отправителя не заменялся (одна сеть или маршрутизация без NAT)`,
  ),
  'classroom-translated': finding(
    { client: 'echo-vm', own: '172.28.0.5', dialed: '198.18.8.254:7007', seen: '172.28.0.1' },
    (p) =>
      `${p.client} is ${p.own} and dialed ${p.dialed}; the server saw ${p.seen}, not the client’s own address: something on the way replaced it. Either a NAT rewrote the source of the client’s own packets (the Docker host of the client’s container, a classroom router): one connection, one handshake; or a proxy accepted the connection and opened one of its own to the server (such as docker-proxy of a port published on the server’s host): two connections, and the server sees the proxy’s address. The logs cannot tell the two apart; a capture can (two handshakes with different initial sequence numbers are a proxy)`,
    (p) =>
      `У ${p.client} адрес ${p.own}, клиент подключался к ${p.dialed}; сервер увидел ${p.seen}, а не локальный адрес клиента: по дороге его заменили. Либо NAT переписал адрес отправителя в пакетах самого клиента (хост Docker контейнера клиента, маршрутизатор класса) — соединение одно, рукопожатие одно; либо прокси принял соединение и открыл к серверу своё (например, docker-proxy порта, опубликованного на хосте сервера) — соединений два, и сервер видит адрес прокси. По журналам эти случаи не различить, по захвату пакетов — можно (два рукопожатия с разными начальными номерами последовательности — это прокси)`,
  ),
  'remote-own': finding(
    { client: 'echo-vm', seen: '172.28.0.1' },
    (p) =>
      `${p.client}: the server saw the client’s own address ${p.seen}: no address translation on the way — either the client is on the server’s network, or a router without NAT forwarded it (which keeps the client’s address too); the remote scenario expects the lab router’s NAT`,
    (p) =>
      `${p.client}: сервер увидел локальный адрес клиента ${p.seen}: по дороге адрес не транслировался — клиент либо в сети сервера, либо его пакеты переслал маршрутизатор без NAT (он тоже сохраняет адрес клиента); сценарий remote ожидает NAT маршрутизатора лаборатории`,
  ),
  'echo-server-ok': finding(
    { program: 'lab-server', conn: 3, bytesIn: 22, bytesOut: 22 },
    (p) =>
      `${p.program}, conn ${p.conn}: received ${count('en', Number(p.bytesIn), 'byte')}, the kernel accepted ${count('en', Number(p.bytesOut), 'byte')} of echo`,
    (p) =>
      `${p.program}, соединение ${p.conn}: получено ${count('ru', Number(p.bytesIn), 'byte')}, ядро приняло ${count('ru', Number(p.bytesOut), 'byte')} эха`,
  ),
  'echo-server-diff': finding(
    { program: 'lab-server', conn: 3, bytesIn: 22, bytesOut: 22 },
    (p) =>
      `${p.program}, conn ${p.conn}: received ${count('en', Number(p.bytesIn), 'byte')} but the kernel accepted ${count('en', Number(p.bytesOut), 'byte')} of echo`,
    (p) =>
      `${p.program}, соединение ${p.conn}: получено ${count('ru', Number(p.bytesIn), 'byte')}, а ядро приняло ${count('ru', Number(p.bytesOut), 'byte')} эха`,
  ),
  'echo-client-ok': finding(
    { what: 'echo-vm, conn 1', sent: 22, received: 22 },
    (p) =>
      `${p.what}: handed ${count('en', Number(p.sent), 'byte')} to its socket, read ${count('en', Number(p.received), 'byte')} back`,
    (p) =>
      `${p.what}: передано в сокет ${count('ru', Number(p.sent), 'byte')}, прочитано обратно ${count('ru', Number(p.received), 'byte')}`,
  ),
  'echo-client-diff': finding(
    { what: 'echo-vm, conn 1', sent: 22, received: 22 },
    (p) =>
      `${p.what}: handed ${count('en', Number(p.sent), 'byte')} to its socket but read ${count('en', Number(p.received), 'byte')} back`,
    (p) =>
      `${p.what}: передано в сокет ${count('ru', Number(p.sent), 'byte')}, а прочитано обратно ${count('ru', Number(p.received), 'byte')}`,
  ),
  'echo-pair-diff': finding(
    { what: 'echo-vm, conn 1', sent: 22, conn: 3, serverIn: 20 },
    (p) =>
      `${p.what} handed ${count('en', Number(p.sent), 'byte')} to its socket, but the server (conn ${p.conn}) received ${count('en', Number(p.serverIn), 'byte')}`,
    (p) =>
      `${p.what}: передано в сокет ${count('ru', Number(p.sent), 'byte')}, а сервер (соединение ${p.conn}) получил ${count('ru', Number(p.serverIn), 'byte')}`,
  ),
  'echo-open': finding(
    { what: 'echo-vm, conn 1' },
    (p) => `${p.what}: still open, no final byte counts (stop the lab before collecting the logs)`,
    (p) =>
      `${p.what}: соединение ещё открыто, итоговых счётчиков нет (остановите стенд перед сбором журналов)`,
  ),
  'echo-open-conn': finding(
    { program: 'lab-server', conn: 3 },
    (p) =>
      `${p.program}, conn ${p.conn}: still open, no final byte counts (stop the lab before collecting the logs)`,
    (p) =>
      `${p.program}, соединение ${p.conn}: ещё открыто, итоговых счётчиков нет (остановите стенд перед сбором журналов)`,
  ),
  'chat-ok': finding(
    { from: 'alice', to: 'bob', bytes: 22 },
    (p) => `${p.from} → ${p.to}: ${count('en', Number(p.bytes), 'byte')} arrived`,
    (p) => `${p.from} → ${p.to}: сообщение (${count('ru', Number(p.bytes), 'byte')}) дошло`,
  ),
  'chat-missing': finding(
    { from: 'alice', to: 'bob', bytes: 22 },
    (p) =>
      `${p.from} → ${p.to}: ${count('en', Number(p.bytes), 'byte')} sent while the receiver was in the chat, never received`,
    (p) =>
      `${p.from} → ${p.to}: сообщение (${count('ru', Number(p.bytes), 'byte')}) отправлено, когда получатель был в чате, но так и не получено`,
  ),
  'chat-summarised': finding(
    { from: 'alice', to: 'bob', bytes: 22 },
    (p) =>
      `${p.from} → ${p.to}: ${count('en', Number(p.bytes), 'byte')}, relayed in a busy second (counted in a summary line), not received`,
    (p) =>
      `${p.from} → ${p.to}: сообщение (${count('ru', Number(p.bytes), 'byte')}) переслано в загруженную секунду (учтено в сводной строке), но не получено`,
  ),
  'chat-none-crossed': finding(
    { scenarios: 'local, vm' },
    (p) => `no message went from one network to another (scenarios: ${p.scenarios})`,
    (p) => `ни одно сообщение не прошло из одной сети в другую (сценарии: ${p.scenarios})`,
  ),
  'stop-server-ok': finding(
    { program: 'lab-server' },
    (p) => `${p.program}: server.stopped`,
    (p) => `${p.program}: server.stopped`,
  ),
  'stop-server-missing': finding(
    { program: 'lab-server', last: 'client.connected' },
    (p) => `${p.program}: no server.stopped; its last line is ${p.last}`,
    (p) => `${p.program}: нет server.stopped; последняя строка — ${p.last}`,
  ),
  'stop-server-error': finding(
    { program: 'lab-server', code: 'ECONNREFUSED' },
    (p) => `${p.program}: could not start (${p.code}) and ended there`,
    (p) => `${p.program}: сервер не смог запуститься (${p.code}) и на этом завершил работу`,
  ),
  'stop-client-ok': finding(
    { program: 'lab-server', end: 'client.disconnected', reason: 'peer-closed' },
    (p) => `${p.program}: ${p.end} (${p.reason})`,
    (p) => `${p.program}: ${p.end} (${reasonLabel(String(p.reason), 'ru')})`,
  ),
  'stop-client-missing': finding(
    { program: 'lab-server', end: 'client.disconnected', last: 'client.connected' },
    (p) => `${p.program}: no ${p.end}; its last line is ${p.last} (still running, or killed)`,
    (p) => `${p.program}: нет ${p.end}; последняя строка — ${p.last} (программа ещё работает или была убита)`,
  ),
  'stop-client-error': finding(
    { program: 'lab-server', code: 'ECONNREFUSED' },
    (p) => `${p.program}: never connected (${p.code}) and ended there`,
    (p) => `${p.program}: клиент не подключился (${p.code}) и на этом завершил работу`,
  ),
  'stop-own-exited': finding(
    { role: 'echo-client', program: 'lab-echo-vm', code: 0, last: 'bye' },
    (p) => `${OWN_ROLE.en[String(p.role)] ?? p.role} (${p.program}) ended by itself (exit code ${p.code})`,
    (p) => `${OWN_ROLE.ru[String(p.role)] ?? p.role} (${p.program}) завершился сам (код выхода ${p.code})`,
  ),
  'stop-own-handled': finding(
    { role: 'echo-server', program: 'lab-own-echo-server', code: 0, last: 'Server stopped' },
    (p) =>
      `${OWN_ROLE.en[String(p.role)] ?? p.role} (${p.program}) handled the lab's SIGTERM and ended by itself (exit code ${p.code}); the last line it printed: «${p.last}»`,
    (p) =>
      `${OWN_ROLE.ru[String(p.role)] ?? p.role} (${p.program}) обработал SIGTERM от лаборатории и завершился сам (код выхода ${p.code}); последняя напечатанная строка: «${p.last}»`,
  ),
  'stop-own-killed': finding(
    {
      role: 'echo-server',
      program: 'lab-own-echo-server',
      code: 143,
      signal: 'SIGTERM',
      number: 15,
      grace: 'no',
      last: 'Client left',
      python: 'yes',
    },
    (p) =>
      `${ownKilled('en', p)} The assignment asks the server to print a message when it stops: this run shows none. ${ownKilledFix('en', p)}`,
    (p) =>
      `${ownKilled('ru', p)} Задание требует, чтобы сервер выводил сообщение при остановке: в этом запуске его нет. ${ownKilledFix('ru', p)}`,
  ),
  'stop-own-killed-note': finding(
    {
      role: 'chat-server',
      program: 'lab-own-chat-server',
      code: 143,
      signal: 'SIGTERM',
      number: 15,
      grace: 'no',
      last: 'New member',
      python: 'yes',
    },
    (p) =>
      `${ownKilled('en', p)} A note, not a failure: the assignment asks for such messages only from the echo server (when it stops) and the echo client (when it disconnects from the server). ${ownKilledFix('en', p)}`,
    (p) =>
      `${ownKilled('ru', p)} Это замечание, а не ошибка: такие сообщения задание требует только от эхо-сервера (при остановке) и эхо-клиента (при отключении от сервера). ${ownKilledFix('ru', p)}`,
  ),
  'stop-own-missing': finding(
    { role: 'echo-server', program: 'lab-own-echo-server' },
    (p) =>
      `${OWN_ROLE.en[String(p.role)] ?? p.role} (${p.program}): the logs end before it did (no own.program.exited): still running when the logs were collected, or the lab itself was killed`,
    (p) =>
      `${OWN_ROLE.ru[String(p.role)] ?? p.role} (${p.program}): журнал кончается раньше программы (нет own.program.exited): она ещё работала, когда собирали журналы, или была убита сама лаборатория`,
  ),
  implausible: finding(
    {
      at: 'lab-server.jsonl:12',
      event: 'tcp.connection.closed',
      field: 'bytesIn',
      value: '-5',
      rule: '0, 1, 2, … ≤ 2^53',
    },
    (p) =>
      `${p.at} (${p.event}): ${p.field} = ${p.value} is not a value a socket gives (${p.rule}): the log was edited or damaged`,
    (p) =>
      `${p.at} (${p.event}): ${p.field} = ${p.value} — такого значения сокет дать не может (${p.rule}): журнал изменён или повреждён`,
  ),
  'implausible-more': finding(
    { n: 12 },
    (p) => `and ${p.n} more lines with impossible values`,
    (p) => `и ещё строк с невозможными значениями: ${p.n}`,
  ),
  'stop-own-client-killed': finding(
    {
      role: 'echo-client',
      program: 'lab-echo-local',
      code: 143,
      signal: 'SIGTERM',
      number: 15,
      grace: 'no',
      last: '> ',
      python: 'yes',
    },
    (p) =>
      `${ownKilled('en', p)} The assignment asks the client to print a message when it disconnects from the server (main task 4): the signal ended it with its connection still open (no close() of its own in the trace), and it printed none. ${ownKilledFix('en', p)}`,
    (p) =>
      `${ownKilled('ru', p)} Задание требует, чтобы клиент выводил сообщение при отключении от сервера (пункт 4 основного задания): сигнал завершил его при ещё открытом соединении (своего close() в трассировке нет), и такого сообщения он не вывел. ${ownKilledFix('ru', p)}`,
  ),
  'chat-nobody-yet': finding(
    { from: 'stud-chat-vm (vm)', bytes: 24, later: 'stud-chat-remote (remote)' },
    (p) =>
      `${p.from}: ${count('en', Number(p.bytes), 'byte')} sent before any client of another network joined (${p.later} sent its first datagram later): the server knew nobody to send it to, so it reached no one. A note, not a delivery`,
    (p) =>
      `${p.from}: сообщение (${count('ru', Number(p.bytes), 'byte')}) отправлено раньше, чем в чат вошёл клиент из другой сети (${p.later} отправил первую дейтаграмму позже): сервер ещё не знал, кому его переслать, и его никто не получил. Это замечание, а не доставка`,
  ),
} satisfies Record<Exclude<FindingCode, keyof (typeof OWN_FINDINGS)['en']>, Sentence<P>>;

/** Why the reader skipped a line. */
export const SKIP_CAUSE_TEXTS = {
  'not-json': label(
    'not a JSON object (a truncated or cut line, or plain text)',
    'не JSON-объект (обрезанная строка или просто текст)',
  ),
  foreign: label(
    'JSON from another program (no `event` or `schema`)',
    'JSON другой программы (нет `event` или `schema`)',
  ),
  'unknown-event': label('an event this version does not know', 'событие, которого эта версия не знает'),
  'old-schema': label('an older log schema', 'старая схема журнала'),
  'new-schema': label(
    'a newer log schema (a newer socket-lab wrote it)',
    'более новая схема журнала (её записал более новый socket-lab)',
  ),
  'bad-fields': label(
    'a known event without the fields it must have',
    'известное событие без обязательных полей',
  ),
  'earlier-run': label(
    'from earlier runs (before the latest server start)',
    'из прежних запусков (до последнего старта сервера)',
  ),
} satisfies Record<SkipCause, Sentence<object>>;

/** The steps and participants of the sequence diagrams. */
export const DIAGRAM_TEXTS = {
  server: label('server', 'сервер'),
  router: label('router', 'маршрутизатор'),
  routerNoLog: label('no router log', 'журнала маршрутизатора нет'),
  dnat: sentence(
    { from: '198.18.8.254:7007', to: '198.18.7.10:7007' },
    (p) => `DNAT: destination ${p.from} → ${p.to}`,
    (p) => `DNAT: получатель ${p.from} → ${p.to}`,
  ),
  masquerade: sentence(
    { from: '198.18.8.2:60998', to: '198.18.7.2:60998' },
    (p) => `MASQUERADE: source ${p.from} → ${p.to}`,
    (p) => `MASQUERADE: отправитель ${p.from} → ${p.to}`,
  ),
  forwarded: sentence(
    { source: '198.18.8.2:60998' },
    (p) => `forwarded, source ${p.source} kept`,
    (p) => `переслан, отправитель ${p.source} сохранён`,
  ),
  connect: sentence(
    { local: '172.28.0.5:40312' },
    (p) => `connect() from ${p.local}`,
    (p) => `connect() с адреса ${p.local}`,
  ),
  accept: sentence(
    { connId: 3, remote: '172.28.0.5:40312' },
    (p) => `accept(): conn ${p.connId}, sees ${p.remote}`,
    (p) => `accept(): соединение ${p.connId}, сервер видит ${p.remote}`,
  ),
  portion: sentence(
    { portion: 2, bytes: 22 },
    (p) => `portion ${p.portion}, ${p.bytes} B`,
    (p) => `порция ${p.portion}, ${p.bytes} Б`,
  ),
  echo: sentence(
    { from: 1, to: 3, bytes: 22 },
    (p) =>
      p.from === p.to
        ? `echo of portion ${p.from}: one write(), ${p.bytes} B`
        : `echo of portions ${p.from} to ${p.to}: one write(), ${p.bytes} B`,
    (p) =>
      p.from === p.to
        ? `эхо порции ${p.from}: один write(), ${p.bytes} Б`
        : `эхо порций с ${p.from} по ${p.to}: один write(), ${p.bytes} Б`,
  ),
  back: sentence(
    { bytes: 22 },
    (p) => `${p.bytes} B back`,
    (p) => `${p.bytes} Б обратно`,
  ),
  collapsed: sentence(
    { sent: 40, sentBytes: 2048, echoed: 2, echoedBytes: 2048 },
    (p) =>
      `${p.sent} portions handed to the socket (${p.sentBytes} B), ${p.echoed} echoed (${p.echoedBytes} B)`,
    (p) =>
      `порций передано в сокет: ${p.sent} (${p.sentBytes} Б), возвращено эхом: ${p.echoed} (${p.echoedBytes} Б)`,
  ),
  summary: sentence(
    { portions: 5, bytes: 22 },
    (p) => `${p.portions} more portions echoed, ${p.bytes} B (summary line)`,
    (p) => `ещё порций возвращено: ${p.portions}, ${p.bytes} Б (сводная строка)`,
  ),
  fin: label('FIN: nothing more to send', 'FIN: больше данных не будет'),
  closed: sentence(
    { reason: 'peer-closed', reset: false, bytesIn: 22, bytesOut: 22 } as {
      reason: string;
      reset?: boolean;
      bytesIn: number;
      bytesOut: number;
    },
    (p) =>
      `${p.reason === 'peer-reset' ? 'RST from the client' : p.reset ? 'RST' : p.reason === 'error' ? 'socket error' : 'FIN'}, closed (${p.reason}): ${p.bytesIn} B read, ${p.bytesOut} B taken by the kernel`,
    (p) =>
      `${p.reason === 'peer-reset' ? 'RST от клиента' : p.reset ? 'RST' : p.reason === 'error' ? 'ошибка сокета' : 'FIN'}, закрыто (${reasonLabel(p.reason, 'ru')}): прочитано ${p.bytesIn} Б, ядро приняло ${p.bytesOut} Б`,
  ),
  disconnected: sentence(
    { reason: 'peer-closed', sent: 22, received: 22 },
    (p) => `disconnected (${p.reason}): ${p.sent} B written, ${p.received} B read`,
    (p) => `отключился (${reasonLabel(p.reason, 'ru')}): записано ${p.sent} Б, прочитано ${p.received} Б`,
  ),
  error: sentence(
    { code: 'ECONNREFUSED' },
    (p) => `error ${p.code}`,
    (p) => `ошибка ${p.code}`,
  ),
  hello: sentence(
    { nick: 'alice' },
    (p) => `HELLO as ${p.nick}`,
    (p) => `HELLO с ником ${p.nick}`,
  ),
  cookie: sentence(
    { bytes: 22 },
    (p) => `COOKIE, ${p.bytes} B`,
    (p) => `COOKIE, ${p.bytes} Б`,
  ),
  join: label('JOIN with the cookie', 'JOIN с маркером подтверждения'),
  member: sentence(
    { nick: 'alice', remote: '172.28.0.5:40312' },
    (p) => `member ${p.nick}, sees ${p.remote}`,
    (p) => `участник ${p.nick}, сервер видит ${p.remote}`,
  ),
  welcome: sentence(
    { members: 2 },
    (p) => `WELCOME, ${count('en', p.members, 'member')}`,
    (p) => `WELCOME, участников: ${p.members}`,
  ),
  msg: sentence(
    { bytes: 22 },
    (p) => `MSG, ${p.bytes} B`,
    (p) => `MSG, ${p.bytes} Б`,
  ),
  relayed: sentence(
    { recipients: 2 },
    (p) => `relayed as ${count('en', p.recipients, 'datagram')}`,
    (p) => `разослано: ${count('ru', p.recipients, 'datagram')}`,
  ),
  from: sentence(
    { nick: 'alice', bytes: 22 },
    (p) => `FROM ${p.nick}, ${p.bytes} B`,
    (p) => `FROM ${p.nick}, ${p.bytes} Б`,
  ),
  joinedOther: sentence(
    { nick: 'alice' },
    (p) => `JOINED ${p.nick}`,
    (p) => `JOINED ${p.nick}`,
  ),
  leftOther: sentence(
    { nick: 'alice' },
    (p) => `LEFT ${p.nick}`,
    (p) => `LEFT ${p.nick}`,
  ),
  leave: label('LEAVE', 'LEAVE'),
  memberLeft: sentence(
    { nick: 'alice', reason: 'peer-closed' },
    (p) => `${p.nick} left (${p.reason})`,
    (p) => `${p.nick}: выход из чата (${reasonLabel(p.reason, 'ru')})`,
  ),
  lost: sentence(
    { reason: 'peer-closed' },
    (p) => `server lost (${p.reason})`,
    (p) => `связь с сервером потеряна (${reasonLabel(p.reason, 'ru')})`,
  ),
  truncated: sentence(
    { n: 12 },
    (p) => `${p.n} more steps: see the timeline`,
    (p) => `ещё шагов: ${p.n}, см. хронологию`,
  ),
  laterViaRouter: label(
    // A note over the router, under the diagram's label limit (64 characters).
    'every later packet of a remote client passes it too, both ways',
    'все следующие пакеты удалённых клиентов тоже идут через него',
  ),
};

/** The report's texts in one language, as the renderers take them: a view of the catalogues above. */
export interface Texts {
  title: string;
  generated: (p: { lines: number; used: number; sources: number; from: string; to: string }) => string;
  noRecords: string;
  /** Which report and which log schema made this document (test/report-examples checks docs/examples). */
  provenance: (p: { revision: number; schemas: string }) => string;
  runNote: (p: { start: string; earlier: number }) => string;
  allRunsNote: string;
  checksLine: (p: { pass: number; fail: number; na: number }) => string;
  sourcesHeading: string;
  sourcesHeader: [string, string, string, string, string, string];
  serverHeading: string;
  serverListens: (p: { protocol: string; endpoint: string }) => string;
  serverStarted: (p: { program: string; host: string; time: string }) => string;
  serverStopped: (p: { time: string; signal: string }) => string;
  serverNotStopped: string;
  serverOrphans: (p: { n: number }) => string;
  scenarioHeading: (name: string) => string;
  scenarioAbout: Record<string, string>;
  hostsHeading: string;
  hostsHeader: [string, string, string, string, string, string];
  matchEndpoint: string;
  matchNat: string;
  matchNick: string;
  matchNone: string;
  neverConnected: (code: string) => string;
  connLabel: (p: { program: string; conn: number }) => string;
  bytesHeading: string;
  echoBytesHeader: [string, string, string, string, string, string];
  chatBytesHeader: [string, string, string, string];
  diagramHeading: string;
  timelineHeading: string;
  timelineHeader: [string, string, string, string];
  collapsedRows: (p: { n: number }) => string;
  /** A remote plain chat client's silence outlasted the router's UDP mapping (chat-nat.ts). */
  natGap: (p: NatGapParams) => string;
  chatHeading: string;
  chatAbout: string;
  checksHeading: string;
  checksHeader: [string, string, string];
  evidenceHeading: string;
  checkTitle: Record<CheckId, string>;
  status: Record<CheckStatus, string>;
  finding: Record<FindingCode, (p: P) => string>;
  skippedHeading: string;
  /** The appendix: the evidence (sources, timelines, diagrams, checks) behind the sections above. */
  appendixHeading: string;
  appendixAbout: string;
  skippedNone: string;
  skippedHeader: [string, string, string];
  skipCause: Record<SkipCause, string>;
  diagram: {
    server: string;
    /** The lab's router between the remote clients and the server (diagram.ts). */
    router: string;
    routerNoLog: string;
    /** The router's rewrites of a session's first packet: destination, then source. */
    dnat: (p: { from: string; to: string }) => string;
    masquerade: (p: { from: string; to: string }) => string;
    forwarded: (p: { source: string }) => string;
    connect: (p: { local: string }) => string;
    accept: (p: { connId: number; remote: string }) => string;
    portion: (p: { portion: number; bytes: number }) => string;
    /** One write() of the echo: the whole read, portions `from`..`to`. */
    echo: (p: { from: number; to: number; bytes: number }) => string;
    back: (p: { bytes: number }) => string;
    collapsed: (p: { sent: number; sentBytes: number; echoed: number; echoedBytes: number }) => string;
    summary: (p: { portions: number; bytes: number }) => string;
    fin: string;
    /** `reset`: the connection ended with RST (the log's `reset` field), whatever its reason. */
    closed: (p: { reason: string; reset?: boolean; bytesIn: number; bytesOut: number }) => string;
    disconnected: (p: { reason: string; sent: number; received: number }) => string;
    error: (p: { code: string }) => string;
    hello: (p: { nick: string }) => string;
    cookie: (p: { bytes: number }) => string;
    join: string;
    member: (p: { nick: string; remote: string }) => string;
    welcome: (p: { members: number }) => string;
    msg: (p: { bytes: number }) => string;
    relayed: (p: { recipients: number }) => string;
    from: (p: { nick: string; bytes: number }) => string;
    joinedOther: (p: { nick: string }) => string;
    leftOther: (p: { nick: string }) => string;
    leave: string;
    memberLeft: (p: { nick: string; reason: string }) => string;
    lost: (p: { reason: string }) => string;
    truncated: (p: { n: number }) => string;
    laterViaRouter: string;
  };
}

const columns = (table: string, lang: Lang): string[] =>
  Object.entries(REPORT_COLUMNS)
    .filter(([k]) => k.startsWith(`${table}.`))
    .map(([, e]) => e[lang]({}));

/** Every entry of `cat` in `lang`: labels as strings, sentences as functions of their parameters. */
function labels<K extends string>(cat: Record<K, Sentence<object>>, lang: Lang): Record<K, string> {
  return Object.fromEntries(
    Object.entries<Sentence<object>>(cat).map(([k, e]) => [k, e[lang]({})]),
  ) as Record<K, string>;
}

function textsIn(lang: Lang): Texts {
  const R = REPORT_TEXTS;
  const D = DIAGRAM_TEXTS;
  const s = (e: Sentence<object>) => e[lang]({});
  const f =
    <Q>(e: Sentence<Q>) =>
    (p: Q) =>
      e[lang](p);
  return {
    title: s(R.title),
    generated: f(R.generated),
    noRecords: s(R.noRecords),
    provenance: f(R.provenance),
    runNote: f(R.runNote),
    allRunsNote: s(R.allRunsNote),
    checksLine: f(R.checksLine),
    sourcesHeading: s(R.sourcesHeading),
    sourcesHeader: columns('sources', lang) as Texts['sourcesHeader'],
    serverHeading: s(R.serverHeading),
    serverListens: f(R.serverListens),
    serverStarted: f(R.serverStarted),
    serverStopped: f(R.serverStopped),
    serverNotStopped: s(R.serverNotStopped),
    serverOrphans: f(R.serverOrphans),
    scenarioHeading: (name) => R.scenarioHeading[lang]({ name }),
    scenarioAbout: labels(SCENARIO_ABOUT, lang),
    hostsHeading: s(R.hostsHeading),
    hostsHeader: columns('hosts', lang) as Texts['hostsHeader'],
    matchEndpoint: s(R.matchEndpoint),
    matchNat: s(R.matchNat),
    matchNick: s(R.matchNick),
    matchNone: s(R.matchNone),
    neverConnected: (code) => R.neverConnected[lang]({ code }),
    connLabel: f(R.connLabel),
    bytesHeading: s(R.bytesHeading),
    echoBytesHeader: columns('echo-bytes', lang) as Texts['echoBytesHeader'],
    chatBytesHeader: columns('chat-bytes', lang) as Texts['chatBytesHeader'],
    diagramHeading: s(R.diagramHeading),
    timelineHeading: s(R.timelineHeading),
    timelineHeader: columns('timeline', lang) as Texts['timelineHeader'],
    collapsedRows: f(R.collapsedRows),
    natGap: f(R.natGap),
    chatHeading: s(R.chatHeading),
    chatAbout: s(R.chatAbout),
    checksHeading: s(R.checksHeading),
    checksHeader: columns('checks', lang) as Texts['checksHeader'],
    evidenceHeading: s(R.evidenceHeading),
    checkTitle: { ...OWN_CHECK_TITLES[lang], ...labels(CHECK_TITLES, lang) },
    status: labels(CHECK_STATUS, lang),
    finding: {
      ...OWN_FINDINGS[lang],
      ...(Object.fromEntries(
        Object.entries<Sentence<P>>(FINDING_TEXTS).map(([k, e]) => [k, (p: P) => e[lang](p)]),
      ) as Record<keyof typeof FINDING_TEXTS, (p: P) => string>),
    },
    skippedHeading: s(R.skippedHeading),
    appendixHeading: s(R.appendixHeading),
    appendixAbout: s(R.appendixAbout),
    skippedNone: s(R.skippedNone),
    skippedHeader: columns('skipped', lang) as Texts['skippedHeader'],
    skipCause: labels(SKIP_CAUSE_TEXTS, lang),
    diagram: {
      server: s(D.server),
      router: s(D.router),
      routerNoLog: s(D.routerNoLog),
      dnat: f(D.dnat),
      masquerade: f(D.masquerade),
      forwarded: f(D.forwarded),
      connect: f(D.connect),
      accept: f(D.accept),
      portion: f(D.portion),
      echo: f(D.echo),
      back: f(D.back),
      collapsed: f(D.collapsed),
      summary: f(D.summary),
      fin: s(D.fin),
      closed: f(D.closed),
      disconnected: f(D.disconnected),
      error: f(D.error),
      hello: f(D.hello),
      cookie: f(D.cookie),
      join: s(D.join),
      member: f(D.member),
      welcome: f(D.welcome),
      msg: f(D.msg),
      relayed: f(D.relayed),
      from: f(D.from),
      joinedOther: f(D.joinedOther),
      leftOther: f(D.leftOther),
      leave: s(D.leave),
      memberLeft: f(D.memberLeft),
      lost: f(D.lost),
      truncated: f(D.truncated),
      laterViaRouter: s(D.laterViaRouter),
    },
  };
}

export const TEXTS: Record<Lang, Texts> = { en: textsIn('en'), ru: textsIn('ru') };

/** The sentence for one finding, in `lang`. */
export function describeFinding(f: Finding, lang: Lang): string {
  return TEXTS[lang].finding[f.code](f.params);
}
