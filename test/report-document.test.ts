/**
 * The report's two renderers (src/report/document/): every hostile kind of text stays text, in
 * Markdown and in HTML, and our own marks (prose) become the runs they say.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  code,
  codeBlock,
  figure,
  fill,
  heading,
  link,
  list,
  paragraph,
  prose,
  strong,
  table,
  text,
} from '../src/report/document/build.ts';
import { CSP, htmlBody, toHtml } from '../src/report/document/html.ts';
import { blocksToMarkdown, escapeText, inline } from '../src/report/document/markdown.ts';
import type { Block, Document } from '../src/report/document/model.ts';
import { foreignMarkup, scanTags, vocabulary } from './html-scan.ts';
import { liveMarkup, outsideCode } from './markdown-scan.ts';

/** One of each kind of text that could be read as something else. */
const HOSTILE: Record<string, string> = {
  markup: '<script>alert(1)</script><img src=x onerror=alert(2)><figure>',
  'markdown syntax': '**b** _e_ ~~s~~ $x$ [^1] # h > q ![i](x.png) [l][r] <!-- c -->',
  newlines: 'a\nb\r\nc\u2028d\u2029e',
  'line starts': '\n- item\n1. one\n# head\n    indented\n=====',
  control: 'bell\x07 esc\x1b[31mred\x1b[0m nul\x00 del\x7f csi\x9b2J',
  bidi: 'abc\u202edcba\u2066x\u2069\u200f',
  'javascript: URLs': 'javascript:alert(1) [x](javascript:alert(1)) <javascript:alert(1)>',
  autolinks: 'http://evil.example www.evil.example a@b.co @teacher mailto:a@b.co',
  backticks: '` `` ``` ````x````',
  pipes: 'a|b\\|c|',
  entities: '&lt;script&gt; &#60;img&#62; &amp;',
};

const md = (blocks: readonly Block[]) => blocksToMarkdown(blocks);

function everywhere(s: string): Block[] {
  return [
    heading(2, s),
    heading(3, [code(s)]),
    paragraph([text(s), code(s), strong(text(s))]),
    list([s, [code(s)]], false),
    list([s], true),
    table(
      [s, 'x'],
      [
        [s, [code(s)]],
        [[strong(code(s))], s],
      ],
    ),
    codeBlock(s, 'text'),
    codeBlock(s, 'python', { firstLine: 7, notes: [{ line: 7, content: [text(s)] }] }),
    figure({ mermaid: `sequenceDiagram\n  A->>B: ${s.replace(/[^a-z ]/gi, '_')}`, caption: s }),
  ];
}

for (const [kind, s] of Object.entries(HOSTILE)) {
  test(`markdown renderer: ${kind} in every place stays text`, () => {
    const out = md(everywhere(s));
    assert.deepEqual(liveMarkup(out), [], out);
    // No line of the output starts a block the document did not make.
    const bare = outsideCode(out).split('\n');
    for (const l of bare) {
      if (l === '' || /^(#{2,3} |\| |- |1\. |\*)/.test(l) || /^ {2,}/.test(l)) continue;
      assert.ok(!/^(\s*[-+*]\s|\s*\d+[.)]\s|#|>|={3,}|-{3,}|\s{4})/.test(l), `line starts a block: ${l}`);
    }
    // Every table row keeps the header's two cells.
    for (const l of out.split('\n').filter((x) => x.startsWith('| ')))
      assert.equal(l.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length, 4, l);
    // Nothing a terminal acts on: `report` prints this Markdown.
    assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
  });

  test(`html renderer: ${kind} in every place stays text`, () => {
    const body = htmlBody(everywhere(s));
    const benign = vocabulary(scanTags(htmlBody(everywhere('plain words'))).tags);
    assert.deepEqual(foreignMarkup(body, benign), []);
    assert.doesNotMatch(body, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
  });
}

test('markdown renderer: code spans and fences are longer than any backtick run inside', () => {
  assert.equal(inline([code('a`b')]), '``a`b``');
  assert.equal(inline([code('`x`')]), '`` `x` ``');
  assert.equal(inline([code('a|b')], 'table'), '`a\\|b`');
  assert.equal(inline([code('a|b')]), '`a|b`');
  const fenced = md([codeBlock('```\nrm -rf /\n```', 'sh')]);
  assert.match(fenced, /^````sh\n```\nrm -rf \/\n```\n````\n$/);
  assert.equal(inline([code('esc\x1b[2J')]), '`esc\\e[2J`');
});

test('markdown renderer: text escapes', () => {
  assert.equal(escapeText('<b>&'), '&lt;b&gt;&amp;');
  assert.equal(escapeText('javascript:alert(1)'), 'javascript\\:alert(1)');
  assert.equal(escapeText('Note: 12:30'), 'Note: 12:30', 'a colon before a space or after a digit is kept');
  assert.equal(escapeText('line\nbreak'), 'line\\\\nbreak');
  assert.equal(escapeText('#1 x', true), '\\#1 x');
  assert.equal(escapeText('#1 x'), '#1 x');
});

test('renderers: links go to anchors of the document only', () => {
  const blocks = [paragraph([link('checks', text('Checks')), link('javascript:alert(1)', text('x'))])];
  assert.equal(md(blocks), '[Checks](#checks)x\n');
  assert.equal(htmlBody(blocks), '<p><a href="#checks">Checks</a>x</p>');
});

test('prose: marks come from our literal text only; values are text', () => {
  const evil = '**x** `y` [l](#a) *e*';
  const runs = prose`**bold ${evil}** and \`code ${evil}\` see [Checks](#checks) *${evil}*`;
  assert.deepEqual(runs, [
    strong(text(`bold ${evil}`)),
    text(' and '),
    code(`code ${evil}`),
    text(' see '),
    link('checks', text('Checks')),
    text(' '),
    { kind: 'emphasis', content: [text(evil)] },
  ]);
  // An unclosed mark in our text is shown as it is.
  assert.deepEqual(prose`a * b ** c`, [text('a * b ** c')]);
  // fill(): a text function of named parameters; its string parameters stay text.
  const f = (p: { name: string; n: number }) => `**${p.name}** sent ${p.n} \`bytes\``;
  assert.deepEqual(fill(f, { name: '`x` **y**', n: 3 }), [
    strong(text('`x` **y**')),
    text(' sent 3 '),
    code('bytes'),
  ]);
});

test('html page: a Content-Security-Policy that allows no script, the stylesheet by its hash', () => {
  const doc: Document = {
    title: '<t>',
    lang: 'ru',
    blocks: [heading(1, 'T'), heading(2, 'A'), heading(2, 'A')],
  };
  const page = toHtml(doc);
  assert.match(
    CSP,
    /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; base-uri 'none'; form-action 'none'$/,
  );
  assert.ok(!/script-src/.test(CSP), 'script falls to default-src none');
  assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
  assert.match(page, /<title>&lt;t&gt;<\/title>/);
  assert.match(page, /<html lang="ru">/);
  // Repeated headings get unique ids, as GitHub gives them.
  assert.match(page, /<h2 id="a">A<\/h2>\n<h2 id="a-1">A<\/h2>/);
});

test('code block with line numbers and notes', () => {
  const b = codeBlock('import socket\ns = socket.socket()', 'python', {
    firstLine: 9,
    notes: [{ line: 10, content: [text('socket(): fd 3')] }],
  });
  assert.equal(
    md([b]),
    // The noted line is marked `>` (the others `|`), its note under it.
    '```python\n 9 | import socket\n10 > s = socket.socket()\n   | ^ socket(): fd 3\n```\n',
  );
  const html = htmlBody([b]);
  assert.match(
    html,
    /<span class="ln">9<\/span>import socket\n<span class="ln">10<\/span><span class="noted">s = socket\.socket\(\)<\/span>/,
  );
  assert.match(html, /<span class="line-note">↳ socket\(\): fd 3<\/span>/);
});

test("a code block without line numbers keeps its lines in HTML (a program's printed lines)", () => {
  const html = htmlBody([codeBlock('[04:23:05] Сервер запускается\nПодключился клиент\x1b[31m', 'text')]);
  assert.match(
    html,
    /<code class="language-text">\[04:23:05\] Сервер запускается\nПодключился клиент\\e\[31m<\/code>/,
  );
  assert.ok(!html.includes('запускается\\n'), 'a line break is a line break, not the two characters \\n');
});

test('html renderer: check marks are drawn, not left to an emoji font', () => {
  const body = htmlBody([paragraph('✅ pass, ❌ fail, ➖ n/a')]);
  assert.equal(
    body,
    '<p><span class="mark pass" role="img" aria-label="✅"></span> pass, <span class="mark fail" role="img" aria-label="❌"></span> fail, <span class="mark na" role="img" aria-label="➖"></span> n/a</p>',
  );
  assert.equal(md([paragraph('✅ pass')]), '✅ pass\n', 'Markdown keeps the character');
});

test('renderers: a table or list longer than a call has room for arguments', () => {
  const n = 150_000; // Math.max(...a) throws from about 125 000 elements on Node 20's default stack
  const rows = Array.from({ length: n }, (_, i) => [String(i), 'x']);
  const items = Array.from({ length: n }, (_, i) => String(i));
  const blocks = [table(['n', 'x'], rows), list([{ content: [text('all')], children: [list(items)] }])];
  // header, separator, rows; a blank line; the item and its nested items; the final newline.
  assert.equal(md(blocks).split('\n').length, 2 + n + 1 + 1 + n + 1);
  assert.ok(htmlBody(blocks).endsWith('</li></ul></li></ul>'));
});
