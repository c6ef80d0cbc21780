/**
 * Child processes of the benchmark and what the kernel says about processes: CPU time and memory,
 * read from /proc so that the same numbers come out for Node, Python, strace and socat (which forks
 * a child per connection).
 */
import { type ChildProcess, type StdioOptions, fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Node flags for our children: the parent's (e.g. a TypeScript loader) minus its own profiling. */
export function childExecArgv(extra: string[] = []): string[] {
  return [...process.execArgv.filter((a) => !a.startsWith('--cpu-prof')), ...extra];
}

/**
 * Forks the benchmark's child entry point (child.ts, beside this module whether it runs from dist
 * or from src) in `role` with JSON `args`.
 */
export function forkChild(
  role: string,
  args: unknown[],
  flags: string[] = [],
  stdio?: StdioOptions,
): ChildProcess {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = new URL(`./child${ext}`, import.meta.url).pathname;
  return fork(entry, [role, ...args.map((a) => JSON.stringify(a))], {
    execArgv: childExecArgv(flags),
    stdio: stdio ?? ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * The first message of `child` that `pick` turns into a value (`pick` may throw to fail). Fails if
 * the child exits first, or after `timeoutMs` (then the child is killed when `kill`).
 */
export function answer<T, M>(
  child: ChildProcess,
  what: string,
  timeoutMs: number,
  pick: (m: M) => T | undefined,
  kill = true,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage as (m: unknown) => void);
      child.off('exit', onExit);
      fn();
    };
    const timer = setTimeout(() => {
      if (kill) child.kill('SIGKILL');
      done(() => reject(new Error(`${what} did not answer within ${timeoutMs / 1000} s`)));
    }, timeoutMs);
    const onMessage = (m: M) => {
      try {
        const v = pick(m);
        if (v !== undefined) done(() => resolve(v));
      } catch (err) {
        done(() => reject(err as Error));
      }
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`${what} exited with code ${code}`)));
    child.on('message', onMessage as (m: unknown) => void);
    child.once('exit', onExit);
  });
}

/** Waits for `child` to exit, killing it after `ms`. */
export function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run). */
const TICKS_PER_SECOND = 100;

interface Stat {
  ppid: number;
  /** utime + stime, ms. */
  cpuMs: number;
  /** cutime + cstime (children already reaped), ms. */
  childrenCpuMs: number;
}

/** A /proc file's text; undefined when it is gone (the process exited) or this is not Linux. */
function readProc(path: string): string | undefined {
  try {
    return readFileSync(`/proc/${path}`, 'utf8');
  } catch {
    return undefined;
  }
}

function readStat(pid: number): Stat | undefined {
  const text = readProc(`${pid}/stat`);
  if (text === undefined) return undefined;
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const n = (i: number) => Number(fields[i - 3] ?? 0);
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return { ppid: n(4), cpuMs: ms(n(14) + n(15)), childrenCpuMs: ms(n(16) + n(17)) };
}

const childrenOf = (pid: number) =>
  readdirSync('/proc').filter((name) => /^\d+$/.test(name) && readStat(Number(name))?.ppid === pid);

/**
 * CPU time (user + system, ms) used so far by `pid` and its children, live or reaped. With
 * `withChildren` false only the process itself counts (cheaper: no scan of /proc).
 */
export function cpuMs(pid: number, withChildren = false): number {
  const own = readStat(pid);
  if (!own) return Number.NaN;
  if (!withChildren) return own.cpuMs;
  let total = own.cpuMs + own.childrenCpuMs;
  for (const child of childrenOf(pid)) total += readStat(Number(child))?.cpuMs ?? 0;
  return total;
}

/** Resident set size and its peak (VmHWM), in bytes, of one process. */
export function memory(pid: number): { rss: number; peakRss: number } {
  const text = readProc(`${pid}/status`) ?? '';
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

/**
 * Datagrams the kernel dropped on each UDP socket bound to one of `ports` (receive buffer full),
 * summed: /proc/net/udp keeps a `drops` count per socket.
 */
export function udpDrops(ports: ReadonlySet<number>): number {
  const text = readProc('net/udp');
  if (text === undefined) return Number.NaN;
  let drops = 0;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const port = Number.parseInt(f[1]?.split(':')[1] ?? '', 16);
    if (ports.has(port)) drops += Number(f[12] ?? 0);
  }
  return drops;
}

/** The soft limit on open files of this process (children of Node inherit the raised limit). */
export function openFileLimit(): number {
  // Not Linux: assume the usual default.
  const line = /^Max open files\s+(\d+|unlimited)/m.exec(readProc('self/limits') ?? '');
  if (line?.[1] === 'unlimited') return Number.MAX_SAFE_INTEGER;
  return line?.[1] ? Number(line[1]) : 1024;
}
