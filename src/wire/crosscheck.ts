/**
 * The independent evidence for "every byte echoed": TCP payload bytes on the wire, per connection
 * and direction, against the byte counts the server's sockets logged. Both are counted by
 * different parts of the system (the kernel's segments as a capture saw them, the program's reads
 * and writes), so agreement means something; any difference is a failure.
 */
import { plainAddress } from '../net/address.js';
import type { Flows, TcpConnection } from './flows.js';
import { endpointString } from './flows.js';

/** What the server logged for one connection (`tcp.connection.closed`). */
export interface SocketCount {
  /** The client endpoint the server saw, "ip:port" (the log's `remote`). */
  remote: string;
  /** Bytes the server read from this client. */
  bytesIn: number;
  /** Bytes of the echo the kernel took into the socket's send buffer. */
  bytesOut: number;
  connId?: number;
  /** The connection ended with a reset: bytes the kernel had taken but not sent were lost. */
  reset?: boolean;
}

export type Direction = 'client-to-server' | 'server-to-client';

export interface ByteComparison {
  remote: string;
  connId?: number;
  direction: Direction;
  /** From the socket log. */
  logged: number;
  /** Payload bytes on the wire, each sequence number once; undefined when the capture has no such connection. */
  onWire: number | undefined;
  /** Wire connection id (flows.ts), when found. */
  connection?: number;
  ok: boolean;
  /** Why it failed, in English (explain.ts renders both languages from the fields). */
  reason?: 'not-in-capture' | 'bytes-differ' | 'capture-incomplete' | 'reset';
  /**
   * The capture lacks some of the logged bytes, but the other side's ACKs cover exactly the logged
   * count: the segments arrived and the capturing kernel dropped copies of them (tcpdump's "packets
   * dropped by kernel"). Not a failure: the ACK numbers are the wire's own count.
   */
  ackedNotCaptured?: number;
}

export interface CrossCheck {
  comparisons: ByteComparison[];
  /**
   * Captured connections to the checked server whose closing line no log read has: neither the
   * compared counts nor `others` claim them (not a failure by itself).
   */
  unlogged: TcpConnection[];
  /** Captured connections that a closing line of `others` claims, with that line's owner. */
  elsewhere: Array<{ connection: TcpConnection; owner: string | undefined }>;
  ok: boolean;
}

/** Closing lines logged for other parts of the run (another scenario's clients), by owner. */
export interface OtherCounts {
  /** e.g. the scenario's name; undefined when nothing names it. */
  owner: string | undefined;
  counts: readonly SocketCount[];
}

export interface CrossCheckOptions {
  /** Only wire connections to this server port count as the server's (default: any). */
  serverPort?: number;
  /**
   * The run's other closing lines: a captured connection one of them claims is not compared here,
   * and not "unlogged" either (its close is logged, it belongs elsewhere).
   */
  others?: readonly OtherCounts[];
}

/**
 * Compares logged byte counts with the capture, per connection (found by the client endpoint the
 * server saw) and direction. The capture must be the server side's: the remote endpoint is what the
 * server's own socket saw.
 */
export function crossCheckBytes(
  flows: Flows,
  counts: readonly SocketCount[],
  options: CrossCheckOptions = {},
): CrossCheck {
  const candidates = flows.tcp.filter(
    (c) => options.serverPort === undefined || c.server.endsWith(`:${options.serverPort}`),
  );
  const byClient = new Map<string, TcpConnection[]>();
  for (const c of candidates) byClient.set(c.client, [...(byClient.get(c.client) ?? []), c]);
  const used = new Set<TcpConnection>();
  const comparisons: ByteComparison[] = [];
  for (const count of counts) {
    const remote = normaliseEndpoint(count.remote);
    // The same client port can be reused later: take the first unclaimed connection of that endpoint.
    const conn = (byClient.get(remote) ?? []).find((c) => !used.has(c));
    if (conn) used.add(conn);
    for (const [direction, logged, stats] of [
      ['client-to-server', count.bytesIn, conn?.toServer],
      ['server-to-client', count.bytesOut, conn?.toClient],
    ] as const) {
      const wire = stats?.payloadBytes;
      // Segments the capture missed but the peer acknowledged still crossed the wire.
      const ackedOnly =
        wire !== undefined && wire < logged && stats?.ackedBytes === logged ? logged - wire : 0;
      const cmp: ByteComparison = {
        remote,
        direction,
        logged,
        onWire: wire,
        ok: wire === logged || ackedOnly > 0,
        ...(ackedOnly > 0 ? { ackedNotCaptured: ackedOnly } : {}),
        ...(count.connId !== undefined ? { connId: count.connId } : {}),
        ...(conn ? { connection: conn.id } : {}),
      };
      if (!cmp.ok) {
        // A capture that began after the SYN cannot have every byte: say so instead of "differ".
        cmp.reason = !conn
          ? 'not-in-capture'
          : !conn.handshake.syn
            ? 'capture-incomplete'
            : count.reset && direction === 'server-to-client' && (wire ?? 0) < logged
              ? 'reset'
              : 'bytes-differ';
      }
      comparisons.push(cmp);
    }
  }
  // The compared counts claim first; the run's other closing lines claim what is left, in the
  // same way (first unclaimed connection of the endpoint), so a reused port stays with its line.
  const elsewhere: CrossCheck['elsewhere'] = [];
  for (const other of options.others ?? []) {
    for (const count of other.counts) {
      const conn = (byClient.get(normaliseEndpoint(count.remote)) ?? []).find((c) => !used.has(c));
      if (!conn) continue;
      used.add(conn);
      elsewhere.push({ connection: conn, owner: other.owner });
    }
  }
  elsewhere.sort((a, b) => a.connection.id - b.connection.id);
  const unlogged = candidates.filter((c) => !used.has(c));
  return {
    comparisons,
    unlogged,
    elsewhere,
    ok: comparisons.length > 0 && comparisons.every((c) => c.ok),
  };
}

/** "::ffff:10.0.0.1:5000" -> "10.0.0.1:5000"; "[::1]:5000" stays. */
export function normaliseEndpoint(remote: string): string {
  const i = remote.lastIndexOf(':');
  if (i < 0) return remote;
  const host = remote.slice(0, i).replace(/^\[|\]$/g, '');
  return endpointString(plainAddress(host), Number(remote.slice(i + 1)));
}

/**
 * The socket counts of every `tcp.connection.closed` line among log records (parsed JSON lines, or
 * report LogRecords whose fields are under `fields`).
 */
export function socketCountsFromLog(records: Iterable<Record<string, unknown>>): SocketCount[] {
  const out: SocketCount[] = [];
  for (const r of records) {
    if (r.event !== 'tcp.connection.closed') continue;
    const f = (typeof r.fields === 'object' && r.fields !== null ? r.fields : r) as Record<string, unknown>;
    if (typeof f.remote !== 'string' || typeof f.bytesIn !== 'number' || typeof f.bytesOut !== 'number')
      continue;
    out.push({
      remote: f.remote,
      bytesIn: f.bytesIn,
      bytesOut: f.bytesOut,
      ...(typeof f.connId === 'number' ? { connId: f.connId } : {}),
      ...(f.reset === true ? { reset: true } : {}),
    });
  }
  return out;
}

/** The 1 KB portions the server's log shows for one connection, to set beside its segments. */
export interface SocketPortions {
  /** Sizes of the portions read, in order, as logged one by one. */
  read: number[];
  /** Sizes of the portions written back, in order, as logged one by one. */
  written: number[];
  /** Portions counted only in summary lines (the log's line budget), with their bytes. */
  summarised: { portions: number; bytes: number };
}

/**
 * The logged portions per client endpoint ("ip:port" as the server saw it), from the
 * `tcp.connection.accepted`, `tcp.data.received`, `tcp.data.sent` and `tcp.data.summary` lines of
 * one server's log, in log order (connection ids are per server process).
 */
export function socketPortionsFromLog(
  records: Iterable<Record<string, unknown>>,
): Map<string, SocketPortions> {
  const byConn = new Map<number, SocketPortions>();
  const out = new Map<string, SocketPortions>();
  for (const r of records) {
    const f = (typeof r.fields === 'object' && r.fields !== null ? r.fields : r) as Record<string, unknown>;
    if (typeof f.connId !== 'number') continue;
    if (r.event === 'tcp.connection.accepted' && typeof f.remote === 'string') {
      const p: SocketPortions = { read: [], written: [], summarised: { portions: 0, bytes: 0 } };
      byConn.set(f.connId, p);
      out.set(normaliseEndpoint(f.remote), p);
      continue;
    }
    const p = byConn.get(f.connId);
    if (!p) continue;
    if (r.event === 'tcp.data.received' && typeof f.bytes === 'number') p.read.push(f.bytes);
    else if (r.event === 'tcp.data.sent' && typeof f.bytes === 'number') p.written.push(f.bytes);
    else if (
      r.event === 'tcp.data.summary' &&
      typeof f.portionsIn === 'number' &&
      typeof f.bytesIn === 'number'
    ) {
      p.summarised.portions += f.portionsIn;
      p.summarised.bytes += f.bytesIn;
    }
  }
  return out;
}
