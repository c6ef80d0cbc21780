/** The targets, and what the orchestrator asks of its child processes and they answer over IPC (JSON). */
import type { EchoServerOptions } from '../tcp/echo-server.js';
import type { ChatServerOptions } from '../udp/chat-server.js';

/**
 * The programs that serve the load (`python`: a student-style echo server, `python-strace`: the same
 * under `strace -f`) or, in the log-read scenario, read the log; and how the tables name them.
 */
export const TARGET_LABELS = {
  'lab-default': 'socket-lab, default logging',
  'lab-quiet': 'socket-lab, quiet',
  node: 'bare Node',
  socat: 'socat',
  python: 'Python echo server',
  'python-strace': 'Python echo server under strace',
  readline: 'readline + JSON.parse',
  report: 'socket-lab report',
} as const;
export type TargetId = keyof typeof TARGET_LABELS;

/** A Node target child: socket-lab's servers with these options, or the bare Node baseline. */
export type TargetSpec =
  | { kind: 'lab'; echo: Omit<EchoServerOptions, 'log'>; chat: Omit<ChatServerOptions, 'log'> }
  | { kind: 'node' };

/** How late the target's event loop ran timers, ms: a stalled loop delays every connection. */
export type LoopDelay = { p99Ms: number; maxMs: number };

export type TargetToParent =
  { type: 'ready'; tcpPort: number; udpPort: number } | { type: 'gc-done' } | ({ type: 'loop' } & LoopDelay);
export type ParentToTarget = { type: 'gc' } | { type: 'loop' } | { type: 'stop' };

/**
 * `connections` each write `writeSize`-byte buffers (corked `writeBatch` at a time); a probe connects
 * every `probeEveryMs` (0: never). The CPU time of `targetPid` (`withChildren`) is sampled.
 */
export type StreamJob = {
  kind: 'stream';
  port: number;
  connections: number;
  writeSize: number;
  writeBatch: number;
  warmupMs: number;
  durationMs: number;
  probeEveryMs: number;
  /** After the window, how long the echo may take to drain before the run counts as incomplete. */
  drainTimeoutMs: number;
  targetPid: number;
  withChildren: boolean;
};
/** One connection, one message in flight: `warmupCount` round trips, then up to `maxCount` or `durationMs`. */
export type LatencyJob = {
  kind: 'latency';
  port: number;
  messageSize: number;
  warmupCount: number;
  maxCount: number;
  durationMs: number;
};
/** `connections` opened `concurrency` at a time, within `timeoutMs`, then held. */
export type IdleJob = {
  kind: 'idle';
  port: number;
  connections: number;
  concurrency: number;
  timeoutMs: number;
};
/** `members` join, each sends `ratePerMember` messages a second, then `drainMs` for the stragglers. */
export type ChatJob = {
  kind: 'chat';
  port: number;
  members: number;
  ratePerMember: number;
  durationMs: number;
  drainMs: number;
  targetPid: number;
};
export type ProbeJob = { kind: 'probe'; port: number; everyMs: number; durationMs: number };
/** One log reader over `file`, alone in its process so that the peak RSS is its own. */
export type ReadJob = { kind: 'read'; reader: 'report' | 'readline'; file: string };
export type Job = StreamJob | LatencyJob | IdleJob | ChatJob | ProbeJob | ReadJob;

export interface ConnTally {
  /** The generator's local port: the server logs it as the connection's remote endpoint. */
  localPort: number;
  sent: number;
  received: number;
  /** Bytes received inside the measured window. */
  windowBytes: number;
}

/** Figures for the table, units in the name (`mbPerSec`, `p50Us`, ...). */
export type Metrics = Record<string, number>;

export interface JobResult {
  metrics: Metrics;
  /** Stream jobs: every byte sent came back before the connection closed. */
  complete?: boolean;
  conns?: ConnTally[];
}

export type ChildToParent =
  | { type: 'holding'; established: number }
  | { type: 'result'; result: JobResult }
  | { type: 'error'; message: string };
export type ParentToLoad = { type: 'release' };
