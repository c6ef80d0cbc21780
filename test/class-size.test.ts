/**
 * A class behind one address (issue 21): `socket-lab server --class-size 60` serves 60 echo and 60
 * chat clients that all come from 127.0.0.1, as a classroom behind one NAT address looks to the
 * teacher's server. Loopback only, a few seconds: the unit tier.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PLACES_PER_STUDENT, limitsForClass } from '../src/cli/server.ts';
import { type EchoClient, connectEcho } from '../src/tcp/echo-client.ts';
import { ECHO_DEFAULTS } from '../src/tcp/echo-server.ts';
import { type ChatClient, joinChat } from '../src/udp/chat-client.ts';
import { CHAT_DEFAULTS } from '../src/udp/chat-server.ts';
import { captureLog, defer, startServerProcess } from './helpers.ts';

const DEFAULTS = {
  maxConnections: ECHO_DEFAULTS.maxConnections,
  maxPerAddress: ECHO_DEFAULTS.maxConnectionsPerAddress,
  maxMembers: CHAT_DEFAULTS.maxMembers,
  membersPerAddress: CHAT_DEFAULTS.maxMembersPerAddress,
  connectionLines: ECHO_DEFAULTS.connectionLinesPerSecond,
};

test('--class-size raises the per-address limits to two places a student, never lowers a limit', () => {
  assert.equal(PLACES_PER_STUDENT, 2);
  assert.deepEqual(limitsForClass(0, DEFAULTS), DEFAULTS);
  assert.deepEqual(limitsForClass(60, DEFAULTS), {
    maxConnections: 1024,
    maxPerAddress: 120,
    maxMembers: 256,
    membersPerAddress: 120,
    connectionLines: 600,
  });
  // A class larger than a total: the total follows, so the per-address limit can be reached.
  assert.deepEqual(limitsForClass(200, DEFAULTS), {
    maxConnections: 1024,
    maxPerAddress: 400,
    maxMembers: 400,
    membersPerAddress: 400,
    connectionLines: 2000,
  });
  // A limit set higher by hand stays.
  assert.equal(limitsForClass(10, { ...DEFAULTS, maxPerAddress: 500 }).maxPerAddress, 500);
  assert.equal(limitsForClass(10, DEFAULTS).membersPerAddress, 32);
});

/** The server's resident memory, in KiB, from the kernel (Linux). */
function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

test('60 echo and 60 chat clients from one address, all served under --class-size 60', async (t) => {
  const server = await startServerProcess(['--class-size', '60']);
  defer(t, () => server.child.kill('SIGKILL'));
  const pid = server.child.pid as number;
  const starting = server.json().find((l) => l.event === 'server.starting');
  const config = starting?.config as Record<string, number>;
  assert.equal(config.classSize, 60);
  assert.equal(config.maxPerAddress, 120);
  assert.equal(config.membersPerAddress, 120);
  assert.equal(config.connectionLines, 600);
  const rssBefore = rssKiB(pid);

  const started = Date.now();
  const echoes: EchoClient[] = [];
  defer(t, () => Promise.all(echoes.map((c) => c.close('end-of-input'))).then(() => undefined));
  const chats: ChatClient[] = [];
  defer(t, () => Promise.all(chats.map((c) => c.leave('end-of-input'))).then(() => undefined));
  const [echoResults, chatResults] = await Promise.all([
    Promise.allSettled(
      Array.from({ length: 60 }, async (_, i) => {
        const c = await connectEcho({ port: server.tcpPort, log: captureLog().log });
        echoes.push(c);
        c.send(`student ${i}\n`);
        await c.drained(10_000);
        return c.bytesReceived();
      }),
    ),
    Promise.allSettled(
      Array.from({ length: 60 }, async (_, i) => {
        const c = await joinChat({ port: server.udpPort, nick: `s${i}`, log: captureLog().log });
        chats.push(c);
        return c;
      }),
    ),
  ]);
  const elapsed = Date.now() - started;
  const rssAfter = rssKiB(pid);
  const failed = [...echoResults, ...chatResults].filter((r) => r.status === 'rejected');
  assert.deepEqual(
    failed.map((r) => String((r as PromiseRejectedResult).reason)),
    [],
    'every client served',
  );
  // All at once: 60 connections and 60 members open together, from 127.0.0.1.
  const accepted = server.json().filter((l) => l.event === 'tcp.connection.accepted');
  assert.equal(accepted.length, 60);
  assert.ok(accepted.every((l) => String(l.remote).startsWith('127.0.0.1:')));
  assert.equal(Math.max(...accepted.map((l) => Number(l.open))), 60);
  const joined = server.json().filter((l) => l.event === 'udp.member.joined');
  assert.equal(Math.max(...joined.map((l) => Number(l.members))), 60);
  assert.ok(!server.json().some((l) => l.event === 'tcp.connection.rejected'));
  assert.ok(!server.json().some((l) => l.event === 'udp.datagram.rejected'));
  t.diagnostic(
    `60 echo + 60 chat clients from 127.0.0.1 served in ${elapsed} ms; server RSS ${rssBefore ?? '?'} KiB before, ${rssAfter ?? '?'} KiB with all 120 open`,
  );
});

test('the same class without --class-size: the chat turns the 33rd away, naming the setting', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const chats: ChatClient[] = [];
  defer(t, () => Promise.all(chats.map((c) => c.leave('end-of-input'))).then(() => undefined));
  const results = await Promise.allSettled(
    Array.from({ length: 40 }, async (_, i) => {
      const c = await joinChat({ port: server.udpPort, nick: `s${i}`, log: captureLog().log });
      chats.push(c);
    }),
  );
  const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  assert.equal(40 - refused.length, 32, 'the default per-address limit');
  for (const r of refused) assert.match(String(r.reason), /LAB_MEMBERS_PER_ADDRESS/);
});
