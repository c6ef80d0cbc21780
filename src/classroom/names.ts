/**
 * Cyrillic to Latin for file names, after the Russian passport table (ICAO Doc 9303, used since
 * 2013): what a student already sees in their own foreign passport. Ukrainian and Belarusian
 * letters get their usual Latin forms. Only file names use it; the manifest keeps names as typed.
 */
const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: 'ie',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'iu',
  я: 'ia',
  і: 'i',
  ї: 'i',
  є: 'ie',
  ґ: 'g',
  ў: 'u',
};

/** `Иванов Иван` -> `Ivanov Ivan`: each Cyrillic letter in Latin, the case of its first letter kept. */
export function transliterate(text: string): string {
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const latin = CYRILLIC[lower];
    if (latin === undefined) out += ch;
    else out += ch !== lower ? latin.charAt(0).toUpperCase() + latin.slice(1) : latin;
  }
  return out;
}

/**
 * A piece of a file name every file system and mail client accepts: Latin letters, digits and
 * `-`; everything else (spaces, dots, slashes, accents) becomes one `-`.
 */
export function slug(text: string): string {
  return transliterate(text)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `ivanov-ivan_IU7-32_socket-lab`: the student in lower case, the group as written. */
export function bundleBaseName(student: string | undefined, group: string | undefined): string {
  const s = (student && slug(student).toLowerCase()) || 'unknown-student';
  const g = (group && slug(group)) || 'unknown-group';
  return `${s.slice(0, 60)}_${g.slice(0, 30)}_socket-lab`;
}
