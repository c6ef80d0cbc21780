/**
 * What our echo server's reads ask the kernel for, seen from outside with strace: the texts (event
 * explanations, README, docs/performance.md) say "each read() asks for up to 64 KiB, handled in
 * portions of at most 1 KB". Node offers no supported way to give a server's accepted sockets a
 * smaller read buffer (see docs/performance.md); if a Node release ever does, or the buffer size
 * changes, this test fails and the texts must change with it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundTrip, waitFor } from '../helpers.ts';
import { needs } from './needs.ts';
import { serverUnderStrace } from './strace-server.ts';

test('our echo server reads up to 64 KiB per read() and logs portions of at most 1024 bytes', async (t) => {
  if (!needs(t, { tools: ['strace'] }, 'what our server asks read() for, seen from outside')) return;
  const server = await serverUnderStrace(t, 'trace=read,recvfrom,recvmsg');
  const port = server.port;

  // 3000 bytes in one write: one read returns them all, and the log shows three portions of it.
  const line = Buffer.alloc(3000, 'q');
  assert.deepEqual(await roundTrip(port, [line], true), line);
  const portions = await waitFor('three portions logged', () => {
    const got = server.lines().filter((l) => l.event === 'tcp.data.received');
    return got.length >= 3 ? got : undefined;
  });
  assert.deepEqual(
    portions.map((p) => p.bytes),
    [1024, 1024, 952],
  );
  await server.stop();

  // The accepted connection's data read: `read(FD, "qqq..."..., SIZE) = 3000`.
  const reads = server
    .trace()
    .map((l) => /(?:read|recvfrom)\((\d+), "q+"\.\.\., (\d+)(?:,.*)?\)\s+= 3000$/.exec(l))
    .filter((m) => m !== null);
  assert.equal(reads.length, 1, 'one read returned the 3000 bytes');
  assert.equal(reads[0]?.[2], '65536', 'the read asked the kernel for 64 KiB (libuv read buffer)');
});
