/**
 * The benchmark's child processes, `child.js <role> <json>`, forked by proc.ts with an IPC channel:
 * `target <spec>` serves (answers `ready`, `gc`: a full GC so that memory readings do not depend on
 * when V8 last collected, `loop`, and `stop`, which lets `--cpu-prof` write its profile); `load <job>`
 * generates load or reads a log, apart so that its CPU and peak RSS are not the server's.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type Baseline, startBaseline } from './baseline.js';
import type { Job, JobResult, ParentToTarget, TargetSpec } from './jobs.js';
import { send } from './proc.js';

const HOST = '127.0.0.1';

/** socket-lab's servers as `socket-lab server` runs them when stdout is not a terminal: JSON lines, info level. */
async function labServers(spec: Extract<TargetSpec, { kind: 'lab' }>): Promise<Baseline> {
  // Loaded only here: the baseline starts without pino and its friends.
  const { createLogger } = await import('../log/logger.js');
  const { createEchoServer } = await import('../tcp/echo-server.js');
  const { createChatServer } = await import('../udp/chat-server.js');
  const { log, flush } = createLogger({ format: 'json', level: 'info', lang: 'en', destination: 1 });
  const tcp = await createEchoServer({ host: HOST, port: 0, ...spec.echo, log });
  const udp = await createChatServer({ host: HOST, port: 0, ...spec.chat, log });
  const close = async () => {
    await Promise.all([tcp.close(1000), udp.close()]);
    await flush();
  };
  return { tcpPort: tcp.address.port, udpPort: udp.address.port, close };
}

async function target(spec: TargetSpec): Promise<void> {
  const server = spec.kind === 'lab' ? await labServers(spec) : await startBaseline(HOST);
  await send({ type: 'ready', tcpPort: server.tcpPort, udpPort: server.udpPort });
  let stopping: Promise<void> | undefined;
  const exit = () => {
    stopping ??= server.close().then(
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

async function load(job: Job): Promise<JobResult> {
  if (job.kind === 'read') return (await import('./logread.js')).read(job);
  return (await import('./loadgen.js')).generate(job);
}

const [role, json = '{}'] = process.argv.slice(2);
if (role === 'target') {
  target(JSON.parse(json) as TargetSpec).catch((err: unknown) => {
    process.stderr.write(`bench target: ${String(err)}\n`);
    process.exit(1);
  });
} else {
  // A load generator or reader whose orchestrator went away (Ctrl-C, crash) stops loading the machine.
  process.on('disconnect', () => process.exit(1));
  load(JSON.parse(json) as Job).then(
    async (result) => {
      await send({ type: 'result', result });
      process.exit(0);
    },
    async (err: unknown) => {
      await send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    },
  );
}
