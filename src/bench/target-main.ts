/**
 * A benchmark target in its own process: socket-lab's servers exactly as `socket-lab server` runs
 * them (JSON log lines on stdout, info level), or the bare Node baseline. Started by the
 * orchestrator with an IPC channel: it answers `ready` with its ports, runs a full GC on `gc` (so
 * memory readings do not depend on when V8 last collected), reports its event-loop delay on `loop`
 * and exits 0 on `stop`, which also lets `--cpu-prof` write its profile.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBaseline } from './baseline.js';
import type { ParentToTarget, TargetSpec, TargetToParent } from './jobs.js';

const HOST = '127.0.0.1';

function send(message: TargetToParent): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as TargetSpec;
  let stop: () => Promise<void>;
  if (spec.kind === 'lab') {
    // Loaded only here: the baseline starts without pino and its friends.
    const { createLogger } = await import('../log/logger.js');
    const { createEchoServer } = await import('../tcp/echo-server.js');
    const { createChatServer } = await import('../udp/chat-server.js');
    // What `socket-lab server` writes when its stdout is not a terminal: JSON lines, info level.
    const { log, flush } = createLogger({ format: 'json', level: 'info', lang: 'en', destination: 1 });
    const tcp = await createEchoServer({
      host: HOST,
      port: 0,
      maxConnections: spec.maxConnections,
      portionLinesPerSecond: spec.portionLines,
      log,
    });
    const udp = await createChatServer({
      host: HOST,
      port: 0,
      messagesPerSecond: spec.messagesPerSecond,
      messageBurst: spec.messageBurst,
      maxMembersPerAddress: spec.maxMembersPerAddress,
      relayBudgetPerSecond: spec.relayBudgetPerSecond,
      log,
    });
    send({ type: 'ready', tcpPort: tcp.address.port, udpPort: udp.address.port });
    stop = async () => {
      await Promise.all([tcp.close(1000), udp.close()]);
      await flush();
    };
  } else {
    const b = await startBaseline(HOST);
    send({ type: 'ready', tcpPort: b.tcpPort, udpPort: b.udpPort });
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
    if (m.type === 'loop') {
      send({ type: 'loop', p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 });
    } else if (m.type === 'gc') {
      (globalThis as { gc?: () => void }).gc?.();
      send({ type: 'gc-done' });
    } else if (m.type === 'stop') exit();
  });
  // The orchestrator went away: do not linger.
  process.on('disconnect', exit);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench target: ${String(err)}\n`);
  process.exit(1);
});
