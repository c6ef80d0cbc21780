/**
 * What the orchestrator asks of the child processes (targets and the load generator) and what they
 * answer, over Node's IPC channel. Plain JSON values only.
 */

/**
 * Which program serves the load, or (log-read scenario) which program reads the log: the report's
 * reader, or the baseline `readline` + `JSON.parse` loop.
 */
export type TargetId = 'lab-default' | 'lab-quiet' | 'node' | 'socat' | 'report' | 'readline';

/** How a target child is started (`node dist/bench/target-main.js <json>`). */
export type TargetSpec =
  | {
      kind: 'lab';
      /** `--portion-lines`: 20 is the default, 0 means per-portion events off ("quiet"). */
      portionLines: number;
      /** Connection limit raised so that the idle scenario fits (the CLI's --max-connections). */
      maxConnections: number;
      /**
       * Chat limits raised above the defaults for the relay scenario: the defaults guard against
       * abuse (20 messages/s per member, 32 members per address, 50,000 relayed datagrams/s), and
       * the benchmark's 50 members all come from 127.0.0.1 and relay 98,000 datagrams/s.
       */
      messagesPerSecond: number;
      messageBurst: number;
      maxMembersPerAddress: number;
      relayBudgetPerSecond: number;
    }
  | { kind: 'node' };

/** How late the target's event loop ran timers, ms: a stalled loop delays every connection. */
export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

export type TargetToParent =
  { type: 'ready'; tcpPort: number; udpPort: number } | { type: 'gc-done' } | ({ type: 'loop' } & LoopDelay);
export type ParentToTarget = { type: 'gc' } | { type: 'loop' } | { type: 'stop' };

export interface StreamJob {
  scenario: 'stream';
  port: number;
  /** Parallel connections, each writing `writeSize`-byte buffers as fast as the echo drains them. */
  connections: number;
  writeSize: number;
  /** Writes corked together into one writev (1: every write is its own system call). */
  writeBatch: number;
  warmupMs: number;
  durationMs: number;
  /**
   * While streaming, a separate probe process opens a new connection this often and times
   * connect + echo (0: never).
   */
  probeEveryMs: number;
  /** After the window, how long the echo may take to drain before the run counts as incomplete. */
  drainTimeoutMs: number;
  /** Process whose CPU time is sampled at the start and end of the measured window. */
  targetPid: number;
  /** socat forks a child per connection: count their CPU time too. */
  targetForks: boolean;
}

export interface LatencyJob {
  scenario: 'latency';
  port: number;
  messageSize: number;
  warmupCount: number;
  maxCount: number;
  durationMs: number;
}

export interface IdleJob {
  scenario: 'idle';
  port: number;
  connections: number;
  /** Connections being opened at once. */
  concurrency: number;
  timeoutMs: number;
}

export interface ChatJob {
  scenario: 'chat';
  port: number;
  members: number;
  /** Each member sends this many messages a second (the bounded send rate). */
  ratePerMember: number;
  durationMs: number;
  /** After the last send, wait this long for datagrams still on their way. */
  drainMs: number;
  targetPid: number;
}

/** Runs in a process of its own next to a stream job, so that its timings are not the generator's. */
export interface ProbeJob {
  scenario: 'probe';
  port: number;
  everyMs: number;
  durationMs: number;
}

export type Job = StreamJob | LatencyJob | IdleJob | ChatJob | ProbeJob;

export interface ConnTally {
  /** The generator's local port: the server logs it as the connection's remote endpoint. */
  localPort: number;
  sent: number;
  received: number;
  /** Bytes received inside the measured window. */
  windowBytes: number;
}

export interface StreamResult {
  scenario: 'stream';
  windowMs: number;
  /** Echo received inside the window, all connections together, MB/s (1 MB = 10^6 bytes). */
  mbPerSec: number;
  /** Slowest connection's rate divided by the mean rate, inside the window. */
  slowestShare: number;
  /** Target CPU time per MB of echo inside the window, ms. */
  cpuMsPerMB: number;
  /** Connect + echo times of the probe connections, ms (a probe that never answered counts as its timeout). */
  probesMs: number[];
  /** Every byte sent came back before the connection closed. */
  complete: boolean;
  conns: ConnTally[];
}

export interface LatencyResult {
  scenario: 'latency';
  count: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

export interface IdleResult {
  scenario: 'idle';
  established: number;
  failed: number;
  connectMs: number;
}

export interface ChatResult {
  scenario: 'chat';
  members: number;
  sentMessages: number;
  expected: number;
  delivered: number;
  windowMs: number;
  deliveredPerSec: number;
  lossPct: number;
  /** Datagrams the kernel dropped because a receive buffer was full: the server's, the members'. */
  serverDrops: number;
  memberDrops: number;
  cpuMsPer1000: number;
}

export interface ProbeResult {
  scenario: 'probe';
  probesMs: number[];
}

export type JobResult = StreamResult | LatencyResult | IdleResult | ChatResult | ProbeResult;

export type LoadToParent =
  | { type: 'holding'; established: number }
  | { type: 'result'; result: JobResult }
  | { type: 'error'; message: string };
export type ParentToLoad = { type: 'release' };
