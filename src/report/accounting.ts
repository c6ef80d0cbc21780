/**
 * What the server's log says each connection carried, counted from its own lines: portions logged
 * one by one, portions counted in summaries, and the totals of its close line. A log that
 * contradicts itself is a bug in the server (or a lost line): the benchmark and the tests check it.
 */
import { type LabModel, type ServerConn, numField } from './aggregate.js';
import { type LogRecord, weight } from './parse.js';

/**
 * Portions and bytes, in (read from the client) and out. Out means handed to write() for the lines
 * and summaries, and accepted by the kernel for the close line (schema 2; `bytesDiscarded` is the
 * rest of what was written).
 */
export interface PortionCounts {
  portionsIn: number;
  bytesIn: number;
  portionsOut: number;
  bytesOut: number;
}

/** One server connection's log, added up. */
export interface ConnAccount {
  conn: ServerConn;
  /** Portions with a line each (`tcp.data.received` / `tcp.data.sent`), the ones the reader left out included. */
  lines: PortionCounts;
  /** Portions counted in `tcp.data.summary` lines. */
  summaries: PortionCounts;
  /** The totals of `tcp.connection.closed`; undefined when the connection never logged its close. */
  closed: PortionCounts | undefined;
  /** Where the lines disagree with the totals (empty: the log accounts for every portion exactly). */
  problems: string[];
}

const zero = (): PortionCounts => ({ portionsIn: 0, bytesIn: 0, portionsOut: 0, bytesOut: 0 });
const bytes = (r: LogRecord) => (numField(r, 'bytes') ?? 0) + (r.elidedBytes ?? 0);

/** Adds up every server connection's lines and compares them with its close line. */
export function accountConnections(model: LabModel): ConnAccount[] {
  return model.conns.map((conn) => {
    const lines = zero();
    const summaries = zero();
    for (const r of conn.records) {
      if (r.event === 'tcp.data.received') {
        lines.portionsIn += weight(r);
        lines.bytesIn += bytes(r);
      } else if (r.event === 'tcp.data.sent') {
        lines.portionsOut += weight(r);
        lines.bytesOut += bytes(r);
      } else if (r.event === 'tcp.data.summary') {
        summaries.portionsIn += numField(r, 'portionsIn') ?? 0;
        summaries.bytesIn += numField(r, 'bytesIn') ?? 0;
        // Every portion a summary counts was handed to write() (schema 1 repeated it as "out").
        summaries.portionsOut += numField(r, 'portionsOut') ?? numField(r, 'portionsIn') ?? 0;
        summaries.bytesOut += numField(r, 'bytesOut') ?? numField(r, 'bytesIn') ?? 0;
      }
    }
    const c = conn.closed;
    const closed = c && {
      portionsIn: numField(c, 'portionsIn') ?? -1,
      bytesIn: numField(c, 'bytesIn') ?? -1,
      portionsOut: numField(c, 'portionsOut') ?? -1,
      bytesOut: numField(c, 'bytesOut') ?? -1,
    };
    const problems: string[] = [];
    if (!closed || !c) problems.push('no tcp.connection.closed line');
    else {
      for (const k of ['portionsIn', 'bytesIn'] as const) {
        if (lines[k] + summaries[k] !== closed[k])
          problems.push(`lines account for ${lines[k]} + ${summaries[k]} ${k} of ${closed[k]}`);
      }
      // What the server wrote was either accepted by the kernel or discarded with the socket.
      const written = lines.bytesOut + summaries.bytesOut;
      const discarded = numField(c, 'bytesDiscarded') ?? 0;
      if (closed.bytesOut + discarded !== written)
        problems.push(`${written} bytes written, but ${closed.bytesOut} accepted + ${discarded} discarded`);
      if (closed.portionsOut > lines.portionsOut + summaries.portionsOut)
        problems.push(
          `${closed.portionsOut} portions out, more than the ${lines.portionsOut + summaries.portionsOut} written`,
        );
    }
    return { conn, lines, summaries, closed, problems };
  });
}

/** Chat messages the server relayed: with a line each, and counted in `udp.relay.summary` lines. */
export function relayCounts(model: LabModel): { lines: number; summarised: number } {
  let lines = 0;
  let summarised = 0;
  for (const r of model.timeline.records) {
    if (r.event === 'udp.message.relayed') lines += weight(r);
    else if (r.event === 'udp.relay.summary') summarised += numField(r, 'messages') ?? 0;
  }
  return { lines, summarised };
}
