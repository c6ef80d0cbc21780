import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeAddress, healthLine, judgeHealth, parseProcNet } from '../src/net/health.ts';
import { defer, runCli, startServerProcess } from './helpers.ts';

// Rows as Linux 6.x writes them (header, then one row per socket; trailing spaces included).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1B5F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 106329 1 000000003f96d3a8 100 0 0 10 0
   1: 0100007F:9223 0100007F:1B5F 01 00000000:00000000 00:00000000 00000000     0        0 108154 1 00000000918de345 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1B5F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  120: 0100007F:1B60 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 45173 2 00000000fcab534b 0
  121: 0100007F:D2A1 0100007F:1B60 01 00000000:00000000 00:00000000 00000000     0        0 45174 2 00000000fcab534c 0
`;

test('/proc/net rows: local address and port decoded, header and broken rows skipped', () => {
  assert.deepEqual(parseProcNet(TCP, 'tcp'), [
    { proto: 'tcp', address: '0.0.0.0', port: 7007, state: '0A' },
    { proto: 'tcp', address: '127.0.0.1', port: 37411, state: '01' },
  ]);
  assert.deepEqual(parseProcNet(TCP6, 'tcp'), [{ proto: 'tcp', address: '::1', port: 7007, state: '0A' }]);
  assert.deepEqual(parseProcNet(UDP, 'udp'), [
    { proto: 'udp', address: '127.0.0.1', port: 7008, state: '07' },
    { proto: 'udp', address: '127.0.0.1', port: 53921, state: '01' },
  ]);
  assert.deepEqual(
    parseProcNet('  0: 0100007F 00000000:0000 0A\n  1: 0100007F:1B5F\n  2: XYZ:1B5F 0:0 0A\n\n', 'tcp'),
    [],
    'a row cut short or with a foreign address is not a socket',
  );
  assert.equal(decodeAddress('00000000000000000000000000000000'), '::');
  assert.equal(decodeAddress('0000000000000000FFFF00000100007F'), '::ffff:7f00:1');
  assert.equal(decodeAddress('B80D0120000000000000000001000000'), '2001:db8::1');
  assert.equal(decodeAddress('0100007'), undefined);
});

test('/proc/net parser never throws, whatever the text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (text) => {
      for (const s of parseProcNet(text, 'udp')) assert.ok(s.port >= 0 && s.port <= 0xffff);
    }),
  );
});

test('health: TCP must be LISTEN, UDP bound and unconnected, on the ports asked; a connected socket does not count', () => {
  const sockets = [...parseProcNet(TCP, 'tcp'), ...parseProcNet(UDP, 'udp')];
  assert.equal(judgeHealth(sockets, { tcpPort: 7007, udpPort: 7008 }).healthy, true);
  // 37411 and 53921 exist, but only as connected client ends.
  assert.equal(judgeHealth(sockets, { tcpPort: 37411 }).healthy, false);
  assert.equal(judgeHealth(sockets, { udpPort: 53921 }).healthy, false);
  // Protocols are not mixed up: 7008 is UDP only.
  const crossed = judgeHealth(sockets, { tcpPort: 7008, udpPort: 7007 });
  assert.deepEqual(crossed.found, { tcp: null, udp: null });
  assert.equal(
    healthLine(crossed, { tcpPort: 7008, udpPort: 7007 }, 'en', ['/proc/net/tcp']),
    "not ready: no TCP socket listens on port 7008, no UDP socket is bound to port 7007 (read from the kernel's tables /proc/net/tcp, without connecting)",
  );
  const ok = judgeHealth(sockets, { tcpPort: 7007, udpPort: 7008 });
  assert.equal(
    healthLine(ok, { tcpPort: 7007, udpPort: 7008 }, 'ru', []),
    'работает: TCP 0.0.0.0:7007 слушает, UDP 127.0.0.1:7008 привязан',
  );
});

test('socket-lab health against a real server: exit 0 on its ports, 1 on others, and never a connection in its log', async (t) => {
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  const ok = runCli(['health', '--tcp-port', String(server.tcpPort), '--udp-port', String(server.udpPort)]);
  assert.equal(await ok.exited, 0, ok.stderr());
  assert.match(ok.stdout(), new RegExp(`^healthy: TCP 127\\.0\\.0\\.1:${server.tcpPort} listens, UDP`));
  // Ports from the server's own variables, one protocol off (a student's echo server has no UDP).
  const env = runCli(['health', '--udp-port', 'off'], undefined, {
    LAB_TCP_PORT: String(server.tcpPort),
    LAB_LANG: 'ru',
  });
  assert.equal(await env.exited, 0, env.stderr());
  assert.match(env.stdout(), /^работает: TCP 127\.0\.0\.1:\d+ слушает\n$/);
  const swapped = runCli([
    'health',
    '--tcp-port',
    String(server.udpPort),
    '--udp-port',
    String(server.tcpPort),
  ]);
  assert.equal(await swapped.exited, 1);
  assert.match(swapped.stderr(), /^socket-lab health: not ready: no TCP socket listens on port \d+, no UDP/);
  assert.equal(
    server.json().filter((l) => l.event === 'tcp.connection.accepted').length,
    0,
    'the health check never connected',
  );
  const off = runCli(['health', '--tcp-port', 'off', '--udp-port', 'off']);
  assert.equal(await off.exited, 2);
});

test('socket-lab health --proc: tables from a directory; a missing table holds no socket', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'socket-lab-health-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'tcp'), TCP);
  await writeFile(join(dir, 'udp'), UDP);
  const ok = runCli(['health', '--proc', dir]);
  assert.equal(await ok.exited, 0, ok.stderr());
  assert.equal(ok.stdout(), 'healthy: TCP 0.0.0.0:7007 listens, UDP 127.0.0.1:7008 is bound\n');
  const none = runCli(['health', '--proc', join(dir, 'nothing')]);
  assert.equal(await none.exited, 1);
});
