// Prints three free host ports for the Docker e2e test: `TCP UDP BUSY` (TCP echo, UDP chat, and a
// TCP port the busy-port test holds). scripts/test-docker.sh publishes the lab on them.
//
//   node --import tsx test/e2e/free-ports.ts
//
// Chosen now and bound later by Docker: another program could take one in between, and then the
// test fails and says which port. Below the ephemeral range, so no outgoing connection takes one
// meanwhile. Exit 1 when 200 random tries find none.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import process from 'node:process';

/** The first port of the kernel's ephemeral range (Linux); 32768 where it cannot be read. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 20_100 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Whether a TCP listener can bind `port` on every address right now. */
function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

/** Whether a UDP socket can bind `port` on every address right now. */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

const low = ephemeralLow();
for (let i = 0; i < 200; i++) {
  const p = 20_000 + Math.floor(Math.random() * (low - 20_010));
  if ((await tcpFree(p)) && (await udpFree(p + 1)) && (await tcpFree(p + 2))) {
    process.stdout.write(`${p} ${p + 1} ${p + 2}\n`);
    process.exit(0);
  }
}
process.stderr.write('free-ports: no three free ports found in 200 tries\n');
process.exit(1);
