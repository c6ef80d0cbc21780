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
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/** One scenario: what runs, against which targets, how often. */
export interface Scenario {
  id: ScenarioId;
  title: string;
  targets: TargetId[];
  /** The target the others are compared with, round by round. */
  reference: TargetId;
  rounds: number;
  /** Upper bound on one run (target start to stop), after which it is killed and reported failed. */
  timeoutMs: number;
  /** Server scenarios: the load generator's job. */
  job?(t: Target): Job;
  /** The log-read scenario: the log the readers read. */
  log?: LogSpec;
}

/** What shapes the plan: the run's size and what this machine has. */
export interface PlanOptions {
  smoke: boolean;
  /** Idle connections the fd limit allows (the generator and the server each hold one fd per connection). */
  idleConnections: number;
  socat: boolean;
  rounds?: number | undefined;
  writeBatch: number;
}

const ECHO_TARGETS: TargetId[] = ['lab-default', 'lab-quiet', 'node', 'socat'];
const NODE_TARGETS: TargetId[] = ['lab-default', 'lab-quiet', 'node'];

/** The scenarios of one run, with their sizes (full or smoke). */
export function plan(o: PlanOptions): Scenario[] {
  const s = o.smoke;
  const echo = ECHO_TARGETS.filter((t) => t !== 'socat' || o.socat);
  const rounds = (full: number) => o.rounds ?? (s ? 1 : full);
  const warmupMs = s ? 100 : 1000;
  const durationMs = s ? 300 : 4000;
  const stream = (id: ScenarioId, connections: number, probeEveryMs: number, targets: TargetId[]) => ({
    id,
    targets,
    reference: 'node' as const,
    rounds: rounds(probeEveryMs ? 2 : 5),
    timeoutMs: warmupMs + durationMs + 30_000,
    job: (t: Target): Job => ({
      scenario: 'stream',
      port: t.tcpPort,
      connections,
      writeSize: 1024,
      writeBatch: o.writeBatch,
      warmupMs,
      // socat's PIPE can block for good writing into its own full pipe: do not wait long for it.
      drainTimeoutMs: t.forks ? 3000 : 10_000,
      durationMs,
      probeEveryMs,
      targetPid: t.pid,
      targetForks: t.forks,
    }),
  });
  const members = s ? 10 : 50;
  const writes = o.writeBatch > 1 ? `1 KB writes corked ${o.writeBatch} at a time` : '1 KB writes';
  return [
    {
      ...stream('stream-1', 1, 0, echo),
      title: `streaming, 1 connection, ${writes} (MB/s of echo over ${durationMs / 1000} s)`,
    },
    {
      ...stream('stream-50', 50, 0, echo),
      title: `streaming, 50 connections, ${writes} (MB/s of echo over ${durationMs / 1000} s)`,
    },
    {
      id: 'latency',
      title: 'request/response latency, 1 connection, 64-byte messages, one in flight',
      targets: echo,
      reference: 'node',
      rounds: rounds(2),
      timeoutMs: 40_000,
      job: (t) => ({
        scenario: 'latency',
        port: t.tcpPort,
        messageSize: 64,
        warmupCount: s ? 100 : 2000,
        maxCount: s ? 2000 : 50_000,
        durationMs: s ? 200 : 3000,
      }),
    },
    {
      id: 'idle',
      title: `${o.idleConnections} idle connections (server memory per connection)`,
      // socat forks a process per connection: 10,000 processes is not what anyone would run.
      targets: NODE_TARGETS,
      reference: 'node',
      rounds: rounds(1),
      timeoutMs: 120_000,
      job: (t) => ({
        scenario: 'idle',
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
        scenario: 'chat',
        port: t.udpPort,
        members,
        ratePerMember: 40,
        durationMs: s ? 300 : 4000,
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
  ];
}
