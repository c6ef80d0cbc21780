/**
 * The HTML report in a real headless Chromium (Debian's `chromium`): it loads offline from file://,
 * every diagram is an SVG the page already holds, and the console shows no error.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyse, lazyLines, render } from '../src/report/index.js';
import { chromiumMissing, load } from './system/chromium.ts';

const LAB = 'test/fixtures/report/lab';

test('report html: loads offline in Chromium, every diagram an SVG, no console error', async (t) => {
  const missing = chromiumMissing();
  if (missing) assert.fail(`${missing}: this test needs a real browser`);
  const dir = await mkdtemp(join(tmpdir(), 'report-html-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
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
    assert.deepEqual(messages, [], `${lang}: console is clean (the stylesheet matches the CSP's hash)`);
    const figures = dom.match(/<figure class="diagram">[\s\S]*?<\/figure>/g) ?? [];
    assert.equal(figures.length, mermaid, `${lang}: one figure per diagram of the Markdown`);
    for (const f of figures)
      assert.match(f, /^<figure class="diagram"><svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(!dom.includes('```'), `${lang}: no Markdown fence left`);
    assert.match(dom, /<table>/);
    assert.match(dom, /Ann &lt;Lee&gt;/, `${lang}: the name is escaped text`);
    assert.match(dom, /@media print/, `${lang}: a print stylesheet`);
    assert.doesNotMatch(dom, /\*\*/, `${lang}: no literal Markdown marks`);

    // The page's Content-Security-Policy runs no script, even one that got in.
    const injected = join(dir, `injected.${lang}.html`);
    await writeFile(injected, html.replace('</body>', '<script>console.log("RAN")</script></body>'));
    const blocked = await load(injected);
    assert.ok(!blocked.console.some((l) => l.includes('"RAN"')), `${lang}: the script did not run`);
    assert.ok(
      blocked.console.some((l) => /Content Security Policy/.test(l)),
      `${lang}: the CSP refused it`,
    );
    assert.match(
      dom,
      lang === 'ru' ? /<h2[^>]*>Контрольные вопросы<\/h2>/ : /<h2[^>]*>Control questions<\/h2>/,
    );
  }
});
