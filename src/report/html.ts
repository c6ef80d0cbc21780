/**
 * The HTML twin of the Markdown report: one self-contained page (no script, no network), its
 * diagrams already inline SVG, with a print stylesheet so that the browser's Print → PDF gives a
 * clean document. It converts only the Markdown the report itself writes (headings, paragraphs,
 * lists, tables, fenced code, inline code, bold, italics, escapes, anchors to headings).
 */
import type { Lang } from '../text/lang.js';
import { xml } from './svg.js';

/** The report's formats. */
export type ReportFormat = 'md' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html'];

const STYLE = `
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:14px;line-height:1.45;max-width:1100px;margin:2em auto;padding:0 1em;color:#111}
h1{font-size:1.7em;border-bottom:2px solid #333}h2{font-size:1.35em;border-bottom:1px solid #999;margin-top:1.6em}
h3{font-size:1.15em}h4,h5{font-size:1em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #bbb;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f0f0f0}code{font-family:"DejaVu Sans Mono",monospace;font-size:.9em;background:#f4f4f4;padding:0 .2em;word-break:break-all}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.6em;overflow-x:auto;white-space:pre-wrap}pre code{background:none}
figure.diagram{margin:.8em 0;overflow-x:auto}figure.diagram svg{max-width:100%;height:auto}
@media print{body{max-width:none;margin:0;font-size:10.5pt}h2{break-before:auto}h1,h2,h3,h4{break-after:avoid}
table,figure,pre{break-inside:avoid}a{color:inherit;text-decoration:none}figure.diagram{overflow:visible}
@page{size:A4;margin:15mm}}
`;

/** An id for a heading, as GitHub makes them: lower case, spaces to dashes, punctuation dropped. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** Inline Markdown of the report to HTML. */
export function inline(md: string): string {
  const out: string[] = [];
  // Code spans first: inside them nothing is Markdown (`\|` in a table cell is a plain |).
  const parts = md.split(/(`[^`]*`)/);
  for (const part of parts) {
    if (part.startsWith('`') && part.endsWith('`') && part.length >= 2) {
      out.push(`<code>${xml(part.slice(1, -1).replace(/\\\|/g, '|'))}</code>`);
      continue;
    }
    let s = part
      .replace(/&(lt|gt|amp);/g, '\u0000$1;')
      .replace(/\\([\\`*_[\]<>|#])/g, (_m, ch: string) => `\u0001${ch.charCodeAt(0)}\u0002`);
    s = xml(s).replace(/\u0000(lt|gt|amp);/g, '&$1;');
    s = s
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[\s(])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
      .replace(/\[([^\]]+)\]\((#[^)\s]+|https?:[^)\s]+|[\w./-]+)\)/g, '<a href="$2">$1</a>');
    s = s.replace(/\u0001(\d+)\u0002/g, (_m, code: string) => xml(String.fromCharCode(Number(code))));
    out.push(s);
  }
  return out.join('');
}

function cells(row: string): string[] {
  const body = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  const out: string[] = [];
  let cur = '';
  let inCode = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\' && body[i + 1] === '|') {
      cur += '\\|';
      i++;
      continue;
    }
    if (ch === '`') inCode = !inCode;
    if (ch === '|' && !inCode) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** The report's Markdown as HTML body content. */
export function markdownToHtml(md: string): string {
  const lines = md.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).startsWith('```'); i++)
        body.push(lines[i] as string);
      i++;
      out.push(
        `<pre><code${fence[1] ? ` class="language-${xml(fence[1])}"` : ''}>${xml(body.join('\n'))}</code></pre>`,
      );
      continue;
    }
    if (line.startsWith('<figure')) {
      out.push(line);
      i++;
      continue;
    }
    const h = /^(#{1,6}) (.*)$/.exec(line);
    if (h) {
      const level = (h[1] as string).length;
      const text = h[2] as string;
      out.push(`<h${level} id="${xml(slug(text.replace(/\\/g, '')))}">${inline(text)}</h${level}>`);
      i++;
      continue;
    }
    if (line.startsWith('|')) {
      const rows: string[] = [];
      for (; i < lines.length && (lines[i] as string).startsWith('|'); i++) rows.push(lines[i] as string);
      const [head, , ...body] = rows;
      out.push(
        '<table>',
        `<thead><tr>${cells(head ?? '')
          .map((c) => `<th>${inline(c)}</th>`)
          .join('')}</tr></thead>`,
        '<tbody>',
        ...body.map(
          (r) =>
            `<tr>${cells(r)
              .map((c) => `<td>${inline(c)}</td>`)
              .join('')}</tr>`,
        ),
        '</tbody></table>',
      );
      continue;
    }
    if (/^\s*- /.test(line)) {
      // Nested items go inside the item before them, as HTML wants.
      const items: string[] = [];
      let nested: string[] = [];
      const flush = () => {
        if (nested.length > 0) items[items.length - 1] += `<ul>${nested.join('')}</ul>`;
        nested = [];
      };
      for (; i < lines.length && /^\s*- /.test(lines[i] as string); i++) {
        const l = lines[i] as string;
        const text = inline(l.replace(/^\s*- /, ''));
        if (/^\s{2,}- /.test(l) && items.length > 0) nested.push(`<li>${text}</li>`);
        else {
          flush();
          items.push(`<li>${text}`);
        }
      }
      flush();
      out.push(`<ul>${items.map((x) => `${x}</li>`).join('')}</ul>`);
      continue;
    }
    const para: string[] = [];
    for (
      ;
      i < lines.length &&
      (lines[i] as string).trim() !== '' &&
      !/^(#{1,6} |```|\||\s*- |<figure)/.test(lines[i] as string);
      i++
    )
      para.push(lines[i] as string);
    out.push(`<p>${inline(para.join(' '))}</p>`);
  }
  return out.join('\n');
}

/** The whole page: the report as HTML with its styles, in `lang`. */
export function htmlPage(markdown: string, lang: Lang): string {
  const title = /^# (.*)$/m.exec(markdown)?.[1] ?? 'socket-lab';
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${xml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    markdownToHtml(markdown),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
