/**
 * The languages socket-lab speaks, declared once. Every catalogue (events, screens, errors, doctor,
 * wire, report) has one function per language for each entry, so adding a language is adding a key
 * here and one function per entry, which the compiler then asks for everywhere.
 */
export type Lang = 'en' | 'ru';
export const LANGS: readonly Lang[] = ['en', 'ru'];
