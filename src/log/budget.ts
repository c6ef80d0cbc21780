/**
 * A per-second allowance of individual log lines. Past it, callers count instead of logging and
 * write one summary line with exact counts, so a fast peer cannot turn the log into the bottleneck
 * (or grow the log backlog without bound) and nothing goes uncounted.
 */
export class LineBudget {
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(private readonly perSecond: number) {}

  /** True when one more individual line may be written at time `now` (ms). */
  take(now: number): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used < this.perSecond) {
      this.used++;
      return true;
    }
    return false;
  }
}

/** How a {@link BudgetedLines} keeps the exact counts of what it did not log line by line. */
export interface TallyOptions<T> {
  /** Individual lines allowed per second (0: summaries only). */
  perSecond: number;
  /** A fresh, empty tally. */
  empty: () => T;
  /** Writes the summary line for `tally`, counted over the last `windowMs` ms. */
  summary: (tally: T, windowMs: number) => void;
  /** Summaries are written at most this often while events keep coming (default 1000 ms). */
  windowMs?: number;
}

/**
 * "Individual lines up to a budget, then an exact summary": the one shape every busy log path of
 * socket-lab uses (echo portions, connections, chat relays, drops, handshakes, the echo client).
 *
 * `allow(now)` says whether the caller may write its own line; when it may not, the caller adds
 * the event to `count(now)`'s tally. The tally is written as one summary line once it is a window
 * old (checked on every call, and by `flush`, which callers also run on a timer and when they
 * stop), so every event is either a line of its own or counted in exactly one summary.
 */
export class BudgetedLines<T> {
  private readonly budget: LineBudget;
  private tally: T;
  private counted = 0;
  private since = 0;
  private readonly windowMs: number;

  constructor(private readonly options: TallyOptions<T>) {
    this.budget = new LineBudget(options.perSecond);
    this.tally = options.empty();
    this.windowMs = options.windowMs ?? 1000;
  }

  /** True when the caller may write an individual line for one event at `now`. */
  allow(now: number): boolean {
    const ok = this.budget.take(now);
    if (ok && this.counted > 0 && now - this.since >= this.windowMs) this.flush(now);
    return ok;
  }

  /** The tally to add one event to (the caller was refused a line); a window-old tally is written first. */
  count(now: number): T {
    if (this.counted > 0 && now - this.since >= this.windowMs) this.flush(now);
    if (this.counted === 0) this.since = now;
    this.counted++;
    return this.tally;
  }

  /** Number of events counted (not logged individually) since the last summary. */
  pending(): number {
    return this.counted;
  }

  /** Writes the summary of everything counted so far, if anything was, and starts a new window. */
  flush(now: number): void {
    if (this.counted === 0) return;
    const tally = this.tally;
    const windowMs = now - this.since;
    this.tally = this.options.empty();
    this.counted = 0;
    this.since = now;
    this.options.summary(tally, windowMs);
  }
}
