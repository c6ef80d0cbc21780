import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { catalogueMarkdown } from '../src/cli/events.ts';
import { EVENT_NAMES } from '../src/log/events.ts';
import { COMMAND_NAMES, commandOf } from '../src/cli/program.ts';
import { CLI, parseJsonLines, runCli, startServerProcess, waitFor, waitForLine, defer } from './helpers.ts';

test('echo client through pipes: every line comes back, exit ends the session cleanly', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const client = runCli(
    ['echo', '--port', String(server.tcpPort), '--log-format', 'json'],
    'hello\nпривет мир\nexit\nnot sent\n',
  );
  assert.equal(await client.exited, 0, client.stderr());
  assert.equal(client.stdout(), 'hello\nпривет мир\n');
  const log = parseJsonLines(client.stderr());
  const names = log.map((l) => l.event);
  for (const e of ['client.connected', 'client.data.sent', 'client.data.received', 'client.disconnected']) {
    assert.ok(names.includes(e), `${e} missing from ${names}`);
  }
  const bye = log.find((l) => l.event === 'client.disconnected');
  assert.equal(bye?.reason, 'user-exit');
  assert.equal(bye?.bytesSent, bye?.bytesReceived);
  const closed = await waitFor('server closed the connection', () =>
    server.json().find((l) => l.event === 'tcp.connection.closed'),
  );
  assert.equal(closed.bytesIn, Buffer.byteLength('hello\nпривет мир\n'));
  assert.equal(closed.bytesOut, closed.bytesIn);
});

test('echo client: end of input waits for the last echo, then exits 0', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i * 10)}`);
  const client = runCli(
    ['echo', '--port', String(server.tcpPort), '--chunk-size', '100', '--log-level', 'warn'],
    `${lines.join('\n')}\n`,
  );
  assert.equal(await client.exited, 0, client.stderr());
  assert.equal(client.stdout(), `${lines.join('\n')}\n`);
});

test('chat clients through pipes see each other; the server relays and logs', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const port = String(server.udpPort);
  // bob stays until he has heard alice, then leaves
  const bob = runCli(['chat', '--port', port, '--nick', 'bob', '--log-format', 'json']);
  defer(t, () => bob.child.kill('SIGKILL'));
  await waitFor('bob joined', () =>
    server.json().find((l) => l.event === 'udp.member.joined' && l.member === 'bob'),
  );
  const alice = runCli(
    ['chat', '--port', port, '--nick', 'alice', '--say', 'hi bob', '--wait-members', '2'],
    '',
  );
  assert.equal(await alice.exited, 0, alice.stderr());
  await waitFor('bob heard alice', () => bob.stdout().includes('<alice> hi bob'), 5000);
  bob.child.stdin?.end('exit\n');
  assert.equal(await bob.exited, 0, bob.stderr());
  assert.ok(bob.stdout().includes('* alice joined'));
  const left = parseJsonLines(bob.stderr()).find((l) => l.event === 'chat.left');
  assert.equal(left?.reason, 'user-exit');
  // bob heard the relay before the server's line about it was necessarily read: wait for the line.
  const relayed = await waitForLine(server, 'udp.message.relayed', (l) => l.event === 'udp.message.relayed');
  assert.equal(relayed.member, 'alice');
  assert.equal(relayed.recipients, 1);
});

test('chat client: a signal while it waits for BYE still logs chat.left before it exits', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  // SIGSTOP the server so that the client's LEAVE gets no BYE: the client waits, and is signalled.
  const chat = runCli(['chat', '--port', String(server.udpPort), '--nick', 'dora', '--log-format', 'json']);
  defer(t, () => chat.child.kill('SIGKILL'));
  await waitFor('joined', () => server.json().find((l) => l.event === 'udp.member.joined'));
  server.child.kill('SIGSTOP');
  defer(t, () => server.child.kill('SIGCONT'));
  const queued = udpReceiveQueue(server.udpPort);
  chat.child.stdin?.end('');
  // The end of input makes the client send LEAVE and wait for a BYE that the stopped server cannot
  // send. The LEAVE waiting in the stopped server's receive queue is the sign that it is waiting now.
  await waitFor(
    'the LEAVE queued at the stopped server',
    () => udpReceiveQueue(server.udpPort) > queued || undefined,
  );
  chat.child.kill('SIGTERM');
  assert.equal(await chat.exited, 0, chat.stderr());
  const left = parseJsonLines(chat.stderr()).filter((l) => l.event === 'chat.left');
  assert.equal(left.length, 1, chat.stderr());
  server.child.kill('SIGCONT');
});

/** Bytes waiting in the receive queue of the IPv4 UDP socket bound to `port`, as /proc/net/udp shows. */
function udpReceiveQueue(port: number): number {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const row of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue ...
    const [, local, , , queues] = row.trim().split(/\s+/);
    if (local?.endsWith(hexPort)) return Number.parseInt(queues?.split(':')[1] ?? '0', 16);
  }
  throw new Error(`no UDP socket on port ${port} in /proc/net/udp`);
}

test('SIGTERM: the server logs stopping and stopped, closes connections and exits 0', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const socket = net.connect(server.tcpPort, '127.0.0.1');
  socket.on('end', () => socket.end());
  socket.on('error', () => {});
  await waitFor('accepted', () => server.json().find((l) => l.event === 'tcp.connection.accepted'));
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.stderr());
  const events = server.json().map((l) => l.event);
  const stopping = server.json().find((l) => l.event === 'server.stopping');
  assert.equal(stopping?.signal, 'SIGTERM');
  assert.equal(stopping?.openConnections, 1);
  assert.equal(events.at(-1), 'server.stopped', 'server.stopped must be the last line');
  assert.ok(events.indexOf('tcp.connection.closed') < events.indexOf('server.stopped'));
});

test('a port in use: one sentence on stderr naming the port, exit code 1, no stack trace', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const second = runCli([
    'server',
    '--host',
    '127.0.0.1',
    '--tcp-port',
    String(server.tcpPort),
    '--udp-port',
    '0',
    '--log-format',
    'json',
  ]);
  assert.equal(await second.exited, 1);
  assert.match(
    second.stderr(),
    new RegExp(
      `^socket-lab server: cannot listen on 127\\.0\\.0\\.1:${server.tcpPort} \\(TCP\\): the port is already in use`,
    ),
  );
  assert.doesNotMatch(second.stderr(), /\n\s+at /);
  assert.equal(second.json().find((l) => l.event === 'server.error')?.code, 'LAB_ERR_ADDR_IN_USE');
});

test('connection refused and bad arguments give one clear sentence and a non-zero exit code', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r)); // nothing listens there now
  const refused = runCli(['echo', '--port', String(port), '--log-level', 'silent'], 'x\n');
  assert.equal(await refused.exited, 1);
  assert.equal(
    refused.stderr(),
    `socket-lab echo: cannot connect to 127.0.0.1:${port}: connection refused (no socket listens on that address and port, or a firewall rejected the connection; is the server running and bound to an address this machine can reach?)\n`,
  );
  for (const [args, pattern] of [
    [['server', '--tcp-port', 'abc'], /a port is a whole number from 0 to 65535/],
    [['server', '--log-format', 'xml'], /Allowed choices are json, pretty/],
    [['echo', '--chunk-size', '0'], /expected a whole number from 1/],
    [['chat', '--nick', 'no spaces please', '--port', '9'], /nickname "no spaces please" is not allowed/],
    [['nonsense'], /unknown command 'nonsense'/],
  ] as const) {
    const p = runCli([...args], '');
    const code = await p.exited;
    assert.notEqual(code, 0, `${args.join(' ')} should fail`);
    assert.match(p.stderr(), pattern);
    assert.doesNotMatch(p.stderr(), /\n\s+at /, 'no stack trace');
  }
});

test('environment variables configure the server (LAB_*), and --scenario labels every line', async (t) => {
  const p = runCli(['server', '--log-format', 'json'], undefined, {
    LAB_HOST: '127.0.0.1',
    LAB_TCP_PORT: '0',
    LAB_UDP_PORT: '0',
    LAB_SCENARIO: 'vm',
    LAB_LANG: 'ru',
  });
  defer(t, () => p.child.kill('SIGKILL'));
  const listening = await waitFor('listening', () => p.json().find((l) => l.event === 'server.listening'));
  assert.equal(listening.address, '127.0.0.1');
  assert.match(String(listening.msg), /привязан/);
  assert.ok(p.json().every((l) => l.scenario === 'vm'));
});

test('docs/events.md is the generated catalogue, and every event has both languages', () => {
  const doc = readFileSync(new URL('../docs/events.md', import.meta.url), 'utf8');
  assert.equal(doc, catalogueMarkdown(), 'regenerate: node dist/cli.js events --markdown > docs/events.md');
  for (const name of EVENT_NAMES) assert.ok(doc.includes(`## \`${name}\``));
  const out = execFileSync(process.execPath, [CLI, 'events', '--lang', 'ru'], { encoding: 'utf8' });
  assert.match(out, /tcp\.connection\.accepted \(info\)/);
  assert.match(out, /accept\(\) вернул новый сокет/);
});

test('the CLI loads the subcommand it runs; help, --version and a misspelt command see all of them', async () => {
  assert.equal(commandOf(['node', 'cli.js', 'server', '--port', '0']), 'server');
  assert.equal(commandOf(['node', 'cli.js', '--debug', 'report', 'logs']), 'report');
  assert.equal(
    commandOf(['node', 'cli.js', 'report', 'server']),
    'report',
    'the first word, not an argument',
  );
  for (const argv of [[], ['--help'], ['--version'], ['help', 'server'], ['serve'], ['constructor']])
    assert.equal(commandOf(['node', 'cli.js', ...argv]), undefined, argv.join(' '));
  const help = runCli(['--help']);
  assert.equal(await help.exited, 0);
  for (const name of COMMAND_NAMES) assert.match(help.stdout(), new RegExp(`^  ${name}\\b`, 'm'), name);
  const typo = runCli(['serve']);
  assert.equal(await typo.exited, 2);
  assert.match(typo.stderr(), /unknown command 'serve'[\s\S]*Did you mean server\?/);
  const one = runCli(['health', '--help']);
  assert.equal(await one.exited, 0);
  assert.match(one.stdout(), /^Usage: socket-lab health/m);
});
