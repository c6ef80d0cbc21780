/**
 * Issue 16 in a real browser: the HTML report of hostile logs, loaded in headless Chromium, has no
 * element, attribute or link the renderer did not make. The allow-list is what the same browser
 * shows for the plain fixture run; the hostile pages are the issue's own payload (the `xss/`
 * fixture) and the run with every string field, file name and capture note replaced.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyse, findCaptures, lazyLines, render } from '../../src/report/index.ts';
import { foreignMarkup, scanTags, vocabulary } from '../html-scan.ts';
import { XSS, everyField, reportOf } from '../hostile-lab.ts';
import { CHROMIUM, load } from './chromium.ts';
import { needs } from './needs.ts';
import { defer } from '../helpers.ts';

test('report html: hostile logs add no element, attribute or link in Chromium', async (t) => {
  if (!needs(t, { tools: [CHROMIUM] }, 'hostile logs are opened in a real browser')) return;
  const dir = await mkdtemp(join(tmpdir(), 'report-xss-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const open = async (name: string, html: string) => {
    const file = join(dir, name);
    await writeFile(file, html);
    return load(file);
  };

  // The detector itself: a page with an injected handler and script is caught.
  const caught = await open(
    'bad.html',
    '<!DOCTYPE html><html><body><img src="x" onerror="1"><script>1</script></body></html>',
  );
  assert.ok(foreignMarkup(caught.dom, new Set(['html', 'head', 'body'])).length >= 3, 'the check can fail');

  // What the browser shows for the plain run (with a capture note): the allow-list.
  const plain = await reportOf({
    values: [],
    names: [],
    extra: undefined,
    off: { name: 'lab-capture-server.off', reason: 'off' },
    student: 'A',
  });
  const allowed = new Set<string>();
  for (const [i, p] of plain.entries()) {
    const { dom, console: messages } = await open(`plain-${i}.html`, p.html);
    assert.deepEqual(messages, [], 'the plain page loads without a console message');
    for (const v of vocabulary(scanTags(dom).tags)) allowed.add(v);
  }
  assert.ok(allowed.has('svg') && allowed.has('a@href') && allowed.has('meta@http-equiv'));

  const pages: Array<[string, string]> = [];
  for (const [i, r] of (await reportOf(everyField())).entries()) pages.push([`every-field-${i}`, r.html]);
  const files = readdirSync(XSS).filter((f) => f.endsWith('.jsonl'));
  const captures = await findCaptures([XSS]);
  const issue = await analyse(
    files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(XSS, f)) })),
    captures ? { captures } : {},
  );
  for (const lang of ['en', 'ru'] as const)
    pages.push([`issue16-${lang}`, render(issue, lang, { format: 'html' })]);

  for (const [name, html] of pages) {
    const { dom, console: messages } = await open(`${name}.html`, html);
    assert.deepEqual(foreignMarkup(dom, allowed), [], `${name}: only the renderer's markup`);
    // Nothing tried to run or load: the CSP would have said so in the console.
    assert.deepEqual(messages, [], `${name}: console is clean`);
    assert.match(dom, /&lt;script&gt;/, `${name}: the payload is on the page, as text`);
  }
});
