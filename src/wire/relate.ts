/**
 * Relates two captures of the same traffic taken on both sides of a forwarding hop (the remote
 * client's namespace and the server's) and says, from the packets alone, what the hop did:
 *
 * - the same TCP connection on both sides (same initial sequence numbers) with other addresses or
 *   ports: NAT rewrote the headers; with the same addresses: the hop only routed;
 * - two TCP connections (two handshakes, different initial sequence numbers) carrying the same
 *   bytes: a proxy in user space accepted one connection and opened another.
 *
 * Nothing is assumed from the configuration: every verdict comes with the numbers it rests on.
 */
import type { Flows, TcpConnection, UdpConversation } from './flows.js';

export interface ConnectionEvidence {
  /** Client and server initial sequence numbers seen on the near side and on the far side. */
  clientIsn: [number | undefined, number | undefined];
  serverIsn: [number | undefined, number | undefined];
  /** Payload bytes client -> server and server -> client, near and far. */
  toServerBytes: [number, number];
  toClientBytes: [number, number];
  /** Payload sizes of the data segments client -> server, near and far (first 20). */
  toServerSegments: [number[], number[]];
  /** The far SYN was sent this long after the near SYN (both captures are on one host's clock in the lab). */
  synOffsetMs: number | undefined;
  /** The far SYN came after the near handshake had completed (a proxy accepts, then connects). */
  farSynAfterNearHandshake: boolean | undefined;
  /** TTL of the client's SYN near and far: a routed (NATed) packet loses one per router; a proxy sends a new packet. */
  synTtl: [number | undefined, number | undefined];
}

export type HopVerdict =
  | {
      kind: 'nat' | 'routed';
      near: TcpConnection;
      far: TcpConnection;
      /** Source (client) address:port and destination (server) address:port, before and after the hop. */
      before: { client: string; server: string };
      after: { client: string; server: string };
      rewritten: { source: boolean; destination: boolean };
      evidence: ConnectionEvidence;
    }
  | {
      kind: 'proxy';
      near: TcpConnection;
      far: TcpConnection;
      before: { client: string; server: string };
      after: { client: string; server: string };
      evidence: ConnectionEvidence;
    }
  | { kind: 'unmatched'; side: 'near' | 'far'; connection: TcpConnection };

export interface UdpHopRelation {
  near: UdpConversation;
  far: UdpConversation;
  /** Datagrams with the same payload size in the same order on both sides. */
  matchedDatagrams: number;
  before: { client: string; server: string };
  after: { client: string; server: string };
  /** TTL of the first client datagram near and far. */
  ttl: [number | undefined, number | undefined];
}

export interface HopRelation {
  tcp: HopVerdict[];
  udp: UdpHopRelation[];
  /** One word for the whole capture pair: what every matched TCP connection showed, or 'mixed' / 'none'. */
  summary: 'nat' | 'routed' | 'proxy' | 'mixed' | 'none';
}

export interface RelateOptions {
  /** Only TCP connections and UDP conversations with the server on this port (far side), e.g. 7007/7008. */
  serverPorts?: number[];
  /** A far connection must start within this many ms of the near one to be the same traffic. */
  windowMs?: number;
}

export const RELATE_DEFAULTS = { windowMs: 10_000 } as const;

/**
 * `near`: the capture on the client's side of the hop (the remote client's namespace); `far`: the
 * capture on the server's side.
 */
export function relateCaptures(near: Flows, far: Flows, options: RelateOptions = {}): HopRelation {
  const windowMs = options.windowMs ?? RELATE_DEFAULTS.windowMs;
  const ports = options.serverPorts;
  const onPort = (endpoint: string) => !ports || ports.includes(portOf(endpoint));
  const farTcp = far.tcp.filter((c) => onPort(c.server));
  const used = new Set<TcpConnection>();
  const verdicts: HopVerdict[] = [];

  for (const n of near.tcp) {
    // Same connection: the hop forwarded the very segments, so both initial sequence numbers agree.
    const same = farTcp.find(
      (f) =>
        !used.has(f) &&
        n.toServer.isn !== undefined &&
        f.toServer.isn === n.toServer.isn &&
        (n.toClient.isn === undefined || f.toClient.isn === n.toClient.isn),
    );
    if (same) {
      used.add(same);
      const rewritten = { source: same.client !== n.client, destination: same.server !== n.server };
      verdicts.push({
        kind: rewritten.source || rewritten.destination ? 'nat' : 'routed',
        near: n,
        far: same,
        before: { client: n.client, server: n.server },
        after: { client: same.client, server: same.server },
        rewritten,
        evidence: evidence(n, same),
      });
      continue;
    }
    // Two connections carrying the same bytes each way, close in time: a proxy in between.
    const candidates = farTcp.filter(
      (f) =>
        !used.has(f) &&
        f.toServer.payloadBytes === n.toServer.payloadBytes &&
        f.toClient.payloadBytes === n.toClient.payloadBytes &&
        Math.abs(f.startMs - n.startMs) <= windowMs,
    );
    candidates.sort((a, b) => Math.abs(a.startMs - n.startMs) - Math.abs(b.startMs - n.startMs));
    const proxied = candidates[0];
    if (proxied) {
      used.add(proxied);
      verdicts.push({
        kind: 'proxy',
        near: n,
        far: proxied,
        before: { client: n.client, server: n.server },
        after: { client: proxied.client, server: proxied.server },
        evidence: evidence(n, proxied),
      });
    } else {
      verdicts.push({ kind: 'unmatched', side: 'near', connection: n });
    }
  }
  for (const f of farTcp) if (!used.has(f)) verdicts.push({ kind: 'unmatched', side: 'far', connection: f });

  const kinds = new Set(verdicts.filter((v) => v.kind !== 'unmatched').map((v) => v.kind));
  const summary =
    kinds.size === 0 ? 'none' : kinds.size > 1 ? 'mixed' : ([...kinds][0] as 'nat' | 'routed' | 'proxy');
  return { tcp: verdicts, udp: relateUdp(near, far, onPort, windowMs), summary };
}

function evidence(n: TcpConnection, f: TcpConnection): ConnectionEvidence {
  const nearSyn = n.handshake.syn;
  const farSyn = f.handshake.syn;
  const nearDone = n.handshake.ack;
  return {
    clientIsn: [n.toServer.isn, f.toServer.isn],
    serverIsn: [n.toClient.isn, f.toClient.isn],
    toServerBytes: [n.toServer.payloadBytes, f.toServer.payloadBytes],
    toClientBytes: [n.toClient.payloadBytes, f.toClient.payloadBytes],
    toServerSegments: [
      n.toServer.data.slice(0, 20).map((d) => d.length),
      f.toServer.data.slice(0, 20).map((d) => d.length),
    ],
    synOffsetMs: nearSyn && farSyn ? farSyn.timeMs - nearSyn.timeMs : undefined,
    farSynAfterNearHandshake: nearDone && farSyn ? farSyn.timeMs >= nearDone.timeMs : undefined,
    synTtl: [nearSyn?.ttl, farSyn?.ttl],
  };
}

function relateUdp(
  near: Flows,
  far: Flows,
  onPort: (endpoint: string) => boolean,
  windowMs: number,
): UdpHopRelation[] {
  const out: UdpHopRelation[] = [];
  const used = new Set<UdpConversation>();
  for (const n of near.udp) {
    const nSizes = n.datagrams.filter((d) => d.from === n.a).map((d) => d.payloadLength);
    let best: { conv: UdpConversation; matched: number } | undefined;
    for (const f of far.udp) {
      if (used.has(f) || !(onPort(f.a) || onPort(f.b))) continue;
      const first = f.datagrams[0];
      const nFirst = n.datagrams[0];
      if (!first || !nFirst || Math.abs(first.timeMs - nFirst.timeMs) > windowMs) continue;
      // The far side's client is whichever end is not the server port: the sender of the first datagram.
      const fSizes = f.datagrams.filter((d) => d.from === f.a).map((d) => d.payloadLength);
      const matched = commonPrefix(nSizes, fSizes);
      if (matched > 0 && (!best || matched > best.matched)) best = { conv: f, matched };
    }
    if (!best) continue;
    used.add(best.conv);
    const f = best.conv;
    out.push({
      near: n,
      far: f,
      matchedDatagrams: best.matched,
      before: { client: n.a, server: n.b },
      after: { client: f.a, server: f.b },
      ttl: [n.datagrams.find((d) => d.from === n.a)?.ttl, f.datagrams.find((d) => d.from === f.a)?.ttl],
    });
  }
  return out;
}

function commonPrefix(a: number[], b: number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The port of an "address:port" or "[v6]:port" endpoint. */
export function portOf(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
}
