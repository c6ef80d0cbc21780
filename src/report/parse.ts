import {
  EVENT_NAMES,
  type EventName,
  FIELDS_SINCE,
  LOG_SCHEMA,
  OLDEST_SCHEMA,
  catalogue,
} from '../log/events.js';

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
  /** The explanation as logged (in the language of the program that wrote it). */
  msg: string | undefined;
}

/** Why a line was left out of the report. */
export type SkipCause =
  'not-json' | 'foreign' | 'unknown-event' | 'old-schema' | 'new-schema' | 'bad-fields' | 'earlier-run';

export const SKIP_CAUSES: readonly SkipCause[] = [
  'not-json',
  'foreign',
  'unknown-event',
  'old-schema',
  'new-schema',
  'bad-fields',
  'earlier-run',
];

export interface SkipTally {
  count: number;
  /** The first few skipped lines of this cause, as `source:line`. */
  examples: Array<{ source: string; line: number }>;
}

export type Skipped = Record<SkipCause, SkipTally>;

const EXAMPLES_KEPT = 3;

export function emptySkipped(): Skipped {
  return Object.fromEntries(SKIP_CAUSES.map((c) => [c, { count: 0, examples: [] }])) as unknown as Skipped;
}

export function tallySkip(skipped: Skipped, cause: SkipCause, source: string, line: number): void {
  const t = skipped[cause];
  t.count++;
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

export type LineVerdict =
  { ok: true; record: LogRecord } | { ok: false; cause: Exclude<SkipCause, 'earlier-run'> };

/**
 * Classifies one line. Never throws: whatever a line holds (a truncated write, another program's
 * log, a newer socket-lab), the answer is a record or the reason it was skipped.
 */
export function parseLine(text: string, source: string, line: number): LineVerdict {
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
  const time = typeof o.time === 'string' ? Date.parse(o.time) : typeof o.time === 'number' ? o.time : NaN;
  if (!Number.isFinite(time)) return { ok: false, cause: 'bad-fields' };
  const event = o.event as EventName;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!ENVELOPE.has(k)) fields[k] = v;
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
      msg: typeof o.msg === 'string' ? o.msg : undefined,
    },
  };
}

/** Every field the catalogue's example has (and the line's schema knew) is there, with the same JSON type. */
function fieldsMatch(event: EventName, fields: Record<string, unknown>, schema: number): boolean {
  const example = catalogue[event].example as Record<string, unknown>;
  for (const [k, v] of Object.entries(example)) {
    const got = fields[k];
    if ((got === undefined || got === null) && (FIELDS_SINCE[k] ?? 0) > schema) continue;
    if (got === undefined || got === null) return false;
    if (typeof got !== typeof v || Array.isArray(got) !== Array.isArray(v)) return false;
    if (typeof got === 'number' && !Number.isFinite(got)) return false;
  }
  return true;
}

export interface ParsedSource {
  source: string;
  /** Lines read, blank ones included. */
  lines: number;
  records: LogRecord[];
  skipped: Skipped;
}

/** Reads one source line by line (blank lines are ignored, not counted as skipped). */
export async function parseSource(
  source: string,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<ParsedSource> {
  const records: LogRecord[] = [];
  const skipped = emptySkipped();
  let n = 0;
  for await (const raw of lines) {
    n++;
    // A BOM or a CR (a file edited on Windows) is not part of the JSON.
    const text = (n === 1 ? raw.replace(/^\uFEFF/, '') : raw).replace(/\r$/, '');
    if (text.trim() === '') continue;
    const verdict = parseLine(text, source, n);
    if (verdict.ok) records.push(verdict.record);
    else tallySkip(skipped, verdict.cause, source, n);
  }
  return { source, lines: n, records, skipped };
}
