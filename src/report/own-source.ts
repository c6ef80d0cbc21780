/**
 * Where in a student's code a failing check's call is made (issue #18: a failing check points at
 * the line). The trace says which call failed a check, never which line made it, so the line is
 * found in the source the run recorded (own.sources): a Python traceback names it (proven), else a
 * line whose text makes that call is "the call in your code that matches" (probably, not proven).
 * Pure: runs in, a file and a line out.
 */
import type { LogRecord } from './parse.js';

/** What this file reads of an own run (own-checks.ts's OwnRun has it; no import back, no cycle). */
export interface RunSources {
  started: LogRecord;
  sources: LogRecord | undefined;
  output: readonly LogRecord[];
}
type OwnRun = RunSources;
const str = (r: LogRecord | undefined, k: string): string | undefined => {
  const v = r?.fields[k];
  return typeof v === 'string' ? v : undefined;
};

/**
 * The files of the folder that the command names: each word of the command, without quotes, is
 * compared with the file's path (`server.py`, `./server.py`, `src/server.py`). A compiled program
 * (`./echo_server`) names no source: then no file is marked.
 */
export function namedByCommand(command: string, path: string): boolean {
  const clean = (s: string) => s.replace(/^['"]|['"]$/g, '').replace(/^\.\//, '');
  const p = clean(path);
  return command
    .split(/\s+/)
    .map(clean)
    .some((w) => w !== '' && (w === p || w.endsWith(`/${p}`) || p.endsWith(`/${w}`)));
}

/** A line of the student's source that a finding points at. */
export interface SourceRef {
  path: string;
  /** 1-based, as the Implementation section numbers it. */
  line: number;
  text: string;
  /** `traceback`: the program's own traceback names the line; `match`: its text makes the call. */
  how: 'traceback' | 'match';
}

/** The kinds of call a check can blame, and the source text that makes each (Python and C alike). */
export type CallKind = 'read' | 'write' | 'accept' | 'bind' | 'connect' | 'exit-word';

/**
 * The patterns of each kind, best first: a socket's own call before the generic `read(`/`write(`,
 * which files and terminals share (a `print` or `sys.stdout.write` is not the socket's write).
 */
const PATTERNS: Record<CallKind, RegExp[]> = {
  read: [/\b(recv_into|recvfrom_into|recvfrom|recvmsg|recv)\s*\(/, /(?<![.\w]stdin\.)\bread\s*\(/],
  write: [/\b(sendall|sendto|sendmsg|send)\s*\(/, /(?<!std(out|err)\.)\bwrite\s*\(/],
  accept: [/\baccept4?\s*\(/],
  bind: [/\bbind\s*\(/],
  connect: [/\bconnect(_ex)?\s*\(/, /\bcreate_connection\s*\(/],
  'exit-word': [/["']exit(\\n)?["']/],
};

interface File {
  path: string;
  lines: string[];
  ran: boolean;
  /** Names set to a value in this file (`BUF = 4096`, `#define BUF 4096`), found in one pass. */
  constants?: Map<string, string>;
}

/**
 * The recorded files with text that may hold the call: the ones the command names (the code that
 * ran), when it names any recorded file; else every file with text (a compiled program's command
 * names no source). A named file without text (not UTF-8, too large) leaves nothing to point at:
 * a decoy file beside it is never blamed for what the named one did.
 */
function files(runs: readonly OwnRun[]): File[] {
  const out: File[] = [];
  const seen = new Set<string>();
  let named = false;
  for (const run of runs) {
    const recorded = run.sources?.fields.files;
    if (!Array.isArray(recorded)) continue;
    const command = str(run.started, 'command') ?? '';
    for (const f of recorded as Array<Record<string, unknown>>) {
      if (typeof f.path !== 'string') continue;
      const ran = namedByCommand(command, f.path);
      named ||= ran;
      if (typeof f.text !== 'string' || seen.has(f.path)) continue;
      seen.add(f.path);
      out.push({ path: f.path, lines: f.text.split('\n'), ran });
    }
  }
  return named ? out.filter((f) => f.ran) : out;
}

/** A line's code without its comment: Python's `#`, C's `//` (a whole-line `/* ... *` too). */
function codeOf(path: string, line: string): string {
  const t = line.trim();
  if (t.startsWith('//') || t.startsWith('/*') || t.startsWith('*')) return '';
  if (/\.py$/.test(path)) return line.replace(/#.*$/, '');
  return line.replace(/\/\/.*$/, '');
}

/**
 * The line that makes a call of `kind`, in the files that ran first. With `value` (the size a read
 * asked for, the address a bind gave), a line holding it, or naming a constant set to it, wins over
 * the first line that makes the call; the result is a textual match all the same.
 */
export function locateCall(runs: readonly OwnRun[], kind: CallKind, value?: string): SourceRef | undefined {
  const all = files(runs);
  for (const pattern of PATTERNS[kind]) {
    const hits: Array<{ file: File; i: number; code: string }> = [];
    for (const file of all) {
      file.lines.forEach((l, i) => {
        const code = codeOf(file.path, l);
        if (pattern.test(code)) hits.push({ file, i, code });
      });
    }
    if (hits.length === 0) continue;
    const best =
      (value !== undefined ? hits.find((h) => holds(h.file, h.code, value)) : undefined) ?? hits[0]!;
    return { path: best.file.path, line: best.i + 1, text: best.file.lines[best.i]!.trim(), how: 'match' };
  }
  return undefined;
}

/** The line holds the value itself, or a name that the file sets to it (`BUF = 4096`, `#define BUF 4096`). */
function holds(file: File, code: string, value: string): boolean {
  const esc = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (new RegExp(`(^|[^\\w.])${esc}($|[^\\w.])`).test(code)) return true;
  file.constants ??= constantsOf(file.lines);
  const constants = file.constants;
  // Linear: each name of the line looked up once (a hostile line of thousands of names stays cheap).
  return (code.match(/[A-Za-z_]\w*/g) ?? []).some((name) => constants.get(name) === value);
}

/** Every `NAME = value` and `#define NAME value` of a file, in one pass over its lines. */
function constantsOf(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of lines) {
    const m =
      /^\s*(?:#define\s+([A-Za-z_]\w*)\s+|([A-Za-z_]\w*)\s*=\s*)['"]?([^'"\s#/]+)['"]?\s*(?:#.*|\/\/.*)?$/.exec(
        l,
      );
    const name = m?.[1] ?? m?.[2];
    if (name !== undefined && !out.has(name)) out.set(name, m![3]!);
  }
  return out;
}

/**
 * The line a Python traceback names last among the recorded files: where the program really was
 * when it failed (`File "client.py", line 13, in main`).
 */
export function tracebackLine(run: OwnRun): SourceRef | undefined {
  const all = files([run]);
  const stderr = run.output.filter((r) => str(r, 'stream') === 'stderr').map((r) => str(r, 'text') ?? '');
  for (const t of [...stderr].reverse()) {
    const m = /^\s*File "([^"]+)", line (\d+)/.exec(t);
    if (!m) continue;
    const named = m[1]!.replace(/\\/g, '/');
    const file = all.find((f) => named === f.path || named.endsWith(`/${f.path}`));
    const n = Number(m[2]);
    if (!file || n < 1 || n > file.lines.length) continue;
    return { path: file.path, line: n, text: file.lines[n - 1]!.trim(), how: 'traceback' };
  }
  return undefined;
}

/** What a program's code does to a socket's blocking mode, as its text shows it. */
export interface BlockingMode {
  /** `non-blocking`: a line makes a socket non-blocking; `timeout`: a line sets a timeout; `none`: neither. */
  kind: 'non-blocking' | 'timeout' | 'none';
  /** The line that does it (kind non-blocking or timeout). */
  where?: SourceRef;
  /** The recorded files searched (the code that ran): none means the mode is not known from the code. */
  paths: string[];
}

/**
 * Whether the code that ran makes a socket non-blocking: `setblocking(False)`, `settimeout(0)`,
 * `O_NONBLOCK`, `SOCK_NONBLOCK` or `FIONBIO` (Python's setblocking() sets the mode with an ioctl
 * that the runner's trace does not record, so the code is the evidence); a `settimeout(t)` with
 * another value is a timeout, not a non-blocking socket as the program sees it.
 */
export function blockingMode(runs: readonly OwnRun[]): BlockingMode {
  // Each run's own code (the files its command names): one program's files are not another's.
  const all: File[] = [];
  for (const run of runs) for (const f of files([run])) if (!all.some((x) => x.path === f.path)) all.push(f);
  const paths = all.map((f) => f.path);
  const patterns: Array<[BlockingMode['kind'], RegExp]> = [
    [
      'non-blocking',
      /\bsetblocking\s*\(\s*(False|0)\s*\)|\bsettimeout\s*\(\s*0(\.0*)?\s*\)|\bO_NONBLOCK\b|\bSOCK_NONBLOCK\b|\bFIONBIO\b/,
    ],
    ['timeout', /\bsettimeout\s*\(\s*(?!None\s*\))[^)\s]/],
  ];
  for (const [kind, pattern] of patterns) {
    for (const file of all) {
      const i = file.lines.findIndex((l) => pattern.test(codeOf(file.path, l)));
      if (i >= 0)
        return {
          kind,
          where: { path: file.path, line: i + 1, text: file.lines[i]!.trim(), how: 'match' },
          paths,
        };
    }
  }
  return { kind: 'none', paths };
}
