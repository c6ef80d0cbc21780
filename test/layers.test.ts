import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The import rules of docs/ARCHITECTURE.md, checked on the source: every import (type-only ones
// too) goes to the same folder or to a lower layer, and no two files import each other through
// any path. A new folder under src/ fails here until it is given its layer (here and in the doc).

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Layer of each folder of src/, bottom first; `.` is the shared modules at the top of src/. */
const LAYERS: Record<string, number> = {
  '.': 0, // errors.ts, options.ts, limits.ts, version.ts
  text: 0,
  log: 1,
  net: 2,
  tcp: 3,
  udp: 3,
  own: 3, // a student's own programs: the strace reader and the runner
  report: 4,
  // Beside the report: wire/explain.ts builds the report's document blocks (report/document).
  wire: 4,
  doctor: 4,
  bench: 5,
  demo: 5,
  classroom: 5,
  cli: 6,
};
/** src/cli.ts, the program's entry point, sits above everything. */
const ENTRY = 'cli.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const files = sources(SRC).map((f) => relative(SRC, f));
const imports = new Map<string, string[]>(
  files.map((f) => {
    const text = readFileSync(join(SRC, f), 'utf8');
    const specs = [...text.matchAll(/\b(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
      relative(SRC, resolve(SRC, dirname(f), m[1]!.replace(/\.js$/, '.ts'))),
    );
    return [f, specs];
  }),
);

const folder = (f: string) => (f.includes('/') ? f.slice(0, f.indexOf('/')) : '.');

test('every import goes to the same folder or a lower layer', () => {
  const unknown = [...new Set(files.map(folder))].filter((d) => LAYERS[d] === undefined);
  assert.deepEqual(unknown, [], 'give each folder its layer in test/layers.test.ts and docs/ARCHITECTURE.md');
  const upward: string[] = [];
  for (const [f, deps] of imports) {
    if (f === ENTRY) continue;
    for (const d of deps) {
      assert.ok(files.includes(d), `${f} imports ${d}, which does not exist`);
      if (d === ENTRY || LAYERS[folder(d)]! > LAYERS[folder(f)]!) upward.push(`${f} -> ${d}`);
    }
  }
  assert.deepEqual(upward, []);
});

test('no import cycle, type-only imports included', () => {
  // Tarjan's strongly connected components: any component of two or more files is a cycle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of imports.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) component.push(w);
    if (component.length > 1) cycles.push(component.sort().join(' '));
  };
  for (const f of files) if (!index.has(f)) visit(f);
  assert.deepEqual(cycles, [], 'import cycles (type-only imports included)');
});
