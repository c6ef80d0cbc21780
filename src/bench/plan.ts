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
 * One scenario: what runs, against which targets (compared with `reference` round by round), how
 * often; `timeoutMs` bounds one run (target start to stop), after which it is killed and failed.
 * Server scenarios give the load generator's job, log-read the log its readers read.
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
export type PlanOptions = { smoke: boolean; idleConnections: number; socat: boolean; straceCost: boolean } & {
  rounds?: number | undefined;
  writeBatch: number;
};

const NODE_TARGETS: TargetId[] = ['lab-default', 'lab-quiet', 'node'];
const PYTHON_TARGETS: TargetId[] = ['python', 'python-strace'];

/** The scenarios of one run, with their sizes (full or smoke). */
export function plan(o: PlanOptions): Scenario[] {
  const s = o.smoke;
  const echo: TargetId[] = o.socat ? [...NODE_TARGETS, 'socat'] : NODE_TARGETS;
  const rounds = (full: number) => o.rounds ?? (s ? 1 : full);
  const warmupMs = s ? 100 : 1000;
  const durationMs = s ? 300 : 4000;
  const writes = o.writeBatch > 1 ? `1 KB writes corked ${o.writeBatch} at a time` : '1 KB writes';
  const stream = (
    id: ScenarioId,
    connections: number,
    probeEveryMs: number,
    targets: TargetId[],
  ): Scenario => ({
    id,
    title: `streaming, ${connections} connection${connections > 1 ? 's' : ''}, ${writes} (MB/s of echo over ${durationMs / 1000} s)`,
    targets,
    reference: targets[0] === 'python' ? 'python' : 'node',
    rounds: rounds(probeEveryMs || targets[0] === 'python' ? 2 : 5),
    timeoutMs: warmupMs + durationMs + 30_000,
    job: (t) => ({
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
  const latency = (id: ScenarioId, messageSize: number, targets: TargetId[]): Scenario => ({
    id,
    title: `request/response latency, 1 connection, ${messageSize}-byte messages, one in flight`,
    targets,
    reference: targets[0] === 'python' ? 'python' : 'node',
    rounds: rounds(2),
    timeoutMs: 40_000,
    job: (t) => ({
      kind: 'latency',
      port: t.tcpPort,
      messageSize,
      warmupCount: s ? 100 : 2000,
      maxCount: s ? 2000 : 50_000,
      durationMs: s ? 200 : 3000,
    }),
  });
  const members = s ? 10 : 50;
  const all: Scenario[] = [
    stream('stream-1', 1, 0, echo),
    stream('stream-50', 50, 0, echo),
    latency('latency', 64, echo),
    {
      id: 'idle',
      title: `${o.idleConnections} idle connections (server memory per connection)`,
      // socat forks a process per connection: 10,000 processes is not what anyone would run.
      targets: NODE_TARGETS,
      reference: 'node',
      rounds: rounds(1),
      timeoutMs: 120_000,
      job: (t) => ({
        kind: 'idle',
        port: t.tcpPort,
        connections: o.idleConnections,
        concurrency: s ? 50 : 200,
        timeoutMs: s ? 10_000 : 60_000,
      }),
    },
    {
      id: 'chat',
      title: `chat relay, ${members} members, ${members * 40} messages/s in (delivered datagrams/s, loss)`,
      targets: NODE_TARGETS,
      reference: 'node',
      rounds: rounds(2),
      timeoutMs: 60_000,
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
    {
      ...stream('fairness', 50, s ? 100 : 200, NODE_TARGETS),
      title: 'fairness, 50 connections streaming: a new connection accepted + echoed, and the slowest share',
    },
    {
      id: 'log-read',
      // The log of issue 10: 4 connections of 50 MiB, every portion logged (147 MB, 410k lines).
      title: `reading an echo server's log of ${s ? '4 × 2' : '4 × 50'} MiB streamed, every portion logged`,
      targets: ['readline', 'report'],
      reference: 'readline',
      rounds: rounds(3),
      timeoutMs: 120_000,
      log: { connections: 4, bytesPerConnection: (s ? 2 : 50) * 2 ** 20 },
    },
    // What strace costs a student's server (issue 18): the same Python server, plain and traced.
    {
      ...stream('strace-stream', 1, 0, PYTHON_TARGETS),
      title: `strace's cost: Python echo server, ${writes}`,
    },
    {
      ...latency('strace-latency', 1024, PYTHON_TARGETS),
      title: "strace's cost: 1 KB round trip, one in flight",
    },
  ];
  return all.filter((x) => o.straceCost || !x.targets.includes('python'));
}
