import { type LogRecord, type ParsedSource, type Skipped, emptySkipped, tallySkip, weight } from './parse.js';

/** Server starts this close before the latest one belong to the same `docker compose up`. */
export const SAME_RUN_MS = 30_000;

/** What one source contributed, for the report's table of sources. */
export interface SourceSummary {
  source: string;
  lines: number;
  /** Lines used in the report (after the run filter), those the reader left out included. */
  used: number;
  hostnames: string[];
  scenarios: string[];
  pids: number[];
}

/** The sources merged into one sequence of events. */
export interface Timeline {
  /**
   * Every kept record, merged by time; each program's lines keep the order they were written in.
   * The middle of long data runs is not here but counted on its neighbours (`LogRecord.elided`).
   */
  records: LogRecord[];
  /** Lines used in the report: exact, whatever the reader left out of `records`. */
  used: number;
  /** Where the latest run starts (its first `server.starting`), unless every run is used. */
  runStart: number | undefined;
  skipped: Skipped;
  sources: SourceSummary[];
}

/**
 * Where the latest run starts: the latest `server.starting`, moved back to any other server's
 * latest start within SAME_RUN_MS of it (several servers start together in one `up`).
 */
export function latestRunStart(records: readonly LogRecord[]): number | undefined {
  const latestBySource = new Map<string, number>();
  for (const r of records) {
    if (r.event !== 'server.starting') continue;
    const key = `${r.source}\u0000${r.hostname ?? ''}`;
    latestBySource.set(key, Math.max(latestBySource.get(key) ?? -Infinity, r.time));
  }
  if (latestBySource.size === 0) return undefined;
  const latest = Math.max(...latestBySource.values());
  let start = latest;
  for (const t of latestBySource.values()) if (latest - t <= SAME_RUN_MS) start = Math.min(start, t);
  return start;
}

/**
 * Merges the sources into one timeline ordered by time. Lines of one program (source and pid)
 * never change their relative order, even when its clock stepped back: they are merged as
 * streams, not sorted. Equal times keep the order of the sources.
 */
export function mergeSources(parsed: readonly ParsedSource[], options: { allRuns?: boolean } = {}): Timeline {
  const skipped = emptySkipped();
  for (const p of parsed) {
    for (const [cause, t] of Object.entries(p.skipped) as Array<[keyof Skipped, Skipped[keyof Skipped]]>) {
      skipped[cause].count += t.count;
      skipped[cause].examples.push(...t.examples.slice(0, 3 - skipped[cause].examples.length));
    }
  }
  const all = parsed.flatMap((p) => p.records);
  const runStart = options.allRuns ? undefined : latestRunStart(all);

  const streams = new Map<string, LogRecord[]>();
  for (const r of all) {
    // The lab's router starts (and logs its rules) just before the server of the same run: its
    // lines that close before the start belong to this run, not to an earlier one.
    const routerOfRun =
      runStart !== undefined && r.event.startsWith('router.') && runStart - r.time <= SAME_RUN_MS;
    if (runStart !== undefined && r.time < runStart && !routerOfRun) {
      tallySkip(skipped, 'earlier-run', r.source, r.line, weight(r));
      continue;
    }
    const key = `${r.source}\u0000${r.pid ?? ''}`;
    let s = streams.get(key);
    if (!s) streams.set(key, (s = []));
    s.push(r);
  }
  const records = mergeStreams([...streams.values()]);

  const sources = parsed.map((p): SourceSummary => {
    const mine = records.filter((r) => r.source === p.source);
    const uniq = <T>(xs: Array<T | undefined>) => [...new Set(xs.filter((x): x is T => x !== undefined))];
    return {
      source: p.source,
      lines: p.lines,
      used: mine.reduce((n, r) => n + weight(r), 0),
      hostnames: uniq(mine.map((r) => r.hostname)),
      scenarios: uniq(mine.map((r) => r.scenario)),
      pids: uniq(mine.map((r) => r.pid)),
    };
  });
  const used = sources.reduce((n, s) => n + s.used, 0);
  return { records, used, runStart, skipped, sources };
}

/**
 * K-way merge by time of streams that are each already in their own order. `after` says which
 * records are effects of records in other streams (an echo read after the server's write of those
 * bytes, a relayed datagram after its send): an effect is never placed before its causes, whatever
 * the clocks of two containers say, because those clocks differ by milliseconds. Links that would
 * contradict a stream's own order (a cycle) cannot hold; the oldest head then goes first anyway.
 */
export function mergeStreams<T extends { time: number }>(
  streams: readonly (readonly T[])[],
  after?: ReadonlyMap<T, readonly T[]>,
): T[] {
  const heads = streams.map(() => 0);
  const out: T[] = [];
  const placed = new Set<T>();
  const ready = (r: T) => !after || (after.get(r) ?? []).every((c) => placed.has(c));
  const total = streams.reduce((n, s) => n + s.length, 0);
  while (out.length < total) {
    let best = -1;
    let bestTime = Infinity;
    let fallback = -1;
    let fallbackTime = Infinity;
    for (let i = 0; i < streams.length; i++) {
      const r = streams[i]?.[heads[i] ?? 0];
      if (r === undefined) continue;
      if (r.time < fallbackTime) {
        fallback = i;
        fallbackTime = r.time;
      }
      if (r.time < bestTime && ready(r)) {
        best = i;
        bestTime = r.time;
      }
    }
    if (best < 0) best = fallback;
    const s = streams[best];
    const r = s?.[heads[best] ?? 0];
    if (r === undefined) break;
    out.push(r);
    if (after) placed.add(r);
    heads[best] = (heads[best] ?? 0) + 1;
  }
  return out;
}

/**
 * The timeline merged again with causal links (see mergeStreams): each program's lines keep their
 * order, and no effect comes before its cause.
 */
export function reorderCausally(
  timeline: Timeline,
  after: ReadonlyMap<LogRecord, readonly LogRecord[]>,
): Timeline {
  if (after.size === 0) return timeline;
  const streams = new Map<string, LogRecord[]>();
  for (const r of timeline.records) {
    const key = `${r.source}\u0000${r.pid ?? ''}`;
    let s = streams.get(key);
    if (!s) streams.set(key, (s = []));
    s.push(r);
  }
  return { ...timeline, records: mergeStreams([...streams.values()], after) };
}
