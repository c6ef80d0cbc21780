import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  analyseFlows,
  crossCheckBytes,
  explainWire,
  readCaptureFile,
  relateCaptures,
  socketCountsFromLog,
  socketPortionsFromLog,
} from '../../src/wire/index.ts';
import { CLI, parseJsonLines, waitFor, defer } from '../helpers.ts';
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

test('a real echo and chat run captured on loopback: handshake, MSS, FIN side, bytes equal the socket log, one datagram per message', async (t) => {
  if (!needs(t, CAPTURE, CAPTURE_WHY)) return;
  const ns = `sl-wire-${process.pid}`;
  makeNamespace(t, ns);
  const dir = await mkdtemp(join(tmpdir(), 'wire-cap-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'server.pcap');
  const stopCapture = await startCapture(t, ns, file);
  const server = await startServer(t, ns);

  const line = `${'x'.repeat(2500)}\n`; // 2501 bytes: more than two 1 KB portions
  const echo = run(t, ns, [process.execPath, CLI, 'echo', '--host', '127.0.0.1', '--port', '7007'], line);
  assert.equal(await echo.exited, 0, echo.err());
  assert.equal(echo.out(), line, 'every byte echoed');

  const chatArgs = ['chat', '--host', '127.0.0.1', '--port', '7008', '--log-format', 'json'];
  const bob = run(t, ns, [process.execPath, CLI, ...chatArgs, '--nick', 'bob']);
  await waitFor(
    'bob joined',
    () => server.json().find((l) => l.event === 'udp.member.joined' && l.member === 'bob'),
    10_000,
  );
  const messages = ['one', 'three-3', 'fifteen!']; // distinct sizes, so each datagram is found by its size
  const alice = run(
    t,
    ns,
    [
      process.execPath,
      CLI,
      ...chatArgs,
      '--nick',
      'alice',
      '--wait-members',
      '2',
      ...messages.flatMap((m) => ['--say', m]),
    ],
    '',
  );
  assert.equal(await alice.exited, 0, alice.err());
  await waitFor(
    'bob got all',
    () => parseJsonLines(bob.err()).filter((l) => l.event === 'chat.message.received').length === 3,
    10_000,
  );
  bob.child.kill('SIGTERM');
  await bob.exited;
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.err());
  await captured(file, 'closed echo connection and 3 relayed messages', (flows) => {
    const toBob = flows.udp.flatMap((u) => u.datagrams).filter((d) => d.from === '127.0.0.1:7008');
    return (
      closedTo(7007)(flows) &&
      messages.every((m) => toBob.some((d) => d.payloadLength === `FROM alice ${m}`.length))
    );
  });
  await stopCapture();

  const result = await readCaptureFile(file);
  if (!result.ok) assert.fail(`${result.problem.code}: ${result.problem.message}`);
  const capture = result.capture;
  assert.equal(capture.format, 'pcap');
  assert.equal(capture.linkTypes[0], 1, 'tcpdump writes loopback frames as Ethernet');
  const flows = analyseFlows(capture.packets);

  const echoConns = flows.tcp.filter((c) => c.server === '127.0.0.1:7007');
  assert.equal(echoConns.length, 1);
  const c = echoConns[0]!;
  assert.equal(c.handshake.complete, true, 'SYN, SYN-ACK, ACK captured');
  assert.equal(c.handshake.syn?.to, '127.0.0.1:7007');
  assert.ok(c.handshake.synAck!.timeMs >= c.handshake.syn!.timeMs);
  assert.equal(c.toServer.announcedMss, 65495, 'loopback MSS: 65535 - 40');
  assert.equal(c.toClient.announcedMss, 65495);
  assert.equal(c.handshake.syn?.options.sackPermitted, true);
  assert.equal(c.toServer.payloadBytes, 2501);
  assert.equal(c.toClient.payloadBytes, 2501);
  // Even on loopback a busy machine can make TCP send a tail-loss probe (a real retransmission), and
  // two CPUs can deliver segments out of order; either way each byte counts once.
  for (const d of [c.toServer, c.toClient])
    assert.equal(d.bytesOnWire - d.payloadBytes, d.retransmittedBytes);
  for (const d of [...c.toServer.data, ...c.toClient.data]) assert.ok(d.length <= 65495);
  assert.equal(c.teardown.firstFin, 'client', 'the echo client closes first when its input ends');
  assert.equal(c.teardown.complete, true);
  assert.equal(c.teardown.resets.length, 0);

  // The independent evidence: the server's socket counts against the wire.
  const closed = server.json().filter((l) => l.event === 'tcp.connection.closed');
  assert.equal(closed.length, 1);
  assert.equal(closed[0]!.remote, c.client, 'the server saw the same client endpoint as the capture');
  const check = crossCheckBytes(flows, socketCountsFromLog(server.json()), { serverPort: 7007 });
  assert.equal(check.ok, true, JSON.stringify(check.comparisons));
  assert.deepEqual(
    check.comparisons.map((x) => [x.direction, x.logged, x.onWire]),
    [
      ['client-to-server', 2501, 2501],
      ['server-to-client', 2501, 2501],
    ],
  );

  // UDP: each chat message is one datagram to the server, relayed as one datagram to bob.
  const members = server.json().filter((l) => l.event === 'udp.member.joined');
  const aliceAt = members.find((l) => l.member === 'alice')!.remote as string;
  const bobAt = members.find((l) => l.member === 'bob')!.remote as string;
  const toServer = flows.udp
    .flatMap((u) => u.datagrams)
    .filter((d) => d.from === aliceAt && d.to === '127.0.0.1:7008');
  for (const m of messages) {
    assert.equal(
      toServer.filter((d) => d.payloadLength === `MSG ${m}`.length).length,
      1,
      `one datagram for ${m}`,
    );
  }
  const toBob = flows.udp.flatMap((u) => u.datagrams).filter((d) => d.to === bobAt);
  for (const m of messages) {
    assert.equal(toBob.filter((d) => d.payloadLength === `FROM alice ${m}`.length).length, 1, `relayed ${m}`);
  }
  assert.equal(flows.tcp.filter((x) => x.server.endsWith(':7008')).length, 0, 'no TCP on the chat port');

  const portions = socketPortionsFromLog(server.json()).get(c.client);
  assert.deepEqual(portions?.read, [1024, 1024, 453], 'the server read 1 KB portions');
  const en = explainWire({
    lang: 'en',
    captures: [{ name: 'server.pcap', result, flows }],
    serverPorts: [7007, 7008],
    crossCheck: check,
    portions: socketPortionsFromLog(server.json()),
  });
  assert.match(en, /Three-way handshake:/);
  assert.match(en, /the server's socket log: portions read 1024, 1024, 453; written back 1024, 1024, 453\./);
  assert.match(en, /The client sent FIN first/);
  assert.match(en, /the check passes/);
  const ru = explainWire({
    lang: 'ru',
    captures: [{ name: 'server.pcap', result, flows }],
    serverPorts: [7007, 7008],
    crossCheck: check,
  });
  assert.match(ru, /Тройное рукопожатие:/);
  assert.match(ru, /проверка пройдена/);
  assert.match(ru, /дейтаграмм/);

  // The CLI prints the same and exits 0 when the check passes.
  const logFile = join(dir, 'server.jsonl');
  await writeFile(logFile, server.out());
  const cli = spawnSync(
    process.execPath,
    [CLI, 'wire', file, '--log', logFile, '--server-port', '7007,7008', '--lang', 'ru'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /совпадает/);
});

test('two sides of a hop, captured for real: a router namespace doing DNAT + MASQUERADE shows one connection, a userland proxy two', async (t) => {
  const need = { ...CAPTURE, tools: [...(CAPTURE.tools ?? []), 'iptables', 'socat'] };
  if (!needs(t, need, 'a router namespace (iptables) and a userland proxy (socat) beside tcpdump')) return;
  // client (198.18.1.2) -- router (198.18.1.1 | 198.18.2.1) -- server (198.18.2.2); addresses from
  // the benchmarking range, which exists only inside these namespaces.
  const base = `slw${process.pid % 100000}`;
  const [cns, rns, sns] = [`${base}c`, `${base}r`, `${base}s`];
  for (const n of [cns, rns, sns]) makeNamespace(t, n);
  const ip = (...a: string[]) => execFileSync('ip', a);
  ip('link', 'add', `${base}a`, 'netns', cns, 'type', 'veth', 'peer', 'name', `${base}b`, 'netns', rns);
  ip('link', 'add', `${base}d`, 'netns', sns, 'type', 'veth', 'peer', 'name', `${base}e`, 'netns', rns);
  ip('-n', cns, 'addr', 'add', '198.18.1.2/24', 'dev', `${base}a`);
  ip('-n', rns, 'addr', 'add', '198.18.1.1/24', 'dev', `${base}b`);
  ip('-n', rns, 'addr', 'add', '198.18.2.1/24', 'dev', `${base}e`);
  ip('-n', sns, 'addr', 'add', '198.18.2.2/24', 'dev', `${base}d`);
  for (const [n, dev] of [
    [cns, `${base}a`],
    [rns, `${base}b`],
    [rns, `${base}e`],
    [sns, `${base}d`],
  ] as const) {
    ip('-n', n, 'link', 'set', dev, 'up');
  }
  ip('-n', cns, 'route', 'add', 'default', 'via', '198.18.1.1');
  // The server has no route back to the client's network: only MASQUERADE makes the answers come back.
  execFileSync('ip', ['netns', 'exec', rns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  const ipt = (...a: string[]) => execFileSync('ip', ['netns', 'exec', rns, 'iptables', ...a]);
  ipt(
    '-t',
    'nat',
    '-A',
    'PREROUTING',
    '-p',
    'tcp',
    '-d',
    '198.18.1.1',
    '--dport',
    '7007',
    '-j',
    'DNAT',
    '--to-destination',
    '198.18.2.2:7007',
  );
  ipt('-t', 'nat', '-A', 'POSTROUTING', '-o', `${base}e`, '-j', 'MASQUERADE');

  const dir = await mkdtemp(join(tmpdir(), 'wire-hop-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const server = await startServer(t, sns, '0.0.0.0');
  // A userland proxy on the router, port 8007: it accepts and opens its own connection to the server.
  const proxy = run(t, rns, [
    'socat',
    'TCP-LISTEN:8007,bind=198.18.1.1,reuseaddr,fork',
    'TCP:198.18.2.2:7007',
  ]);
  await waitFor('socat listening', () => {
    const ss = spawnSync('ip', ['netns', 'exec', rns, 'ss', '-ltn'], { encoding: 'utf8' });
    return ss.stdout.includes('198.18.1.1:8007');
  });

  for (const [port, expected] of [
    ['7007', 'nat'],
    ['8007', 'proxy'],
  ] as const) {
    const near = join(dir, `client-${port}.pcap`);
    const far = join(dir, `server-${port}.pcap`);
    const stopNear = await startCapture(t, cns, near, `${base}a`, ['tcp']);
    // -i any, as a capture container watching every interface would: Linux cooked (v2) frames.
    const stopFar = await startCapture(t, sns, far, 'any', ['tcp']);
    const line = `${'y'.repeat(2500)}\n`;
    const echo = run(t, cns, [process.execPath, CLI, 'echo', '--host', '198.18.1.1', '--port', port], line);
    assert.equal(await echo.exited, 0, echo.err());
    assert.equal(echo.out(), line);
    await waitFor(
      'server closed the connection',
      () =>
        server.json().filter((l) => l.event === 'tcp.connection.closed').length === (port === '7007' ? 1 : 2),
    );
    await captured(near, 'closed connection', closedTo(Number(port)));
    await captured(far, 'closed connection', closedTo(7007));
    const tdNear = await stopNear();
    const tdFar = await stopFar();
    const [n, f] = await Promise.all([readCaptureFile(near), readCaptureFile(far)]);
    if (!n.ok || !f.ok)
      assert.fail(`captures unreadable: ${JSON.stringify([!n.ok && n.problem, !f.ok && f.problem])}`);
    assert.ok([113, 276].includes(f.capture.linkTypes[0] ?? 0), `link type ${f.capture.linkTypes.join()}`);
    const nearFlows = analyseFlows(n.capture.packets);
    const farFlows = analyseFlows(f.capture.packets);
    const rel = relateCaptures(nearFlows, farFlows, { serverPorts: [7007] });
    const seen = (fl: typeof nearFlows) =>
      fl.tcp.map((x) => `${x.client}>${x.server} isn ${x.toServer.isn}/${x.toClient.isn}`);
    assert.equal(
      rel.summary,
      expected,
      JSON.stringify({
        near: seen(nearFlows),
        far: seen(farFlows),
        packets: [n.capture.packets.length, f.capture.packets.length],
        tdNear,
        tdFar,
      }),
    );
    const v = rel.tcp[0]!;
    assert.ok(v.kind === expected);
    assert.equal(v.before.client.split(':')[0], '198.18.1.2');
    assert.equal(v.before.server, `198.18.1.1:${port}`);
    assert.equal(v.after.client.split(':')[0], '198.18.2.1', 'the server sees the router');
    assert.equal(v.after.server, '198.18.2.2:7007');
    assert.equal(v.evidence.toServerBytes[0], 2501);
    assert.equal(v.evidence.toServerBytes[1], 2501);
    if (v.kind === 'nat') {
      assert.deepEqual(v.rewritten, { source: true, destination: true });
      assert.deepEqual(v.evidence.synTtl, [64, 63], 'the router forwarded the SYN: one hop less');
    } else {
      assert.notEqual(v.evidence.clientIsn[0], v.evidence.clientIsn[1]);
      assert.equal(v.evidence.farSynAfterNearHandshake, true, 'the proxy accepted before it connected');
    }
    // The cross-check on the server side holds through either hop.
    const last = socketCountsFromLog(server.json()).slice(-1);
    assert.equal(crossCheckBytes(farFlows, last, { serverPort: 7007 }).ok, true);
    const text = explainWire({ lang: 'en', captures: [], hop: rel });
    assert.match(text, expected === 'nat' ? /One TCP connection \(NAT\)/ : /Two TCP connections \(a proxy\)/);
  }
  proxy.child.kill('SIGTERM');
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.err());
});
