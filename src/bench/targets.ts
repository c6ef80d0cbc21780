/** Starting and stopping the targets, each in a process of its own; socket-lab's log read as it comes. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Analysis, analyse, linesOf } from '../report/index.js';
import { ECHO_DEFAULTS } from '../tcp/echo-server.js';
import { connect } from './loadgen.js';
import type { LoopDelay, ParentToTarget, TargetId, TargetSpec, TargetToParent } from './jobs.js';
import { answer, forkChild, waitExit } from './proc.js';

/** A running target, ready for load. */
export interface Target {
  id: TargetId;
  pid: number;
  tcpPort: number;
  udpPort: number;
  /** Its CPU time includes its children's (socat forks one per connection, strace runs Python). */
  withChildren: boolean;
  /** socket-lab targets: their log, read as it comes; resolves once the target's stdout has ended. */
  log?: Promise<Analysis>;
  /** Node targets: a full GC (so that memory readings are comparable); the event-loop delay so far. */
  gc?(): Promise<void>;
  loopDelay?(): Promise<LoopDelay | undefined>;
  /** Stops the target and waits for its exit (killing it after a deadline); resolves with figures of its own. */
  stop(): Promise<Record<string, number>>;
}

/** `profileDir`: write a CPU profile of socket-lab targets there (node --cpu-prof). */
export type TargetSettings = { maxConnections: number; profileDir?: string | undefined; profileName: string };

/** Starts target `id` and resolves once it listens. */
export async function startTarget(id: TargetId, s: TargetSettings): Promise<Target> {
  if (id === 'report' || id === 'readline') throw new Error(`${id} reads logs: it serves no load`);
  if (id !== 'lab-default' && id !== 'lab-quiet' && id !== 'node') return startProgram(id);
  const lab = id !== 'node';
  const flags = ['--expose-gc'];
  if (s.profileDir && lab)
    flags.push('--cpu-prof', '--cpu-prof-dir', s.profileDir, '--cpu-prof-name', s.profileName);
  const { maxConnections } = s;
  const portionLinesPerSecond = id === 'lab-default' ? ECHO_DEFAULTS.portionLinesPerSecond : 0;
  // Every connection and member comes from 127.0.0.1, and the chat's abuse limits would stop the relay
  // at 50,000 datagrams/s: raised, so that the servers themselves are measured.
  const echo = { maxConnections, maxConnectionsPerAddress: maxConnections, portionLinesPerSecond };
  const chat = { messagesPerSecond: 1000, messageBurst: 1000, maxMembersPerAddress: 1000 };
  const spec: TargetSpec = lab
    ? { kind: 'lab', echo, chat: { ...chat, relayBudgetPerSecond: 1_000_000 } }
    : { kind: 'node' };
  const child = forkChild('target', spec, flags, ['ignore', 'pipe', 'inherit', 'ipc']);
  let log: Promise<Analysis> | undefined;
  if (lab && child.stdout) {
    log = analyse([{ name: id, lines: linesOf(child.stdout) }], { allRuns: true });
    // Read to the end whatever happens to the run; a failed read shows when the run awaits it.
    log.catch(() => {});
  } else child.stdout?.resume();
  const ready = await answer(child, id, 10_000, (m: TargetToParent) => (m.type === 'ready' ? m : undefined));
  /** One question to the target; undefined when it does not answer within 5 s. */
  const ask = <T>(question: ParentToTarget, pick: (m: TargetToParent) => T | undefined) => {
    const reply = answer(child, id, 5000, pick, false).catch(() => undefined);
    if (child.connected) child.send(question);
    return reply;
  };
  return {
    id,
    pid: child.pid ?? 0,
    tcpPort: ready.tcpPort,
    udpPort: ready.udpPort,
    withChildren: false,
    ...(log ? { log } : {}),
    gc: async () => void (await ask({ type: 'gc' }, (m) => (m.type === 'gc-done' ? true : undefined))),
    loopDelay: () =>
      ask({ type: 'loop' }, (m) => (m.type === 'loop' ? { p99Ms: m.p99Ms, maxMs: m.maxMs } : undefined)),
    async stop() {
      const exited = waitExit(child, 5000);
      if (child.connected) child.send({ type: 'stop' } satisfies ParentToTarget);
      await exited;
      return {};
    },
  };
}

/** The version of a tool on the PATH (`cmd args` must exit 0), or null when it is missing. */
export function toolVersion(cmd: string, args: string[], pattern: RegExp): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return pattern.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown';
}

async function freePort(): Promise<number> {
  const s = net.createServer().listen({ host: '127.0.0.1', port: 0 });
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  await once(s.close(), 'close');
  return port;
}

/** Process groups of programs we started, still running: killed at exit, whatever ends the bench. */
const liveGroups = new Set<number>();
const killAll = () => liveGroups.forEach((g) => killGroup(g, 'SIGKILL'));

function killGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** The bench's own student-style Python echo server, kept beside this module's source. */
const PYTHON_SERVER = fileURLToPath(new URL('../../src/bench/echo-server.py', import.meta.url));

/**
 * socat or the Python server (under `strace -f` as the lab traces a student's), in a process group so
 * that stop() reaches its children. None reports a port 0 gave it: a free one is picked (and retried).
 */
async function startProgram(id: 'socat' | 'python' | 'python-strace'): Promise<Target> {
  const dir = id === 'python-strace' ? mkdtempSync(join(tmpdir(), 'socket-lab-bench-strace-')) : undefined;
  const trace = dir && join(dir, 'trace.txt');
  const argv = (port: number): string[] => {
    if (id === 'socat') return ['socat', `TCP-LISTEN:${port},fork,reuseaddr,bind=127.0.0.1`, 'PIPE'];
    const python = ['python3', PYTHON_SERVER, String(port)];
    return trace ? ['strace', '-f', '-e', 'trace=network,read,write,close', '-o', trace, ...python] : python;
  };
  let stderr = '';
  process.off('exit', killAll).on('exit', killAll); // once, however many programs start
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const [cmd = '', ...args] = argv(port);
    stderr = '';
    const child: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const group = child.pid ?? 0;
    liveGroups.add(group);
    child.once('exit', () => liveGroups.delete(group));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d.slice(0, 2000)));
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && child.exitCode === null) {
      const socket = await connect(port).catch(() => undefined);
      socket?.destroy();
      if (socket) {
        return {
          id,
          pid: group,
          tcpPort: port,
          udpPort: 0,
          withChildren: id !== 'python',
          async stop(): Promise<Record<string, number>> {
            const exited = waitExit(child, 3000);
            // The whole group: killing strace alone would only detach it from a server that runs on.
            killGroup(group);
            await exited;
            killGroup(group, 'SIGKILL');
            const traceMB = trace ? statSync(trace, { throwIfNoEntry: false })?.size : undefined;
            if (dir) rmSync(dir, { recursive: true, force: true });
            return traceMB === undefined ? {} : { traceMB: Math.round(traceMB / 1e5) / 10 };
          },
        };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    killGroup(group, 'SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  throw new Error(`${id} did not start: ${stderr.trim()}`);
}
