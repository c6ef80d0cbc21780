/**
 * A minimal reader for the YAML that Compose v1 (`docker-compose config`, PyYAML's block style)
 * prints, because v1 has no `--format json`. It reads block mappings, block sequences (also the
 * "indentless" ones PyYAML writes under a key), plain and quoted scalars, `{}`, `[]` and scalars
 * continued on more-indented lines. Not a general YAML parser: no anchors, tags, flow
 * collections with content, or block scalars (`|`, `>`), none of which that output contains for
 * the keys the doctor reads.
 */
export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
}

export function parseComposeYaml(source: string): Yaml {
  const lines: Line[] = [];
  for (const raw of source.split(/\r?\n/)) {
    const text = raw.trimStart();
    if (text === '' || text.startsWith('#') || text === '---') continue;
    lines.push({ indent: raw.length - text.length, text: text.trimEnd() });
  }
  let at = 0;

  const isItem = (l: Line) => l.text === '-' || l.text.startsWith('- ');

  // A scalar may go on over the following lines that are indented deeper than its key.
  function scalarFrom(first: string, keyIndent: number): Yaml {
    let text = first;
    while (at < lines.length && lines[at]!.indent > keyIndent) {
      text += ` ${lines[at]!.text}`;
      at++;
    }
    return scalar(text);
  }

  function node(indent: number): Yaml {
    const l = lines[at];
    if (!l || l.indent < indent) return null;
    return isItem(l) ? sequence(l.indent) : mapping(l.indent);
  }

  // The value after `key:` when nothing follows on the line: the block below, if any.
  function blockValue(keyIndent: number): Yaml {
    const next = lines[at];
    if (next && (next.indent > keyIndent || (next.indent === keyIndent && isItem(next)))) {
      return node(next.indent);
    }
    return null;
  }

  function mapping(indent: number): Yaml {
    const out: { [key: string]: Yaml } = {};
    while (at < lines.length && lines[at]!.indent === indent && !isItem(lines[at]!)) {
      const { key, rest } = splitKey(lines[at]!.text);
      at++;
      out[key] = rest === '' ? blockValue(indent) : scalarFrom(rest, indent);
    }
    return out;
  }

  function sequence(indent: number): Yaml[] {
    const out: Yaml[] = [];
    while (at < lines.length && lines[at]!.indent === indent && isItem(lines[at]!)) {
      const rest = lines[at]!.text.slice(1).trimStart();
      if (rest === '') {
        at++;
        out.push(blockValue(indent));
      } else if (looksLikeKey(rest)) {
        // "- key: value": a mapping whose keys line up two columns further in.
        lines[at] = { indent: indent + 2, text: rest };
        out.push(mapping(indent + 2));
      } else {
        at++;
        out.push(scalarFrom(rest, indent));
      }
    }
    return out;
  }

  return node(0);
}

function looksLikeKey(text: string): boolean {
  if (text.startsWith("'") || text.startsWith('"')) {
    const end = quotedEnd(text);
    return end > 0 && (text.slice(end + 1) === ':' || text.slice(end + 1).startsWith(': '));
  }
  return /^[^\s:][^:]*?:( |$)/.test(text) && !text.startsWith('{') && !text.startsWith('[');
}

/** Index of the closing quote of a quoted scalar at the start of `text`, or -1. */
function quotedEnd(text: string): number {
  const q = text[0];
  for (let i = 1; i < text.length; i++) {
    if (q === "'" && text[i] === "'") {
      if (text[i + 1] === "'") i++;
      else return i;
    } else if (q === '"' && text[i] === '\\') i++;
    else if (q === '"' && text[i] === '"') return i;
  }
  return -1;
}

function splitKey(text: string): { key: string; rest: string } {
  if (text.startsWith("'") || text.startsWith('"')) {
    const end = quotedEnd(text);
    return { key: String(scalar(text.slice(0, end + 1))), rest: text.slice(end + 2).trim() };
  }
  const colon = text.search(/:( |$)/);
  if (colon < 0) throw new SyntaxError(`not a "key: value" line: ${text}`);
  return { key: text.slice(0, colon), rest: text.slice(colon + 1).trim() };
}

function scalar(text: string): Yaml {
  if (text.startsWith("'") && text.endsWith("'") && text.length >= 2) {
    return text.slice(1, -1).replaceAll("''", "'");
  }
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) {
    return JSON.parse(text) as string;
  }
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (text === 'null' || text === '~') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+$/.test(text)) return Number(text);
  return text;
}
