/**
 * The one shape of a user-facing sentence, as the event catalogue (log/events.ts) has it: a code maps
 * to one function of its parameters per language. An area (doctor, wire, health, errors, ...) keeps
 * its own catalogue of such entries beside its code; tests render every entry of every catalogue
 * in every language from its `example` (test/texts-catalogue.test.ts).
 */
import type { Lang } from './lang.js';

/** One sentence in every language, with an example of its parameters (docs and tests render it). */
export type Sentence<P> = { readonly example: P } & { readonly [L in Lang]: (p: P) => string };

/** Makes a Sentence; the parameters' type comes from `example`, so `en` and `ru` need no annotation. */
export function sentence<P>(example: P, en: (p: P) => string, ru: (p: P) => string): Sentence<P> {
  return { example, en, ru };
}

/** A catalogue: codes to sentences (what tests walk). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry keeps its own parameter type
export type Catalogue = Readonly<Record<string, Sentence<any>>>;

/** The parameters a catalogue entry takes. */
export type ParamsOf<S> = S extends Sentence<infer P> ? P : never;

/** Renders entry `code` of `cat` in `lang`: say(DOCTOR, 'settings-ok', {}, 'ru'). */
export function say<C extends Catalogue, K extends keyof C & string>(
  cat: C,
  code: K,
  params: ParamsOf<C[K]>,
  lang: Lang,
): string {
  return cat[code]![lang](params);
}
