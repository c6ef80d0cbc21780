import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ReportInput } from './parse.js';

import { labError } from '../errors.js';
import { READ_LIMITS, readLimitError } from './limits.js';
export * from './limits.js';

/**
 * Lines of a stream without their `\n` (a `\r` before it stays; the parser drops it), in batches of
 * at most READ_LIMITS.maxBatchLines, so that a big log costs one promise per batch, not one per
 * line. A last line without a line end is kept too. Lines are cut in the bytes and decoded one by
 * one: decoding a whole chunk first makes one big string (two bytes per character as soon as one
 * line holds a non-ASCII character, as Russian explanations do) that costs several times more to
 * split. The part of a line that runs over chunks is kept as a list of pieces and joined once, at
 * its end: joining at every chunk would copy a long line again and again (quadratic). A line longer
 * than `limits.maxLineBytes`, or a source longer than `limits.maxSourceBytes`, throws
 * readLimitError naming `name` and the line, before the line is ever joined.
 */
export async function* linesOf(
  stream: AsyncIterable<unknown> | Iterable<unknown>,
  name = 'stdin',
  limits: { maxLineBytes?: number; maxSourceBytes?: number } = {},
): AsyncGenerator<string[]> {
  const maxLine = limits.maxLineBytes ?? READ_LIMITS.maxLineBytes;
  const maxSource = limits.maxSourceBytes ?? READ_LIMITS.maxSourceBytes;
  let rest: Buffer[] = [];
  let restBytes = 0;
  let lineNo = 0;
  let total = 0;
  let lines: string[] = [];
  for await (const chunk of stream) {
    const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.length;
    if (total > maxSource) throw readLimitError('source', name, lineNo + 1, maxSource);
    let start = 0;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, start)) {
      lineNo++;
      if (restBytes + i - start > maxLine) throw readLimitError('line', name, lineNo, maxLine);
      if (restBytes > 0) {
        rest.push(bytes.subarray(start, i));
        lines.push(Buffer.concat(rest, restBytes + i - start).toString('utf8'));
        rest = [];
        restBytes = 0;
      } else lines.push(bytes.toString('utf8', start, i));
      start = i + 1;
      if (lines.length >= READ_LIMITS.maxBatchLines) {
        yield lines;
        lines = [];
      }
    }
    if (start < bytes.length) {
      rest.push(bytes.subarray(start));
      restBytes += bytes.length - start;
      if (restBytes > maxLine) throw readLimitError('line', name, lineNo + 1, maxLine);
    }
    if (lines.length > 0) {
      yield lines;
      lines = [];
    }
  }
  if (restBytes > 0) yield [Buffer.concat(rest, restBytes).toString('utf8')];
}

/**
 * Every `*.jsonl` regular file in `dir`, sorted by name. Inside a directory nothing is followed or
 * opened but regular files (lstat): a student's folder may hold a link to anywhere on the teacher's
 * machine, or a FIFO that would block the read.
 */
export async function jsonlFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  const files: string[] = [];
  for (const n of names) if ((await lstat(join(dir, n))).isFile()) files.push(join(dir, n));
  return files;
}

/** The source name of a file: its name without the extension (`/logs/lab-server.jsonl` -> `lab-server`). */
export function sourceName(file: string): string {
  return basename(file, extname(file));
}

/**
 * Turns command line arguments into report inputs: files, directories (their `*.jsonl` files) and
 * `-` (standard input). No argument means standard input. Files are opened lazily, in order.
 */
export async function openInputs(args: readonly string[], stdin: Readable): Promise<ReportInput[]> {
  const inputs: ReportInput[] = [];
  const list = args.length === 0 ? ['-'] : args;
  for (const arg of list) {
    if (arg === '-') {
      inputs.push({ name: 'stdin', lines: linesOf(stdin, 'stdin') });
      continue;
    }
    let info;
    try {
      info = await stat(arg);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw code === 'ENOENT'
        ? labError('input-missing', { path: arg }, { cause: err })
        : labError('input-unreadable', { path: arg, reason: code ?? String(err) }, { cause: err });
    }
    const files = info.isDirectory() ? await jsonlFiles(arg) : [arg];
    if (info.isDirectory() && files.length === 0) {
      throw labError('input-no-logs', { dir: arg });
    }
    for (const file of files) {
      inputs.push({ name: sourceName(file), lines: lazyLines(file) });
    }
  }
  const seen = new Map<string, number>();
  for (const input of inputs) {
    const n = (seen.get(input.name) ?? 0) + 1;
    seen.set(input.name, n);
    if (n > 1) input.name = `${input.name} (${n})`;
  }
  return inputs;
}

/** The lines of `file` (see linesOf), opened only when iterated. */
export function lazyLines(file: string): AsyncIterable<string[]> {
  return {
    [Symbol.asyncIterator]() {
      // 256 KiB reads: fewer chunks than the default 64 KiB, each still cheap to cut (measured).
      return linesOf(createReadStream(file, { highWaterMark: 1 << 18 }), basename(file))[
        Symbol.asyncIterator
      ]();
    },
  };
}

/**
 * The source of our echo server as it runs beside this module (dist/tcp/echo-server.js in a build,
 * src/tcp/echo-server.ts under tsx), for the report's Implementation section; undefined when
 * neither is there.
 */
export function ourServerSource(): string | undefined {
  for (const name of ['../tcp/echo-server.js', '../tcp/echo-server.ts']) {
    try {
      return readFileSync(fileURLToPath(new URL(name, import.meta.url)), 'utf8');
    } catch {
      // not this one: a build has the .js, a run from the sources the .ts
    }
  }
  return undefined;
}
