import { type EchoSession, numField as num, strField as str } from './aggregate.js';
import type { LogRecord } from './parse.js';

/** One line an echo client sent, put back together from its writes and the server's portions. */
export interface SentLine {
  /** Where the line starts in the connection's byte stream (bytes before it). */
  offset: number;
  bytes: number;
  /** The client's writes of this line, each at most chunk-size bytes. */
  writes: LogRecord[];
  /** The server's portions that hold bytes of this line (slices of its reads). */
  portions: LogRecord[];
  /** The client's reads that brought bytes of this line's echo back. */
  reads: LogRecord[];
  /** The start of the text (escaped, at most 64 bytes and `…` when longer), when a log line shows it. */
  text: string | undefined;
  /** The last write was exactly chunk-size bytes: the line may go on in the next write. */
  open: boolean;
}

/**
 * The lines one echo session sent. The client writes a line in pieces of at most `chunk` bytes, so a
 * write shorter than `chunk` ends a line. Undefined when lines the reader left out (or a summary)
 * make the byte offsets unknown: then the report does not guess.
 */
export function sentLines(s: EchoSession, chunk: number): SentLine[] | undefined {
  const writes = s.records.filter((r) => r.event === 'client.data.sent');
  const portions = (s.server?.records ?? []).filter((r) => r.event === 'tcp.data.received');
  const reads = s.records.filter((r) => r.event === 'client.data.received');
  const all = [...writes, ...portions, ...reads, ...(s.server?.records ?? [])];
  if (all.some((r) => r.elided || r.event === 'tcp.data.summary' || r.event === 'client.data.summary'))
    return undefined;
  const lines: SentLine[] = [];
  let offset = 0;
  let cur: SentLine | undefined;
  for (const w of writes) {
    const bytes = num(w, 'bytes') ?? 0;
    cur ??= { offset, bytes: 0, writes: [], portions: [], reads: [], text: undefined, open: false };
    cur.writes.push(w);
    cur.bytes += bytes;
    offset += bytes;
    if (bytes < chunk) {
      lines.push(cur);
      cur = undefined;
    }
  }
  if (cur) lines.push({ ...cur, open: true });
  const within = (recs: LogRecord[], line: SentLine, start = 0) => {
    const out: Array<{ r: LogRecord; at: number }> = [];
    let at = start;
    for (const r of recs) {
      const b = num(r, 'bytes') ?? 0;
      if (at < line.offset + line.bytes && at + b > line.offset) out.push({ r, at });
      at += b;
    }
    return out;
  };
  for (const line of lines) {
    const p = within(portions, line);
    line.portions = p.map((x) => x.r);
    const rd = within(reads, line);
    line.reads = rd.map((x) => x.r);
    // A preview shows a line's text only when its log line starts where the line starts.
    const starts = [...p, ...rd].find((x) => x.at === line.offset);
    line.text = str(starts?.r, 'preview');
  }
  return lines;
}

/** The text of a line for a table: its escaped start, and the byte count when the log shows only part of it. */
export function lineText(line: SentLine): { text: string; cut: boolean } | undefined {
  if (line.text === undefined) return undefined;
  // A portion may hold this line and the next ones: the line ends at its first newline.
  const end = line.text.indexOf('\\n');
  if (end >= 0) return { text: line.text.slice(0, end), cut: false };
  // Logs of older versions cut previews inside a letter (U+FFFD before the `…`): drop that half.
  return { text: line.text.replace(/\uFFFD*…$/, ''), cut: line.text.endsWith('…') };
}
