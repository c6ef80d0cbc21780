import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { test } from 'node:test';
import { LOG_SCHEMA } from '../src/log/events.ts';
import fc from 'fast-check';
import { type EchoServer, createEchoServer } from '../src/tcp/echo-server.ts';
import { captureLog, rawConnect, roundTrip, waitFor, defer } from './helpers.ts';

async function startEcho(
  t: { after: (fn: () => Promise<void>) => void },
  options: Record<string, number> = {},
) {
  const cap = captureLog();
  const server: EchoServer = await createEchoServer({ host: '127.0.0.1', port: 0, log: cap.log, ...options });
  defer(t, () => server.close(200));
  return { server, ...cap, port: server.address.port };
}

/** Cuts `data` into consecutive pieces at the given sizes (cycled). */
function cut(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  for (let off = 0; off < data.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length] ?? 1);
    out.push(data.subarray(off, off + n));
    off += n;
  }
  return out;
}

test('random binary data up to 1 MiB comes back byte for byte, in any chunking', async (t) => {
  const { port } = await startEcho(t, { portionLinesPerSecond: 0 });
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 1 << 20 }),
      fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }),
      async (size, sizes) => {
        const data = randomBytes(size);
        const back = await roundTrip(port, cut(data, sizes));
        assert.ok(back.equals(data), `echo differs for ${size} bytes cut as ${sizes}`);
      },
    ),
    { numRuns: 25 },
  );
});

test('1-byte writes and one write far larger than chunk-size are echoed exactly', async (t) => {
  const { port } = await startEcho(t, { chunkSize: 16, portionLinesPerSecond: 0 });
  const small = randomBytes(300);
  assert.ok((await roundTrip(port, cut(small, [1]))).equals(small));
  const big = randomBytes(3 << 20);
  assert.ok((await roundTrip(port, [big])).equals(big));
});

test('UTF-8 text split at every byte offset comes back intact, even when portions split characters', async (t) => {
  const { port, events } = await startEcho(t, { chunkSize: 3 });
  const text = Buffer.from('Привет, мир! 你好 🌍 echo');
  for (let k = 0; k <= text.length; k++) {
    const back = await roundTrip(port, [text.subarray(0, k), text.subarray(k)]);
    assert.equal(back.toString('utf8'), text.toString('utf8'), `split at byte ${k}`);
  }
  const portions = events('tcp.data.received').map((l) => l.bytes as number);
  assert.ok(portions.length > 0);
  assert.ok(
    portions.every((n) => n <= 3),
    `a portion exceeded chunk-size: ${portions.find((n) => n > 3)}`,
  );
});

test('a 5-byte message is echoed at once, without waiting for a full portion', async (t) => {
  const { port } = await startEcho(t);
  const socket = await rawConnect(port);
  defer(t, () => socket.destroy());
  socket.write('hello');
  const [data] = (await once(socket, 'data')) as [Buffer];
  assert.equal(data.toString(), 'hello');
});

test('a connection logs accepted, received, sent, peer ended and closed with exact counts', async (t) => {
  const { port, lines, events } = await startEcho(t, { chunkSize: 4 });
  const back = await roundTrip(port, [Buffer.from('0123456789')], true);
  assert.equal(back.toString(), '0123456789');
  const closed = await waitFor('tcp.connection.closed', () => events('tcp.connection.closed')[0]);
  const accepted = events('tcp.connection.accepted')[0];
  assert.ok(accepted);
  assert.match(String(accepted.remote), /^127\.0\.0\.1:\d+$/);
  assert.equal(accepted.local, `127.0.0.1:${port}`);
  assert.deepEqual(
    events('tcp.data.received').map((l) => [l.portion, l.bytes]),
    [
      [1, 4],
      [2, 4],
      [3, 2],
    ],
  );
  assert.deepEqual(
    events('tcp.data.sent').map((l) => l.bytes),
    [4, 4, 2],
  );
  assert.equal(events('tcp.peer.ended').length, 1);
  assert.equal(closed.reason, 'peer-closed');
  assert.equal(closed.bytesIn, 10);
  assert.equal(closed.bytesOut, 10);
  assert.equal(closed.open, 0);
  for (const l of lines) {
    assert.equal(l.component, 'tcp-echo');
    assert.equal(typeof l.msg, 'string');
    assert.equal(l.schema, LOG_SCHEMA);
  }
});

test('many concurrent clients each get their own connection id and their own echo', async (t) => {
  const { port, server, events } = await startEcho(t, { portionLinesPerSecond: 0 });
  const payloads = Array.from({ length: 60 }, (_, i) => randomBytes(1000 + i * 997));
  const results = await Promise.all(payloads.map((p) => roundTrip(port, cut(p, [333, 1024, 7]))));
  results.forEach((r, i) =>
    assert.ok(r.equals(payloads[i] as Buffer), `client ${i} got someone else's bytes`),
  );
  const ids = events('tcp.connection.accepted').map((l) => l.connId);
  assert.equal(new Set(ids).size, 60);
  await waitFor('all connections closed', () => server.openConnections() === 0);
});

test('above the line budget, portions are summarised with exact counts', async (t) => {
  const { port, events } = await startEcho(t, { chunkSize: 10, portionLinesPerSecond: 2 });
  const data = randomBytes(1000); // 100 portions
  assert.ok((await roundTrip(port, [data], true)).equals(data));
  const closed = await waitFor('closed', () => events('tcp.connection.closed')[0]);
  const individual = events('tcp.data.received').length;
  assert.equal(individual, 2);
  const summarised = events('tcp.data.summary').reduce((n, l) => n + (l.portionsIn as number), 0);
  const summarisedBytes = events('tcp.data.summary').reduce((n, l) => n + (l.bytesIn as number), 0);
  assert.equal(individual + summarised, 100);
  assert.equal(summarisedBytes + 20, 1000);
  assert.equal(closed.portionsIn, 100);
});

test('the connection over --max-connections is closed and logged; a freed slot takes a new client', async (t) => {
  const { port, events, server } = await startEcho(t, { maxConnections: 2 });
  const a = await rawConnect(port);
  const b = await rawConnect(port);
  defer(t, () => {
    a.destroy();
    b.destroy();
  });
  await waitFor('2 open', () => server.openConnections() === 2);
  const c = await rawConnect(port);
  // Read it: the server says why in one line before its FIN.
  let said = '';
  c.setEncoding('utf8').on('data', (d: string) => (said += d));
  await once(c, 'close');
  assert.match(said, /^SOCKET-LAB-REFUSED max-connections 2\/2: .*LAB_MAX_CONNECTIONS.*\n$/);
  const rejected = await waitFor('rejected', () => events('tcp.connection.rejected')[0]);
  assert.equal(rejected.reason, 'max-connections');
  assert.equal(rejected.max, 2);
  // the existing clients are unaffected
  assert.equal((await roundTripOn(a, 'still here')).toString(), 'still here');
  b.destroy();
  await waitFor('slot freed', () => server.openConnections() === 1);
  assert.equal((await roundTrip(port, [Buffer.from('new one')])).toString(), 'new one');
});

async function roundTripOn(socket: import('node:net').Socket, text: string): Promise<Buffer> {
  socket.write(text);
  const [data] = (await once(socket, 'data')) as [Buffer];
  return data;
}

test('an idle connection is closed after the idle timeout, with the reason logged', async (t) => {
  const { port, events } = await startEcho(t, { idleTimeoutMs: 150 });
  const socket = await rawConnect(port);
  defer(t, () => socket.destroy());
  await once(socket, 'close');
  const closed = await waitFor('closed', () => events('tcp.connection.closed')[0]);
  assert.equal(closed.reason, 'idle-timeout');
});

test('a connection is closed at its maximum lifetime even while it keeps sending', async (t) => {
  const { port, events } = await startEcho(t, { maxLifetimeMs: 300, idleTimeoutMs: 10_000 });
  const socket = await rawConnect(port);
  socket.on('data', () => {});
  // A drip already on its way when the server closes is answered with RST: ECONNRESET is expected.
  socket.on('error', () => {});
  const drip = setInterval(() => socket.writable && socket.write('x'), 20);
  defer(t, () => {
    clearInterval(drip);
    socket.destroy();
  });
  await new Promise((resolve) => socket.on('close', resolve));
  const closed = await waitFor('closed', () => events('tcp.connection.closed')[0]);
  assert.equal(closed.reason, 'max-lifetime');
});

test('a client that never reads is paused, then closed as stalled; others are served meanwhile', async (t) => {
  const { port, events, server } = await startEcho(t, { stallTimeoutMs: 400 });
  const greedy = await rawConnect(port);
  greedy.pause(); // never read
  defer(t, () => greedy.destroy());
  const block = Buffer.alloc(64 * 1024, 1);
  let writes = 0;
  const pump = () => {
    while (writes < 2000 && greedy.writable && greedy.write(block)) writes++;
  };
  greedy.on('drain', pump);
  greedy.on('error', () => {});
  pump();
  // another client is echoed while the greedy one is stuck
  assert.equal((await roundTrip(port, [Buffer.from('me too')])).toString(), 'me too');
  const closed = await waitFor(
    'stalled close',
    () => events('tcp.connection.closed').find((l) => l.connId === 1),
    8000,
  );
  assert.equal(closed.reason, 'stalled');
  assert.ok(
    (closed.bytesIn as number) < 2000 * block.length,
    'the server kept reading from a client that does not read',
  );
  await waitFor('no open connections', () => server.openConnections() === 0);
});

test('a client that half-closes still receives the rest of its echo', async (t) => {
  const { port, events } = await startEcho(t, { chunkSize: 1024 });
  const data = randomBytes(200_000);
  const back = await roundTrip(port, [data], true);
  assert.ok(back.equals(data));
  await waitFor('peer ended logged', () => events('tcp.peer.ended')[0]);
});

test('a client that resets mid-stream is logged and leaves nothing open', async (t) => {
  const { port, events, server } = await startEcho(t);
  const socket = await rawConnect(port);
  socket.write(randomBytes(100_000));
  await waitFor('some data read', () => events('tcp.data.received')[0]);
  socket.resetAndDestroy();
  const closed = await waitFor('closed', () => events('tcp.connection.closed')[0]);
  assert.equal(closed.reason, 'peer-reset');
  assert.equal(server.openConnections(), 0);
  assert.equal((await roundTrip(port, [Buffer.from('after reset')])).toString(), 'after reset');
});

test('close() sends FIN to every client, then destroys the ones that do not go', async (t) => {
  const { port, server, events } = await startEcho(t);
  const polite = await rawConnect(port);
  polite.on('end', () => polite.end());
  const stubborn = await rawConnect(port);
  stubborn.on('error', () => {});
  defer(t, () => stubborn.destroy());
  stubborn.allowHalfOpen = true;
  await waitFor('2 open', () => server.openConnections() === 2);
  const started = Date.now();
  await server.close(300);
  assert.ok(Date.now() - started < 2000);
  assert.equal(server.openConnections(), 0);
  const reasons = events('tcp.connection.closed').map((l) => l.reason);
  assert.deepEqual(reasons, ['server-stopping', 'server-stopping']);
});

test('options are validated at the edge with a clear message', async () => {
  const { log } = captureLog();
  await assert.rejects(
    createEchoServer({ port: 0, chunkSize: 0, log }),
    /chunkSize must be a whole number from 1/,
  );
  await assert.rejects(createEchoServer({ port: 70000, log }), /port must be a whole number from 0 to 65535/);
});

test('a port in use gives LAB_ERR_ADDR_IN_USE naming the address', async (t) => {
  const { port } = await startEcho(t);
  const { log } = captureLog();
  await assert.rejects(
    createEchoServer({ host: '127.0.0.1', port, log }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'LAB_ERR_ADDR_IN_USE');
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}.*already in use`));
      return true;
    },
  );
});
