/**
 * What our echo server's reads ask the kernel for, seen from outside with strace: the texts (event
 * explanations, README, docs/performance.md) say "each read() asks for up to 64 KiB, handled in
 * portions of at most 1 KB". Node offers no supported way to give a server's accepted sockets a
 * smaller read buffer (see docs/performance.md); if a Node release ever does, or the buffer size
 * changes, this test fails and the texts must change with it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, parseJsonLines, roundTrip, waitFor } from '../helpers.ts';
import { defer } from '../helpers.ts';

const hasStrace = spawnSync('strace', ['-V']).status === 0;

test('our echo server reads up to 64 KiB per read() and logs portions of at most 1024 bytes', async (t) => {
  if (!hasStrace) {
    if (process.env.LAB_REQUIRE_SYSTEM === '1') assert.fail('needs strace (apt-get install strace)');
    return t.skip('needs strace: apt-get install strace');
  }
  const dir = mkdtempSync(join(tmpdir(), 'socket-lab-read-size-'));
  defer(t, () => rmSync(dir, { recursive: true, force: true }));
  const trace = join(dir, 'trace.txt');
  const server = ['server', '--host', '127.0.0.1', '--tcp-port', '0', '--udp-port', '0'];
  const strace = ['-f', '-e', 'trace=read,recvfrom,recvmsg', '-o', trace];
  const child = spawn('strace', [...strace, process.execPath, CLI, ...server, '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('close', resolve));
  // Killing strace only detaches it (the server would run on): stop the server by its own pid,
  // from its log lines; strace then exits with it. strace itself goes too, in case it never started it.
  const served = { pid: 0 };
  const stop = async () => {
    if (served.pid > 0) process.kill(served.pid, 'SIGTERM');
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
    20_000,
  );
  served.pid = Number(listening.pid);
  const port = Number(listening.port);

  // 3000 bytes in one write: one read returns them all, and the log shows three portions of it.
  const line = Buffer.alloc(3000, 'q');
  assert.deepEqual(await roundTrip(port, [line], true), line);
  const portions = await waitFor('three portions logged', () => {
    const got = parseJsonLines(out).filter((l) => l.event === 'tcp.data.received');
    return got.length >= 3 ? got : undefined;
  });
  assert.deepEqual(
    portions.map((p) => p.bytes),
    [1024, 1024, 952],
  );
  await stop();

  // The accepted connection's data read: `read(FD, "qqq..."..., SIZE) = 3000`.
  const reads = readFileSync(trace, 'utf8')
    .split('\n')
    .map((l) => /(?:read|recvfrom)\((\d+), "q+"\.\.\., (\d+)(?:,.*)?\)\s+= 3000$/.exec(l))
    .filter((m) => m !== null);
  assert.equal(reads.length, 1, 'one read returned the 3000 bytes');
  assert.equal(reads[0]?.[2], '65536', 'the read asked the kernel for 64 KiB (libuv read buffer)');
});
