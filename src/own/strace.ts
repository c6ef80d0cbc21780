/**
 * strace's text, read as socket calls: pure, bounded, never throws.
 *
 * The runner starts a student's program under `strace -f -ttt -q -yy` (STRACE_ARGS below) and
 * feeds every line to a {@link TraceReader}. The reader joins `<unfinished ...>` / `<... resumed>`
 * halves (they interleave across pids), keeps an fd table per process (copied on fork, shared by
 * threads, dup'ed with dup/fcntl) and reports only what happened on sockets: Python's imports
 * read files, print() writes to a pipe, input() reads the terminal, and none of those is a socket
 * call. `-yy` decorates each fd with what it is (`4<TCP:[10.0.0.1:7007->10.0.0.2:40000]>`), which
 * both confirms the table and gives the addresses of an accepted socket; without it the table alone
 * decides, from socket()/accept()/dup() onwards.
 */
import { Buffer } from 'node:buffer';

/** Longest strace line read; the rest of a longer line is ignored (strace -s keeps them short). */
export const MAX_TRACE_LINE = 4096;
/** Bytes of each read or write strace shows (`-s`): the preview of the call's data. */
export const STRACE_STRING_BYTES = 32;
/**
 * Longest data preview kept from a read or write, in characters: a whole `-s` preview always fits
 * (strace's longest escape, `\320`, is 4 characters a byte), so no byte strace showed is lost; the
 * bound only keeps a log line short if strace ever prints more. Logs written before kept 48
 * characters (12 bytes of Cyrillic): decodePreview reads those too, a cut escape left out.
 */
export const MAX_PREVIEW = STRACE_STRING_BYTES * 4;
/** Unmatched `<unfinished ...>` halves kept at once; a trace cut short cannot grow this without bound. */
const MAX_PENDING = 4096;
/** Processes whose fd tables are kept; a fork bomb's table count stops here (its calls still count). */
const MAX_PROCESSES = 4096;
/** Sockets remembered per fd table. */
const MAX_FDS = 65536;

/** The system calls the runner asks strace for (`-e trace=`): sockets, the reads and writes that may be on them, the waits, and what copies fd tables. */
export const TRACED_CALLS = [
  'socket',
  'bind',
  'listen',
  'accept',
  'accept4',
  'connect',
  'read',
  'readv',
  'recvfrom',
  'recvmsg',
  'write',
  'writev',
  'sendto',
  'sendmsg',
  'shutdown',
  'close',
  'dup',
  'dup2',
  'dup3',
  'fcntl',
  'select',
  'pselect6',
  'poll',
  'ppoll',
  'epoll_wait',
  'epoll_pwait',
  'epoll_ctl',
  'clone',
  'clone3',
  'fork',
  'vfork',
  // Calls that move data to or from a socket without read/recv or write/send: counted like them.
  'splice',
  'tee',
  'sendfile',
  'copy_file_range',
  'recvmmsg',
  'sendmmsg',
  // io_uring does its reads and writes inside the kernel, where strace cannot see them.
  'io_uring_setup',
  'io_uring_enter',
] as const;

/**
 * strace's options before the program: follow forks and threads, epoch times in µs, no attach
 * messages (exits stay), fd decoration, short strings. The runner adds `-o` (see runner.ts).
 */
export const STRACE_ARGS: readonly string[] = [
  '-f',
  '-ttt',
  // The time spent in each call: with the start, when it returned (see the reader).
  '-T',
  '-q',
  '-yy',
  // Fatal signals stay blocked in strace itself: SIGTERM to the process group reaches the
  // program, and strace stays to write how it ended.
  '-I3',
  '-s',
  String(STRACE_STRING_BYTES),
  '-e',
  `trace=${TRACED_CALLS.join(',')}`,
];

export type SocketType = 'tcp' | 'udp' | 'other';
export type Family = 'inet' | 'inet6' | 'unix' | 'other';

/** One socket call of the traced program, as the `own.call` event logs it. */
export interface SocketCall {
  kind: 'call';
  /** When the call returned (ms since the epoch, µs precision). */
  t: number;
  pid: number;
  /** The system call's name as strace prints it (recvfrom, accept4, writev, ...). */
  call: string;
  fd?: number;
  /** Bytes asked for (reads) or offered (writes). */
  size?: number;
  /** The return value; null when strace shows `?` (interrupted, the process died). */
  result: number | null;
  /** errno name when the call failed (ECONNREFUSED, EAGAIN, ...). */
  errno?: string;
  /** Bytes moved (reads and writes that succeeded). */
  bytes?: number;
  /** The other end, address:port (accept's client, connect's server, a read's sender). */
  peer?: string;
  /** This end, address:port (bind's address, or what -yy shows). */
  local?: string;
  family?: Family;
  type?: SocketType;
  backlog?: number;
  /** shutdown's SHUT_RD / SHUT_WR / SHUT_RDWR. */
  how?: string;
  /** The new socket's fd (accept) or the fd the call returned (socket, dup). */
  newFd?: number;
  /** Time between the call's start and its return, when strace showed it in two halves (it blocked). */
  durationMs?: number;
  /**
   * When the call started (ms), only when strace split it in two halves. `t` is always when the
   * call RETURNED: that is when its result happened, so checks measure time between calls from it.
   */
  startedAt?: number;
  /** close(): the socket was a listening one (listen() succeeded on it): no connection, no FIN. */
  listening?: boolean;
  /** A short, strace-escaped preview of the data (what -s kept). */
  data?: string;
  /** splice, sendfile, copy_file_range: the socket (`fd`) was read from or written to. */
  way?: 'read' | 'write';
}

/** A process event: a child appeared, a signal arrived, a process ended, part of it left the trace. */
export interface ProcessEvent {
  kind: 'process';
  t: number;
  pid: number;
  /**
   * escaped: a clone with CLONE_UNTRACED (a child strace is not allowed to follow) or io_uring
   * (reads and writes done by the kernel, not by a traced call): `detail` is the call as strace showed it.
   */
  what: 'spawned' | 'signal' | 'exited' | 'killed' | 'escaped';
  detail?: string;
  /** spawned: the new pid; */
  child?: number;
  /** spawned: a thread (shares the fd table) rather than a process. */
  thread?: boolean;
  signal?: string;
  code?: number;
}

export type TraceEvent = SocketCall | ProcessEvent;

/** Counts the reader keeps about what it could not use (for the runner's summary). */
export interface TraceStats {
  lines: number;
  unparsed: number;
  cut: number;
  orphanResumes: number;
  /** Calls on fds the table says are not sockets (files, pipes, the terminal): read and dropped. */
  notSocket: number;
}

interface SockInfo {
  listening?: boolean;
  family?: Family;
  type?: SocketType;
  local?: string;
  peer?: string;
}

interface FdTable {
  fds: Map<number, SockInfo>;
}

interface Parsed {
  pid: number;
  t: number;
  name: string;
  args: string;
  result: string;
  /** When the call started, for a call strace split in two halves. */
  startT?: number;
}

export interface TraceReader {
  /** Reads one line of strace output (without its newline); returns what it completed. */
  push(line: string): TraceEvent[];
  /** What is still pending at the end of the trace (calls that never returned): reported with a null result. */
  end(): TraceEvent[];
  readonly stats: TraceStats;
}

const HEAD = /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(\d+\.\d+|\d\d:\d\d:\d\d(?:\.\d+)?)\s+(.*)$/;
const CALL_START = /^([a-z_][a-z0-9_]*)\((.*)$/;
const RESUMED = /^<\.\.\. ([a-z_][a-z0-9_]*) resumed>\s?(.*)$/;
const UNFINISHED = ' <unfinished ...>';

function timeOf(text: string): number {
  if (text.includes(':')) {
    // -tt (wall clock of today): good enough for ordering and durations within one run.
    const [h, m, s] = text.split(':');
    return (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  }
  return Number(text) * 1000;
}

/** Splits `args) = result` at the last `) = ` (strings are escaped, but -s may cut them anywhere). */
function splitResult(rest: string): { args: string; result: string; durationMs?: number } | undefined {
  // -T: the time spent in the call, after the result (`= 6 <0.004869>`).
  const spent = / <(\d+\.\d+)>$/.exec(rest);
  const body = spent ? rest.slice(0, spent.index) : rest;
  // strace pads a short call to a column (`listen(3, 5)          = 0`): any spaces before the `=`.
  const m = /^(.*)\) +=(?: (.*))?$/s.exec(body);
  if (!m) return undefined;
  const out: { args: string; result: string; durationMs?: number } = {
    args: m[1] ?? '',
    result: m[2] ?? '',
  };
  if (spent) out.durationMs = Number(spent[1]) * 1000;
  return out;
}

/** Top-level comma split that respects strings, braces, brackets and parentheses. Bounded by the line. */
export function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[' || c === '(' || c === '<') depth++;
    else if (c === '}' || c === ']' || c === ')' || c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = args.slice(start).trim();
  if (last !== '' || out.length > 0) out.push(last);
  return out;
}

/** `4<TCP:[1.2.3.4:5->6.7.8.9:10]>` -> { fd: 4, deco: 'TCP:[...]' }. */
function fdOf(arg: string | undefined): { fd: number; deco?: string } | undefined {
  if (arg === undefined) return undefined;
  const m = /^(-?\d+)(?:<(.*)>)?$/.exec(arg);
  if (!m) return undefined;
  const fd = Number(m[1]);
  if (!Number.isSafeInteger(fd)) return undefined;
  return m[2] === undefined ? { fd } : { fd, deco: m[2] };
}

interface Deco {
  socket: boolean;
  type?: SocketType;
  family?: Family;
  local?: string;
  peer?: string;
}

/** What -yy says an fd is: a TCP/UDP/UNIX socket (with its addresses) or something else. */
function readDeco(deco: string | undefined): Deco | undefined {
  if (deco === undefined) return undefined;
  const m =
    /^(TCP|TCPv6|UDP|UDPv6|UNIX|UNIX-STREAM|UNIX-DGRAM|NETLINK|socket|[A-Z][A-Za-z0-9-]*):\[(.*)\]$/.exec(
      deco,
    );
  if (!m) return { socket: false };
  const proto = m[1] ?? '';
  const inner = m[2] ?? '';
  const type: SocketType = proto.startsWith('TCP') ? 'tcp' : proto.startsWith('UDP') ? 'udp' : 'other';
  const family: Family | undefined = proto.endsWith('v6')
    ? 'inet6'
    : proto === 'TCP' || proto === 'UDP'
      ? 'inet'
      : proto.startsWith('UNIX')
        ? 'unix'
        : undefined;
  const out: Deco = { socket: true, type };
  if (family) out.family = family;
  if (type !== 'other' && !/^\d+$/.test(inner)) {
    const [local, peer] = inner.split('->');
    if (local) out.local = local;
    if (peer) out.peer = peer;
  }
  return out;
}

/** `{sa_family=AF_INET, sin_port=htons(7007), sin_addr=inet_addr("0.0.0.0")}` -> '0.0.0.0:7007'. */
export function sockaddr(arg: string | undefined): { address?: string; family?: Family } {
  if (!arg || !arg.startsWith('{')) return {};
  const fam = /sa_family=(AF_[A-Z0-9]+)/.exec(arg)?.[1];
  if (fam === 'AF_INET') {
    const port = /sin_port=htons\((\d+)\)/.exec(arg)?.[1];
    const addr = /sin_addr=inet_addr\("([0-9.]+)"\)/.exec(arg)?.[1];
    return { family: 'inet', ...(addr && port ? { address: `${addr}:${port}` } : {}) };
  }
  if (fam === 'AF_INET6') {
    const port = /sin6_port=htons\((\d+)\)/.exec(arg)?.[1];
    const addr = /inet_pton\(AF_INET6, "([0-9a-fA-F:.]+)"/.exec(arg)?.[1];
    return { family: 'inet6', ...(addr && port ? { address: `[${addr}]:${port}` } : {}) };
  }
  if (fam === 'AF_UNIX') {
    const path = /sun_path=(@?"[^"]*")/.exec(arg)?.[1];
    return { family: 'unix', ...(path ? { address: path } : {}) };
  }
  return fam ? { family: 'other' } : {};
}

function intOf(arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  const m = /^\d+$/.exec(arg.trim());
  if (!m) return undefined;
  const n = Number(m[0]);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The sum of `iov_len=N` in an iovec list (readv, writev, recvmsg, sendmsg). */
function iovTotal(arg: string | undefined): number | undefined {
  if (!arg) return undefined;
  let total = 0;
  let seen = false;
  for (const m of arg.matchAll(/iov_len=(\d+)/g)) {
    total += Number(m[1]);
    seen = true;
  }
  return seen && Number.isSafeInteger(total) ? total : undefined;
}

/** strace's one-letter escapes (its string printer: \t \n \v \f \r, and the quote and backslash). */
const LETTER_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, '"': 34, '\\': 92 };

/**
 * The text a data preview (an own.call's `data`) stands for: strace's escapes (`\n`, `\t`, `\"`,
 * `\\`, octal `\320`, hex `\xd0`) turned back into bytes and read as UTF-8. `truncated` when strace
 * (-s) or the preview's bound cut it (the trailing `...`): the text is then its first part only, and
 * an escape or a character the cut split is left out rather than guessed.
 */
export function decodePreview(preview: string): { text: string; truncated: boolean } {
  const { bytes, truncated } = decodePreviewBytes(preview);
  let text = Buffer.from(bytes).toString('utf8');
  // A multi-byte character the cut split decodes as U+FFFD at the end: it is not part of the text.
  if (truncated) text = text.replace(/\uFFFD+$/, '');
  return { text, truncated };
}

/**
 * The bytes a data preview stands for, exactly (no UTF-8 reading): the first bytes of the call's
 * data, all of them unless `truncated`. An escape the cut split is left out, never guessed.
 */
export function decodePreviewBytes(preview: string): { bytes: Uint8Array; truncated: boolean } {
  const truncated = preview.endsWith('...');
  const body = truncated ? preview.slice(0, -3) : preview;
  const bytes: number[] = [];
  let cut = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) {
      cut = true;
      break;
    }
    if (next in LETTER_ESCAPES) {
      bytes.push(LETTER_ESCAPES[next]!);
      i++;
    } else if (/[0-7]/.test(next)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      // A cut escape (`\32` of `\320`) at the very end cannot be told from a whole one: leave it out.
      if (truncated && i + 1 + m.length === body.length && m.length < 3) {
        cut = true;
        break;
      }
      bytes.push(parseInt(m, 8) & 0xff);
      i += m.length;
    } else if (next === 'x' && /^[0-9a-fA-F]{2}/.test(body.slice(i + 2))) {
      bytes.push(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (next === 'x') {
      cut = true;
      break;
    } else {
      for (const b of Buffer.from(next, 'utf8')) bytes.push(b);
      i++;
    }
  }
  return { bytes: Uint8Array.from(bytes), truncated: truncated || cut };
}

function previewOf(arg: string | undefined): string | undefined {
  if (!arg) return undefined;
  const m = /"((?:[^"\\]|\\.)*)"(\.\.\.)?/.exec(arg);
  if (!m) return undefined;
  const text = m[1] ?? '';
  return text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW)}...` : `${text}${m[2] ?? ''}`;
}

interface Result {
  value: number | null;
  errno?: string;
  deco?: string;
}

/** `3<TCP:[45173]>`, `-1 ECONNREFUSED (Connection refused)`, `? ERESTARTSYS (...)`, `1 ([{fd=3, ...}])`. */
function readResult(text: string): Result {
  const m = /^(-?\d+|\?|0x[0-9a-f]+)(?:<(.*)>)?(?:\s+([A-Z][A-Z0-9_]+))?/.exec(text.trim());
  if (!m) return { value: null };
  const value = m[1] === '?' || m[1]?.startsWith('0x') ? null : Number(m[1]);
  const out: Result = { value: value !== null && Number.isSafeInteger(value) ? value : null };
  if (m[3] && (out.value === null || out.value < 0)) out.errno = m[3];
  if (m[2] !== undefined) out.deco = m[2];
  return out;
}

const READS = new Set(['read', 'readv', 'recvfrom', 'recvmsg', 'recvmmsg']);
const WRITES = new Set(['write', 'writev', 'sendto', 'sendmsg', 'sendmmsg']);
/** Calls with an fd on each side: which argument is read from, which written to, and the length. */
const PAIRS: Record<string, readonly [number, number, number]> = {
  splice: [0, 2, 4],
  copy_file_range: [0, 2, 4],
  sendfile: [1, 0, 3],
};
const WAITS = new Set(['select', 'pselect6', 'poll', 'ppoll', 'epoll_wait', 'epoll_pwait', 'epoll_ctl']);

/** A fresh reader: one per traced program (its state is that program's processes and fds). */
export function createTraceReader(): TraceReader {
  const tables = new Map<number, FdTable>();
  const pending = new Map<string, { t: number; name: string; head: string }>();
  const stats: TraceStats = { lines: 0, unparsed: 0, cut: 0, orphanResumes: 0, notSocket: 0 };

  function table(pid: number): FdTable {
    let tb = tables.get(pid);
    if (!tb) {
      tb = { fds: new Map() };
      if (tables.size < MAX_PROCESSES) tables.set(pid, tb);
    }
    return tb;
  }

  function remember(tb: FdTable, fd: number, info: SockInfo): void {
    if (tb.fds.size >= MAX_FDS && !tb.fds.has(fd)) return;
    tb.fds.set(fd, info);
  }

  /** The socket behind `fd`, from -yy when present, else from the table; undefined: not a socket. */
  function socketOf(pid: number, ref: { fd: number; deco?: string }): SockInfo | undefined {
    const tb = table(pid);
    const d = readDeco(ref.deco);
    if (d && !d.socket) {
      tb.fds.delete(ref.fd);
      return undefined;
    }
    let info = tb.fds.get(ref.fd);
    if (d) {
      info = { ...info };
      if (d.type) info.type = d.type;
      if (d.family) info.family = d.family;
      if (d.local) info.local = d.local;
      if (d.peer) info.peer = d.peer;
      remember(tb, ref.fd, info);
    }
    return info;
  }

  function interpret(p: Parsed, durationMs: number | undefined): TraceEvent[] {
    const name = p.name;
    const args = splitArgs(p.args);
    const r = readResult(p.result);
    const base = (fd: number | undefined, info: SockInfo | undefined): SocketCall => {
      const c: SocketCall = { kind: 'call', t: p.t, pid: p.pid, call: p.name, result: r.value };
      if (fd !== undefined) c.fd = fd;
      if (r.errno) c.errno = r.errno;
      if (info?.family) c.family = info.family;
      if (info?.type) c.type = info.type;
      if (info?.local) c.local = info.local;
      if (info?.peer) c.peer = info.peer;
      if (durationMs !== undefined) c.durationMs = Math.round(durationMs * 1000) / 1000;
      if (p.startT !== undefined) c.startedAt = p.startT;
      if (info?.listening && name === 'close') c.listening = true;
      return c;
    };

    if (name === 'clone' || name === 'clone3' || name === 'fork' || name === 'vfork') {
      if (r.value === null || r.value <= 0) return [];
      if (/CLONE_UNTRACED/.test(p.args)) {
        const detail = `${name}(${p.args.slice(0, 200)}) = ${r.value}`;
        return [{ kind: 'process', t: p.t, pid: p.pid, what: 'escaped', child: r.value, detail }];
      }
      const thread = /CLONE_FILES/.test(p.args);
      const parent = table(p.pid);
      if (tables.size < MAX_PROCESSES) {
        tables.set(r.value, thread ? parent : { fds: new Map(parent.fds) });
      }
      return [{ kind: 'process', t: p.t, pid: p.pid, what: 'spawned', child: r.value, thread }];
    }

    if (name === 'socket') {
      const family: Family =
        args[0] === 'AF_INET'
          ? 'inet'
          : args[0] === 'AF_INET6'
            ? 'inet6'
            : args[0] === 'AF_UNIX' || args[0] === 'AF_LOCAL'
              ? 'unix'
              : 'other';
      const type: SocketType = /SOCK_STREAM/.test(args[1] ?? '')
        ? 'tcp'
        : /SOCK_DGRAM/.test(args[1] ?? '')
          ? 'udp'
          : 'other';
      const info: SockInfo = { family, type };
      const c = base(undefined, info);
      if (r.value !== null && r.value >= 0) {
        remember(table(p.pid), r.value, info);
        c.newFd = r.value;
      }
      // Only internet sockets are the lab's business: a UNIX socket (the runner's own stdio pipes
      // are socketpairs, so are some libraries' helpers) is remembered and never reported.
      return family === 'unix' ? [] : [c];
    }

    if (
      name === 'dup' ||
      name === 'dup2' ||
      name === 'dup3' ||
      (name === 'fcntl' && /F_DUPFD/.test(args[1] ?? ''))
    ) {
      const from = fdOf(args[0]);
      if (!from || r.value === null || r.value < 0) return [];
      const tb = table(p.pid);
      const info = socketOf(p.pid, from);
      if (info) remember(tb, r.value, { ...info });
      else tb.fds.delete(r.value);
      return [];
    }
    if (name === 'fcntl') return [];

    if (name === 'io_uring_setup' || name === 'io_uring_enter') {
      if (r.value === null || r.value < 0) return [];
      const detail = `${name}(${p.args.slice(0, 200)}) = ${r.value}`;
      return [{ kind: 'process', t: p.t, pid: p.pid, what: 'escaped', detail }];
    }
    if (name === 'tee') return []; // pipe to pipe: never a socket

    if (PAIRS[name]) {
      // Two fds, one of which may be a socket: splice(in, off, out, off, len), sendfile(out, in,
      // off, count), copy_file_range(in, off, out, off, len).
      const [inAt, outAt, lenAt] = PAIRS[name];
      const size = intOf(args[lenAt]);
      const out: TraceEvent[] = [];
      for (const [at, way] of [
        [inAt, 'read'],
        [outAt, 'write'],
      ] as const) {
        const ref = fdOf(args[at]);
        const info = ref ? socketOf(p.pid, ref) : undefined;
        if (!ref || !info || info.family === 'unix') continue;
        const c = base(ref.fd, info);
        c.way = way;
        if (size !== undefined) c.size = size;
        if (r.value !== null && r.value >= 0) c.bytes = r.value;
        out.push(c);
      }
      if (out.length === 0) stats.notSocket++;
      return out;
    }

    const ref = fdOf(args[0]);
    if (WAITS.has(name)) {
      // A wait is worth showing when it waits on sockets: that is where a server blocks.
      const tb = table(p.pid);
      if (tb.fds.size === 0) return [];
      const c = base(name.startsWith('epoll') ? ref?.fd : undefined, undefined);
      const fds = new Set<number>();
      for (const m of p.args.matchAll(/fd=(\d+)/g)) fds.add(Number(m[1]));
      if (name === 'select' || name === 'pselect6')
        for (const m of (args[1] ?? '').matchAll(/\d+/g)) fds.add(Number(m[0]));
      if (!name.startsWith('epoll') && ![...fds].some((fd) => tb.fds.has(fd))) return [];
      return name === 'epoll_ctl' ? [] : [c];
    }

    if (!ref) {
      stats.unparsed++;
      return [];
    }
    const info = socketOf(p.pid, ref);
    if (!info || info.family === 'unix') {
      if (name === 'close' || READS.has(name) || WRITES.has(name)) stats.notSocket++;
      return [];
    }
    const c = base(ref.fd, info);
    const tb = table(p.pid);

    if (name === 'bind' || name === 'connect') {
      const a = sockaddr(args[1]);
      if (a.family && !c.family) c.family = a.family;
      if (name === 'bind') {
        if (a.address) c.local = a.address;
        if (r.value === 0 && a.address) remember(tb, ref.fd, { ...info, local: a.address });
      } else {
        if (a.address) c.peer = a.address;
        if (a.address) remember(tb, ref.fd, { ...info, peer: a.address });
      }
    } else if (name === 'listen') {
      const backlog = intOf(args[1]);
      if (backlog !== undefined) c.backlog = backlog;
      if (r.value === 0) remember(tb, ref.fd, { ...info, listening: true });
    } else if (name === 'accept' || name === 'accept4') {
      const a = sockaddr(args[1]);
      // The listening socket's own addresses are not the new connection's.
      delete c.peer;
      const d = readDeco(r.deco);
      if (r.value !== null && r.value >= 0) {
        const conn: SockInfo = { ...(info.family ? { family: info.family } : {}), type: info.type ?? 'tcp' };
        if (d?.local) conn.local = d.local;
        else if (info.local) conn.local = info.local;
        if (a.address) conn.peer = a.address;
        else if (d?.peer) conn.peer = d.peer;
        remember(tb, r.value, conn);
        c.newFd = r.value;
        if (conn.peer) c.peer = conn.peer;
        if (conn.local) c.local = conn.local;
      }
    } else if (READS.has(name) || WRITES.has(name)) {
      const mmsg = name === 'recvmmsg' || name === 'sendmmsg';
      const size =
        name === 'readv' || name === 'writev' || name === 'recvmsg' || name === 'sendmsg' || mmsg
          ? iovTotal(args[1])
          : intOf(args[2]);
      if (size !== undefined) c.size = size;
      if (mmsg) {
        // The result counts messages; the bytes are each message's msg_len.
        if (r.value !== null && r.value >= 0) {
          let total = 0;
          for (const m of (args[1] ?? '').matchAll(/msg_len=(\d+)/g)) total += Number(m[1]);
          c.bytes = total;
        }
      } else if (r.value !== null && r.value >= 0) c.bytes = r.value;
      const data = previewOf(args[1]);
      if (data !== undefined && r.value !== null && r.value > 0) c.data = data;
      if (name === 'recvfrom' || name === 'sendto') {
        const a = sockaddr(args[4]);
        if (a.address) c.peer = a.address;
      } else if (name === 'recvmsg' || name === 'sendmsg') {
        const a = sockaddr(/msg_name=(\{[^}]*\})/.exec(args[1] ?? '')?.[1]);
        if (a.address) c.peer = a.address;
      }
    } else if (name === 'shutdown') {
      if (args[1]) c.how = args[1];
    } else if (name === 'close') {
      if (r.value === 0 || r.errno === 'EBADF') tb.fds.delete(ref.fd);
    }
    return [c];
  }

  function line(raw: string): TraceEvent[] {
    stats.lines++;
    let text = raw;
    if (text.length > MAX_TRACE_LINE) {
      text = text.slice(0, MAX_TRACE_LINE);
      stats.cut++;
    }
    const head = HEAD.exec(text);
    if (!head) {
      stats.unparsed++;
      return [];
    }
    const pid = Number(head[1] ?? head[2] ?? 0);
    const t = timeOf(head[3] ?? '0');
    const rest = head[4] ?? '';

    if (rest.startsWith('+++ ')) {
      const exited = /^\+\+\+ exited with (\d+) \+\+\+/.exec(rest);
      if (exited) return [{ kind: 'process', t, pid, what: 'exited', code: Number(exited[1]) }];
      const killed = /^\+\+\+ killed by (SIG[A-Z0-9]+)/.exec(rest);
      if (killed) return [{ kind: 'process', t, pid, what: 'killed', signal: killed[1] ?? 'SIGKILL' }];
      stats.unparsed++;
      return [];
    }
    if (rest.startsWith('--- ')) {
      const sig = /^--- (SIG[A-Z0-9]+)/.exec(rest);
      if (sig) return [{ kind: 'process', t, pid, what: 'signal', signal: sig[1] ?? '' }];
      stats.unparsed++;
      return [];
    }

    const resumed = RESUMED.exec(rest);
    if (resumed) {
      const name = resumed[1] ?? '';
      const key = `${pid} ${name}`;
      const start = pending.get(key);
      if (!start) {
        stats.orphanResumes++;
        return [];
      }
      pending.delete(key);
      const split = splitResult(`${start.head}${resumed[2] ?? ''}`);
      if (!split) {
        stats.unparsed++;
        return [];
      }
      // Stamped when it returned (t); the start is kept as startedAt.
      return interpret(
        { pid, t, name, args: split.args, result: split.result, startT: start.t },
        t - start.t,
      );
    }

    const call = CALL_START.exec(rest);
    if (!call) {
      stats.unparsed++;
      return [];
    }
    const name = call[1] ?? '';
    const body = call[2] ?? '';
    if (body.endsWith(UNFINISHED)) {
      if (pending.size >= MAX_PENDING) {
        stats.unparsed++;
        return [];
      }
      pending.set(`${pid} ${name}`, { t, name, head: body.slice(0, -UNFINISHED.length) });
      return [];
    }
    const split = splitResult(body);
    if (!split) {
      stats.unparsed++;
      return [];
    }
    // With -T the line is stamped when the call began and says how long it took: an event is
    // stamped when it happened, so a call is stamped when it returned (the start kept as startedAt).
    if (split.durationMs !== undefined)
      return interpret(
        { pid, t: t + split.durationMs, name, args: split.args, result: split.result, startT: t },
        split.durationMs,
      );
    return interpret({ pid, t, name, args: split.args, result: split.result }, undefined);
  }

  return {
    stats,
    push: line,
    end() {
      // A call still blocked when the trace ended (the program was killed inside accept()).
      const out: TraceEvent[] = [];
      for (const [key, start] of pending) {
        const pid = Number(key.split(' ')[0]);
        out.push(
          ...interpret({ pid, t: start.t, name: start.name, args: start.head, result: '?' }, undefined),
        );
      }
      pending.clear();
      return out;
    },
  };
}
