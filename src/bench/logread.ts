/**
 * The log-reading scenario: a real echo server logs every portion of a few streaming connections
 * into a file; then the report's reader and a plain `readline` + `JSON.parse` loop read that file,
 * each in a process of its own (so that the peak RSS is the reader's), one after the other.
 */
import { createReadStream, statSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { createLogger } from '../log/logger.js';
import { createEchoServer } from '../tcp/echo-server.js';

/** What the generated log holds. */
export interface LogSpec {
  connections: number;
  /** Bytes each connection streams; every 1 KB portion gets its two lines. */
  bytesPerConnection: number;
}

/** Streams `bytes` to `port` and reads the echo back; resolves when all of it came back. */
function stream(port: number, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const block = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    let got = 0;
    const write = () => {
      while (sent < bytes) {
        const n = Math.min(block.length, bytes - sent);
        sent += n;
        if (!socket.write(n === block.length ? block : block.subarray(0, n))) return;
      }
      socket.end();
    };
    socket.on('drain', write);
    socket.on('data', (d: Buffer) => (got += d.length));
    socket.on('end', () => (got === bytes ? resolve() : reject(new Error(`echo ${got} of ${bytes} bytes`))));
    socket.on('error', reject);
    socket.once('connect', write);
  });
}

/** Writes the echo server's log of `spec` (every portion logged) into `file`. */
export async function writeEchoLog(file: string, spec: LogSpec): Promise<{ bytes: number; lines: number }> {
  const { log, flush } = createLogger({
    format: 'json',
    level: 'silent',
    lang: 'en',
    destination: { write() {} },
    file,
  });
  const server = await createEchoServer({
    host: '127.0.0.1',
    port: 0,
    portionLinesPerSecond: Number.MAX_SAFE_INTEGER,
    log,
  });
  try {
    const conns = Array.from({ length: spec.connections }, () =>
      stream(server.address.port, spec.bytesPerConnection),
    );
    await Promise.all(conns);
  } finally {
    await server.close(1000);
    await flush();
  }
  return { bytes: statSync(file).size, lines: await countLines(file) };
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file)) {
    for (const b of chunk as Buffer) if (b === 10) n++;
  }
  return n;
}

/** The baseline reader: `readline` and `JSON.parse`, nothing kept. */
export async function readLoop(file: string): Promise<number> {
  let lines = 0;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    JSON.parse(line);
    lines++;
  }
  return lines;
}
