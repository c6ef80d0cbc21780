import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Flows } from '../../src/wire/index.ts';
import { CLI, parseJsonLines, runCli, waitFor, defer } from '../helpers.ts';
import {
  captured,
  closedTo,
  makeNamespace,
  CAPTURE,
  CAPTURE_WHY,
  run,
  startCapture,
  startServer,
} from './wire-helpers.ts';
import { needs } from './needs.ts';

// One real lab run in a network namespace of this test's own: tcpdump on its loopback, the built
// server, an echo client (one 2501-byte line) and two chat clients, every program writing its JSON
// log with --log-file into one directory beside the capture, as `collect` leaves them in ./logs.

const LINE = `${'x'.repeat(2500)}\n`;

async function labRun(t: import('node:test').TestContext): Promise<string> {
  const ns = `sl-rw-${process.pid}`;
  makeNamespace(t, ns);
  const dir = await mkdtemp(join(tmpdir(), 'report-wire-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const pcap = join(dir, 'lab-capture-server.pcap');
  const stop = await startCapture(t, ns, pcap);
  const server = await startServer(t, ns, '127.0.0.1', ['--log-file', join(dir, 'lab-server.jsonl')]);
  const log = (name: string) => ['--log-format', 'json', '--log-file', join(dir, `${name}.jsonl`)];

  const echo = run(
    t,
    ns,
    [
      process.execPath,
      CLI,
      'echo',
      '--host',
      '127.0.0.1',
      '--port',
      '7007',
      '--scenario',
      'local',
      ...log('lab-echo-local'),
    ],
    LINE,
  );
  assert.equal(await echo.exited, 0, echo.err());
  assert.equal(echo.out(), LINE);

  const chat = (scenario: string, nick: string) => [
    process.execPath,
    CLI,
    'chat',
    '--host',
    '127.0.0.1',
    '--port',
    '7008',
    '--scenario',
    scenario,
    '--nick',
    nick,
    ...log(`lab-chat-${scenario}`),
  ];
  const bob = run(t, ns, chat('net-b', 'bob'));
  await waitFor(
    'bob joined',
    () => server.json().find((l) => l.event === 'udp.member.joined' && l.member === 'bob'),
    10_000,
  );
  const alice = run(
    t,
    ns,
    [...chat('local', 'alice'), '--wait-members', '2', '--say', 'hello', '--say', 'bye!'],
    '',
  );
  assert.equal(await alice.exited, 0, alice.err());
  await waitFor(
    'bob got both',
    () => parseJsonLines(bob.err()).filter((l) => l.event === 'chat.message.received').length === 2,
    10_000,
  );
  bob.child.kill('SIGTERM');
  await bob.exited;
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.err());
  await captured(
    pcap,
    'the closed echo connection and the chat',
    (flows: Flows) => closedTo(7007)(flows) && flows.udp.length > 0,
  );
  await stop();
  return dir;
}

test('report DIR with a capture: On the wire per scenario, handshake and teardown, the wire check passes; broken captures are one line; a tampered log fails', async (t) => {
  if (!needs(t, CAPTURE, CAPTURE_WHY)) return;
  const dir = await labRun(t);

  const en = runCli(['report', dir, '--check']);
  assert.equal(await en.exited, 0, `${en.stderr()}\n${en.stdout()}`);
  const md = en.stdout();
  assert.match(md, /^## On the wire$/m);
  assert.match(md, /^### Scenario `local`$/m);
  assert.match(md, /Three-way handshake:/);
  assert.match(md, /portions read 1024, 1024, 453/);
  assert.match(md, /The client sent FIN first/);
  assert.match(md, /Check: bytes on the wire equal the socket log[^\n]*✅ pass/);
  assert.match(md, /client → server: socket log 2501 bytes, on the wire 2501/);
  assert.match(
    en.stderr(),
    // bob (net-b) only listens: the chat check passes with net-b → local not tested, and says so.
    /checks: \d+ of \d+ pass \(1 of them with parts not tested in this run: chat\), 0 fail/,
    'every check passes, the wire check among them (above)',
  );

  const ru = runCli(['report', dir, '--lang', 'ru']);
  assert.equal(await ru.exited, 0, ru.stderr());
  assert.match(ru.stdout(), /^## В сети$/m);
  assert.match(ru.stdout(), /Тройное рукопожатие:/);
  assert.match(ru.stdout(), /Проверка: байты в сети равны счётчикам журнала сокетов[^\n]*✅ пройдена/);

  // A broken capture: one clear line, the check not applicable, the rest of the report intact.
  const pcap = join(dir, 'lab-capture-server.pcap');
  const good = await readFile(pcap);
  const broken: Array<[string, () => Promise<void>, RegExp]> = [
    ['truncated', () => truncate(pcap, good.length - 7), /ends in the middle of a packet/],
    [
      'garbage',
      () => writeFile(pcap, Buffer.from('this is not a capture at all, just text\n'.repeat(4))),
      /not a pcap|not a capture/i,
    ],
    ['empty', () => writeFile(pcap, ''), /empty/i],
  ];
  for (const [what, spoil, says] of broken) {
    await writeFile(pcap, good);
    await spoil();
    const p = runCli(['report', dir, '--check']);
    assert.equal(await p.exited, 0, `${what}: ${p.stderr()}`);
    const check = /Check: bytes on the wire equal the socket log: (.*)\n\n- ✅ (.*)/.exec(p.stdout());
    assert.ok(check, `${what}: the wire check is in the report`);
    assert.equal(check[1], '➖ not applicable', what);
    assert.match(check[2]!, says, `${what}: ${check[2]}`);
    assert.match(p.stderr(), /\d+ not applicable/, what);
    assert.match(p.stdout(), /^#+ Scenario `local`/m, `${what}: the socket part of the report stays`);
  }
  await writeFile(pcap, good);

  // Capture off: the .off note's reason, not applicable.
  await rm(pcap);
  await writeFile(join(dir, 'lab-capture-server.off'), 'LAB_CAPTURE=off in .env\n');
  const off = runCli(['report', dir, '--check']);
  assert.equal(await off.exited, 0, off.stderr());
  assert.match(
    off.stdout(),
    // The Markdown renderer may escape the underscore; the words are what counts.
    /no server capture: capture was off \(lab-capture-server.off: LAB\\?_CAPTURE=off in \.env\)/,
  );
  await rm(join(dir, 'lab-capture-server.off'));
  await writeFile(pcap, good);

  // A log that lies about its bytes: the wire check fails and says which connection.
  const logFile = join(dir, 'lab-server.jsonl');
  const log = await readFile(logFile, 'utf8');
  assert.match(log, /"bytesOut":2501/);
  await writeFile(logFile, log.replace(/"bytesOut":2501/, '"bytesOut":2502'));
  const lie = runCli(['report', dir, '--check']);
  assert.equal(await lie.exited, 1, lie.stderr());
  assert.match(lie.stderr(), /wire: [^\n]*server → client: socket log 2502 bytes, on the wire 2501/);
  assert.match(lie.stdout(), /Check: bytes on the wire equal the socket log: ❌ fail/);
});
