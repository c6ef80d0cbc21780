/**
 * The report's diagrams drawn as inline SVG, so that the HTML report needs no script and no network:
 * sequence diagrams from the same participants and steps the Mermaid text is made of, and the
 * topology picture. Every text from the logs is XML-escaped.
 */
import { visible } from '../text/escape.js';
import type { SvgMarkup } from './document/model.js';
import type { Participant, Step } from './mermaid.js';
import type { Topology } from './topology.js';

/** Text safe inside SVG elements and attributes, control and bidi characters shown as escapes. */
export function xml(text: string): string {
  return visible(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"';
const COL = 190;
const ROW = 30;
const MAX_CHARS = 30;

function cut(text: string, max = MAX_CHARS * 2): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Line height of wrapped text, in px (font-size 12). */
const LINE = 14;
/** At most this many lines per label; a longer text is cut on the last one. */
const MAX_LINES = 4;

/**
 * Breaks `text` into lines of at most `width` characters at spaces (a word longer than a line is
 * split): addresses and numbers stay whole, where cutting at a fixed length would hide them.
 */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(8, Math.floor(width));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let rest = word;
    while (rest.length > w) {
      if (line) lines.push(line);
      lines.push(rest.slice(0, w));
      rest = rest.slice(w);
      line = '';
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= w) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line) lines.push(line);
  if (lines.length > MAX_LINES) {
    const kept = lines.slice(0, MAX_LINES);
    kept[MAX_LINES - 1] = cut(`${kept[MAX_LINES - 1]} …`, w);
    return kept;
  }
  return lines;
}

/** `<text>` with one `<tspan>` per line, the first line's baseline at `y`. */
function multiline(x: number, y: number, lines: readonly string[], attrs: string): string {
  const spans = lines.map((l, i) => `<tspan x="${x}" dy="${i === 0 ? 0 : LINE}">${xml(l)}</tspan>`).join('');
  return `<text x="${x}" y="${y}" ${attrs}>${spans}</text>`;
}

/** A sequence diagram: participants as columns, each step a row (an arrow or a note). */
export function sequenceSvg(
  participants: readonly Participant[],
  steps: readonly Step[],
  options: { maxSteps?: number; truncated?: (n: number) => string } = {},
): SvgMarkup {
  const max = options.maxSteps ?? 150;
  const shown: Step[] = steps.slice(0, max);
  if (steps.length > max && participants.length > 0) {
    const all = participants.map((p) => p.id);
    shown.push({
      kind: 'note',
      over: [all[0] as string, all[all.length - 1] as string],
      text: options.truncated?.(steps.length - max) ?? `${steps.length - max} more steps`,
    });
  }
  const x = new Map(participants.map((p, i) => [p.id, COL / 2 + i * COL + 10]));
  // Header: each participant line wrapped to the box (bold name first).
  const heads = participants.map((p) =>
    p.lines.flatMap((line, i) => wrap(line, MAX_CHARS).map((l) => ({ text: l, bold: i === 0 }))),
  );
  const headLines = Math.max(1, ...heads.map((h) => h.length));
  const headH = 14 + headLines * 15;
  const width = participants.length * COL + 20;
  // Each step: its label wrapped to the room it has; a row grows with its lines.
  const rows = shown.map((s) => {
    if (s.kind === 'arrow') {
      const x1 = x.get(s.from) ?? 0;
      const x2 = x.get(s.to) ?? 0;
      const room = x1 === x2 ? COL - 40 : Math.abs(x2 - x1) - 10;
      return wrap(s.text, Math.max(MAX_CHARS, room / 6.5));
    }
    const xs = s.over.map((id) => x.get(id) ?? 0);
    return wrap(s.text, (Math.max(...xs) - Math.min(...xs) + COL - 40) / 7.2);
  });
  const rowH = rows.map((lines) => ROW + (lines.length - 1) * LINE);
  const top = rowH.map((_, i) => headH + 20 + rowH.slice(0, i).reduce((a, b) => a + b, 0));
  const height = headH + 20 + rowH.reduce((a, b) => a + b, 0) + 10;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="sequence" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
  ];
  participants.forEach((p, pi) => {
    const cx = x.get(p.id) ?? 0;
    out.push(
      `<line x1="${cx}" y1="${headH + 10}" x2="${cx}" y2="${height - 5}" stroke="#999" stroke-dasharray="4 3"/>`,
      `<rect x="${cx - COL / 2 + 8}" y="5" width="${COL - 16}" height="${headH}" rx="4" fill="#eef3fb" stroke="#4a6fa5"/>`,
    );
    (heads[pi] ?? []).forEach((line, i) => {
      out.push(
        `<text x="${cx}" y="${22 + i * 15}" text-anchor="middle" ${FONT}${line.bold ? ' font-weight="bold"' : ''}>${xml(line.text)}</text>`,
      );
    });
  });
  shown.forEach((s, i) => {
    const lines = rows[i] ?? [];
    const extra = (lines.length - 1) * LINE;
    // The label's lines sit above the arrow, which is drawn at the bottom of the row.
    const y = (top[i] ?? 0) + ROW / 2;
    if (s.kind === 'arrow') {
      const x1 = x.get(s.from) ?? 0;
      const x2 = x.get(s.to) ?? 0;
      if (x1 === x2) {
        out.push(
          `<path d="M${x1},${y + extra} h30 v10 h-30" fill="none" stroke="#333" marker-end="url(#arrow)"/>`,
          multiline(x1 + 34, y, lines, FONT),
        );
        return;
      }
      out.push(
        `<line x1="${x1}" y1="${y + 6 + extra}" x2="${x2}" y2="${y + 6 + extra}" stroke="#333"${s.dotted ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow)"/>`,
        multiline((x1 + x2) / 2, y, lines, `text-anchor="middle" ${FONT}`),
      );
      return;
    }
    const xs = s.over.map((id) => x.get(id) ?? 0);
    const left = Math.min(...xs) - COL / 2 + 12;
    const right = Math.max(...xs) + COL / 2 - 12;
    out.push(
      `<rect x="${left}" y="${y - 10}" width="${right - left}" height="${ROW - 8 + extra}" fill="#fff8dc" stroke="#c9a227"/>`,
      multiline((left + right) / 2, y + 5, lines, `text-anchor="middle" ${FONT}`),
    );
  });
  out.push('</svg>');
  // Every text above went through xml(): this is the one place that makes SvgMarkup.
  return out.join('') as SvgMarkup;
}

/** The topology picture: clients on the left, hops in the middle, servers on the right. */
export function topologySvg(t: Topology): SvgMarkup {
  const columns = { client: 0, hop: 1, server: 2 } as const;
  const colW = 260;
  const boxW = 220;
  const lineH = 15;
  const boxH = (n: number) => 16 + (1 + n) * lineH;
  const place = new Map<string, { x: number; y: number; h: number }>();
  const yNext = [20, 20, 20];
  for (const n of t.nodes) {
    const c = columns[n.kind];
    const h = boxH(n.addresses.length);
    place.set(n.id, { x: 20 + c * colW, y: yNext[c] ?? 20, h });
    yNext[c] = (yNext[c] ?? 20) + h + 40;
  }
  // Servers and hops sit in the middle of the height the clients take.
  const total = Math.max(...yNext);
  for (const kind of ['hop', 'server'] as const) {
    const mine = t.nodes.filter((n) => n.kind === kind);
    const used = yNext[columns[kind]] ?? 20;
    const shift = (total - used) / 2;
    for (const n of mine) {
      const p = place.get(n.id);
      if (p) p.y += shift;
    }
  }
  const width = 3 * colW;
  const height = total;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`,
    '<defs><marker id="tarrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
  ];
  t.edges.forEach((e, i) => {
    const a = place.get(e.from);
    const b = place.get(e.to);
    if (!a || !b) return;
    const x1 = a.x + boxW;
    const y1 = a.y + a.h / 2;
    const x2 = b.x;
    const y2 = b.y + b.h / 2 + ((i % 3) - 1) * 6;
    out.push(
      `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#333" marker-end="url(#tarrow)"/>`,
      `<text x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2 - 4}" text-anchor="middle" ${FONT} font-size="10">${xml(cut(e.label, 44))}</text>`,
    );
  });
  for (const n of t.nodes) {
    const p = place.get(n.id);
    if (!p) continue;
    const fill = n.kind === 'server' ? '#e7f5e9' : n.kind === 'hop' ? '#fdecea' : '#eef3fb';
    const rx = n.kind === 'hop' ? 16 : 4;
    out.push(
      `<rect x="${p.x}" y="${p.y}" width="${boxW}" height="${p.h}" rx="${rx}" fill="${fill}" stroke="#555"/>`,
    );
    [n.label, ...n.addresses].forEach((line, i) => {
      out.push(
        `<text x="${p.x + boxW / 2}" y="${p.y + 20 + i * lineH}" text-anchor="middle" ${FONT}${i === 0 ? ' font-weight="bold"' : ''}>${xml(cut(line, 34))}</text>`,
      );
    });
  }
  out.push('</svg>');
  // Every text above went through xml(): this is the one place that makes SvgMarkup.
  return out.join('') as SvgMarkup;
}
