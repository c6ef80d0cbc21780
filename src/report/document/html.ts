/**
 * The document as one self-contained HTML page: no script, no network, diagrams as inline SVG, a
 * print stylesheet so the browser's Print → PDF gives a clean document. All of the page's escaping
 * is here: every text is XML-escaped with control and bidi characters shown as visible escapes,
 * links go only to anchors of the page, and a Content-Security-Policy allows no script at all
 * (only the page's own stylesheet, by its hash), so even a mistake here could not run one.
 */
import { createHash } from 'node:crypto';
import { visible } from '../../text/escape.js';
import type { Block, CodeBlock, Document, Figure, Inline, List, Table } from './model.js';

/** Text safe inside HTML/XML elements and attribute values. */
export function xml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** A text from anywhere, as HTML shows it. */
export function escapeText(s: string): string {
  return xml(visible(s));
}

export const STYLE = `
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:14px;line-height:1.45;max-width:1100px;margin:2em auto;padding:0 1em;color:#111}
h1{font-size:1.7em;border-bottom:2px solid #333}h2{font-size:1.35em;border-bottom:1px solid #999;margin-top:1.6em}
h3{font-size:1.15em}h4,h5{font-size:1em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #bbb;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f0f0f0}code{font-family:"DejaVu Sans Mono",monospace;font-size:.9em;background:#f4f4f4;padding:0 .2em;overflow-wrap:break-word}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;overflow-x:auto;white-space:pre-wrap}pre code{background:none}
pre .ln{display:inline-block;min-width:2.5em;color:#777;user-select:none}pre .line-note{color:#7a4b00}pre .noted{background:#fff3cd}
figure.diagram{margin:.8em 0;overflow-x:auto}figure.diagram svg{max-width:100%;height:auto}figcaption{font-style:italic}
aside.note{border-left:4px solid #4a6fa5;background:#f3f6fb;padding:.2em .8em;margin:.6em 0}aside.note.warning{border-color:#c9a227;background:#fffbea}
ol>li,ul>li{margin:.15em 0}
.mark{display:inline-block;position:relative;width:1em;height:1em;vertical-align:-.15em;border:.1em solid currentColor;border-radius:.2em;box-sizing:border-box}
.mark.pass{color:#1a7f37}.mark.fail{color:#cf222e}.mark.na{color:#6e7781}
.mark.pass::after{content:"";position:absolute;left:.28em;top:.06em;width:.22em;height:.5em;border:solid currentColor;border-width:0 .13em .13em 0;transform:rotate(45deg)}
.mark.fail::before,.mark.fail::after{content:"";position:absolute;left:.38em;top:.1em;height:.6em;border-left:.13em solid currentColor}
.mark.fail::before{transform:rotate(45deg)}.mark.fail::after{transform:rotate(-45deg)}
.mark.na::after{content:"";position:absolute;left:.2em;right:.2em;top:.36em;border-top:.13em solid currentColor}
@media print{body{max-width:none;margin:0;font-size:10.5pt}h2{break-before:auto}h1,h2,h3,h4,h5{break-after:avoid}
tr,figure,pre,aside,li{break-inside:avoid}pre.long{break-inside:auto}p:has(+table,+figure,+pre){break-after:avoid}a{color:inherit;text-decoration:none}figure.diagram{overflow:visible}
figure.diagram svg{display:block;max-height:240mm}
@page{size:A4;margin:15mm}}
`;

/**
 * No script, no fetch, no frame, no form, no plugin; the one stylesheet by its hash. Inline SVG
 * needs no source of its own.
 */
export const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'`;

const ANCHOR = /^[\p{L}\p{M}\p{N}_-]+$/u;

/**
 * The check marks drawn with CSS: without an emoji font (a print server, a PDF) ✅ and ❌ print
 * as empty boxes; borders print everywhere. The character stays as the mark's accessible name.
 */
const MARKS = new Map([
  ['✅', 'pass'],
  ['❌', 'fail'],
  ['➖', 'na'],
]);

function marks(text: string): string {
  return text
    .split(/([✅❌➖])/u)
    .map((part) => {
      const mark = MARKS.get(part);
      return mark ? `<span class="mark ${mark}" role="img" aria-label="${part}"></span>` : escapeText(part);
    })
    .join('');
}

function inline(content: readonly Inline[]): string {
  let out = '';
  for (const run of content) {
    switch (run.kind) {
      case 'text':
        out += marks(run.text);
        break;
      case 'code':
        out += `<code>${escapeText(run.text)}</code>`;
        break;
      case 'strong':
        out += `<strong>${inline(run.content)}</strong>`;
        break;
      case 'emphasis':
        out += `<em>${inline(run.content)}</em>`;
        break;
      case 'link':
        out += ANCHOR.test(run.anchor)
          ? `<a href="#${xml(run.anchor)}">${inline(run.content)}</a>`
          : inline(run.content);
        break;
      case 'break':
        out += '<br>';
        break;
    }
  }
  return out;
}

/**
 * A code block of more lines than this may break across printed pages: kept whole, a block nearly
 * a page long would leave the page before it half empty, and one longer than a page breaks anyway.
 */
export const PRINT_WHOLE_LINES = 30;

function codeBlock(b: CodeBlock): string {
  const cls = /^[A-Za-z0-9+-]+$/.test(b.language ?? '') ? ` class="language-${b.language}"` : '';
  const src = b.text.split('\n');
  const long = src.length > PRINT_WHOLE_LINES ? ' long' : '';
  if (b.firstLine === undefined)
    return `<pre${long ? ` class="${long.trim()}"` : ''}><code${cls}>${src.map(escapeText).join('\n')}</code></pre>`;
  const first = b.firstLine;
  const body = src
    .map((l, i) => {
      const n = first + i;
      const notes = (b.notes ?? [])
        .filter((x) => x.line === n)
        .map((x) => `\n<span class="ln"></span><span class="line-note">↳ ${inline(x.content)}</span>`)
        .join('');
      const line = notes ? `<span class="noted">${escapeText(l)}</span>` : escapeText(l);
      return `<span class="ln">${n}</span>${line}${notes}`;
    })
    .join('\n');
  return `<pre class="numbered${long}"><code${cls}>${body}</code></pre>`;
}

function figure(f: Figure): string {
  const caption = f.caption && f.caption.length > 0 ? `<figcaption>${inline(f.caption)}</figcaption>` : '';
  if (f.svg !== undefined) return `<figure class="diagram">${f.svg}${caption}</figure>`;
  if (f.mermaid !== undefined)
    return `<figure class="diagram"><pre><code class="language-mermaid">${escapeText(f.mermaid)}</code></pre>${caption}</figure>`;
  return caption ? `<figure class="diagram">${caption}</figure>` : '';
}

function table(t: Table): string {
  const width = t.rows.reduce((w, r) => Math.max(w, r.length), Math.max(1, t.header.length));
  const cells = (row: readonly (readonly Inline[])[], tag: 'th' | 'td') =>
    Array.from({ length: width }, (_, i) => `<${tag}>${inline(row[i] ?? [])}</${tag}>`).join('');
  return [
    '<table>',
    `<thead><tr>${cells(t.header, 'th')}</tr></thead>`,
    '<tbody>',
    ...t.rows.map((r) => `<tr>${cells(r, 'td')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

/** Heading ids made unique as GitHub makes them: the second `x` is `x-1`. */
class Ids {
  private readonly seen = new Map<string, number>();
  unique(id: string): string {
    const safe = ANCHOR.test(id) ? id : 'section';
    const n = this.seen.get(safe);
    this.seen.set(safe, (n ?? -1) + 1);
    return n === undefined ? safe : `${safe}-${n + 1}`;
  }
}

function list(l: List, ids: Ids): string {
  const tag = l.ordered ? 'ol' : 'ul';
  const items = l.items.map(
    (i) => `<li>${inline(i.content)}${(i.children ?? []).map((c) => block(c, ids)).join('')}</li>`,
  );
  return `<${tag}>${items.join('')}</${tag}>`;
}

function block(b: Block, ids: Ids): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level} id="${xml(ids.unique(b.id))}">${inline(b.content)}</h${b.level}>`;
    case 'paragraph':
      return `<p>${inline(b.content)}</p>`;
    case 'list':
      return list(b, ids);
    case 'table':
      return table(b);
    case 'figure':
      return figure(b);
    case 'code':
      return codeBlock(b);
    case 'note':
      return `<aside class="note ${b.tone}">${b.content.map((c) => block(c, ids)).join('\n')}</aside>`;
  }
}

/** The body's HTML (for tests and for embedding). */
export function htmlBody(blocks: readonly Block[]): string {
  const ids = new Ids();
  return blocks.map((b) => block(b, ids)).join('\n');
}

/** The whole page. */
export function toHtml(doc: Document): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${doc.lang === 'ru' ? 'ru' : 'en'}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${xml(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeText(doc.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    htmlBody(doc.blocks),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
