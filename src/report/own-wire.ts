/**
 * The plain chat's datagrams in the captures beside a student's chat program's calls (issue #19,
 * item 4): for a few of its sendto/recvfrom calls, the datagram tcpdump recorded for each, on the
 * server's side and on the remote machine's. A call and a datagram belong together when the UDP
 * payload is as long as the call's byte count, the ports agree (the lab's router rewrites addresses,
 * not ports) and the capture saw it within MATCH_WINDOW_MS of the call's return. Pure: records and
 * flows in, values out; own-section.ts renders them.
 */
import { decodePreview } from '../own/strace.js';
import type { Flows, UdpDatagram } from '../wire/flows.js';
import { splitEndpoint } from './endpoint.js';
import { type OwnRun, READS, WRITES, num, str } from './own-checks.js';
import type { LogRecord } from './parse.js';

/** Calls shown with their datagrams per program: the first of each kind and peer, a few in all. */
export const MAX_WIRE_ROWS = 4;
/** A datagram and a call further apart than this are not the same datagram. */
export const MATCH_WINDOW_MS = 1000;
/** Characters of a datagram's text shown beside its call. */
const MAX_TEXT = 32;

/** One capture's flows and how the report names it (the side of the lab it watched). */
export interface CapturedFlows {
  side: 'server' | 'remote';
  name: string;
  flows: Flows;
}

/** A datagram of a capture that is the call's. */
export interface DatagramSeen {
  side: CapturedFlows['side'];
  capture: string;
  frame: number;
  from: string;
  to: string;
  bytes: number;
  /** The capture shows other addresses than the call: seen across the router (NAT). */
  translated: boolean;
}

/** A call that sent or received one datagram, with where the captures saw it. */
export interface CallDatagrams {
  record: LogRecord;
  call: string;
  fd: number | undefined;
  direction: 'sent' | 'received';
  bytes: number;
  /** The other end, as the call gave it (recvfrom's source, sendto's destination). */
  peer: string;
  /** The datagram's text as far as strace kept it (decoded; cut at MAX_TEXT). */
  text: string | undefined;
  seen: DatagramSeen[];
}

const portOf = (endpoint: string | undefined): string | undefined =>
  endpoint === undefined ? undefined : splitEndpoint(endpoint).port;
const hostOf = (endpoint: string): string => splitEndpoint(endpoint).address;
/** The port of a socket's own end, when the kernel has given it one (not 0: unbound yet). */
const boundPort = (endpoint: string | undefined): string | undefined => {
  const port = portOf(endpoint);
  return port !== undefined && /^[1-9]\d*$/.test(port) ? port : undefined;
};
/** The address of a socket's own end, when it names one host (not 0.0.0.0 or ::, bound to all). */
const ownHost = (endpoint: string | undefined): string | undefined => {
  const host = endpoint === undefined ? '' : hostOf(endpoint);
  return ['0.0.0.0', '::', ''].includes(host) ? undefined : host;
};

/**
 * The calls of a chat program's run that moved one datagram each, the first per direction and peer,
 * at most MAX_WIRE_ROWS, each with the datagrams of `captures` that are its own.
 */
export function chatDatagrams(run: OwnRun, captures: readonly CapturedFlows[]): CallDatagrams[] {
  if (!run.role.startsWith('chat-') || captures.length === 0) return [];
  // The socket's own end: the call's, else the first known one of the run (strace -yy shows it; a
  // UDP socket's port appears once its first send has bound it, its address only if it bound one).
  const locals = run.calls.map((r) => str(r, 'local'));
  const runPort = locals.map(boundPort).find((p) => p !== undefined);
  const runHost = locals.map(ownHost).find((h) => h !== undefined);
  const out: CallDatagrams[] = [];
  const shown = new Set<string>();
  for (const r of run.calls) {
    if (out.length >= MAX_WIRE_ROWS) break;
    const call = str(r, 'call') ?? '';
    const fd = num(r, 'fd');
    const bytes = num(r, 'bytes') ?? num(r, 'result');
    const peer = str(r, 'peer');
    if (str(r, 'errno') !== undefined || bytes === undefined || bytes <= 0 || peer === undefined) continue;
    if (fd !== undefined && fd <= 2) continue;
    const direction = WRITES.has(call) ? 'sent' : READS.has(call) ? 'received' : undefined;
    if (!direction) continue;
    const key = `${direction} ${peer}`;
    if (shown.has(key)) continue;
    shown.add(key);
    const localPort = boundPort(str(r, 'local')) ?? runPort;
    const localHost = ownHost(str(r, 'local')) ?? runHost;
    const at = num(r, 'at') ?? r.time;
    const data = str(r, 'data');
    let text: string | undefined;
    if (data !== undefined) {
      const d = decodePreview(data);
      text = d.text.length > MAX_TEXT || d.truncated ? `${d.text.slice(0, MAX_TEXT)}…` : d.text;
    }
    const seen = captures.flatMap((c) => {
      const d = nearest(c.flows, direction, bytes, peer, localPort, at);
      if (!d) return [];
      const [mine, theirs] = direction === 'sent' ? [d.from, d.to] : [d.to, d.from];
      const translated = theirs !== peer || (localHost !== undefined && hostOf(mine) !== localHost);
      return [
        {
          side: c.side,
          capture: c.name,
          frame: d.frame,
          from: d.from,
          to: d.to,
          bytes: d.payloadLength,
          translated,
        },
      ];
    });
    out.push({ record: r, call, fd, direction, bytes, peer, text, seen });
  }
  return out;
}

/** The datagram of `flows` nearest in time to `at` that can be the call's, if any. */
function nearest(
  flows: Flows,
  direction: 'sent' | 'received',
  bytes: number,
  peer: string,
  localPort: string | undefined,
  at: number,
): UdpDatagram | undefined {
  let best: UdpDatagram | undefined;
  for (const conv of flows.udp) {
    for (const d of conv.datagrams) {
      if (d.payloadLength !== bytes || Math.abs(d.timeMs - at) > MATCH_WINDOW_MS) continue;
      const [mine, theirs] = direction === 'sent' ? [d.from, d.to] : [d.to, d.from];
      // Across the router the addresses differ; the ports stay (the lab's router keeps them).
      if (portOf(theirs) !== portOf(peer)) continue;
      if (localPort !== undefined && portOf(mine) !== localPort) continue;
      if (!best || Math.abs(d.timeMs - at) < Math.abs(best.timeMs - at)) best = d;
    }
  }
  return best;
}
