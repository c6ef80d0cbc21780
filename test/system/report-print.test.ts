/**
 * The report's diagrams as a reader sees them (issue 20, print and screen): in headless Chromium,
 * no two texts of one SVG overlap, for every diagram of the fixture runs. The page that measures
 * is the test's own (a script calls getBBox); the report page itself runs no script.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyse, lazyLines, render } from '../../src/report/index.ts';
import { CHROMIUM, load } from './chromium.ts';
import { needs } from './needs.ts';
import { defer } from '../helpers.ts';

/** For each SVG: the pairs of its texts whose boxes intersect (by more than a pixel each way). */
const MEASURE = `
const out = [];
document.querySelectorAll('svg').forEach((svg, si) => {
  const boxes = [...svg.querySelectorAll('text')].map((t) => ({ b: t.getBBox(), s: t.textContent }));
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].b, b = boxes[j].b;
      const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (w > 1 && h > 1) out.push(si + ': ' + JSON.stringify(boxes[i].s) + ' / ' + JSON.stringify(boxes[j].s));
    }
});
const pre = document.createElement('pre');
pre.id = 'overlaps';
pre.textContent = JSON.stringify({ svgs: document.querySelectorAll('svg').length, overlaps: out });
document.body.append(pre);
`;

test('report diagrams: no two texts of one SVG overlap', async (t) => {
  if (!needs(t, { tools: [CHROMIUM] }, 'the printed report is laid out in a real browser')) return;
  const dir = await mkdtemp(join(tmpdir(), 'report-print-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  for (const fixture of ['lab', 'docker']) {
    const from = join('test/fixtures/report', fixture);
    const files = readdirSync(from).filter((f) => f.endsWith('.jsonl'));
    const analysis = await analyse(
      files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(from, f)) })),
    );
    for (const lang of ['en', 'ru'] as const) {
      const html = render(analysis, lang, { format: 'html' });
      const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
      const page = join(dir, `${fixture}-${lang}.html`);
      await writeFile(
        page,
        `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${svgs.join('\n')}<script>${MEASURE}</script></body></html>`,
      );
      const { dom } = await load(page);
      const found = /<pre id="overlaps">([^<]*)<\/pre>/.exec(dom);
      assert.ok(found, 'the measuring script ran');
      const result = JSON.parse((found[1] as string).replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as {
        svgs: number;
        overlaps: string[];
      };
      assert.equal(result.svgs, svgs.length);
      assert.ok(svgs.length >= 4, `${fixture} ${lang}: diagrams to measure`);
      assert.deepEqual(result.overlaps, [], `${fixture} ${lang}`);
    }
  }
});
