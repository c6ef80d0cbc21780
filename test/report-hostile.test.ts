/**
 * Hostile logs against the report (issue 16): whatever a log, a capture note or a file name
 * holds, the Markdown has no raw HTML and no link, autolink or mention it did not make, and the
 * HTML has no element, attribute or link the renderer does not make for a plain run. Property
 * test over a real fixture run with its string fields replaced; the issue's own payload as a
 * fixed regression case. (The same pages in a real browser: test/system/report-xss.test.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyse, findCaptures, lazyLines, render } from '../src/report/index.ts';
import { foreignMarkup } from './html-scan.ts';
import { PATHS, SOURCES, XSS, allowed, everyField, hostile, reportOf, type Mutation } from './hostile-lab.ts';
import { liveMarkup } from './markdown-scan.ts';

function assertSafe(reports: Array<{ md: string; html: string }>, allow: ReadonlySet<string>, what: string) {
  for (const { md, html } of reports) {
    assert.deepEqual(liveMarkup(md), [], `${what}: Markdown`);
    assert.deepEqual(foreignMarkup(html, allow), [], `${what}: HTML`);
    assert.doesNotMatch(
      md,
      /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/,
      `${what}: control characters`,
    );
  }
}

test('hostile logs: every string field, file name and capture note is text in both formats', async () => {
  const allow = await allowed();
  assert.ok(
    allow.has('svg') && allow.has('table') && allow.has('a@href'),
    'the plain run has diagrams, tables, links',
  );
  assertSafe(await reportOf(everyField()), allow, 'all fields');
  // Found by the property below: an empty reason made "*end:*", an emphasis ending in a colon.
  const values = PATHS.map(([, , key]) => (key === 'reason' ? '' : undefined));
  assert.ok(values.includes(''), 'the plain run has reasons');
  const empty: Mutation = { values, names: [], extra: undefined, off: undefined, student: 'x' };
  assertSafe(await reportOf(empty), allow, 'empty reasons');
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.option(hostile, { freq: 2 }), { minLength: PATHS.length, maxLength: PATHS.length }),
      fc.array(fc.option(hostile), { minLength: SOURCES.length, maxLength: SOURCES.length }),
      fc.option(fc.tuple(hostile, hostile)),
      fc.option(fc.record({ name: hostile, reason: hostile })),
      hostile,
      async (values, names, extra, off, student) => {
        const m: Mutation = {
          values: values.map((v) => v ?? undefined),
          names: names.map((v) => (v ? v : undefined)),
          extra: extra ?? undefined,
          off: off ?? undefined,
          student,
        };
        assertSafe(await reportOf(m), allow, JSON.stringify(m).slice(0, 300));
      },
    ),
    { numRuns: 25 },
  );
});

test('issue 16 regression: the stored-script fixture renders as text', async () => {
  const allow = await allowed();
  const files = readdirSync(XSS).filter((f) => f.endsWith('.jsonl'));
  const captures = await findCaptures([XSS]);
  assert.ok(
    captures?.off.some((o) => o.reason.includes('<script>')),
    'the .off note is read',
  );
  const analysis = await analyse(
    files.map((f) => ({ name: f.replace(/\.jsonl$/, ''), lines: lazyLines(join(XSS, f)) })),
    captures ? { captures } : {},
  );
  for (const lang of ['en', 'ru'] as const) {
    const md = render(analysis, lang);
    const html = render(analysis, lang, { format: 'html' });
    assertSafe([{ md, html }], allow, lang);
    // The payload is there, shown: a visible line break, escaped markup.
    assert.match(md, /user-exit\\\\n&lt;figure&gt;&lt;img src=x onerror=alert\(document\.domain\)&gt;/);
    assert.match(html, /user-exit\\n&lt;figure&gt;&lt;img src=x onerror=alert\(document\.domain\)&gt;/);
    assert.match(html, /&lt;script&gt;alert\(&quot;off&quot;\)&lt;\/script&gt;/);
    assert.ok(!html.includes('<img') && !html.includes('<script'), 'no element from the logs');
  }
});
