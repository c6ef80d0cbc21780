import { labError } from './errors.js';

/** Drops keys whose value is undefined, so that spreading options over defaults keeps the defaults. */
export function withoutUndefined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as never;
}

/**
 * The longest delay a Node.js timer holds: 2^31-1 ms, about 24.8 days. A longer one is silently
 * replaced by 1 ms (a "25-day" lifetime would close every connection at once), so every duration
 * option is checked against it, in the factories and at the command line.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The longest duration option, in whole seconds, that a timer holds. */
export const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/** Throws LAB_ERR_BAD_OPTION naming the option unless `value` is an integer in [min, max]. */
export function checkInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw labError('option-range', { name, min, max, value });
  }
}

/** Throws LAB_ERR_BAD_OPTION unless `ms` is a whole number of milliseconds a timer can hold (0: off). */
export function checkDuration(name: string, ms: number, min = 0): void {
  checkInteger(name, ms, min, MAX_TIMER_MS);
}
