/**
 * The log-reading scenario: a real echo server logs every portion of a few streaming connections
 * into a file; then the report's reader and a plain `readline` + `JSON.parse` loop read that file,
 * each in a process of its own (so that the peak RSS is the reader's), one after the other.
 */
import { createReadStream, statSync } from 'node:fs';
import net from 'node:net';
import { createInterface } from 'node:readline';
import type { ChildToParent, ReadResult } from './jobs.js';
import { answer, forkChild } from './proc.js';

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
  // Loaded here, not at the top: the reader processes run this module without the server.
  const { createLogger } = await import('../log/logger.js');
  const { createEchoServer } = await import('../tcp/echo-server.js');
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

/** How each reader reads: what `socket-lab report FILE` does, or the baseline loop. */
export async function read(
  reader: 'report' | 'readline',
  file: string,
): Promise<{ lines: number; ms: number }> {
  const t0 = performance.now();
  if (reader === 'readline') return { lines: await readLoop(file), ms: performance.now() - t0 };
  // Modules loaded before the clock starts, as the loop's are.
  const { analyse, lazyLines, render } = await import('../report/index.js');
  const t1 = performance.now();
  const analysis = await analyse([{ name: 'server', lines: lazyLines(file) }]);
  render(analysis, 'en');
  return {
    lines: analysis.model.timeline.sources.reduce((n, s) => n + s.lines, 0),
    ms: performance.now() - t1,
  };
}

/** Reads `file` with `reader` in a process of its own, so that its peak RSS is the reader's alone. */
export function readInChild(
  reader: 'report' | 'readline',
  file: string,
  timeoutMs: number,
): Promise<ReadResult> {
  return answer(forkChild('read', [reader, file]), `${reader} reader`, timeoutMs, (m: ChildToParent) => {
    if (m.type === 'error') throw new Error(`${reader} reader: ${m.message}`);
    return m.type === 'read' ? m.result : undefined;
  });
}
