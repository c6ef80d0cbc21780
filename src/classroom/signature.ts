import { transliterate } from './names.js';

/** The chat's rule for nicknames (src/udp/protocol.ts): 1 to 16 letters, digits, `_` or `-`. */
const NICK_MAX = 16;

/**
 * A chat nickname made from a student's name: `Иванов Иван` -> `Ivanov-Ivan`. Cyrillic in Latin
 * letters (the passport table of names.ts), anything else but ASCII letters and digits becomes one
 * `-`. Too long for the chat's 16 characters: the first word, shortened, and the second one's
 * initial (`Konstantinopol-A`). Undefined when nothing usable is left (a name of only symbols).
 */
export function nickFromName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const words = transliterate(name)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const [first, second] = words;
  if (first === undefined) return undefined;
  const whole = words.join('-');
  if (whole.length <= NICK_MAX) return whole;
  if (second === undefined) return first.slice(0, NICK_MAX);
  return `${first.slice(0, NICK_MAX - 2)}-${second.charAt(0)}`;
}

/**
 * A scripted greeting signed with who sent it: `Hello [Иванов Иван, ИУ7-32]`. Two students' runs
 * then differ in what was sent (and in byte counts), not only in times. Unchanged without a name.
 */
export function signGreeting(line: string, student?: string, group?: string): string {
  const who = [student?.trim(), group?.trim()].filter((s): s is string => Boolean(s));
  return who.length === 0 ? line : `${line} [${who.join(', ')}]`;
}
