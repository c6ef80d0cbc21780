/**
 * The printed report (issue 20), checked in the PDF itself: the Russian example report, made the
 * way docs/report.md makes docs/examples/report.ru.html (from docs/examples/logs), printed by
 * headless Chromium to an A4 PDF and read back with poppler's `pdftotext -bbox`.
 *
 * What the print stylesheet forbids must not be in the PDF: a code block (of up to
 * PRINT_WHOLE_LINES lines), figure, table row, list item or note split across pages although it
 * would fit on one page; a heading left at the bottom of a page while what it titles starts on the
 * next; a paragraph that introduces a table, figure or code block left behind on the page before it.
 *
 * How the PDF is read: the test's own copy of the page (its CSP removed so that one script runs)
 * puts tiny marker words at the start and the end of every such block before it is printed
 * (inside the text flow, so the layout stays as it was; SVG text inside a diagram). The PDF's
 * words give each marker's page and height on the page. A block whose start and end markers are on
 * different pages is split; it is at fault when its height measured between the markers is already
 * less than a page's content height minus the little the markers cannot see (the block's padding,
 * its first and last line's height): such a block would have fitted on a fresh page.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defer, runCli } from '../helpers.ts';
import { CHROMIUM } from './chromium.ts';
import { needs } from './needs.ts';

/** A4 with the stylesheet's `@page{margin:15mm}`, in PDF points (1/72 in). */
const PAGE_HEIGHT = 841.92;
const MARGIN = (15 / 25.4) * 72;
const CONTENT = PAGE_HEIGHT - 2 * MARGIN;
/** What the markers cannot see of a block: padding and border top and bottom, half a line each end. */
const SLACK = 36;

/**
 * Runs in the test's copy of the page, before printing: marks every block the stylesheet keeps
 * whole (B<n> first, E<n> last), every heading (H<n>) with the start of what follows it (N<n>).
 */
const MARK = `
const SVG = 'http://www.w3.org/2000/svg';
const word = (w) => { const s = document.createElement('span'); s.className = 'pm'; s.textContent = w; return s; };
const svgWord = (svg, w, y) => {
  const t = document.createElementNS(SVG, 'text');
  const vb = svg.viewBox.baseVal;
  t.setAttribute('x', String((vb && vb.width ? vb.x : 0) + 1));
  t.setAttribute('y', String(y));
  t.setAttribute('font-size', '3');
  t.textContent = w;
  svg.append(t);
};
const box = (svg) => {
  const vb = svg.viewBox.baseVal;
  if (vb && vb.height) return { top: vb.y, bottom: vb.y + vb.height };
  return { top: 0, bottom: Number(svg.getAttribute('height')) || 0 };
};
/** Where a block's first text goes: the code of a pre, the first cell of a table, the first item of a list. */
const inner = (el) =>
  el.tagName === 'PRE' ? el.querySelector('code') || el
  : el.tagName === 'TABLE' ? el.querySelector('th,td') || el
  : el.tagName === 'UL' || el.tagName === 'OL' ? el.querySelector('li') || el
  : el;
const start = (el, w) => {
  const svg = el.tagName === 'FIGURE' ? el.querySelector('svg') : null;
  if (svg) svgWord(svg, w, box(svg).top + 3);
  else inner(el).prepend(word(w));
};
const end = (el, w) => {
  const svg = el.tagName === 'FIGURE' ? el.querySelector('svg') : null;
  if (svg) return svgWord(svg, w, box(svg).bottom - 1);
  if (el.tagName === 'PRE') return (el.querySelector('code') || el).append(word(w));
  if (el.tagName === 'TABLE') { const rows = el.querySelectorAll('tr'); const last = rows[rows.length - 1]; last.querySelectorAll('th,td').forEach((c) => c.append(word(w))); return; }
  el.append(word(w));
};
// A block's markers name its kind: QBpre7Q ... QEpre7Q.
let n = 0;
for (const el of document.querySelectorAll('pre, figure, aside, li, tr')) {
  if (el.tagName === 'PRE' && el.closest('figure')) continue;
  if (el.tagName === 'TR' && (el.parentElement.tagName === 'THEAD' || !el.querySelector('th,td'))) continue; // repeated on every page
  // A long code block may break (pre.long): marked, found, not judged.
  const kind = el.tagName === 'PRE' && el.classList.contains('long') ? 'prelong' : el.tagName.toLowerCase();
  const name = kind + n++;
  if (el.tagName === 'TR') {
    const cells = el.querySelectorAll('th,td');
    cells[0].prepend(word('QB' + name + 'Q'));
    cells.forEach((c) => c.append(word('QE' + name + 'Q')));
    continue;
  }
  start(el, 'QB' + name + 'Q');
  end(el, 'QE' + name + 'Q');
}
// Headings by their index among all h2-h5 of the page.
document.querySelectorAll('h2, h3, h4, h5').forEach((el, i) => {
  const next = el.nextElementSibling;
  if (!next) return;
  el.prepend(word('QH' + i + 'Q'));
  start(next, 'QN' + i + 'Q');
});
// Paragraphs that introduce a table, figure or code block, by their index among all p.
document.querySelectorAll('p').forEach((el, i) => {
  const next = el.nextElementSibling;
  if (!next || !['TABLE', 'FIGURE', 'PRE'].includes(next.tagName)) return;
  el.append(word('QP' + i + 'Q'));
  start(next, 'QF' + i + 'Q');
});
// How many blocks were marked: each must be found in the PDF.
document.body.append(word('QT' + n + 'Q'));
const style = document.createElement('style');
// Out of the flow, at the place it would have taken: the page's layout stays as it was.
style.textContent = '.pm{position:absolute;font-size:2px;line-height:1;white-space:nowrap}';
document.head.append(style);
`;

interface Mark {
  page: number;
  top: number;
  bottom: number;
}

/** Every marker word of the PDF (pdftotext -bbox), by name, in reading order. */
function markers(bbox: string): Map<string, Mark[]> {
  const out = new Map<string, Mark[]>();
  const pages = bbox.split(/<page /).slice(1);
  pages.forEach((page, i) => {
    for (const m of page.matchAll(
      /<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g,
    )) {
      for (const name of (m[3] ?? '').match(/Q[BENHTPF][a-z]*\d+Q/g) ?? []) {
        const list = out.get(name) ?? [];
        list.push({ page: i + 1, top: Number(m[1]), bottom: Number(m[2]) });
        out.set(name, list);
      }
    }
  });
  return out;
}

function run(cmd: string, args: string[], timeout = 60_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (err, out, errOut) =>
      err ? reject(new Error(`${cmd}: ${err.message}\n${errOut}`)) : resolve(out),
    ),
  );
}

/** What the printed PDF of `file` (an HTML page of ours, any CSP already removed) breaks against the stylesheet. */
async function printProblems(file: string, dir: string, note: (s: string) => void) {
  const page = (await readFile(file, 'utf8')).replace('</body>', `<script>${MARK}</script></body>`);
  assert.ok(page.includes(MARK), 'the marking script is in the test’s copy');
  const marked = `${file}.marked.html`;
  await writeFile(marked, page);
  const pdf = `${file}.pdf`;
  await run(CHROMIUM, [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-pdf-header-footer',
    '--proxy-server=127.0.0.1:9',
    `--user-data-dir=${join(dir, 'profile')}`,
    `--print-to-pdf=${pdf}`,
    `file://${marked}`,
  ]);
  const bbox = await run('pdftotext', ['-bbox', pdf, '-']);
  const marks = markers(bbox);
  const blocks = [...marks.keys()].filter((k) => k.startsWith('QB')).map((k) => k.slice(2, -1));
  const kindOf = (block: string) => block.replace(/\d+$/, '');
  // The headings' texts, in the page's order (the script numbers them the same way).
  const titles = [...page.matchAll(/<h[2-5][^>]*>([\s\S]*?)<\/h[2-5]>/g)].map((m) =>
    (m[1] ?? '').replace(/<[^>]*>/g, '').slice(0, 70),
  );
  const pages = bbox.split(/<page /).length - 1;
  const total = Number(/^QT(\d+)Q$/.exec([...marks.keys()].find((k) => k.startsWith('QT')) ?? '')?.[1]);
  note(`${pages} pages, ${blocks.length} of ${total} blocks found, ${titles.length} headings`);

  const problems: string[] = [];
  // A marker lost is a block not checked: every block marked must be found.
  if (blocks.length !== total) problems.push(`${total} blocks marked, ${blocks.length} found in the PDF`);
  let split = 0;
  for (const block of blocks) {
    const kind = kindOf(block);
    const b = marks.get(`QB${block}Q`)?.[0];
    const ends = marks.get(`QE${block}Q`) ?? [];
    const e = ends.reduce<Mark | undefined>(
      (a, x) => (!a || x.page > a.page || (x.page === a.page && x.bottom > a.bottom) ? x : a),
      undefined,
    );
    if (!b || !e) {
      problems.push(`${block}: its end marker is not in the PDF`);
      continue;
    }
    if (b.page === e.page) continue;
    split++;
    note(`${block}: pages ${b.page}–${e.page}, ${b.top.toFixed(0)} pt to ${e.bottom.toFixed(0)} pt`);
    if (kind === 'prelong') continue; // the stylesheet lets a long code block break
    // Its height between the markers: what it holds on its first page, on the pages between, on its last.
    const height = MARGIN + CONTENT - b.top + (e.page - b.page - 1) * CONTENT + (e.bottom - MARGIN);
    if (height + SLACK < CONTENT)
      problems.push(
        `${kind} (${block}) split across pages ${b.page}–${e.page}, though it is about ${Math.round(height)} pt tall and a page holds ${Math.round(CONTENT)} pt`,
      );
  }
  let headings = 0;
  titles.forEach((title, id) => {
    const hm = marks.get(`QH${id}Q`)?.[0];
    const next = marks.get(`QN${id}Q`)?.[0];
    if (!hm && !next) return; // the last heading of its section: nothing follows it there
    headings++;
    if (!hm || !next) {
      problems.push(`heading «${title}»: one of its markers is not in the PDF`);
      return;
    }
    if (next.page !== hm.page)
      problems.push(
        `heading «${title}» is the last thing on page ${hm.page}: what it titles starts on page ${next.page}`,
      );
  });
  // A paragraph ending in the line before its table, figure or code block stays with it.
  let intros = 0;
  for (const [name, list] of marks) {
    const m = /^QP(\d+)Q$/.exec(name);
    if (!m) continue;
    intros++;
    const end = list[list.length - 1];
    const next = marks.get(`QF${m[1]}Q`)?.[0];
    if (!end || !next) problems.push(`paragraph ${m[1]}: one of its markers is not in the PDF`);
    else if (next.page !== end.page)
      problems.push(
        `paragraph ${m[1]} ends page ${end.page}, and what it introduces starts page ${next.page}`,
      );
  }
  note(`${split} blocks split across pages (allowed only to a block taller than a page)`);
  const checked = (kind: string) => blocks.filter((b) => kindOf(b) === kind).length;
  return { problems, checked, headings, intros };
}

test('printed report: no block split across pages that would fit on one, no heading alone at a page’s foot', async (t) => {
  if (!needs(t, { tools: [CHROMIUM, 'pdftotext'] }, 'the report printed to PDF by Chromium, read back'))
    return;
  const dir = await mkdtemp(join(tmpdir(), 'report-pdf-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const note = (s: string) => t.diagnostic(s);

  // The detector first: a page that breaks the three rules (a code block forced across a page, a
  // heading and a paragraph pushed off what follows them by forced breaks) must give the three
  // problems, and nothing else.
  const bad = join(dir, 'bad.html');
  const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
  await writeFile(
    bad,
    `<!DOCTYPE html><html><head><meta charset="utf-8"><style>@page{size:A4;margin:15mm}body{margin:0}</style></head><body>
<div style="height:700pt"></div><h3>A heading</h3><p style="break-before:page">its text</p>
<div style="height:600pt"></div><pre style="break-inside:auto"><code>${lines}</code></pre>
<table><tr><td>a row</td></tr></table><p>an introduction:</p><pre style="break-before:page"><code>x</code></pre></body></html>`,
  );
  const caught = await printProblems(bad, dir, note);
  assert.equal(caught.problems.length, 3, caught.problems.join('\n'));
  assert.match(caught.problems[0] ?? '', /^pre \(pre0\) split across pages 2–3/);
  assert.match(caught.problems[1] ?? '', /^heading «A heading» is the last thing on page 1/);
  assert.match(caught.problems[2] ?? '', /^paragraph 1 ends page 3, and what it introduces starts page 4/);

  // The Russian example report, as docs/report.md makes it; its CSP removed in the test's copy
  // only, so that the marking script runs.
  const html = join(dir, 'report.ru.html');
  const cli = runCli(
    [
      'report',
      'docs/examples/logs',
      '--lang',
      'ru',
      '--format',
      'html',
      '--student',
      'Смирнова Ольга Павловна',
      '--group',
      'ИВТ-21',
      '--out',
      html,
    ],
    undefined,
    { TZ: 'UTC' },
  );
  assert.equal(await cli.exited, 0, cli.stderr());
  await writeFile(
    html,
    (await readFile(html, 'utf8')).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''),
  );
  const { problems, checked, headings, intros } = await printProblems(html, dir, note);
  assert.ok(checked('pre') >= 5, 'code blocks were checked');
  assert.ok(checked('figure') >= 3, 'diagrams were checked');
  assert.ok(checked('tr') >= 50, 'table rows were checked');
  assert.ok(headings >= 30, 'headings were checked');
  assert.ok(intros >= 10, 'paragraphs before tables, figures and code were checked');
  assert.deepEqual(problems, []);
});
