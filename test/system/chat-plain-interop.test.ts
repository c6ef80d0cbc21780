/**
 * Our plain chat (server and client) against a student's Python chat programs, both directions, and
 * the Python mutants each misbehaving in exactly its one way. System tier: needs python3.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import type { ChatEvent } from '../../src/udp/chat-client.ts';
import { createChatServer } from '../../src/udp/chat-server.ts';
import { PLAIN_JOIN_TEXT, PLAIN_LEAVE_TEXT } from '../../src/udp/plain.ts';
import { startPlainChat } from '../../src/udp/plain-client.ts';
import { captureLog, waitFor } from '../helpers.ts';
import { needs } from './needs.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/own/', import.meta.url));
const CORRECT = { server: 'chat/chat_server.py', client: 'chat/chat_client.py' };

/** The system tier's rule (needs.ts): the fixtures are Python programs. */
const needsPython = (t: TestContext): boolean =>
  needs(t, { tools: ['python3'] }, 'the fixtures are Python programs');

interface Py {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs a fixture as the lab does (`python3 FILE ARGS`), stdin a pipe the test types into. */
function python(t: TestContext, file: string, args: string[]): Py {
  // No PYTHONUNBUFFERED: the programs must flush what they print themselves, as on a real screen
  // they would not need to, but through the lab's pipe they do.
  const child = spawn('python3', [file, ...args], { cwd: FIXTURES, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function pythonServer(t: TestContext, file = CORRECT.server) {
  const p = python(t, file, ['0']);
  const printed = await waitFor(
    'the Python server prints its port',
    () => /UDP-порт (\d+)/.exec(p.stdout()) ?? undefined,
    10_000,
    p.stderr,
  );
  const port = Number(printed[1]);
  return { ...p, port };
}

async function plainServer(t: TestContext) {
  const cap = captureLog();
  const server = await createChatServer({ host: '127.0.0.1', port: 0, protocol: 'plain', log: cap.log });
  t.after(() => server.close());
  return { server, port: server.address.port, ...cap };
}

async function ourClient(t: TestContext, port: number, nick: string) {
  const lines: string[] = [];
  const { log } = captureLog();
  const client = await startPlainChat({
    host: '127.0.0.1',
    port,
    nick,
    log,
    onEvent: (e: ChatEvent) => e.type === 'line' && lines.push(e.line),
  });
  t.after(() => client.leave('end-of-input'));
  return { client, lines };
}

const quiet = () => new Promise((r) => setTimeout(r, 800));

test("our plain clients with the student's Python server: relayed to the others, not back, and it survives garbage", async (t) => {
  if (!needsPython(t)) return;
  const py = await pythonServer(t);
  const alice = await ourClient(t, py.port, 'alice');
  const bob = await ourClient(t, py.port, 'bob');
  await waitFor('alice sees bob join', () => alice.lines.includes(`bob: ${PLAIN_JOIN_TEXT}`));
  alice.client.send('привет, bob');
  await waitFor(
    'bob sees alice',
    () => bob.lines.includes('alice: привет, bob'),
    5000,
    () => bob.lines.join('|'),
  );
  // Garbage, an empty datagram and a 64 KiB one from a raw socket, then the chat must go on.
  const raw = dgram.createSocket('udp4');
  t.after(() => raw.close());
  raw.bind(0, '127.0.0.1');
  await once(raw, 'listening');
  for (const d of [Buffer.from([0xff, 0xfe, 0x00]), Buffer.alloc(0), Buffer.alloc(65_507, 0x41)])
    await new Promise((r) => raw.send(d, py.port, '127.0.0.1', r));
  bob.client.send('still there?');
  await waitFor('alice sees bob after the garbage', () => alice.lines.includes('bob: still there?'));
  assert.ok(
    !alice.lines.some((l) => l.startsWith('alice: ')),
    `alice got her own line: ${alice.lines.join('|')}`,
  );
  assert.equal(py.child.exitCode, null, `the server ended: ${py.stderr()}`);
  assert.doesNotMatch(py.stderr(), /Traceback/);
});

test("the student's Python clients with our plain server: a line shows at once, before the reader presses Enter; exit ends it", async (t) => {
  if (!needsPython(t)) return;
  const { port, events } = await plainServer(t);
  const alice = python(t, CORRECT.client, ['127.0.0.1', String(port), 'alice']);
  const bob = python(t, CORRECT.client, ['127.0.0.1', String(port), 'bob']);
  await waitFor('both remembered', () => events('udp.member.joined').length === 2, 10_000);
  alice.child.stdin.write('привет из Python\n');
  // bob has typed nothing: the line must reach his screen anyway.
  await waitFor(
    'bob shows alice before any Enter',
    () => bob.stdout().includes('alice: привет из Python'),
    5000,
    bob.stdout,
  );
  assert.ok(!alice.stdout().includes('alice: привет из Python'), 'our server sent alice her own line');
  bob.child.stdin.write('exit\n');
  assert.equal(await bob.exited, 0, bob.stderr());
  await waitFor('bob said goodbye and was forgotten', () =>
    events('udp.member.left').find((l) => l.reason === 'goodbye'),
  );
  await waitFor('alice shows the goodbye', () => alice.stdout().includes(`bob: ${PLAIN_LEAVE_TEXT}`));
  alice.child.stdin.end();
  assert.equal(await alice.exited, 0, alice.stderr());
  assert.doesNotMatch(alice.stderr() + bob.stderr(), /Traceback/);
});

test("the student's Python client: an unreachable server gives a message, not a traceback", async (t) => {
  if (!needsPython(t)) return;
  for (const file of [CORRECT.client, 'chat-mutants/input-blocks/chat_client.py']) {
    const probe = dgram.createSocket('udp4');
    probe.bind(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const p = python(t, file, ['127.0.0.1', String(port), 'alice']);
    // A line typed after the ICMP answer to the first datagram is back: every client meets it.
    await quiet();
    if (p.child.exitCode === null) p.child.stdin.write('hello\n');
    await quiet();
    if (p.child.exitCode === null) p.child.stdin.end('exit\n');
    const code = await p.exited;
    assert.match(p.stdout(), /недоступен/, `${file}: no message (${p.stdout()})`);
    assert.doesNotMatch(p.stderr(), /Traceback/, file);
    assert.equal(code, 1, file);
  }
});

test('mutant relays-to-sender: the sender gets its own line back, nothing else changes', async (t) => {
  if (!needsPython(t)) return;
  const py = await pythonServer(t, 'chat-mutants/relays-to-sender/chat_server.py');
  const alice = await ourClient(t, py.port, 'alice');
  const bob = await ourClient(t, py.port, 'bob');
  alice.client.send('эхо?');
  await waitFor('bob sees alice', () => bob.lines.includes('alice: эхо?'));
  await waitFor('alice sees her own line', () => alice.lines.includes('alice: эхо?'));
});

test('mutant forgets-after-first: after the first relay the others are gone', async (t) => {
  if (!needsPython(t)) return;
  const py = await pythonServer(t, 'chat-mutants/forgets-after-first/chat_server.py');
  const alice = await ourClient(t, py.port, 'alice');
  const bob = await ourClient(t, py.port, 'bob');
  alice.client.send('first');
  bob.client.send('second');
  alice.client.send('third');
  await quiet();
  // The correct server delivers all of these (first test); this one delivers none.
  assert.deepEqual([alice.lines, bob.lines], [[], []]);
  assert.equal(py.child.exitCode, null);
});

test('mutant input-blocks: a line from another member shows only after the user presses Enter', async (t) => {
  if (!needsPython(t)) return;
  const { port, events } = await plainServer(t);
  const alice = python(t, 'chat-mutants/input-blocks/chat_client.py', ['127.0.0.1', String(port), 'alice']);
  await waitFor('alice remembered', () => events('udp.member.joined').length === 1, 10_000);
  const bob = await ourClient(t, port, 'bob');
  bob.client.send('are you there?');
  await quiet();
  assert.ok(!alice.stdout().includes('bob: are you there?'), 'shown before Enter: this mutant cannot');
  alice.child.stdin.write('yes\n');
  await waitFor(
    'shown after Enter',
    () => alice.stdout().includes('bob: are you there?'),
    5000,
    alice.stdout,
  );
  await waitFor('bob got the answer', () => bob.lines.includes('alice: yes'));
  alice.child.stdin.end('exit\n');
  assert.equal(await alice.exited, 0, alice.stderr());
});
