/**
 * The hostile-log workbench (test helper): a real fixture run whose string fields, file names and
 * capture note can be replaced, rendered in both languages and both formats. Used by
 * test/report-hostile.test.ts (string-level) and test/system/report-xss.test.ts (in Chromium).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { type CaptureFiles, analyse, render } from '../src/report/index.ts';
import { scanTags, vocabulary } from './html-scan.ts';

const LAB = 'test/fixtures/report/lab';
/** Issue 16's stored-script fixture. */
export const XSS = 'test/fixtures/report/xss';

/** The fixture run: each source's lines as objects. */
export const SOURCES: Array<{ name: string; lines: Array<Record<string, unknown>> }> = readdirSync(LAB)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()
  .map((f) => ({
    name: f.replace(/\.jsonl$/, ''),
    lines: readFileSync(join(LAB, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  }));

/** Pieces of text that some renderer could read as something else. */
export const PIECES = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<figure>',
  '</td></tr></table><b>',
  '<svg onload=alert(1)>',
  '"><a href="http://evil.example">',
  "'",
  '[x](javascript:alert(1))',
  '![i](http://evil.example/i.png)',
  'javascript:alert(1)',
  'http://evil.example/',
  'www.evil.example',
  '<https://evil.example>',
  'a@b.co',
  '@teacher',
  '$x$',
  '**b**',
  '_e_',
  '~~s~~',
  '`',
  '```',
  '|',
  '\\',
  '\n',
  '\r\n',
  '\n# h',
  '\n- item',
  '\n1. one',
  '\n    code',
  '\n> q',
  '\u2028',
  '\u202e',
  '\u2066',
  '\x1b[31m',
  '\x1b]8;;http://evil.example\x07',
  '\x07',
  '\x00',
  '\x9b2J',
  '&lt;',
  '&#60;script&#62;',
  '<!--',
  'user-exit',
  'constructor',
  'valueOf',
  '__proto__',
  'toString',
  '127.0.0.1:7007',
  'vm',
];

export const hostile = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 5 }).map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 24 }),
);

/** Every string field of every line, as [source index, line index, key]. */
export const PATHS: Array<[number, number, string]> = SOURCES.flatMap((s, si) =>
  s.lines.flatMap((l, li) =>
    Object.entries(l)
      .filter(([, v]) => typeof v === 'string')
      .map(([k]): [number, number, string] => [si, li, k]),
  ),
);

/** Fields that make a line a lab log line at all: replacing them makes the reader skip the line. */
export const STRUCTURAL = new Set(['time', 'event']);

export interface Mutation {
  /** Per string field: its new value, or undefined to keep it. */
  values: Array<string | undefined>;
  /** New source names (file names). */
  names: Array<string | undefined>;
  /** A hostile field name and value added to every line. */
  extra: [string, string] | undefined;
  off: { name: string; reason: string } | undefined;
  student: string;
}

export async function reportOf(m: Mutation) {
  const inputs = SOURCES.map((s, si) => ({
    name: m.names[si] ?? s.name,
    lines: s.lines.map((l, li) => {
      const o: Record<string, unknown> = { ...l };
      PATHS.forEach(([ps, pl, k], i) => {
        const v = m.values[i];
        if (ps === si && pl === li && v !== undefined) o[k] = v;
      });
      if (m.extra) o[m.extra[0]] = m.extra[1];
      return JSON.stringify(o);
    }),
  }));
  const captures: CaptureFiles | undefined = m.off
    ? { files: [], off: [{ side: 'server', name: m.off.name, reason: m.off.reason }] }
    : undefined;
  const analysis = await analyse(inputs, captures ? { captures } : {});
  const out: Array<{ md: string; html: string }> = [];
  for (const lang of ['en', 'ru'] as const) {
    const options = { student: m.student, group: m.student };
    out.push({
      md: render(analysis, lang, options),
      html: render(analysis, lang, { ...options, format: 'html' }),
    });
  }
  return out;
}

/** What the HTML renderer makes for the plain fixture run (with a capture note): the allow-list. */
export async function allowed(): Promise<Set<string>> {
  const plain = await reportOf({
    values: [],
    names: [],
    extra: undefined,
    off: { name: 'lab-capture-server.off', reason: 'off' },
    student: 'A',
  });
  const set = new Set<string>();
  for (const p of plain) for (const v of vocabulary(scanTags(p.html).tags)) set.add(v);
  return set;
}

/** Every string field replaced at once (the structural ones kept, so the report has all its parts). */
export function everyField(): Mutation {
  return {
    values: PATHS.map(([, , k], i) =>
      STRUCTURAL.has(k) ? undefined : (PIECES[i % PIECES.length] as string),
    ),
    names: SOURCES.map((_, i) => `${PIECES[i] ?? ''}lab-${i}<b>`),
    extra: ['<b onclick=x>](#a)', '<script>x</script>'],
    off: { name: '<img src=x onerror=1>.off', reason: '<script>alert(1)</script>' },
    student: '<script>alert("student")</script>',
  };
}
