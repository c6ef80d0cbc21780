/**
 * The benchmark's child processes, one entry point: `child.js <role> <json args>`, forked by the
 * orchestrator (proc.ts forkChild) with an IPC channel.
 *
 * - `target <spec>`: socket-lab's servers exactly as `socket-lab server` runs them (JSON log lines on
 *   stdout, info level), or the bare Node baseline. Answers `ready` with its ports, runs a full GC on
 *   `gc` (so memory readings do not depend on when V8 last collected), reports its event-loop delay
 *   on `loop`, and exits 0 on `stop`, which also lets `--cpu-prof` write its profile.
 * - `load <job>`: the load generator, in a process of its own so that its CPU is not the server's;
 *   answers one `result` (or `error`) and exits. A stream job's probes run in a `load` child of it.
 * - `read <reader> <file>`: one log reader, alone in its process so that the peak RSS is its own.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type {
  ChildToParent,
  Job,
  JobResult,
  ParentToLoad,
  ParentToTarget,
  TargetSpec,
  TargetToParent,
} from './jobs.js';
import { answer, forkChild } from './proc.js';

const HOST = '127.0.0.1';

function send(message: TargetToParent | ChildToParent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function target(spec: TargetSpec): Promise<void> {
  let stop: () => Promise<void>;
  if (spec.kind === 'lab') {
    // Loaded only here: the baseline starts without pino and its friends.
    const { createLogger } = await import('../log/logger.js');
    const { createEchoServer } = await import('../tcp/echo-server.js');
    const { createChatServer } = await import('../udp/chat-server.js');
    // What `socket-lab server` writes when its stdout is not a terminal: JSON lines, info level.
    const { log, flush } = createLogger({ format: 'json', level: 'info', lang: 'en', destination: 1 });
    const tcp = await createEchoServer({ host: HOST, port: 0, ...spec.echo, log });
    const udp = await createChatServer({ host: HOST, port: 0, ...spec.chat, log });
    await send({ type: 'ready', tcpPort: tcp.address.port, udpPort: udp.address.port });
    stop = async () => {
      await Promise.all([tcp.close(1000), udp.close()]);
      await flush();
    };
  } else {
    const { startBaseline } = await import('./baseline.js');
    const b = await startBaseline(HOST);
    await send({ type: 'ready', tcpPort: b.tcpPort, udpPort: b.udpPort });
    stop = () => b.close();
  }
  let stopping = false;
  const exit = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  process.on('message', (m: ParentToTarget) => {
    if (m.type === 'loop')
      void send({ type: 'loop', p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 });
    else if (m.type === 'gc') {
      (globalThis as { gc?: () => void }).gc?.();
      void send({ type: 'gc-done' });
    } else if (m.type === 'stop') exit();
  });
  // The orchestrator went away: do not linger.
  process.on('disconnect', exit);
}

/** The probe job in a child of this process: its timings must not wait on our busy event loop. */
function probesInOwnProcess(job: Job): Promise<number[]> {
  const child = forkChild('load', [job], [], 'inherit');
  return answer(
    child,
    'probe',
    30_000 + (job.scenario === 'probe' ? job.durationMs : 0),
    (m: ChildToParent) => {
      if (m.type === 'error') throw new Error(`probe: ${m.message}`);
      return m.type === 'result' ? (m.result.probesMs ?? []) : undefined;
    },
  );
}

async function load(job: Job): Promise<JobResult> {
  const g = await import('./loadgen.js');
  switch (job.scenario) {
    case 'stream':
      return g.runStream(job, probesInOwnProcess);
    case 'probe':
      return g.runProbe(job);
    case 'latency':
      return g.runLatency(job);
    case 'chat':
      return g.runChat(job);
    case 'idle':
      return g.runIdle(job, async (established) => {
        const released = new Promise<void>((resolve) =>
          process.once('message', (m: ParentToLoad) => m.type === 'release' && resolve()),
        );
        await send({ type: 'holding', established });
        await released;
      });
  }
}

const fail = async (err: unknown) => {
  await send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
};
const [role = '', ...json] = process.argv.slice(2);
const args = json.map((a) => JSON.parse(a) as unknown);
if (role === 'target') {
  target(args[0] as TargetSpec).catch((err: unknown) => {
    process.stderr.write(`bench target: ${String(err)}\n`);
    process.exit(1);
  });
} else {
  // A load generator or reader whose orchestrator went away (Ctrl-C, crash) stops loading the machine.
  process.on('disconnect', () => process.exit(1));
  const work =
    role === 'load'
      ? load(args[0] as Job).then((result): ChildToParent => ({ type: 'result', result }))
      : import('./logread.js')
          .then((r) => r.read(args[0] as 'report' | 'readline', args[1] as string))
          .then(({ lines, ms }): ChildToParent => {
            const peakRss = process.resourceUsage().maxRSS * 1024;
            return { type: 'read', result: { ms, lines, peakRss } };
          });
  work.then(async (m) => {
    await send(m);
    process.exit(0);
  }, fail);
}
