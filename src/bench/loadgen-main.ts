/**
 * The load generator process: `node dist/bench/loadgen-main.js <job json>`, forked by the
 * orchestrator. Answers with one `result` (or `error`) message over IPC and exits.
 */
import { fork } from 'node:child_process';
import type { Job, JobResult, LoadToParent, ParentToLoad, ProbeJob } from './jobs.js';
import { runChat, runIdle, runLatency, runProbe, runStream } from './loadgen.js';

function send(message: LoadToParent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** The probe job in a child of this process: its timings must not wait on our busy event loop. */
function probesInOwnProcess(job: ProbeJob): Promise<number[]> {
  const child = fork(new URL(import.meta.url).pathname, [JSON.stringify(job)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), job.durationMs + 30_000);
    child.on('message', (m: LoadToParent) => {
      if (m.type === 'result' && m.result.scenario === 'probe') resolve(m.result.probesMs);
      else if (m.type === 'error') reject(new Error(`probe: ${m.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`probe process exited with code ${code}`));
    });
  });
}

async function run(job: Job): Promise<JobResult> {
  switch (job.scenario) {
    case 'stream':
      return runStream(job, probesInOwnProcess);
    case 'probe':
      return runProbe(job);
    case 'latency':
      return runLatency(job);
    case 'chat':
      return runChat(job);
    case 'idle':
      return runIdle(job, async (established) => {
        const released = new Promise<void>((resolve) =>
          process.once('message', (m: ParentToLoad) => m.type === 'release' && resolve()),
        );
        await send({ type: 'holding', established });
        await released;
      });
  }
}

// The orchestrator went away (Ctrl-C, crash): stop loading the machine.
process.on('disconnect', () => process.exit(1));

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
run(job).then(
  async (result) => {
    await send({ type: 'result', result });
    process.exit(0);
  },
  async (err: unknown) => {
    await send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
