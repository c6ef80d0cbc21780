/**
 * What a student's echo server wrote back, compared with what it read, byte for byte, from its own
 * trace alone. Each connection (the fd and the peer -yy showed, from the accept() that returned
 * it) is two byte streams: what the server's reads returned and what its writes moved, each call
 * at the offset the calls before it reached (a call that returned -1, 0 or `?` moved nothing).
 * strace -s 32 keeps the first 32 bytes of each call (a log written before the preview's bound was
 * raised may hold fewer: 12 bytes of Cyrillic): those are the known bytes. Where a write's known bytes and a read's known bytes cover the same offset, an
 * echo writes there what it read there; the first offset where they differ is the finding. Bytes
 * the trace does not show are never guessed, and offsets the written stream did not reach (an
 * echo still in progress when the server stopped) are not compared. Pure: records in, result out.
 */
import { decodePreviewBytes, STRACE_STRING_BYTES } from '../own/strace.js';
import { preview } from '../text/escape.js';
import type { LogRecord } from './parse.js';

/** The calls whose `data` is the start of the bytes they moved (a recvmsg's first string may be its address). */
const PREVIEWED = new Set(['read', 'readv', 'recv', 'recvfrom', 'write', 'writev', 'send', 'sendto']);
const READ_CALLS = new Set(['read', 'readv', 'recv', 'recvfrom', 'recvmsg', 'recvmmsg']);
const WRITE_CALLS = new Set(['write', 'writev', 'send', 'sendto', 'sendmsg', 'sendmmsg']);
/** Bytes of each side shown in a finding. */
const SHOWN = 24;
/** Bytes shown before the first different one, when the compared bytes begin earlier. */
const LEAD = 8;

const num = (r: LogRecord, k: string): number | undefined => {
  const v = r.fields[k];
  return typeof v === 'number' ? v : undefined;
};
const str = (r: LogRecord, k: string): string | undefined => {
  const v = r.fields[k];
  return typeof v === 'string' ? v : undefined;
};

/** A call's place in its stream: from `start`, `bytes` moved, of which the first `known.length` are in the trace. */
interface Piece {
  start: number;
  moved: number;
  known: Uint8Array;
  call: LogRecord;
}
interface Streams {
  fd: number;
  peer: string;
  read: Piece[];
  written: Piece[];
}

/** The first difference on one connection: its offset, both calls, and both sides shown from `from`. */
export interface EchoContentDiff {
  fd: number;
  peer: string;
  offset: number;
  from: number;
  read: string;
  written: string;
  readCall: LogRecord;
  writeCall: LogRecord;
}
export interface EchoContent {
  /** Connections where at least one byte was compared, and how many bytes in all. */
  conns: number;
  compared: number;
  /**
   * The compared calls whose known bytes are fewer than strace's preview holds (fewer than 32 and
   * than the call moved: the log kept less), and the fewest and most bytes known of one of them.
   */
  short: { calls: number; min: number; max: number } | undefined;
  /** The first read and write compared (the evidence of a pass). */
  first: [LogRecord, LogRecord] | undefined;
  /** One per connection whose echo differs, in the order of the connections. */
  diffs: EchoContentDiff[];
}

/** The bytes of a call the trace shows: the preview's, never more than the call moved. */
function knownBytes(c: LogRecord, moved: number): Uint8Array {
  const data = str(c, 'data');
  if (data === undefined || !PREVIEWED.has(str(c, 'call') ?? '')) return new Uint8Array(0);
  const { bytes } = decodePreviewBytes(data);
  return bytes.subarray(0, Math.min(bytes.length, moved));
}

/** The read and written streams of each TCP connection in `calls` (one server's calls, in the order they returned). */
function streams(calls: readonly LogRecord[]): Streams[] {
  const all: Streams[] = [];
  const open = new Map<string, Streams & { readAt: number; writtenAt: number }>();
  const keyOf = (source: string, fd: number, peer: string) => `${source}\u0000${fd}\u0000${peer}`;
  for (const c of calls) {
    if (c.event !== 'own.call' || str(c, 'type') === 'udp' || str(c, 'family') === 'unix') continue;
    const call = str(c, 'call') ?? '';
    const peer = str(c, 'peer');
    if ((call === 'accept' || call === 'accept4') && (num(c, 'result') ?? -1) >= 0) {
      const fd = num(c, 'newFd') ?? num(c, 'result');
      if (fd === undefined || peer === undefined) continue;
      // A new connection on this fd and peer: the streams begin again at 0.
      const s = { fd, peer, read: [], written: [], readAt: 0, writtenAt: 0 };
      open.set(keyOf(c.source, fd, peer), s);
      all.push(s);
      continue;
    }
    const way = str(c, 'way');
    const reads = READ_CALLS.has(call) || way === 'read';
    const writes = WRITE_CALLS.has(call) || way === 'write';
    if (!reads && !writes) continue;
    const fd = num(c, 'fd');
    const moved = num(c, 'bytes') ?? 0;
    if (fd === undefined || peer === undefined || moved <= 0) continue;
    // Calls on a connection whose accept() the log does not hold (a summary, a log cut short): not laid.
    const s = open.get(keyOf(c.source, fd, peer));
    if (!s) continue;
    const known = way === undefined ? knownBytes(c, moved) : new Uint8Array(0);
    if (reads) {
      s.read.push({ start: s.readAt, moved, known, call: c });
      s.readAt += moved;
    } else {
      s.written.push({ start: s.writtenAt, moved, known, call: c });
      s.writtenAt += moved;
    }
  }
  return all;
}

/** Compares each connection's written bytes with its read bytes wherever the trace shows both. */
export function echoContent(calls: readonly LogRecord[]): EchoContent {
  const out: EchoContent = { conns: 0, compared: 0, short: undefined, first: undefined, diffs: [] };
  const used = new Set<Piece>();
  for (const s of streams(calls)) {
    const reads = s.read.filter((p) => p.known.length > 0);
    const writes = s.written.filter((p) => p.known.length > 0);
    let compared = 0;
    let diff: EchoContentDiff | undefined;
    // Both lists are in stream order and their pieces do not overlap within a list: one pass.
    let i = 0;
    for (const w of writes) {
      const wEnd = w.start + w.known.length;
      while (i < reads.length && reads[i]!.start + reads[i]!.known.length <= w.start) i++;
      for (let j = i; j < reads.length && reads[j]!.start < wEnd; j++) {
        const r = reads[j]!;
        const from = Math.max(r.start, w.start);
        const to = Math.min(r.start + r.known.length, wEnd);
        if (to <= from) continue;
        compared += to - from;
        used.add(r).add(w);
        if (out.first === undefined) out.first = [r.call, w.call];
        if (diff) continue;
        for (let at = from; at < to; at++) {
          if (r.known[at - r.start] === w.known[at - w.start]) continue;
          // All the compared bytes when they are few; else from a few bytes before the difference,
          // so that the difference is in what is shown.
          const shownFrom = to - from <= SHOWN ? from : Math.max(from, at - LEAD);
          diff = {
            fd: s.fd,
            peer: s.peer,
            offset: at,
            from: shownFrom,
            read: preview(r.known.subarray(shownFrom - r.start, to - r.start), SHOWN),
            written: preview(w.known.subarray(shownFrom - w.start, to - w.start), SHOWN),
            readCall: r.call,
            writeCall: w.call,
          };
          break;
        }
      }
    }
    if (compared > 0) out.conns++;
    out.compared += compared;
    if (diff) out.diffs.push(diff);
  }
  for (const p of used) {
    if (p.known.length >= Math.min(p.moved, STRACE_STRING_BYTES)) continue;
    const sh = out.short ?? { calls: 0, min: p.known.length, max: p.known.length };
    out.short = {
      calls: sh.calls + 1,
      min: Math.min(sh.min, p.known.length),
      max: Math.max(sh.max, p.known.length),
    };
  }
  return out;
}
