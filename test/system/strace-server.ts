/**
 * Our server run under strace with a given trace filter, for the tests that hold the texts to
 * what strace shows (question 3's command, the read size). Cleans up after the test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CLI, defer, parseJsonLines, waitFor } from '../helpers.ts';

export interface StracedServer {
  /** The TCP port it listens on. */
  port: number;
  /** Its JSON log lines so far. */
  lines: () => Array<Record<string, unknown>>;
  /** Stops the server (and so strace); then the trace is whole. */
  stop: () => Promise<void>;
  /** The trace's lines (after stop). */
  trace: () => string[];
}

export async function serverUnderStrace(t: TestContext, filter: string): Promise<StracedServer> {
  const dir = mkdtempSync(join(tmpdir(), 'socket-lab-strace-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'trace.txt');
  const server = [
    'server',
    '--host',
    '127.0.0.1',
    '--tcp-port',
    '0',
    '--udp-port',
    '0',
    '--log-format',
    'json',
  ];
  const child = spawn('strace', ['-f', '-e', filter, '-o', file, process.execPath, CLI, ...server], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  // Killing strace only detaches it (the server would run on): stop the server by its own pid,
  // from its log lines; strace then exits with it. strace itself goes, in case it never started it.
  let pid = 0;
  const stop = async () => {
    if (pid > 0) process.kill(pid, 'SIGTERM');
    else child.kill('SIGKILL');
    await exited;
  };
  defer(t, async () => {
    if (child.exitCode === null && child.signalCode === null) await stop();
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const listening = await waitFor(
    'the TCP listener',
    () => parseJsonLines(out).find((l) => l.event === 'server.listening' && l.protocol === 'tcp'),
    30_000,
  );
  pid = Number(listening.pid);
  return {
    port: Number(listening.port),
    lines: () => parseJsonLines(out),
    stop,
    trace: () => readFileSync(file, 'utf8').split('\n'),
  };
}
