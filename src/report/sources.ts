import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ReportInput } from './index.js';

/** Lines of a stream, without their line ends; a last line without one is kept too. */
export function linesOf(stream: Readable): AsyncIterable<string> {
  return createInterface({ input: stream, crlfDelay: Infinity });
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

export function lazyLines(file: string): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]() {
      return linesOf(createReadStream(file))[Symbol.asyncIterator]();
    },
  };
}
