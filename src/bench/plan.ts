/** The scenarios, with their full and smoke sizes. */
import type { Job, TargetId } from './jobs.js';
import type { LogSpec } from './logread.js';
import type { Target } from './targets.js';

/** Every scenario, in the order they run. */
export const SCENARIO_IDS = [
  'stream-1',
  'stream-50',
  'latency',
  'idle',
  'chat',
  'fairness',
  'log-read',
  'strace-stream',
  'strace-latency',
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/**
 * One scenario: its targets (compared with `reference` round by round), its load job or (log-read)
 * its log; `timeoutMs` bounds one run, target start to stop, after which it is killed and failed.
 */
export interface Scenario {
  id: ScenarioId;
  title: string;
  targets: TargetId[];
  reference: TargetId;
  rounds: number;
  timeoutMs: number;
  job?(t: Target): Job;
  log?: LogSpec;
}

/** What shapes the plan: the run's size and what this machine has (straceCost: python3 and strace). */
export interface PlanOptions {
  smoke: boolean;
  idleConnections: number;
  socat: boolean;
  straceCost: boolean;
  rounds?: number | undefined;
  writeBatch: number;
}

const NODE: TargetId[] = ['lab-default', 'lab-quiet', 'node'];
const PYTHON: TargetId[] = ['python', 'python-strace'];

/** The scenarios of one run, with their sizes (full or smoke). */
export function plan(o: PlanOptions): Scenario[] {
  const s = o.smoke;
  const [warmupMs, durationMs] = s ? [100, 300] : [1000, 4000];
  const writes = o.writeBatch > 1 ? `1 KB writes corked ${o.writeBatch} at a time` : '1 KB writes';
  /** Targets are compared with bare Node, or else with the first of them. */
  const base = (id: ScenarioId, title: string, targets: TargetId[], rounds: number, timeoutMs: number) => {
    const reference = targets.includes('node') ? 'node' : (targets[0] ?? 'node');
    return { id, title, targets, reference, rounds: o.rounds ?? (s ? 1 : rounds), timeoutMs };
  };
  const stream = (
    id: ScenarioId,
    title: string,
    connections: number,
    targets: TargetId[],
    probeEveryMs = 0,
  ) => ({
    ...base(id, title, targets, probeEveryMs || targets === PYTHON ? 2 : 5, warmupMs + durationMs + 30_000),
    job: (t: Target): Job => ({
      kind: 'stream',
      port: t.tcpPort,
      connections,
      writeSize: 1024,
      writeBatch: o.writeBatch,
      warmupMs,
      // socat's PIPE can block for good writing into its own full pipe: do not wait long for it.
      drainTimeoutMs: t.id === 'socat' ? 3000 : 10_000,
      durationMs,
      probeEveryMs,
      targetPid: t.pid,
      withChildren: t.withChildren,
    }),
  });
  const latency = (id: ScenarioId, title: string, messageSize: number, targets: TargetId[]) => ({
    ...base(id, title, targets, 2, 40_000),
    job: (t: Target): Job => ({
      kind: 'latency',
      port: t.tcpPort,
      messageSize,
      warmupCount: s ? 100 : 2000,
      maxCount: s ? 2000 : 50_000,
      durationMs: s ? 200 : 3000,
    }),
  });
  const streaming = (n: number) =>
    `streaming, ${n} connection${n > 1 ? 's' : ''}, ${writes} (MB/s of echo over ${durationMs / 1000} s)`;
  const echo: TargetId[] = o.socat ? [...NODE, 'socat'] : NODE;
  const members = s ? 10 : 50;
  const chat = `chat relay, ${members} members, ${members * 40} messages/s in (delivered datagrams/s, loss)`;
  const idle = `${o.idleConnections} idle connections (server memory per connection)`;
  const fairness =
    'fairness, 50 connections streaming: a new connection accepted + echoed, and the slowest share';
  // The log of issue 10: 4 connections of 50 MiB, every portion logged (147 MB, 410k lines).
  const logRead = `reading an echo server's log of ${s ? '4 × 2' : '4 × 50'} MiB streamed, every portion logged`;
  const all: Scenario[] = [
    stream('stream-1', streaming(1), 1, echo),
    stream('stream-50', streaming(50), 50, echo),
    latency('latency', 'request/response latency, 1 connection, 64-byte messages, one in flight', 64, echo),
    {
      // socat forks a process per connection: 10,000 processes is not what anyone would run.
      ...base('idle', idle, NODE, 1, 120_000),
      job: (t) => ({
        kind: 'idle',
        port: t.tcpPort,
        connections: o.idleConnections,
        concurrency: s ? 50 : 200,
        timeoutMs: s ? 10_000 : 60_000,
      }),
    },
    {
      ...base('chat', chat, NODE, 2, 60_000),
      job: (t) => ({
        kind: 'chat',
        port: t.udpPort,
        members,
        ratePerMember: 40,
        durationMs,
        drainMs: s ? 100 : 500,
        targetPid: t.pid,
      }),
    },
    stream('fairness', fairness, 50, NODE, s ? 100 : 200),
    {
      ...base('log-read', logRead, ['readline', 'report'], 3, 120_000),
      log: { connections: 4, bytesPerConnection: (s ? 2 : 50) * 2 ** 20 },
    },
  ];
  // What strace costs a student's server (issue 18): the same Python server, plain and traced.
  if (o.straceCost) {
    all.push(stream('strace-stream', `strace's cost: Python echo server, ${writes}`, 1, PYTHON));
    all.push(latency('strace-latency', "strace's cost: 1 KB round trip, one in flight", 1024, PYTHON));
  }
  return all;
}
