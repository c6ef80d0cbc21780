/**
 * The "On the wire" section of the lab report, in English and Russian: what the packets of a
 * capture show, next to what the programs' sockets logged. Data in, document blocks out (the
 * report's model, rendered to Markdown or HTML there; `explainWire` gives the Markdown); the report
 * chooses the heading and where the section goes. Every sentence is an entry of WIRE_TEXTS.
 *
 * Every sentence states what the capture holds (frames, numbers, flags) or a rule of TCP/UDP that
 * holds everywhere; nothing is inferred from how the lab is configured.
 */
import { type Value, code, fill, join, list, paragraph, prose, table } from '../report/document/build.js';
import { blocksToMarkdown } from '../report/document/markdown.js';
import type { Block, Inline, ListItem } from '../report/document/model.js';
import { type Catalogue, type ParamsOf, say, sentence } from '../text/catalogue.js';
import type { Lang } from '../text/lang.js';
import { count, numberText } from '../text/plural.js';
import type { CrossCheck, SocketPortions } from './crosscheck.js';
import {
  type DirectionStats,
  type Flows,
  type TcpConnection,
  type UdpConversation,
  analyseFlows,
} from './flows.js';
import type { CaptureProblem, CaptureResult, TcpOptions } from './pcap.js';
import { type HopRelation, type HopVerdict, type UdpHopRelation, portOf } from './relate.js';

/** One capture file, as the report names it. */
export interface CaptureInput {
  /** e.g. "server.pcap" or "/logs/remote-client.pcap". */
  name: string;
  /** What was read; `undefined` when the file does not exist (then `absentReason` says why). */
  result: CaptureResult | undefined;
  absentReason?: string;
  /** The flows of `result` (analyseCaptureFile gives both); computed from `result.packets` when absent. */
  flows?: Flows;
  /** The time of the capture's last packet (lastPacketMs of its whole flows), when `flows` is a part of them. */
  lastMs?: number;
}

/** The time of the last packet of these flows (-Infinity when there is none). */
export function lastPacketMs(flows: Flows): number {
  return Math.max(
    ...flows.tcp.map((x) => x.endMs),
    ...flows.udp.flatMap((u) => u.datagrams.map((d) => d.timeMs)),
  );
}

export interface WireSectionInput {
  lang: Lang;
  /** The captures of this scenario; the first is the server side's. */
  captures: CaptureInput[];
  /** Only connections/conversations with the server on these ports are explained (e.g. [7007, 7008]). */
  serverPorts?: number[];
  crossCheck?: CrossCheck;
  /** The remote scenario: the two sides of the hop related (relateCaptures). */
  hop?: HopRelation;
  /** At most this many data segments and datagrams are listed one by one per direction. */
  listLimit?: number;
  /** The server log's portions per client endpoint (socketPortionsFromLog), shown beside the segments. */
  portions?: Map<string, SocketPortions>;
  /** Client endpoints whose closing the server's log records (the note on a capture that ended early). */
  closedInLog?: ReadonlySet<string>;
  /**
   * The captures come from the lab's Compose file (the report says so): the first one, the server
   * side's, ran in the server's network namespace and stops before the server.
   */
  labCompose?: boolean;
  /** What the run's logs say of the chat's join exchange (chatHandshakeOf); undefined: nothing known. */
  chatHandshake?: ChatHandshake;
  /**
   * Whose reads the server's "portions" are: `lab` (our server: slices of at most 1 KB of one
   * read()), `own` (a student's server: each of its reads is one). Default `lab`.
   */
  portionsOf?: 'lab' | 'own';
  /**
   * Client endpoints (as the capture writes them) of connections whose client program, in its
   * trace, never called close() or shutdown() on the socket and then ended: the kernel closed the
   * socket as the process exited, and that sent the client's FIN.
   */
  closedAtExit?: ReadonlyMap<string, ExitClose>;
  /**
   * The general explanations already given (MSS, segmenting, UDP, the byte comparison), each with
   * the place that gave it: said once, referred to after. Shared by the calls of one report.
   */
  said?: Map<Topic, string | undefined>;
  /** The name of the place this call explains (a scenario), for `said`. */
  place?: string;
}

/** How a client's program ended without closing its socket (closedAtExit). */
export interface ExitClose {
  /** A signal ended it (not its own exit). */
  signal: boolean;
}

/** The explanations given once per report (WireSectionInput.said). */
export type Topic = 'mss' | 'segmenting' | 'udp' | 'cc';

/** The explanations said so far: `first` marks a topic said here and tells whether it was new. */
interface Once {
  first(topic: Topic): boolean;
  /** Where `topic` was said, when another place than this one. */
  where(topic: Topic): string | undefined;
}

function once(said: Map<Topic, string | undefined> | undefined, place: string | undefined): Once {
  const map = said ?? new Map<Topic, string | undefined>();
  return {
    first: (topic) => {
      if (map.has(topic)) return false;
      map.set(topic, place);
      return true;
    },
    where: (topic) => {
      const at = map.get(topic);
      return at !== undefined && at !== place ? at : undefined;
    },
  };
}

/** Where a capture ended, for a connection whose last packets are missing from it. */
export interface CaptureEnding {
  /** The time of the capture's last packet of the lab's ports (the same clock as the connection's). */
  timeMs: number;
  /** The server side's capture (Compose stops it before the server). */
  serverSide?: boolean;
  /** Client endpoints whose closing the server's log records (`tcp.connection.closed`'s remote). */
  closedInLog?: ReadonlySet<string>;
}

/**
 * The chat's join exchange in this run: `lab` when a program of the lab logged it (HELLO, COOKIE,
 * JOIN, WELCOME); none in a plain text chat: `own` when the student's chat programs ran (the
 * protocol is theirs), `plain` when the lab's chat ran with `--protocol plain`.
 */
export type ChatHandshake = 'lab' | 'plain' | 'own';

const ruCount = (n: number, one: string, few: string, many: string) =>
  count('ru', n, { one, few, many, other: few });
const times = (n: number) => ruCount(n, 'раз', 'раза', 'раз');
const bytesRu = (n: number) => count('ru', n, 'byte');
const segRu = (n: number) => ruCount(n, 'сегмент', 'сегмента', 'сегментов');
const dgRu = (n: number) => count('ru', n, 'datagram');
/** Milliseconds to the microsecond, as each language writes a number: «32 972,513» in Russian. */
const ms = (lang: Lang, v: number) => {
  if (!Number.isFinite(v)) return '?';
  if (lang !== 'ru') return v.toFixed(3);
  const [int = '', frac = ''] = Math.abs(v).toFixed(3).split('.');
  return `${v < 0 && Number(v.toFixed(3)) !== 0 ? '−' : ''}${numberText('ru', Number(int))},${frac}`;
};
const plural = (n: number, one: string, many: string) => count('en', n, { one, other: many });
/** "a, b and c" of the items that are there. */
function listed(lang: Lang, items: (string | false)[]): string {
  const xs = items.filter((x): x is string => x !== false);
  const and = lang === 'en' ? ' and ' : ' и ';
  return xs.length < 2 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')}${and}${xs[xs.length - 1]}`;
}
/** " (see above, scenario `x`)": where a general explanation was given before. */
function seeAbove(lang: Lang, where: string | undefined): string {
  const at = where === undefined ? '' : lang === 'en' ? `, scenario \`${where}\`` : `, сценарий \`${where}\``;
  return lang === 'en' ? ` (what the MSS is: see above${at})` : ` (что такое MSS — см. выше${at})`;
}
/** A number the capture may not hold (an ACK without its number): '?' then. */
const num = (n: number | undefined) => (n === undefined ? '?' : String(n));

type Side = 'client' | 'server';
const SIDE_EN = { client: 'client', server: 'server' } as const;
const SIDE_RU = { client: 'клиент', server: 'сервер' } as const;
const SIDE_RU_GEN = { client: 'клиента', server: 'сервера' } as const;
const HS = { from: '127.0.0.1:56494', to: '127.0.0.1:7007', frame: 1, at: '+0.000 ms' };

/**
 * Every sentence of the "On the wire" section (src/text/catalogue.ts): what the packets show and
 * the rules of TCP and UDP behind it. Values (addresses, counts, frames) are parameters, and stay
 * plain text whatever they hold (they go through `fill`); `**` and backticks are marks only in our
 * own words. A parameter that is a clause of its own (`sides`, `addr`, `more`...) is given as the
 * runs another entry made. The code below only chooses which sentences a capture calls for.
 */
export const WIRE_TEXTS = {
  // ---- a capture that cannot be read ------------------------------------------------------
  'capture-problem': sentence(
    {
      name: 'x.pcap',
      code: 'truncated' as CaptureProblem['code'],
      offset: 4096 as number | undefined,
      message: 'the file ends inside a packet record',
    },
    (p) => `Capture \`${p.name}\`: ${p.message}.`,
    (p) => {
      const at = p.offset !== undefined;
      const ru: Record<CaptureProblem['code'], string> = {
        empty: 'файл пуст: захват ничего не записал',
        'not-a-capture': 'это не файл захвата pcap/pcapng (в начале нет его «магического числа»)',
        truncated: `файл обрывается${at ? ` на байте ${p.offset}` : ''} посреди записи (захват ещё писался или был остановлен аварийно)`,
        corrupt: `файл повреждён${at ? ` (байт ${p.offset})` : ''}`,
        'unsupported-link-type': 'тип канального уровня этого захвата здесь не разбирается',
        unreadable: 'файл не удалось прочитать',
        'too-many-packets': 'пакетов слишком много: прочитана только первая часть',
      };
      return `Захват \`${p.name}\`: ${ru[p.code]}.`;
    },
  ),
  // ---- TCP options, sizes, times -----------------------------------------------------------
  'opt-wscale': sentence(
    { v: 10 },
    (p) => `window scale ${p.v}`,
    (p) => `масштаб окна ${p.v}`,
  ),
  'opt-sack': sentence(
    {},
    () => 'SACK permitted',
    () => 'SACK разрешён',
  ),
  'opt-timestamps': sentence(
    {},
    () => 'timestamps',
    () => 'метки времени',
  ),
  'opt-none': sentence(
    {},
    () => 'no options',
    () => 'без опций',
  ),
  retransmission: sentence(
    {},
    () => ' (retransmission)',
    () => ' (повтор)',
  ),
  'n-more': sentence(
    { n: 3 },
    (p) => `… ${plural(p.n, 'more segment', 'more segments')}`,
    (p) => `… и ещё ${segRu(p.n)}`,
  ),
  'at-ms': sentence(
    { ms: '0.016' },
    (p) => `+${p.ms} ms`,
    (p) => `+${p.ms} мс`,
  ),
  // ---- one TCP connection ------------------------------------------------------------------
  'tcp-title': sentence(
    { id: 1, client: '127.0.0.1:56494', server: '127.0.0.1:7007', packets: 15 },
    (p) =>
      `**TCP connection ${p.id}: \`${p.client}\` → \`${p.server}\`** (${plural(p.packets, 'segment', 'segments')} in the capture)`,
    (p) => `**TCP-соединение ${p.id}: \`${p.client}\` → \`${p.server}\`** (${segRu(p.packets)} в захвате)`,
  ),
  // The three steps are items of a numbered list: no number in the sentence.
  'hs-syn': sentence(
    { ...HS, seq: 3123169023, options: 'MSS 65495' },
    (p) =>
      `\`SYN\` ${p.from} → ${p.to} [#${p.frame}], ${p.at}: seq ${p.seq} is the client's initial sequence number (ISN); options: ${p.options}.`,
    (p) =>
      `\`SYN\` ${p.from} → ${p.to} [#${p.frame}], ${p.at}: \`seq\` ${p.seq} — начальный порядковый номер (ISN) клиента; опции: ${p.options}.`,
  ),
  'hs-syn-ack': sentence(
    { ...HS, seq: 3999760296, ack: 3123169024 as number | undefined, options: 'MSS 65495' },
    (p) =>
      `\`SYN, ACK\` ${p.from} → ${p.to} [#${p.frame}], ${p.at}: the server's ISN ${p.seq}, ack ${num(p.ack)} (the client's ISN + 1: a SYN takes one sequence number); options: ${p.options}.`,
    (p) =>
      `\`SYN, ACK\` ${p.from} → ${p.to} [#${p.frame}], ${p.at}: ISN сервера ${p.seq}, номер подтверждения ${num(p.ack)} (ISN клиента + 1: SYN занимает один порядковый номер); опции: ${p.options}.`,
  ),
  'hs-ack': sentence(
    { frame: 3, at: '+0.034 ms', ack: 3999760297 as number | undefined },
    (p) =>
      `\`ACK\` [#${p.frame}], ${p.at}: ack ${num(p.ack)} (the server's ISN + 1). The connection is established.`,
    (p) =>
      `\`ACK\` [#${p.frame}], ${p.at}: номер подтверждения ${num(p.ack)} (ISN сервера + 1). Соединение установлено.`,
  ),
  'hs-title': sentence(
    { complete: true },
    (p) => `Three-way handshake${p.complete ? '' : ' (incomplete in this capture)'}:`,
    (p) => `Тройное рукопожатие${p.complete ? '' : ' (в этом захвате неполное)'}:`,
  ),
  'syn-repeated': sentence(
    { times: 3, delay: '3000.000' },
    (p) =>
      `The client sent its SYN ${p.times} times, the last ${p.delay} ms after the first: a SYN that gets no answer is sent again after a timeout that doubles each time.`,
    (p) =>
      `Клиент отправил SYN ${times(p.times)}, последний — через ${p.delay} мс после первого: SYN без ответа отправляется повторно по тайм-ауту, который каждый раз удваивается.`,
  ),
  'syn-ack-repeated': sentence(
    { times: 2 },
    (p) =>
      `The server sent its SYN-ACK ${p.times} times: it repeats it after a timeout until the client's ACK arrives. A repeated SYN from the client means the opposite: the SYN-ACK was lost, and the server answers that SYN with its SYN-ACK again.`,
    (p) =>
      `Сервер отправил SYN-ACK ${times(p.times)}: он повторяет его по тайм-ауту, пока не придёт ACK клиента. Повторный SYN от клиента означает обратное: SYN-ACK потерялся, и сервер отвечает на этот SYN своим SYN-ACK ещё раз.`,
  ),
  mss: sentence(
    { client: '65495', server: '65495', loopback: true },
    (p) =>
      `The MSS (maximum segment size) each side announces in its SYN is the largest payload it will accept in one segment; it is normally the link's MTU minus 40 bytes of IPv4 and TCP headers (1460 on a 1500-byte Ethernet link). Here: client ${p.client}, server ${p.server}.${p.loopback ? " 65495 is 65535, the largest IPv4 packet, minus 40: the loopback interface's MTU (65536) is larger than any IPv4 packet." : ''}`,
    (p) =>
      `MSS (максимальный размер сегмента), который каждая сторона объявляет в своём SYN, — наибольшая полезная нагрузка, которую она готова принять в одном сегменте; обычно это MTU канала минус 40 байт заголовков IPv4 и TCP (1460 для Ethernet с MTU 1500). Здесь: клиент ${p.client}, сервер ${p.server}.${p.loopback ? ' 65495 — это 65535 (наибольший IPv4-пакет) минус 40: MTU петлевого интерфейса (65536) больше любого IPv4-пакета.' : ''}`,
  ),
  'mss-again': sentence(
    { client: '1460', server: '1460', loopback: false, where: 'local' as string | undefined },
    (p) =>
      `MSS here: client ${p.client}, server ${p.server}${seeAbove('en', p.where)}.${p.loopback ? " 65495 is 65535, the largest IPv4 packet, minus 40: the loopback interface's MTU (65536) is larger than any IPv4 packet." : ''}`,
    (p) =>
      `MSS здесь: клиент ${p.client}, сервер ${p.server}${seeAbove('ru', p.where)}.${p.loopback ? ' 65495 — это 65535 (наибольший IPv4-пакет) минус 40: MTU петлевого интерфейса (65536) больше любого IPv4-пакета.' : ''}`,
  ),
  'no-syn': sentence(
    {},
    () =>
      "The capture does not contain this connection's SYN: it began after the handshake, so the handshake and the first bytes may be missing.",
    () =>
      'В захвате нет SYN этого соединения: захват начался после рукопожатия, поэтому рукопожатие и первые байты могут отсутствовать.',
  ),
  'data-title': sentence(
    {},
    () => 'Data segments:',
    () => 'Сегменты с данными:',
  ),
  'to-server': sentence(
    {},
    () => 'client → server',
    () => 'клиент → сервер',
  ),
  'to-client': sentence(
    {},
    () => 'server → client',
    () => 'сервер → клиент',
  ),
  'no-payload': sentence(
    { label: 'client → server' },
    (p) => `${p.label}: no payload.`,
    (p) => `${p.label}: данных нет.`,
  ),
  'data-direction': sentence(
    { label: 'client → server', segments: 4, bytes: 2513, sizes: '1024 [#4], 1024 [#8]' },
    (p) =>
      `${p.label}: ${plural(p.segments, 'data segment', 'data segments')}, ${p.bytes} bytes of payload (each byte counted once): ${p.sizes}.`,
    (p) =>
      `${p.label}: ${segRu(p.segments)} с данными, полезная нагрузка ${bytesRu(p.bytes)} (каждый байт посчитан один раз): ${p.sizes}.`,
  ),
  offload: sentence(
    { largest: 2048, mss: 1460 },
    (p) =>
      `The largest captured segment (${count('en', p.largest, 'byte')}) is larger than the MSS the receiver announced (${p.mss}). The kernel hands a large packet down whole and leaves cutting it into segments of at most the MSS to segmentation offload (TSO/GSO), as late as it can: a network card cuts it before it leaves, but on a \`veth\` or bridge path (containers, network namespaces) the packet may cross whole and never be cut; a receiver may also merge segments (GRO). A capture shows the packets as they are where it listens.`,
    (p) =>
      `Самый большой сегмент в захвате (${bytesRu(p.largest)}) больше MSS, объявленного получателем (${p.mss}). Ядро передаёт большой пакет вниз целиком, а разрезать его на сегменты не больше MSS оставляет механизму разгрузки сегментации (TSO/GSO) как можно позже: сетевая карта режет его перед отправкой, но на пути через \`veth\` или мост (контейнеры, сетевые пространства имён) пакет может пройти целиком и так и не быть разрезан; кроме того, получатель может объединять сегменты (GRO). Захват показывает пакеты такими, какие они в той точке, где он слушает.`,
  ),
  'portions-summarised': sentence(
    { portions: 40, bytes: 40960 },
    (p) =>
      ` (and ${plural(p.portions, 'more portion', 'more portions')}, ${count('en', p.bytes, 'byte')}, counted in summary lines)`,
    (p) => ` (и ещё порций: ${p.portions}, ${bytesRu(p.bytes)}, учтены в итоговых строках)`,
  ),
  portions: sentence(
    { read: '1024, 1024, 465', written: '1024, 1024, 465', more: '' },
    (p) => `the server's socket log: portions read ${p.read}; written back ${p.written}${p.more}.`,
    (p) => `журнал сокетов сервера: прочитаны порции ${p.read}; отправлены обратно ${p.written}${p.more}.`,
  ),
  // Names only the kinds of empty segment this capture holds (one whose clients' FINs were not
  // written must not list FINs).
  'empty-segments': sentence(
    { n: 9, handshake: true, acks: true, fins: true, resets: false, explain: true },
    (p) =>
      `${plural(p.n, 'segment', 'segments')} carried no payload: ${listed('en', [
        p.handshake && 'the handshake',
        p.acks &&
          (p.explain
            ? 'ACKs without data (such a segment only acknowledges what arrived)'
            : 'ACKs without data'),
        p.fins && 'the FINs',
        p.resets && 'the RSTs',
      ])}.`,
    (p) =>
      `${ruCount(p.n, 'сегмент не нёс', 'сегмента не несли', 'сегментов не несли')} полезной нагрузки: ${listed(
        'ru',
        [
          p.handshake && 'рукопожатие',
          p.acks &&
            (p.explain ? 'ACK без данных (такой сегмент лишь подтверждает получение)' : 'ACK без данных'),
          p.fins && 'FIN',
          p.resets && 'RST',
        ],
      )}.`,
  ),
  // What a "portion" is depends on whose server ran: ours slices each read into pieces of at most
  // 1 KB; a student's server's portion is one of its own reads.
  segmenting: sentence(
    { portions: 'lab' as 'lab' | 'own' },
    (p) =>
      ` How TCP cuts the byte stream into segments depends on how the sender wrote the bytes, on the MSS (it only bounds a segment's size) and on TCP's own rules (Nagle's algorithm, the send and receive windows), ${p.portions === 'own' ? 'not on the portions your server read: each of its portions is what one of its read calls (recv(), recvfrom() or read()) returned' : "not on the 1 KB portions the server's log counts: a portion is a slice of at most 1 KB of what one read() returned"}.`,
    (p) =>
      ` То, как TCP режет поток байтов на сегменты, зависит от того, как отправитель записывал данные, от MSS (он лишь ограничивает размер сегмента сверху) и от собственных правил TCP (алгоритм Нейгла, окна отправки и приёма), ${p.portions === 'own' ? 'а не от того, какими порциями читал ваш сервер: его порция — это то, что вернул один его вызов чтения (recv(), recvfrom() или read())' : 'а не от порций по 1 КБ в журнале сервера: порция — это кусок не больше 1 КБ из того, что вернул один вызов read()'}.`,
  ),
  'segmenting-again': sentence(
    { where: 'local' as string | undefined },
    (p) => ` How TCP cuts the stream into segments: see above${p.where ? `, scenario \`${p.where}\`` : ''}.`,
    (p) => ` Как TCP режет поток на сегменты — см. выше${p.where ? `, сценарий \`${p.where}\`` : ''}.`,
  ),
  'out-of-order': sentence(
    { n: 2 },
    (p) =>
      `${plural(p.n, 'segment was', 'segments were')} captured out of order: sent for the first time, but seen after bytes that follow them. They are not retransmissions; TCP puts the bytes back in order by their sequence numbers.`,
    (p) =>
      `${ruCount(p.n, 'сегмент попал', 'сегмента попали', 'сегментов попали')} в захват не по порядку: они отправлены впервые, но замечены после байтов, которые идут за ними. Это не повторные передачи; TCP расставляет байты по порядку по их порядковым номерам.`,
  ),
  'no-retransmissions': sentence(
    {},
    () => 'No retransmissions: every data byte was sent once.',
    () => 'Повторных передач нет: каждый байт данных отправлен один раз.',
  ),
  retransmissions: sentence(
    { n: 3, bytes: 3072, cost: '612.000' },
    (p) =>
      `${plural(p.n, 'retransmission', 'retransmissions')}: ${count('en', p.bytes, 'byte')} sent again, after a timeout or sooner: on duplicate ACKs or SACK showing a gap (fast retransmit), or as a probe for a lost tail (tail loss probe); some repeats are spurious, the first copy had arrived. Between the first sending and the repeat, ${p.cost} ms in total. The receiving TCP discards the copies of bytes it already has and puts the rest in order: the application read every byte once, in order.`,
    (p) =>
      `Повторных передач: ${p.n}; заново отправлено ${bytesRu(p.bytes)} — по тайм-ауту или раньше: когда дублирующиеся ACK или SACK показали пропуск (быстрая повторная передача) или как проба на потерю последних сегментов (англ. «tail loss probe»); часть повторов бывает лишней: первая копия уже дошла. От первой отправки до повтора прошло в сумме ${p.cost} мс. Принимающий TCP отбрасывает копии уже полученных байтов и расставляет остальные по порядку: приложение прочитало каждый байт один раз и по порядку.`,
  ),
  // ---- teardown ----------------------------------------------------------------------------
  'fin-acked': sentence(
    { at: '+9.324 ms' },
    (p) => `, acknowledged at ${p.at}`,
    (p) => `, подтверждён на ${p.at}`,
  ),
  'fin-unacked': sentence(
    {},
    () => ', no acknowledgement in the capture',
    () => ', подтверждения в захвате нет',
  ),
  'capture-ended': sentence(
    { after: '0,512' },
    (p) =>
      `The capture holds nothing of this connection after the client's FIN: no ACK and no FIN of the server's. The capture's last packet was captured ${p.after} ms after that FIN: what the server sent later is not in it.`,
    (p) =>
      `После FIN клиента в захвате нет ничего из этого соединения: ни ACK, ни FIN сервера. Последний пакет захвата записан через ${p.after} мс после этого FIN: то, что сервер отправил позже, в него не попало.`,
  ),
  'capture-ended-server-side': sentence(
    {},
    () =>
      ' This capture runs in the server’s network namespace: Compose stops it after the clients that wait for it and before the server, so the server’s answer to a client’s last FIN can come after the capture has stopped.',
    () =>
      ' Этот захват работает в сетевом пространстве имён сервера: Compose останавливает его после ждущих его клиентов и раньше сервера, поэтому ответ сервера на последний FIN клиента может прийти уже после остановки захвата.',
  ),
  'capture-ended-logged': sentence(
    {},
    () =>
      ' The server’s log records that it closed this connection (`tcp.connection.closed`): its FIN was sent.',
    () =>
      ' Журнал сервера записал, что сервер закрыл это соединение (`tcp.connection.closed`): свой FIN он отправил.',
  ),
  fin: sentence(
    { from: 'client' as Side, frame: 13, at: '+8.837 ms', acked: ', acknowledged at +9.324 ms' },
    (p) => `\`FIN\` from the ${SIDE_EN[p.from]} [#${p.frame}], ${p.at}${p.acked}.`,
    (p) => `\`FIN\` от ${SIDE_RU_GEN[p.from]} [#${p.frame}], ${p.at}${p.acked}.`,
  ),
  rst: sentence(
    { from: 'server' as Side, frame: 9, at: '+1.000 ms' },
    (p) =>
      `\`RST\` from the ${SIDE_EN[p.from]} [#${p.frame}], ${p.at}: the connection was aborted, not closed in order.`,
    (p) =>
      `\`RST\` от ${SIDE_RU_GEN[p.from]} [#${p.frame}], ${p.at}: соединение сброшено, а не закрыто штатно.`,
  ),
  'fin-repeated': sentence(
    { n: 2 },
    (p) =>
      `${plural(p.n, 'FIN was', 'FINs were')} sent again: a FIN takes a sequence number, so it is acknowledged and repeated like data.`,
    (p) =>
      `FIN отправлен повторно ${times(p.n)}: FIN занимает порядковый номер, поэтому его подтверждают и повторяют, как данные.`,
  ),
  'first-fin': sentence(
    { side: 'client' as Side, complete: true },
    (p) =>
      `The ${SIDE_EN[p.side]} sent FIN first (active close)${p.complete ? '; both FINs were acknowledged, so the connection closed in order, and the side that closed first waits in TIME_WAIT' : ''}.`,
    (p) =>
      `Первым FIN отправил ${SIDE_RU[p.side]} (активное закрытие)${p.complete ? '; оба FIN подтверждены, соединение закрыто штатно, а закрывшая первой сторона переходит в состояние TIME_WAIT' : ''}.`,
  ),
  'first-fin-exit': sentence(
    { signal: true, complete: true },
    (p) =>
      `The client sent FIN first, but not by a call of its program: its trace has neither close() nor shutdown() of this socket. ${p.signal ? 'A signal ended the program' : 'The program ended without closing the socket'}, and the kernel sent the FIN when it closed the process's sockets as the process exited.${p.complete ? " Both FINs were acknowledged: the connection ended with the FIN exchange, without RST, and the client's socket waits in TIME_WAIT in the kernel, with no process left." : ''}`,
    (p) =>
      `Первым FIN отправил клиент, но не вызовом своей программы: в её трассировке нет ни close(), ни shutdown() этого сокета. ${p.signal ? 'Программу завершил сигнал' : 'Программа завершилась, не закрыв сокет'}, и FIN отправило ядро, когда закрывало сокеты процесса при его завершении.${p.complete ? ' Оба FIN подтверждены: соединение закончилось обменом FIN, без RST, а сокет клиента переходит в состояние TIME_WAIT в ядре, уже без процесса.' : ''}`,
  ),
  'no-close': sentence(
    {},
    () =>
      'No FIN or RST of this connection in the capture: its close is not there (the capture may have stopped before it).',
    () =>
      'В захвате нет ни FIN, ни RST этого соединения: его закрытия в захвате нет (захват мог остановиться раньше).',
  ),
  // ---- UDP -----------------------------------------------------------------------------------
  'udp-sides': sentence(
    { a: '127.0.0.1:51606', b: '127.0.0.1:7008', fromA: 4, fromB: 5 },
    (p) => ` (${p.fromA} from \`${p.a}\`, ${p.fromB} from \`${p.b}\`)`,
    (p) => ` (от \`${p.a}\`: ${p.fromA}, от \`${p.b}\`: ${p.fromB})`,
  ),
  'udp-title': sentence(
    { a: '127.0.0.1:51606', b: '127.0.0.1:7008', count: 9, sides: '', bytes: 144 },
    (p) =>
      `**UDP \`${p.a}\` ↔ \`${p.b}\`**: ${plural(p.count, 'datagram', 'datagrams')}${p.sides}, ${p.bytes} bytes of payload.`,
    (p) =>
      `**UDP \`${p.a}\` ↔ \`${p.b}\`**: ${dgRu(p.count)}${p.sides}, полезная нагрузка ${bytesRu(p.bytes)}.`,
  ),
  // A table's header: its cells, one " | " between two.
  'udp-head': sentence(
    {},
    () => 'frame | time, ms | from → to | payload, bytes',
    () => 'кадр | время, мс | откуда → куда | данные, байт',
  ),
  'and-n-more': sentence(
    { n: 12 },
    (p) => `… and ${plural(p.n, 'more datagram', 'more datagrams')}.`,
    (p) => `… и ещё ${dgRu(p.n)}.`,
  ),
  'udp-rules': sentence(
    {},
    () =>
      "UDP itself has no connection: no handshake, no acknowledgement, no teardown. Every datagram here stands alone, including the chat's join exchange (HELLO, COOKIE, JOIN, WELCOME), which is the chat protocol's own, carried in ordinary datagrams; each chat message is one datagram. A datagram that is lost is simply missing: nothing in UDP sends it again.",
    () =>
      'У самого UDP нет соединения: ни рукопожатия, ни подтверждений, ни закрытия. Каждая дейтаграмма здесь самостоятельна, в том числе обмен при входе в чат (HELLO, COOKIE, JOIN, WELCOME): это собственный протокол чата поверх обычных дейтаграмм; каждое сообщение чата — одна дейтаграмма. Потерянная дейтаграмма просто не приходит: UDP не отправляет её повторно.',
  ),
  // The plain text protocol has no author in the course (the assignment defines no chat protocol):
  // it is the one the student's programs speak, or the lab's `--protocol plain`.
  'udp-rules-plain': sentence(
    { own: true },
    (p) =>
      `UDP itself has no connection: no handshake, no acknowledgement, no teardown. Every datagram here stands alone. The plain text protocol ${p.own ? 'your programs speak' : 'of the lab’s chat (`--protocol plain`)'} has no join exchange: a client becomes a member when its first datagram reaches the server (a client may open with a message that it joined: that is an ordinary datagram of text), each datagram carries the text a program wrote, and the server knows a member only by the address its datagrams came from. A datagram that is lost is simply missing: nothing in UDP sends it again.`,
    (p) =>
      `У самого UDP нет соединения: ни рукопожатия, ни подтверждений, ни закрытия. Каждая дейтаграмма здесь самостоятельна. В простом текстовом протоколе, ${p.own ? 'которым говорят ваши программы' : 'которым говорит чат стенда с `--protocol plain`'}, обмена при входе нет: участником клиент становится, когда его первая дейтаграмма доходит до сервера (клиент может начать с сообщения о том, что вошёл в чат, — это обычная дейтаграмма с текстом), каждая дейтаграмма несёт текст, который записала программа, а участника сервер узнаёт только по адресу, с которого пришли его дейтаграммы. Потерянная дейтаграмма просто не приходит: UDP не отправляет её повторно.`,
  ),
  'udp-rules-unknown': sentence(
    {},
    () =>
      'UDP itself has no connection: no handshake, no acknowledgement, no teardown. Every datagram here stands alone; any exchange a chat program makes when it joins is that program’s own protocol, carried in ordinary datagrams. A datagram that is lost is simply missing: nothing in UDP sends it again.',
    () =>
      'У самого UDP нет соединения: ни рукопожатия, ни подтверждений, ни закрытия. Каждая дейтаграмма здесь самостоятельна; если чат-программа обменивается сообщениями при входе, это её собственный протокол поверх обычных дейтаграмм. Потерянная дейтаграмма просто не приходит: UDP не отправляет её повторно.',
  ),
  'udp-rules-again': sentence(
    { where: 'vm' as string | undefined },
    (p) =>
      `What UDP has and lacks (no connection, no acknowledgement, no repeat of a lost datagram): see above${p.where ? `, scenario \`${p.where}\`` : ''}.`,
    (p) =>
      `Что есть и чего нет у UDP (нет соединения, подтверждений и повтора потерянной дейтаграммы) — см. выше${p.where ? `, сценарий \`${p.where}\`` : ''}.`,
  ),
  // ---- the hop -------------------------------------------------------------------------------
  'rw-source': sentence(
    {},
    () => 'source',
    () => 'источник',
  ),
  'rw-destination': sentence(
    {},
    () => 'destination',
    () => 'назначение',
  ),
  'rw-address': sentence(
    { from: '10.0.0.2', to: '10.0.1.1' },
    (p) => `address ${p.from} → ${p.to}`,
    (p) => `адрес ${p.from} → ${p.to}`,
  ),
  'rw-port': sentence(
    { from: '40000', to: '50000' },
    (p) => `port ${p.from} → ${p.to}`,
    (p) => `порт ${p.from} → ${p.to}`,
  ),
  'rw-kept': sentence(
    { address: true },
    (p) => `${p.address ? 'address' : 'port'} kept`,
    (p) => `${p.address ? 'адрес' : 'порт'} тот же`,
  ),
  'rw-part': sentence(
    { label: 'source', changes: 'address 10.0.0.2 → 10.0.1.1, port kept' },
    (p) => `${p.label} ${p.changes}`,
    (p) => `${p.label} — ${p.changes}`,
  ),
  'hop-addresses': sentence(
    { bc: '10.0.0.2:40000', bs: '10.0.0.1:7007', ac: '10.0.1.1:40000', as: '10.0.1.10:7007' },
    (p) => `before the hop \`${p.bc}\` → \`${p.bs}\`, after it \`${p.ac}\` → \`${p.as}\``,
    (p) => `до перехода \`${p.bc}\` → \`${p.bs}\`, после него \`${p.ac}\` → \`${p.as}\``,
  ),
  'hop-ttl': sentence(
    { before: 64, after: 63 },
    (p) => ` TTL of the client's SYN: ${p.before} before, ${p.after} after.`,
    (p) => ` TTL клиентского SYN: ${p.before} до, ${p.after} после.`,
  ),
  // "2/2 байт" agrees with neither number: the unit goes before the pairs.
  'hop-bytes': sentence(
    { toServer: [2513, 2513], toClient: [2513, 2513] },
    (p) =>
      `payload in bytes ${p.toServer[0]}/${p.toServer[1]} client → server and ${p.toClient[0]}/${p.toClient[1]} back (near/far)`,
    (p) =>
      `полезная нагрузка в байтах: ${p.toServer[0]}/${p.toServer[1]} от клиента к серверу и ${p.toClient[0]}/${p.toClient[1]} обратно (ближняя/дальняя сторона)`,
  ),
  'proxy-order': sentence(
    { offset: '1.250' },
    (p) =>
      ` The far SYN left ${p.offset} ms after the near SYN, after the near handshake had completed: the connection was accepted first and a new one opened afterwards.`,
    (p) =>
      ` Дальний SYN ушёл через ${p.offset} мс после ближнего, уже после завершения ближнего рукопожатия: сначала соединение было принято, потом открыто новое.`,
  ),
  proxy: sentence(
    { addr: '…', isn: [1, 2, 3, 4] as (number | undefined)[], bytes: '…', order: '', ttl: '' },
    (p) =>
      `**Two TCP connections (a proxy)**: ${p.addr}. Two handshakes with different initial sequence numbers (ISNs: client ${num(p.isn[0])} vs ${num(p.isn[1])}, server ${num(p.isn[2])} vs ${num(p.isn[3])}), carrying the same bytes: ${p.bytes}. A program on the hop was the client's peer: it accepted the client's connection and opened its own to the server, copying the bytes between them.${p.order}${p.ttl}`,
    (p) =>
      `**Два TCP-соединения (прокси)**: ${p.addr}. Два рукопожатия с разными начальными порядковыми номерами (ISN: клиент ${num(p.isn[0])} и ${num(p.isn[1])}, сервер ${num(p.isn[2])} и ${num(p.isn[3])}), по которым прошли одни и те же байты: ${p.bytes}. Собеседником клиента была программа на промежуточном узле: она приняла соединение клиента и открыла своё к серверу, копируя байты между ними.${p.order}${p.ttl}`,
  ),
  'hop-nat': sentence(
    { kinds: 'DNAT + SNAT', rewrites: 'источник — адрес 10.0.0.2 → 10.0.1.1, порт тот же' },
    (p) => `the hop rewrote the headers (${p.kinds}): ${p.rewrites}. That is NAT`,
    (p) => `промежуточный узел переписал заголовки (${p.kinds}): ${p.rewrites}. Это NAT`,
  ),
  'hop-routed': sentence(
    {},
    () => 'the addresses and ports are the same on both sides: the hop only routed the packets',
    () => 'адреса и порты с обеих сторон одинаковы: промежуточный узел только маршрутизировал пакеты',
  ),
  'one-connection': sentence(
    { nat: true, addr: '…', isn: [1, 3] as (number | undefined)[], bytes: '…', what: '…', ttl: '' },
    (p) =>
      `**One TCP connection (${p.nat ? 'NAT' : 'routed'})**: ${p.addr}. Both captures show the same handshake: the same initial sequence numbers (ISNs: client ${num(p.isn[0])}, server ${num(p.isn[1])}) and ${p.bytes}; ${p.what}. No program on the hop took part in the connection.${p.ttl}`,
    (p) =>
      `**Одно TCP-соединение (${p.nat ? 'NAT' : 'маршрутизация'})**: ${p.addr}. Оба захвата показывают одно и то же рукопожатие: те же начальные порядковые номера (ISN: клиент ${num(p.isn[0])}, сервер ${num(p.isn[1])}) и ${p.bytes}; ${p.what}. Ни одна программа на промежуточном узле в соединении не участвовала.${p.ttl}`,
  ),
  'hop-unmatched': sentence(
    { client: '10.0.0.2:40000', server: '10.0.1.10:7007', near: true },
    (p) =>
      `TCP connection \`${p.client}\` → \`${p.server}\` appears only in the ${p.near ? "client's" : "server's"} capture.`,
    (p) =>
      `TCP-соединение \`${p.client}\` → \`${p.server}\` есть только в захвате ${p.near ? 'клиента' : 'сервера'}.`,
  ),
  'udp-ttl': sentence(
    { before: 64, after: 63 },
    (p) => ` TTL ${p.before} before, ${p.after} after.`,
    (p) => ` TTL ${p.before} до, ${p.after} после.`,
  ),
  // TTL one less and the client's port kept: the hop's kernel forwarded the datagrams themselves.
  'udp-forwarded': sentence(
    { port: 42966, nat: true },
    (p) =>
      ` The TTL is exactly one less and the client's port ${p.port} is kept: the hop's kernel forwarded these datagrams${p.nat ? ', rewriting their addresses (NAT)' : ''}. A program relaying them would send new datagrams of its own, with its own initial TTL (64 on Linux) and usually from another port. UDP has no handshake to compare, so this is strong evidence but not a proof like TCP's one handshake: a relay could pick the same port and TTL on purpose.`,
    (p) =>
      ` TTL меньше ровно на 1, а порт клиента ${p.port} тот же: эти дейтаграммы переслало ядро промежуточного узла${p.nat ? ', переписав в них адреса (NAT)' : ''}. Программа-ретранслятор отправляла бы новые дейтаграммы со своим начальным TTL (в Linux 64) и обычно с другого порта. Рукопожатия, которое можно сравнить, у UDP нет, поэтому это веский признак, но не такое доказательство, как одно рукопожатие TCP: ретранслятор мог бы нарочно взять тот же порт и тот же TTL.`,
  ),
  'udp-unproved': sentence(
    {},
    () =>
      ' UDP has no sequence numbers, so datagrams alone cannot tell address rewriting from a relay that sends new datagrams.',
    () =>
      ' У UDP нет порядковых номеров, поэтому по одним дейтаграммам нельзя отличить перезапись адресов от ретранслятора, отправляющего новые дейтаграммы.',
  ),
  'hop-udp': sentence(
    { addr: '…', n: 5, ttl: '', why: '' },
    (p) =>
      `UDP: ${p.addr}; ${plural(p.n, 'datagram', 'datagrams')} of the same sizes in the same order on both sides.${p.ttl}${p.why}`,
    (p) => `UDP: ${p.addr}; ${dgRu(p.n)} тех же размеров в том же порядке с обеих сторон.${p.ttl}${p.why}`,
  ),
  'hop-nothing': sentence(
    {},
    () => 'The two captures share no traffic.',
    () => 'В двух захватах нет общего трафика.',
  ),
  // ---- socket log against the wire -----------------------------------------------------------
  'cc-not-in-capture': sentence(
    {},
    () => 'FAIL: connection not in the capture',
    () => 'ОШИБКА: соединения нет в захвате',
  ),
  'cc-reset': sentence(
    {},
    () => 'FAIL: reset, the kernel lost echo it had taken',
    () => 'ОШИБКА: сброс (RST), ядро потеряло принятое эхо',
  ),
  'cc-capture-incomplete': sentence(
    {},
    () => 'FAIL: capture began after the handshake',
    () => 'ОШИБКА: захват начался после рукопожатия',
  ),
  'cc-differ': sentence(
    {},
    () => 'FAIL: counts differ',
    () => 'ОШИБКА: числа различаются',
  ),
  'cc-acked': sentence(
    { n: 0 },
    (p) =>
      `match by the ACKs: the capture lacks ${plural(p.n, 'byte', 'bytes')} that the other side acknowledged (the capturing kernel dropped packets: "packets dropped by kernel" in the capture container's output)`,
    (p) =>
      `совпадает по подтверждениям (ACK): в захвате нет ${count('ru', p.n, 'byte', 'gen')}, которые другая сторона подтвердила (ядро не успело передать пакеты программе захвата: «packets dropped by kernel» в выводе контейнера захвата)`,
  ),
  'cc-match': sentence(
    {},
    () => 'match',
    () => 'совпадает',
  ),
  'cc-intro': sentence(
    {},
    () =>
      "TCP payload bytes on the wire compared with the byte counts in the server's socket log, per connection and direction. The capture counts the kernel's segments (each sequence number once), the log counts what the program read and wrote: two independent counts.",
    () =>
      'Байты полезной нагрузки TCP в захвате сравниваются со счётчиками байтов в журнале сокетов сервера, по каждому соединению и направлению. Захват считает сегменты ядра (каждый порядковый номер один раз), журнал — то, что программа прочитала и записала: два независимых подсчёта.',
  ),
  'cc-intro-again': sentence(
    { where: 'local' as string | undefined },
    (p) =>
      `The same comparison for this scenario's connections (what the two counts are: see above${p.where ? `, scenario \`${p.where}\`` : ''}).`,
    (p) =>
      `То же сравнение для соединений этого сценария (что считает каждый из двух подсчётов — см. выше${p.where ? `, сценарий \`${p.where}\`` : ''}).`,
  ),
  // A table's header: its cells, one " | " between two.
  'cc-head': sentence(
    {},
    () => 'client (as the server saw it) | direction | socket log | on the wire | result',
    () => 'клиент (как его видел сервер) | направление | журнал сокетов | в захвате | результат',
  ),
  'cc-no-connection': sentence(
    {},
    () => 'FAIL: no connection in the socket log',
    () => 'ОШИБКА: в журнале нет соединений',
  ),
  'cc-pass': sentence(
    {},
    () => 'Every byte the log counts crossed the wire, and no more: the check passes.',
    () => 'Каждый учтённый в журнале байт прошёл по сети, и ни одного лишнего: проверка пройдена.',
  ),
  'cc-fail': sentence(
    {},
    () => 'The counts do not agree: the check fails.',
    () => 'Подсчёты не совпадают: проверка не пройдена.',
  ),
  'cc-unlogged': sentence(
    { clients: '`127.0.0.1:40000`' },
    (p) =>
      `Connections to the server in the capture whose closing line is in none of the logs read: ${p.clients}.`,
    (p) =>
      `Соединения с сервером из захвата, строки о закрытии которых нет ни в одном из прочитанных журналов: ${p.clients}.`,
  ),
  'cc-elsewhere': sentence(
    { clients: '`127.0.0.1:40000`' },
    (p) =>
      `The capture's other connections to the server are other scenarios': the server's log has their closing lines, compared in those scenarios' sections: ${p.clients}.`,
    (p) =>
      `Остальные соединения с сервером в этом захвате относятся к другим сценариям: строки об их закрытии в журнале сервера есть, сравнение — в разделах этих сценариев: ${p.clients}.`,
  ),
  'cc-owned': sentence(
    { client: '127.0.0.1:40000', owner: 'vm' as string | undefined },
    (p) =>
      p.owner === undefined
        ? `\`${p.client}\` (no client's log names its scenario)`
        : `\`${p.client}\` (scenario \`${p.owner}\`)`,
    (p) =>
      p.owner === undefined
        ? `\`${p.client}\` (сценарий не назван ни в одном журнале клиента)`
        : `\`${p.client}\` (сценарий \`${p.owner}\`)`,
  ),
  // ---- the section -----------------------------------------------------------------------------
  'capture-title': sentence(
    { name: 'server.pcap' },
    (p) => `**Capture \`${p.name}\`**`,
    (p) => `**Захват \`${p.name}\`**`,
  ),
  'no-capture': sentence(
    { reason: undefined as string | undefined },
    (p) => `No capture: ${p.reason ?? 'the file does not exist'}.`,
    (p) => `Захвата нет: ${p.reason ?? 'файл отсутствует'}.`,
  ),
  'no-lab-traffic': sentence(
    {},
    () => "The capture holds no traffic of the lab's servers.",
    () => 'В захвате нет трафика серверов стенда.',
  ),
  'hop-title': sentence(
    {},
    () => '**Both sides of the hop**',
    () => '**Обе стороны промежуточного узла**',
  ),
  'cc-title': sentence(
    {},
    () => '**Bytes: the socket log and the capture**',
    () => '**Байты: журнал сокетов и захват**',
  ),
} satisfies Catalogue;

type WireCode = keyof typeof WIRE_TEXTS;
/** An entry's parameters, where a string may also be given as runs another entry made. */
type Args<P> = { [K in keyof P]: P[K] extends string ? Value : P[K] };

/** The sentence `code` of WIRE_TEXTS in `lang`, as runs: our marks read, every parameter plain text. */
const t = <K extends WireCode>(lang: Lang, code: K, p: Args<ParamsOf<(typeof WIRE_TEXTS)[K]>>): Inline[] =>
  fill(WIRE_TEXTS[code][lang] as (q: object) => string, p);
/** The sentence as a string, for words that only go into another sentence (options, sizes, times). */
const w = <K extends WireCode>(lang: Lang, code: K, p: ParamsOf<(typeof WIRE_TEXTS)[K]>): string =>
  say(WIRE_TEXTS, code, p, lang);
/** A table header entry's cells. */
const cells = (lang: Lang, code: 'udp-head' | 'cc-head'): string[] => w(lang, code, {}).split(' | ');

/** One line for a capture that could not be read (or only partly). */
export function explainCaptureProblem(name: string, problem: CaptureProblem, lang: Lang): string {
  return w(lang, 'capture-problem', problemArgs(name, problem));
}

function problemArgs(name: string, problem: CaptureProblem) {
  return { name, code: problem.code, offset: problem.offset, message: problem.message };
}

function optionsText(o: TcpOptions, lang: Lang): string {
  const parts: string[] = [];
  if (o.mss !== undefined) parts.push(`MSS ${o.mss}`);
  if (o.wscale !== undefined) parts.push(w(lang, 'opt-wscale', { v: o.wscale }));
  if (o.sackPermitted) parts.push(w(lang, 'opt-sack', {}));
  if (o.timestamp) parts.push(w(lang, 'opt-timestamps', {}));
  if (parts.length === 0) return w(lang, 'opt-none', {});
  return parts.join(', ');
}

function sizesList(stats: DirectionStats, limit: number, lang: Lang): string {
  const shown = stats.data.slice(0, limit).map((d) => {
    const mark = d.retransmission ? w(lang, 'retransmission', {}) : '';
    return `${d.length}${mark} [#${d.frame}]`;
  });
  const rest = stats.dataCount - shown.length;
  if (rest > 0) shown.push(w(lang, 'n-more', { n: rest }));
  return shown.join(', ');
}

/** The handshake, the data segments each way and the teardown of one TCP connection. */
export function explainTcpConnection(
  c: TcpConnection,
  lang: Lang,
  listLimit = 20,
  portions?: SocketPortions,
  ending?: CaptureEnding,
  opts: { portionsOf?: 'lab' | 'own'; said?: Once; exitClose?: ExitClose } = {},
): Block[] {
  const said = opts.said ?? once(undefined, undefined);
  const t0 = c.handshake.syn?.timeMs ?? c.startMs;
  const at = (time: number) => w(lang, 'at-ms', { ms: ms(lang, time - t0) });
  const out: Block[] = [];
  const p = (runs: Inline[]) => out.push(paragraph(runs));
  p(t(lang, 'tcp-title', { id: c.id, client: c.client, server: c.server, packets: c.packets }));

  // Handshake
  const h = c.handshake;
  if (h.syn) {
    const seg = (s: { from: string; to: string; frame: number; timeMs: number }) => ({
      from: s.from,
      to: s.to,
      frame: s.frame,
      at: at(s.timeMs),
    });
    const steps: Inline[][] = [
      t(lang, 'hs-syn', { ...seg(h.syn), seq: h.syn.seq, options: optionsText(h.syn.options, lang) }),
    ];
    if (h.synAck) {
      steps.push(
        t(lang, 'hs-syn-ack', {
          ...seg(h.synAck),
          seq: h.synAck.seq,
          ack: h.synAck.ack,
          options: optionsText(h.synAck.options, lang),
        }),
      );
    }
    if (h.ack) steps.push(t(lang, 'hs-ack', { frame: h.ack.frame, at: at(h.ack.timeMs), ack: h.ack.ack }));
    p(t(lang, 'hs-title', { complete: h.complete }));
    // Numbered steps as a numbered list: printed, they stay three steps.
    out.push(list(steps, true));
    if (h.synRetransmissions > 0) {
      p(
        t(lang, 'syn-repeated', {
          times: h.synRetransmissions + 1,
          delay: ms(lang, h.synRetransmissionDelayMs),
        }),
      );
    }
    if (h.synAckRetransmissions > 0) p(t(lang, 'syn-ack-repeated', { times: h.synAckRetransmissions + 1 }));
    const mssC = c.toServer.announcedMss;
    const mssS = c.toClient.announcedMss;
    if (mssC !== undefined || mssS !== undefined) {
      const mss = { client: num(mssC), server: num(mssS), loopback: mssC === 65495 || mssS === 65495 };
      p(said.first('mss') ? t(lang, 'mss', mss) : t(lang, 'mss-again', { ...mss, where: said.where('mss') }));
    }
  } else {
    p(t(lang, 'no-syn', {}));
  }

  // Data
  p(t(lang, 'data-title', {}));
  const items: ListItem[] = [];
  for (const [label, s, receiverMss] of [
    [w(lang, 'to-server', {}), c.toServer, c.toClient.announcedMss],
    [w(lang, 'to-client', {}), c.toClient, c.toServer.announcedMss],
  ] as const) {
    if (s.dataCount === 0) {
      items.push({ content: t(lang, 'no-payload', { label }) });
      continue;
    }
    const content = t(lang, 'data-direction', {
      label,
      segments: s.dataCount,
      bytes: s.payloadBytes,
      sizes: sizesList(s, listLimit, lang),
    });
    const children: Block[] = [];
    if (receiverMss !== undefined && s.largestSegment > receiverMss) {
      children.push(paragraph(t(lang, 'offload', { largest: s.largestSegment, mss: receiverMss })));
    }
    items.push({ content, ...(children.length > 0 ? { children } : {}) });
  }
  if (portions) {
    const sizes = (n: number[]) =>
      n.length > listLimit ? `${n.slice(0, listLimit).join(', ')}, …` : n.join(', ') || '—';
    const more =
      portions.summarised.portions > 0
        ? t(lang, 'portions-summarised', {
            portions: portions.summarised.portions,
            bytes: portions.summarised.bytes,
          })
        : '';
    items.push({
      content: t(lang, 'portions', { read: sizes(portions.read), written: sizes(portions.written), more }),
    });
  }
  out.push(list(items));
  const empty = c.toServer.emptySegments + c.toClient.emptySegments;
  const td = c.teardown;
  // The handshake's segments, the FINs and RSTs this capture holds; the rest of the empty ones are pure ACKs.
  const hsSegments =
    (h.syn ? 1 + h.synRetransmissions : 0) + (h.synAck ? 1 + h.synAckRetransmissions : 0) + (h.ack ? 1 : 0);
  const closers = td.fins.length + td.finRetransmissions + td.resets.length;
  const explain = said.first('segmenting');
  p([
    ...t(lang, 'empty-segments', {
      n: empty,
      handshake: hsSegments > 0,
      acks: empty > hsSegments + closers,
      fins: td.fins.length > 0,
      resets: td.resets.length > 0,
      explain,
    }),
    ...(explain
      ? t(lang, 'segmenting', { portions: opts.portionsOf ?? 'lab' })
      : t(lang, 'segmenting-again', { where: said.where('segmenting') })),
  ]);

  const reordered = c.toServer.outOfOrder + c.toClient.outOfOrder;
  if (reordered > 0) p(t(lang, 'out-of-order', { n: reordered }));

  // Retransmissions
  const rtx = c.toServer.retransmissions + c.toClient.retransmissions;
  if (rtx === 0) {
    p(t(lang, 'no-retransmissions', {}));
  } else {
    const bytes = c.toServer.retransmittedBytes + c.toClient.retransmittedBytes;
    const cost = c.toServer.retransmissionDelayMs + c.toClient.retransmissionDelayMs;
    p(t(lang, 'retransmissions', { n: rtx, bytes, cost: ms(lang, cost) }));
  }

  // Teardown
  const closing: Inline[][] = [];
  for (const fin of td.fins) {
    const acked =
      fin.ackedAtMs !== undefined
        ? w(lang, 'fin-acked', { at: at(fin.ackedAtMs) })
        : w(lang, 'fin-unacked', {});
    closing.push(t(lang, 'fin', { from: fin.from, frame: fin.frame, at: at(fin.timeMs), acked }));
  }
  for (const r of td.resets) closing.push(t(lang, 'rst', { from: r.from, frame: r.frame, at: at(r.timeMs) }));
  if (td.finRetransmissions > 0) closing.push(t(lang, 'fin-repeated', { n: td.finRetransmissions }));
  if (closing.length > 0) out.push(list(closing));
  // The client's last FIN with nothing after it: say where the capture ended, and why, when known.
  const lastFin = td.fins.at(-1);
  if (
    ending &&
    lastFin?.from === 'client' &&
    lastFin.ackedAtMs === undefined &&
    !td.fins.some((f) => f.from === 'server') &&
    td.resets.length === 0
  ) {
    out.push(
      paragraph([
        ...t(lang, 'capture-ended', { after: ms(lang, ending.timeMs - lastFin.timeMs) }),
        ...(ending.serverSide ? t(lang, 'capture-ended-server-side', {}) : []),
        ...(ending.closedInLog?.has(c.client) ? t(lang, 'capture-ended-logged', {}) : []),
      ]),
    );
  }
  if (td.firstFin === 'client' && opts.exitClose) {
    p(t(lang, 'first-fin-exit', { signal: opts.exitClose.signal, complete: td.complete }));
  } else if (td.firstFin) {
    p(t(lang, 'first-fin', { side: td.firstFin, complete: td.complete }));
  } else if (td.resets.length === 0) {
    p(t(lang, 'no-close', {}));
  }
  return out;
}

/** The datagrams of one UDP conversation: one datagram per message, no handshake, no acknowledgement. */
export function explainUdpConversation(
  u: UdpConversation,
  lang: Lang,
  listLimit = 20,
  handshake?: ChatHandshake,
  said: Once = once(undefined, undefined),
): Block[] {
  const fromA = u.datagrams.filter((d) => d.from === u.a);
  const fromB = u.datagrams.filter((d) => d.from !== u.a);
  const t0 = u.datagrams[0]?.timeMs ?? 0;
  const out: Block[] = [];
  const sides =
    u.recordsDropped === 0
      ? t(lang, 'udp-sides', { a: u.a, b: u.b, fromA: fromA.length, fromB: fromB.length })
      : [];
  out.push(paragraph(t(lang, 'udp-title', { a: u.a, b: u.b, count: u.count, sides, bytes: u.bytes })));
  const rows = u.datagrams
    .slice(0, listLimit)
    .map((d) => [
      String(d.frame),
      `+${ms(lang, d.timeMs - t0)}`,
      prose`${code(d.from)} → ${code(d.to)}`,
      String(d.payloadLength),
    ]);
  out.push(table(cells(lang, 'udp-head'), rows));
  const notListed = u.count - rows.length;
  if (notListed > 0) out.push(paragraph(t(lang, 'and-n-more', { n: notListed })));
  const rules = !said.first('udp')
    ? t(lang, 'udp-rules-again', { where: said.where('udp') })
    : handshake === 'lab'
      ? t(lang, 'udp-rules', {})
      : handshake === 'plain' || handshake === 'own'
        ? t(lang, 'udp-rules-plain', { own: handshake === 'own' })
        : t(lang, 'udp-rules-unknown', {});
  out.push(paragraph(rules));
  return out;
}

function splitEndpoint(endpoint: string): [string, string] {
  const i = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, i), endpoint.slice(i + 1)];
}

/** "source address 10.0.0.2 → 10.0.1.1, port kept; destination ...": what changed between before and after. */
function rewrites(
  before: { client: string; server: string },
  after: { client: string; server: string },
  lang: Lang,
): string {
  const parts: string[] = [];
  for (const [label, b, a] of [
    [w(lang, 'rw-source', {}), before.client, after.client],
    [w(lang, 'rw-destination', {}), before.server, after.server],
  ] as const) {
    const [ba, bp] = splitEndpoint(b);
    const [aa, ap] = splitEndpoint(a);
    const changes: string[] = [];
    if (ba !== aa) changes.push(w(lang, 'rw-address', { from: ba, to: aa }));
    if (bp !== ap) changes.push(w(lang, 'rw-port', { from: bp, to: ap }));
    if (changes.length === 0) continue;
    if (changes.length === 1) changes.push(w(lang, 'rw-kept', { address: ba === aa }));
    parts.push(w(lang, 'rw-part', { label, changes: changes.join(', ') }));
  }
  return parts.join('; ');
}

function natKinds(r: { source: boolean; destination: boolean }): string {
  return [r.destination ? 'DNAT' : '', r.source ? 'SNAT' : ''].filter(Boolean).join(' + ');
}

function hopLine(v: Exclude<HopVerdict, { kind: 'unmatched' }>, lang: Lang): Inline[] {
  const e = v.evidence;
  const addr = t(lang, 'hop-addresses', {
    bc: v.before.client,
    bs: v.before.server,
    ac: v.after.client,
    as: v.after.server,
  });
  const ttl =
    e.synTtl[0] !== undefined && e.synTtl[1] !== undefined
      ? w(lang, 'hop-ttl', { before: e.synTtl[0], after: e.synTtl[1] })
      : '';
  const bytes = w(lang, 'hop-bytes', {
    toServer: [e.toServerBytes[0], e.toServerBytes[1]],
    toClient: [e.toClientBytes[0], e.toClientBytes[1]],
  });
  if (v.kind === 'proxy') {
    const order =
      e.farSynAfterNearHandshake === true
        ? w(lang, 'proxy-order', { offset: ms(lang, e.synOffsetMs ?? Number.NaN) })
        : '';
    return t(lang, 'proxy', {
      addr,
      isn: [e.clientIsn[0], e.clientIsn[1], e.serverIsn[0], e.serverIsn[1]],
      bytes,
      order,
      ttl,
    });
  }
  const what =
    v.kind === 'nat'
      ? t(lang, 'hop-nat', { kinds: natKinds(v.rewritten), rewrites: rewrites(v.before, v.after, lang) })
      : t(lang, 'hop-routed', {});
  return t(lang, 'one-connection', {
    nat: v.kind === 'nat',
    addr,
    isn: [e.clientIsn[0], e.serverIsn[0]],
    bytes,
    what,
    ttl,
  });
}

/**
 * What the datagrams on both sides of the hop show: a TTL one less with the client's port kept is
 * the kernel forwarding them (a relay would send new ones, with its own TTL and usually its own
 * port); anything else, only that UDP cannot tell.
 */
function udpHopWhy(u: UdpHopRelation, lang: Lang): string {
  const [before, after] = u.ttl;
  const port = portOf(u.before.client);
  if (before !== undefined && after === before - 1 && port === portOf(u.after.client))
    return w(lang, 'udp-forwarded', {
      port,
      nat: u.before.client !== u.after.client || u.before.server !== u.after.server,
    });
  return w(lang, 'udp-unproved', {});
}

/** The remote scenario seen from both sides of the hop. */
export function explainHop(rel: HopRelation, lang: Lang): Block[] {
  const items: Inline[][] = [];
  for (const v of rel.tcp) {
    if (v.kind === 'unmatched') {
      items.push(
        t(lang, 'hop-unmatched', {
          client: v.connection.client,
          server: v.connection.server,
          near: v.side === 'near',
        }),
      );
    } else {
      items.push(hopLine(v, lang));
    }
  }
  for (const u of rel.udp) {
    const ttl =
      u.ttl[0] !== undefined && u.ttl[1] !== undefined
        ? w(lang, 'udp-ttl', { before: u.ttl[0], after: u.ttl[1] })
        : '';
    const addr = t(lang, 'hop-addresses', {
      bc: u.before.client,
      bs: u.before.server,
      ac: u.after.client,
      as: u.after.server,
    });
    items.push(t(lang, 'hop-udp', { addr, n: u.matchedDatagrams, ttl, why: udpHopWhy(u, lang) }));
  }
  if (items.length === 0) return [paragraph(t(lang, 'hop-nothing', {}))];
  return [list(items)];
}

const CC_REASON = {
  'not-in-capture': 'cc-not-in-capture',
  reset: 'cc-reset',
  'capture-incomplete': 'cc-capture-incomplete',
} as const;

/** The table of socket-log byte counts against payload bytes on the wire. */
export function explainCrossCheck(
  check: CrossCheck,
  lang: Lang,
  said: Once = once(undefined, undefined),
): Block[] {
  const dir = (d: string) => w(lang, d === 'client-to-server' ? 'to-server' : 'to-client', {});
  const reason = (r: string | undefined) =>
    w(lang, (r !== undefined && CC_REASON[r as keyof typeof CC_REASON]) || 'cc-differ', {});
  const rows: Value[][] = check.comparisons.map((c) => [
    code(c.remote),
    dir(c.direction),
    String(c.logged),
    String(c.onWire ?? '—'),
    c.ackedNotCaptured
      ? w(lang, 'cc-acked', { n: c.ackedNotCaptured })
      : c.ok
        ? w(lang, 'cc-match', {})
        : reason(c.reason),
  ]);
  if (check.comparisons.length === 0) rows.push(['—', '—', '—', '—', w(lang, 'cc-no-connection', {})]);
  const out: Block[] = [
    paragraph(
      said.first('cc') ? t(lang, 'cc-intro', {}) : t(lang, 'cc-intro-again', { where: said.where('cc') }),
    ),
    table(cells(lang, 'cc-head'), rows),
    paragraph(t(lang, check.ok ? 'cc-pass' : 'cc-fail', {})),
  ];
  if (check.elsewhere.length > 0) {
    const clients = join(
      check.elsewhere.map((e) => t(lang, 'cc-owned', { client: e.connection.client, owner: e.owner })),
    );
    out.push(paragraph(t(lang, 'cc-elsewhere', { clients })));
  }
  if (check.unlogged.length > 0) {
    const clients = join(check.unlogged.map((c) => code(c.client)));
    out.push(paragraph(t(lang, 'cc-unlogged', { clients })));
  }
  return out;
}

/** The whole "On the wire" section body for one scenario (without its heading), as blocks. */
export function wireBlocks(input: WireSectionInput): Block[] {
  const { lang } = input;
  const limit = input.listLimit ?? 20;
  const ports = input.serverPorts;
  const ours = (a: string, b: string) => !ports || ports.includes(portOf(a)) || ports.includes(portOf(b));
  const out: Block[] = [];
  const said = once(input.said, input.place);
  for (const cap of input.captures) {
    out.push(paragraph(t(lang, 'capture-title', { name: cap.name })));
    if (!cap.result) {
      out.push(paragraph(t(lang, 'no-capture', { reason: cap.absentReason })));
      continue;
    }
    if (!cap.result.ok) {
      // The file's name and the reader's message are text in the sentence, whatever they hold.
      out.push(paragraph(t(lang, 'capture-problem', problemArgs(cap.name, cap.result.problem))));
    }
    const packets = cap.result.ok ? cap.result.capture.packets : cap.result.partial?.packets;
    const flows = cap.flows ?? (packets ? analyseFlows(packets) : undefined);
    if (!flows) continue;
    const tcp = flows.tcp.filter((c) => ours(c.client, c.server));
    const udp = flows.udp.filter((u) => ours(u.a, u.b));
    if (tcp.length + udp.length === 0) out.push(paragraph(t(lang, 'no-lab-traffic', {})));
    // The capture's last packet: every packet it holds is on the lab's ports (tcpdump's filter).
    const lastMs = cap.lastMs ?? lastPacketMs(flows);
    const ending: CaptureEnding | undefined = Number.isFinite(lastMs)
      ? {
          timeMs: lastMs,
          serverSide: input.labCompose === true && cap === input.captures[0],
          ...(input.closedInLog ? { closedInLog: input.closedInLog } : {}),
        }
      : undefined;
    for (const c of tcp) {
      const exitClose = input.closedAtExit?.get(c.client);
      out.push(
        ...explainTcpConnection(c, lang, limit, input.portions?.get(c.client), ending, {
          said,
          ...(input.portionsOf ? { portionsOf: input.portionsOf } : {}),
          ...(exitClose ? { exitClose } : {}),
        }),
      );
    }
    for (const u of udp) out.push(...explainUdpConversation(u, lang, limit, input.chatHandshake, said));
  }
  if (input.hop) out.push(paragraph(t(lang, 'hop-title', {})), ...explainHop(input.hop, lang));
  if (input.crossCheck) {
    out.push(paragraph(t(lang, 'cc-title', {})), ...explainCrossCheck(input.crossCheck, lang, said));
  }
  return out;
}

/** The same section as Markdown (what `socket-lab wire` prints). */
export function explainWire(input: WireSectionInput): string {
  return blocksToMarkdown(wireBlocks(input));
}
