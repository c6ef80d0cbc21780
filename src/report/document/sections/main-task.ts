/** The main task's four items: 1 KB portions, the server's messages, the client's lines, its messages. */
import { count } from '../../../text/plural.js';
import { reasonLabel } from '../../../text/reasons.js';
import { type EchoSession, numField as num, strField as str } from '../../aggregate.js';
import { type SentLine, lineText } from '../../lines.js';
import type { LogRecord } from '../../parse.js';
import { code, codeBlock, emphasis, heading, join, prose, table, text } from '../build.js';
import type { Block, Inline } from '../model.js';
import { OWN_ROLE_NAMES } from '../../own-section.js';
import { type OwnEvent, type OwnLine, callText, ownServes, replaced } from '../../own-facts.js';
import { decodePreview } from '../../../own/strace.js';
import {
  type Ctx,
  L,
  P,
  bytes,
  bytesGen,
  callRef,
  cite,
  clock,
  explainRecord,
  ms,
  own,
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
        '1. Эхо-сервер TCP: что он прочитал (журнал — порциями по 1 КБ)',
      ),
    ),
  ];
  const o = own(c);
  if (ownServes(model, o))
    return [
      heading(
        3,
        L(
          lang,
          '1. TCP echo server: what it reads, in 1 KB portions',
          '1. Эхо-сервер TCP: чтение порциями по 1 КБ',
        ),
      ),
      ...ownPortions(c),
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
  // The portions have the sizes of the client's writes and were logged at different moments (one
  // read's portions are logged together): each came from its own read, so the client's writes made
  // the split, not the server's 1 KB portions.
  const fromWrites =
    sizes.length > 1 &&
    sizes.length === writes.length &&
    sizes.every((b, i) => b === writes[i]) &&
    line.portions.every((r, i) => i === 0 || r.time > line.portions[i - 1]!.time);
  const splitEn = fromWrites
    ? ' The portions have the sizes of the client’s writes and were logged at different moments, so the server got each write’s bytes in a read of its own: here the split came from the client’s writes, and the server’s own 1 KB slicing of a read was not needed.'
    : '';
  const splitRu = fromWrites
    ? ' Размеры порций совпадают с записями клиента, и записаны в журнал они в разные моменты, значит, байты каждой записи сервер получил отдельным чтением: здесь строку разделили записи клиента, а нарезать одно чтение по 1 КБ серверу не понадобилось.'
    : '';
  out.push(
    P(
      lang,
      prose`In this run ${code(s.program.label)} sent a line of **${bytes(lang, line.bytes)}**${shown}. Its client wrote it with ${writes.length === 1 ? 'one write() call' : `${writes.length} write() calls`}: ${sumBytes(lang, writes)}. The server (connection ${conn}) logged it as portions #${nums[0] ?? '?'}–#${nums[nums.length - 1] ?? '?'}: **${sizes.join(' + ')} = ${bytes(
        lang,
        sizes.reduce((a, b) => a + b, 0),
      )}**, and wrote what it had read back with one write() per read (not one per portion). The client read the echo back in ${reads.length === 1 ? 'one read' : `${reads.length} reads`}: ${sumBytes(lang, reads)} — a read returns what has arrived, whatever the sender’s portions were${neighbours ? ' (a read may also hold bytes of the neighbouring lines)' : ''}.${splitEn}`,
      prose`В этом запуске ${code(s.program.label)} отправил строку длиной **${bytes(lang, line.bytes)}**${shown}. Клиент записал её в сокет, ${writes.length === 1 ? 'один раз вызвав write()' : writes.length === 2 ? 'дважды вызвав write()' : `вызвав write() ${count('ru', writes.length, { one: 'раз', few: 'раза', many: 'раз', other: 'раза' })}`} (${sumBytes(lang, writes)}). Сервер (соединение ${conn}) записал её в журнал как порции №${nums[0] ?? '?'}–№${nums[nums.length - 1] ?? '?'}: **${sizes.join(' + ')} = ${bytes(
        lang,
        sizes.reduce((a, b) => a + b, 0),
      )}**, а прочитанное отправил обратно одним write() на каждое чтение (а не на каждую порцию). Клиент прочитал эхо за ${reads.length === 1 ? 'одно чтение' : count('ru', reads.length, { one: 'чтение', few: 'чтения', many: 'чтений', other: 'чтения' })} (${sumBytes(lang, reads)}) — чтение возвращает то, что уже пришло, независимо от порций отправителя${neighbours ? ' (в одно чтение могут попасть и байты соседних строк)' : ''}.${splitRu}`,
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
  const server = own(c).echoServer;
  if (server && ownServes(model, own(c))) return ownServerMessages(c, server.events);
  return [
    heading(3, L(lang, '2. The server’s service messages', '2. Служебные сообщения сервера')),
    P(
      lang,
      'The seven events the assignment names; for each, the first such line the server logged in this run, with its explanation:',
      'Семь событий из задания; для каждого — первая такая строка, которую сервер записал в этом запуске, с пояснением:',
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
  const { lang } = c;
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
    ...clientLines(c),
  ];
}

/**
 * Item 3's tables: with the student's server every line with its reads (ours and theirs); else our
 * clients' conversation, then the student's clients' lines when they ran too.
 */
function clientLines(c: Ctx): Block[] {
  const { model } = c;
  const o = own(c);
  if (o.lines.length > 0 && (ownServes(model, o) || !model.echo.some((s) => s.connected)))
    return [ownConversation(c, o.lines)];
  const theirs = o.lines.filter((l) => l.session.own);
  return [conversation(c, model.echo), ...(theirs.length > 0 ? [ownConversation(c, theirs)] : [])];
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
  const ownClient = own(c).clientEvents;
  if (!session && ownClient) {
    out.push(
      P(
        lang,
        prose`Your echo client ${code(ownClient.session.program.label)}: for each of the four events, the system call that did it (its trace) and a line your client printed near that call (within 1 s of it, or a later line that names the event${anyLate(ownClient.events) ? '; such lines are marked' : ''}). As in item 2, a printed line’s time is when the runner read it from the pipe, so it does not show whether the line or the call came first:`,
        prose`Ваш эхо-клиент ${code(ownClient.session.program.label)}: для каждого из четырёх событий — системный вызов, который это сделал (по трассировке), и строка, которую ваш клиент напечатал рядом с этим вызовом (в пределах 1 с от него или позже, если в самой строке названо это событие${anyLate(ownClient.events) ? '; такие строки отмечены' : ''}). Как и в п. 2, время напечатанной строки — это момент, когда запускающий процесс прочитал её из канала, поэтому по нему нельзя судить, что было раньше — строка или вызов:`,
      ),
      ...ownEventTable(c, ownClient.events, CLIENT_KEYS),
    );
    return out;
  }
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
        // Totals of the whole session, not a line: said in each cell.
        em(
          L(
            lang,
            `totals at the end (${reason}), not a line`,
            `итог при отключении (${reason}), а не строка`,
          ),
        ),
        [
          text(
            L(
              lang,
              `${num(d, 'bytesSent') ?? '?'} sent in all`,
              `всего отправлено ${num(d, 'bytesSent') ?? '?'}`,
            ),
          ),
        ],
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
          prose`In this run your own programs took the place of the lab's: ${roles.join(', ')}. Where your program did a part, the items below say what it did from its socket calls (its trace) and what it printed; its code and its checks are in "Implementation: your programs".`,
          prose`В этом запуске место программ стенда заняли ваши: ${roles.join(', ')}. Там, где часть задания выполняла ваша программа, пункты ниже говорят, что она сделала, по её системным вызовам (трассировке) и по тому, что она напечатала; её код и проверки — в разделе «Реализация: ваши программы».`,
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

const SERVER_KEYS: Record<string, { en: string; ru: string }> = {
  start: { en: 'server start', ru: 'запуск сервера' },
  listen: { en: 'start of listening on the port', ru: 'начало прослушивания порта' },
  accept: { en: 'client connection', ru: 'подключение клиента' },
  received: { en: 'data received from the client', ru: 'приём данных от клиента' },
  sent: { en: 'data sent to the client', ru: 'отправка данных клиенту' },
  closed: { en: 'client disconnection', ru: 'отключение клиента' },
  stop: { en: 'server stop', ru: 'остановка сервера' },
};
const CLIENT_KEYS: Record<string, { en: string; ru: string }> = {
  connect: { en: 'connection to the server', ru: 'подключение к серверу' },
  close: { en: 'disconnection from the server', ru: 'отключение от сервера' },
  sent: { en: 'data sent to the server', ru: 'отправка данных серверу' },
  received: { en: 'data received from the server', ru: 'получение данных от сервера' },
};

/** The call of an event: a traced call as strace shows it; the program's start as its command. */
function eventCall(e: OwnEvent): Inline[] {
  const r = e.call;
  if (!r) return [];
  if (r.event === 'own.program.started')
    return [code(str(r, 'command') ?? '?'), text(' ('), ...cite(r), text(')')];
  if (r.event === 'own.program.exited') return [code(r.event), text(' ('), ...cite(r), text(')')];
  return callRef(r);
}

function ownEventTable(
  c: Ctx,
  events: readonly OwnEvent[],
  names: Record<string, { en: string; ru: string }>,
): Block[] {
  const { lang } = c;
  const none = (s: string) => [emphasis(text(s))];
  const rows = events.map((e) => {
    const name = names[e.key] ?? { en: e.key, ru: e.key };
    return [
      [text(L(lang, name.en, name.ru))],
      e.call ? eventCall(e) : none(L(lang, 'no such call in the trace', 'такого вызова в трассировке нет')),
      [
        text(
          e.call
            ? clock(e.call.event === 'own.call' ? (num(e.call, 'at') ?? e.call.time) : e.call.time)
            : '-',
        ),
      ],
      e.printed
        ? [
            code(str(e.printed, 'text') ?? ''),
            text(' ('),
            ...cite(e.printed),
            text(
              e.late && e.call
                ? L(
                    lang,
                    `; marked: read from the pipe ${ms(lang, e.printed.time - (num(e.call, 'at') ?? e.call.time))} after the call, later than the others)`,
                    `; отмечена: прочитана из канала через ${ms(lang, e.printed.time - (num(e.call, 'at') ?? e.call.time))} после вызова — позже остальных)`,
                  )
                : ')',
            ),
          ]
        : none(
            e.call
              ? L(lang, 'printed nothing within 1 s of it', 'в пределах 1 с от него ничего не напечатала')
              : L(lang, 'nothing to print: the event did not happen', 'печатать нечего: события не было'),
          ),
    ];
  });
  const missing = events
    .filter((e) => e.call && !e.printed)
    .map((e) => L(lang, names[e.key]?.en ?? e.key, names[e.key]?.ru ?? e.key));
  const out: Block[] = [
    table(
      [
        L(lang, 'event', 'событие'),
        L(lang, 'system call (trace) or command', 'системный вызов (трассировка) или команда'),
        timeHeader(c),
        L(lang, 'what your program printed near it', 'что ваша программа напечатала рядом с ним'),
      ],
      rows,
    ),
  ];
  if (missing.length > 0)
    out.push(
      P(
        lang,
        prose`For these events your program printed no line, neither near the call nor later with a word that names it: ${missing.join(', ')}. The assignment asks for a message at each; a program whose output is buffered prints late (flush it, e.g. \`print(..., flush=True)\`).`,
        prose`Об этих событиях ваша программа не напечатала строки — ни рядом с вызовом, ни позже со словом, которое его называет: ${missing.join(', ')}. Задание требует сообщения о каждом; программа с буферизованным выводом печатает с опозданием (сбрасывайте буфер, например \`print(..., flush=True)\`).`,
      ),
    );
  return out;
}

const anyLate = (events: readonly OwnEvent[]) => events.some((e) => e.late && e.printed);

/** Item 2 when the student's echo server served: their calls and their printed lines. */
function ownServerMessages(c: Ctx, events: readonly OwnEvent[]): Block[] {
  const { lang } = c;
  return [
    heading(3, L(lang, '2. The server’s service messages', '2. Служебные сообщения сервера')),
    ...(replaced(c.model).tcp
      ? [
          P(
            lang,
            'The lab’s server stepped aside for yours (`server.replaced`).',
            'Сервер стенда уступил место вашему (`server.replaced`).',
          ),
        ]
      : []),
    P(
      lang,
      `The seven events the assignment names. For each: the first system call of your server that did it (its trace; for the start, the command that started it) and a line your server printed near that call: within 1 s of it, or a later line whose words name the event${anyLate(events) ? ' (such lines are marked)' : ''}. A printed line’s time is when the runner read it from the program’s pipe, not when the program made a call: output the program has not flushed reaches the pipe late, so these times do not show whether a line or a call came first.`,
      `Семь событий из задания. Для каждого — первый системный вызов вашего сервера, который это сделал (по трассировке; для запуска — команда, которой сервер запущен), и строка, которую ваш сервер напечатал рядом с этим вызовом: в пределах 1 с от него или позже, если в самой строке названо это событие${anyLate(events) ? ' (такие строки отмечены)' : ''}. Время напечатанной строки — это момент, когда запускающий процесс прочитал её из канала (pipe) программы, а не момент вызова: вывод, который программа ещё не сбросила (flush), попадает в канал с опозданием, поэтому по этим временам нельзя судить, что было раньше — строка или вызов.`,
    ),
    ...ownEventTable(c, events, SERVER_KEYS),
  ];
}

const sizes = (rs: readonly LogRecord[]) => rs.map((r) => num(r, 'result') ?? num(r, 'bytes') ?? 0);

/** The text of a line: as typed (own.input), else the preview of the call that wrote it. */
function lineShown(l: OwnLine): { text: string; cut: boolean } | undefined {
  if (l.logged) return l.logged;
  const input = l.input ? str(l.input, 'text') : undefined;
  // The typed line without its newline; the client wrote it with one when the byte count says so.
  if (input !== undefined)
    return { text: Buffer.byteLength(input) + 1 === l.bytes ? `${input}\\n` : input, cut: false };
  const send = l.sends[0];
  const data = send ? (str(send, 'data') ?? str(send, 'preview')) : undefined;
  if (data === undefined) return undefined;
  const d = send?.event === 'own.call' ? decodePreview(data) : { text: data, truncated: false };
  return { text: d.text, cut: d.truncated };
}

/** Item 1 when the student's echo server served: its own reads are the portions. */
function ownPortions(c: Ctx): Block[] {
  const { lang } = c;
  const o = own(c);
  const server = o.echoServer;
  const firstRead = server?.conns
    .flatMap((x) => (x.session ? (c.model.ownServer.get(x.session) ?? []) : []))
    .find((r) => ['read', 'recv', 'recvfrom', 'recvmsg', 'readv'].includes(str(r, 'call') ?? ''));
  const req = firstRead ? num(firstRead, 'size') : undefined;
  // recv() on a TCP socket shows as recvfrom(): a pointer to where the report explains it.
  const asRecv = firstRead && str(firstRead, 'call') === 'recvfrom' && str(firstRead, 'type') === 'tcp';
  const recvEn = asRecv ? ' (a recv() as strace shows it: see “Implementation: your programs”)' : '';
  const recvRu = asRecv ? ' (так strace показывает recv(): см. раздел «Реализация: ваши программы»)' : '';
  const out: Block[] = [];
  if (firstRead)
    out.push(
      P(
        lang,
        prose`Your echo server (its trace) read each connection with ${callRef(firstRead)}${recvEn}: one call returns at most ${req !== undefined ? bytes(lang, req) : '?'} — whatever has arrived by then, up to that size. So with your server a portion is one of its own reads: the bytes one such call returned. It is not a TCP segment, and not the lab server’s portion either (that one is a slice of at most 1 KB cut from one larger read).`,
        prose`Ваш эхо-сервер (по трассировке) читал данные из каждого соединения вызовом ${callRef(firstRead)}${recvRu}: один вызов возвращает не больше ${req !== undefined ? bytesGen(lang, req) : '?'} — то, что уже пришло к этому моменту, но не больше этого размера. Поэтому с вашим сервером порция — это одно его собственное чтение: байты, которые вернул один такой вызов. Это не TCP-сегмент и не порция сервера стенда (у того порция — кусок не больше 1 КБ, вырезанный из одного более крупного чтения).`,
      ),
    );
  const l = o.longLine;
  if (!l) {
    out.push(
      P(
        lang,
        prose`**No line in this run was longer than ${bytes(lang, OWN_LIMIT)}**, so no line was read in several portions. To show it, type or paste a line longer than ${bytes(lang, OWN_LIMIT)} into your echo client and build the report again.`,
        prose`**Ни одна строка в этом запуске не была длиннее ${bytesGen(lang, OWN_LIMIT)}**, поэтому чтения строки по частям трассировка не показывает. Чтобы показать его, введите или вставьте в ваш эхо-клиент строку длиннее ${bytesGen(lang, OWN_LIMIT)} и постройте отчёт заново.`,
      ),
    );
    return out;
  }
  const shown = lineShown(l);
  const t = shown
    ? prose` (${code(shown.text.length > 60 ? `${[...shown.text].slice(0, 60).join('')}` : shown.text)}${shown.cut || [...shown.text].length > 60 ? '…' : ''})`
    : [];
  const reads = sizes(l.serverReads);
  const writes = sizes(l.serverWrites);
  const back = sizes(l.clientReads);
  const who = prose`${code(l.session.program.label)} (${code(l.session.scenario)})`;
  const sendRef = l.session.own ? callRef(l.sends[0]) : cite(l.sends[0]);
  const readCalls = join(l.serverReads.map((r) => callRef(r)));
  const total = reads.reduce((a, b) => a + b, 0);
  const mixedEn = total === l.bytes ? '' : ' (those reads also held bytes of the neighbouring lines)';
  const mixedRu = total === l.bytes ? '' : ' (в эти чтения попали и байты соседних строк)';
  out.push(
    P(
      lang,
      prose`In this run ${who} sent a line of **${bytes(lang, l.bytes)}**${t}: ${sendRef}. Your server read it in ${l.serverReads.length} calls: **${sumBytes(lang, reads)}** (${readCalls})${mixedEn}, and wrote back ${sumBytes(lang, writes)} with ${l.serverWrites.length} ${l.serverWrites.length === 1 ? 'call' : 'calls'} (each put the bytes in the socket’s send buffer). The client read the echo in ${back.length} ${back.length === 1 ? 'call' : 'calls'}: ${sumBytes(lang, back)} — a read returns what has arrived, whatever the sender’s calls were.`,
      prose`В этом запуске ${who} отправил строку длиной **${bytes(lang, l.bytes)}**${t}: ${sendRef}. Ваш сервер прочитал её за ${count(lang, l.serverReads.length, { one: 'вызов', few: 'вызова', many: 'вызовов', other: 'вызова' })}: **${sumBytes(lang, reads)}** (${readCalls})${mixedRu} и отправил обратно ${sumBytes(lang, writes)} за ${count(lang, l.serverWrites.length, { one: 'вызов', few: 'вызова', many: 'вызовов', other: 'вызова' })} (каждый поместил байты в буфер отправки сокета). Клиент прочитал эхо за ${count(lang, back.length, { one: 'вызов', few: 'вызова', many: 'вызовов', other: 'вызова' })}: ${sumBytes(lang, back)} — чтение возвращает то, что уже пришло, независимо от вызовов отправителя.`,
    ),
    table(
      [
        timeHeader(c),
        L(lang, 'your server’s call', 'вызов вашего сервера'),
        L(lang, 'bytes', 'байт'),
        L(lang, 'log line', 'строка журнала'),
      ],
      [...l.serverReads, ...l.serverWrites]
        .sort((a, b) => (num(a, 'at') ?? a.time) - (num(b, 'at') ?? b.time))
        .map((r) => [
          clock(num(r, 'at') ?? r.time),
          code(callText(r)),
          String(num(r, 'result') ?? '?'),
          cite(r),
        ]),
    ),
  );
  return out;
}

const OWN_LIMIT = 1024;

/** Item 3 for the student's echo clients (or ours served by the student's server): each line, the server's reads, the echo. */
function ownConversation(c: Ctx, lines: readonly OwnLine[]): Block {
  const { lang } = c;
  return table(
    [
      L(lang, 'client', 'клиент'),
      L(lang, 'line sent', 'отправленная строка'),
      L(lang, 'bytes', 'байт'),
      L(lang, 'the server read', 'сервер прочитал'),
      L(lang, 'echo read by the client', 'клиент прочитал эхо'),
    ],
    lines.map((l) => {
      const shown = lineShown(l);
      const reads = sizes(l.serverReads);
      const back = sizes(l.clientReads);
      return [
        prose`${code(l.session.program.label)} (${code(l.session.scenario)})`,
        shown
          ? prose`${code([...shown.text].slice(0, 60).join(''))}${shown.cut || [...shown.text].length > 60 ? '…' : ''}`
          : [emphasis(text(L(lang, '(text not in the logs)', '(текста в журналах нет)')))],
        [text(l.bytes)],
        reads.length > 0
          ? [
              text(sumBytes(lang, reads)),
              text(' ('),
              ...cite(l.serverReads[0]),
              text(
                reads.reduce((a, b) => a + b, 0) === l.bytes
                  ? ')'
                  : L(lang, '; with bytes of the neighbouring lines)', '; вместе с байтами соседних строк)'),
              ),
            ]
          : l.session.server
            ? [
                emphasis(
                  text(
                    L(
                      lang,
                      'the lab’s server: see its lines in the appendix',
                      'сервер стенда: его строки — в приложении',
                    ),
                  ),
                ),
              ]
            : [emphasis(text(L(lang, 'not in the trace', 'в трассировке нет')))],
        back.length > 0
          ? [text(sumBytes(lang, back))]
          : [emphasis(text(L(lang, 'no echo read', 'эхо не прочитано')))],
      ];
    }),
  );
}
