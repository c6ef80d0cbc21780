/**
 * The document as GitHub-flavoured Markdown. All of the Markdown's escaping is here: a text run
 * is text whatever it holds (no HTML, emphasis, link, autolink, mention, math, heading, list or
 * table break can come out of it), control and bidi characters are shown as visible escapes (the
 * same `visible()` the live screens use, so `report` printing this to a terminal is safe too), and
 * code spans and fences are longer than any backtick run inside them.
 */
import { visible } from '../../text/escape.js';
import type { Block, CodeBlock, Document, Figure, Inline, List, Table } from './model.js';

/** Characters Markdown (CommonMark + GitHub's extensions) could read as syntax inside a line. */
const SYNTAX = /[\\`*_[\]<>|!~$&@]|(?<=\p{L}):(?=\S)|(?<=www)\./giu;

function escapeChar(ch: string): string {
  if (ch === '<') return '&lt;';
  if (ch === '>') return '&gt;';
  if (ch === '&') return '&amp;';
  return `\\${ch}`;
}

/**
 * Text as Markdown shows it: every mark escaped, `:` between a letter and a non-space (a URL
 * scheme such as `javascript:x`) and `.` after `www` escaped so GitHub's autolinks do not fire, `@` escaped
 * against mentions and e-mail links.
 */
export function escapeText(s: string, inHeading = false): string {
  const out = visible(s).replace(SYNTAX, escapeChar);
  // In a heading a `#` anywhere could be read as its closing sequence.
  return inHeading ? out.replace(/#/g, '\\#') : out;
}

/** The longest run of `ch` in `s`. */
function longestRun(s: string, ch: string): number {
  let best = 0;
  let cur = 0;
  for (const c of s) {
    cur = c === ch ? cur + 1 : 0;
    best = Math.max(best, cur);
  }
  return best;
}

/** A code span that survives any content: a fence longer than any backtick run in it. */
function codeSpan(s: string, inTable: boolean): string {
  let body = visible(s);
  if (body === '') return '';
  if (inTable) {
    // In a table a `|` ends the cell even in a code span unless escaped; GitHub's table reader
    // takes `\\` before it as an escaped backslash, so such text is written as escaped text.
    if (/\\\|/.test(body)) return escapeText(s);
    body = body.replace(/\|/g, '\\|');
  }
  const fence = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' '));
  return pad ? `${fence} ${body} ${fence}` : `${fence}${body}${fence}`;
}

const ANCHOR = /^[\p{L}\p{M}\p{N}_-]+$/u;

function marked(mark: string, inner: string): string {
  // A mark next to a space inside does not open or close: keep the spaces outside it.
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(inner) as RegExpExecArray;
  return m[2] === '' ? inner : `${m[1]}${mark}${m[2]}${mark}${m[3]}`;
}

/** Where runs are written: a table cell and a heading each need a little more escaping. */
type Place = 'line' | 'table' | 'heading';

/** Runs as one line of Markdown. */
export function inline(content: readonly Inline[], place: Place = 'line'): string {
  const inTable = place === 'table';
  let out = '';
  for (const run of content) {
    switch (run.kind) {
      case 'text':
        out += escapeText(run.text, place === 'heading');
        break;
      case 'code':
        out += codeSpan(run.text, inTable);
        break;
      case 'strong':
        out += marked('**', inline(run.content, place));
        break;
      case 'emphasis':
        out += marked('*', inline(run.content, place));
        break;
      case 'link': {
        const label = inline(run.content, place);
        out += ANCHOR.test(run.anchor) && label !== '' ? `[${label}](#${run.anchor})` : label;
        break;
      }
      case 'break':
        out += inTable ? ' ' : '\\\n';
        break;
    }
  }
  return out;
}

/**
 * What a line's start could still turn into a block (a list item, a heading, a setext underline,
 * an ordered item, indented code) is escaped; `>` is escaped everywhere already. A `#` elsewhere is
 * text (GitHub links `#12` to an issue only in issues and comments, not in a file).
 */
function lineStart(line: string): string {
  return line
    .replace(/^[ \t]/, (ch) => (ch === ' ' ? '&#32;' : '&#9;'))
    .replace(/^[-+=#]/, (ch) => `\\${ch}`)
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

function lines(content: readonly Inline[]): string[] {
  return inline(content).split('\n').map(lineStart);
}

function fenceFor(body: string): string {
  return '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
}

function codeBlock(b: CodeBlock): string[] {
  const src = b.text.split('\n').map(visible);
  const notes = new Map<number, string[]>();
  for (const n of b.notes ?? [])
    notes.set(n.line, [...(notes.get(n.line) ?? []), visible(plainOf(n.content))]);
  let body: string[];
  if (b.firstLine !== undefined) {
    const first = b.firstLine;
    const width = String(first + src.length - 1).length;
    // A line with a note is marked `>` where the others have `|`, so the eye finds it.
    body = src.flatMap((l, i) => [
      `${String(first + i).padStart(width)} ${notes.has(first + i) ? '>' : '|'} ${l}`,
      ...(notes.get(first + i) ?? []).map((n) => `${' '.repeat(width)} | ^ ${n}`),
    ]);
  } else body = src;
  const fence = fenceFor(body.join('\n'));
  const lang = /^[A-Za-z0-9+-]+$/.test(b.language ?? '') ? (b.language as string) : '';
  return [`${fence}${lang}`, ...body, fence];
}

function plainOf(content: readonly Inline[]): string {
  let s = '';
  for (const r of content)
    s += r.kind === 'text' || r.kind === 'code' ? r.text : r.kind === 'break' ? ' ' : plainOf(r.content);
  return s;
}

function figure(f: Figure): string[] {
  const out: string[] = [];
  if (f.mermaid !== undefined) {
    const fence = fenceFor(f.mermaid);
    out.push(`${fence}mermaid`);
    for (const line of f.mermaid.split('\n')) out.push(visible(line));
    out.push(fence);
  }
  if (f.caption && f.caption.length > 0) {
    if (out.length > 0) out.push('');
    out.push(...lines([{ kind: 'emphasis', content: f.caption }]));
  }
  return out;
}

function tableLines(t: Table): string[] {
  // reduce, not Math.max(...rows): a table may have more rows than a call has room for arguments.
  const width = t.rows.reduce((w, r) => Math.max(w, r.length), Math.max(1, t.header.length));
  const row = (cells: readonly (readonly Inline[])[]) => {
    const padded = Array.from({ length: width }, (_, i) => inline(cells[i] ?? [], 'table') || ' ');
    return `| ${padded.join(' | ')} |`;
  };
  return [row(t.header), `|${' --- |'.repeat(width)}`, ...t.rows.map(row)];
}

function listLines(l: List): string[] {
  const out: string[] = [];
  l.items.forEach((item, i) => {
    const marker = l.ordered ? `${i + 1}. ` : '- ';
    const indent = ' '.repeat(marker.length);
    const [head = '', ...rest] = lines(item.content);
    out.push(`${marker}${head}`.trimEnd(), ...rest.map((x) => `${indent}${x}`));
    for (const child of item.children ?? []) {
      // A nested list follows its item directly; other blocks after a blank line.
      if (child.kind !== 'list') out.push('');
      for (const x of block(child)) out.push(x === '' ? '' : `${indent}${x}`);
    }
  });
  return out;
}

function block(b: Block): string[] {
  switch (b.kind) {
    case 'heading':
      return [`${'#'.repeat(b.level)} ${inline(b.content, 'heading').replace(/\\\n/g, ' ')}`];
    case 'paragraph':
      return lines(b.content);
    case 'list':
      return listLines(b);
    case 'table':
      return tableLines(b);
    case 'figure':
      return figure(b);
    case 'code':
      return codeBlock(b);
    case 'note': {
      const inner = blocks(b.content).split('\n');
      return [b.tone === 'warning' ? '> [!WARNING]' : '> [!NOTE]', ...inner.map((x) => (x ? `> ${x}` : '>'))];
    }
  }
}

function blocks(list: readonly Block[]): string {
  return list.map((b) => block(b).join('\n')).join('\n\n');
}

/** The document as Markdown, ending with one newline. */
export function toMarkdown(doc: Document): string {
  return `${blocks(doc.blocks).trimEnd()}\n`;
}

/** Some blocks as Markdown (a part of a document, e.g. `socket-lab wire`'s output). */
export function blocksToMarkdown(list: readonly Block[]): string {
  return `${blocks(list).trimEnd()}\n`;
}
