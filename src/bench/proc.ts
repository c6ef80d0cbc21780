/**
 * The benchmark's child processes, and their CPU time and memory read from /proc, so that the same
 * figures come out for Node, Python, strace and socat (which forks a child per connection).
 */
import { type ChildProcess, type StdioOptions, fork } from 'node:child_process';
import { on, once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import type { ChildToParent, Job, JobResult, ParentToLoad, TargetToParent } from './jobs.js';

/** Forks child.ts (beside this module) in `role`; Node flags: the parent's minus its profiling, plus `flags`. */
export function forkChild(role: string, arg: unknown, flags: string[] = [], stdio?: StdioOptions) {
  const entry = new URL(`./child${import.meta.url.slice(-3)}`, import.meta.url).pathname;
  return fork(entry, [role, JSON.stringify(arg)], {
    execArgv: [...process.execArgv.filter((a) => !a.startsWith('--cpu-prof')), ...flags],
    stdio: stdio ?? ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Runs `job` in a child process of its own; `onHolding`: an idle job holds its connections until it resolves. */
export function runJob(job: Job, timeoutMs: number, onHolding?: (n: number) => Promise<void>) {
  const child = forkChild('load', job);
  const what = job.kind === 'read' ? `${job.reader} reader` : `${job.kind} load generator`;
  return answer(child, what, timeoutMs, (m: ChildToParent): JobResult | undefined => {
    if (m.type === 'holding')
      void onHolding?.(m.established).then(
        () => child.connected && child.send({ type: 'release' } satisfies ParentToLoad),
      );
    else if (m.type === 'error') throw new Error(`${what}: ${m.message}`);
    return m.type === 'result' ? m.result : undefined;
  });
}

/** Sends `message` to the parent process (the orchestrator). */
export function send(message: TargetToParent | ChildToParent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** In a load child: tells the orchestrator that `established` connections are held, until it releases them. */
export async function hold(established: number): Promise<void> {
  const released = new Promise<void>((resolve) =>
    process.once('message', (m: ParentToLoad) => m.type === 'release' && resolve()),
  );
  await send({ type: 'holding', established });
  await released;
}

/** The first message of `child` that `pick` turns into a value; fails at its exit, or after `timeoutMs`. */
export async function answer<T, M>(
  child: ChildProcess,
  what: string,
  timeoutMs: number,
  pick: (m: M) => T | undefined,
  kill = true,
): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    for await (const [m] of on(child, 'message', { signal, close: ['exit'] })) {
      const v = pick(m as M);
      if (v !== undefined) return v;
    }
  } catch (err) {
    if (!signal.aborted) throw err;
    if (kill) child.kill('SIGKILL');
    throw new Error(`${what} did not answer within ${timeoutMs / 1000} s`, { cause: err });
  }
  throw new Error(`${what} exited with code ${child.exitCode}`);
}

/** Waits for `child` to exit, killing it after `ms`. */
export async function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await once(child, 'exit');
  clearTimeout(timer);
}

/** A /proc file's text; undefined when it is gone (the process exited) or this is not Linux. */
function readProc(path: string): string | undefined {
  try {
    return readFileSync(`/proc/${path}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** ppid, utime + stime and cutime + cstime (children reaped) in ms, from /proc/<pid>/stat. */
function readStat(pid: number) {
  const text = readProc(`${pid}/stat`);
  if (text === undefined) return undefined;
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Times are in clock ticks (USER_HZ: 100 on every Linux we run).
  const n = (i: number) => Number(fields[i - 3] ?? 0);
  return { ppid: n(4), cpuMs: (n(14) + n(15)) * 10, childrenCpuMs: (n(16) + n(17)) * 10 };
}

const childrenOf = (pid: number) =>
  readdirSync('/proc').filter((name) => /^\d+$/.test(name) && readStat(Number(name))?.ppid === pid);

/** CPU time (user + system, ms) used so far by `pid`, and `withChildren`, by its children live or reaped. */
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

/** Datagrams the kernel dropped (receive buffer full) on the UDP sockets bound to `ports`, from /proc/net/udp. */
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
  const line = /^Max open files\s+(\d+|unlimited)/m.exec(readProc('self/limits') ?? '');
  if (line?.[1] === 'unlimited') return Number.MAX_SAFE_INTEGER;
  return line?.[1] ? Number(line[1]) : 1024; // not Linux: the usual default
}
