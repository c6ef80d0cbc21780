/**
 * What the orchestrator asks of its child processes (targets, load generators, log readers) and
 * what they answer, over Node's IPC channel. Plain JSON values only.
 */

/**
 * Which program serves the load, or (log-read scenario) reads the log: the report's reader or the
 * baseline `readline` + `JSON.parse` loop. `python` is a student-style echo server (recv(1024),
 * sendall, a thread per client); `python-strace` the same under `strace -f`, as the lab runs one.
 */
export type TargetId =
  'lab-default' | 'lab-quiet' | 'node' | 'socat' | 'python' | 'python-strace' | 'report' | 'readline';

/** A Node target child: socket-lab's servers, or the bare Node baseline. */
export type TargetSpec =
  | {
      kind: 'lab';
      /** Echo server options: connection limits raised so that the idle scenario fits, the portion lines. */
      echo: { maxConnections: number; maxConnectionsPerAddress: number; portionLinesPerSecond: number };
      /**
       * Chat limits raised above the defaults, which guard against abuse (20 messages/s per member,
       * 32 members per address, 50,000 relayed datagrams/s): the benchmark's 50 members all come
       * from 127.0.0.1 and relay 98,000 datagrams/s.
       */
      chat: {
        messagesPerSecond: number;
        messageBurst: number;
        maxMembersPerAddress: number;
        relayBudgetPerSecond: number;
      };
    }
  | { kind: 'node' };

/** How late the target's event loop ran timers, ms: a stalled loop delays every connection. */
export type LoopDelay = { p99Ms: number; maxMs: number };

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
  /** A probe process opens a new connection this often while streaming and times connect + echo (0: never). */
  probeEveryMs: number;
  /** After the window, how long the echo may take to drain before the run counts as incomplete. */
  drainTimeoutMs: number;
  /** Process whose CPU time is sampled at the start and end of the window; with its children when `withChildren`. */
  targetPid: number;
  withChildren: boolean;
}

/** One connection, one `messageSize`-byte message in flight: `warmupCount` round trips, then up to `maxCount` or `durationMs`. */
export type LatencyJob = {
  scenario: 'latency';
  port: number;
  messageSize: number;
  warmupCount: number;
  maxCount: number;
  durationMs: number;
};

/** `connections` opened `concurrency` at a time, within `timeoutMs`, then held. */
export type IdleJob = {
  scenario: 'idle';
  port: number;
  connections: number;
  concurrency: number;
  timeoutMs: number;
};

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
export type ProbeJob = { scenario: 'probe'; port: number; everyMs: number; durationMs: number };

export type Job = StreamJob | LatencyJob | IdleJob | ChatJob | ProbeJob;

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
  /** Probe jobs: connect + echo times of the probe connections, ms (one that never answered counts as its timeout). */
  probesMs?: number[];
}

/** What a log reader process measured. */
export type ReadResult = {
  ms: number;
  lines: number;
  /** Peak RSS of the reader's process, bytes. */ peakRss: number;
};

export type ChildToParent =
  | { type: 'holding'; established: number }
  | { type: 'result'; result: JobResult }
  | { type: 'read'; result: ReadResult }
  | { type: 'error'; message: string };
export type ParentToLoad = { type: 'release' };
