/**
 * Parse-free reading of the report's HTML (test helper): every tag with its attributes, from the
 * renderer's output or from Chromium's serialised DOM, to compare with what the renderer makes.
 */

export interface Tag {
  name: string;
  attrs: Array<[string, string]>;
}

const TAG = /<(\/?)([A-Za-z][^\s/>]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/y;
const ATTR = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/**
 * The opening tags of `html`, in order. Every `<` must start a tag, an end tag or the doctype:
 * a `<` anywhere else (or a comment, CDATA, processing instruction) is reported in `stray`.
 */
export function scanTags(html: string): { tags: Tag[]; stray: string[] } {
  const tags: Tag[] = [];
  const stray: string[] = [];
  let i = 0;
  for (;;) {
    const at = html.indexOf('<', i);
    if (at < 0) break;
    if (/^<!DOCTYPE html>/i.test(html.slice(at, at + 15))) {
      i = at + 15;
      continue;
    }
    TAG.lastIndex = at;
    const m = TAG.exec(html);
    if (!m) {
      stray.push(JSON.stringify(html.slice(Math.max(0, at - 20), at + 40)));
      i = at + 1;
      continue;
    }
    i = TAG.lastIndex;
    const name = (m[2] as string).toLowerCase();
    if (m[1] === '/') continue;
    const attrs: Array<[string, string]> = [];
    for (const a of (m[3] ?? '').matchAll(ATTR))
      attrs.push([(a[1] as string).toLowerCase(), decode(a[2] ?? a[3] ?? a[4] ?? '')]);
    tags.push({ name, attrs });
    // A stylesheet's text is not markup.
    if (name === 'style') {
      const end = html.toLowerCase().indexOf('</style>', i);
      i = end < 0 ? html.length : end;
    }
  }
  return { tags, stray };
}

function decode(v: string): string {
  return v
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Element and attribute names as `tag` and `tag@attr`. */
export function vocabulary(tags: readonly Tag[]): Set<string> {
  const out = new Set<string>();
  for (const t of tags) {
    out.add(t.name);
    for (const [a] of t.attrs) out.add(`${t.name}@${a}`);
  }
  return out;
}

/**
 * What in `html` the renderer did not make: elements or attributes outside `allowed`, event
 * handlers, scripts, links that leave the page, external or `javascript:` URLs anywhere.
 */
export function foreignMarkup(html: string, allowed: ReadonlySet<string>): string[] {
  const { tags, stray } = scanTags(html);
  const found = stray.map((s) => `stray <: ${s}`);
  for (const t of tags) {
    if (!allowed.has(t.name)) found.push(`element ${t.name}`);
    if (t.name === 'script' || t.name === 'iframe' || t.name === 'object' || t.name === 'embed')
      found.push(`active element ${t.name}`);
    for (const [a, v] of t.attrs) {
      if (!allowed.has(`${t.name}@${a}`)) found.push(`attribute ${t.name}@${a}`);
      if (a.startsWith('on')) found.push(`event handler ${t.name}@${a}`);
      if ((a === 'href' || a === 'xlink:href') && !v.startsWith('#')) found.push(`link ${t.name}@${a}=${v}`);
      if (a === 'src' || a === 'srcset' || a === 'action' || a === 'formaction')
        found.push(`${t.name}@${a}=${v}`);
      if (/javascript:|data:text|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i.test(v) && !(t.name === 'meta'))
        found.push(`URL in ${t.name}@${a}=${v}`);
      if (/url\((?!#)/i.test(v)) found.push(`external url() in ${t.name}@${a}=${v}`);
    }
  }
  return found;
}
