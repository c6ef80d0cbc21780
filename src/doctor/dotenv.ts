/**
 * The lab's `.env` as Compose reads it, for the commands that run outside Docker (`bundle`): the
 * student fills in LAB_STUDENT once, in `.env`, and both the Docker lab and `npx socket-lab bundle`
 * in the same folder see it. The doctor needs no reader of its own: it asks `docker compose config`
 * (settings.ts). This is the one reader; pure parsing here, the file read at the edge.
 *
 * What it reads is the subset of Compose's `.env` syntax a settings file holds: `KEY=value` lines,
 * `#` comments (whole lines, or after a space in an unquoted value), an optional `export `, values in
 * single quotes (literal) or double quotes (with \n, \t, \" and \\). It does not interpolate ${...}:
 * the settings the lab reads from it are names and words, never references.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** `KEY=value` pairs of a `.env` text; lines that are not settings are skipped, as Compose does. */
export function parseDotenv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trimStart();
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!KEY.test(key)) continue;
    out.set(key, value(line.slice(eq + 1).trim()));
  }
  return out;
}

function value(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.indexOf(q, 1) > 0) {
    const inner = v.slice(1, closingQuote(v, q));
    if (q === "'") return inner;
    return inner.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
  }
  // Unquoted: a comment starts at " #".
  const hash = v.search(/\s#/);
  return (hash === -1 ? v : v.slice(0, hash)).trim();
}

/** Index of the quote that closes `v` (double quotes may be escaped inside). */
function closingQuote(v: string, q: string): number {
  for (let i = 1; i < v.length; i++) {
    if (q === '"' && v[i] === '\\') i++;
    else if (v[i] === q) return i;
  }
  return v.length;
}

/**
 * The `.env` of folder `dir` (Compose reads the one beside docker-compose.yml, the folder it runs
 * in). An empty map when there is none; any other read error is thrown.
 */
export async function readDotenv(dir: string = process.cwd()): Promise<Map<string, string>> {
  try {
    return parseDotenv(await readFile(join(dir, '.env'), 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return new Map();
    throw err;
  }
}

/**
 * A lab setting as the lab would see it: the environment first (Compose lets it override `.env`),
 * then `.env`. Empty counts as not set, as Compose passes an unset setting to the containers empty.
 */
export function labSetting(name: string, dotenv: ReadonlyMap<string, string>): string | undefined {
  const fromEnv = process.env[name]?.trim();
  if (fromEnv) return fromEnv;
  return dotenv.get(name)?.trim() || undefined;
}
