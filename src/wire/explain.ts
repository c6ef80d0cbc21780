/**
 * The "On the wire" section of the lab report, in English and Russian: what the packets of a
 * capture show, next to what the programs' sockets logged. Data in, Markdown out; the report
 * chooses the heading and where the section goes.
 *
 * Every sentence states what the capture holds (frames, numbers, flags) or a rule of TCP/UDP that
 * holds everywhere; nothing is inferred from how the lab is configured.
 */
import type { Lang } from '../text/lang.js';
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
export function explainTcpConnection(
  c: TcpConnection,
  lang: Lang,
  listLimit = 20,
  portions?: SocketPortions,
): string {
  const en = lang === 'en';
  const t0 = c.handshake.syn?.timeMs ?? c.startMs;
  const at = (t: number) => `+${ms(t - t0)} ${en ? 'ms' : 'мс'}`;
  const out: string[] = [];
  out.push(
    en
      ? `**TCP connection ${c.id}: \`${c.client}\` → \`${c.server}\`** (${c.packets} segments in the capture)`
      : `**TCP-соединение ${c.id}: \`${c.client}\` → \`${c.server}\`** (${segRu(c.packets)} в захвате)`,
  );
  out.push('');

  // Handshake
  const h = c.handshake;
  if (h.syn) {
    const lines: string[] = [];
    lines.push(
      en
        ? `1. \`SYN\` ${h.syn.from} → ${h.syn.to} [#${h.syn.frame}], ${at(h.syn.timeMs)}: seq ${h.syn.seq} is the client's initial sequence number (ISN); options: ${optionsText(h.syn.options, lang)}.`
        : `1. \`SYN\` ${h.syn.from} → ${h.syn.to} [#${h.syn.frame}], ${at(h.syn.timeMs)}: seq ${h.syn.seq} — начальный порядковый номер (ISN) клиента; опции: ${optionsText(h.syn.options, lang)}.`,
    );
    if (h.synAck) {
      lines.push(
        en
          ? `2. \`SYN, ACK\` ${h.synAck.from} → ${h.synAck.to} [#${h.synAck.frame}], ${at(h.synAck.timeMs)}: the server's ISN ${h.synAck.seq}, ack ${h.synAck.ack} (the client's ISN + 1: a SYN takes one sequence number); options: ${optionsText(h.synAck.options, lang)}.`
          : `2. \`SYN, ACK\` ${h.synAck.from} → ${h.synAck.to} [#${h.synAck.frame}], ${at(h.synAck.timeMs)}: ISN сервера ${h.synAck.seq}, номер подтверждения ${h.synAck.ack} (ISN клиента + 1: SYN занимает один порядковый номер); опции: ${optionsText(h.synAck.options, lang)}.`,
      );
    }
    if (h.ack) {
      lines.push(
        en
          ? `3. \`ACK\` [#${h.ack.frame}], ${at(h.ack.timeMs)}: ack ${h.ack.ack} (the server's ISN + 1). The connection is established.`
          : `3. \`ACK\` [#${h.ack.frame}], ${at(h.ack.timeMs)}: номер подтверждения ${h.ack.ack} (ISN сервера + 1). Соединение установлено.`,
      );
    }
    out.push(
      en
        ? `Three-way handshake${h.complete ? '' : ' (incomplete in this capture)'}:`
        : `Трёхстороннее рукопожатие${h.complete ? '' : ' (в этом захвате неполное)'}:`,
    );
    out.push('', ...lines);
    if (h.synRetransmissions > 0) {
      out.push(
        '',
        en
          ? `The client sent its SYN ${h.synRetransmissions + 1} times, the last ${ms(h.synRetransmissionDelayMs)} ms after the first: a SYN that gets no answer is sent again after a timeout that doubles each time.`
          : `Клиент отправил SYN ${times(h.synRetransmissions + 1)}, последний — через ${ms(h.synRetransmissionDelayMs)} мс после первого: SYN без ответа отправляется повторно по тайм-ауту, который каждый раз удваивается.`,
      );
    }
    if (h.synAckRetransmissions > 0) {
      out.push(
        '',
        en
          ? `The server sent its SYN-ACK ${h.synAckRetransmissions + 1} times: it repeats it until the client's ACK (or a repeated SYN) shows it arrived.`
          : `Сервер отправил SYN-ACK ${times(h.synAckRetransmissions + 1)}: он повторяет его, пока ACK клиента (или повторный SYN) не покажет, что тот дошёл.`,
      );
    }
    const mssC = c.toServer.announcedMss;
    const mssS = c.toClient.announcedMss;
    if (mssC !== undefined || mssS !== undefined) {
      out.push(
        '',
        en
          ? `The MSS (maximum segment size) each side announces in its SYN is the largest payload it will accept in one segment; it is normally the link's MTU minus 40 bytes of IPv4 and TCP headers (1460 on a 1500-byte Ethernet link). Here: client ${mssC ?? '?'}, server ${mssS ?? '?'}.${mssC === 65495 || mssS === 65495 ? " 65495 is 65535, the largest IPv4 packet, minus 40: the loopback interface's MTU (65536) is larger than any IPv4 packet." : ''}`
          : `MSS (максимальный размер сегмента), который каждая сторона объявляет в своём SYN, — наибольшая полезная нагрузка, которую она готова принять в одном сегменте; обычно это MTU канала минус 40 байт заголовков IPv4 и TCP (1460 для Ethernet с MTU 1500). Здесь: клиент ${mssC ?? '?'}, сервер ${mssS ?? '?'}.${mssC === 65495 || mssS === 65495 ? ' 65495 — это 65535 (наибольший IPv4-пакет) минус 40: MTU петлевого интерфейса (65536) больше любого IPv4-пакета.' : ''}`,
      );
    }
  } else {
    out.push(
      en
        ? "The capture does not contain this connection's SYN: it began after the handshake, so the handshake and the first bytes may be missing."
        : 'В захвате нет SYN этого соединения: захват начался после рукопожатия, поэтому рукопожатие и первые байты могут отсутствовать.',
    );
  }
  out.push('');

  // Data
  out.push(en ? 'Data segments:' : 'Сегменты с данными:', '');
  for (const [label, s, receiverMss] of [
    [en ? 'client → server' : 'клиент → сервер', c.toServer, c.toClient.announcedMss],
    [en ? 'server → client' : 'сервер → клиент', c.toClient, c.toServer.announcedMss],
  ] as const) {
    if (s.dataCount === 0) {
      out.push(en ? `- ${label}: no payload.` : `- ${label}: данных нет.`);
      continue;
    }
    out.push(
      en
        ? `- ${label}: ${plural(s.dataCount, 'data segment', 'data segments')}, ${s.payloadBytes} bytes of payload (each byte counted once): ${sizesList(s, listLimit, lang)}.`
        : `- ${label}: ${segRu(s.dataCount)} с данными, полезная нагрузка ${bytesRu(s.payloadBytes)} (каждый байт посчитан один раз): ${sizesList(s, listLimit, lang)}.`,
    );
    if (receiverMss !== undefined && s.largestSegment > receiverMss) {
      out.push(
        en
          ? `  The largest captured segment (${s.largestSegment} bytes) is larger than the MSS the receiver announced (${receiverMss}): the capture saw the data before segmentation offload (TSO/GSO) cut it into MSS-sized segments, or after the receiver merged them (GRO). On the wire, no segment's payload exceeded the MSS.`
          : `  Самый большой сегмент в захвате (${bytesRu(s.largestSegment)}) больше MSS, объявленного получателем (${receiverMss}): захват видел данные до того, как механизм разгрузки сегментации (TSO/GSO) разрезал их на сегменты размером не больше MSS, или после того, как получатель их объединил (GRO). В сети полезная нагрузка ни одного сегмента не превышала MSS.`,
      );
    }
  }
  if (portions) {
    const list = (sizes: number[]) =>
      sizes.length > listLimit ? `${sizes.slice(0, listLimit).join(', ')}, …` : sizes.join(', ') || '—';
    const more =
      portions.summarised.portions > 0
        ? en
          ? ` (and ${portions.summarised.portions} more portions, ${portions.summarised.bytes} bytes, counted in summary lines)`
          : ` (и ещё порций: ${portions.summarised.portions}, ${bytesRu(portions.summarised.bytes)}, учтены в итоговых строках)`
        : '';
    out.push(
      en
        ? `- the server's socket log: portions read ${list(portions.read)}; written back ${list(portions.written)}${more}.`
        : `- журнал сокетов сервера: прочитаны порции ${list(portions.read)}; отправлены обратно ${list(portions.written)}${more}.`,
    );
  }
  const acks = c.toServer.emptySegments + c.toClient.emptySegments;
  out.push(
    '',
    en
      ? `${plural(acks, 'segment', 'segments')} carried no payload: the handshake, pure ACKs (an ACK-only segment only acknowledges, it carries no data) and the FINs. How TCP cuts the byte stream into segments depends on how the sender wrote the bytes, on the MSS (no segment carries more than the receiver's MSS) and on TCP's own rules (Nagle's algorithm, the send and receive windows), not on the 1 KB portions the server's log counts: a portion is a slice of at most 1 KB of what one read() returned.`
      : `${ruCount(acks, 'сегмент не нёс', 'сегмента не несли', 'сегментов не несли')} полезной нагрузки: рукопожатие, чистые ACK (сегмент только с ACK лишь подтверждает получение, данных в нём нет) и FIN. То, как TCP режет поток байтов на сегменты, зависит от того, как отправитель записывал данные, от MSS (ни один сегмент не несёт больше MSS получателя) и от собственных правил TCP (алгоритм Нейгла, окна отправки и приёма), а не от порций по 1 КБ в журнале сервера: порция — это кусок не больше 1 КБ из того, что вернул один вызов read().`,
  );

  const reordered = c.toServer.outOfOrder + c.toClient.outOfOrder;
  if (reordered > 0) {
    out.push(
      '',
      en
        ? `${plural(reordered, 'segment was', 'segments were')} captured out of order: sent for the first time, but seen after bytes that follow them. They are not retransmissions; TCP puts the bytes back in order by their sequence numbers.`
        : `${ruCount(reordered, 'сегмент попал', 'сегмента попали', 'сегментов попали')} в захват не по порядку: они отправлены впервые, но замечены после байтов, которые идут за ними. Это не повторные передачи; TCP расставляет байты по порядку по их порядковым номерам.`,
    );
  }

  // Retransmissions
  const rtx = c.toServer.retransmissions + c.toClient.retransmissions;
  if (rtx === 0) {
    out.push(
      '',
      en
        ? 'No retransmissions: every data byte was sent once.'
        : 'Повторных передач нет: каждый байт данных отправлен один раз.',
    );
  } else {
    const bytes = c.toServer.retransmittedBytes + c.toClient.retransmittedBytes;
    const cost = c.toServer.retransmissionDelayMs + c.toClient.retransmissionDelayMs;
    out.push(
      '',
      en
        ? `${plural(rtx, 'retransmission', 'retransmissions')}: ${bytes} bytes were sent again because their acknowledgement did not come in time; between the first sending and the repeat, ${ms(cost)} ms in total. TCP recovered them: the receiver got every byte once, in order.`
        : `Повторных передач: ${rtx}; ${bytesRu(bytes)} отправлено заново, потому что подтверждение не пришло вовремя; от первой отправки до повтора прошло в сумме ${ms(cost)} мс. TCP восстановил потери: получатель получил каждый байт один раз и по порядку.`,
    );
  }

  // Teardown
  out.push('');
  const td = c.teardown;
  const who = (s: 'client' | 'server') => (en ? s : s === 'client' ? 'клиент' : 'сервер');
  const whoGen = (s: 'client' | 'server') => (s === 'client' ? 'клиента' : 'сервера');
  for (const fin of td.fins) {
    const acked =
      fin.ackedAtMs !== undefined
        ? en
          ? `, acknowledged at ${at(fin.ackedAtMs)}`
          : `, подтверждён на ${at(fin.ackedAtMs)}`
        : en
          ? ', no acknowledgement in the capture'
          : ', подтверждения в захвате нет';
    out.push(
      en
        ? `- \`FIN\` from the ${who(fin.from)} [#${fin.frame}], ${at(fin.timeMs)}${acked}.`
        : `- \`FIN\` от ${whoGen(fin.from)} [#${fin.frame}], ${at(fin.timeMs)}${acked}.`,
    );
  }
  for (const r of td.resets) {
    out.push(
      en
        ? `- \`RST\` from the ${who(r.from)} [#${r.frame}], ${at(r.timeMs)}: the connection was aborted, not closed in order.`
        : `- \`RST\` от ${whoGen(r.from)} [#${r.frame}], ${at(r.timeMs)}: соединение сброшено, а не закрыто штатно.`,
    );
  }
  if (td.finRetransmissions > 0) {
    out.push(
      en
        ? `- ${plural(td.finRetransmissions, 'FIN was', 'FINs were')} sent again: a FIN takes a sequence number, so it is acknowledged and repeated like data.`
        : `- FIN отправлен повторно ${times(td.finRetransmissions)}: FIN занимает порядковый номер, поэтому его подтверждают и повторяют, как данные.`,
    );
  }
  if (td.firstFin) {
    out.push(
      '',
      en
        ? `The ${who(td.firstFin)} sent FIN first (active close)${td.complete ? '; both FINs were acknowledged, so the connection closed in order, and the side that closed first waits in TIME_WAIT' : ''}.`
        : `Первым FIN отправил ${who(td.firstFin)} (активное закрытие)${td.complete ? '; оба FIN подтверждены, соединение закрыто штатно, а закрывшая первой сторона переходит в состояние TIME_WAIT' : ''}.`,
    );
  } else if (td.resets.length === 0) {
    out.push(
      en
        ? 'No FIN or RST in the capture: it ended before the connection closed.'
        : 'В захвате нет ни FIN, ни RST: захват закончился раньше, чем соединение закрылось.',
    );
  }
  return out.join('\n');
}

/** The datagrams of one UDP conversation: one datagram per message, no handshake, no acknowledgement. */
export function explainUdpConversation(u: UdpConversation, lang: Lang, listLimit = 20): string {
  const en = lang === 'en';
  const fromA = u.datagrams.filter((d) => d.from === u.a);
  const fromB = u.datagrams.filter((d) => d.from !== u.a);
  const t0 = u.datagrams[0]?.timeMs ?? 0;
  const out: string[] = [];
  const sides =
    u.recordsDropped === 0
      ? en
        ? ` (${fromA.length} from \`${u.a}\`, ${fromB.length} from \`${u.b}\`)`
        : ` (от \`${u.a}\`: ${fromA.length}, от \`${u.b}\`: ${fromB.length})`
      : '';
  out.push(
    en
      ? `**UDP \`${u.a}\` ↔ \`${u.b}\`**: ${plural(u.count, 'datagram', 'datagrams')}${sides}, ${u.bytes} bytes of payload.`
      : `**UDP \`${u.a}\` ↔ \`${u.b}\`**: ${dgRu(u.count)}${sides}, полезная нагрузка ${bytesRu(u.bytes)}.`,
    '',
  );
  const rows = u.datagrams
    .slice(0, listLimit)
    .map((d) => `| ${d.frame} | +${ms(d.timeMs - t0)} | \`${d.from}\` → \`${d.to}\` | ${d.payloadLength} |`);
  out.push(
    en
      ? '| frame | time, ms | from → to | payload, bytes |'
      : '| кадр | время, мс | откуда → куда | данные, байт |',
    '|---:|---:|---|---:|',
    ...rows,
  );
  const notListed = u.count - rows.length;
  if (notListed > 0) out.push('', en ? `… and ${notListed} more.` : `… и ещё ${notListed}.`);
  out.push(
    '',
    en
      ? "UDP itself has no connection: no handshake, no acknowledgement, no teardown. Every datagram here stands alone, including the chat's join exchange (HELLO, COOKIE, JOIN, WELCOME), which is the chat protocol's own, carried in ordinary datagrams; each chat message is one datagram. A datagram that is lost is simply missing: nothing in UDP sends it again."
      : 'У самого UDP нет соединения: ни рукопожатия, ни подтверждений, ни закрытия. Каждая дейтаграмма здесь самостоятельна, в том числе обмен при входе в чат (HELLO, COOKIE, JOIN, WELCOME): это собственный протокол чата поверх обычных дейтаграмм; каждое сообщение чата — одна дейтаграмма. Потерянная дейтаграмма просто не приходит: UDP не отправляет её повторно.',
  );
  return out.join('\n');
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

function hopLine(v: Exclude<HopVerdict, { kind: 'unmatched' }>, lang: Lang): string {
  const en = lang === 'en';
  const e = v.evidence;
  const addr = en
    ? `before the hop \`${v.before.client}\` → \`${v.before.server}\`, after it \`${v.after.client}\` → \`${v.after.server}\``
    : `до перехода \`${v.before.client}\` → \`${v.before.server}\`, после него \`${v.after.client}\` → \`${v.after.server}\``;
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
      ? `- **Two TCP connections (a proxy)**: ${addr}. Two handshakes with different initial sequence numbers (client ${e.clientIsn[0]} vs ${e.clientIsn[1]}, server ${e.serverIsn[0]} vs ${e.serverIsn[1]}), carrying the same bytes: ${bytes}. A program on the hop was the client's peer: it accepted the client's connection and opened its own to the server, copying the bytes between them.${order}${ttl}`
      : `- **Два TCP-соединения (прокси)**: ${addr}. Два рукопожатия с разными начальными порядковыми номерами (клиент ${e.clientIsn[0]} и ${e.clientIsn[1]}, сервер ${e.serverIsn[0]} и ${e.serverIsn[1]}), по которым прошли одни и те же байты: ${bytes}. Собеседником клиента была программа на промежуточном узле: она приняла соединение клиента и открыла своё к серверу, копируя байты между ними.${order}${ttl}`;
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
    ? `- **One TCP connection (${v.kind === 'nat' ? 'NAT' : 'routed'})**: ${addr}. Both captures show the same handshake: the same initial sequence numbers (client ${e.clientIsn[0]}, server ${e.serverIsn[0]}) and ${bytes}; ${what}. No program on the hop took part in the connection.${ttl}`
    : `- **Одно TCP-соединение (${v.kind === 'nat' ? 'NAT' : 'маршрутизация'})**: ${addr}. Оба захвата показывают одно и то же рукопожатие: те же начальные порядковые номера (клиент ${e.clientIsn[0]}, сервер ${e.serverIsn[0]}) и ${bytes}; ${what}. Ни одна программа на промежуточном узле в соединении не участвовала.${ttl}`;
}

/** The remote scenario seen from both sides of the hop. */
export function explainHop(rel: HopRelation, lang: Lang): string {
  const en = lang === 'en';
  const out: string[] = [];
  for (const v of rel.tcp) {
    if (v.kind === 'unmatched') {
      out.push(
        en
          ? `- TCP connection \`${v.connection.client}\` → \`${v.connection.server}\` appears only in the ${v.side === 'near' ? "client's" : "server's"} capture.`
          : `- TCP-соединение \`${v.connection.client}\` → \`${v.connection.server}\` есть только в захвате ${v.side === 'near' ? 'клиента' : 'сервера'}.`,
      );
    } else {
      out.push(hopLine(v, lang));
    }
  }
  for (const u of rel.udp) {
    const ttl =
      u.ttl[0] !== undefined && u.ttl[1] !== undefined
        ? en
          ? ` TTL ${u.ttl[0]} before, ${u.ttl[1]} after.`
          : ` TTL ${u.ttl[0]} до, ${u.ttl[1]} после.`
        : '';
    out.push(
      en
        ? `- UDP: before the hop \`${u.before.client}\` → \`${u.before.server}\`, after it \`${u.after.client}\` → \`${u.after.server}\`; ${u.matchedDatagrams} datagrams of the same sizes in the same order on both sides.${ttl} UDP has no sequence numbers, so datagrams alone cannot tell address rewriting from a relay that sends new datagrams.`
        : `- UDP: до перехода \`${u.before.client}\` → \`${u.before.server}\`, после него \`${u.after.client}\` → \`${u.after.server}\`; ${dgRu(u.matchedDatagrams)} тех же размеров в том же порядке с обеих сторон.${ttl} У UDP нет порядковых номеров, поэтому по одним дейтаграммам нельзя отличить перезапись адресов от ретранслятора, отправляющего новые дейтаграммы.`,
    );
  }
  if (out.length === 0)
    out.push(en ? 'The two captures share no traffic.' : 'В двух захватах нет общего трафика.');
  return out.join('\n');
}

/** The table of socket-log byte counts against payload bytes on the wire. */
export function explainCrossCheck(check: CrossCheck, lang: Lang): string {
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
  const out: string[] = [
    en
      ? "TCP payload bytes on the wire against the byte counts in the server's socket log, per connection and direction. The capture counts the kernel's segments (each sequence number once), the log counts what the program read and wrote: two independent counts."
      : 'Байты полезной нагрузки TCP в захвате против счётчиков байтов в журнале сокетов сервера, по каждому соединению и направлению. Захват считает сегменты ядра (каждый порядковый номер один раз), журнал — то, что программа прочитала и записала: два независимых подсчёта.',
    '',
    en
      ? '| client (as the server saw it) | direction | socket log | on the wire | result |'
      : '| клиент (как его видел сервер) | направление | журнал сокетов | в захвате | результат |',
    '|---|---|---:|---:|---|',
  ];
  for (const c of check.comparisons) {
    out.push(
      `| \`${c.remote}\` | ${dir(c.direction)} | ${c.logged} | ${c.onWire ?? '—'} | ${c.ok ? (en ? 'match' : 'совпадает') : reason(c.reason)} |`,
    );
  }
  if (check.comparisons.length === 0) {
    out.push(
      en
        ? '| — | — | — | — | FAIL: no connection in the socket log |'
        : '| — | — | — | — | ОШИБКА: в журнале нет соединений |',
    );
  }
  out.push(
    '',
    check.ok
      ? en
        ? 'Every byte the log counts crossed the wire, and no more: the check passes.'
        : 'Каждый учтённый в журнале байт прошёл по сети, и ни одного лишнего: проверка пройдена.'
      : en
        ? 'The counts do not agree: the check fails.'
        : 'Подсчёты не совпадают: проверка не пройдена.',
  );
  if (check.unlogged.length > 0) {
    out.push(
      '',
      en
        ? `Connections in the capture without a closing line in the log: ${check.unlogged.map((c) => `\`${c.client}\``).join(', ')}.`
        : `Соединения из захвата без строки о закрытии в журнале: ${check.unlogged.map((c) => `\`${c.client}\``).join(', ')}.`,
    );
  }
  return out.join('\n');
}

/** The whole "On the wire" section body for one scenario (without its heading). */
export function explainWire(input: WireSectionInput): string {
  const { lang } = input;
  const en = lang === 'en';
  const limit = input.listLimit ?? 20;
  const ports = input.serverPorts;
  const ours = (a: string, b: string) => !ports || ports.includes(portOf(a)) || ports.includes(portOf(b));
  const out: string[] = [];
  for (const cap of input.captures) {
    out.push(`**${en ? 'Capture' : 'Захват'} \`${cap.name}\`**`, '');
    if (!cap.result) {
      out.push(
        en
          ? `No capture: ${cap.absentReason ?? 'the file does not exist'}.`
          : `Захвата нет: ${cap.absentReason ?? 'файл отсутствует'}.`,
        '',
      );
      continue;
    }
    if (!cap.result.ok) out.push(explainCaptureProblem(cap.name, cap.result.problem, lang), '');
    const packets = cap.result.ok ? cap.result.capture.packets : cap.result.partial?.packets;
    const flows = cap.flows ?? (packets ? analyseFlows(packets) : undefined);
    if (!flows) continue;
    const tcp = flows.tcp.filter((c) => ours(c.client, c.server));
    const udp = flows.udp.filter((u) => ours(u.a, u.b));
    if (tcp.length + udp.length === 0) {
      out.push(
        en
          ? "The capture holds no traffic of the lab's servers."
          : 'В захвате нет трафика серверов лаборатории.',
        '',
      );
    }
    for (const c of tcp) out.push(explainTcpConnection(c, lang, limit, input.portions?.get(c.client)), '');
    for (const u of udp) out.push(explainUdpConversation(u, lang, limit), '');
  }
  if (input.hop) {
    out.push(
      en ? '**Both sides of the hop**' : '**Обе стороны промежуточного узла**',
      '',
      explainHop(input.hop, lang),
      '',
    );
  }
  if (input.crossCheck) {
    out.push(
      en ? '**Bytes: socket log against the wire**' : '**Байты: журнал сокетов против захвата**',
      '',
      explainCrossCheck(input.crossCheck, lang),
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
