/**
 * The HTML report in a real headless Chromium (Debian's `chromium`): it loads offline from file://,
 * every diagram is an SVG the page already holds, and the console shows no error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyse, lazyLines, render } from '../../src/report/index.js';
import { needs } from './needs.ts';
import { defer } from '../helpers.ts';

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';
const LAB = 'test/fixtures/report/lab';

interface Loaded {
  dom: string;
  console: string[];
}

/** Loads `file` in headless Chromium, with every network request sent to a closed port. */
async function load(file: string): Promise<Loaded> {
  const profile = await mkdtemp(join(tmpdir(), 'report-html-profile-'));
  try {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        CHROMIUM,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          // Offline: anything the page tried to fetch would fail (and show in the console).
          '--proxy-server=127.0.0.1:9',
          `--user-data-dir=${profile}`,
          '--enable-logging=stderr',
          '--v=0',
          '--dump-dom',
          `file://${file}`,
        ],
        { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
        (err, out, errOut) => (err ? reject(err) : resolve({ stdout: out, stderr: errOut })),
      );
    });
    return {
      dom: stdout,
      console: stderr.split('\n').filter((l) => /CONSOLE|Failed to load|net::ERR/.test(l)),
    };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

test('report html: loads offline in Chromium, every diagram an SVG, no console error', async (t) => {
  if (!needs(t, { tools: [CHROMIUM] }, 'a real browser (apt-get install chromium, or set CHROMIUM)')) return;
  const dir = await mkdtemp(join(tmpdir(), 'report-html-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const files = (await readdir(LAB)).filter((f) => f.endsWith('.jsonl'));
  const analysis = await analyse(
    files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(LAB, f)) })),
  );
  const markdown = render(analysis, 'en');
  const mermaid = (markdown.match(/```mermaid/g) ?? []).length;
  assert.ok(mermaid >= 4, 'the Markdown twin has the diagrams as Mermaid');

  // The detector itself: a page that logs an error must be caught.
  const bad = join(dir, 'bad.html');
  await writeFile(bad, '<!DOCTYPE html><html><body><script>console.error("boom")</script></body></html>');
  assert.ok((await load(bad)).console.length > 0, 'console errors are seen');

  for (const lang of ['en', 'ru'] as const) {
    const html = render(analysis, lang, { format: 'html', student: 'Ann <Lee>', group: 'G-1' });
    assert.ok(!/\b(src|href)="https?:/.test(html), 'nothing to fetch from the network');
    assert.ok(!html.includes('<script'), 'no script: nothing can fail at run time');
    const file = join(dir, `report.${lang}.html`);
    await writeFile(file, html);
    const { dom, console: messages } = await load(file);
    assert.deepEqual(messages, [], `${lang}: console is clean`);
    const figures = dom.match(/<figure class="diagram">[\s\S]*?<\/figure>/g) ?? [];
    assert.equal(figures.length, mermaid, `${lang}: one figure per diagram of the Markdown`);
    for (const f of figures)
      assert.match(f, /^<figure class="diagram"><svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(!dom.includes('```'), `${lang}: no Markdown fence left`);
    assert.match(dom, /<table>/);
    assert.match(dom, /Ann &lt;Lee&gt;/, `${lang}: the name is escaped text`);
    assert.match(dom, /@media print/, `${lang}: a print stylesheet`);
    assert.match(
      dom,
      lang === 'ru' ? /<h2[^>]*>Контрольные вопросы<\/h2>/ : /<h2[^>]*>Control questions<\/h2>/,
    );
  }
});
