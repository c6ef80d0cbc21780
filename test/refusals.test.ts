/**
 * Refusals that say why (issue 21): the chat's two member limits are two reasons, a refused TCP
 * connection gets one line before the close, and each client prints it in its own language with
 * the setting that raises the limit. Real sockets on 127.0.0.1, port 0; the CLI as users run it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { LabError, localizeError } from '../src/errors.ts';
import { connectEcho } from '../src/tcp/echo-client.ts';
import { REFUSAL_PREFIX, encodeRefusal, parseRefusal } from '../src/tcp/refusal.ts';
import { joinChat } from '../src/udp/chat-client.ts';
import { createChatServer } from '../src/udp/chat-server.ts';
import { encode, parseServerMessage } from '../src/udp/protocol.ts';
import {
  captureLog,
  defer,
  parseJsonLines,
  rawConnect,
  runCli,
  startServerProcess,
  waitFor,
} from './helpers.ts';
import dgram from 'node:dgram';

test('the refusal line: a fixed prefix, the reason and the counts, read back the same', () => {
  const line = encodeRefusal({ reason: 'max-per-address', open: 64, max: 64 }).toString();
  assert.ok(line.startsWith(REFUSAL_PREFIX) && line.endsWith('\n'));
  assert.match(line, /LAB_MAX_PER_ADDRESS \/ --max-per-address/);
  assert.ok(line.length < 512, 'under the longest line a client waits for');
  assert.deepEqual(parseRefusal(line.trimEnd()), { reason: 'max-per-address', open: 64, max: 64 });
  assert.deepEqual(parseRefusal('SOCKET-LAB-REFUSED max-connections 3/1024'), {
    reason: 'max-connections',
    open: 3,
    max: 1024,
  });
  assert.equal(parseRefusal('SOCKET-LAB-REFUSED no-such-reason 1/1'), undefined);
  assert.equal(parseRefusal('hello'), undefined);
});

test('chat ERR carries the limit; an ERR without one (an older server) still parses', () => {
  const full = parseServerMessage(encode({ type: 'ERR', code: 'address-full', limit: 32 }));
  assert.deepEqual(full, { ok: true, message: { type: 'ERR', code: 'address-full', limit: 32 } });
  assert.deepEqual(parseServerMessage(Buffer.from('ERR room-full')), {
    ok: true,
    message: { type: 'ERR', code: 'room-full' },
  });
  assert.deepEqual(parseServerMessage(Buffer.from('ERR room-full x')), {
    ok: true,
    message: { type: 'ERR', code: 'room-full' },
  });
});

async function chatServer(t: { after: (fn: () => Promise<void>) => void }, o: object) {
  const cap = captureLog();
  const server = await createChatServer({ host: '127.0.0.1', port: 0, log: cap.log, ...o });
  defer(t, () => server.close());
  return { ...cap, port: server.address.port };
}

async function joined(t: { after: (fn: () => Promise<void>) => void }, port: number, nick: string) {
  const client = await joinChat({ host: '127.0.0.1', port, nick, log: captureLog().log });
  defer(t, () => client.leave('end-of-input'));
}

test('chat: the per-address limit is its own reason, with its setting, in both languages', async (t) => {
  const { port, events } = await chatServer(t, { maxMembersPerAddress: 2 });
  await joined(t, port, 'one');
  await joined(t, port, 'two');
  const err = await joinChat({ host: '127.0.0.1', port, nick: 'three', log: captureLog().log }).then(
    () => assert.fail('a third member from one address got in'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof LabError && err.code === 'LAB_ERR_CHAT_REFUSED');
  const en = localizeError(err, 'en');
  const ru = localizeError(err, 'ru');
  assert.match(en, /allows one address \(limit: 2\).*LAB_MEMBERS_PER_ADDRESS \/ --members-per-address/);
  assert.doesNotMatch(en, /chat is full/, 'two of 256 places taken: not full');
  assert.match(ru, /разрешает одному адресу \(предел: 2\).*LAB_MEMBERS_PER_ADDRESS \/ --members-per-address/);
  assert.doesNotMatch(ru, /заполнен/);
  const rejected = events('udp.datagram.rejected').find((l) => l.reason === 'address-full');
  assert.ok(rejected, 'the server logs the per-address refusal as address-full');
  assert.match(String(rejected.msg), /LAB_MEMBERS_PER_ADDRESS \/ --members-per-address/);
});

test('chat: the total limit says the chat is full, names its own setting, and is no larger than the JOIN', async (t) => {
  const { port, events } = await chatServer(t, { maxMembers: 2 });
  await joined(t, port, 'one');
  await joined(t, port, 'two');
  // By hand, to see the refusal's bytes beside the JOIN's.
  const peer = dgram.createSocket('udp4');
  defer(t, () => peer.close());
  const inbox: Buffer[] = [];
  peer.on('message', (m) => inbox.push(m));
  peer.bind(0, '127.0.0.1');
  await once(peer, 'listening');
  peer.send(encode({ type: 'HELLO', nick: 'x' }), port, '127.0.0.1');
  const cookie = parseServerMessage(await waitFor('the cookie', () => inbox[0]));
  assert.ok(cookie.ok && cookie.message.type === 'COOKIE');
  const join = encode({ type: 'JOIN', nick: 'x', cookie: cookie.message.cookie });
  peer.send(join, port, '127.0.0.1');
  const answer = await waitFor('the refusal', () => inbox[1]);
  assert.equal(answer.toString(), 'ERR room-full 2');
  assert.ok(answer.length <= join.length, `refusal ${answer.length} bytes, JOIN ${join.length}`);
  const rejected = events('udp.datagram.rejected').find((l) => l.reason === 'room-full');
  assert.match(String(rejected?.msg), /LAB_MAX_MEMBERS \/ --max-members/);

  const err = await joinChat({ host: '127.0.0.1', port, nick: 'three', log: captureLog().log }).catch(
    (e: unknown) => e,
  );
  assert.match(
    localizeError(err, 'en'),
    /the chat is full: every place is taken \(limit: 2\).*LAB_MAX_MEMBERS/,
  );
  assert.match(localizeError(err, 'ru'), /чат заполнен: заняты все места \(предел: 2\).*LAB_MAX_MEMBERS/);
});

test('chat CLI: a refused client prints the reason and the setting in Russian, exit 1', async (t) => {
  const server = await startServerProcess(['--members-per-address', '1']);
  defer(t, () => server.child.kill('SIGKILL'));
  const first = runCli(['chat', '--port', String(server.udpPort), '--nick', 'one', '--log-format', 'json']);
  defer(t, () => first.child.kill('SIGKILL'));
  await waitFor('the first member', () =>
    parseJsonLines(first.stderr()).find((l) => l.event === 'chat.joined'),
  );
  const second = runCli(
    ['chat', '--port', String(server.udpPort), '--nick', 'two', '--lang', 'ru', '--log-format', 'json'],
    '',
  );
  assert.equal(await second.exited, 1);
  assert.match(
    second.stderr(),
    /socket-lab chat: не удалось войти в чат на 127\.0\.0\.1:\d+: с этого адреса в чате уже столько участников, сколько сервер разрешает одному адресу \(предел: 1\).*LAB_MEMBERS_PER_ADDRESS \/ --members-per-address/,
  );
  // Its log says the same in Russian, with no English sentence inside.
  const error = parseJsonLines(second.stderr()).find((l) => l.event === 'client.error');
  assert.match(String(error?.msg), /^Ошибка клиента: не удалось войти в чат .*LAB_MEMBERS_PER_ADDRESS/);
  assert.doesNotMatch(String(error?.msg), /cannot join/);
  const line = await waitFor('the server line', () =>
    server.json().find((l) => l.event === 'udp.datagram.rejected' && l.reason === 'address-full'),
  );
  assert.match(String(line.msg), /--members-per-address/);
});

/** Runs the echo CLI against `port` and returns its exit code, stderr text and JSON log lines. */
async function echoCli(port: number, lang: 'en' | 'ru') {
  const p = runCli(
    ['echo', '--port', String(port), '--say', 'hello', '--lang', lang, '--log-format', 'json'],
    '',
  );
  const code = await p.exited;
  return { code, stderr: p.stderr(), lines: parseJsonLines(p.stderr()) };
}

test('TCP over the per-address limit: one line before the close; the client prints it in either language', async (t) => {
  const server = await startServerProcess(['--max-per-address', '1']);
  defer(t, () => server.child.kill('SIGKILL'));
  const holder = await rawConnect(server.tcpPort);
  defer(t, () => holder.destroy());
  for (const [lang, text] of [
    [
      'en',
      /the server 127\.0\.0\.1:\d+ refused the connection: this address already holds 1 of the 1 connections the server allows one address.*LAB_MAX_PER_ADDRESS \/ --max-per-address, or --class-size/,
    ],
    [
      'ru',
      /сервер 127\.0\.0\.1:\d+ отказал в соединении: соединений с этого адреса уже 1, а одному адресу сервер разрешает не больше 1.*LAB_MAX_PER_ADDRESS \/ --max-per-address или --class-size/,
    ],
  ] as const) {
    const r = await echoCli(server.tcpPort, lang);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, text);
    assert.doesNotMatch(r.stderr, /closed the connection$|закрыл соединение$/m);
    const refused = r.lines.find((l) => l.event === 'client.refused');
    assert.ok(refused, `client.refused logged (${lang})`);
    assert.equal(refused.reason, 'max-per-address');
    assert.equal(refused.open, 1);
    assert.equal(refused.max, 1);
    assert.equal(r.lines.find((l) => l.event === 'client.disconnected')?.reason, 'refused');
    assert.ok(!r.lines.some((l) => l.event === 'client.data.received'), 'the line is not taken for an echo');
  }
  const rejected = server.json().find((l) => l.event === 'tcp.connection.rejected');
  assert.equal(rejected?.reason, 'max-per-address');
  assert.match(String(rejected?.msg), /LAB_MAX_PER_ADDRESS \/ --max-per-address/);
});

test('TCP over the total limit: its own reason and setting (--max-connections)', async (t) => {
  const server = await startServerProcess(['--max-connections', '1']);
  defer(t, () => server.child.kill('SIGKILL'));
  const holder = await rawConnect(server.tcpPort);
  defer(t, () => holder.destroy());
  const r = await echoCli(server.tcpPort, 'en');
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /all the server's connection slots are taken \(1 of 1\).*LAB_MAX_CONNECTIONS \/ --max-connections/,
  );
  assert.equal(r.lines.find((l) => l.event === 'client.refused')?.reason, 'max-connections');
  const rejected = server.json().find((l) => l.event === 'tcp.connection.rejected');
  assert.match(String(rejected?.msg), /LAB_MAX_CONNECTIONS \/ --max-connections/);
  // Any other client (nc) sees the same line as plain text.
  const raw = await rawConnect(server.tcpPort);
  const chunks: Buffer[] = [];
  raw.on('data', (d: Buffer) => chunks.push(d));
  await once(raw, 'close');
  assert.match(Buffer.concat(chunks).toString(), /^SOCKET-LAB-REFUSED max-connections 1\/1: .*\n$/);
});

test('an echo that starts like a refusal is still an echo: the client sent those bytes itself', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const cap = captureLog();
  const got: Buffer[] = [];
  const client = await connectEcho({ port: server.tcpPort, log: cap.log, onData: (d) => void got.push(d) });
  const fake = `${REFUSAL_PREFIX}max-per-address 1/1: typed by the user\n`;
  client.send(fake);
  await client.drained();
  await client.close('end-of-input');
  assert.equal(Buffer.concat(got).toString(), fake);
  assert.equal(client.refusal(), undefined);
  assert.equal(cap.events('client.refused').length, 0);
  assert.equal(cap.events('client.disconnected')[0]?.reason, 'end-of-input');
});

test('a burst of refused connections: each gets at most its one line, and all are closed promptly', async (t) => {
  const server = await startServerProcess(['--max-connections', '1', '--connection-lines', '0']);
  defer(t, () => server.child.kill('SIGKILL'));
  const holder = await rawConnect(server.tcpPort);
  defer(t, () => holder.destroy());
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: 100 }, async () => {
      const s = net.connect({ port: server.tcpPort, host: '127.0.0.1' });
      defer(t, () => s.destroy());
      s.on('error', () => {});
      let text = '';
      s.setEncoding('utf8').on('data', (d: string) => (text += d));
      await once(s, 'close');
      return text;
    }),
  );
  const elapsed = Date.now() - started;
  for (const text of results) assert.match(text, /^(|SOCKET-LAB-REFUSED max-connections 1\/1: [^\n]*\n)$/);
  assert.ok(
    results.filter((x) => x !== '').length >= 1,
    'the refusals that fit in the linger budget got their line',
  );
  assert.ok(elapsed < 5000, `100 refusals closed in ${elapsed} ms`);
});
