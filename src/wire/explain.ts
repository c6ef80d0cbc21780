/**
 * The "On the wire" section of the lab report, in English and Russian: what the packets of a
 * capture show, next to what the programs' sockets logged. Data in, document blocks out (the
 * report's model, rendered to Markdown or HTML there; `explainWire` gives the Markdown); the report
 * chooses the heading and where the section goes.
 *
 * Every sentence states what the capture holds (frames, numbers, flags) or a rule of TCP/UDP that
 * holds everywhere; nothing is inferred from how the lab is configured.
 */
import type { Lang } from '../log/events.js';
import {
  type Value,
  code,
  fill,
  join,
  list,
  paragraph,
  prose,
  strong,
  table,
  text,
} from '../report/document/build.js';
import { blocksToMarkdown } from '../report/document/markdown.js';
import type { Block, Inline, ListItem } from '../report/document/model.js';
import { count } from '../text/plural.js';
import type { CrossCheck, SocketPortions } from './crosscheck.js';
import {
  type DirectionStats,
  type Flows,
  type TcpConnection,
  type UdpConversation,
  analyseFlows,
} from './flows.js';
import type { CaptureProblem, CaptureResult, TcpOptions } from './pcap.js';
import { type HopRelation, type HopVerdict, portOf } from './relate.js';

/** One capture file, as the report names it. */
export interface CaptureInput {
  /** e.g. "server.pcap" or "/logs/remote-client.pcap". */
  name: string;
  /** What was read; `undefined` when the file does not exist (then `absentReason` says why). */
  result: CaptureResult | undefined;
  absentReason?: string;
  /** The flows of `result` (analyseCaptureFile gives both); computed from `result.packets` when absent. */
  flows?: Flows;
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
}

const ruCount = (n: number, one: string, few: string, many: string) =>
  count('ru', n, { one, few, many, other: few });
const times = (n: number) => ruCount(n, 'раз', 'раза', 'раз');
const bytesRu = (n: number) => count('ru', n, 'byte');
const segRu = (n: number) => ruCount(n, 'сегмент', 'сегмента', 'сегментов');
const dgRu = (n: number) => count('ru', n, 'datagram');
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '?');
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One line for a capture that could not be read (or only partly). */
export function explainCaptureProblem(name: string, problem: CaptureProblem, lang: Lang): string {
  if (lang === 'en') return `Capture \`${name}\`: ${problem.message}.`;
  const ru: Record<CaptureProblem['code'], string> = {
    empty: 'файл пуст: захват ничего не записал',
    'not-a-capture': 'это не файл захвата pcap/pcapng (в начале нет его «магического числа»)',
    truncated: `файл обрывается${problem.offset !== undefined ? ` на байте ${problem.offset}` : ''} посреди записи (захват ещё писался или был остановлен аварийно)`,
    corrupt: `файл повреждён${problem.offset !== undefined ? ` (байт ${problem.offset})` : ''}`,
    'unsupported-link-type': 'тип канального уровня этого захвата здесь не разбирается',
    unreadable: 'файл не удалось прочитать',
    'too-many-packets': 'пакетов слишком много: прочитана только первая часть',
  };
  return `Захват \`${name}\`: ${ru[problem.code]}.`;
}

function optionsText(o: TcpOptions, lang: Lang): string {
  const parts: string[] = [];
  if (o.mss !== undefined) parts.push(`MSS ${o.mss}`);
  if (o.wscale !== undefined)
    parts.push(lang === 'en' ? `window scale ${o.wscale}` : `масштаб окна ${o.wscale}`);
  if (o.sackPermitted) parts.push(lang === 'en' ? 'SACK permitted' : 'SACK разрешён');
  if (o.timestamp) parts.push(lang === 'en' ? 'timestamps' : 'метки времени');
  if (parts.length === 0) return lang === 'en' ? 'no options' : 'без опций';
  return parts.join(', ');
}

function sizesList(stats: DirectionStats, limit: number, lang: Lang): string {
  const shown = stats.data.slice(0, limit).map((d) => {
    const mark = d.retransmission ? (lang === 'en' ? ' (retransmission)' : ' (повтор)') : '';
    return `${d.length}${mark} [#${d.frame}]`;
  });
  const rest = stats.dataCount - shown.length;
  if (rest > 0) shown.push(lang === 'en' ? `… ${rest} more` : `… и ещё ${rest}`);
  return shown.join(', ');
}

/** The handshake, the data segments each way and the teardown of one TCP connection. */

/** The handshake, the data segments each way and the teardown of one TCP connection. */
export function explainTcpConnection(
  c: TcpConnection,
  lang: Lang,
  listLimit = 20,
  portions?: SocketPortions,
): Block[] {
  const en = lang === 'en';
  const t0 = c.handshake.syn?.timeMs ?? c.startMs;
  const at = (t: number) => `+${ms(t - t0)} ${en ? 'ms' : 'мс'}`;
  const out: Block[] = [];
  const p = (e: Inline[], r: Inline[]) => out.push(paragraph(en ? e : r));
  p(
    prose`**TCP connection ${c.id}: \`${c.client}\` → \`${c.server}\`** (${c.packets} segments in the capture)`,
    prose`**TCP-соединение ${c.id}: \`${c.client}\` → \`${c.server}\`** (${segRu(c.packets)} в захвате)`,
  );

  // Handshake
  const h = c.handshake;
  if (h.syn) {
    const steps: Inline[][] = [];
    steps.push(
      en
        ? prose`\`SYN\` ${h.syn.from} → ${h.syn.to} [#${h.syn.frame}], ${at(h.syn.timeMs)}: seq ${h.syn.seq} is the client's initial sequence number (ISN); options: ${optionsText(h.syn.options, lang)}.`
        : prose`\`SYN\` ${h.syn.from} → ${h.syn.to} [#${h.syn.frame}], ${at(h.syn.timeMs)}: seq ${h.syn.seq} — начальный порядковый номер (ISN) клиента; опции: ${optionsText(h.syn.options, lang)}.`,
    );
    if (h.synAck) {
      steps.push(
        en
          ? prose`\`SYN, ACK\` ${h.synAck.from} → ${h.synAck.to} [#${h.synAck.frame}], ${at(h.synAck.timeMs)}: the server's ISN ${h.synAck.seq}, ack ${h.synAck.ack} (the client's ISN + 1: a SYN takes one sequence number); options: ${optionsText(h.synAck.options, lang)}.`
          : prose`\`SYN, ACK\` ${h.synAck.from} → ${h.synAck.to} [#${h.synAck.frame}], ${at(h.synAck.timeMs)}: ISN сервера ${h.synAck.seq}, номер подтверждения ${h.synAck.ack} (ISN клиента + 1: SYN занимает один порядковый номер); опции: ${optionsText(h.synAck.options, lang)}.`,
      );
    }
    if (h.ack) {
      steps.push(
        en
          ? prose`\`ACK\` [#${h.ack.frame}], ${at(h.ack.timeMs)}: ack ${h.ack.ack} (the server's ISN + 1). The connection is established.`
          : prose`\`ACK\` [#${h.ack.frame}], ${at(h.ack.timeMs)}: номер подтверждения ${h.ack.ack} (ISN сервера + 1). Соединение установлено.`,
      );
    }
    p(
      prose`Three-way handshake${h.complete ? '' : ' (incomplete in this capture)'}:`,
      prose`Трёхстороннее рукопожатие${h.complete ? '' : ' (в этом захвате неполное)'}:`,
    );
    // Numbered steps as a numbered list: printed, they stay three steps.
    out.push(list(steps, true));
    if (h.synRetransmissions > 0) {
      p(
        prose`The client sent its SYN ${h.synRetransmissions + 1} times, the last ${ms(h.synRetransmissionDelayMs)} ms after the first: a SYN that gets no answer is sent again after a timeout that doubles each time.`,
        prose`Клиент отправил SYN ${times(h.synRetransmissions + 1)}, последний — через ${ms(h.synRetransmissionDelayMs)} мс после первого: SYN без ответа отправляется повторно по тайм-ауту, который каждый раз удваивается.`,
      );
    }
    if (h.synAckRetransmissions > 0) {
      p(
        prose`The server sent its SYN-ACK ${h.synAckRetransmissions + 1} times: it repeats it until the client's ACK (or a repeated SYN) shows it arrived.`,
        prose`Сервер отправил SYN-ACK ${times(h.synAckRetransmissions + 1)}: он повторяет его, пока ACK клиента (или повторный SYN) не покажет, что тот дошёл.`,
      );
    }
    const mssC = c.toServer.announcedMss;
    const mssS = c.toClient.announcedMss;
    if (mssC !== undefined || mssS !== undefined) {
      p(
        prose`The MSS (maximum segment size) each side announces in its SYN is the largest payload it will accept in one segment; it is normally the link's MTU minus 40 bytes of IPv4 and TCP headers (1460 on a 1500-byte Ethernet link). Here: client ${mssC ?? '?'}, server ${mssS ?? '?'}.${mssC === 65495 || mssS === 65495 ? " 65495 is 65535, the largest IPv4 packet, minus 40: the loopback interface's MTU (65536) is larger than any IPv4 packet." : ''}`,
        prose`MSS (максимальный размер сегмента), который каждая сторона объявляет в своём SYN, — наибольшая полезная нагрузка, которую она готова принять в одном сегменте; обычно это MTU канала минус 40 байт заголовков IPv4 и TCP (1460 для Ethernet с MTU 1500). Здесь: клиент ${mssC ?? '?'}, сервер ${mssS ?? '?'}.${mssC === 65495 || mssS === 65495 ? ' 65495 — это 65535 (наибольший IPv4-пакет) минус 40: MTU петлевого интерфейса (65536) больше любого IPv4-пакета.' : ''}`,
      );
    }
  } else {
    p(
      prose`The capture does not contain this connection's SYN: it began after the handshake, so the handshake and the first bytes may be missing.`,
      prose`В захвате нет SYN этого соединения: захват начался после рукопожатия, поэтому рукопожатие и первые байты могут отсутствовать.`,
    );
  }

  // Data
  p(prose`Data segments:`, prose`Сегменты с данными:`);
  const items: ListItem[] = [];
  for (const [label, s, receiverMss] of [
    [en ? 'client → server' : 'клиент → сервер', c.toServer, c.toClient.announcedMss],
    [en ? 'server → client' : 'сервер → клиент', c.toClient, c.toServer.announcedMss],
  ] as const) {
    if (s.dataCount === 0) {
      items.push({ content: en ? prose`${label}: no payload.` : prose`${label}: данных нет.` });
      continue;
    }
    const content = en
      ? prose`${label}: ${plural(s.dataCount, 'data segment', 'data segments')}, ${s.payloadBytes} bytes of payload (each byte counted once): ${sizesList(s, listLimit, lang)}.`
      : prose`${label}: ${segRu(s.dataCount)} с данными, полезная нагрузка ${bytesRu(s.payloadBytes)} (каждый байт посчитан один раз): ${sizesList(s, listLimit, lang)}.`;
    const children: Block[] = [];
    if (receiverMss !== undefined && s.largestSegment > receiverMss) {
      children.push(
        paragraph(
          en
            ? prose`The largest captured segment (${s.largestSegment} bytes) is larger than the MSS the receiver announced (${receiverMss}): the capture saw the data before segmentation offload (TSO/GSO) cut it into MSS-sized segments, or after the receiver merged them (GRO). On the wire, no segment's payload exceeded the MSS.`
            : prose`Самый большой сегмент в захвате (${bytesRu(s.largestSegment)}) больше MSS, объявленного получателем (${receiverMss}): захват видел данные до того, как механизм разгрузки сегментации (TSO/GSO) разрезал их на сегменты размером не больше MSS, или после того, как получатель их объединил (GRO). В сети полезная нагрузка ни одного сегмента не превышала MSS.`,
        ),
      );
    }
    items.push({ content, ...(children.length > 0 ? { children } : {}) });
  }
  if (portions) {
    const sizes = (n: number[]) =>
      n.length > listLimit ? `${n.slice(0, listLimit).join(', ')}, …` : n.join(', ') || '—';
    const more =
      portions.summarised.portions > 0
        ? en
          ? ` (and ${portions.summarised.portions} more portions, ${portions.summarised.bytes} bytes, counted in summary lines)`
          : ` (и ещё порций: ${portions.summarised.portions}, ${bytesRu(portions.summarised.bytes)}, учтены в итоговых строках)`
        : '';
    items.push({
      content: en
        ? prose`the server's socket log: portions read ${sizes(portions.read)}; written back ${sizes(portions.written)}${more}.`
        : prose`журнал сокетов сервера: прочитаны порции ${sizes(portions.read)}; отправлены обратно ${sizes(portions.written)}${more}.`,
    });
  }
  out.push(list(items));
  const acks = c.toServer.emptySegments + c.toClient.emptySegments;
  p(
    prose`${plural(acks, 'segment', 'segments')} carried no payload: the handshake, pure ACKs (an ACK-only segment only acknowledges, it carries no data) and the FINs. How TCP cuts the byte stream into segments depends on how the sender wrote the bytes, on the MSS (no segment carries more than the receiver's MSS) and on TCP's own rules (Nagle's algorithm, the send and receive windows), not on the 1 KB portions the server's log counts: a portion is a slice of at most 1 KB of what one read() returned.`,
    prose`${ruCount(acks, 'сегмент не нёс', 'сегмента не несли', 'сегментов не несли')} полезной нагрузки: рукопожатие, чистые ACK (сегмент только с ACK лишь подтверждает получение, данных в нём нет) и FIN. То, как TCP режет поток байтов на сегменты, зависит от того, как отправитель записывал данные, от MSS (ни один сегмент не несёт больше MSS получателя) и от собственных правил TCP (алгоритм Нейгла, окна отправки и приёма), а не от порций по 1 КБ в журнале сервера: порция — это кусок не больше 1 КБ из того, что вернул один вызов read().`,
  );

  const reordered = c.toServer.outOfOrder + c.toClient.outOfOrder;
  if (reordered > 0) {
    p(
      prose`${plural(reordered, 'segment was', 'segments were')} captured out of order: sent for the first time, but seen after bytes that follow them. They are not retransmissions; TCP puts the bytes back in order by their sequence numbers.`,
      prose`${ruCount(reordered, 'сегмент попал', 'сегмента попали', 'сегментов попали')} в захват не по порядку: они отправлены впервые, но замечены после байтов, которые идут за ними. Это не повторные передачи; TCP расставляет байты по порядку по их порядковым номерам.`,
    );
  }

  // Retransmissions
  const rtx = c.toServer.retransmissions + c.toClient.retransmissions;
  if (rtx === 0) {
    p(
      prose`No retransmissions: every data byte was sent once.`,
      prose`Повторных передач нет: каждый байт данных отправлен один раз.`,
    );
  } else {
    const bytes = c.toServer.retransmittedBytes + c.toClient.retransmittedBytes;
    const cost = c.toServer.retransmissionDelayMs + c.toClient.retransmissionDelayMs;
    p(
      prose`${plural(rtx, 'retransmission', 'retransmissions')}: ${bytes} bytes were sent again because their acknowledgement did not come in time; between the first sending and the repeat, ${ms(cost)} ms in total. TCP recovered them: the receiver got every byte once, in order.`,
      prose`Повторных передач: ${rtx}; ${bytesRu(bytes)} отправлено заново, потому что подтверждение не пришло вовремя; от первой отправки до повтора прошло в сумме ${ms(cost)} мс. TCP восстановил потери: получатель получил каждый байт один раз и по порядку.`,
    );
  }

  // Teardown
  const td = c.teardown;
  const who = (s: 'client' | 'server') => (en ? s : s === 'client' ? 'клиент' : 'сервер');
  const whoGen = (s: 'client' | 'server') => (s === 'client' ? 'клиента' : 'сервера');
  const closing: Inline[][] = [];
  for (const fin of td.fins) {
    const acked =
      fin.ackedAtMs !== undefined
        ? en
          ? `, acknowledged at ${at(fin.ackedAtMs)}`
          : `, подтверждён на ${at(fin.ackedAtMs)}`
        : en
          ? ', no acknowledgement in the capture'
          : ', подтверждения в захвате нет';
    closing.push(
      en
        ? prose`\`FIN\` from the ${who(fin.from)} [#${fin.frame}], ${at(fin.timeMs)}${acked}.`
        : prose`\`FIN\` от ${whoGen(fin.from)} [#${fin.frame}], ${at(fin.timeMs)}${acked}.`,
    );
  }
  for (const r of td.resets) {
    closing.push(
      en
        ? prose`\`RST\` from the ${who(r.from)} [#${r.frame}], ${at(r.timeMs)}: the connection was aborted, not closed in order.`
        : prose`\`RST\` от ${whoGen(r.from)} [#${r.frame}], ${at(r.timeMs)}: соединение сброшено, а не закрыто штатно.`,
    );
  }
  if (td.finRetransmissions > 0) {
    closing.push(
      en
        ? prose`${plural(td.finRetransmissions, 'FIN was', 'FINs were')} sent again: a FIN takes a sequence number, so it is acknowledged and repeated like data.`
        : prose`FIN отправлен повторно ${times(td.finRetransmissions)}: FIN занимает порядковый номер, поэтому его подтверждают и повторяют, как данные.`,
    );
  }
  if (closing.length > 0) out.push(list(closing));
  if (td.firstFin) {
    p(
      prose`The ${who(td.firstFin)} sent FIN first (active close)${td.complete ? '; both FINs were acknowledged, so the connection closed in order, and the side that closed first waits in TIME_WAIT' : ''}.`,
      prose`Первым FIN отправил ${who(td.firstFin)} (активное закрытие)${td.complete ? '; оба FIN подтверждены, соединение закрыто штатно, а закрывшая первой сторона переходит в состояние TIME_WAIT' : ''}.`,
    );
  } else if (td.resets.length === 0) {
    p(
      prose`No FIN or RST in the capture: it ended before the connection closed.`,
      prose`В захвате нет ни FIN, ни RST: захват закончился раньше, чем соединение закрылось.`,
    );
  }
  return out;
}

/** The datagrams of one UDP conversation: one datagram per message, no handshake, no acknowledgement. */
export function explainUdpConversation(u: UdpConversation, lang: Lang, listLimit = 20): Block[] {
  const en = lang === 'en';
  const fromA = u.datagrams.filter((d) => d.from === u.a);
  const fromB = u.datagrams.filter((d) => d.from !== u.a);
  const t0 = u.datagrams[0]?.timeMs ?? 0;
  const out: Block[] = [];
  const sides =
    u.recordsDropped === 0
      ? en
        ? prose` (${fromA.length} from \`${u.a}\`, ${fromB.length} from \`${u.b}\`)`
        : prose` (от \`${u.a}\`: ${fromA.length}, от \`${u.b}\`: ${fromB.length})`
      : [];
  out.push(
    paragraph(
      en
        ? prose`**UDP \`${u.a}\` ↔ \`${u.b}\`**: ${plural(u.count, 'datagram', 'datagrams')}${sides}, ${u.bytes} bytes of payload.`
        : prose`**UDP \`${u.a}\` ↔ \`${u.b}\`**: ${dgRu(u.count)}${sides}, полезная нагрузка ${bytesRu(u.bytes)}.`,
    ),
  );
  const rows = u.datagrams
    .slice(0, listLimit)
    .map((d) => [
      String(d.frame),
      `+${ms(d.timeMs - t0)}`,
      prose`${code(d.from)} → ${code(d.to)}`,
      String(d.payloadLength),
    ]);
  out.push(
    table(
      en
        ? ['frame', 'time, ms', 'from → to', 'payload, bytes']
        : ['кадр', 'время, мс', 'откуда → куда', 'данные, байт'],
      rows,
    ),
  );
  const notListed = u.count - rows.length;
  if (notListed > 0) out.push(paragraph(en ? `… and ${notListed} more.` : `… и ещё ${notListed}.`));
  out.push(
    paragraph(
      en
        ? "UDP itself has no connection: no handshake, no acknowledgement, no teardown. Every datagram here stands alone, including the chat's join exchange (HELLO, COOKIE, JOIN, WELCOME), which is the chat protocol's own, carried in ordinary datagrams; each chat message is one datagram. A datagram that is lost is simply missing: nothing in UDP sends it again."
        : 'У самого UDP нет соединения: ни рукопожатия, ни подтверждений, ни закрытия. Каждая дейтаграмма здесь самостоятельна, в том числе обмен при входе в чат (HELLO, COOKIE, JOIN, WELCOME): это собственный протокол чата поверх обычных дейтаграмм; каждое сообщение чата — одна дейтаграмма. Потерянная дейтаграмма просто не приходит: UDP не отправляет её повторно.',
    ),
  );
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
  const en = lang === 'en';
  const parts: string[] = [];
  for (const [label, b, a] of [
    [en ? 'source' : 'источник', before.client, after.client],
    [en ? 'destination' : 'назначение', before.server, after.server],
  ] as const) {
    const [ba, bp] = splitEndpoint(b);
    const [aa, ap] = splitEndpoint(a);
    const changes: string[] = [];
    if (ba !== aa) changes.push(en ? `address ${ba} → ${aa}` : `адрес ${ba} → ${aa}`);
    if (bp !== ap) changes.push(en ? `port ${bp} → ${ap}` : `порт ${bp} → ${ap}`);
    if (changes.length === 0) continue;
    if (changes.length === 1)
      changes.push(en ? `${ba !== aa ? 'port' : 'address'} kept` : `${ba !== aa ? 'порт' : 'адрес'} тот же`);
    parts.push(en ? `${label} ${changes.join(', ')}` : `${label} — ${changes.join(', ')}`);
  }
  return parts.join('; ');
}

function natKinds(r: { source: boolean; destination: boolean }): string {
  return [r.destination ? 'DNAT' : '', r.source ? 'SNAT/masquerade' : ''].filter(Boolean).join(' + ');
}

function hopLine(v: Exclude<HopVerdict, { kind: 'unmatched' }>, lang: Lang): Inline[] {
  const en = lang === 'en';
  const e = v.evidence;
  const addr = en
    ? prose`before the hop \`${v.before.client}\` → \`${v.before.server}\`, after it \`${v.after.client}\` → \`${v.after.server}\``
    : prose`до перехода \`${v.before.client}\` → \`${v.before.server}\`, после него \`${v.after.client}\` → \`${v.after.server}\``;
  const ttl =
    e.synTtl[0] !== undefined && e.synTtl[1] !== undefined
      ? en
        ? ` TTL of the client's SYN: ${e.synTtl[0]} before, ${e.synTtl[1]} after.`
        : ` TTL клиентского SYN: ${e.synTtl[0]} до, ${e.synTtl[1]} после.`
      : '';
  const bytes = en
    ? `payload ${e.toServerBytes[0]}/${e.toServerBytes[1]} bytes client → server and ${e.toClientBytes[0]}/${e.toClientBytes[1]} back (near/far)`
    : `полезная нагрузка ${e.toServerBytes[0]}/${e.toServerBytes[1]} байт от клиента к серверу и ${e.toClientBytes[0]}/${e.toClientBytes[1]} обратно (ближняя/дальняя сторона)`;
  if (v.kind === 'proxy') {
    const order =
      e.farSynAfterNearHandshake === true
        ? en
          ? ` The far SYN left ${ms(e.synOffsetMs ?? Number.NaN)} ms after the near SYN, after the near handshake had completed: the connection was accepted first and a new one opened afterwards.`
          : ` Дальний SYN ушёл через ${ms(e.synOffsetMs ?? Number.NaN)} мс после ближнего, уже после завершения ближнего рукопожатия: сначала соединение было принято, потом открыто новое.`
        : '';
    return en
      ? prose`**Two TCP connections (a proxy)**: ${addr}. Two handshakes with different initial sequence numbers (client ${e.clientIsn[0]} vs ${e.clientIsn[1]}, server ${e.serverIsn[0]} vs ${e.serverIsn[1]}), carrying the same bytes: ${bytes}. A program on the hop was the client's peer: it accepted the client's connection and opened its own to the server, copying the bytes between them.${order}${ttl}`
      : prose`**Два TCP-соединения (прокси)**: ${addr}. Два рукопожатия с разными начальными порядковыми номерами (клиент ${e.clientIsn[0]} и ${e.clientIsn[1]}, сервер ${e.serverIsn[0]} и ${e.serverIsn[1]}), по которым прошли одни и те же байты: ${bytes}. Собеседником клиента была программа на промежуточном узле: она приняла соединение клиента и открыла своё к серверу, копируя байты между ними.${order}${ttl}`;
  }
  const what =
    v.kind === 'nat'
      ? en
        ? `the hop rewrote the headers (${natKinds(v.rewritten)}): ${rewrites(v.before, v.after, lang)}. That is NAT`
        : `промежуточный узел переписал заголовки (${natKinds(v.rewritten)}): ${rewrites(v.before, v.after, lang)}. Это NAT`
      : en
        ? 'the addresses and ports are the same on both sides: the hop only routed the packets'
        : 'адреса и порты с обеих сторон одинаковы: промежуточный узел только маршрутизировал пакеты';
  return en
    ? prose`**One TCP connection (${v.kind === 'nat' ? 'NAT' : 'routed'})**: ${addr}. Both captures show the same handshake: the same initial sequence numbers (client ${e.clientIsn[0]}, server ${e.serverIsn[0]}) and ${bytes}; ${what}. No program on the hop took part in the connection.${ttl}`
    : prose`**Одно TCP-соединение (${v.kind === 'nat' ? 'NAT' : 'маршрутизация'})**: ${addr}. Оба захвата показывают одно и то же рукопожатие: те же начальные порядковые номера (клиент ${e.clientIsn[0]}, сервер ${e.serverIsn[0]}) и ${bytes}; ${what}. Ни одна программа на промежуточном узле в соединении не участвовала.${ttl}`;
}

/** The remote scenario seen from both sides of the hop. */
export function explainHop(rel: HopRelation, lang: Lang): Block[] {
  const en = lang === 'en';
  const items: Inline[][] = [];
  for (const v of rel.tcp) {
    if (v.kind === 'unmatched') {
      items.push(
        en
          ? prose`TCP connection \`${v.connection.client}\` → \`${v.connection.server}\` appears only in the ${v.side === 'near' ? "client's" : "server's"} capture.`
          : prose`TCP-соединение \`${v.connection.client}\` → \`${v.connection.server}\` есть только в захвате ${v.side === 'near' ? 'клиента' : 'сервера'}.`,
      );
    } else {
      items.push(hopLine(v, lang));
    }
  }
  for (const u of rel.udp) {
    const ttl =
      u.ttl[0] !== undefined && u.ttl[1] !== undefined
        ? en
          ? ` TTL ${u.ttl[0]} before, ${u.ttl[1]} after.`
          : ` TTL ${u.ttl[0]} до, ${u.ttl[1]} после.`
        : '';
    items.push(
      en
        ? prose`UDP: before the hop \`${u.before.client}\` → \`${u.before.server}\`, after it \`${u.after.client}\` → \`${u.after.server}\`; ${u.matchedDatagrams} datagrams of the same sizes in the same order on both sides.${ttl} UDP has no sequence numbers, so datagrams alone cannot tell address rewriting from a relay that sends new datagrams.`
        : prose`UDP: до перехода \`${u.before.client}\` → \`${u.before.server}\`, после него \`${u.after.client}\` → \`${u.after.server}\`; ${dgRu(u.matchedDatagrams)} тех же размеров в том же порядке с обеих сторон.${ttl} У UDP нет порядковых номеров, поэтому по одним дейтаграммам нельзя отличить перезапись адресов от ретранслятора, отправляющего новые дейтаграммы.`,
    );
  }
  if (items.length === 0)
    return [paragraph(en ? 'The two captures share no traffic.' : 'В двух захватах нет общего трафика.')];
  return [list(items)];
}

/** The table of socket-log byte counts against payload bytes on the wire. */
export function explainCrossCheck(check: CrossCheck, lang: Lang): Block[] {
  const en = lang === 'en';
  const dir = (d: string) =>
    d === 'client-to-server'
      ? en
        ? 'client → server'
        : 'клиент → сервер'
      : en
        ? 'server → client'
        : 'сервер → клиент';
  const reason = (r: string | undefined) =>
    r === 'not-in-capture'
      ? en
        ? 'FAIL: connection not in the capture'
        : 'ОШИБКА: соединения нет в захвате'
      : r === 'reset'
        ? en
          ? 'FAIL: reset, the kernel lost echo it had taken'
          : 'ОШИБКА: сброс (RST), ядро потеряло принятое эхо'
        : r === 'capture-incomplete'
          ? en
            ? 'FAIL: capture began after the handshake'
            : 'ОШИБКА: захват начался после рукопожатия'
          : en
            ? 'FAIL: counts differ'
            : 'ОШИБКА: числа различаются';
  const rows: Value[][] = check.comparisons.map((c) => [
    code(c.remote),
    dir(c.direction),
    String(c.logged),
    String(c.onWire ?? '—'),
    c.ok ? (en ? 'match' : 'совпадает') : reason(c.reason),
  ]);
  if (check.comparisons.length === 0)
    rows.push([
      '—',
      '—',
      '—',
      '—',
      en ? 'FAIL: no connection in the socket log' : 'ОШИБКА: в журнале нет соединений',
    ]);
  const out: Block[] = [
    paragraph(
      en
        ? "TCP payload bytes on the wire against the byte counts in the server's socket log, per connection and direction. The capture counts the kernel's segments (each sequence number once), the log counts what the program read and wrote: two independent counts."
        : 'Байты полезной нагрузки TCP в захвате против счётчиков байтов в журнале сокетов сервера, по каждому соединению и направлению. Захват считает сегменты ядра (каждый порядковый номер один раз), журнал — то, что программа прочитала и записала: два независимых подсчёта.',
    ),
    table(
      en
        ? ['client (as the server saw it)', 'direction', 'socket log', 'on the wire', 'result']
        : ['клиент (как его видел сервер)', 'направление', 'журнал сокетов', 'в захвате', 'результат'],
      rows,
    ),
    paragraph(
      check.ok
        ? en
          ? 'Every byte the log counts crossed the wire, and no more: the check passes.'
          : 'Каждый учтённый в журнале байт прошёл по сети, и ни одного лишнего: проверка пройдена.'
        : en
          ? 'The counts do not agree: the check fails.'
          : 'Подсчёты не совпадают: проверка не пройдена.',
    ),
  ];
  if (check.unlogged.length > 0) {
    const which = join(check.unlogged.map((c) => code(c.client)));
    out.push(
      paragraph(
        en
          ? prose`Connections in the capture without a closing line in the log: ${which}.`
          : prose`Соединения из захвата без строки о закрытии в журнале: ${which}.`,
      ),
    );
  }
  return out;
}

/** The whole "On the wire" section body for one scenario (without its heading), as blocks. */
export function wireBlocks(input: WireSectionInput): Block[] {
  const { lang } = input;
  const en = lang === 'en';
  const limit = input.listLimit ?? 20;
  const ports = input.serverPorts;
  const ours = (a: string, b: string) => !ports || ports.includes(portOf(a)) || ports.includes(portOf(b));
  const out: Block[] = [];
  for (const cap of input.captures) {
    out.push(paragraph(prose`**${en ? 'Capture' : 'Захват'} ${code(cap.name)}**`));
    if (!cap.result) {
      out.push(
        paragraph(
          en
            ? `No capture: ${cap.absentReason ?? 'the file does not exist'}.`
            : `Захвата нет: ${cap.absentReason ?? 'файл отсутствует'}.`,
        ),
      );
      continue;
    }
    if (!cap.result.ok) {
      const problem = cap.result.problem;
      // The file's name is text in the sentence, whatever it holds.
      out.push(
        paragraph(
          fill((q: { name: string }) => explainCaptureProblem(q.name, problem, lang), { name: cap.name }),
        ),
      );
    }
    const packets = cap.result.ok ? cap.result.capture.packets : cap.result.partial?.packets;
    const flows = cap.flows ?? (packets ? analyseFlows(packets) : undefined);
    if (!flows) continue;
    const tcp = flows.tcp.filter((c) => ours(c.client, c.server));
    const udp = flows.udp.filter((u) => ours(u.a, u.b));
    if (tcp.length + udp.length === 0) {
      out.push(
        paragraph(
          en
            ? "The capture holds no traffic of the lab's servers."
            : 'В захвате нет трафика серверов лаборатории.',
        ),
      );
    }
    for (const c of tcp) out.push(...explainTcpConnection(c, lang, limit, input.portions?.get(c.client)));
    for (const u of udp) out.push(...explainUdpConversation(u, lang, limit));
  }
  if (input.hop) {
    out.push(
      paragraph(strong(text(en ? 'Both sides of the hop' : 'Обе стороны промежуточного узла'))),
      ...explainHop(input.hop, lang),
    );
  }
  if (input.crossCheck) {
    out.push(
      paragraph(
        strong(text(en ? 'Bytes: socket log against the wire' : 'Байты: журнал сокетов против захвата')),
      ),
      ...explainCrossCheck(input.crossCheck, lang),
    );
  }
  return out;
}

/** The same section as Markdown (what `socket-lab wire` prints). */
export function explainWire(input: WireSectionInput): string {
  return blocksToMarkdown(wireBlocks(input));
}
