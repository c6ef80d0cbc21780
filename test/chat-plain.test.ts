import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import fc from 'fast-check';
import { LabError } from '../src/errors.ts';
import type { ChatEvent } from '../src/udp/chat-client.ts';
import { type ChatServerOptions, createChatServer } from '../src/udp/chat-server.ts';
import {
  PLAIN_JOIN_TEXT,
  PLAIN_LEAVE_TEXT,
  PLAIN_MEMBER_TIMEOUT_MS,
  encodePlain,
  maxPlainTextBytes,
  parsePlain,
} from '../src/udp/plain.ts';
import { startPlainChat } from '../src/udp/plain-client.ts';
import { MAX_DATAGRAM, encode } from '../src/udp/protocol.ts';
import { captureLog, parseJsonLines, runCli, startServerProcess, waitFor } from './helpers.ts';

type After = { after: (fn: () => unknown) => void };

async function startPlain(t: After, options: Partial<ChatServerOptions> = {}) {
  const cap = captureLog();
  const server = await createChatServer({
    host: '127.0.0.1',
    port: 0,
    protocol: 'plain',
    log: cap.log,
    ...options,
  });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= server.close());
  t.after(close);
  return { server, close, ...cap, port: server.address.port };
}

/** A raw UDP peer (no socket-lab client code) that records every datagram it receives. */
async function rawPeer(t: After) {
  const socket = dgram.createSocket('udp4');
  const inbox: Buffer[] = [];
  socket.on('message', (m) => inbox.push(m));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  t.after(() => socket.close());
  return {
    socket,
    inbox,
    port: socket.address().port,
    received: () => inbox.reduce((n, b) => n + b.length, 0),
    send: (port: number, data: string | Buffer) =>
      new Promise<void>((resolve) =>
        socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, '127.0.0.1', () => resolve()),
      ),
  };
}

/** Lets datagrams in flight on loopback arrive (nothing more is expected; this shows none comes). */
const settle = () => new Promise((r) => setTimeout(r, 150));

const nick = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/);

test('plain: the parser never throws, and enforces our size and UTF-8 limits', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => {
      const p = parsePlain(bytes);
      if (bytes.length > MAX_DATAGRAM) assert.deepEqual(p, { ok: false, reason: 'too-large' });
      else if (bytes.length === 0) assert.deepEqual(p, { ok: false, reason: 'malformed' });
      else if (!Buffer.from(bytes).toString('utf8').includes('\uFFFD') && p.ok)
        assert.equal(Buffer.from(bytes).toString('utf8').startsWith(p.message.line), true);
    }),
    { numRuns: 3000 },
  );
  assert.deepEqual(parsePlain(Buffer.from([0xff, 0xfe])), { ok: false, reason: 'bad-utf8' });
  assert.deepEqual(parsePlain(Buffer.from('\n')), { ok: false, reason: 'malformed' });
});

test('plain: `nick: text` encodes and parses back, one trailing newline ignored', () => {
  fc.assert(
    fc.property(
      nick,
      fc.string({ unit: 'grapheme', maxLength: 200 }).filter((s) => !s.endsWith('\n')),
      fc.constantFrom('', '\n', '\r\n'),
      (n, text, eol) => {
        const bytes = Buffer.concat([encodePlain(n, text), Buffer.from(eol)]);
        assert.deepEqual(parsePlain(bytes), { ok: true, message: { line: `${n}: ${text}`, nick: n, text } });
      },
    ),
  );
  // A line without the prefix is still a plain datagram: the course's servers relay anything.
  assert.deepEqual(parsePlain(Buffer.from('hello there')), {
    ok: true,
    message: { line: 'hello there', text: 'hello there' },
  });
  assert.deepEqual(parsePlain(Buffer.from('Алиса: привет')).ok && parsePlain(Buffer.from('Алиса: привет')), {
    ok: true,
    message: { line: 'Алиса: привет', nick: 'Алиса', text: 'привет' },
  });
  assert.equal(encodePlain('alice', 'hi').toString(), 'alice: hi');
  assert.ok(maxPlainTextBytes('alice') + Buffer.byteLength('alice: ') <= MAX_DATAGRAM);
});

test('plain server: every datagram goes unchanged to every other sender, never back, never to strangers', async (t) => {
  const { port, events } = await startPlain(t);
  const [a, b, c, stranger] = await Promise.all([rawPeer(t), rawPeer(t), rawPeer(t), rawPeer(t)]);
  await a.send(port, 'alice: joined the chat');
  await b.send(port, 'bob: joined the chat');
  await c.send(port, 'carol: joined the chat');
  await waitFor('three members', () => events('udp.member.joined').length === 3);
  // alice hears bob and carol join, bob hears carol: then nothing else is in flight.
  await waitFor('the join lines', () => a.inbox.length === 2 && b.inbox.length === 1);
  const before = [a, b, c].map((p) => p.inbox.length);
  await a.send(port, 'alice: привет всем\n');
  await waitFor(
    'the relay to bob and carol',
    () => b.inbox.length > before[1]! && c.inbox.length > before[2]!,
  );
  await settle();
  assert.equal(b.inbox.at(-1)!.toString(), 'alice: привет всем\n', 'byte for byte, nothing added');
  assert.equal(c.inbox.at(-1)!.toString(), 'alice: привет всем\n');
  assert.equal(a.inbox.length, before[0], 'nothing back to the sender');
  assert.equal(stranger.inbox.length, 0, 'an address that sent nothing gets nothing');
  const joined = events('udp.member.joined')[0]!;
  assert.equal(joined.member, 'alice');
  assert.equal(joined.protocol, 'plain');
  const relayed = events('udp.message.relayed').at(-1)!;
  assert.equal(relayed.recipients, 2);
  assert.equal(relayed.bytes, Buffer.byteLength('привет всем'));
});

test('plain server: garbage, empty and over-long datagrams are dropped, counted, and the chat goes on', async (t) => {
  const { port, events } = await startPlain(t);
  const [a, b] = await Promise.all([rawPeer(t), rawPeer(t)]);
  await a.send(port, 'alice: hi');
  await b.send(port, 'bob: hi');
  await waitFor('alice gets bob', () => a.inbox.length === 1);
  await a.send(port, Buffer.from([0xc3, 0x28, 0xff]));
  await a.send(port, Buffer.alloc(0));
  await a.send(port, Buffer.alloc(MAX_DATAGRAM + 1, 0x61));
  await a.send(port, 'alice: still here');
  await waitFor('the next line', () => b.inbox.length === 1);
  await settle();
  assert.deepEqual(b.inbox.map(String), ['alice: still here'], 'only the valid line went on');
  assert.deepEqual(
    events('udp.datagram.rejected').map((l) => l.reason),
    ['bad-utf8', 'malformed', 'too-large'],
  );
});

test('plain server: our limits hold (members per address, rate, expiry) and a goodbye line ends membership', async (t) => {
  const { port, events } = await startPlain(t, {
    maxMembersPerAddress: 2,
    messageBurst: 3,
    messagesPerSecond: 1,
    memberTimeoutMs: 400,
  });
  const [a, b, c] = await Promise.all([rawPeer(t), rawPeer(t), rawPeer(t)]);
  await a.send(port, 'alice: hi');
  await b.send(port, 'bob: hi');
  await c.send(port, 'carol: hi');
  await waitFor('carol refused', () => events('udp.datagram.rejected').find((l) => l.reason === 'room-full'));
  await a.send(port, 'alice: 2');
  await waitFor('bob gets alice 2', () => b.inbox.length === 1);
  assert.equal(c.inbox.length, 0, 'a refused address is not a member and is not answered');
  // alice has used 2 of her 3 tokens; of four more lines one passes, three are dropped.
  for (let i = 3; i <= 6; i++) await a.send(port, `alice: ${i}`);
  await waitFor(
    'three rate-limited',
    () => events('udp.datagram.rejected').filter((l) => l.reason === 'rate-limited').length === 3,
  );
  await settle();
  assert.deepEqual(b.inbox.map(String), ['alice: 2', 'alice: 3']);
  // Silence past the timeout: both are forgotten, and no one is told (plain has no LEFT).
  const left = await waitFor(
    'both forgotten',
    () => {
      const l = events('udp.member.left');
      return l.length === 2 && l;
    },
    3000,
  );
  assert.deepEqual(
    left.map((l) => l.reason),
    ['silent', 'silent'],
  );
  assert.deepEqual(b.inbox.map(String), ['alice: 2', 'alice: 3'], 'nothing announces a forgotten member');
  // A goodbye line is relayed, then its sender is forgotten at once.
  await a.send(port, 'alice: back');
  await b.send(port, `bob: ${PLAIN_LEAVE_TEXT}`);
  await waitFor('alice gets the goodbye', () =>
    a.inbox.some((m) => m.toString() === `bob: ${PLAIN_LEAVE_TEXT}`),
  );
  await waitFor('bob forgotten', () => events('udp.member.left').find((l) => l.reason === 'goodbye'));
  await a.send(port, 'alice: anyone?');
  await settle();
  assert.equal(b.inbox.filter((m) => m.toString() === 'alice: anyone?').length, 0);
});

test('CLI: server --protocol plain and chat with LAB_CHAT_PROTOCOL=plain meet a raw plain peer', async (t) => {
  const server = await startServerProcess(['--protocol', 'plain']);
  t.after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });
  const config = server.json().find((l) => l.event === 'server.starting')?.config as Record<string, unknown>;
  assert.equal(config.chatProtocol, 'plain');
  assert.equal(
    config.memberTimeout,
    PLAIN_MEMBER_TIMEOUT_MS / 1000,
    'plain clients send no PING: the longer default',
  );
  const peer = await rawPeer(t);
  await peer.send(server.udpPort, 'bob: joined the chat');
  const chat = runCli(
    [
      'chat',
      '--host',
      '127.0.0.1',
      '--port',
      String(server.udpPort),
      '--nick',
      'alice',
      '--log-format',
      'json',
    ],
    undefined,
    { LAB_CHAT_PROTOCOL: 'plain' },
  );
  t.after(() => chat.child.kill('SIGTERM'));
  await waitFor('bob sees alice join', () =>
    peer.inbox.some((m) => m.toString() === `alice: ${PLAIN_JOIN_TEXT}`),
  );
  await peer.send(server.udpPort, 'bob: привет');
  await waitFor('alice shows bob', () => chat.stdout().includes('bob: привет'), 5000, chat.stdout);
  chat.child.stdin?.end('hello bob\nexit\n');
  assert.equal(await chat.exited, 0, chat.stderr());
  await waitFor('bob gets the line and the goodbye', () =>
    ['alice: hello bob', `alice: ${PLAIN_LEAVE_TEXT}`].every((l) =>
      peer.inbox.some((m) => m.toString() === l),
    ),
  );
  const left = parseJsonLines(chat.stderr()).find((l) => l.event === 'chat.left');
  assert.deepEqual([left?.reason, left?.protocol], ['user-exit', 'plain']);
});

test('plain client and plain server: lines reach the others as `nick: text`, and exit says goodbye', async (t) => {
  const { port, events } = await startPlain(t);
  const seen: Record<string, string[]> = { alice: [], bob: [] };
  const start = async (n: 'alice' | 'bob') => {
    const { log, events: clientEvents } = captureLog();
    const c = await startPlainChat({
      host: '127.0.0.1',
      port,
      nick: n,
      log,
      onEvent: (e: ChatEvent) => e.type === 'line' && seen[n]!.push(e.line),
    });
    t.after(() => c.leave('end-of-input'));
    return { c, clientEvents };
  };
  const alice = await start('alice');
  const bob = await start('bob');
  await waitFor('alice sees bob join', () => seen.alice!.includes(`bob: ${PLAIN_JOIN_TEXT}`));
  alice.c.send('привет, bob');
  await waitFor('bob sees alice', () => seen.bob!.includes('alice: привет, bob'));
  assert.deepEqual(seen.alice, [`bob: ${PLAIN_JOIN_TEXT}`], 'alice never sees her own line');
  assert.equal(alice.clientEvents('chat.joined')[0]!.protocol, 'plain');
  assert.equal(bob.clientEvents('chat.message.received')[0]!.nick, 'alice');
  await bob.c.leave('user-exit');
  await waitFor('alice sees the goodbye', () => seen.alice!.includes(`bob: ${PLAIN_LEAVE_TEXT}`));
  assert.equal(bob.clientEvents('chat.left')[0]!.protocol, 'plain');
  await waitFor('the server forgot bob', () => events('udp.member.left').find((l) => l.reason === 'goodbye'));
  assert.throws(
    () => alice.c.send('x'.repeat(2000)),
    (e: unknown) => e instanceof LabError && e.code === 'LAB_ERR_BAD_INPUT',
  );
});

test('plain client: a port where nothing listens gives a coded error, not a hang', async (t) => {
  // A port that was just free: bound and closed again, so nothing receives there now.
  const probe = dgram.createSocket('udp4');
  probe.bind(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  const { log } = captureLog();
  await assert.rejects(
    startPlainChat({ host: '127.0.0.1', port, nick: 'alice', log }),
    (e: unknown) =>
      e instanceof LabError && e.code === 'LAB_ERR_CONNECT_REFUSED' && /port unreachable/.test(e.message),
  );
  t.diagnostic('ICMP port unreachable reached the connected UDP socket as ECONNREFUSED');
});

/**
 * The amplification factor: bytes the server sends to an address that never proved it receives,
 * per byte received from that address. On loopback the "victim" is a real socket, so we can count
 * what would land on a forged address; no address is forged here.
 */
test('amplification, measured: plain mode floods an unproven address, ours answers at most what it got', async (t) => {
  const MESSAGES = 30; // within each honest member's burst of 40 (the default rate limit)
  const TEXT = 'x'.repeat(100);
  const udpIp = 28; // IPv4 + UDP headers per datagram

  // Plain: the victim's one datagram makes it a member; it then gets every other member's lines.
  {
    const { port } = await startPlain(t);
    const [a, b, victim] = await Promise.all([rawPeer(t), rawPeer(t), rawPeer(t)]);
    await a.send(port, 'alice: hi');
    await b.send(port, 'bob: hi');
    const sent = Buffer.from('eve: hi');
    await victim.send(port, sent);
    await waitFor('alice sees eve', () => a.inbox.some((m) => m.equals(sent)));
    for (let i = 0; i < MESSAGES; i++) {
      await a.send(port, `alice: ${TEXT}`);
      await b.send(port, `bob: ${TEXT}`);
    }
    await waitFor('every line at the victim', () => victim.inbox.length >= 2 * MESSAGES, 5000);
    await settle();
    const got = victim.received();
    const factor = got / sent.length;
    const wire = (got + victim.inbox.length * udpIp) / (sent.length + udpIp);
    t.diagnostic(
      `plain: victim sent 1 datagram (${sent.length} B), got ${victim.inbox.length} (${got} B): ` +
        `factor ${factor.toFixed(0)} (payload), ${wire.toFixed(0)} (with IPv4+UDP headers); ` +
        `it grows with the chat's traffic until the member timeout (${PLAIN_MEMBER_TIMEOUT_MS / 60_000} min)`,
    );
    assert.ok(factor > 100, `plain amplification ${factor}`);
  }

  // Ours: the victim's HELLO gets one COOKIE no larger than it; a MSG from it gets nothing.
  {
    const cap = captureLog();
    const server = await createChatServer({ host: '127.0.0.1', port: 0, log: cap.log });
    t.after(() => server.close());
    const port = server.address.port;
    const [victim, other] = await Promise.all([rawPeer(t), rawPeer(t)]);
    const hello = encode({ type: 'HELLO', nick: 'eve' });
    const msg = encode({ type: 'MSG', text: TEXT });
    const ping = encode({ type: 'PING' });
    await victim.send(port, hello);
    await victim.send(port, msg);
    await victim.send(port, ping);
    // Other traffic meanwhile: a member's lines must not reach the unproven address.
    await other.send(port, encode({ type: 'HELLO', nick: 'bob' }));
    await waitFor('the victim answered: COOKIE and NOPE', () => victim.inbox.length >= 2);
    await settle();
    const sentBytes = hello.length + msg.length + ping.length;
    const got = victim.received();
    const factor = got / sentBytes;
    const wire = (got + victim.inbox.length * udpIp) / (sentBytes + 3 * udpIp);
    t.diagnostic(
      `lab: victim sent 3 datagrams (${sentBytes} B: HELLO, MSG, PING), got ${victim.inbox.length} ` +
        `(${got} B: ${victim.inbox.map((m) => m.toString().split(' ')[0]).join(', ')}): factor ${factor.toFixed(2)} (payload), ${wire.toFixed(2)} (with headers)`,
    );
    assert.ok(factor <= 1, `lab amplification ${factor}`);
    const hf = (victim.inbox[0]?.length ?? 0) / hello.length;
    t.diagnostic(
      `lab: the HELLO alone: ${hello.length} B in, ${victim.inbox[0]?.length} B out, factor ${hf.toFixed(2)}`,
    );
    assert.ok(hf <= 1);
  }
});

test('plain client errors read in Russian like those of the lab protocol', async (t) => {
  const { localizeError } = await import('../src/errors.ts');
  const { port } = await startPlain(t);
  const { log } = captureLog();
  const ru = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return localizeError(e, 'ru');
    }
    assert.fail('no error');
  };
  const client = await startPlainChat({ host: '127.0.0.1', port, nick: 'alice', log });
  assert.match(
    ru(() => client.send('я'.repeat(600))),
    /^в сообщении 1200 байт, а в сообщении чата может быть не больше/,
  );
  await client.leave('user-exit');
  assert.match(
    ru(() => client.send('hi')),
    /^не отправлено: клиент сейчас не в чате \(он уже вышел\)/,
  );
  const probe = dgram.createSocket('udp4');
  probe.bind(0, '127.0.0.1');
  await once(probe, 'listening');
  const closed = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  const err = await startPlainChat({ host: '127.0.0.1', port: closed, nick: 'alice', log }).catch(
    (e: unknown) => e,
  );
  assert.match(
    localizeError(err, 'ru'),
    /^не удалось войти в чат на 127\.0\.0\.1:\d+: на отправленную туда дейтаграмму пришло ICMP-сообщение «port unreachable»/,
  );
});

test('report: a plain-mode run is read like ours (members matched, the chat check passes across scenarios)', async (t) => {
  const { createLogger } = await import('../src/log/logger.ts');
  const { analyse } = await import('../src/report/index.ts');
  const sources = new Map<string, string[]>();
  const logFor = (name: string, scenario?: string) => {
    const lines: string[] = [];
    sources.set(name, lines);
    return createLogger({
      format: 'json',
      level: 'debug',
      lang: 'en',
      scenario,
      destination: { write: (l) => lines.push(l.trimEnd()) },
    }).log;
  };
  const server = await createChatServer({
    host: '127.0.0.1',
    port: 0,
    protocol: 'plain',
    log: logFor('server'),
  });
  t.after(() => server.close());
  const port = server.address.port;
  const seen: string[] = [];
  const alice = await startPlainChat({ host: '127.0.0.1', port, nick: 'alice', log: logFor('alice', 'vm') });
  const bob = await startPlainChat({
    host: '127.0.0.1',
    port,
    nick: 'bob',
    log: logFor('bob', 'remote'),
    onEvent: (e) => e.type === 'line' && seen.push(e.line),
  });
  alice.send('hello bob');
  await waitFor('bob gets it', () => seen.includes('alice: hello bob'));
  await alice.leave('user-exit');
  await bob.leave('user-exit');
  const analysis = await analyse([...sources].map(([name, lines]) => ({ name, lines })));
  assert.equal(analysis.model.chat.filter((s) => s.member).length, 2, 'both clients matched with members');
  const chat = analysis.checks.find((c) => c.id === 'chat');
  assert.equal(chat?.status, 'pass', JSON.stringify(chat));
});

test('plain client: a server that goes away is reported once, from the ICMP answer to our next line', async (t) => {
  const { port, close } = await startPlain(t);
  const { log, events } = captureLog();
  const client = await startPlainChat({ host: '127.0.0.1', port, nick: 'alice', log });
  t.after(() => client.leave('end-of-input'));
  await close();
  client.send('anyone?');
  await waitFor('the warning', () => events('chat.plain.unreachable').length === 1);
  client.send('still nobody?');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(events('chat.plain.unreachable').length, 1, 'one warning per stretch of silence');
  assert.equal(events('chat.plain.unreachable')[0]!.server, `127.0.0.1:${port}`);
});
