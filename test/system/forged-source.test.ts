import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { startServerProcess, waitFor, defer } from '../helpers.ts';
import { needs } from './needs.ts';

// From docs/reliability.md, the one guarantee only root can check: a datagram from source port 0.

test('a forged datagram from source port 0 is rejected and counted; the server keeps serving', async (t) => {
  if (!needs(t, { root: true, tools: ['python3'] }, 'a raw socket (python3) to send from port 0')) return;
  const server = await startServerProcess();
  defer(t, () => server.child.kill('SIGKILL'));
  // Port 0 cannot be bound by a normal socket: build the UDP header by hand on a raw socket.
  const forge = spawnSync('python3', [
    '-c',
    `import socket,struct
s=socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
for data in (b'PING', b'HELLO alice ....................', b'LEAVE'):
    s.sendto(struct.pack('!HHHH', 0, ${server.udpPort}, 8 + len(data), 0) + data, ('127.0.0.1', 0))`,
  ]);
  assert.equal(forge.status, 0, String(forge.stderr));
  await waitFor('3 rejections', () => {
    const r = server.json().filter((l) => l.event === 'udp.datagram.rejected' && l.reason === 'bad-source');
    return r.length === 3 || undefined;
  });
  assert.equal(server.child.exitCode, null, 'the server is still running');
  const socket = dgram.createSocket('udp4');
  defer(t, () => socket.close());
  socket.send(Buffer.from('PING'), server.udpPort, '127.0.0.1');
  const [answer] = (await once(socket, 'message')) as [Buffer];
  assert.equal(answer.toString(), 'NOPE');
});
