/** What our servers are measured against: what a programmer writes in a few lines of plain Node. */
import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';

export type Baseline = { tcpPort: number; udpPort: number; close(): Promise<void> };

/**
 * `socket.pipe(socket)`, and a UDP relay with just enough of the chat protocol for the generator
 * (HELLO gets a COOKIE, JOIN a WELCOME, each MSG one FROM per other member): no checks, no limits, no logs.
 */
export async function startBaseline(host: string): Promise<Baseline> {
  const tcp = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => tcp.listen({ host, port: 0 }, resolve));

  const udp = dgram.createSocket('udp4');
  const members = new Map<string, { nick: string; address: string; port: number }>();
  udp.on('message', (bytes, rinfo) => {
    const text = bytes.toString('utf8');
    const key = `${rinfo.address}:${rinfo.port}`;
    const space = text.indexOf(' ');
    const type = space === -1 ? text : text.slice(0, space);
    const rest = space === -1 ? '' : text.slice(space + 1);
    if (type === 'MSG') {
      const from = members.get(key);
      if (!from) return;
      const out = Buffer.from(`FROM ${from.nick} ${rest}`);
      for (const [k, m] of members) if (k !== key) udp.send(out, m.port, m.address);
    } else if (type === 'HELLO') {
      udp.send(Buffer.from('COOKIE x'), rinfo.port, rinfo.address);
    } else if (type === 'JOIN') {
      const nick = rest.split(' ')[0] ?? '?';
      members.set(key, { nick, address: rinfo.address, port: rinfo.port });
      udp.send(Buffer.from(`WELCOME ${nick} ${members.size}`), rinfo.port, rinfo.address);
    }
  });
  await new Promise<void>((resolve) => udp.bind({ address: host, port: 0 }, resolve));

  return {
    tcpPort: (tcp.address() as AddressInfo).port,
    udpPort: udp.address().port,
    async close() {
      tcp.close();
      udp.close();
    },
  };
}
