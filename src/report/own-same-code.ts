/**
 * "Same code as": fingerprints of a student's own source files that survive what copying students
 * change first (issue #18, item 7): the student's name, indentation, blank lines, comments,
 * docstrings, quote style, a `;` at a line's end, a line continuation, and the names of variables
 * and functions (renamed consistently). Pure: the sources come from the run's own.sources records
 * (path and text).
 *
 * Each code file becomes a stream of tokens: keywords, numbers, string contents and punctuation as
 * they are, every other name replaced by its order of first appearance in the file (the first name
 * is `n0`, the next new one `n1`, ...), so renaming `conn` to `client` everywhere changes nothing
 * but swapping two statements does. One fingerprint per file of at least MIN_TOKENS tokens: two
 * submissions that share one share that file's code (a copied server beside a client of one's
 * own). Files that are not code (a README beside the program) are not compared. Linear in the
 * files' size.
 *
 * What it does not catch, and says so in docs/classroom.md: code rewritten by hand (statements
 * reordered, a loop turned into another), and code that is not among the recorded sources (a
 * program given inline in the command, or in an image of its own).
 */
import { createHash } from 'node:crypto';
import type { LogRecord } from './parse.js';

const HASH_COMMENT = /\.(py|pyw|sh|rb|pl|r)$/i;
const SLASH_COMMENT = /\.(c|h|cc|cpp|hpp|cxx|java|js|mjs|cjs|ts|go|rs|cs|kt|swift)$/i;

/** Fewer tokens than this is too little code to call two files the same (an empty `__init__.py`). */
export const MIN_TOKENS = 40;

/** Kept as they are: they are the program's structure, not names a student picks. */
const KEYWORDS = new Set(
  // Python
  (
    'False None True and as assert async await break class continue def del elif else except finally ' +
    'for from global if import in is lambda nonlocal not or pass raise return try while with yield ' +
    // C and its relatives
    'auto case char const default do double enum extern float goto int long register short signed ' +
    'sizeof static struct switch typedef union unsigned void volatile new delete this public private ' +
    'protected func var let fn package'
  ).split(' '),
);

const NAME_START = /[\p{L}_$]/u;
const NAME_PART = /[\p{L}\p{N}_$]/u;
const DIGIT = /[0-9]/;

/**
 * The code of one file as a token stream (tokens separated by one space), or '' for a file that is
 * not code. Comments, whitespace and docstrings are gone; names are numbered by first appearance.
 */
export function normalizeSource(path: string, text: string): string {
  const hash = HASH_COMMENT.test(path);
  const slash = SLASH_COMMENT.test(path);
  if (!hash && !slash) return '';
  const python = /\.pyw?$/i.test(path);
  const names = new Map<string, string>();
  const name = (word: string): string => {
    if (KEYWORDS.has(word)) return word;
    let id = names.get(word);
    if (id === undefined) {
      id = `n${names.size}`;
      names.set(word, id);
    }
    return id;
  };
  let fString = false;
  const out: string[] = [];
  // A Python string alone on its logical line (a docstring, or a string used as a comment) says
  // nothing the program does: it is dropped. lineStart: no token yet on this logical line.
  let lineStart = true;
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === '\n') {
      if (depth === 0) lineStart = true;
      // `;` at a line's end separates nothing in Python.
      if (python && out[out.length - 1] === ';') out.pop();
      i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3; // a line continuation joins two lines
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ((hash && c === '#') || (slash && c === '/' && text[i + 1] === '/')) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (slash && c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === '"' || c === "'" || (slash && c === '`')) {
      const triple = python && text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      let j = i + close.length;
      let body = '';
      while (j < n && !text.startsWith(close, j)) {
        if (text[j] === '\\' && j + 1 < n) {
          body += text.slice(j, j + 2);
          j += 2;
        } else {
          if (!triple && text[j] === '\n') break; // an unclosed string ends at the line's end
          body += text[j];
          j++;
        }
      }
      i = Math.min(n, j + close.length);
      const alone = python && lineStart && depth === 0 && restOfLineEmpty(text, i, hash);
      // In an f-string the names between braces are code: numbered like the others.
      if (fString)
        body = body.replace(/\{[^{}]*\}/g, (part) => part.replace(/[\p{L}_][\p{L}\p{N}_]*/gu, name));
      fString = false;
      if (!alone) out.push(`"${body}"`);
      lineStart = false;
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < n && NAME_PART.test(text[j] as string)) j++;
      const word = text.slice(i, j);
      i = j;
      // A string prefix (f"", b'', r"", u"") belongs to the string that follows.
      if (python && /^[rbuf]{1,2}$/i.test(word) && (text[i] === '"' || text[i] === "'")) {
        fString = /f/i.test(word);
        continue;
      }
      out.push(name(word));
      lineStart = false;
      continue;
    }
    if (DIGIT.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9a-zA-Z_.]/.test(text[j] as string)) j++;
      out.push(text.slice(i, j));
      i = j;
      lineStart = false;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    out.push(c);
    lineStart = false;
    i++;
  }
  if (python && out[out.length - 1] === ';') out.pop();
  return out.join(' ');
}

/** Only whitespace (or a comment) from `i` to the end of the line. */
function restOfLineEmpty(text: string, i: number, hash: boolean): boolean {
  for (let j = i; j < text.length; j++) {
    const c = text[j] as string;
    if (c === '\n') return true;
    if (hash && c === '#') return true;
    if (!/\s/.test(c)) return false;
  }
  return true;
}

/**
 * The fingerprints of the own code files of a run (all roles), one per file of at least MIN_TOKENS
 * tokens, sorted; empty when no code text was recorded. Two submissions that share one handed in
 * that file's code.
 */
export function ownCodeFingerprints(records: readonly LogRecord[]): string[] {
  const files = new Set<string>();
  for (const r of records) {
    if (r.event !== 'own.sources' || !Array.isArray(r.fields.files)) continue;
    for (const f of r.fields.files as Array<Record<string, unknown>>) {
      if (typeof f.path !== 'string' || typeof f.text !== 'string') continue;
      const normalized = normalizeSource(f.path, f.text);
      if (normalized.split(' ').length < MIN_TOKENS) continue;
      files.add(createHash('sha256').update(normalized).digest('hex'));
    }
  }
  return [...files].sort();
}
