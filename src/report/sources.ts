import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ReportInput } from './index.js';

/**
 * Lines of a stream without their `\n` (a `\r` before it stays; the parser drops it), in batches:
 * one batch per chunk read, so that a big log costs one promise per chunk, not one per line. A last
 * line without a line end is kept too. Lines are cut in the bytes and decoded one by one: decoding
 * a whole chunk first makes one big string (two bytes per character as soon as one line holds a
 * non-ASCII character, as Russian explanations do) that costs several times more to split.
 */
export async function* linesOf(stream: Readable): AsyncGenerator<string[]> {
  let rest: Buffer | undefined;
  for await (const chunk of stream) {
    const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    const lines: string[] = [];
    let start = 0;
    let i = bytes.indexOf(10);
    if (rest && i !== -1) {
      // The line the last chunk began: only its own bytes are joined, not the whole chunk.
      lines.push(Buffer.concat([rest, bytes.subarray(0, i)]).toString('utf8'));
      rest = undefined;
      start = i + 1;
      i = bytes.indexOf(10, start);
    }
    for (; i !== -1; i = bytes.indexOf(10, start)) {
      lines.push(bytes.toString('utf8', start, i));
      start = i + 1;
    }
    if (start < bytes.length) rest = rest ? Buffer.concat([rest, bytes]) : bytes.subarray(start);
    if (lines.length > 0) yield lines;
  }
  if (rest) yield [rest.toString('utf8')];
}

/** Every `*.jsonl` file in `dir`, sorted by name. */
export async function jsonlFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  const files: string[] = [];
  for (const n of names) if ((await stat(join(dir, n))).isFile()) files.push(join(dir, n));
  return files;
}

/** The source name of a file: its name without the extension (`/logs/lab-server.jsonl` -> `lab-server`). */
export function sourceName(file: string): string {
  return basename(file, extname(file));
}

/** An argument that names nothing readable: the CLI shows its message and exits 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
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
      inputs.push({ name: 'stdin', lines: linesOf(stdin) });
      continue;
    }
    let info;
    try {
      info = await stat(arg);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(
        code === 'ENOENT'
          ? `${arg}: no such file or directory`
          : `${arg}: cannot read it (${code ?? String(err)})`,
      );
    }
    const files = info.isDirectory() ? await jsonlFiles(arg) : [arg];
    if (info.isDirectory() && files.length === 0) {
      throw new InputError(
        `${arg}: no *.jsonl files in this directory (collect the logs first: socket-lab collect)`,
      );
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
      return linesOf(createReadStream(file, { highWaterMark: 1 << 18 }))[Symbol.asyncIterator]();
    },
  };
}
