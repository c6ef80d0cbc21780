/**
 * The report as a typed document: what it says, not how a format writes it. Sections build these
 * values; the two renderers (markdown.ts, html.ts in this folder) turn them into text, and all the
 * escaping of both formats lives in those two files and nowhere else.
 *
 * The rule that makes this safe: every string in a `text` or `code` run, a code block, a table cell
 * or a heading is shown as it is, whatever it holds (a log field, a capture's name, a file name),
 * because a renderer never reads it as markup. The only markup is the structure below. Links point
 * to anchors of this document only; pictures are SVG that src/report/svg.ts drew (SvgMarkup) or
 * Mermaid source that src/report/mermaid.ts wrote, never a string taken from a log.
 */

// ---- inline runs -----------------------------------------------------------------------------

/** A run of text inside a paragraph, list item, table cell, heading or caption. */
export type Inline =
  /** Plain text, shown as it is (control and bidi characters made visible). */
  | { readonly kind: 'text'; readonly text: string }
  /** Text in a monospace code span (file names, commands, log events, values from logs). */
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'strong'; readonly content: readonly Inline[] }
  | { readonly kind: 'emphasis'; readonly content: readonly Inline[] }
  /** A link to a heading of this document, by its `id` (never to a URL). */
  | { readonly kind: 'link'; readonly anchor: string; readonly content: readonly Inline[] }
  /** A line break inside the same block. */
  | { readonly kind: 'break' };

// ---- figures ---------------------------------------------------------------------------------

declare const svgBrand: unique symbol;
/**
 * SVG markup that src/report/svg.ts drew (every text in it XML-escaped there). Only svg.ts makes
 * values of this type (`as SvgMarkup`): the HTML renderer inserts them as they are.
 */
export type SvgMarkup = string & { readonly [svgBrand]: true };

/**
 * A diagram in the two forms the formats show: Mermaid source for Markdown (GitHub draws it), SVG
 * for the HTML page (no script needed). Either may be missing; a renderer then uses the other
 * (the HTML page shows Mermaid source as a code block, Markdown never shows SVG).
 */
export interface Figure {
  readonly kind: 'figure';
  /** Mermaid source as mermaid.ts wrote it (labels already reduced to safe characters). */
  readonly mermaid?: string;
  readonly svg?: SvgMarkup;
  readonly caption?: readonly Inline[];
}

// ---- blocks ----------------------------------------------------------------------------------

/** Heading levels: 1 is the document's title. */
export type HeadingLevel = 1 | 2 | 3 | 4 | 5 | 6;

export interface Heading {
  readonly kind: 'heading';
  readonly level: HeadingLevel;
  /**
   * The anchor links point to: by default slug() of the heading's text, the id GitHub gives it.
   * The HTML renderer makes repeated ids unique the way GitHub does (`-1`, `-2`...).
   */
  readonly id: string;
  readonly content: readonly Inline[];
}

export interface Paragraph {
  readonly kind: 'paragraph';
  readonly content: readonly Inline[];
}

/** One item of a list: its text, and blocks nested under it (e.g. a list of evidence lines). */
export interface ListItem {
  readonly content: readonly Inline[];
  readonly children?: readonly Block[];
}

export interface List {
  readonly kind: 'list';
  /** Numbered steps (1., 2., ...) or bullets. */
  readonly ordered: boolean;
  readonly items: readonly ListItem[];
}

/** A table: a header row and body rows of the same width (a short row is padded with empty cells). */
export interface Table {
  readonly kind: 'table';
  readonly header: readonly (readonly Inline[])[];
  readonly rows: readonly (readonly (readonly Inline[])[])[];
}

/** A note shown beside one line of a code block (e.g. what a student's socket call did). */
export interface LineNote {
  /** The line's number as shown (counting from `firstLine`). */
  readonly line: number;
  readonly content: readonly Inline[];
}

/**
 * Text shown exactly as it is, monospace, line by line: a command, a terminal's screen, a
 * student's source file. With `firstLine` every line shows its number (the first one `firstLine`).
 */
export interface CodeBlock {
  readonly kind: 'code';
  /** The text; lines split at `\n`. */
  readonly text: string;
  /** A language hint (`sh`, `text`, `python`...): letters, digits, `+`, `-` only. */
  readonly language?: string;
  readonly firstLine?: number;
  readonly notes?: readonly LineNote[];
}

/** A callout set apart from the text around it (a warning about the run, a hint). */
export interface Note {
  readonly kind: 'note';
  readonly tone: 'info' | 'warning';
  readonly content: readonly Block[];
}

export type Block = Heading | Paragraph | List | Table | Figure | CodeBlock | Note;

/** The whole report: its title (the page's `<title>`), language and blocks in order. */
export interface Document {
  readonly title: string;
  readonly lang: 'en' | 'ru';
  readonly blocks: readonly Block[];
}

// ---- helpers every section uses ----------------------------------------------------------------

/** The text of some runs without their marks (for ids, titles and tests). */
export function plainText(content: readonly Inline[]): string {
  let out = '';
  for (const run of content) {
    if (run.kind === 'text' || run.kind === 'code') out += run.text;
    else if (run.kind === 'break') out += ' ';
    else out += plainText(run.content);
  }
  return out;
}

/** The id GitHub gives a heading: lower case, punctuation dropped, each space a dash. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}
