/**
 * Starting and stopping benchmark targets, each in a child process of its own, and reading what
 * socket-lab's servers log while the load runs (through the report's reader, as a user would).
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { type Analysis, analyse, linesOf } from '../report/index.js';
import { ECHO_DEFAULTS } from '../tcp/echo-server.js';
import type { LoopDelay, ParentToTarget, TargetId, TargetSpec, TargetToParent } from './jobs.js';

/** How the tables name each target. */
export const TARGET_LABELS: Record<TargetId, string> = {
  'lab-default': 'socket-lab, default logging',
  'lab-quiet': 'socket-lab, quiet',
  node: 'bare Node',
  socat: 'socat',
  readline: 'readline + JSON.parse',
  report: 'socket-lab report',
};

/** A running target, ready for load. */
export interface Target {
  id: TargetId;
  pid: number;
  tcpPort: number;
  udpPort: number;
  /** socat forks a process per connection. */
  forks: boolean;
  /** socket-lab targets: their log, read as it comes; resolves once the target's stdout has ended. */
  log?: Promise<Analysis>;
  /** Full GC in the target (Node targets), so that memory readings are comparable. */
  gc(): Promise<void>;
  /** Event-loop delay since the target started (Node targets). */
  loopDelay(): Promise<LoopDelay | undefined>;
  /** Stops the target and waits for its exit (killing it after a deadline). */
  stop(): Promise<void>;
}

/** What every target of one run gets. */
export interface TargetSettings {
  maxConnections: number;
  messagesPerSecond: number;
  messageBurst: number;
  /** Write a CPU profile of socket-lab targets here (node --cpu-prof). */
  profileDir?: string | undefined;
  profileName?: string | undefined;
}

/** The child entry points sit next to this module, whether it runs from dist (.js) or src (.ts). */
export function sibling(name: string): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, import.meta.url).pathname;
}

/** Node flags for our children: the parent's (e.g. a TypeScript loader) minus its own profiling. */
export function childExecArgv(extra: string[] = []): string[] {
  return [...process.execArgv.filter((a) => !a.startsWith('--cpu-prof')), ...extra];
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function startNodeTarget(id: TargetId, spec: TargetSpec, s: TargetSettings): Promise<Target> {
  const flags = ['--expose-gc'];
  if (s.profileDir && spec.kind === 'lab') {
    flags.push('--cpu-prof', '--cpu-prof-dir', s.profileDir);
    if (s.profileName) flags.push('--cpu-prof-name', s.profileName);
  }
  const child = fork(sibling('target-main'), [JSON.stringify(spec)], {
    execArgv: childExecArgv(flags),
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let log: Promise<Analysis> | undefined;
  if (spec.kind === 'lab' && child.stdout) {
    log = analyse([{ name: id, lines: linesOf(child.stdout) }], { allRuns: true });
    // Read to the end whatever happens to the run; a failed read shows when the run awaits it.
    log.catch(() => {});
  } else {
    child.stdout?.resume();
  }
  const ready = await new Promise<TargetToParent & { type: 'ready' }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} did not start within 10 s`)), 10_000);
    child.on('message', (m: TargetToParent) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${id} exited with code ${code} before it was ready`));
    });
  });
  const ask = (m: ParentToTarget) => child.connected && child.send(m);
  return {
    id,
    pid: child.pid ?? 0,
    tcpPort: ready.tcpPort,
    udpPort: ready.udpPort,
    forks: false,
    ...(log ? { log } : {}),
    async gc() {
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        child.on('message', (m: TargetToParent) => {
          if (m.type === 'gc-done') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      ask({ type: 'gc' });
      await done;
    },
    loopDelay() {
      return new Promise<LoopDelay | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 5000);
        child.on('message', (m: TargetToParent) => {
          if (m.type === 'loop') {
            clearTimeout(timer);
            resolve({ p99Ms: m.p99Ms, maxMs: m.maxMs });
          }
        });
        ask({ type: 'loop' });
      });
    },
    async stop() {
      const exited = waitExit(child, 5000);
      ask({ type: 'stop' });
      await exited;
    },
  };
}

/** True when a `socat` binary is on the PATH. */
export function socatVersion(): string | undefined {
  const r = spawnSync('socat', ['-V'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return /socat version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function canConnect(port: number): Promise<boolean> {
  const socket = net.connect({ host: '127.0.0.1', port });
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** socat process groups still running: stopped at exit, whatever ends the benchmark. */
const liveSocats = new Set<number>();
let exitHook = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/**
 * socat as a user would start it (`socat TCP-LISTEN:port,fork,reuseaddr PIPE`), bound to loopback.
 * socat cannot listen on port 0 and report the port, so we pick a free one just before (and retry).
 */
async function startSocat(): Promise<Target> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    // A process group of its own, so that stop() also reaches the per-connection children.
    const child = spawn('socat', [`TCP-LISTEN:${port},fork,reuseaddr,bind=127.0.0.1`, 'PIPE'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    const group = child.pid ?? 0;
    liveSocats.add(group);
    child.once('exit', () => liveSocats.delete(group));
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => liveSocats.forEach(killGroup));
    }
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await canConnect(port)) {
        const pid = child.pid ?? 0;
        return {
          id: 'socat',
          pid,
          tcpPort: port,
          udpPort: 0,
          forks: true,
          gc: async () => {},
          loopDelay: async () => undefined,
          async stop() {
            const exited = waitExit(child, 3000);
            killGroup(pid);
            await exited;
            // Connection children that outlived the listener (none should) go with their group.
            killGroup(pid);
          },
        };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    if (attempt === 4) throw new Error(`socat did not start: ${stderr.trim()}`);
  }
  throw new Error('socat did not start');
}

/** Starts target `id` and resolves once it listens. */
export function startTarget(id: TargetId, s: TargetSettings): Promise<Target> {
  const lab = (portionLines: number): TargetSpec => ({
    kind: 'lab',
    portionLines,
    maxConnections: s.maxConnections,
    messagesPerSecond: s.messagesPerSecond,
    messageBurst: s.messageBurst,
    maxMembersPerAddress: 1000,
    relayBudgetPerSecond: 1_000_000,
  });
  switch (id) {
    case 'lab-default':
      return startNodeTarget(id, lab(ECHO_DEFAULTS.portionLinesPerSecond), s);
    case 'lab-quiet':
      return startNodeTarget(id, lab(0), s);
    case 'node':
      return startNodeTarget(id, { kind: 'node' }, s);
    case 'socat':
      return startSocat();
    case 'report':
    case 'readline':
      throw new Error(`${id} reads logs: it serves no load`);
  }
}
