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
