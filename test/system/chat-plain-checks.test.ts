/**
 * The own-chat checks on the Python fixtures run under real strace (src/own/strace.ts reads the
 * trace): the correct server and client pass every check, each mutant fails exactly its one.
 * System tier: needs python3 and strace. The clients run under own18's runner (runOwnProgram), as
 * `socket-lab own` runs them; the server under strace started here with the runner's STRACE_ARGS,
 * since the runner still waits for a listen() that a UDP server never calls.
 *
 * Everything is on loopback. The remote member comes from 127.0.0.2, standing for the router's
 * address the server sees behind NAT, while its "own" address (10.188.0.31, as in the lab's remote
 * scenario) is one the server never sees: a server that answers recvfrom's address passes, as it
 * would across the real router (the Docker e2e runs that path).
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';
import { runOwnProgram } from '../../src/own/runner.ts';
import { STRACE_ARGS, createTraceReader } from '../../src/own/strace.ts';
import {
  type ChatCheckResult,
  type OwnRecord,
  chatFactsFromRecords,
  checkOwnChatClient,
  checkOwnChatServer,
} from '../../src/report/own-checks-chat.ts';
import { createChatServer } from '../../src/udp/chat-server.ts';
import { startPlainChat } from '../../src/udp/plain-client.ts';
import { captureLog, waitFor } from '../helpers.ts';
import { needs } from './needs.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/own/', import.meta.url));

/** The system tier's rule (needs.ts): the fixtures run under strace. */
const needsTools = (t: TestContext): boolean =>
  needs(t, { tools: ['python3', 'strace'] }, 'the fixtures run under strace');

interface Traced {
  child: ChildProcessWithoutNullStreams;
  /** What the program printed, one record per line, timed when it arrived (as the runner logs it). */
  outputs: OwnRecord[];
  stdout: () => string;
  /** Resolves once the program ended and its trace is read: own.call records and own.program.exited. */
  done: Promise<OwnRecord[]>;
  /** Types a line, as the user would; returns when it did. */
  type: (line: string) => number;
}

/** Runs `python3 FILE ARGS` under strace in its own process group, which the test ends by its id. */
function traced(t: TestContext, source: string, file: string, args: string[]): Traced {
  const dir = mkdtempSync(join(tmpdir(), 'chat19-trace-'));
  const traceFile = join(dir, 'trace');
  const child = spawn('strace', [...STRACE_ARGS, '-o', traceFile, 'python3', file, ...args], {
    cwd: FIXTURES,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const outputs: OwnRecord[] = [];
  let out = '';
  let n = 0;
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream].setEncoding('utf8').on('data', (d: string) => {
      if (stream === 'stdout') out += d;
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const text of lines)
        outputs.push({ source, line: ++n, time: Date.now(), event: 'own.output', fields: { stream, text } });
    });
  }
  const closed = new Promise<{ code: number | null; time: number }>((resolve) =>
    child.on('close', (code) => resolve({ code, time: Date.now() })),
  );
  const done = closed.then(({ code, time }) => {
    const reader = createTraceReader();
    const records: OwnRecord[] = [];
    for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
      for (const e of line === '' ? [] : reader.push(line)) {
        if (e.kind !== 'call') continue;
        // The fields of the runner's own.call: the call's time is `at`.
        const { kind: _kind, t: at, ...rest } = e;
        records.push({
          source,
          line: records.length + 1,
          time: at,
          event: 'own.call',
          fields: { ...rest, at },
        });
      }
    }
    records.push({ source, line: records.length + 1, time, event: 'own.program.exited', fields: { code } });
    return records;
  });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    await closed;
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    child,
    outputs,
    stdout: () => out,
    done,
    type: (line) => {
      const at = Date.now();
      child.stdin.write(`${line}\n`);
      return at;
    },
  };
}

async function udpPeer(t: TestContext, address = '127.0.0.1') {
  const socket = dgram.createSocket('udp4');
  t.after(() => socket.close());
  socket.bind(0, address);
  await once(socket, 'listening');
  return (port: number, data: string | Buffer) =>
    new Promise<void>((resolve) =>
      socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, '127.0.0.1', () => resolve()),
    );
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const failing = (results: ChatCheckResult[]) => results.filter((r) => r.status === 'fail').map((r) => r.id);
const describe = (results: ChatCheckResult[]) =>
  JSON.stringify(results.map((r) => [r.id, r.status, r.findings.map((f) => f.code)]));

async function serverRun(t: TestContext, file: string): Promise<ChatCheckResult[]> {
  const server = traced(t, 'own-chat-server', file, ['0']);
  const printed = await waitFor(
    'the port',
    () => /UDP-порт (\d+)/.exec(server.stdout()) ?? undefined,
    20_000,
  );
  const port = Number(printed[1]);
  const vm = await udpPeer(t);
  const remote = await udpPeer(t, '127.0.0.2');
  const probeSocket = dgram.createSocket('udp4');
  t.after(() => probeSocket.close());
  probeSocket.bind(0, '127.0.0.1');
  await once(probeSocket, 'listening');
  const probe = `127.0.0.1:${probeSocket.address().port}`;
  // Paced: each datagram's relay is done (strace slows every call) before the next arrives.
  const step = async (send: Promise<void>) => {
    await send;
    await pause(250);
  };
  await step(vm(port, 'alice: joined the chat'));
  await step(remote(port, 'bob: joined the chat'));
  await step(vm(port, 'alice: привет'));
  for (const d of [Buffer.from([0xff, 0xfe, 0x00]), Buffer.alloc(0), Buffer.alloc(65_507, 0x41)])
    await step(new Promise<void>((r) => probeSocket.send(d, port, '127.0.0.1', () => r())));
  await step(remote(port, 'bob: still here'));
  await step(vm(port, 'alice: yes'));
  process.kill(-server.child.pid!, 'SIGTERM');
  const records = await server.done;
  return checkOwnChatServer({
    records,
    members: [
      { label: 'vm', seenAs: '127.0.0.1' },
      { label: 'remote', seenAs: '127.0.0.2', own: '10.188.0.31' },
    ],
    probe,
  });
}

test('own chat server under strace: the correct one passes every check', async (t) => {
  if (!needsTools(t)) return;
  const results = await serverRun(t, 'chat/chat_server.py');
  t.diagnostic(describe(results));
  assert.deepEqual(
    results.map((r) => r.status),
    ['pass', 'pass', 'pass', 'pass'],
    describe(results),
  );
});

test('own chat server under strace: each mutant fails exactly its one check', async (t) => {
  if (!needsTools(t)) return;
  for (const [mutant, check] of [
    ['relays-to-sender', 'own-chat-not-back'],
    ['forgets-after-first', 'own-chat-relay'],
  ] as const) {
    const results = await serverRun(t, `chat-mutants/${mutant}/chat_server.py`);
    assert.deepEqual(failing(results), [check], `${mutant}: ${describe(results)}`);
  }
});

/**
 * A chat client run by own18's runner (`runOwnProgram`, what `socket-lab own --role chat-client`
 * does): its own.* log lines are the records, as the report reads them.
 */
function ownClient(t: TestContext, source: string, file: string, port: number) {
  const cap = captureLog();
  const keyboard = new PassThrough();
  const run = runOwnProgram({
    role: 'chat-client',
    command: `python3 ${file} {host} {port} {nick}`,
    dir: FIXTURES,
    host: '127.0.0.1',
    port,
    nick: 'alice',
    trace: true,
    log: cap.log,
    stdin: keyboard,
    relay: null,
  });
  t.after(async () => {
    await run.stop();
  });
  const records = (): OwnRecord[] =>
    cap.lines.map((l, i) => ({
      source,
      line: i + 1,
      time: Date.parse(String(l.time)),
      event: String(l.event),
      fields: l,
    }));
  return {
    events: cap.events,
    records,
    done: run.done,
    type: (line: string) => {
      const at = Date.now();
      keyboard.write(`${line}\n`);
      return at;
    },
  };
}

async function clientRun(t: TestContext, file: string): Promise<ChatCheckResult[]> {
  const cap = captureLog();
  const server = await createChatServer({ host: '127.0.0.1', port: 0, protocol: 'plain', log: cap.log });
  t.after(() => server.close());
  const port = server.address.port;
  const alice = ownClient(t, 'own-chat-client', file, port);
  await waitFor('alice remembered', () => cap.events('udp.member.joined').length === 1, 20_000);
  const bobLines: string[] = [];
  const { log } = captureLog();
  const bob = await startPlainChat({
    host: '127.0.0.1',
    port,
    nick: 'bob',
    log,
    onEvent: (e) => e.type === 'line' && bobLines.push(e.line),
  });
  t.after(() => bob.leave('end-of-input'));
  const sentAt = Date.now();
  bob.send('hello alice');
  await pause(1500); // the user types nothing meanwhile
  const typedAt = alice.type('hi');
  await waitFor('bob gets alice', () => bobLines.includes('alice: hi'), 10_000);
  await pause(300);
  const exitAt = alice.type('exit');
  await alice.done;

  // The same client against a port where nothing listens.
  const probe = dgram.createSocket('udp4');
  probe.bind(0, '127.0.0.1');
  await once(probe, 'listening');
  const closedPort = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  const lost = ownClient(t, 'own-chat-client-unreachable', file, closedPort);
  await pause(1000);
  lost.type('hello');
  await pause(1000);
  lost.type('exit');
  await lost.done;

  return checkOwnChatClient({
    records: alice.records(),
    incoming: [{ text: 'bob: hello alice', time: sentAt }],
    typed: [typedAt],
    exitTypedAt: exitAt,
    unreachable: lost.records(),
  });
}

test('own chat client under strace: the correct one passes every check (a thread receives)', async (t) => {
  if (!needsTools(t)) return;
  const results = await clientRun(t, 'chat/chat_client.py');
  t.diagnostic(describe(results));
  assert.deepEqual(
    results.map((r) => r.status),
    ['pass', 'pass', 'pass'],
    describe(results),
  );
  assert.equal(results[0]!.findings[0]!.params.how, 'threads');
});

test('own chat client under strace: the input-blocks mutant fails exactly the typing check', async (t) => {
  if (!needsTools(t)) return;
  const results = await clientRun(t, 'chat-mutants/input-blocks/chat_client.py');
  assert.deepEqual(failing(results), ['own-chat-client-typing'], describe(results));
  assert.equal(results[0]!.findings[0]!.code, 'typing-after-enter');
});

/**
 * Both programs the student's (issue 19, the typing check with their own server): their server and
 * their client run under strace, another member writes while the user types nothing; what their
 * server sent the client comes from the server's trace alone (chatFactsFromRecords), no fact passed in.
 */
async function ownPairRun(t: TestContext, clientFile: string): Promise<ChatCheckResult[]> {
  const server = traced(t, 'lab-own-chat-server', 'chat/chat_server.py', ['0']);
  const printed = await waitFor(
    'the port',
    () => /UDP-порт (\d+)/.exec(server.stdout()) ?? undefined,
    20_000,
  );
  const port = Number(printed[1]);
  const alice = ownClient(t, 'lab-chat-vm', clientFile, port);
  await waitFor('alice is in', () => /alice: joined the chat/.test(server.stdout()), 20_000);
  const bob = await udpPeer(t, '127.0.0.2');
  await bob(port, 'bob: hello alice');
  await pause(1500); // the user types nothing meanwhile
  alice.type('hi');
  await pause(500);
  alice.type('exit');
  await alice.done;
  process.kill(-server.child.pid!, 'SIGTERM');
  const serverRecords = (await server.done).map((r) => ({
    ...r,
    fields: { ...r.fields, role: 'chat-server' },
  }));
  const facts = chatFactsFromRecords([...serverRecords, ...alice.records()]);
  assert.equal(facts.clients.length, 1);
  assert.ok(
    facts.clients[0]!.incoming.some(
      (m) => m.text === 'bob: hello alice' && m.record?.source === 'lab-own-chat-server',
    ),
    `their server's sendto is the incoming line: ${JSON.stringify(facts.clients[0]!.incoming.map((m) => m.text))}`,
  );
  return checkOwnChatClient(facts.clients[0]!);
}

test("own chat server and client both traced: the typing check reads their server's sendto", async (t) => {
  if (!needsTools(t)) return;
  const [typing] = await ownPairRun(t, 'chat/chat_client.py');
  t.diagnostic(JSON.stringify(typing));
  assert.equal(typing!.status, 'pass', JSON.stringify(typing));
  const hello = typing!.findings.find((f) => f.params.text === 'bob: hello alice')!;
  assert.equal(hello.code, 'typing-ok');
  assert.deepEqual(
    hello.evidence
      .map((r) => `${r.source} ${r.event} ${String(r.fields.call ?? r.fields.stream)}`)
      .slice(0, 2),
    ['lab-own-chat-server own.call sendto', 'lab-chat-vm own.call recvfrom'],
  );
  const [late] = await ownPairRun(t, 'chat-mutants/input-blocks/chat_client.py');
  assert.equal(late!.status, 'fail', JSON.stringify(late));
  assert.equal(late!.findings.find((f) => f.params.text === 'bob: hello alice')?.code, 'typing-after-enter');
});
