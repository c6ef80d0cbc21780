/**
 * The course's own report, in its order, from this run: title block, goal, the main task's four
 * items, the extra tasks, the seven control questions answered with this run's lines and numbers,
 * and conclusions from the checks. Everything it states comes from the logs; where the run holds no
 * evidence for a point, it says so and gives the command that would show it.
 */
import type { Lang } from '../log/events.js';
import { reasonLabel } from '../text/reasons.js';
import { SCREEN } from '../text/screen.js';
import { count } from '../text/plural.js';
import {
  type ChatSession,
  type EchoSession,
  type LabModel,
  type ScenarioView,
  numField as num,
  strField as str,
} from './aggregate.js';
import type { CheckResult } from './check.js';
import { addressOf, isLoopback, splitEndpoint } from './endpoint.js';
import { type SentLine, lineText, sentLines } from './lines.js';
import type { LogRecord } from './parse.js';
import { type Topology, topology } from './topology.js';

/** Title block values; unset ones become marked placeholders. */
export interface TitleInfo {
  student?: string | undefined;
  group?: string | undefined;
}

/** What the course sections need from the Markdown renderer (escaping, figures, evidence lines). */
export interface CourseKit {
  lang: Lang;
  text: (s: string) => string;
  code: (s: string, inTable?: boolean) => string;
  clock: (ms: number) => string;
  explain: (r: LogRecord) => string;
  table: (header: readonly string[], rows: readonly (readonly string[])[]) => string[];
  topologyFigure: (t: Topology) => string[];
  /** The extra sections others add per scenario (see ExtraSections in markdown.ts). */
  extra: (view: ScenarioView) => string[];
  checkTitle: (c: CheckResult) => string;
  status: (c: CheckResult) => string;
}

const L = (lang: Lang, en: string, ru: string) => (lang === 'ru' ? ru : en);
const bytes = (lang: Lang, n: number) => count(lang, n, 'byte');
/** "1034 байта", or "1024 + 10 = 1034 байта": the noun agrees with the number it follows. */
const sumBytes = (lang: Lang, parts: readonly number[]) =>
  parts.length === 1
    ? bytes(lang, parts[0] ?? 0)
    : `${parts.join(' + ')} = ${bytes(
        lang,
        parts.reduce((a, b) => a + b, 0),
      )}`;
const ms = (lang: Lang, n: number) => `${Math.max(0, Math.round(n))} ${L(lang, 'ms', 'мс')}`;

/** The chunk size the server was started with (its `server.starting` config), or the default. */
export function chunkSizeOf(model: LabModel): number {
  const config = model.servers[0]?.starting?.fields.config;
  const v = config && typeof config === 'object' ? (config as Record<string, unknown>).chunkSize : undefined;
  return typeof v === 'number' && v > 0 ? v : 1024;
}

/** The course sections of the report (everything before the appendix). */
export function courseSections(
  model: LabModel,
  checks: readonly CheckResult[],
  title: TitleInfo,
  k: CourseKit,
  extras: Readonly<Record<number, string>> = {},
): string[] {
  const { lang } = k;
  const chunk = chunkSizeOf(model);
  const lines = new Map<EchoSession, SentLine[] | undefined>();
  for (const s of model.echo) lines.set(s, sentLines(s, chunk));
  const ctx: Ctx = { model, checks, k, lang, chunk, lines, extras };
  return [
    ...titleBlock(ctx, title),
    `## ${L(lang, 'Goal', 'Цель работы')}`,
    '',
    L(
      lang,
      'Learn how programs talk over TCP and UDP sockets: write a TCP echo server that reads what a client sends in 1 KB portions and returns it, a TCP client that sends lines typed by its user, and a multi-user chat over UDP; see which address the server sees when the client is on the same machine, on a virtual machine’s network, and on another network.',
      'Изучить обмен данными между программами через сокеты TCP и UDP: написать эхо-сервер TCP, который читает присланное клиентом порциями по 1 КБ и возвращает обратно, TCP-клиент, отправляющий строки, введённые пользователем, и многопользовательский чат на UDP; увидеть, какой адрес видит сервер, когда клиент работает на той же машине, в сети виртуальной машины и в другой сети.',
    ),
    '',
    ...mainTask(ctx),
    ...extraTasks(ctx),
    ...questions(ctx),
    ...conclusions(ctx),
  ];
}

interface Ctx {
  model: LabModel;
  checks: readonly CheckResult[];
  k: CourseKit;
  lang: Lang;
  chunk: number;
  lines: Map<EchoSession, SentLine[] | undefined>;
  /** Markdown others add under a question (by number). */
  extras: Readonly<Record<number, string>>;
}

// ---- title block ------------------------------------------------------------------------------

function titleBlock(c: Ctx, title: TitleInfo): string[] {
  const { lang, k, model } = c;
  const records = model.timeline.records;
  const placeholder = (what: string, env: string, flag: string) =>
    `**[${L(lang, `not set: ${what}`, `не указано: ${what}`)}]** (${L(lang, 'set', 'задайте')} \`${env}\` ${L(lang, 'in .env or', 'в .env или')} \`${flag}\`)`;
  const student = title.student?.trim()
    ? k.text(title.student.trim())
    : placeholder(L(lang, 'student', 'ФИО студента'), 'LAB_STUDENT', '--student');
  const group = title.group?.trim()
    ? k.text(title.group.trim())
    : placeholder(L(lang, 'group', 'группа'), 'LAB_GROUP', '--group');
  const first = records[0]?.time;
  const last = records[records.length - 1]?.time;
  const date =
    first === undefined
      ? '-'
      : `${new Date(first).toISOString().slice(0, 10)}, ${k.clock(first)}–${k.clock(last ?? first)} UTC`;
  const ran = model.programs.map((p) => {
    const role =
      p.kind === 'server'
        ? L(lang, 'TCP echo and UDP chat server', 'эхо-сервер TCP и чат-сервер UDP')
        : p.kind === 'chat-client'
          ? L(lang, `chat client, scenario ${p.scenario ?? '-'}`, `чат-клиент, сценарий ${p.scenario ?? '-'}`)
          : L(
              lang,
              `echo client, scenario ${p.scenario ?? '-'}`,
              `эхо-клиент, сценарий ${p.scenario ?? '-'}`,
            );
    return `${k.code(p.label)} (${k.text(role)})`;
  });
  return [
    k.table(
      [L(lang, 'Field', 'Поле'), L(lang, 'Value', 'Значение')],
      [
        [L(lang, 'Student', 'Студент'), student],
        [L(lang, 'Group', 'Группа'), group],
        [L(lang, 'Date of the run', 'Дата запуска'), date],
        [L(lang, 'What was run', 'Что запускалось'), ran.join(', ') || '-'],
      ],
    ),
    [''],
  ].flat();
}

// ---- main task --------------------------------------------------------------------------------

const SERVER_EVENTS: Array<{ event: string; en: string; ru: string }> = [
  { event: 'server.starting', en: 'server start', ru: 'запуск сервера' },
  { event: 'server.listening', en: 'start of listening on the port', ru: 'начало прослушивания порта' },
  { event: 'tcp.connection.accepted', en: 'client connection', ru: 'подключение клиента' },
  { event: 'tcp.data.received', en: 'data received from the client', ru: 'приём данных от клиента' },
  { event: 'tcp.data.sent', en: 'data sent to the client', ru: 'отправка данных клиенту' },
  { event: 'tcp.connection.closed', en: 'client disconnection', ru: 'отключение клиента' },
  { event: 'server.stopped', en: 'server stop', ru: 'остановка сервера' },
];

const CLIENT_EVENTS: Array<{ event: string; en: string; ru: string }> = [
  { event: 'client.connected', en: 'connection to the server', ru: 'подключение к серверу' },
  { event: 'client.disconnected', en: 'disconnection from the server', ru: 'отключение от сервера' },
  { event: 'client.data.sent', en: 'data sent to the server', ru: 'отправка данных серверу' },
  { event: 'client.data.received', en: 'data received from the server', ru: 'получение данных от сервера' },
];

function eventRows(c: Ctx, wanted: typeof SERVER_EVENTS, records: readonly LogRecord[]): string[][] {
  const { k, lang } = c;
  return wanted.map((w) => {
    const r = records.find(
      (x) => x.event === w.event && (w.event !== 'server.listening' || str(x, 'protocol') === 'tcp'),
    );
    return [
      L(lang, w.en, w.ru),
      k.code(w.event),
      r ? k.clock(r.time) : '-',
      r
        ? `${k.text(k.explain(r))} (${k.code(`${r.source}:${r.line}`)})`
        : L(lang, '*not in this run’s logs*', '*в журналах этого запуска нет*'),
    ];
  });
}

function mainTask(c: Ctx): string[] {
  const { k, lang, model } = c;
  const out = [`## ${L(lang, 'Main task', 'Основное задание')}`, ''];
  const head = [
    L(lang, 'event', 'событие'),
    L(lang, 'log event', 'событие журнала'),
    L(lang, 'time (UTC)', 'время (UTC)'),
    L(lang, 'the line of this run', 'строка этого запуска'),
  ];

  out.push(`### ${L(lang, '1. TCP echo server: 1 KB portions', '1. Эхо-сервер TCP: порции по 1 КБ')}`, '');
  out.push(...portionsSection(c));

  out.push(`### ${L(lang, '2. The server’s service messages', '2. Служебные сообщения сервера')}`, '');
  out.push(
    L(
      lang,
      'The seven events the assignment names, each as the first such line the server logged in this run, with its explanation:',
      'Семь событий из задания — каждое первой такой строкой, которую сервер записал в этом запуске, с пояснением:',
    ),
    '',
  );
  const serverRecords = model.servers.flatMap((s) => s.program.records);
  out.push(...k.table(head, eventRows(c, SERVER_EVENTS, serverRecords)), '');

  out.push(
    `### ${L(lang, '3. TCP client: lines from standard input', '3. TCP-клиент: строки со стандартного ввода')}`,
    '',
  );
  out.push(
    L(
      lang,
      'What each echo client sent (a line typed by the student or given with `--say`) and what came back. Texts are shown escaped (`\\n` is the newline); a long line shows its start and its size in bytes.',
      'Что отправил каждый эхо-клиент (строку, введённую студентом или заданную `--say`) и что вернулось. Тексты показаны с экранированием (`\\n` — перевод строки); у длинной строки показано начало и размер в байтах.',
    ),
    '',
  );
  out.push(...conversation(c, model.echo), '');

  out.push(`### ${L(lang, '4. The client’s service messages', '4. Служебные сообщения клиента')}`, '');
  const session =
    model.echo.find(
      (s) => s.connected && s.disconnected && s.records.some((r) => r.event === 'client.data.received'),
    ) ?? model.echo[0];
  if (!session) {
    out.push(L(lang, 'No echo client in this run’s logs.', 'В журналах этого запуска нет эхо-клиента.'), '');
  } else {
    out.push(
      L(
        lang,
        `The four events of ${k.code(session.program.label)}:`,
        `Четыре события клиента ${k.code(session.program.label)}:`,
      ),
      '',
      ...k.table(head, eventRows(c, CLIENT_EVENTS, session.records)),
      '',
    );
  }
  return out;
}

/** Item 1: a line longer than one portion, and how the server's log shows it. */
function portionsSection(c: Ctx): string[] {
  const { k, lang, chunk, model } = c;
  const out: string[] = [];
  let found: { s: EchoSession; line: SentLine } | undefined;
  for (const s of model.echo) {
    const line = c.lines.get(s)?.find((l) => l.bytes > chunk && l.portions.length > 0);
    if (line) {
      found = { s, line };
      break;
    }
  }
  out.push(
    L(
      lang,
      `The server reads whatever the kernel has for a connection (up to 64 KiB per read) and handles it in portions of at most ${bytes(lang, chunk)} (\`--chunk-size\`): each portion is logged and written back. A portion is a slice of one read, not a separate recv() call, and not a TCP segment either: segment sizes are set by the MSS (about 1460 bytes on Ethernet, up to 64 KiB on loopback), and one read may hold several segments or part of one.`,
      `Сервер читает всё, что ядро уже получило по соединению (до 64 КиБ за одно чтение), и обрабатывает прочитанное порциями не больше ${bytes(lang, chunk)} (\`--chunk-size\`): каждая порция записывается в журнал и отправляется обратно. Порция — это кусок одного чтения, а не отдельный вызов recv() и не TCP-сегмент: размер сегментов определяет MSS (около 1460 байт в Ethernet, до 64 КиБ на loopback), а одно чтение может вместить несколько сегментов или часть одного.`,
    ),
    '',
  );
  if (!found) {
    out.push(
      L(
        lang,
        `**No line in this run was longer than ${bytes(lang, chunk)}**, so the logs show no line split into portions. To see it, send one, e.g.:`,
        `**Ни одна строка в этом запуске не была длиннее ${bytes(lang, chunk)}**, поэтому деления строки на порции журналы не показывают. Чтобы увидеть его, отправьте такую строку, например:`,
      ),
      '',
      '```sh',
      `node -e "console.log('x'.repeat(2500))" | npx socket-lab echo --host 127.0.0.1 --log-format json`,
      '```',
      '',
    );
    return out;
  }
  const { s, line } = found;
  const sizes = line.portions.map((r) => num(r, 'bytes') ?? 0);
  const nums = line.portions.map((r) => num(r, 'portion') ?? 0);
  const writes = line.writes.map((r) => num(r, 'bytes') ?? 0);
  const reads = line.reads.map((r) => num(r, 'bytes') ?? 0);
  const t = lineText(line);
  const conn = s.server ? s.server.connId : '?';
  out.push(
    L(
      lang,
      `In this run ${k.code(s.program.label)} sent a line of **${bytes(lang, line.bytes)}**${t ? ` (${k.code(t.text, false)}${t.cut ? '…' : ''})` : ''}. Its client wrote it as ${writes.length} write() calls of ${writes.join(' + ')} bytes. The server (connection ${conn}) logged it as portions #${nums[0]}–#${nums[nums.length - 1]}: **${sizes.join(' + ')} = ${sizes.reduce((a, b) => a + b, 0)} bytes**, and wrote each one back. The client read the echo back in ${reads.length} read(s): ${reads.join(' + ')} bytes — a read returns what has arrived, whatever the sender’s portions were${reads.some((b) => b > line.bytes) ? ' (a read may also hold bytes of the neighbouring lines)' : ''}.`,
      `В этом запуске ${k.code(s.program.label)} отправил строку длиной **${bytes(lang, line.bytes)}**${t ? ` (${k.code(t.text, false)}${t.cut ? '…' : ''})` : ''}. Клиент записал её в сокет, вызовов write(): ${writes.length} (${sumBytes(lang, writes)}). Сервер (соединение ${conn}) записал её в журнал как порции №${nums[0]}–№${nums[nums.length - 1]}: **${sizes.join(' + ')} = ${bytes(
        lang,
        sizes.reduce((a, b) => a + b, 0),
      )}** и отправил каждую обратно. Клиент прочитал эхо, чтений: ${reads.length} (${sumBytes(lang, reads)}) — чтение возвращает то, что уже пришло, независимо от порций отправителя${reads.some((b) => b > line.bytes) ? ' (в одно чтение могут попасть и байты соседних строк)' : ''}.`,
    ),
    '',
  );
  const rows = line.portions.map((r) => [
    k.clock(r.time),
    `#${num(r, 'portion') ?? '?'}`,
    String(num(r, 'bytes') ?? '?'),
    k.code(str(r, 'preview') ?? ''),
    k.code(`${r.source}:${r.line}`),
  ]);
  out.push(
    ...k.table(
      [
        L(lang, 'time (UTC)', 'время (UTC)'),
        L(lang, 'portion', 'порция'),
        L(lang, 'bytes', 'байт'),
        L(lang, 'start of the portion', 'начало порции'),
        L(lang, 'log line', 'строка журнала'),
      ],
      rows,
    ),
    '',
  );
  const split = line.portions.find((r) => (str(r, 'preview') ?? '').startsWith('\uFFFD'));
  if (split) {
    out.push(
      L(
        lang,
        `Portion #${num(split, 'portion')} starts with \`�\`: a portion boundary fell inside a two-byte UTF-8 letter. The server echoes bytes, so the letter arrives whole at the client; only the log’s preview of one portion cannot show half a letter.`,
        `Порция №${num(split, 'portion')} начинается с \`�\`: граница порции пришлась на середину двухбайтовой буквы UTF-8. Сервер возвращает байты, поэтому клиент получает букву целой; лишь предпросмотр одной порции в журнале не может показать половину буквы.`,
      ),
      '',
    );
  }
  return out;
}

function conversation(c: Ctx, sessions: readonly EchoSession[]): string[] {
  const { k, lang } = c;
  const rows: string[][] = [];
  for (const s of sessions) {
    if (!s.connected) continue;
    const lines = c.lines.get(s);
    if (!lines) {
      rows.push([
        k.code(s.program.label),
        L(
          lang,
          '*many lines: counted in summary lines, see the appendix*',
          '*много строк: учтены в сводных строках, см. приложение*',
        ),
        '',
        '',
      ]);
      continue;
    }
    for (const line of lines) {
      const t = lineText(line);
      const echoed = line.reads.length > 0;
      rows.push([
        k.code(s.program.label),
        t
          ? `${k.code(t.text)}${t.cut ? '…' : ''}`
          : L(lang, '*(text not in the logs)*', '*(текста в журналах нет)*'),
        String(line.bytes),
        echoed
          ? L(lang, `came back (${line.reads.length} read(s))`, `вернулась (чтений: ${line.reads.length})`)
          : L(lang, 'no echo logged', 'эхо не записано'),
      ]);
    }
    const d = s.disconnected;
    if (d) {
      rows.push([
        k.code(s.program.label),
        L(
          lang,
          `*end: ${reasonLabel(str(d, 'reason') ?? '?', lang)}*`,
          `*конец: ${reasonLabel(str(d, 'reason') ?? '?', lang)}*`,
        ),
        String(num(d, 'bytesSent') ?? '?'),
        L(
          lang,
          `received ${num(d, 'bytesReceived') ?? '?'} in all`,
          `всего получено ${num(d, 'bytesReceived') ?? '?'}`,
        ),
      ]);
    }
  }
  if (rows.length === 0)
    return [
      L(lang, 'No echo client connected in this run.', 'В этом запуске ни один эхо-клиент не подключился.'),
    ];
  return k.table(
    [
      L(lang, 'client', 'клиент'),
      L(lang, 'line sent', 'отправленная строка'),
      L(lang, 'bytes', 'байт'),
      L(lang, 'echo', 'эхо'),
    ],
    rows,
  );
}

// ---- extra tasks ------------------------------------------------------------------------------

function whySeen(c: Ctx, s: EchoSession | ChatSession): string {
  const { lang } = c;
  const isEcho = 'connected' in s;
  const seen = isEcho ? s.server?.remote : s.member?.remote;
  if (!(isEcho ? s.connected : s.joined)) return L(lang, 'never connected', 'не подключился');
  if (!seen || !s.local)
    return L(lang, 'the server’s side is not in the logs', 'строки сервера в журналах нет');
  if (isLoopback(seen))
    return L(
      lang,
      'it dialed 127.0.0.1: the packets never left the server’s host (the loopback interface), so both ends are loopback addresses',
      'клиент подключался к 127.0.0.1: пакеты не покидали хост сервера (интерфейс loopback), поэтому оба конца — адреса loopback',
    );
  if (addressOf(seen) === addressOf(s.local))
    return L(
      lang,
      'client and server are on one network: the packets went straight from the client’s address to the server’s, nothing rewrote them',
      'клиент и сервер в одной сети: пакеты шли прямо с адреса клиента на адрес сервера, никто их не переписывал',
    );
  const samePort = splitEndpoint(seen).port === splitEndpoint(s.local).port;
  return samePort
    ? L(
        lang,
        'the server saw another address with the client’s own port: a hop in front of it rewrote the source address (address translation, masquerading)',
        'сервер увидел другой адрес с собственным портом клиента: узел перед сервером переписал адрес отправителя (трансляция адресов, маскарадинг)',
      )
    : L(
        lang,
        'the server saw another address and another port: the client reached a hop (the published port), and the hop opened its own connection (or sent its own datagrams) to the server — Docker’s userland proxy does exactly this; address translation alone (DNAT) would have kept the client’s address',
        'сервер увидел другой адрес и другой порт: клиент обратился к промежуточному узлу (опубликованному порту), а тот открыл к серверу своё соединение (или отправил свои дейтаграммы) — именно так работает прокси Docker в пространстве пользователя; одна лишь трансляция адресов (DNAT) сохранила бы адрес клиента',
      );
}

function extraTasks(c: Ctx): string[] {
  const { k, lang, model } = c;
  const out = [`## ${L(lang, 'Extra tasks', 'Дополнительные задания')}`, ''];
  out.push(
    `### ${L(lang, 'Connection from the local machine, a virtual machine and a remote machine', 'Подключение с локальной машины, с виртуальной машины и с удалённой машины')}`,
    '',
  );
  const listening = model.servers
    .flatMap((s) => s.listening)
    .map((r) => `${str(r, 'protocol')?.toUpperCase()} ${str(r, 'address')}:${num(r, 'port')}`);
  if (listening.length > 0) {
    out.push(
      L(
        lang,
        `The server listens on ${listening.map((x) => k.code(x, false)).join(', ')}: 0.0.0.0 means every address of its host, so clients can reach it on any of them.`,
        `Сервер слушает ${listening.map((x) => k.code(x, false)).join(', ')}: 0.0.0.0 означает все адреса его хоста, поэтому клиенты могут обратиться к нему по любому из них.`,
      ),
      '',
    );
  }
  const sections = model.scenarios;
  if (sections.length === 0)
    out.push(L(lang, 'No client in this run’s logs.', 'В журналах этого запуска нет клиентов.'), '');
  for (const view of sections) {
    out.push(`#### ${L(lang, 'Scenario', 'Сценарий')} ${k.code(view.name, false)}`, '');
    const sessions: Array<EchoSession | ChatSession> = [...view.echo, ...view.chat];
    out.push(
      ...k.table(
        [
          L(lang, 'client', 'клиент'),
          L(lang, 'dialed', 'куда подключался'),
          L(lang, 'own address', 'собственный адрес'),
          L(lang, 'seen by the server', 'что увидел сервер'),
          L(lang, 'why', 'почему'),
        ],
        sessions.map((s) => {
          const isEcho = 'connected' in s;
          const dialed = isEcho ? s.remote : s.server;
          const seen = isEcho ? s.server?.remote : s.member?.remote;
          return [
            `${k.code(s.program.label)}${!isEcho ? ` (${k.text(s.nick ?? '?')})` : ''}`,
            dialed ? k.code(dialed) : '-',
            s.local ? k.code(s.local) : '-',
            seen ? k.code(seen) : '-',
            k.text(whySeen(c, s)),
          ];
        }),
      ),
      '',
    );
    const topo = topology(model, sessions, topoWords(lang));
    if (topo.nodes.length > 0) out.push(...k.topologyFigure(topo), '');
    out.push(...k.extra(view));
  }

  out.push(`### ${L(lang, 'Ending the session with `exit`', 'Завершение сеанса командой `exit`')}`, '');
  const ends = [...model.echo.map((s) => s.disconnected), ...model.chat.map((s) => s.left)].filter(
    (r): r is LogRecord => r !== undefined,
  );
  const exits = ends.filter((r) => str(r, 'reason') === 'user-exit');
  if (exits.length > 0) {
    out.push(
      L(
        lang,
        'Clients that ended because the user typed `exit`:',
        'Клиенты, завершившие работу, потому что пользователь ввёл `exit`:',
      ),
      '',
      ...exits.map((r) => `- ${k.clock(r.time)} ${k.code(r.source, false)}: ${k.text(k.explain(r))}`),
      '',
    );
  } else {
    out.push(
      L(
        lang,
        `**No client in this run ended with \`exit\`** (they ended: ${[...new Set(ends.map((r) => reasonLabel(str(r, 'reason') ?? '?', lang)))].join(', ') || '-'}). To show it, attach to a client, type \`exit\` and press Enter:`,
        `**Ни один клиент в этом запуске не завершился командой \`exit\`** (причины завершения: ${[...new Set(ends.map((r) => reasonLabel(str(r, 'reason') ?? '?', lang)))].join(', ') || '-'}). Чтобы это показать, подключитесь к клиенту, введите \`exit\` и нажмите Enter:`,
      ),
      '',
      '```sh',
      `docker attach ${model.echo[0]?.program.label ?? '<echo-client-container>'}`,
      '```',
      '',
    );
  }

  out.push(`### ${L(lang, 'Multi-user chat over UDP', 'Многопользовательский чат на UDP')}`, '');
  out.push(...chatSection(c), '');

  out.push(`### ${L(lang, 'What each terminal showed', 'Что показал терминал каждой программы')}`, '');
  out.push(
    L(
      lang,
      'Reconstructed from each program’s log lines: the lines its screen printed (`>` marks a line the user typed or `--say` gave), besides the log lines themselves (see the appendix).',
      'Восстановлено по строкам журнала каждой программы: строки, которые она выводила на экран (`>` — строка, введённая пользователем или заданная `--say`), помимо самих строк журнала (см. приложение).',
    ),
    '',
  );
  for (const s of model.echo.filter((x) => x.connected)) out.push(...transcript(c, s));
  for (const s of model.chat.filter((x) => x.joined)) out.push(...transcript(c, s));
  return out;
}

function topoWords(lang: Lang) {
  return {
    hop: L(lang, 'hop in front of the server', 'узел перед сервером'),
    dials: (p: { to: string }) => L(lang, `dials ${p.to}`, `обращается к ${p.to}`),
    from: (p: { from: string }) => L(lang, `from ${p.from}`, `с адреса ${p.from}`),
  };
}

/** The text of a chat message, from the server's relay line (clients do not log texts). */
function relayFor(c: Ctx, nick: string | undefined, r: LogRecord): LogRecord | undefined {
  const relays = c.model.members
    .filter((m) => m.nick === nick)
    .flatMap((m) => m.records.filter((x) => x.event === 'udp.message.relayed'));
  return relays
    .filter((x) => num(x, 'bytes') === num(r, 'bytes'))
    .sort((a, b) => Math.abs(a.time - r.time) - Math.abs(b.time - r.time))[0];
}

function chatSection(c: Ctx): string[] {
  const { k, lang, model } = c;
  const joined = model.chat.filter((s) => s.joined);
  if (joined.length === 0) {
    return [
      L(
        lang,
        '**No chat client joined in this run.** Start two, e.g.:',
        '**В этом запуске ни один чат-клиент не вошёл в чат.** Запустите двух, например:',
      ),
      '',
      '```sh',
      'npx socket-lab chat --host 127.0.0.1 --nick alice',
      '```',
    ];
  }
  const out = [
    L(
      lang,
      'Each message leaves its client as one UDP datagram; the server sends a copy to every other member. The members below are on different networks, so this is the chat across networks:',
      'Каждое сообщение уходит от клиента одной дейтаграммой UDP; сервер отправляет копию каждому другому участнику. Участники ниже находятся в разных сетях — это и есть чат между сетями:',
    ),
    '',
  ];
  const rows: string[][] = [];
  for (const s of joined) {
    for (const r of s.records.filter((x) => x.event === 'chat.message.sent')) {
      const relay = relayFor(c, s.nick, r);
      const receivers = joined
        .filter((o) => o !== s)
        .filter((o) =>
          o.records.some(
            (x) =>
              x.event === 'chat.message.received' &&
              str(x, 'nick') === s.nick &&
              num(x, 'bytes') === num(r, 'bytes'),
          ),
        )
        .map((o) => `${k.text(o.nick ?? '?')} (${k.code(o.scenario)})`);
      rows.push([
        k.clock(r.time),
        `${k.text(s.nick ?? '?')} (${k.code(s.scenario)})`,
        relay
          ? k.code(str(relay, 'preview') ?? '')
          : L(lang, '*(text not in the logs)*', '*(текста в журналах нет)*'),
        String(num(r, 'bytes') ?? '?'),
        relay ? String(num(relay, 'recipients') ?? '?') : '?',
        receivers.join(', ') || '-',
      ]);
    }
  }
  out.push(
    ...k.table(
      [
        L(lang, 'time (UTC)', 'время (UTC)'),
        L(lang, 'from', 'от кого'),
        L(lang, 'text', 'текст'),
        L(lang, 'bytes', 'байт'),
        L(lang, 'copies sent', 'копий разослано'),
        L(lang, 'received by', 'кто получил'),
      ],
      rows,
    ),
  );
  return out;
}

function transcript(c: Ctx, s: EchoSession | ChatSession): string[] {
  const { k, lang } = c;
  const screen = SCREEN[lang];
  const shown: string[] = [];
  if ('connected' in s) {
    shown.push(screen.echoConnected({ remote: s.remote ?? '?', local: s.local ?? '?' }));
    const lines = c.lines.get(s);
    for (const line of lines ?? []) {
      const t = lineText(line);
      const text = t
        ? `${t.text}${t.cut ? L(lang, `… (${line.bytes} bytes)`, `… (${bytes(lang, line.bytes)})`) : ''}`
        : L(lang, `(${line.bytes} bytes)`, `(${bytes(lang, line.bytes)})`);
      shown.push(`> ${text}`);
      if (line.reads.length > 0) shown.push(`${screen.echoPrefix}${text}`);
    }
    if (!lines) shown.push(L(lang, '(many lines: see the appendix)', '(много строк: см. приложение)'));
  } else {
    if (s.joined) {
      const where = { server: s.server ?? '?', nick: s.nick ?? '?', local: s.local ?? '?' };
      const members = num(s.joined, 'members');
      // The plain protocol never says how many members there are: its client shows no count.
      shown.push(
        members === undefined ? screen.chatPlainStarted(where) : screen.chatJoined({ ...where, members }),
      );
    }
    for (const r of s.records) {
      const nick = str(r, 'nick') ?? '?';
      switch (r.event) {
        case 'chat.member.joined':
          shown.push(screen.memberJoined({ nick }));
          break;
        case 'chat.member.left':
          shown.push(screen.memberLeft({ nick, reason: str(r, 'reason') ?? '?' }));
          break;
        case 'chat.server.lost':
          shown.push(screen.serverLost({ reason: str(r, 'reason') ?? '?' }));
          break;
        case 'chat.message.sent': {
          const relay = relayFor(c, s.nick, r);
          shown.push(
            `> ${relay ? (str(relay, 'preview') ?? '') : L(lang, `(${num(r, 'bytes')} bytes)`, `(${bytes(lang, num(r, 'bytes') ?? 0)})`)}`,
          );
          break;
        }
        case 'chat.message.received': {
          const relay = relayFor(c, nick, r);
          shown.push(
            `<${nick}> ${relay ? (str(relay, 'preview') ?? '') : L(lang, `(${num(r, 'bytes')} bytes)`, `(${bytes(lang, num(r, 'bytes') ?? 0)})`)}`,
          );
          break;
        }
      }
    }
  }
  return [
    `**${k.code(s.program.label, false)}**`,
    '',
    '```text',
    ...shown.map((l) => l.replace(/```/g, 'ˋˋˋ')),
    '```',
    '',
  ];
}

// ---- control questions ------------------------------------------------------------------------

function first(records: readonly LogRecord[], event: string, pred: (r: LogRecord) => boolean = () => true) {
  return records.find((r) => r.event === event && pred(r));
}

function questions(c: Ctx): string[] {
  const { k, lang, model } = c;
  const cite = (r: LogRecord | undefined) => (r ? k.code(`${r.source}:${r.line}`, false) : '');
  const records = model.timeline.records;
  const server = model.servers[0];
  const tcpListen = server?.listening.find((r) => str(r, 'protocol') === 'tcp');
  const udpListen = server?.listening.find((r) => str(r, 'protocol') === 'udp');
  const accepts = model.conns
    .map((x) => x.accepted)
    .filter((r): r is LogRecord => r !== undefined)
    .sort((a, b) => a.time - b.time);
  const firstAccept = accepts[0];
  const echoes = model.echo.filter((s) => s.connected);
  const out = [`## ${L(lang, 'Control questions', 'Контрольные вопросы')}`, ''];
  const q = (n: number, en: string, ru: string) =>
    out.push(`### ${L(lang, `Question ${n}. ${en}`, `Вопрос ${n}. ${ru}`)}`, '');
  const p = (en: string, ru: string) => out.push(L(lang, en, ru), '');

  // Q1
  q(1, 'How do client and server sockets differ?', 'Чем отличаются клиентские и серверные сокеты?');
  p(
    'A server socket is bound to a known address and port and put into the listening state; it never carries data itself. Each accept() returns a new, connected socket for one client. A client socket calls connect() to the server’s address; the kernel picks its local address and a free (ephemeral) port.',
    'Серверный сокет привязывается к известному адресу и порту и переводится в состояние прослушивания; сам он данных не передаёт. Каждый вызов accept() возвращает новый, уже соединённый сокет для одного клиента. Клиентский сокет вызывает connect() на адрес сервера; локальный адрес и свободный (эфемерный) порт для него выбирает ядро.',
  );
  if (tcpListen && accepts.length > 0) {
    const locals = [...new Set(accepts.map((r) => str(r, 'local') ?? '?'))];
    const remotes = accepts.slice(0, 4).map((r) => str(r, 'remote') ?? '?');
    p(
      `In this run: the listening socket ${k.code(`${str(tcpListen, 'address')}:${num(tcpListen, 'port')}`, false)} (${cite(tcpListen)}); accept() gave ${accepts.length} connected socket(s), numbered ${accepts.map((r) => num(r, 'connId')).join(', ')}, all on the server’s side at ${locals.map((x) => k.code(x, false)).join(', ')} — the same port — while the clients’ ends had ports the kernel chose: ${remotes.map((x) => k.code(x, false)).join(', ')} (${cite(firstAccept)}).`,
      `В этом запуске: слушающий сокет ${k.code(`${str(tcpListen, 'address')}:${num(tcpListen, 'port')}`, false)} (${cite(tcpListen)}); accept() вернул соединённых сокетов: ${accepts.length} (номера ${accepts.map((r) => num(r, 'connId')).join(', ')}), у всех на стороне сервера ${locals.map((x) => k.code(x, false)).join(', ')} — один и тот же порт, — а у клиентов порты, выбранные ядром: ${remotes.map((x) => k.code(x, false)).join(', ')} (${cite(firstAccept)}).`,
    );
  } else
    p('This run’s logs hold no accepted connection.', 'В журналах этого запуска нет принятых соединений.');

  // Q2
  q(2, 'How can text be sent over sockets?', 'Как можно передавать через сокеты текстовую информацию?');
  p(
    'Sockets carry bytes, not characters: the sender encodes the text (here UTF-8, where a Cyrillic letter takes two bytes) and the receiver decodes it. TCP is a byte stream without message boundaries, so the programs agree on a frame: here one line ends with `\\n`. A UDP datagram keeps its boundaries: one chat message is one datagram.',
    'Сокеты передают байты, а не символы: отправитель кодирует текст (здесь в UTF-8, где кириллическая буква занимает два байта), получатель декодирует. TCP — поток байтов без границ сообщений, поэтому программы договариваются о разделителе: здесь строка заканчивается символом `\\n`. Дейтаграмма UDP свои границы сохраняет: одно сообщение чата — одна дейтаграмма.',
  );
  const relays = records.filter((r) => r.event === 'udp.message.relayed');
  const cyr = relays.find((r) => /[^\x00-\x7f]/.test(str(r, 'preview') ?? ''));
  if (cyr) {
    const text = str(cyr, 'preview') ?? '';
    p(
      `In this run the chat message ${k.code(text, false)} has ${[...text].length} characters and took **${bytes(lang, num(cyr, 'bytes') ?? 0)}** (${cite(cyr)}).`,
      `В этом запуске сообщение чата ${k.code(text, false)} состоит из ${count(lang, [...text].length, { one: 'символа', few: 'символов', many: 'символов', other: 'символа' })} и заняло **${bytes(lang, num(cyr, 'bytes') ?? 0)}** (${cite(cyr)}).`,
    );
  }
  const split = records.find(
    (r) => r.event === 'tcp.data.received' && (str(r, 'preview') ?? '').startsWith('\uFFFD'),
  );
  if (split)
    p(
      `Portion #${num(split, 'portion')} of connection ${num(split, 'connId')} begins in the middle of a letter (${cite(split)}): the bytes were cut where the portion ended, which is why a receiver must decode the whole line, not each piece.`,
      `Порция №${num(split, 'portion')} соединения ${num(split, 'connId')} начинается с середины буквы (${cite(split)}): байты разрезаны там, где кончилась порция, поэтому получатель должен декодировать строку целиком, а не каждый кусок.`,
    );
  else if (!cyr)
    p(
      'No line of this run held non-ASCII text. To see a letter take two bytes, type a Cyrillic word into a client.',
      'Ни одна строка этого запуска не содержала символов вне ASCII. Чтобы увидеть, что буква занимает два байта, введите в клиенте слово кириллицей.',
    );

  // Q3
  q(
    3,
    'Which socket operations block the program?',
    'Какие операции с сокетами блокируют выполнение программы?',
  );
  p(
    'On a blocking socket: accept() (until a client connects), connect() (until the handshake ends), recv()/read() and recvfrom() (until data arrives), send()/write() (while the kernel’s send buffer is full). Node puts every socket in non-blocking mode and waits for all of them at once in epoll_wait() (libuv’s event loop), so these waits do not stop the server.',
    'На блокирующем сокете: accept() (пока не подключится клиент), connect() (пока не завершится рукопожатие), recv()/read() и recvfrom() (пока не придут данные), send()/write() (пока буфер отправки ядра заполнен). Node переводит все сокеты в неблокирующий режим и ждёт их все сразу в epoll_wait() (цикл событий libuv), поэтому эти ожидания сервер не останавливают.',
  );
  if (tcpListen && firstAccept) {
    p(
      `In this run the server began listening at ${k.clock(tcpListen.time)} (${cite(tcpListen)}) and its first client connected at ${k.clock(firstAccept.time)} (${cite(firstAccept)}): **${ms(lang, firstAccept.time - tcpListen.time)}**. A blocking server would have sat in accept() all that time; this one sat in epoll_wait(), free to serve the UDP chat meanwhile.`,
      `В этом запуске сервер начал слушать в ${k.clock(tcpListen.time)} (${cite(tcpListen)}), а первый клиент подключился в ${k.clock(firstAccept.time)} (${cite(firstAccept)}): **${ms(lang, firstAccept.time - tcpListen.time)}**. Блокирующий сервер всё это время провёл бы в accept(); этот ждал в epoll_wait() и мог тем временем обслуживать чат UDP.`,
    );
  }
  const waits = echoes
    .map((s) => {
      const sent = first(s.records, 'client.data.sent');
      const got = first(s.records, 'client.data.received');
      return sent && got ? { s, sent, got } : undefined;
    })
    .filter((x) => x !== undefined);
  if (waits.length > 0) {
    p(
      `Each echo client waited for its first echo (from its first write to its first read): ${waits.map((w) => `${k.code(w.s.program.label, false)} ${ms(lang, w.got.time - w.sent.time)} (${cite(w.got)})`).join(', ')}. A blocking client sits in recv() during that time.`,
      `Каждый эхо-клиент ждал первого эха (от первой записи до первого чтения): ${waits.map((w) => `${k.code(w.s.program.label, false)} — ${ms(lang, w.got.time - w.sent.time)} (${cite(w.got)})`).join(', ')}. Блокирующий клиент всё это время находится в recv().`,
    );
  }
  p(
    'The logs record events, not system calls; to watch the server wait, trace it (needs `strace`):',
    'Журналы записывают события, а не системные вызовы; чтобы увидеть, как сервер ждёт, трассируйте его (нужен `strace`):',
  );
  out.push(
    '```sh',
    'strace -f -e trace=epoll_wait,accept4,read,write npx socket-lab server --log-format json',
    '```',
    '',
  );

  // Q4
  q(4, 'What are non-blocking sockets?', 'Что такое неблокирующие сокеты?');
  p(
    'A socket in non-blocking mode never makes a call wait: if no client, data or buffer space is ready, accept(), recv() or send() returns at once with EAGAIN/EWOULDBLOCK (connect() with EINPROGRESS). A socket becomes non-blocking with `fcntl(fd, F_SETFL, O_NONBLOCK)` (or `SOCK_NONBLOCK` in socket()/accept4()); in Python, `sock.setblocking(False)`. The program then asks select(), poll() or epoll which sockets are ready, and one thread serves many connections.',
    'Сокет в неблокирующем режиме никогда не заставляет вызов ждать: если клиента, данных или места в буфере нет, accept(), recv() или send() сразу возвращают EAGAIN/EWOULDBLOCK (connect() — EINPROGRESS). Неблокирующим сокет делает `fcntl(fd, F_SETFL, O_NONBLOCK)` (или флаг `SOCK_NONBLOCK` в socket()/accept4()); в Python — `sock.setblocking(False)`. Затем программа спрашивает у select(), poll() или epoll, какие сокеты готовы, и один поток обслуживает много соединений.',
  );
  const pids = [...new Set((server?.program.records ?? []).map((r) => r.pid))];
  const maxOpen = Math.max(0, ...accepts.map((r) => num(r, 'open') ?? 0));
  if (server) {
    p(
      `In this run one server process (pid ${pids.join(', ')}) served ${count(lang, accepts.length, { one: 'TCP connection', other: 'TCP connections' } as never)} and ${count(lang, model.members.length, 'member')} of the chat in one thread; at most ${maxOpen} connection(s) were open at once (the \`open\` field of ${cite(accepts.find((r) => num(r, 'open') === maxOpen))}).`,
      `В этом запуске один процесс сервера (pid ${pids.join(', ')}) в одном потоке обслужил TCP-соединений: ${accepts.length} и участников чата: ${model.members.length}; одновременно было открыто не больше ${maxOpen} (поле \`open\` в ${cite(accepts.find((r) => num(r, 'open') === maxOpen))}).`,
    );
  }
  const bp = records.filter((r) => r.event === 'tcp.backpressure');
  if (bp.length > 0) {
    p(
      `The server paused reading a client whose echo it could not hand to the kernel fast enough: ${bp.length} backpressure line(s), the first at ${k.clock(bp[0]?.time ?? 0)} (${cite(bp[0])}).`,
      `Сервер приостанавливал чтение клиента, эхо которого не успевало уходить в ядро: строк о противодавлении — ${bp.length}, первая в ${k.clock(bp[0]?.time ?? 0)} (${cite(bp[0])}).`,
    );
  } else {
    p(
      '**No backpressure happened in this run** (no `tcp.backpressure` line: every write fitted into the kernel’s buffer). To see a non-blocking write that cannot finish, run the server with `--log-level debug` and a client that sends 16 MiB without reading:',
      '**Противодавления в этом запуске не было** (нет строк `tcp.backpressure`: каждая запись поместилась в буфер ядра). Чтобы увидеть неблокирующую запись, которая не может завершиться, запустите сервер с `--log-level debug` и клиента, который отправляет 16 МиБ и не читает:',
    );
    out.push(
      '```sh',
      'npx socket-lab server --log-level debug --log-format json &',
      `node -e "const s=require('net').connect(7007,'127.0.0.1',()=>{s.pause();for(let i=0;i<16;i++)s.write(Buffer.alloc(1<<20,120))})"`,
      '```',
      '',
    );
  }

  // Q5
  q(
    5,
    'Advantages and drawbacks of TCP compared with UDP?',
    'В чем преимущества и недостатки использования TCP по сравнению с UDP?',
  );
  p(
    'TCP gives an ordered, reliable byte stream: lost segments are resent, bytes arrive in order, the receiver’s window limits the sender. The price: a three-way handshake before the first byte, a connection state on both ends, no message boundaries, and one lost segment holds back everything after it. UDP sends single datagrams with no connection, no delivery guarantee and no order, but each keeps its boundaries, costs no handshake, and only UDP can be sent to a broadcast or multicast address. Neither notices a vanished peer by itself: TCP finds out only when it sends (retransmissions time out) or with keepalive switched on; the chat server here drops silent members after a timeout.',
    'TCP даёт упорядоченный надёжный поток байтов: потерянные сегменты передаются повторно, байты приходят по порядку, окно получателя ограничивает отправителя. Цена: тройное рукопожатие до первого байта, состояние соединения на обоих концах, нет границ сообщений, а один потерянный сегмент задерживает всё, что за ним. UDP отправляет отдельные дейтаграммы без соединения, без гарантии доставки и порядка, зато каждая сохраняет границы, рукопожатие не нужно, и только UDP можно отправить на широковещательный или групповой (multicast) адрес. Исчезнувшего собеседника сами по себе не замечают оба: TCP узнаёт об этом, только когда отправляет данные (истекают повторные передачи) или при включённом keepalive; чат-сервер здесь удаляет молчащих участников по тайм-ауту.',
  );
  const closed = model.conns.map((x) => x.closed).filter((r): r is LogRecord => r !== undefined);
  if (echoes.length > 0) {
    const s = echoes[0] as EchoSession;
    const d = s.disconnected;
    p(
      `In this run, TCP: ${k.code(s.program.label, false)} completed the handshake before sending anything (${cite(s.connected)}) and ended with ${d ? `sent ${num(d, 'bytesSent')}, received ${num(d, 'bytesReceived')} bytes (${cite(d)})` : 'no final counts'}; across all connections the server received ${closed.reduce((n, r) => n + (num(r, 'bytesIn') ?? 0), 0)} bytes and the kernel took ${closed.reduce((n, r) => n + (num(r, 'bytesOut') ?? 0), 0)} bytes of echo.`,
      `В этом запуске, TCP: ${k.code(s.program.label, false)} завершил рукопожатие прежде, чем что-либо отправить (${cite(s.connected)}), и закончил с итогом ${d ? `отправлено ${num(d, 'bytesSent')}, получено ${num(d, 'bytesReceived')} байт (${cite(d)})` : '— итоговых счётчиков нет'}; по всем соединениям сервер получил ${bytes(
        lang,
        closed.reduce((n, r) => n + (num(r, 'bytesIn') ?? 0), 0),
      )}, а ядро приняло ${bytes(
        lang,
        closed.reduce((n, r) => n + (num(r, 'bytesOut') ?? 0), 0),
      )} эха.`,
    );
  }
  const sentMsgs = records.filter((r) => r.event === 'chat.message.sent');
  if (sentMsgs.length > 0) {
    const copies = relays.reduce((n, r) => n + (num(r, 'recipients') ?? 0), 0);
    const cookie = first(records, 'udp.cookie.sent');
    p(
      `UDP: ${count(lang, sentMsgs.length, 'message')} of the chat, each one datagram (${sentMsgs.map((r) => num(r, 'bytes')).join(', ')} bytes of text, ${cite(sentMsgs[0])}); the server sent them on as ${count(lang, copies, 'datagram')}, one copy per other member, because broadcast does not cross the lab’s networks. No handshake in UDP itself: the chat adds its own (HELLO, COOKIE${cookie ? ` of ${bytes(lang, num(cookie, 'bytes') ?? 0)}` : ''}, JOIN) so that the server answers only addresses that really receive.`,
      `UDP: сообщений чата — ${sentMsgs.length}, каждое одной дейтаграммой (текст: ${sentMsgs.map((r) => num(r, 'bytes')).join(', ')} байт, ${cite(sentMsgs[0])}); сервер разослал их как ${count(lang, copies, 'datagram')}, по копии каждому другому участнику, потому что широковещание не проходит между сетями лаборатории. В самом UDP рукопожатия нет: чат добавляет своё (HELLO, COOKIE${cookie ? ` размером ${bytes(lang, num(cookie, 'bytes') ?? 0)}` : ''}, JOIN), чтобы сервер отвечал только адресам, которые действительно принимают.`,
    );
  }
  const mult = model.echo.find((s) =>
    (c.lines.get(s) ?? []).some(
      (l) => l.writes.length > 1 && l.reads.length > 0 && l.reads.length !== l.writes.length,
    ),
  );
  const ml = mult
    ? (c.lines.get(mult) ?? []).find((l) => l.writes.length > 1 && l.reads.length !== l.writes.length)
    : undefined;
  if (ml && mult)
    p(
      `No boundaries in TCP: ${k.code(mult.program.label, false)} wrote one line as ${ml.writes.length} writes and read it back in ${ml.reads.length} read(s) (${ml.reads.map((r) => num(r, 'bytes')).join(' + ')} bytes).`,
      `Границ сообщений в TCP нет: ${k.code(mult.program.label, false)} записал одну строку, вызовов write(): ${ml.writes.length}, а эхо прочитал, чтений: ${ml.reads.length} (${sumBytes(
        lang,
        ml.reads.map((r) => num(r, 'bytes') ?? 0),
      )}).`,
    );

  const q5 = c.extras[5];
  if (q5) out.push(q5.trimEnd(), '');

  // Q6
  q(
    6,
    'Which socket system calls are used only on the server side?',
    'Какие системные вызовы, связанные с сокетами, используются только на стороне сервера?',
  );
  p(
    'listen() and accept() — only a TCP server uses them. bind() is typical of servers (a known port), but a client may call it too, and a UDP server uses bind() only: it has no listen() or accept(), it answers with sendto() to the address recvfrom() gave. socket(), send()/recv() and close() are used on both sides; connect() is the client’s.',
    'listen() и accept() — их использует только TCP-сервер. bind() типичен для сервера (известный порт), но его может вызвать и клиент, а UDP-сервер использует только bind(): у него нет listen() и accept(), он отвечает через sendto() на адрес, который вернул recvfrom(). socket(), send()/recv() и close() встречаются на обеих сторонах; connect() — вызов клиента.',
  );
  if (tcpListen)
    p(
      `In this run: bind() + listen() on ${k.code(`${str(tcpListen, 'address')}:${num(tcpListen, 'port')}`, false)} at ${k.clock(tcpListen.time)} (${cite(tcpListen)})${udpListen ? `; bind() only for UDP on ${k.code(`${str(udpListen, 'address')}:${num(udpListen, 'port')}`, false)} (${cite(udpListen)})` : ''}${firstAccept ? `; accept() at ${k.clock(firstAccept.time)} (${cite(firstAccept)})` : ''}${echoes[0]?.connected ? `; on the client only connect() (${cite(echoes[0].connected)})` : ''}.`,
      `В этом запуске: bind() + listen() на ${k.code(`${str(tcpListen, 'address')}:${num(tcpListen, 'port')}`, false)} в ${k.clock(tcpListen.time)} (${cite(tcpListen)})${udpListen ? `; для UDP только bind() на ${k.code(`${str(udpListen, 'address')}:${num(udpListen, 'port')}`, false)} (${cite(udpListen)})` : ''}${firstAccept ? `; accept() в ${k.clock(firstAccept.time)} (${cite(firstAccept)})` : ''}${echoes[0]?.connected ? `; у клиента только connect() (${cite(echoes[0].connected)})` : ''}.`,
    );

  // Q7
  q(7, 'At which OSI layer do sockets work?', 'На каком уровне модели OSI работают сокеты?');
  p(
    'A socket is the interface between an application and the transport layer (layer 4): the program chooses TCP or UDP and names an address (layer 3) and a port (layer 4); everything below — IP routing, Ethernet frames — the kernel and the network do. Many Russian courses place sockets at the session layer (layer 5), since a socket opens and closes a session between two programs; in the TCP/IP model they sit between the application and transport layers.',
    'Сокет — интерфейс между приложением и транспортным уровнем (4-й уровень): программа выбирает TCP или UDP и указывает адрес (3-й уровень) и порт (4-й уровень); всё, что ниже, — маршрутизацию IP, кадры Ethernet — делают ядро и сеть. Во многих русскоязычных курсах сокеты относят к сеансовому уровню (5-й уровень): сокет открывает и закрывает сеанс связи двух программ; в модели TCP/IP они находятся между прикладным и транспортным уровнями.',
  );
  if (firstAccept)
    p(
      `This run’s lines speak of exactly that: addresses and ports (${k.code(str(firstAccept, 'remote') ?? '?', false)} → ${k.code(str(firstAccept, 'local') ?? '?', false)}, ${cite(firstAccept)}), byte counts and datagrams; no MAC address or frame appears in them.`,
      `Строки этого запуска говорят именно об этом: адреса и порты (${k.code(str(firstAccept, 'remote') ?? '?', false)} → ${k.code(str(firstAccept, 'local') ?? '?', false)}, ${cite(firstAccept)}), счётчики байтов и дейтаграммы; MAC-адресов и кадров в них нет.`,
    );
  return out;
}

// ---- conclusions ------------------------------------------------------------------------------

function conclusions(c: Ctx): string[] {
  const { k, lang, checks } = c;
  const out = [`## ${L(lang, 'Conclusions', 'Выводы')}`, ''];
  const passed = checks.filter((x) => x.status === 'pass');
  const failed = checks.filter((x) => x.status === 'fail');
  const na = checks.filter((x) => x.status === 'n/a');
  for (const x of checks) out.push(`- ${k.status(x)}: ${k.text(k.checkTitle(x))}`);
  out.push('');
  out.push(
    failed.length === 0
      ? L(
          lang,
          `Every applicable check passed (${passed.length} of ${checks.length}${na.length > 0 ? `; ${na.length} not applicable, their part is missing from the logs` : ''}): the echo returned every byte, the server saw the address each scenario predicts, and the chat crossed networks where the logs hold it.`,
          `Все применимые проверки пройдены (${passed.length} из ${checks.length}${na.length > 0 ? `; неприменимых: ${na.length}, их части в журналах нет` : ''}): эхо вернуло каждый байт, сервер увидел тот адрес, который предсказывает каждый сценарий, а чат работал между сетями там, где это есть в журналах.`,
        )
      : L(
          lang,
          `${failed.length} check(s) failed; the appendix lists the lines that show why. The report is still complete in what the logs hold.`,
          `Не пройдено проверок: ${failed.length}; строки, которые это показывают, перечислены в приложении. Всё, что есть в журналах, в отчёте показано.`,
        ),
    '',
  );
  return out;
}
