/** The shape of one catalogue event (src/log/events.ts, src/log/own-events.ts), apart so both can use it. */

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface EventSpec<F> {
  level: Level;
  /** Fields as they appear in an example line; the docs and tests render the explanation with it. */
  example: F;
  en: (f: F) => string;
  ru: (f: F) => string;
}

export function spec<F>(level: Level, example: F, en: (f: F) => string, ru: (f: F) => string): EventSpec<F> {
  return { level, example, en, ru };
}
