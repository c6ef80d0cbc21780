import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { encode, isValidNick, parseClientMessage, parseServerMessage } from '../src/udp/protocol.ts';
import { runCli, startServerProcess, waitFor, defer } from './helpers.ts';

// The guarantees of docs/reliability.md, checked against the real server process: its memory and
// file descriptors are read from /proc, as an operator would. The two under volume (100 MiB offered
// to a client that never reads, a stop while 100 clients stream) are in the system tier:
// test/system/load-servers.test.ts.

const openFds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

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
