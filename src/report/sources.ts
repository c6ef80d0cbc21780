import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ReportInput } from './index.js';

/**
 * Lines of a stream without their `\n` (a `\r` before it stays; the parser drops it), in batches:
 * one batch per chunk read, so that a big log costs one promise per chunk, not one per line. A last
 * line without a line end is kept too.
 */
export async function* linesOf(stream: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    if (lines.length > 0) yield lines;
  }
  rest += decoder.end();
  if (rest !== '') yield [rest];
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
      // 1 MiB reads: a tenth of the chunks (and batches) of the default 64 KiB.
      return linesOf(createReadStream(file, { highWaterMark: 1 << 20 }))[Symbol.asyncIterator]();
    },
  };
}
