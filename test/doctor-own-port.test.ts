// The doctor reads the published ports of the server's container ports, which move with
// LAB_OWN_ECHO_PORT / LAB_OWN_CHAT_PORT (docker-compose.yml passes them to the server as
// LAB_TCP_PORT / LAB_UDP_PORT): a student's server on another port keeps its port checks.
import assert from 'node:assert/strict';
import test from 'node:test';
import { extractSettings } from '../src/doctor/settings.ts';

test('published ports follow the lab ports the server is given (LAB_OWN_ECHO_PORT / LAB_OWN_CHAT_PORT)', () => {
  const moved = extractSettings({
    services: {
      server: {
        environment: { LAB_TCP_PORT: '9000', LAB_UDP_PORT: '9001' },
        ports: [
          { target: 9000, published: '17007', protocol: 'tcp' },
          { target: 9001, published: '17008', protocol: 'udp' },
        ],
      },
    },
  });
  assert.equal(moved.tcpPublish, '17007');
  assert.equal(moved.udpPublish, '17008');
  // v1 prints the environment as numbers too; without it, the lab's default ports.
  const v1 = extractSettings({
    services: { server: { environment: { LAB_TCP_PORT: 9000 }, ports: ['7100:9000/tcp', '7101:7008/udp'] } },
  });
  assert.equal(v1.tcpPublish, '7100');
  assert.equal(v1.udpPublish, '7101');
  const bad = extractSettings({
    services: { server: { environment: { LAB_TCP_PORT: 'x' }, ports: ['7100:7007/tcp'] } },
  });
  assert.equal(bad.tcpPublish, '7100');
});
