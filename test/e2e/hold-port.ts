// Holds a TCP port on 127.0.0.1 until SIGTERM, so the e2e test can show what the lab says when a
// published port is busy. Prints "listening" once bound.
//
//   node --import tsx test/e2e/hold-port.ts PORT
import net from 'node:net';
import process from 'node:process';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  process.stderr.write('usage: node --import tsx test/e2e/hold-port.ts PORT\n');
  process.exit(2);
}
const server = net.createServer((socket) => socket.destroy());
server.once('error', (err) => {
  process.stderr.write(`hold-port: cannot listen on 127.0.0.1:${port}: ${err.message}\n`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => process.stdout.write('listening\n'));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
