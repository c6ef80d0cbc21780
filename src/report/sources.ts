import { createReadStream } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ReportInput } from './index.js';

/**
 * The bounds of one log as the report reads it. Real logs are tens of KB and their lines a few
 * hundred bytes (a preview is cut at 64 bytes); the bounds leave a wide margin and still keep a
 * hostile file from taking the teacher's memory or minutes of time.
 */
export const READ_LIMITS = {
  /** Longest line: a longer one refuses the whole input ("line 12 of x.jsonl is longer than 1 MiB"). */
  maxLineBytes: 1024 * 1024,
  /** Most bytes read from one log (a file, standard input, a member of a submission). */
  maxSourceBytes: 256 * 1024 * 1024,
  /** Most lines handed over in one batch: a chunk of blank lines must not become millions of strings at once. */
  maxBatchLines: 4096,
  /**
   * Most lines of one log that are not log lines of the lab (blank, not JSON, another program's):
   * past it the file is not a log of the lab (31 MiB of `x` lines passed grading once, after minutes).
   */
  maxForeignLines: 100_000,
} as const;

/** An argument that names nothing readable: the CLI shows its message and exits 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** An input past one of READ_LIMITS; `source` is the name shown (a file name), `line` 1-based. */
export class ReadLimitError extends InputError {
  constructor(
    readonly limit: 'line' | 'source' | 'foreign',
    readonly source: string,
    readonly line: number,
    readonly bytes: number,
  ) {
    super(
      limit === 'line'
        ? `line ${line} of ${source} is longer than ${bytes / 1048576} MiB`
        : limit === 'foreign'
          ? `${source}: more than ${bytes} lines are not socket-lab log lines (up to line ${line}): not a log of the lab`
          : `${source} is larger than ${bytes / 1048576} MiB (read up to line ${line})`,
    );
  }
}

/**
 * The bounds of one run, whatever its logs hold: a lab run has a few dozen programs, conversations
 * and chat messages; a class's run (the teacher's server) a few thousand. Past these the logs are
 * not one run of the lab, and the report and grading refuse them with one reason instead of
 * spending the teacher's minutes and memory on them.
 */
export const RUN_LIMITS = {
  /** Processes (source and pid). */
  maxPrograms: 1024,
  /** TCP connections, chat memberships and client sessions together. */
  maxConversations: 20_000,
  /** Chat lines: messages sent, received and relayed. */
  maxChatLines: 20_000,
} as const;

/** Logs past one of RUN_LIMITS. */
export class RunLimitError extends InputError {
  constructor(
    readonly what: keyof typeof RUN_LIMITS,
    readonly count: number,
    readonly limit: number,
  ) {
    const noun = {
      maxPrograms: 'programs (pids)',
      maxConversations: 'connections and sessions',
      maxChatLines: 'chat message lines',
    }[what];
    super(`the logs hold more than ${limit} ${noun} (${count}): that is not one run of the lab; not read`);
  }
}

/**
 * Lines of a stream without their `\n` (a `\r` before it stays; the parser drops it), in batches of
 * at most READ_LIMITS.maxBatchLines, so that a big log costs one promise per batch, not one per
 * line. A last line without a line end is kept too. Lines are cut in the bytes and decoded one by
 * one: decoding a whole chunk first makes one big string (two bytes per character as soon as one
 * line holds a non-ASCII character, as Russian explanations do) that costs several times more to
 * split. The part of a line that runs over chunks is kept as a list of pieces and joined once, at
 * its end: joining at every chunk would copy a long line again and again (quadratic). A line longer
 * than `limits.maxLineBytes`, or a source longer than `limits.maxSourceBytes`, throws
 * ReadLimitError naming `name` and the line, before the line is ever joined.
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
    if (total > maxSource) throw new ReadLimitError('source', name, lineNo + 1, maxSource);
    let start = 0;
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, start)) {
      lineNo++;
      if (restBytes + i - start > maxLine) throw new ReadLimitError('line', name, lineNo, maxLine);
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
      if (restBytes > maxLine) throw new ReadLimitError('line', name, lineNo + 1, maxLine);
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
      return linesOf(createReadStream(file, { highWaterMark: 1 << 18 }), basename(file))[
        Symbol.asyncIterator
      ]();
    },
  };
}
