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
  const headLines = heads.reduce((m, h) => Math.max(m, h.length), 1);
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

/**
 * The topology picture: clients on the left, hops in the middle (when there are any), servers on
 * the right. Edge labels never overlap: in each gap between two columns every label has its own
 * row, and its edge is routed through that row (from the source to the row, along it under the
 * label, then to the target). Box texts wrap to the box.
 */
export function topologySvg(t: Topology): SvgMarkup {
  const hasHop = t.nodes.some((n) => n.kind === 'hop');
  const column = (kind: Topology['nodes'][number]['kind']) =>
    kind === 'client' ? 0 : kind === 'hop' ? 1 : hasHop ? 2 : 1;
  const boxW = 220;
  const gap = 230;
  const colW = boxW + gap;
  const lineH = 15;
  const place = new Map<string, { x: number; y: number; h: number; lines: string[]; col: number }>();
  const yNext = [20, 20, 20];
  for (const n of t.nodes) {
    const c = column(n.kind);
    const lines = [
      ...wrap(n.label, (boxW - 16) / 7.2),
      ...n.addresses.flatMap((a) => wrap(a, (boxW - 16) / 7.2)),
    ];
    const h = 16 + lines.length * lineH;
    place.set(n.id, { x: 20 + c * colW, y: yNext[c] ?? 20, h, lines, col: c });
    yNext[c] = (yNext[c] ?? 20) + h + 40;
  }
  // Each column centred on the tallest one.
  const tallest = Math.max(...yNext);
  for (const [c, used] of yNext.entries()) {
    const shift = (tallest - used) / 2;
    for (const p of place.values()) if (p.col === c) p.y += shift;
  }
  // Where each edge leaves its source and enters its target: spread over the box's height.
  const anchor = (id: string, side: 'from' | 'to', e: (typeof t.edges)[number]) => {
    const p = place.get(id);
    if (!p) return 0;
    const mine = t.edges.filter((x) => (side === 'from' ? x.from : x.to) === id);
    return p.y + (p.h * (mine.indexOf(e) + 1)) / (mine.length + 1);
  };
  // Labels: one row each per gap, in the order of their edges' midpoints, never above the last.
  const labelRoom = (gap - 30) / 6.2;
  const rows = t.edges.map((e) => {
    const a = place.get(e.from);
    const b = place.get(e.to);
    const y1 = anchor(e.from, 'from', e);
    const y2 = anchor(e.to, 'to', e);
    return { e, a, b, y1, y2, lines: wrap(e.label, labelRoom), top: 0 };
  });
  const bottom = new Map<number, number>();
  for (const r of [...rows].sort((p, q) => p.y1 + p.y2 - (q.y1 + q.y2))) {
    if (!r.a || !r.b) continue;
    const h = r.lines.length * 13;
    const ideal = (r.y1 + r.y2) / 2 - h - 2;
    const top = Math.max(ideal, bottom.get(r.a.col) ?? 4);
    r.top = top;
    bottom.set(r.a.col, top + h + 10);
  }
  const width = (hasHop ? 2 : 1) * colW + boxW + 40;
  const height = Math.max(tallest, ...bottom.values()) + 10;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`,
    '<defs><marker id="tarrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
  ];
  for (const r of rows) {
    if (!r.a || !r.b) continue;
    const x1 = r.a.x + boxW;
    const x2 = r.b.x;
    const left = x1 + 12;
    const right = x2 - 12;
    const yLine = r.top + r.lines.length * 13 + 2;
    out.push(
      `<polyline points="${x1},${r.y1} ${left},${yLine} ${right},${yLine} ${x2},${r.y2}" fill="none" stroke="#333" marker-end="url(#tarrow)"/>`,
      multiline(
        (left + right) / 2,
        r.top + 10,
        r.lines,
        `text-anchor="middle" ${FONT} font-size="10"`,
      ).replace(/dy="14"/g, 'dy="13"'),
    );
  }
  for (const n of t.nodes) {
    const p = place.get(n.id);
    if (!p) continue;
    const fill = n.kind === 'server' ? '#e7f5e9' : n.kind === 'hop' ? '#fdecea' : '#eef3fb';
    const rx = n.kind === 'hop' ? 16 : 4;
    out.push(
      `<rect x="${p.x}" y="${p.y}" width="${boxW}" height="${p.h}" rx="${rx}" fill="${fill}" stroke="#555"/>`,
    );
    const labelLines = wrap(n.label, (boxW - 16) / 7.2).length;
    p.lines.forEach((line, i) => {
      out.push(
        `<text x="${p.x + boxW / 2}" y="${p.y + 20 + i * lineH}" text-anchor="middle" ${FONT}${i < labelLines ? ' font-weight="bold"' : ''}>${xml(line)}</text>`,
      );
    });
  }
  out.push('</svg>');
  // Every text above went through xml(): this is the one place that makes SvgMarkup.
  return out.join('') as SvgMarkup;
}
