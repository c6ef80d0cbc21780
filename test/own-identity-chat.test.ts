/**
 * A student's own chat programs in a run's identity and fingerprint (grading, issue #19): what the
 * kernel drew for their chat, the clients' UDP ports, counts like the TCP clients' ports do. From a
 * real run of the Docker e2e's own pass (test/fixtures/own/chat-run), and records made to the
 * runner's shape for what that run does not show (a client that never called connect(), a flood).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { implausibleFingerprint, runFingerprint } from '../src/classroom/fingerprint.ts';
import { analyse } from '../src/report/index.ts';
import { MAX_RUN_RANDOMNESS, ownParts, runIdentity } from '../src/report/identity.ts';
import type { LogRecord } from '../src/report/parse.ts';

const RUN = fileURLToPath(new URL('./fixtures/own/chat-run/', import.meta.url));

async function chatRun() {
  const names = readdirSync(RUN).filter((n) => n.endsWith('.jsonl'));
  return analyse(
    names.map((n) => ({
      name: n.replace(/\.jsonl$/, ''),
      lines: (async function* () {
        yield readFileSync(join(RUN, n), 'utf8').split('\n').filter(Boolean);
      })(),
    })),
    { allRuns: true },
  );
}

const portOf = (e: string) => Number(e.slice(e.lastIndexOf(':') + 1));

test("their chat clients' ports are in the run's fingerprint; their server's peers are in its identity only", async () => {
  const { model } = await chatRun();
  const id = runIdentity(model);
  // Who their server heard from: the vm client as itself, the remote one as the router (NAT).
  const peers = id.accepted ?? [];
  assert.equal(peers.length, 2, JSON.stringify(peers));
  assert.ok(
    peers.some((p) => p.startsWith('198.18.0.2:')),
    'the remote member, by the router',
  );
  assert.ok(
    peers.some((p) => p.startsWith('198.18.0.3:')),
    'the vm member',
  );
  const clients = id.clients.filter((c) => c.kind === 'chat');
  assert.deepEqual(clients.map((c) => c.scenario).sort(), ['remote', 'vm']);
  // The router kept the remote client's port: the port its own socket had is the one the server saw.
  const remote = clients.find((c) => c.scenario === 'remote')!;
  assert.ok(remote.local?.startsWith('198.18.1.2:'));
  assert.ok(peers.some((p) => portOf(p) === portOf(remote.local!)));
  const f = await runFingerprint(model, []);
  for (const e of clients.map((c) => c.local!)) assert.ok(f.ports.includes(portOf(e)), e);
  assert.equal(implausibleFingerprint(f), false);
});

test("a classmate's datagrams to their chat server do not put the classmate's ports in its fingerprint", async () => {
  // An attacker's review: two datagrams from the ports of the attacker's own honest run, sent to a
  // victim's published chat port, made both honest runs "the same run". The sender chose those ports.
  const { model } = await chatRun();
  const before = await runFingerprint(model, []);
  const foreign = [52978, 52980].map((port, i) =>
    call('labe2e22894ownv2-own-chat-server', 'chat-server', 100_000 + i, {
      call: 'recvfrom',
      fd: 3,
      result: 5,
      bytes: 5,
      peer: `192.168.1.50:${port}`,
    }),
  );
  model.timeline.records.push(...foreign);
  assert.ok(
    (runIdentity(model).accepted ?? []).some((p) => p === '192.168.1.50:52978'),
    'its identity shows them',
  );
  const after = await runFingerprint(model, []);
  assert.deepEqual(after.ports, before.ports);
  assert.ok(!after.ports.includes(52978) && !after.ports.includes(52980));
});

/** One own.call line of role `role` in the shape the runner logs it. */
const call = (source: string, role: string, line: number, fields: Record<string, unknown>): LogRecord =>
  ({
    source,
    line,
    time: 1000 + line,
    event: 'own.call',
    fields: { role, ownPid: 7, ...fields },
  }) as unknown as LogRecord;

test('a chat client that sends without connect() is a client, with the port the kernel bound', () => {
  const records = [
    call('c', 'chat-client', 1, { call: 'socket', result: 3, type: 'udp' }),
    // Unbound until the first send: strace -yy shows 0.0.0.0:0 then.
    call('c', 'chat-client', 2, {
      call: 'sendto',
      fd: 3,
      result: 9,
      bytes: 9,
      peer: '10.0.0.10:7008',
      local: '0.0.0.0:0',
    }),
    call('c', 'chat-client', 3, {
      call: 'recvfrom',
      fd: 3,
      result: 9,
      bytes: 9,
      peer: '10.0.0.10:7008',
      local: '0.0.0.0:51515',
    }),
    call('c', 'chat-client', 4, {
      call: 'sendto',
      fd: 3,
      result: 9,
      bytes: 9,
      peer: '10.0.0.10:7008',
      local: '0.0.0.0:51515',
    }),
  ];
  const { clients } = ownParts(records);
  assert.deepEqual(
    clients.map((c) => [c.kind, c.local, c.remote]),
    [['chat', '0.0.0.0:51515', '10.0.0.10:7008']],
    'one client per socket, its port once the kernel bound it',
  );
});

test("a chat server's peers are bounded: a log of thousands of sources stays a short, implausible list", async () => {
  const records = Array.from({ length: 5000 }, (_, i) =>
    call('s', 'chat-server', i + 1, {
      call: 'recvfrom',
      fd: 3,
      result: 5,
      bytes: 5,
      peer: `10.0.${i % 250}.1:${1024 + i}`,
    }),
  );
  const { accepted } = ownParts(records);
  assert.equal(accepted.length, MAX_RUN_RANDOMNESS + 1);
  const ports = new Set(accepted.map(portOf));
  assert.equal(ports.size, MAX_RUN_RANDOMNESS + 1);
  // More than a run of the lab makes: grading compares it with nobody.
  assert.equal(implausibleFingerprint({ ports: [...ports], isns: [] }), true);
  // A failed recvfrom names nobody; our probe's source and the members' do.
  assert.deepEqual(
    ownParts([
      call('s', 'chat-server', 1, {
        call: 'recvfrom',
        fd: 3,
        result: -1,
        errno: 'EAGAIN',
        peer: '10.0.0.9:4000',
      }),
    ]).accepted,
    [],
  );
});
