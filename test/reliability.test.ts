import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { encode, isValidNick, parseClientMessage, parseServerMessage } from '../src/udp/protocol.ts';
import { parseJsonLines, runCli, startServerProcess, waitFor, defer } from './helpers.ts';

// The guarantees of docs/reliability.md, checked against the real server process: its memory and
// file descriptors are read from /proc, as an operator would.

const rssMiB = (pid: number) => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
};
const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

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

test('connections that reset, half-close or vanish leave no file descriptor behind', async (t) => {
  // Every connection's own lines are counted below: lift the connection line budget.
  const server = await startServerProcess(['--portion-lines', '0', '--connection-lines', '10000']);
  defer(t, () => server.child.kill('SIGKILL'));
  const pid = server.child.pid as number;
  const baseline = openFds(pid);
  const rounds = 60;
  await Promise.all(
    Array.from({ length: rounds }, async (_, i) => {
      const s = net.connect(server.tcpPort, '127.0.0.1');
      s.on('error', () => {});
      await once(s, 'connect');
      s.write(Buffer.alloc(50_000, i));
      if (i % 3 === 0)
        s.resetAndDestroy(); // RST mid-write
      else if (i % 3 === 1) {
        s.end(); // FIN, still reading
        s.resume();
        await once(s, 'close');
      } else s.destroy(); // vanishes
    }),
  );
  await waitFor(
    'all closed',
    () => server.json().filter((l) => l.event === 'tcp.connection.closed').length === rounds || undefined,
    10_000,
  );
  await waitFor(`fds back to ${baseline}`, () => openFds(pid) <= baseline || undefined, 5000);
  const last = server
    .json()
    .filter((l) => l.event === 'tcp.connection.closed')
    .at(-1);
  assert.equal(last?.open, 0);
});

test('random garbage datagrams never crash the chat server; members keep chatting', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  defer(t, () => socket.close());
  const garbage: Uint8Array[] = [];
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 1600 }), async (bytes) => {
      await new Promise<void>((r) => socket.send(bytes, server.udpPort, '127.0.0.1', () => r()));
      garbage.push(bytes);
    }),
    { numRuns: 2000 },
  );
  // a proper member can still join and get answers
  const inbox: Buffer[] = [];
  socket.on('message', (m) => inbox.push(m));
  socket.send(encode({ type: 'HELLO', nick: 'survivor' }), server.udpPort, '127.0.0.1');
  const cookie = parseServerMessage(
    await waitFor('cookie', () => inbox.find((m) => m.toString().startsWith('COOKIE')), 5000),
  );
  assert.ok(cookie.ok && cookie.message.type === 'COOKIE');
  socket.send(
    encode({ type: 'JOIN', nick: 'survivor', cookie: cookie.message.cookie }),
    server.udpPort,
    '127.0.0.1',
  );
  await waitFor('welcome', () => inbox.find((m) => m.toString().startsWith('WELCOME')), 5000);
  assert.equal(server.child.exitCode, null, 'the server is still running');
  // Every datagram the server must refuse is counted: one by one up to the line budget, the rest
  // in summaries. The WELCOME came after all the garbage from this same socket, so the server has
  // handled every garbage datagram that reached it; stopping it writes the summary still pending.
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.stderr());
  const expected = garbage.filter(mustBeRejected).length;
  const lines = server.json();
  const counted =
    lines.filter((l) => l.event === 'udp.datagram.rejected').length +
    lines.filter((l) => l.event === 'udp.drop.summary').reduce((n, l) => n + (l.dropped as number), 0);
  t.diagnostic(`${garbage.length} random datagrams, ${expected} to refuse: ${counted} counted in the log`);
  assert.ok(counted <= expected, 'nothing counted twice');
  // UDP on loopback may still drop some in the kernel, before the server sees them.
  assert.ok(counted >= expected * 0.9, `only ${counted} of ${expected} refusals counted`);
});

/** What the server must refuse from a sender that has not joined. */
function mustBeRejected(bytes: Uint8Array): boolean {
  const p = parseClientMessage(bytes);
  if (!p.ok) return true;
  if (p.message.type === 'HELLO')
    return (
      !isValidNick(p.message.nick) || encode({ type: 'COOKIE', cookie: 'x'.repeat(22) }).length > bytes.length
    );
  return p.message.type !== 'PING';
}

test('the echo client says clearly when the server vanishes, with no stack trace', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const client = runCli(['echo', '--port', String(server.tcpPort), '--log-format', 'json']);
  defer(t, () => client.child.kill('SIGKILL'));
  client.child.stdin?.write('hello\n');
  await waitFor('echoed', () => client.stdout() === 'hello\n');
  server.child.kill('SIGKILL');
  assert.equal(await client.exited, 1);
  assert.match(
    client.stderr(),
    /socket-lab echo: the server 127\.0\.0\.1:\d+ (closed the connection|talk to .*reset)/,
  );
  assert.doesNotMatch(client.stderr(), /\n\s+at /);
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
