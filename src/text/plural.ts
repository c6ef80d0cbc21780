/**
 * Numbers with the noun form they take: "1 byte", "23 байта", "5 сообщений". The one place that
 * knows the plural rules; event explanations, client screens and the report all call it.
 */

import type { Lang } from './lang.js';

/**
 * The forms of a noun. Russian needs one (1, 21, 101), few (2–4, 22–24), many (0, 5–20, 25–30, ...);
 * `other` is the form for fractions (Intl's "other" category) and English's plural.
 */
export interface NounForms {
  one: string;
  few?: string;
  many?: string;
  other: string;
  /**
   * Russian genitive after «до», «не больше», «из»: singular for numbers ending in 1 (not 11) and
   * fractions («до 21 байта»), plural for every other («до 1024 байт»). Absent: the nominative forms.
   */
  genOne?: string;
  genMany?: string;
}

/** The nouns the lab counts, in each language. */
export const NOUNS = {
  byte: {
    en: { one: 'byte', other: 'bytes' },
    ru: { one: 'байт', few: 'байта', many: 'байт', other: 'байта', genOne: 'байта', genMany: 'байт' },
  },
  message: {
    en: { one: 'message', other: 'messages' },
    ru: { one: 'сообщение', few: 'сообщения', many: 'сообщений', other: 'сообщения' },
  },
  datagram: {
    en: { one: 'datagram', other: 'datagrams' },
    ru: {
      one: 'дейтаграмма',
      few: 'дейтаграммы',
      many: 'дейтаграмм',
      other: 'дейтаграммы',
      genOne: 'дейтаграммы',
      genMany: 'дейтаграмм',
    },
  },
  portion: {
    en: { one: 'portion', other: 'portions' },
    ru: { one: 'порция', few: 'порции', many: 'порций', other: 'порции' },
  },
  member: {
    en: { one: 'member', other: 'members' },
    ru: { one: 'участник', few: 'участника', many: 'участников', other: 'участника' },
  },
  connection: {
    en: { one: 'connection', other: 'connections' },
    ru: {
      one: 'соединение',
      few: 'соединения',
      many: 'соединений',
      other: 'соединения',
      genOne: 'соединения',
      genMany: 'соединений',
    },
  },
  line: {
    en: { one: 'line', other: 'lines' },
    ru: { one: 'строка', few: 'строки', many: 'строк', other: 'строки', genOne: 'строки', genMany: 'строк' },
  },
  cookie: {
    en: { one: 'cookie', other: 'cookies' },
    // «cookie» does not decline in Russian technical prose.
    ru: { one: 'cookie', other: 'cookie' },
  },
  source: {
    en: { one: 'source', other: 'sources' },
    ru: { one: 'источник', few: 'источника', many: 'источников', other: 'источника' },
  },
  try: {
    en: { one: 'try', other: 'tries' },
    ru: { one: 'попытка', few: 'попытки', many: 'попыток', other: 'попытки' },
  },
  second: {
    en: { one: 'second', other: 'seconds' },
    ru: { one: 'секунда', few: 'секунды', many: 'секунд', other: 'секунды' },
  },
  step: {
    en: { one: 'step', other: 'steps' },
    ru: { one: 'шаг', few: 'шага', many: 'шагов', other: 'шага' },
  },
} satisfies Record<string, Record<Lang, NounForms>>;

export type Noun = keyof typeof NOUNS;

const rules: Record<Lang, Intl.PluralRules> = {
  en: new Intl.PluralRules('en'),
  ru: new Intl.PluralRules('ru'),
};

/** The form of `forms` that goes with `n` in `lang` (without the number). */
export function pluralForm(lang: Lang, n: number, forms: NounForms): string {
  switch (rules[lang].select(n)) {
    case 'one':
      return forms.one;
    case 'few':
      return forms.few ?? forms.other;
    case 'many':
      return forms.many ?? forms.other;
    default:
      return forms.other;
  }
}

/**
 * A number as a Russian text prints it: from five digits on, thousands are set apart by a thin
 * no-break space (U+202F: «15 086», never broken across lines), and the decimal mark is a comma.
 * Four-digit numbers stay whole («1024»), as Russian typesetting rules have it. English: as is.
 */
export function numberText(lang: Lang, n: number): string {
  if (lang !== 'ru' || !Number.isFinite(n)) return String(n);
  const [int = '', frac] = String(Math.abs(n)).split('.');
  const grouped = int.length >= 5 ? int.replace(/\B(?=(\d{3})+$)/g, '\u202f') : int;
  return `${n < 0 ? '−' : ''}${grouped}${frac !== undefined ? `,${frac}` : ''}`;
}

/**
 * `n` and the noun in the form it takes: count('ru', 23, 'byte') is "23 байта"; with 'gen', the
 * genitive a preposition asks for: count('ru', 1024, 'byte', 'gen') is "1024 байт".
 */
export function count(lang: Lang, n: number, noun: Noun | NounForms, grammaticalCase?: 'gen'): string {
  const forms: NounForms = typeof noun === 'string' ? NOUNS[noun][lang] : noun;
  if (grammaticalCase === 'gen' && forms.genOne !== undefined && forms.genMany !== undefined) {
    const one = ['one', 'other'].includes(rules[lang].select(n));
    return `${numberText(lang, n)} ${one ? forms.genOne : forms.genMany}`;
  }
  return `${numberText(lang, n)} ${pluralForm(lang, n, forms)}`;
}
