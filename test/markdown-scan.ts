/**
 * Parse-free checks of the report's Markdown (test helper): the text outside code, found by the
 * CommonMark rules for fences and code spans only, and the marks that text may hold.
 */

/** The Markdown with fenced code blocks and code spans removed (their content is shown as text). */
export function outsideCode(md: string): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of md.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line.replace(/^(?:> ?| {2,})+/, ''));
    if (fence !== undefined) {
      if (
        m &&
        m[1]?.[0] === fence[0] &&
        (m[1]?.length ?? 0) >= fence.length &&
        line.trim() === line.trim().replace(/[^`~]/g, '')
      )
        fence = undefined;
      continue;
    }
    if (m) {
      fence = m[1];
      continue;
    }
    out.push(withoutSpans(line));
  }
  return out.join('\n');
}

/** One line without its code spans: a run of n backticks up to the next run of exactly n. */
function withoutSpans(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === '\\' && i + 1 < line.length) {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch !== '`') {
      out += ch;
      i++;
      continue;
    }
    let n = 0;
    while (line[i + n] === '`') n++;
    const rest = line.slice(i + n);
    const close = new RegExp(`(?<!\`)\`{${n}}(?!\`)`).exec(rest);
    if (!close) {
      out += '`'.repeat(n);
      i += n;
      continue;
    }
    out += ' ';
    i += n + close.index + n;
  }
  return out;
}

/** What in `md` (outside code) a Markdown renderer could turn into HTML, a link or an autolink. */
export function liveMarkup(md: string): string[] {
  const text = outsideCode(md);
  const found: string[] = [];
  // Backslash escapes are text: drop them (and what they escape) before looking.
  const bare = text.replace(/\\[\s\S]/g, ' ');
  for (const m of bare.matchAll(/<|>/g)) found.push(`raw ${m[0]} at ${m.index}: ${around(bare, m.index)}`);
  for (const m of bare.matchAll(/\]\(/g)) {
    const rest = bare.slice(m.index);
    if (!/^\]\(#[\p{L}\p{M}\p{N}_-]+\)/u.test(rest))
      found.push(`link not to an anchor: ${around(bare, m.index)}`);
  }
  for (const m of bare.matchAll(/!\[|\[[^\]]*\]\[|^\s*\[[^\]]*\]:/gm))
    found.push(`image or reference: ${around(bare, m.index)}`);
  for (const m of bare.matchAll(/\p{L}:(?=[^\s])|www\.|@/giu))
    found.push(`autolink or mention: ${around(bare, m.index)}`);
  for (const m of bare.matchAll(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
  ))
    found.push(`control character U+${(m[0].codePointAt(0) ?? 0).toString(16)}`);
  return found;
}

function around(s: string, i: number): string {
  return JSON.stringify(s.slice(Math.max(0, i - 30), i + 30));
}
