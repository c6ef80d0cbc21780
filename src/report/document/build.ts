/**
 * Small constructors for the document (model.ts), and `prose`: our own sentences, written with
 * the few marks the report's texts always used (`**strong**`, `*emphasis*`, `` `code` ``,
 * `[text](#anchor)`), turned into runs. The marks are read only in the literal parts of a
 * template, which are this program's source; every interpolated value is text, whatever it holds.
 * So a sentence keeps its Markdown-like look in the source, and a log field cannot add a mark.
 */
import type {
  Block,
  CodeBlock,
  Figure,
  Heading,
  HeadingLevel,
  Inline,
  List,
  ListItem,
  Paragraph,
  SvgMarkup,
  Table,
} from './model.js';
import { plainText, slug } from './model.js';

/**
 * What a template may interpolate: numbers and strings become text; runs are kept; a missing
 * value (undefined) shows as `?`.
 */
export type Value = string | number | undefined | Inline | readonly Inline[];

export const text = (s: string | number): Inline => ({ kind: 'text', text: String(s) });
export const code = (s: string | number): Inline => ({ kind: 'code', text: String(s) });
export const strong = (...content: Inline[]): Inline => ({ kind: 'strong', content });
export const emphasis = (...content: Inline[]): Inline => ({ kind: 'emphasis', content });
export const link = (anchor: string, ...content: Inline[]): Inline => ({ kind: 'link', anchor, content });
export const lineBreak: Inline = { kind: 'break' };

/** Runs from a value: a string or number is one text run. */
export function runs(v: Value): Inline[] {
  if (v === undefined) return [text('?')];
  if (typeof v === 'string' || typeof v === 'number') return v === '' ? [] : [text(v)];
  if (Array.isArray(v)) return [...(v as readonly Inline[])];
  return [v as Inline];
}

/** Joins runs with a separator (", " by default). */
export function join(parts: readonly Value[], sep: Value = ', '): Inline[] {
  const out: Inline[] = [];
  parts.forEach((p, i) => {
    if (i > 0) for (const r of runs(sep)) out.push(r);
    for (const r of runs(p)) out.push(r);
  });
  return out;
}

export function heading(level: HeadingLevel, content: Value, id?: string): Heading {
  const c = runs(content);
  return { kind: 'heading', level, id: id ?? slug(plainText(c)), content: c };
}

export const paragraph = (content: Value): Paragraph => ({ kind: 'paragraph', content: runs(content) });

export function list(items: ReadonlyArray<Value | ListItem>, ordered = false): List {
  return {
    kind: 'list',
    ordered,
    items: items.map((i) =>
      typeof i === 'object' && !Array.isArray(i) && 'content' in i && !('kind' in i)
        ? (i as ListItem)
        : { content: runs(i as Value) },
    ),
  };
}

export function table(header: readonly Value[], rows: ReadonlyArray<readonly Value[]>): Table {
  return { kind: 'table', header: header.map(runs), rows: rows.map((r) => r.map(runs)) };
}

export function codeBlock(body: string, language?: string, extra: Partial<CodeBlock> = {}): CodeBlock {
  return { kind: 'code', text: body, ...(language ? { language } : {}), ...extra };
}

export function figure(parts: { mermaid?: string; svg?: SvgMarkup; caption?: Value }): Figure {
  return {
    kind: 'figure',
    ...(parts.mermaid !== undefined ? { mermaid: parts.mermaid } : {}),
    ...(parts.svg !== undefined ? { svg: parts.svg } : {}),
    ...(parts.caption !== undefined ? { caption: runs(parts.caption) } : {}),
  };
}

export type { Block };

// ---- prose ----------------------------------------------------------------------------------

type Frame = { kind: 'root' | 'strong' | 'emphasis' | 'link'; open: string; content: Inline[] };

function push(into: Inline[], run: Inline): void {
  const last = into[into.length - 1];
  if (run.kind === 'text' && last?.kind === 'text') into[into.length - 1] = text(last.text + run.text);
  else if (run.kind !== 'text' || run.text !== '') into.push(run);
}

/**
 * Runs from literal parts (trusted: our source) and values between them (text, whatever they
 * hold). `parts.length === values.length + 1`, as in a tagged template.
 */
export function proseOf(parts: readonly string[], values: readonly Value[]): Inline[] {
  const stack: Frame[] = [{ kind: 'root', open: '', content: [] }];
  const top = () => stack[stack.length - 1] as Frame;
  let codeText: string | undefined;
  const close = () => stack.pop() as Frame;
  parts.forEach((part, pi) => {
    for (let i = 0; i < part.length; i++) {
      const ch = part[i] as string;
      if (codeText !== undefined) {
        if (ch === '`') {
          push(top().content, code(codeText));
          codeText = undefined;
        } else codeText += ch;
        continue;
      }
      // At the end of a literal part the next character is the value that follows.
      const next = part[i + 1] ?? (pi < values.length ? 'value' : undefined);
      if (ch === '\\' && part[i + 1] !== undefined) {
        push(top().content, text(part[i + 1] as string));
        i++;
      } else if (ch === '`') codeText = '';
      else if (ch === '*' && next === '*') {
        if (top().kind === 'strong') {
          const f = close();
          push(top().content, { kind: 'strong', content: f.content });
        } else stack.push({ kind: 'strong', open: '**', content: [] });
        i++;
      } else if (ch === '*' && top().kind === 'emphasis') {
        const f = close();
        push(top().content, { kind: 'emphasis', content: f.content });
      } else if (ch === '*' && next !== undefined && next !== ' ') {
        stack.push({ kind: 'emphasis', open: '*', content: [] });
      } else if (ch === '[') {
        stack.push({ kind: 'link', open: '[', content: [] });
      } else if (ch === ']' && top().kind === 'link') {
        const m = /^\]\(#([^)\s]+)\)/.exec(part.slice(i));
        const f = close();
        if (m) {
          push(top().content, { kind: 'link', anchor: m[1] as string, content: f.content });
          i += m[0].length - 1;
        } else {
          push(top().content, text('['));
          for (const r of f.content) push(top().content, r);
          push(top().content, text(']'));
        }
      } else push(top().content, text(ch));
    }
    if (pi < values.length) {
      const v = values[pi] as Value;
      if (codeText !== undefined) codeText += plainText(runs(v));
      else for (const r of runs(v)) push(top().content, r);
    }
  });
  if (codeText !== undefined) push(top().content, text(`\`${codeText}`));
  // An unclosed mark was not a mark: its opener is text again.
  while (stack.length > 1) {
    const f = close();
    push(top().content, text(f.open));
    for (const r of f.content) push(top().content, r);
  }
  return top().content;
}

/** Tagged template: `prose\`sent **${n} bytes** to ${code(addr)}\``. See proseOf. */
export function prose(strings: TemplateStringsArray, ...values: Value[]): Inline[] {
  return proseOf(strings, values);
}

const HOLE = /\uE000(\d+)\uE001/g;

/**
 * One of our texts (texts.ts, a function of named parameters) as runs, with its string
 * parameters as text: the function gets placeholders in their place, its result is read as prose,
 * and each placeholder becomes its value. Numbers, and strings without a character prose reads
 * as a mark, are passed as they are (a text may count with them or look a reason code up); they
 * end up as text either way.
 */
export function fill<P extends object>(fn: (p: P) => string, params: P): Inline[] {
  const values: Value[] = [];
  const holes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'string' && /[`*\\[\]\uE000\uE001]/.test(v)) {
      holes[k] = `\uE000${values.length}\uE001`;
      values.push(v);
    } else holes[k] = v;
  }
  const template = fn(holes as P);
  const parts: string[] = [];
  const used: Value[] = [];
  let last = 0;
  for (const m of template.matchAll(HOLE)) {
    parts.push(template.slice(last, m.index));
    used.push(values[Number(m[1])] ?? '');
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(template.slice(last));
  return proseOf(parts, used);
}
