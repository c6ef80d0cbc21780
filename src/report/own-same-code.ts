/**
 * "Same code as": a fingerprint of a student's own sources that survives renaming the student,
 * re-indenting and rewording comments, for grading (issue #18, item 7). Pure: the sources come
 * from the run's own.sources records (path and text); the fingerprint is what is left after
 * removing comments and all whitespace, hashed per file, then over the sorted file hashes.
 */
import { createHash } from 'node:crypto';
import type { LogRecord } from './parse.js';

const HASH_COMMENT = /\.(py|sh|rb|pl|r)$/i;
const SLASH_COMMENT = /\.(c|h|cc|cpp|hpp|cxx|java|js|mjs|ts|go|rs|cs|kt|swift)$/i;

/**
 * The text without comments and whitespace. Strings are kept (a quoted `#` is not a comment): the
 * scan walks the text once, tracking quotes, so the cost is linear in the file's size.
 */
export function normalizeSource(path: string, text: string): string {
  const hash = HASH_COMMENT.test(path);
  const slash = SLASH_COMMENT.test(path);
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      out += c;
      continue;
    }
    if (hash && c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (slash && c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (slash && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (/\s/.test(c)) continue;
    out += c;
  }
  return out;
}

/**
 * One fingerprint for the own sources of a run (all roles), or undefined when no text was
 * recorded. Two submissions with the same fingerprint handed in the same code.
 */
export function ownCodeFingerprint(records: readonly LogRecord[]): string | undefined {
  const files = new Map<string, string>();
  for (const r of records) {
    if (r.event !== 'own.sources' || !Array.isArray(r.fields.files)) continue;
    for (const f of r.fields.files as Array<Record<string, unknown>>) {
      if (typeof f.path !== 'string' || typeof f.text !== 'string') continue;
      const normalized = normalizeSource(f.path, f.text);
      if (normalized === '') continue;
      files.set(createHash('sha256').update(normalized).digest('hex'), f.path);
    }
  }
  if (files.size === 0) return undefined;
  return createHash('sha256')
    .update([...files.keys()].sort().join('\n'))
    .digest('hex');
}
