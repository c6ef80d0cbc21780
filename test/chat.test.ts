import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import fc from 'fast-check';
import { type ChatEvent, joinChat } from '../src/udp/chat-client.ts';
import { type ChatServerOptions, createChatServer } from '../src/udp/chat-server.ts';
import { createCookieJar } from '../src/udp/cookie.ts';
import {
  type ClientMessage,
  MAX_DATAGRAM,
  MIN_HELLO_BYTES,
  type ServerMessage,
  encode,
  parseClientMessage,
  parseServerMessage,
} from '../src/udp/protocol.ts';
import { captureLog, waitFor, defer } from './helpers.ts';

async function startChat(
  t: { after: (fn: () => Promise<void>) => void },
  options: Partial<ChatServerOptions> = {},
) {
  const cap = captureLog();
  const server = await createChatServer({ host: '127.0.0.1', port: 0, log: cap.log, ...options });
  // A test may close the server itself (closing writes the pending summaries); teardown then waits
  // for that same close instead of closing a closed socket.
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= server.close());
  defer(t, close);
  return { server, close, ...cap, port: server.address.port };
}

/** A raw UDP peer (no socket-lab client code) that records every datagram it receives. */
async function rawPeer(t: { after: (fn: () => void) => void }) {
  const socket = dgram.createSocket('udp4');
  const inbox: Buffer[] = [];
  socket.on('message', (m) => inbox.push(m));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  defer(t, () => socket.close());
  return {
    socket,
    inbox,
    port: socket.address().port,
    send: (port: number, data: string | Buffer) =>
      socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, '127.0.0.1'),
  };
}

async function member(
  t: { after: (fn: () => Promise<void>) => void },
  port: number,
  nick: string,
  extra = {},
) {
  const { log } = captureLog();
  const received: ChatEvent[] = [];
  const client = await joinChat({
    host: '127.0.0.1',
    port,
    nick,
    log,
    onEvent: (e) => received.push(e),
    ...extra,
  });
  defer(t, () => client.leave('end-of-input'));
  return { client, received };
}

/**
 * Sends PING from `peer` and waits for its NOPE, the `nth` NOPE in the inbox. The server handles one
 * sender's datagrams in order and answers each at once, and loopback keeps their order: once this
 * NOPE is here, every answer to what the peer sent before it is here too, and nothing more will come.
 */
async function barrier(
  peer: { send: (port: number, data: string) => void; inbox: Buffer[] },
  port: number,
  nth = 1,
) {
  peer.send(port, 'PING');
  const nopes = () => peer.inbox.filter((a) => a.toString() === 'NOPE').length;
  await waitFor(
    `the NOPE to a PING sent after the rest`,
    () => nopes() >= nth || undefined,
    5000,
    () => `inbox: ${peer.inbox.map(String).join(' | ')}`,
  );
}

/** Joins `nick` by hand from a raw peer that then stays silent, like a client that was killed. */
async function silentMember(t: { after: (fn: () => void) => void }, port: number, nick: string) {
  const peer = await rawPeer(t);
  peer.send(port, encode({ type: 'HELLO', nick }));
  const cookie = parseServerMessage(await waitFor(`cookie for ${nick}`, () => peer.inbox[0]));
  assert.ok(cookie.ok && cookie.message.type === 'COOKIE');
  peer.send(port, encode({ type: 'JOIN', nick, cookie: cookie.message.cookie }));
  await waitFor(`WELCOME for ${nick}`, () => peer.inbox.find((m) => m.toString().startsWith('WELCOME')));
  return peer;
}

test('the parser never throws and classifies arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => {
      const c = parseClientMessage(bytes);
      const s = parseServerMessage(bytes);
      assert.equal(typeof c.ok, 'boolean');
      assert.equal(typeof s.ok, 'boolean');
      if (bytes.length > MAX_DATAGRAM) assert.deepEqual(c, { ok: false, reason: 'too-large' });
    }),
    { numRuns: 3000 },
  );
});

test('every message encodes and parses back to itself', () => {
  const client: ClientMessage[] = [
    { type: 'HELLO', nick: 'Алиса' },
    { type: 'JOIN', nick: 'bob', cookie: 'abc_DEF-123' },
    { type: 'MSG', text: 'hello, world  with  spaces 🌍' },
    { type: 'PING' },
    { type: 'LEAVE' },
  ];
  for (const m of client) assert.deepEqual(parseClientMessage(encode(m)), { ok: true, message: m });
  const server: ServerMessage[] = [
    { type: 'COOKIE', cookie: 'x' },
    { type: 'WELCOME', nick: 'bob', members: 3 },
    { type: 'JOINED', nick: 'bob' },
    { type: 'LEFT', nick: 'bob', reason: 'timeout' },
    { type: 'FROM', nick: 'bob', text: 'a b  c' },
    { type: 'PONG' },
    { type: 'NOPE' },
    { type: 'BYE' },
    { type: 'SHUTDOWN' },
    { type: 'ERR', code: 'nick-taken' },
  ];
  for (const m of server) assert.deepEqual(parseServerMessage(encode(m)), { ok: true, message: m });
  assert.ok(encode({ type: 'HELLO', nick: 'a' }).length >= MIN_HELLO_BYTES);
});

test('the client refuses nicknames from the server that break the rules (no escape sequences on screen)', () => {
  for (const line of [
    'FROM \u001b[2J hi',
    'JOINED bad\u0007nick',
    'LEFT \u009b31m leave',
    'WELCOME a;b 2',
    `FROM ${'x'.repeat(17)} hi`,
  ]) {
    const parsed = parseServerMessage(Buffer.from(line));
    assert.equal(parsed.ok, false, line);
  }
  assert.deepEqual(parseServerMessage(Buffer.from('FROM Алиса-1 hi')), {
    ok: true,
    message: { type: 'FROM', nick: 'Алиса-1', text: 'hi' },
  });
});

test('cookies verify only for the same address, port and nickname, and expire', () => {
  const jar = createCookieJar(1000);
  const c = jar.issue('10.0.0.1', 5000, 'alice', 10_000);
  assert.ok(jar.verify(c, '10.0.0.1', 5000, 'alice', 10_500));
  assert.ok(jar.verify(c, '10.0.0.1', 5000, 'ALICE', 11_500), 'previous slot still valid');
  assert.ok(!jar.verify(c, '10.0.0.1', 5001, 'alice', 10_500));
  assert.ok(!jar.verify(c, '10.0.0.2', 5000, 'alice', 10_500));
  assert.ok(!jar.verify(c, '10.0.0.1', 5000, 'bob', 10_500));
  assert.ok(!jar.verify(c, '10.0.0.1', 5000, 'alice', 12_100), 'two slots later it has expired');
});

test('two members exchange messages through the server; the log explains joins and relays', async (t) => {
  const { port, events } = await startChat(t);
  const alice = await member(t, port, 'alice');
  const bob = await member(t, port, 'bob');
  await waitFor('alice hears bob joined', () => alice.received.find((e) => e.type === 'joined'));
  alice.client.send('hi bob');
  bob.client.send('привет, alice');
  await waitFor('bob got it', () => bob.received.find((e) => e.type === 'message'));
  await waitFor('alice got it', () => alice.received.find((e) => e.type === 'message'));
  assert.deepEqual(
    bob.received.filter((e) => e.type === 'message'),
    [{ type: 'message', nick: 'alice', text: 'hi bob' }],
  );
  assert.deepEqual(
    alice.received.filter((e) => e.type === 'message'),
    [{ type: 'message', nick: 'bob', text: 'привет, alice' }],
  );
  const joined = events('udp.member.joined');
  assert.deepEqual(
    joined.map((l) => [l.member, l.members]),
    [
      ['alice', 1],
      ['bob', 2],
    ],
  );
  assert.match(String(joined[0]?.remote), /^127\.0\.0\.1:\d+$/);
  const relayed = events('udp.message.relayed');
  assert.deepEqual(
    relayed.map((l) => [l.member, l.recipients, l.bytes]),
    [
      ['alice', 1, 6],
      ['bob', 1, Buffer.byteLength('привет, alice')],
    ],
  );
});

test('a HELLO shorter than the answer gets no answer at all (no amplification)', async (t) => {
  const { port, events } = await startChat(t);
  const peer = await rawPeer(t);
  peer.send(port, 'HELLO alice');
  await waitFor('rejected', () => events('udp.datagram.rejected')[0]);
  await barrier(peer, port);
  assert.deepEqual(peer.inbox.map(String), ['NOPE'], 'only the PING sent after the HELLO was answered');
  assert.equal(events('udp.datagram.rejected')[0]?.reason, 'hello-too-short');
});

test('answers to an unproven address are never larger than what it sent', async (t) => {
  const { port } = await startChat(t);
  const requests = [
    encode({ type: 'HELLO', nick: 'alice' }),
    Buffer.from(`HELLO ${'x'.repeat(40)} pad`), // bad nick: ERR
    Buffer.from('PING'),
    Buffer.from('JOIN alice wrongcookie'),
    Buffer.from('MSG hi'),
    Buffer.from('LEAVE'),
  ];
  let answers = 0;
  for (const r of requests) {
    // A socket of its own per request: a late answer can only be counted against its own request.
    const peer = await rawPeer(t);
    peer.send(port, r);
    const toPing = r.toString() === 'PING' ? 1 : 0; // its own NOPE comes before the barrier's
    await barrier(peer, port, toPing + 1);
    for (const answer of peer.inbox.slice(0, -1)) {
      assert.ok(answer.length <= r.length, `${answer} (${answer.length} B) answers ${r} (${r.length} B)`);
    }
    answers += peer.inbox.length - 1;
  }
  assert.ok(answers >= 3, 'the cookie, the ERR bad-nick and the NOPE were expected');
});

test('a JOIN with a cookie issued to another address never becomes a member', async (t) => {
  const { port, server, events } = await startChat(t);
  const victim = await rawPeer(t);
  const attacker = await rawPeer(t);
  victim.send(port, encode({ type: 'HELLO', nick: 'victim' }));
  const cookie = await waitFor('cookie', () => victim.inbox[0]);
  const parsed = parseServerMessage(cookie);
  assert.ok(parsed.ok && parsed.message.type === 'COOKIE');
  // the attacker replays the victim's cookie from its own address
  attacker.send(port, `JOIN victim ${parsed.message.cookie}`);
  await waitFor('bad cookie', () => events('udp.datagram.rejected').find((l) => l.reason === 'bad-cookie'));
  assert.equal(server.members(), 0);
  attacker.send(port, 'MSG spoofed');
  await waitFor('not a member', () =>
    events('udp.datagram.rejected').find((l) => l.reason === 'not-a-member'),
  );
  await barrier(attacker, port);
  assert.deepEqual(attacker.inbox.map(String), ['NOPE'], 'the attacker got nothing but the NOPE to its PING');
});

test('oversized, malformed and invalid UTF-8 datagrams are rejected with their reason, never relayed', async (t) => {
  const { port, events } = await startChat(t);
  const alice = await member(t, port, 'alice');
  const bob = await member(t, port, 'bob');
  const peer = await rawPeer(t);
  peer.send(port, Buffer.alloc(MAX_DATAGRAM + 1, 0x41));
  peer.send(port, Buffer.from([0x4d, 0x53, 0x47, 0x20, 0xff, 0xfe]));
  peer.send(port, 'WHAT is this');
  alice.client.send('x'.repeat(900));
  assert.throws(() => alice.client.send('x'.repeat(1001)), /at most 1000 bytes/);
  await waitFor('three rejections', () => events('udp.datagram.rejected').length >= 3 || undefined);
  assert.deepEqual(
    events('udp.datagram.rejected')
      .map((l) => l.reason)
      .sort(),
    ['bad-utf8', 'malformed', 'too-large'],
  );
  await waitFor('bob got the 900-byte message', () => bob.received.find((e) => e.type === 'message'));
  assert.equal(bob.received.filter((e) => e.type === 'message').length, 1);
});

test('a flooding member is rate limited; drops are counted and others keep talking', async (t) => {
  const { port, events, close } = await startChat(t, {
    messagesPerSecond: 1,
    messageBurst: 5,
    linesPerSecond: 3,
  });
  const flood = await member(t, port, 'flood');
  const calm = await member(t, port, 'calm');
  const listener = await member(t, port, 'listener');
  for (let i = 0; i < 50; i++) flood.client.send(`spam ${i}`);
  calm.client.send('hello');
  await waitFor('calm heard', () => listener.received.find((e) => e.type === 'message' && e.nick === 'calm'));
  // The server handles flood's LEAVE after its 50 messages, and tells the listener after every relay
  // of them: once the listener hears that flood left, every message is relayed or counted. Closing
  // the server writes the drop summary still pending (the flood can span two summary windows).
  await flood.client.leave('user-exit');
  await waitFor('listener told that flood left', () =>
    listener.received.find((e) => e.type === 'left' && e.nick === 'flood'),
  );
  await close();
  assert.ok(events('udp.drop.summary').length > 0, 'past the line budget, drops are summarised');
  const fromFlood = listener.received.filter((e) => e.type === 'message' && e.nick === 'flood').length;
  assert.ok(
    fromFlood >= 5 && fromFlood <= 7,
    `${fromFlood} flood messages got through (burst 5, 1 a second)`,
  );
  const individually = events('udp.datagram.rejected').filter((l) => l.reason === 'rate-limited').length;
  const summarised = events('udp.drop.summary').reduce(
    (n, l) => n + ((l.reasons as Record<string, number>)['rate-limited'] ?? 0),
    0,
  );
  assert.equal(individually + summarised + fromFlood, 50, 'every flood message is either relayed or counted');
});

test('a member that stops sending heartbeats expires, once, and the others are told', async (t) => {
  const { port, server, events } = await startChat(t, { memberTimeoutMs: 1000 });
  const stays = await member(t, port, 'stays', { heartbeatMs: 100 });
  await silentMember(t, port, 'ghost');
  await waitFor('two members', () => server.members() === 2);
  const left = await waitFor('ghost expired', () => events('udp.member.left')[0], 5000);
  assert.equal(left.member, 'ghost');
  assert.equal(left.reason, 'timeout');
  await waitFor('told', () => stays.received.find((e) => e.type === 'left' && e.nick === 'ghost'));
  // A second announcement would come from a later sweep. A second silent member, joined now, expires
  // only after the sweep has run again for a whole member timeout: its expiry is that proof.
  await silentMember(t, port, 'ghost2');
  await waitFor('ghost2 expired', () => events('udp.member.left').find((l) => l.member === 'ghost2'), 5000);
  assert.deepEqual(
    events('udp.member.left').map((l) => l.member),
    ['ghost', 'ghost2'],
    'each expiry is announced once',
  );
  assert.equal(server.members(), 1, 'the member sending heartbeats stays');
});

test('one address cannot take every seat: the per-address member limit', async (t) => {
  const { port, events } = await startChat(t, { maxMembersPerAddress: 2 });
  await member(t, port, 'one');
  await member(t, port, 'two');
  const { log } = captureLog();
  await assert.rejects(joinChat({ host: '127.0.0.1', port, nick: 'three', log }), /allows one address/);
  assert.equal(
    events('udp.datagram.rejected').find((l) => l.reason === 'address-full')?.remote !== undefined,
    true,
  );
});

test('a HELLO flood is answered but its log lines are budgeted, with exact counts', async (t) => {
  const { port, events, close } = await startChat(t, { linesPerSecond: 5 });
  const peer = await rawPeer(t);
  for (let i = 0; i < 200; i++) peer.send(port, encode({ type: 'HELLO', nick: `n${i}` }));
  await waitFor('cookies', () => peer.inbox.length >= 150 || undefined);
  await barrier(peer, port); // every cookie the server sent is in the inbox now
  await close(); // closing writes the summary of the cookies not yet summarised
  const cookies = peer.inbox.filter((a) => a.toString().startsWith('COOKIE ')).length;
  const lines = events('udp.cookie.sent').length;
  const summaries = events('udp.handshake.summary');
  const summarised = summaries.reduce((n, l) => n + (l.cookies as number), 0);
  assert.ok(lines <= 10, `${lines} cookie lines for one flood`);
  assert.ok(summaries.length > 0, 'past the budget, cookies are summarised');
  assert.equal(lines + summarised, cookies, 'every cookie sent is counted once');
});

test('LEAVE removes the member and tells the others', async (t) => {
  const { port, events } = await startChat(t);
  const alice = await member(t, port, 'alice');
  const { log } = captureLog();
  const bob = await joinChat({ host: '127.0.0.1', port, nick: 'bob', log });
  await bob.leave('user-exit');
  await waitFor('alice told', () => alice.received.find((e) => e.type === 'left'));
  assert.deepEqual(
    alice.received.find((e) => e.type === 'left'),
    { type: 'left', nick: 'bob', reason: 'leave' },
  );
  assert.equal(events('udp.member.left')[0]?.reason, 'leave');
});

test('nicknames: rules enforced, unique regardless of case', async (t) => {
  const { port } = await startChat(t);
  await member(t, port, 'Alice');
  const { log } = captureLog();
  await assert.rejects(
    joinChat({ host: '127.0.0.1', port, nick: 'alice', log }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'LAB_ERR_CHAT_REFUSED');
      assert.match(err.message, /already taken/);
      return true;
    },
  );
  await assert.rejects(joinChat({ host: '127.0.0.1', port, nick: 'bad nick!', log }), /not allowed/);
  await assert.rejects(joinChat({ host: '127.0.0.1', port, nick: 'x'.repeat(17), log }), /not allowed/);
});

test('joining a port where nothing listens fails with one clear sentence', async () => {
  const probe = dgram.createSocket('udp4');
  probe.bind(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = probe.address().port;
  probe.close(); // now nothing listens there
  const { log } = captureLog();
  await assert.rejects(
    joinChat({ host: '127.0.0.1', port, nick: 'alice', log, answerTimeoutMs: 100, attempts: 3 }),
    (err: Error & { code?: string }) => {
      assert.ok(['LAB_ERR_CONNECT_REFUSED', 'LAB_ERR_CHAT_NO_ANSWER'].includes(err.code ?? ''));
      assert.match(err.message, /^cannot join the chat at 127\.0\.0\.1:\d+: /);
      return true;
    },
  );
});

test('a client rejoins by itself when the server restarts on the same port', async (t) => {
  const first = captureLog();
  let server = await createChatServer({ host: '127.0.0.1', port: 0, log: first.log });
  const port = server.address.port;
  const alice = await member(t, port, 'alice', { heartbeatMs: 100, answerTimeoutMs: 100 });
  await server.close();
  await waitFor('alice noticed', () => alice.received.find((e) => e.type === 'lost'));
  const second = captureLog();
  server = await createChatServer({ host: '127.0.0.1', port, log: second.log });
  defer(t, () => server.close());
  await waitFor('rejoined', () => alice.received.find((e) => e.type === 'rejoined'), 5000);
  assert.equal(server.members(), 1);
});
