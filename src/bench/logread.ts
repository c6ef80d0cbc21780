/** The log-read scenario: a real echo server's log of every portion, and the two ways to read it. */
import { createReadStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { JobResult, ReadJob } from './jobs.js';
import { round } from './stats.js';

/** What the generated log holds. */
export interface LogSpec {
  connections: number;
  /** Bytes each connection streams; every 1 KB portion gets its two lines. */
  bytesPerConnection: number;
}

/** Streams `bytes` to `port` in 64 KB writes; resolves when all of it came back. */
async function stream(port: number, bytes: number): Promise<void> {
  const socket = await (await import('./loadgen.js')).connect(port);
  let got = 0;
  socket.on('data', (d: Buffer) => (got += d.length));
  const block = Buffer.alloc(64 * 1024, 'x');
  for (let sent = 0; sent < bytes; sent += block.length)
    if (!socket.write(block.subarray(0, bytes - sent))) await once(socket, 'drain');
  await once(socket.end(), 'close');
  if (got !== bytes) throw new Error(`echo ${got} of ${bytes} bytes`);
}

/** Writes the echo server's log of `spec` (every portion logged) into `file`. */
export async function writeEchoLog(file: string, spec: LogSpec): Promise<{ bytes: number; lines: number }> {
  // Loaded here, not at the top: the reader processes run this module without the server or generator.
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
    const { port } = server.address;
    await Promise.all(Array.from({ length: spec.connections }, () => stream(port, spec.bytesPerConnection)));
  } finally {
    await server.close(1000);
    await flush();
  }
  return { bytes: statSync(file).size, lines: await countLines(file) };
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file)) for (const b of chunk as Buffer) if (b === 10) n++;
  return n;
}

/** Reads the log as `socket-lab report FILE` does, or with the baseline loop (`readline` + `JSON.parse`). */
export async function read({ reader, file }: ReadJob): Promise<JobResult> {
  // The report's modules loaded before the clock starts, as the loop's are; not at all for the loop.
  const report = reader === 'report' ? await import('../report/index.js') : undefined;
  const t0 = performance.now();
  let lines = 0;
  if (!report) {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      JSON.parse(line);
      lines++;
    }
  } else {
    const analysis = await report.analyse([{ name: 'server', lines: report.lazyLines(file) }]);
    report.render(analysis, 'en');
    lines = analysis.model.timeline.sources.reduce((n, s) => n + s.lines, 0);
  }
  const seconds = (performance.now() - t0) / 1000;
  const readMBPerSec = round(statSync(file).size / 1e6 / seconds, 1);
  const peakRssMB = round(process.resourceUsage().maxRSS / 1024, 1);
  return { metrics: { seconds: round(seconds, 2), readMBPerSec, peakRssMB, lines } };
}
