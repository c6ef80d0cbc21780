/**
 * The servers under volume (docs/reliability.md): a client that offers 100 MiB and never reads, and
 * a stop while 100 clients stream. Real sockets on 127.0.0.1, the real server process, its memory
 * read from /proc as an operator would. They need no tool, only time and load, so they run in the
 * system tier (`npm run test:system`); the rest of the guarantees are in test/reliability.test.ts.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { parseJsonLines, startServerProcess, waitFor, defer } from '../helpers.ts';

const rssMiB = (pid: number) => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
};

test('a client that offers up to 100 MiB and never reads: memory stays bounded, others are served, it is closed as stalled', async (t) => {
  const server = await startServerProcess(['--stall-timeout', '2', '--portion-lines', '0']);
  defer(t, () => server.child.kill('SIGKILL'));
  const pid = server.child.pid as number;
  const before = rssMiB(pid);
  const greedy = net.connect(server.tcpPort, '127.0.0.1');
  greedy.on('error', () => {});
  await once(greedy, 'connect');
  greedy.pause(); // never reads its echo
  const block = Buffer.alloc(1 << 20, 0x61);
  let offered = 0;
  const deadline = Date.now() + 8000;
  // Offer 100 MiB as fast as the socket takes it (bounded in count and time); the server closing
  // the connection as stalled ends the loop.
  const writable = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        greedy.off('drain', done);
        greedy.off('close', done);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(done, 200);
      greedy.on('drain', done);
      greedy.on('close', done);
    });
  let peak = rssMiB(pid);
  while (offered < 100 && Date.now() < deadline && !greedy.destroyed) {
    if (!greedy.write(block)) await writable();
    offered++;
    peak = Math.max(peak, rssMiB(pid));
  }
  // another client is echoed meanwhile
  const other = net.connect(server.tcpPort, '127.0.0.1');
  await once(other, 'connect');
  other.write('still served');
  const [reply] = (await once(other, 'data')) as [Buffer];
  assert.equal(reply.toString(), 'still served');
  other.destroy();
  const closed = await waitFor(
    'stalled close',
    () => server.json().find((l) => l.event === 'tcp.connection.closed' && l.connId === 1),
    10_000,
  );
  greedy.destroy();
  assert.equal(closed.reason, 'stalled');
  const growth = peak - before;
  assert.ok(growth < 30, `server RSS grew by ${growth.toFixed(1)} MiB (limit 30)`);
  assert.ok(
    (closed.bytesIn as number) < 100 * block.length,
    'the server kept reading from a client that never reads',
  );
  t.diagnostic(
    `RSS before ${before.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB (+${growth.toFixed(1)}); the server read ${((closed.bytesIn as number) / 2 ** 20).toFixed(1)} MiB of the ${offered} MiB offered`,
  );
});

test('SIGTERM while 100 clients stream: every line kept, server.stopped last, exit 0 well inside 10 s', async (t) => {
  const server = await startServerProcess([
    '--portion-lines',
    '5',
    '--connection-lines',
    '10000',
    '--max-per-address',
    '1000',
  ]);
  defer(t, () => server.child.kill('SIGKILL'));
  const clients: net.Socket[] = [];
  const echoed = new Set<number>(); // clients that got echo back: their streams are flowing
  // All 100 connect first, then all stream: on a loaded machine, clients that stream from their
  // first moment starve the accepts of the others (and this test's own reading of the log).
  for (let i = 0; i < 100; i++) {
    const s = net.connect(server.tcpPort, '127.0.0.1');
    s.on('error', () => {});
    s.on('data', () => echoed.add(i));
    s.on('end', () => s.end());
    clients.push(s);
  }
  defer(t, () => {
    for (const s of clients) s.destroy();
  });
  await waitFor(
    '100 accepted',
    () => server.json().filter((l) => l.event === 'tcp.connection.accepted').length === 100 || undefined,
    30_000,
  );
  const stop = Date.now() + 15_000; // bound: the streams end by themselves
  clients.forEach((s, i) => {
    const pump = () => {
      while (Date.now() < stop && s.writable && s.write(Buffer.alloc(16 * 1024, i)));
    };
    s.on('drain', pump);
    pump();
  });
  await waitFor(
    'echo flowing to all 100 clients',
    () => echoed.size === 100 || undefined,
    10_000,
    () => `${echoed.size} of 100 clients got echo`,
  );
  const started = Date.now();
  server.child.kill('SIGTERM');
  const code = await server.exited;
  const took = Date.now() - started;
  assert.equal(code, 0);
  const text = server.stdout();
  assert.ok(text.endsWith('\n'), 'the last line is complete');
  const lines = text.trimEnd().split('\n');
  const parsed = parseJsonLines(text);
  assert.equal(parsed.length, lines.length, 'every line is whole JSON');
  assert.equal(parsed.at(-1)?.event, 'server.stopped');
  assert.equal(parsed.filter((l) => l.event === 'tcp.connection.closed').length, 100);
  assert.ok(took < 5000, `stopping took ${took} ms`);
  t.diagnostic(`stopped in ${took} ms with 100 streaming clients, ${lines.length} log lines`);
});
