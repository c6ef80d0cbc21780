/**
 * The report on a folder of recorded logs, as the tests read it: the folder analysed as the CLI
 * does (its captures beside the logs when asked for), and a part of the rendered Markdown.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Analysis, analyse, findCaptures } from '../src/report/index.ts';

export interface DirOptions {
  /** Read the two captures beside the logs too (the test fails when they are not both there). */
  captures?: boolean;
  /** Each log line through this first (a test's edit of a recorded run). */
  edit?: (file: string, line: string) => string;
}

/** Every `*.jsonl` of `dir` analysed as one run, as `socket-lab report DIR` does. */
export async function analyseDir(dir: string, o: DirOptions = {}): Promise<Analysis> {
  const captures = o.captures ? await findCaptures([dir]) : undefined;
  if (o.captures) assert.ok(captures && captures.files.length === 2, 'both captures beside the logs');
  const edit = o.edit ?? ((_f: string, l: string) => l);
  const names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
  return analyse(
    names.map((n) => ({
      name: n.replace(/\.jsonl$/, ''),
      lines: (async function* () {
        yield readFileSync(join(dir, n), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => edit(n, l));
      })(),
    })),
    captures ? { captures } : {},
  );
}

/** A part of the report: from its heading to the next heading of the same level or above. */
export function part(md: string, heading: string): string {
  const start = md.indexOf(heading);
  assert.ok(start >= 0, `the report has ${heading}`);
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const rest = md.slice(start + heading.length);
  const next = rest.search(new RegExp(`\\n#{1,${level}} `));
  return heading + (next < 0 ? rest : rest.slice(0, next));
}
