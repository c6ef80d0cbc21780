/** The main task's four items: 1 KB portions, the server's messages, the client's lines, its messages. */
import { count } from '../../../text/plural.js';
import { reasonLabel } from '../../../text/reasons.js';
import { type EchoSession, numField as num, strField as str } from '../../aggregate.js';
import { type SentLine, lineText } from '../../lines.js';
import type { LogRecord } from '../../parse.js';
import { code, codeBlock, emphasis, heading, prose, table, text } from '../build.js';
import type { Block, Inline } from '../model.js';
import { OWN_ROLE_NAMES } from '../../own-section.js';
import {
  type Ctx,
  L,
  P,
  bytes,
  bytesGen,
  cite,
  clock,
  explainRecord,
  sumBytes,
  timeHeader,
} from './context.js';

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

function eventRows(c: Ctx, wanted: typeof SERVER_EVENTS, records: readonly LogRecord[]): Inline[][][] {
  const { lang } = c;
  return wanted.map((w) => {
    const r = records.find(
      (x) => x.event === w.event && (w.event !== 'server.listening' || str(x, 'protocol') === 'tcp'),
    );
    return [
      [text(L(lang, w.en, w.ru))],
      [code(w.event)],
      [text(r ? clock(r.time) : '-')],
      r
        ? prose`${explainRecord(r, lang)} (${cite(r)})`
        : [emphasis(text(L(lang, 'not in this run’s logs', 'в журналах этого запуска нет')))],
    ];
  });
}

function eventHead(c: Ctx): string[] {
  const { lang } = c;
  return [
    L(lang, 'event', 'событие'),
    L(lang, 'log event', 'событие журнала'),
    timeHeader(c),
    L(lang, 'the line of this run', 'строка этого запуска'),
  ];
}

/** Item 1: a line longer than one portion, and how the server's log shows it. */
export function portionsItem(c: Ctx): Block[] {
  const { lang, chunk, model } = c;
  const out: Block[] = [
    heading(
      3,
      L(
        lang,
        '1. TCP echo server: what it reads, logged in 1 KB portions',
        '1. Эхо-сервер TCP: прочитанное, записанное в журнал порциями по 1 КБ',
      ),
    ),
  ];
  let found: { s: EchoSession; line: SentLine } | undefined;
  for (const s of model.echo) {
    const line = c.lines.get(s)?.find((l) => l.bytes > chunk && l.portions.length > 0);
    if (line) {
      found = { s, line };
      break;
    }
  }
  out.push(
    P(
      lang,
      prose`The server reads whatever the kernel has for a connection (up to 64 KiB per read) and logs it in portions of at most ${bytes(lang, chunk)} (\`--chunk-size\`); then it writes the whole read back with one write(). Node gives a server’s sockets no supported way to read 1 KB at a time, so a portion is a slice of one read, not a separate recv() call, and not a TCP segment either: the MSS only bounds a segment’s payload (about 1460 bytes on Ethernet), on sending the kernel may pass one large segment down, cut to the MSS later by the network card (TSO) or by the kernel itself just before the driver (GSO), and across virtual interfaces (veth, a bridge) it may reach the receiver whole; on receiving, segments may be merged before TCP sees them (GRO); so a capture may show segments larger than the MSS, and one read may hold several segments or part of one.`,
      prose`Сервер читает всё, что ядро уже получило по соединению (до 64 КиБ за одно чтение), и записывает его в журнал порциями не больше ${bytesGen(lang, chunk)} (\`--chunk-size\`), а затем отправляет всё прочитанное обратно одним вызовом write(). Читать сокет сервера по 1 КБ Node штатно не позволяет, поэтому порция — это кусок одного чтения, а не отдельный вызов recv() и не TCP-сегмент: MSS лишь ограничивает полезную нагрузку сегмента (около 1460 байт в Ethernet), при отправке ядро может передать вниз один крупный сегмент, который режется по MSS позже — сетевой картой (TSO) или самим ядром перед драйвером (GSO), а через виртуальные интерфейсы (veth, мост) может дойти до получателя целым; при приёме сегменты могут объединяться ещё до TCP (GRO); поэтому в захвате бывают сегменты крупнее MSS, а одно чтение может вместить несколько сегментов или часть одного.`,
    ),
  );
  if (!found) {
    out.push(
      P(
        lang,
        prose`**No line in this run was longer than ${bytes(lang, chunk)}**, so the logs show no line split into portions. To see it, send one, e.g.:`,
        prose`**Ни одна строка в этом запуске не была длиннее ${bytesGen(lang, chunk)}**, поэтому деления строки на порции журналы не показывают. Чтобы увидеть его, отправьте такую строку, например:`,
      ),
      codeBlock(
        `node -e "console.log('x'.repeat(2500))" | npx socket-lab echo --host 127.0.0.1 --log-format json`,
        'sh',
      ),
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
  const shown = t ? prose` (${code(t.text)}${t.cut ? '…' : ''})` : [];
  const neighbours = reads.some((b) => b > line.bytes);
  out.push(
    P(
      lang,
      prose`In this run ${code(s.program.label)} sent a line of **${bytes(lang, line.bytes)}**${shown}. Its client wrote it with ${writes.length === 1 ? 'one write() call' : `${writes.length} write() calls`}: ${sumBytes(lang, writes)}. The server (connection ${conn}) logged it as portions #${nums[0] ?? '?'}–#${nums[nums.length - 1] ?? '?'}: **${sizes.join(' + ')} = ${bytes(
        lang,
        sizes.reduce((a, b) => a + b, 0),
      )}**, and wrote what it had read back with one write() per read (not one per portion). The client read the echo back in ${reads.length === 1 ? 'one read' : `${reads.length} reads`}: ${sumBytes(lang, reads)} — a read returns what has arrived, whatever the sender’s portions were${neighbours ? ' (a read may also hold bytes of the neighbouring lines)' : ''}.`,
      prose`В этом запуске ${code(s.program.label)} отправил строку длиной **${bytes(lang, line.bytes)}**${shown}. Клиент записал её в сокет, ${writes.length === 1 ? 'один раз вызвав write()' : writes.length === 2 ? 'дважды вызвав write()' : `вызвав write() ${count('ru', writes.length, { one: 'раз', few: 'раза', many: 'раз', other: 'раза' })}`} (${sumBytes(lang, writes)}). Сервер (соединение ${conn}) записал её в журнал как порции №${nums[0] ?? '?'}–№${nums[nums.length - 1] ?? '?'}: **${sizes.join(' + ')} = ${bytes(
        lang,
        sizes.reduce((a, b) => a + b, 0),
      )}**, а прочитанное отправил обратно одним write() на каждое чтение (а не на каждую порцию). Клиент прочитал эхо за ${reads.length === 1 ? 'одно чтение' : count('ru', reads.length, { one: 'чтение', few: 'чтения', many: 'чтений', other: 'чтения' })} (${sumBytes(lang, reads)}) — чтение возвращает то, что уже пришло, независимо от порций отправителя${neighbours ? ' (в одно чтение могут попасть и байты соседних строк)' : ''}.`,
    ),
    table(
      [
        timeHeader(c),
        L(lang, 'portion', 'порция'),
        L(lang, 'bytes', 'байт'),
        L(lang, 'start of the portion', 'начало порции'),
        L(lang, 'log line', 'строка журнала'),
      ],
      line.portions.map((r) => [
        clock(r.time),
        `#${num(r, 'portion') ?? '?'}`,
        String(num(r, 'bytes') ?? '?'),
        code(str(r, 'preview') ?? ''),
        cite(r),
      ]),
    ),
  );
  const split = line.portions.find((r) => (str(r, 'preview') ?? '').startsWith('\uFFFD'));
  if (split) {
    out.push(
      P(
        lang,
        prose`Portion #${num(split, 'portion') ?? '?'} starts with \`�\`: a portion boundary fell inside a two-byte UTF-8 letter. The server echoes bytes, so the letter arrives whole at the client; only the log’s preview of one portion cannot show half a letter.`,
        prose`Порция №${num(split, 'portion') ?? '?'} начинается с \`�\`: граница порции пришлась на середину двухбайтовой буквы UTF-8. Сервер возвращает байты, поэтому клиент получает букву целой; лишь предпросмотр одной порции в журнале не может показать половину буквы.`,
      ),
    );
  }
  return out;
}

/** Item 2: the seven events the assignment names, as the server logged them. */
export function serverMessagesItem(c: Ctx): Block[] {
  const { lang, model } = c;
  return [
    heading(3, L(lang, '2. The server’s service messages', '2. Служебные сообщения сервера')),
    P(
      lang,
      'The seven events the assignment names, each as the first such line the server logged in this run, with its explanation:',
      'Семь событий из задания — каждое первой такой строкой, которую сервер записал в этом запуске, с пояснением:',
    ),
    table(
      eventHead(c),
      eventRows(
        c,
        SERVER_EVENTS,
        model.servers.flatMap((s) => s.program.records),
      ),
    ),
  ];
}

/** Item 3: what each echo client sent and what came back. */
export function clientLinesItem(c: Ctx): Block[] {
  const { lang, model } = c;
  return [
    heading(
      3,
      L(lang, '3. TCP client: lines from standard input', '3. TCP-клиент: строки со стандартного ввода'),
    ),
    P(
      lang,
      'What each echo client sent (a line typed by the student or given with `--say`) and what came back. Texts are shown escaped (`\\n` is the newline); a long line shows its start and its size in bytes.',
      'Что отправил каждый эхо-клиент (строку, введённую студентом или заданную `--say`) и что вернулось. Тексты показаны с экранированием (`\\n` — перевод строки); у длинной строки показано начало и размер в байтах.',
    ),
    conversation(c, model.echo),
  ];
}

/** Item 4: the four events of one echo client. */
export function clientMessagesItem(c: Ctx): Block[] {
  const { lang, model } = c;
  const out: Block[] = [
    heading(3, L(lang, '4. The client’s service messages', '4. Служебные сообщения клиента')),
  ];
  const session =
    model.echo.find(
      (s) => s.connected && s.disconnected && s.records.some((r) => r.event === 'client.data.received'),
    ) ?? model.echo[0];
  if (!session) {
    out.push(P(lang, 'No echo client in this run’s logs.', 'В журналах этого запуска нет эхо-клиента.'));
    return out;
  }
  out.push(
    P(
      lang,
      prose`The four events of ${code(session.program.label)}:`,
      prose`Четыре события клиента ${code(session.program.label)}:`,
    ),
    table(eventHead(c), eventRows(c, CLIENT_EVENTS, session.records)),
  );
  return out;
}

function conversation(c: Ctx, sessions: readonly EchoSession[]): Block {
  const { lang } = c;
  const rows: Inline[][][] = [];
  const em = (s: string) => [emphasis(text(s))];
  for (const s of sessions) {
    if (!s.connected) continue;
    const lines = c.lines.get(s);
    if (!lines) {
      rows.push([
        [code(s.program.label)],
        em(
          L(
            lang,
            'many lines: counted in summary lines, see the appendix',
            'много строк: учтены в сводных строках, см. приложение',
          ),
        ),
        [],
        [],
      ]);
      continue;
    }
    for (const line of lines) {
      const t = lineText(line);
      const echoed = line.reads.length > 0;
      rows.push([
        [code(s.program.label)],
        t
          ? prose`${code(t.text)}${t.cut ? '…' : ''}`
          : em(L(lang, '(text not in the logs)', '(текста в журналах нет)')),
        [text(line.bytes)],
        [
          text(
            echoed
              ? L(
                  lang,
                  `came back (${count('en', line.reads.length, { one: 'read', other: 'reads' })})`,
                  `вернулась (чтений: ${line.reads.length})`,
                )
              : L(lang, 'no echo logged', 'эхо не записано'),
          ),
        ],
      ]);
    }
    const d = s.disconnected;
    if (d) {
      const reason = reasonLabel(str(d, 'reason') ?? '?', lang);
      rows.push([
        [code(s.program.label)],
        em(L(lang, `end: ${reason}`, `конец: ${reason}`)),
        [text(String(num(d, 'bytesSent') ?? '?'))],
        [
          text(
            L(
              lang,
              `received ${num(d, 'bytesReceived') ?? '?'} in all`,
              `всего получено ${num(d, 'bytesReceived') ?? '?'}`,
            ),
          ),
        ],
      ]);
    }
  }
  if (rows.length === 0)
    return P(
      lang,
      'No echo client connected in this run.',
      'В этом запуске ни один эхо-клиент не подключился.',
    );
  return table(
    [
      L(lang, 'client', 'клиент'),
      L(lang, 'line sent', 'отправленная строка'),
      L(lang, 'bytes', 'байт'),
      L(lang, 'echo', 'эхо'),
    ],
    rows,
  );
}

/**
 * When a student's own programs took our programs' places, the items below (written from our
 * programs' log lines) would say "not in this run's logs" where their program did the part: say so
 * first, and where their code, calls and checks are.
 */
function ownProgramsNote(c: Ctx): Block[] {
  const roles: string[] = [];
  for (const r of c.model.timeline.records) {
    if (r.event !== 'own.program.started') continue;
    const role = str(r, 'role') as keyof (typeof OWN_ROLE_NAMES)['en'] | undefined;
    const name = role ? OWN_ROLE_NAMES[c.lang][role] : undefined;
    if (!name) continue;
    const where = r.scenario && r.scenario !== 'server' ? ` (${r.scenario})` : '';
    const label = `${name.toLowerCase()}${where}`;
    if (!roles.includes(label)) roles.push(label);
  }
  if (roles.length === 0) return [];
  return [
    {
      kind: 'note',
      tone: 'info',
      content: [
        P(
          c.lang,
          // The scenario labels come from the logs: template values, so they stay text.
          prose`In this run your own programs took the place of the lab's: ${roles.join(', ')}. The items below are written from the log lines of the lab's own programs; where one says "not in this run's logs", your program did that part instead: its code, its socket calls and its checks are in "Implementation: your programs".`,
          prose`В этом запуске место программ лаборатории заняли ваши: ${roles.join(', ')}. Пункты ниже составлены по строкам журнала программ лаборатории; там, где написано «в журналах этого запуска нет», эту часть выполняла ваша программа: её код, системные вызовы и проверки — в разделе «Реализация: ваши программы».`,
        ),
      ],
    },
  ];
}

export function mainTask(c: Ctx): Block[] {
  return [
    heading(2, L(c.lang, 'Main task', 'Основное задание')),
    ...ownProgramsNote(c),
    ...portionsItem(c),
    ...serverMessagesItem(c),
    ...clientLinesItem(c),
    ...clientMessagesItem(c),
  ];
}
