import { RUN_LIMITS, runLimitError } from './sources.js';
import { type LogRecord, type ParsedSource, type Skipped, emptySkipped, tallySkip, weight } from './parse.js';

/** The chat lines RUN_LIMITS.maxChatLines counts. */
const CHAT_LINES = new Set<string>(['chat.message.sent', 'chat.message.received', 'udp.message.relayed']);

/** The lines of the student's own programs RUN_LIMITS.maxOwnLines counts. */
export const OWN_LINES = new Set<string>(['own.call', 'own.output']);

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
    // A student's own server starts a run too: it takes our echo server's place in the lab.
    const ownServer = r.event === 'own.program.started' && String(r.fields.role).endsWith('-server');
    if (r.event !== 'server.starting' && !ownServer) continue;
    const key = `${r.source}\u0000${r.hostname ?? ''}`;
    latestBySource.set(key, Math.max(latestBySource.get(key) ?? -Infinity, r.time));
  }
  if (latestBySource.size === 0) return undefined;
  let latest = -Infinity;
  for (const t of latestBySource.values()) latest = Math.max(latest, t);
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
  if (streams.size > RUN_LIMITS.maxPrograms)
    throw runLimitError('maxPrograms', streams.size, RUN_LIMITS.maxPrograms);
  let chatLines = 0;
  let ownLines = 0;
  for (const s of streams.values())
    for (const r of s) {
      if (CHAT_LINES.has(r.event)) chatLines++;
      else if (OWN_LINES.has(r.event)) ownLines++;
    }
  if (chatLines > RUN_LIMITS.maxChatLines)
    throw runLimitError('maxChatLines', chatLines, RUN_LIMITS.maxChatLines);
  // Each log is bounded while it is read (parseSource); here the run's logs together.
  if (ownLines > RUN_LIMITS.maxOwnLines) throw runLimitError('maxOwnLines', ownLines, RUN_LIMITS.maxOwnLines);
  const records = mergeStreams([...streams.values()]);

  const bySource = new Map<string, LogRecord[]>();
  for (const r of records) {
    const list = bySource.get(r.source);
    if (list) list.push(r);
    else bySource.set(r.source, [r]);
  }
  const sources = parsed.map((p): SourceSummary => {
    const mine = bySource.get(p.source) ?? [];
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
  // The streams' heads in a binary heap by (time, stream index): each record costs log(streams),
  // not a scan of every stream (a log with 64k pids has 64k streams).
  const heap = new StreamHeap((i) => (streams[i] as readonly T[])[heads[i] as number]?.time ?? Infinity);
  for (let i = 0; i < streams.length; i++) if ((streams[i] as readonly T[]).length > 0) heap.push(i);
  const waiting: number[] = [];
  while (heap.size > 0) {
    // The oldest head that is ready; heads waiting for a cause in another stream are set aside.
    let best = -1;
    while (heap.size > 0) {
      const i = heap.pop();
      if (ready((streams[i] as readonly T[])[heads[i] as number] as T)) {
        best = i;
        break;
      }
      waiting.push(i);
    }
    // None ready (links that contradict a stream's own order): the oldest head goes first anyway.
    if (best < 0) {
      let k = 0;
      for (let j = 1; j < waiting.length; j++)
        if (heap.before(waiting[j] as number, waiting[k] as number)) k = j;
      best = waiting.splice(k, 1)[0] as number;
    }
    for (const i of waiting) heap.push(i);
    waiting.length = 0;
    const r = (streams[best] as readonly T[])[heads[best] as number] as T;
    out.push(r);
    if (after) placed.add(r);
    heads[best] = (heads[best] as number) + 1;
    if ((heads[best] as number) < (streams[best] as readonly T[]).length) heap.push(best);
  }
  return out;
}

/** A min-heap of stream indexes, ordered by their head's time, then by index (stable merge). */
class StreamHeap {
  private readonly items: number[] = [];
  constructor(private readonly timeOf: (i: number) => number) {}

  get size(): number {
    return this.items.length;
  }

  before(a: number, b: number): boolean {
    const ta = this.timeOf(a);
    const tb = this.timeOf(b);
    return ta < tb || (ta === tb && a < b);
  }

  push(i: number): void {
    const h = this.items;
    h.push(i);
    let k = h.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.before(h[k] as number, h[parent] as number)) break;
      [h[k], h[parent]] = [h[parent] as number, h[k] as number];
      k = parent;
    }
  }

  pop(): number {
    const h = this.items;
    const top = h[0] as number;
    const last = h.pop() as number;
    if (h.length > 0) {
      h[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < h.length && this.before(h[l] as number, h[m] as number)) m = l;
        if (r < h.length && this.before(h[r] as number, h[m] as number)) m = r;
        if (m === k) break;
        [h[k], h[m]] = [h[m] as number, h[k] as number];
        k = m;
      }
    }
    return top;
  }
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
