/**
 * Groups decoded packets into TCP connections and UDP conversations: the handshake, the data
 * segments each way, retransmissions and the teardown, exactly as the capture shows them.
 * Pure: packets in, values out.
 */
import type { Packet, TcpFlags, TcpOptions } from './pcap.js';

/** "address:port", IPv6 in brackets, as the log's `remote` and `local` fields write it. */
export function endpointString(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

export type Side = 'client' | 'server';

/** One TCP segment with its flags, as one side sent it. */
export interface SegmentRecord {
  frame: number;
  timeMs: number;
  /** Raw sequence number and its offset from this side's ISN (the SYN's sequence number). */
  seq: number;
  relativeSeq: number;
  /** Raw acknowledgement number and its offset from the other side's ISN (when the ACK flag is set). */
  ack: number;
  relativeAck: number | undefined;
  payloadLength: number;
  flags: string;
}

export interface DataSegment {
  frame: number;
  timeMs: number;
  /** Offset of the first payload byte from the ISN: the first data byte is at 1 (the SYN takes 0). */
  relativeSeq: number;
  length: number;
  /** Part (or all) of this sequence range had already been sent: a retransmission. */
  retransmission: boolean;
  /** Sent for the first time, but captured after bytes that follow it (reordered on the way to the capture). */
  outOfOrder?: boolean;
  /** For a retransmission: how long after the first sending of those bytes it was sent. */
  delayMs?: number;
}

export interface HandshakeStep {
  frame: number;
  timeMs: number;
  from: string;
  to: string;
  seq: number;
  ack?: number;
  /** IP time to live (hop limit) as captured: a router on the path lowers it by one. */
  ttl: number;
  options: TcpOptions;
}

export interface Handshake {
  syn?: HandshakeStep;
  synAck?: HandshakeStep;
  /** The client's first ACK of the server's SYN (it may already carry data). */
  ack?: HandshakeStep;
  /** All three seen, in order. */
  complete: boolean;
  /** More than one SYN from the client (a lost SYN is sent again after a timeout). */
  synRetransmissions: number;
  /** From the first SYN to its last repetition: the time lost SYNs cost. */
  synRetransmissionDelayMs: number;
  /** More than one SYN-ACK from the server (sent again when the SYN-ACK or the ACK was lost). */
  synAckRetransmissions: number;
}

export interface DirectionStats {
  /** Who sends in this direction. */
  from: Side;
  /** Initial sequence number of the sender (its SYN's sequence number), when the SYN was captured. */
  isn?: number;
  /** Every segment the sender sent, in capture order (the first `maxRecords`). */
  segments: SegmentRecord[];
  /** Segments that carried payload (the first `maxRecords`). */
  data: DataSegment[];
  /** Segments sent in this direction, and data segments (exact, also past `maxRecords`). */
  segmentCount: number;
  dataCount: number;
  /** Payload bytes, each sequence number counted once (retransmitted bytes are not counted twice). */
  payloadBytes: number;
  /** Payload bytes including every retransmitted copy. */
  bytesOnWire: number;
  /** Segments that carried no payload (pure ACKs, SYN, FIN without data, RST). */
  emptySegments: number;
  retransmissions: number;
  retransmittedBytes: number;
  /** Data segments captured after segments that follow them in sequence (not retransmissions). */
  outOfOrder: number;
  /** Sum of the delays of the retransmissions: time the data spent waiting to be sent again. */
  retransmissionDelayMs: number;
  /** Largest payload of one captured segment. */
  largestSegment: number;
  /** The MSS this sender announced in its SYN (it asks the other side to send at most this much). */
  announcedMss?: number;
  /**
   * Payload bytes of this sender that the other side acknowledged (its highest ACK, the SYN and FIN
   * not counted), when this sender's SYN was captured. More than `payloadBytes` means the capture
   * missed segments that did arrive (the capturing kernel dropped packets).
   */
  ackedBytes?: number;
}

export interface Teardown {
  /** Who sent the first FIN; undefined when the capture has none. */
  firstFin?: Side;
  fins: Array<{ from: Side; frame: number; timeMs: number; relativeSeq: number; ackedAtMs?: number }>;
  resets: Array<{ from: Side; frame: number; timeMs: number }>;
  /** Both FINs sent and acknowledged: the connection closed in order. */
  complete: boolean;
  /** FINs sent again (the same FIN seen more than once from one side). */
  finRetransmissions: number;
}

export interface TcpConnection {
  /** 1-based, in order of the first packet. */
  id: number;
  /** The side that sent the SYN; when the capture started too late to see it, the side that sent first. */
  client: string;
  server: string;
  startMs: number;
  endMs: number;
  handshake: Handshake;
  toServer: DirectionStats;
  toClient: DirectionStats;
  teardown: Teardown;
  packets: number;
}

export interface UdpDatagram {
  frame: number;
  timeMs: number;
  from: string;
  to: string;
  payloadLength: number;
  ttl: number;
}

export interface UdpConversation {
  id: number;
  /** The two endpoints; `a` sent the first datagram. */
  a: string;
  b: string;
  /** The datagrams, in capture order (the first `maxRecords`). */
  datagrams: UdpDatagram[];
  /** All datagrams and their payload bytes, both ways (exact). */
  count: number;
  bytes: number;
  /** Datagrams counted but not kept in `datagrams`. */
  recordsDropped: number;
}

export interface Flows {
  tcp: TcpConnection[];
  udp: UdpConversation[];
  /** IP packets that are neither TCP nor UDP (ICMP, ...). */
  otherPackets: number;
  /**
   * Packets of flows past `maxFlows`, counted but not kept (exact): a capture of 300k SYNs to as
   * many ports would otherwise hold 300k connections (3.4 GB) and explain each one.
   */
  untracked?: UntrackedCounts;
}

/** What the flows past the cap carried: exact counts, nothing kept per flow. */
export interface UntrackedCounts {
  /** TCP segments and UDP datagrams of flows not kept. */
  packets: number;
  /** Payload bytes they carried. */
  bytes: number;
  /** Connection attempts among them (SYN without ACK): each would have been a connection. */
  syns: number;
  /** UDP datagrams among them. */
  datagrams: number;
}

interface DirState {
  stats: DirectionStats;
  maxRecords: number;
  /** Raw seq of the last segment, for unwrapping 32-bit sequence numbers. */
  lastRaw?: number;
  lastRel: number;
  /** Highest relative sequence number sent + 1 (data only). */
  highest: number;
  /** When each range was first sent: [start, end, time] (the most recent 4096). */
  sent: Array<[number, number, number]>;
  /** Sequence ranges sent so far, sorted and merged: [start, end). */
  covered: Array<[number, number]>;
  /** Highest relative sequence number the other side acknowledged. */
  highestAcked: number;
}

interface ConnState {
  conn: TcpConnection;
  dirs: Record<Side, DirState>;
  closed: boolean;
}

export interface FlowOptions {
  /**
   * Per direction of a connection (and per UDP conversation), keep at most this many segment /
   * datagram records; the counts and byte totals stay exact past it. Bounds memory on big captures.
   */
  maxRecords?: number;
  /**
   * Most TCP connections, and most UDP conversations, kept; the packets of further ones are only
   * counted (Flows.untracked). A lab run has a dozen.
   */
  maxFlows?: number;
}

export const FLOW_DEFAULTS = { maxRecords: 10_000, maxFlows: 1000 } as const;

/** Takes packets one at a time (streaming), and gives the flows so far. */
export interface FlowBuilder {
  add(p: Packet): void;
  flows(): Flows;
}

/** Groups packets into TCP connections (by 4-tuple, a new SYN after a close starts a new one) and UDP conversations. */
export function analyseFlows(packets: Iterable<Packet>, options: FlowOptions = {}): Flows {
  const b = createFlowBuilder(options);
  for (const p of packets) b.add(p);
  return b.flows();
}

export function createFlowBuilder(options: FlowOptions = {}): FlowBuilder {
  const maxRecords = options.maxRecords ?? FLOW_DEFAULTS.maxRecords;
  const maxFlows = options.maxFlows ?? FLOW_DEFAULTS.maxFlows;
  const untracked: UntrackedCounts = { packets: 0, bytes: 0, syns: 0, datagrams: 0 };
  const open = new Map<string, ConnState>();
  const tcp: TcpConnection[] = [];
  const udpByKey = new Map<string, UdpConversation>();
  const udp: UdpConversation[] = [];
  let other = 0;
  return {
    add(p: Packet): void {
      if (p.tcp) {
        const src = endpointString(p.src, p.tcp.srcPort);
        const dst = endpointString(p.dst, p.tcp.dstPort);
        const key = pairKey(src, dst);
        let state = open.get(key);
        const f = p.tcp.flags;
        const newSyn = f.syn && !f.ack;
        if (state && newSyn && (state.closed || state.dirs.client.stats.isn !== p.tcp.seq)) state = undefined;
        if (!state && tcp.length >= maxFlows) {
          untracked.packets++;
          untracked.bytes += p.tcp.payloadLength;
          if (newSyn) untracked.syns++;
          return;
        }
        if (!state) {
          state = newConnection(tcp.length + 1, src, dst, p, maxRecords);
          open.set(key, state);
          tcp.push(state.conn);
        }
        addSegment(state, src, p);
      } else if (p.udp) {
        const src = endpointString(p.src, p.udp.srcPort);
        const dst = endpointString(p.dst, p.udp.dstPort);
        const key = pairKey(src, dst);
        let conv = udpByKey.get(key);
        if (!conv && udp.length >= maxFlows) {
          untracked.packets++;
          untracked.datagrams++;
          untracked.bytes += p.udp.payloadLength;
          return;
        }
        if (!conv) {
          conv = { id: udp.length + 1, a: src, b: dst, datagrams: [], count: 0, bytes: 0, recordsDropped: 0 };
          udpByKey.set(key, conv);
          udp.push(conv);
        }
        conv.count++;
        conv.bytes += p.udp.payloadLength;
        if (conv.datagrams.length < maxRecords) {
          conv.datagrams.push({
            frame: p.frame,
            timeMs: p.timeMs,
            from: src,
            to: dst,
            payloadLength: p.udp.payloadLength,
            ttl: p.ttl,
          });
        } else {
          conv.recordsDropped++;
        }
      } else {
        other++;
      }
    },
    flows: () => ({ tcp, udp, otherPackets: other, untracked: { ...untracked } }),
  };
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

function newDir(from: Side, maxRecords: number): DirState {
  return {
    maxRecords,
    stats: {
      from,
      segments: [],
      data: [],
      segmentCount: 0,
      dataCount: 0,
      payloadBytes: 0,
      bytesOnWire: 0,
      emptySegments: 0,
      retransmissions: 0,
      retransmittedBytes: 0,
      outOfOrder: 0,
      retransmissionDelayMs: 0,
      largestSegment: 0,
    },
    lastRel: 0,
    highest: 1,
    sent: [],
    covered: [],
    highestAcked: 0,
  };
}

function newConnection(id: number, src: string, dst: string, p: Packet, maxRecords: number): ConnState {
  const f = p.tcp!.flags;
  // A SYN-ACK first means the capture missed the SYN: its receiver is still the client.
  const srcIsServer = f.syn && f.ack;
  const client = srcIsServer ? dst : src;
  const server = srcIsServer ? src : dst;
  const client$ = newDir('client', maxRecords);
  const server$ = newDir('server', maxRecords);
  return {
    conn: {
      id,
      client,
      server,
      startMs: p.timeMs,
      endMs: p.timeMs,
      handshake: {
        complete: false,
        synRetransmissions: 0,
        synRetransmissionDelayMs: 0,
        synAckRetransmissions: 0,
      },
      toServer: client$.stats,
      toClient: server$.stats,
      teardown: { fins: [], resets: [], complete: false, finRetransmissions: 0 },
      packets: 0,
    },
    dirs: { client: client$, server: server$ },
    closed: false,
  };
}

/** "SYN,ACK", "PSH,ACK", ...: the flags in the order Wireshark's column shows them. */
function flagString(f: TcpFlags): string {
  const names: string[] = [];
  if (f.syn) names.push('SYN');
  if (f.fin) names.push('FIN');
  if (f.rst) names.push('RST');
  if (f.psh) names.push('PSH');
  if (f.ack) names.push('ACK');
  if (f.urg) names.push('URG');
  if (f.ece) names.push('ECE');
  if (f.cwr) names.push('CWR');
  return names.join(',');
}

function addSegment(state: ConnState, src: string, p: Packet): void {
  const t = p.tcp!;
  const { conn } = state;
  const side: Side = src === conn.client ? 'client' : 'server';
  const other: Side = side === 'client' ? 'server' : 'client';
  const dir = state.dirs[side];
  const peer = state.dirs[other];
  const s = dir.stats;
  conn.packets++;
  conn.endMs = p.timeMs;
  const f = t.flags;
  const step = (): HandshakeStep => ({
    frame: p.frame,
    timeMs: p.timeMs,
    from: src,
    to: side === 'client' ? conn.server : conn.client,
    seq: t.seq,
    ...(f.ack ? { ack: t.ack } : {}),
    ttl: p.ttl,
    options: t.options,
  });

  if (f.syn) {
    if (s.isn === undefined) {
      s.isn = t.seq;
      dir.lastRaw = t.seq;
      dir.lastRel = 0;
      if (t.options.mss !== undefined) s.announcedMss = t.options.mss;
    }
    if (side === 'client' && !f.ack) {
      if (conn.handshake.syn) {
        conn.handshake.synRetransmissions++;
        conn.handshake.synRetransmissionDelayMs = p.timeMs - conn.handshake.syn.timeMs;
      } else {
        conn.handshake.syn = step();
      }
    } else if (side === 'server' && f.ack) {
      if (conn.handshake.synAck) conn.handshake.synAckRetransmissions++;
      else conn.handshake.synAck = step();
    }
  } else if (
    side === 'client' &&
    f.ack &&
    conn.handshake.synAck &&
    !conn.handshake.ack &&
    peer.stats.isn !== undefined &&
    t.ack === (peer.stats.isn + 1) >>> 0
  ) {
    conn.handshake.ack = step();
    conn.handshake.complete = !!conn.handshake.syn;
  }

  // Without the SYN, sequence numbers are counted from just before the first one seen.
  if (dir.lastRaw === undefined) {
    dir.lastRaw = (t.seq - 1) >>> 0;
    dir.lastRel = 0;
  }
  const rel = dir.lastRel + ((t.seq - dir.lastRaw) | 0); // signed 32-bit difference: survives wrap-around
  dir.lastRaw = t.seq;
  dir.lastRel = rel;
  let relAck: number | undefined;
  if (f.ack && peer.lastRaw !== undefined) relAck = peer.lastRel + ((t.ack - peer.lastRaw) | 0);

  s.segmentCount++;
  if (s.segments.length < dir.maxRecords)
    s.segments.push({
      frame: p.frame,
      timeMs: p.timeMs,
      seq: t.seq,
      relativeSeq: rel,
      ack: t.ack,
      relativeAck: relAck,
      payloadLength: t.payloadLength,
      flags: flagString(f),
    });

  const len = t.payloadLength;
  if (len > 0) {
    const start = rel;
    const end = rel + len;
    // Bytes of this range no earlier segment carried. A range that was not sent before but starts
    // below the highest byte seen is out of order in the capture (on loopback, two CPUs can deliver
    // a flow's packets out of order), not a retransmission.
    const fresh = len - coveredBytes(dir.covered, start, end);
    const seg: DataSegment = {
      frame: p.frame,
      timeMs: p.timeMs,
      relativeSeq: rel,
      length: len,
      retransmission: fresh < len,
    };
    if (seg.retransmission) {
      // The delay: since the first sending of the earliest byte of this range still on record.
      const first = dir.sent.find(([a, b]) => start < b && end > a);
      if (first) {
        seg.delayMs = p.timeMs - first[2];
        s.retransmissionDelayMs += seg.delayMs;
      }
      s.retransmissions++;
      s.retransmittedBytes += len - fresh;
    } else if (start < dir.highest) {
      seg.outOfOrder = true;
      s.outOfOrder++;
    }
    if (fresh > 0) {
      addRange(dir.covered, start, end);
      dir.sent.push([start, end, p.timeMs]);
      // Only the recent ranges can be retransmitted; keep the list short.
      if (dir.sent.length > 4096) dir.sent.splice(0, dir.sent.length - 4096);
    }
    dir.highest = Math.max(dir.highest, end);
    s.payloadBytes += fresh;
    s.bytesOnWire += len;
    s.largestSegment = Math.max(s.largestSegment, len);
    s.dataCount++;
    if (s.data.length < dir.maxRecords) s.data.push(seg);
  } else {
    s.emptySegments++;
  }

  if (f.fin) {
    if (conn.teardown.fins.some((x) => x.from === side)) {
      conn.teardown.finRetransmissions++;
    } else {
      conn.teardown.fins.push({ from: side, frame: p.frame, timeMs: p.timeMs, relativeSeq: rel + len });
      conn.teardown.firstFin ??= side;
    }
  }
  // An ACK that covers the peer's FIN (its sequence number + 1) acknowledges it.
  if (f.ack && relAck !== undefined) {
    if (peer.stats.isn !== undefined && relAck > peer.highestAcked) {
      peer.highestAcked = relAck;
      const finSeq = conn.teardown.fins.find((x) => x.from === other)?.relativeSeq;
      peer.stats.ackedBytes = Math.max(0, Math.min(relAck, finSeq ?? relAck) - 1);
    }
    const peerFin = conn.teardown.fins.find((x) => x.from === other);
    if (peerFin && peerFin.ackedAtMs === undefined && relAck >= peerFin.relativeSeq + 1)
      peerFin.ackedAtMs = p.timeMs;
  }
  if (f.rst) {
    conn.teardown.resets.push({ from: side, frame: p.frame, timeMs: p.timeMs });
    state.closed = true;
  }
  conn.teardown.complete =
    conn.teardown.fins.length === 2 && conn.teardown.fins.every((x) => x.ackedAtMs !== undefined);
  if (conn.teardown.complete) state.closed = true;
}

/** How many bytes of [start, end) the sorted, merged `ranges` already hold. */
function coveredBytes(ranges: Array<[number, number]>, start: number, end: number): number {
  let n = 0;
  // From the end: new data almost always lies at or after the last range.
  for (let i = ranges.length - 1; i >= 0; i--) {
    const [a, b] = ranges[i]!;
    if (b <= start) break;
    n += Math.max(0, Math.min(b, end) - Math.max(a, start));
  }
  return n;
}

/** Adds [start, end) to the sorted, merged `ranges`. */
function addRange(ranges: Array<[number, number]>, start: number, end: number): void {
  let i = ranges.length;
  while (i > 0 && ranges[i - 1]![0] > start) i--;
  ranges.splice(i, 0, [start, end]);
  // Merge with neighbours that touch or overlap.
  let j = Math.max(0, i - 1);
  while (j < ranges.length - 1) {
    const cur = ranges[j]!;
    const next = ranges[j + 1]!;
    if (next[0] <= cur[1]) {
      cur[1] = Math.max(cur[1], next[1]);
      ranges.splice(j + 1, 1);
    } else if (j >= i) {
      break;
    } else {
      j++;
    }
  }
}

/** Every repetition TCP made on one connection, for control question 5 (UDP loss vs TCP retransmission). */
export interface RetransmissionSummary {
  /** Data segments sent again, both directions, and their bytes. */
  data: number;
  bytes: number;
  syn: number;
  synAck: number;
  fin: number;
  /** Time the repeats cost: data delays plus the span of the repeated SYNs. */
  delayMs: number;
  total: number;
}

export function retransmissionsOf(c: TcpConnection): RetransmissionSummary {
  const data = c.toServer.retransmissions + c.toClient.retransmissions;
  const r = {
    data,
    bytes: c.toServer.retransmittedBytes + c.toClient.retransmittedBytes,
    syn: c.handshake.synRetransmissions,
    synAck: c.handshake.synAckRetransmissions,
    fin: c.teardown.finRetransmissions,
    delayMs:
      c.toServer.retransmissionDelayMs +
      c.toClient.retransmissionDelayMs +
      c.handshake.synRetransmissionDelayMs,
  };
  return { ...r, total: r.data + r.syn + r.synAck + r.fin };
}
