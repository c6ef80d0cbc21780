import {
  EVENT_NAMES,
  type EventName,
  FIELDS_SINCE,
  LOG_SCHEMA,
  OPTIONAL_FIELDS,
  OLDEST_SCHEMA,
  catalogue,
} from '../log/events.js';
import { READ_LIMITS, RUN_LIMITS, readLimitError, runLimitError } from './limits.js';

/** One accepted log line: an event of the catalogue, of this schema, from one source. */
export interface LogRecord {
  /** Where the line came from: a file name without its extension, or `stdin`. */
  source: string;
  /** 1-based line number in that source: the evidence a reader can look up. */
  line: number;
  /** Milliseconds since the epoch, from the line's ISO `time`. */
  time: number;
  event: EventName;
  /** Everything but the envelope (level, time, schema, pid, hostname, scenario, component, event, msg). */
  fields: Record<string, unknown>;
  scenario: string | undefined;
  component: string | undefined;
  pid: number | undefined;
  hostname: string | undefined;
  /** The log schema the line was written with (the report names them: docs/examples are checked). */
  schema?: number;
  /** The explanation as logged (in the language of the program that wrote it). */
  msg: string | undefined;
  /**
   * Lines of the same data event and conversation that the reader left out just before this one
   * (see RETAIN_HEAD), and the bytes they counted: the totals stay exact while memory stays bounded.
   */
  elided?: number;
  elidedBytes?: number;
}

/** The lines a record stands for: itself and those left out just before it. */
export function weight(r: LogRecord): number {
  return 1 + (r.elided ?? 0);
}

/** Why a line was left out of the report. */
export type SkipCause =
  'not-json' | 'foreign' | 'unknown-event' | 'old-schema' | 'new-schema' | 'bad-fields' | 'earlier-run';

/** Every cause, in the order the report lists them. */
export const SKIP_CAUSES: readonly SkipCause[] = [
  'not-json',
  'foreign',
  'unknown-event',
  'old-schema',
  'new-schema',
  'bad-fields',
  'earlier-run',
];

/** How many lines one cause left out, and where to find a few of them. */
export interface SkipTally {
  count: number;
  /** The first few skipped lines of this cause, as `source:line`. */
  examples: Array<{ source: string; line: number }>;
}

/** The tally of every cause. */
export type Skipped = Record<SkipCause, SkipTally>;

const EXAMPLES_KEPT = 3;

/** A tally with every cause at zero. */
export function emptySkipped(): Skipped {
  return Object.fromEntries(SKIP_CAUSES.map((c) => [c, { count: 0, examples: [] }])) as unknown as Skipped;
}

/** Counts `count` skipped lines of `cause`; the first few are kept as examples. */
export function tallySkip(skipped: Skipped, cause: SkipCause, source: string, line: number, count = 1): void {
  const t = skipped[cause];
  t.count += count;
  if (t.examples.length < EXAMPLES_KEPT) t.examples.push({ source, line });
}

const ENVELOPE = new Set([
  'level',
  'time',
  'schema',
  'pid',
  'hostname',
  'scenario',
  'component',
  'event',
  'msg',
]);
const KNOWN = new Set<string>(EVENT_NAMES);

/** What one line is: a record, or why it was skipped. */
export type LineVerdict =
  { ok: true; record: LogRecord } | { ok: false; cause: Exclude<SkipCause, 'earlier-run'> };

/**
 * Classifies one line. Never throws: whatever a line holds (a truncated write, another program's
 * log, a newer socket-lab), the answer is a record or the reason it was skipped.
 */
export function parseLine(text: string, source: string, line: number): LineVerdict {
  // A JSON object starts with `{` (after blanks): anything else is refused before JSON.parse, whose
  // exception costs microseconds a line (millions of `x` lines took minutes).
  const first = text.charCodeAt(0);
  if (first !== 123 && first > 32) return { ok: false, cause: 'not-json' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, cause: 'not-json' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, cause: 'not-json' };
  const o = value as Record<string, unknown>;
  if (typeof o.event !== 'string' || o.schema === undefined) return { ok: false, cause: 'foreign' };
  if (typeof o.schema !== 'number') return { ok: false, cause: 'foreign' };
  if (o.schema < OLDEST_SCHEMA) return { ok: false, cause: 'old-schema' };
  if (o.schema > LOG_SCHEMA) return { ok: false, cause: 'new-schema' };
  if (!KNOWN.has(o.event)) return { ok: false, cause: 'unknown-event' };
  const time = typeof o.time === 'string' ? isoTime(o.time) : typeof o.time === 'number' ? o.time : NaN;
  // A time no Date can hold (beyond +-8.64e15 ms) cannot be placed on the timeline or printed.
  if (!Number.isFinite(time) || Math.abs(time) > MAX_TIME) return { ok: false, cause: 'bad-fields' };
  const event = o.event as EventName;
  const fields: Record<string, unknown> = {};
  for (const k in o) {
    if (ENVELOPE.has(k)) continue;
    const v = o[k];
    // The catalogue's fields are at most two levels deep; a deeper one would overflow the stack
    // of whatever walks it later (JSON.stringify in the evidence).
    if (typeof v === 'object' && v !== null && tooDeep(v)) return { ok: false, cause: 'bad-fields' };
    fields[k] = v;
  }
  if (!fieldsMatch(event, fields, o.schema)) return { ok: false, cause: 'bad-fields' };
  return {
    ok: true,
    record: {
      source,
      line,
      time,
      event,
      fields,
      scenario: typeof o.scenario === 'string' ? o.scenario : undefined,
      component: typeof o.component === 'string' ? o.component : undefined,
      pid: typeof o.pid === 'number' ? o.pid : undefined,
      hostname: typeof o.hostname === 'string' ? o.hostname : undefined,
      schema: o.schema,
      msg: typeof o.msg === 'string' ? o.msg : undefined,
    },
  };
}

/** The largest time a Date holds, in milliseconds either side of the epoch. */
const MAX_TIME = 8.64e15;
/** How deep a field's value may nest (objects and arrays). */
export const MAX_FIELD_DEPTH = 8;

/** True when `value` nests deeper than MAX_FIELD_DEPTH; walks without recursion, stops at the bound. */
function tooDeep(value: object): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_FIELD_DEPTH) return true;
    for (const k in v) stack.push([(v as Record<string, unknown>)[k], depth + 1]);
  }
  return false;
}

let cachedSecond = '';
let cachedSecondMs = NaN;

/**
 * Date.parse, faster for pino's `2026-11-29T19:28:34.526Z`: lines of one second share their first
 * 19 characters, so only the milliseconds are new. Anything else goes to Date.parse.
 */
function isoTime(text: string): number {
  if (text.length !== 24 || text.charCodeAt(19) !== 46 || text.charCodeAt(23) !== 90) return Date.parse(text);
  const second = text.slice(0, 19);
  if (second !== cachedSecond) {
    cachedSecondMs = Date.parse(`${second}Z`);
    cachedSecond = second;
  }
  const ms = Number(text.slice(20, 23));
  return Number.isInteger(ms) && ms >= 0 ? cachedSecondMs + ms : Date.parse(text);
}

/** Every field the catalogue's example has (and the line's schema knew) is there, with the same JSON type. */
function fieldsMatch(event: EventName, fields: Record<string, unknown>, schema: number): boolean {
  const example = catalogue[event].example as Record<string, unknown>;
  for (const [k, v] of Object.entries(example)) {
    const got = fields[k];
    if ((got === undefined || got === null) && (FIELDS_SINCE[k] ?? 0) > schema) continue;
    if (got === undefined && OPTIONAL_FIELDS[event]?.includes(k)) continue;
    if (got === undefined || got === null) return false;
    if (typeof got !== typeof v || Array.isArray(got) !== Array.isArray(v)) return false;
    if (typeof got === 'number' && !Number.isFinite(got)) return false;
  }
  return true;
}

/** One source, read: its retained records in line order, and exact counts of everything. */
export interface ParsedSource {
  source: string;
  /** Lines read, blank ones included. */
  lines: number;
  /** The records kept: all but the middle of long data runs, which their neighbours count (`elided`). */
  records: LogRecord[];
  skipped: Skipped;
}

/**
 * Lines to read: one string per line, or batches of lines (what linesOf yields: a batch per chunk
 * read, much cheaper for big logs than a promise per line). Without their line ends.
 */
export type LineSource = AsyncIterable<string | readonly string[]> | Iterable<string>;

/** One source of log lines: a container's file, or standard input. */
export interface ReportInput {
  /** The name the report shows (a file name without its extension, or `stdin`). */
  name: string;
  /** Its lines, one by one or in batches (see LineSource). */
  lines: LineSource;
}

/** Per-portion events: the bulk of a busy log, and what the report folds into counts. */
export const DATA_EVENTS: ReadonlySet<EventName> = new Set<EventName>([
  'client.data.sent',
  'client.data.received',
  'tcp.data.received',
  'tcp.data.sent',
]);

/**
 * Of each data event in each conversation (a server connection, a client session), the reader keeps
 * the first RETAIN_HEAD and the last RETAIN_TAIL lines; those in between are counted on the next kept
 * one. The report shows no more (its timelines and diagrams fold long runs), so memory depends on
 * the number of conversations, not on the size of the log.
 */
export const RETAIN_HEAD = 50;
/** See RETAIN_HEAD. */
export const RETAIN_TAIL = 50;

/** Lines of one conversation that are not data but do not end its run of data either. */
const RUN_CONTINUES = new Set<EventName>(['tcp.data.summary', 'tcp.backpressure']);

/** The conversation a record belongs to within its process: a server connection or a client's session. */
function conversation(r: LogRecord): string | undefined {
  if (r.event.startsWith('tcp.')) {
    const id = r.fields.connId;
    return typeof id === 'number' ? `t${id}` : undefined;
  }
  if (r.event.startsWith('client.')) return `c${r.scenario ?? ''}`;
  return undefined;
}

/** The kept lines of one data event of one conversation: a head, a sliding tail, a count between. */
class DataWindow {
  private kept = 0;
  private tail: LogRecord[] = [];

  /** Takes `r`; returns it when it belongs to the head (goes straight into the output). */
  add(r: LogRecord): LogRecord | undefined {
    if (this.kept < RETAIN_HEAD) {
      this.kept++;
      return r;
    }
    this.tail.push(r);
    if (this.tail.length > RETAIN_TAIL) {
      const out = this.tail.shift() as LogRecord;
      const next = this.tail[0] as LogRecord;
      next.elided = (next.elided ?? 0) + weight(out);
      next.elidedBytes = (next.elidedBytes ?? 0) + (out.elidedBytes ?? 0) + bytesOf(out);
    }
    return undefined;
  }

  /** The tail, handed over once the conversation's run of data has ended. */
  take(): LogRecord[] {
    const t = this.tail;
    this.tail = [];
    this.kept = 0;
    return t;
  }
}

function bytesOf(r: LogRecord): number {
  const b = r.fields.bytes;
  return typeof b === 'number' ? b : 0;
}

/**
 * Reads one source line by line (blank lines are ignored, not counted as skipped) and keeps what
 * the report can show; memory does not grow with the length of the source (see RETAIN_HEAD).
 */
export async function parseSource(source: string, lines: LineSource): Promise<ParsedSource> {
  const records: LogRecord[] = [];
  const skipped = emptySkipped();
  // pid + conversation -> event -> window
  const windows = new Map<string, Map<EventName, DataWindow>>();
  let outOfOrder = false;
  const flush = (key: string) => {
    const byEvent = windows.get(key);
    if (!byEvent) return;
    windows.delete(key);
    for (const w of byEvent.values()) {
      const tail = w.take();
      if (tail.length > 0) outOfOrder = true;
      for (const r of tail) records.push(r);
    }
  };
  let n = 0;
  // Blank and skipped lines: bounded (READ_LIMITS.maxForeignLines), one reason past it.
  let foreign = 0;
  let ownLines = 0;
  const foreignError = () => readLimitError('foreign', source, n, READ_LIMITS.maxForeignLines);
  const take = (raw: string) => {
    n++;
    // A BOM or a CR (a file edited on Windows) is not part of the JSON.
    let text = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    // JSON lines start with `{`: trim only what might be blank.
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) {
      if (++foreign > READ_LIMITS.maxForeignLines) throw foreignError();
      return;
    }
    const verdict = parseLine(text, source, n);
    if (!verdict.ok) {
      tallySkip(skipped, verdict.cause, source, n);
      if (++foreign > READ_LIMITS.maxForeignLines) throw foreignError();
      return;
    }
    const r = verdict.record;
    // Bounded while read, not after: 420,000 own.call lines held 426 MB before a later count.
    if ((r.event === 'own.call' || r.event === 'own.output') && ++ownLines > RUN_LIMITS.maxOwnLines) {
      throw runLimitError('maxOwnLines', ownLines, RUN_LIMITS.maxOwnLines);
    }
    const conv = conversation(r);
    if (conv === undefined) {
      records.push(r);
      return;
    }
    const key = `${r.pid ?? ''}\u0000${conv}`;
    if (DATA_EVENTS.has(r.event)) {
      let byEvent = windows.get(key);
      if (!byEvent) windows.set(key, (byEvent = new Map()));
      let w = byEvent.get(r.event);
      if (!w) byEvent.set(r.event, (w = new DataWindow()));
      const head = w.add(r);
      if (head) records.push(head);
      return;
    }
    if (!RUN_CONTINUES.has(r.event)) flush(key);
    records.push(r);
  };
  for await (const item of lines) {
    if (typeof item === 'string') take(item);
    else for (const line of item) take(line);
  }
  for (const key of [...windows.keys()]) flush(key);
  // Tails come out when their run ends: put them back where they were written.
  if (outOfOrder) records.sort((a, b) => a.line - b.line);
  markServing(records);
  return { source, lines: n, records, skipped };
}

/**
 * Which parts of our server ran, on its server.starting and server.stopping lines, when a log was
 * written before they said so (the first runs with a student's own server): derived from the same
 * program's server.replaced lines, so the report does not describe sockets that were never opened.
 */
function markServing(records: readonly LogRecord[]): void {
  const replaced = new Map<number | undefined, Set<unknown>>();
  for (const r of records)
    if (r.event === 'server.replaced') {
      const set = replaced.get(r.pid) ?? new Set();
      set.add(r.fields.protocol);
      replaced.set(r.pid, set);
    }
  if (replaced.size === 0) return;
  for (const r of records) {
    const set = replaced.get(r.pid);
    if (!set || (r.event !== 'server.starting' && r.event !== 'server.stopping')) continue;
    if (r.fields.serving !== undefined) continue;
    r.fields.serving = set.has('tcp') ? (set.has('udp') ? 'none' : 'udp') : 'tcp';
  }
}
