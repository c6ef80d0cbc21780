/** The load generators, in a process of their own (child.ts). Every loop is bounded in time and count. */
import dgram from 'node:dgram';
import { on, once } from 'node:events';
import net from 'node:net';
import { encode, parseServerMessage } from '../udp/protocol.js';
import type { ChatJob, IdleJob, Job, JobResult, LatencyJob, Metrics, ProbeJob, StreamJob } from './jobs.js';
import { cpuMs, hold, runJob, udpDrops } from './proc.js';
import { quantile, round } from './stats.js';

const HOST = '127.0.0.1';
const PROBE_TIMEOUT_MS = 5000;
/** Writes per connection before yielding to the event loop, so 50 connections take turns. */
const WRITE_BURST = 32;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nowMs = () => performance.now();

/**
 * Connects and, with `echo` > 0, waits until that many bytes written came back (the server serves
 * the connection); each step fails after PROBE_TIMEOUT_MS. Later errors end the counts, not the process.
 */
export async function connect(port: number, echo = 0, noDelay = true): Promise<net.Socket> {
  const socket = net.connect({ host: HOST, port, noDelay });
  try {
    await once(socket, 'connect', { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    socket.on('error', () => {});
    if (echo === 0) return socket;
    socket.write(Buffer.alloc(echo, 'p'));
    let got = 0;
    // Ends at 'close' too: a server that refuses a connection accepts it and closes it at once.
    const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
    for await (const [d] of on(socket, 'data', { close: ['close'], signal }))
      if ((got += (d as Buffer).length) >= echo) return socket;
    throw new Error(`no echo from ${HOST}:${port}`);
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/** Streaming: every connection writes as fast as the echo drains; a warm-up, then a measured window. */
async function runStream(job: StreamJob): Promise<JobResult> {
  const payload = Buffer.alloc(job.writeSize, 'x');
  // One at a time, each proven with an echoed byte, so that none is left waiting in a short accept
  // queue (socat listens with a backlog of 5) while the others already stream. Nagle stays on, as
  // in any client that does not ask otherwise: 1 KB writes then share segments.
  const sockets: net.Socket[] = [];
  for (let i = 0; i < job.connections; i++) sockets.push(await connect(job.port, 1, false));
  let writing = true;
  const batch = job.writeBatch;
  const conns = sockets.map((socket) => {
    const tally = { localPort: socket.localPort ?? 0, sent: 1, received: 1, windowBytes: 0 };
    socket.on('data', (d: Buffer) => (tally.received += d.length));
    const pump = () => {
      let ok = true;
      for (let i = 0; i < Math.max(WRITE_BURST, batch) && writing && ok; i++) {
        if (batch > 1 && i % batch === 0) socket.cork();
        tally.sent += payload.length;
        ok = socket.write(payload);
        if (batch > 1 && i % batch === batch - 1) socket.uncork();
      }
      while (socket.writableCorked) socket.uncork();
      if (!ok) socket.once('drain', pump);
      else if (writing) setImmediate(pump);
    };
    pump();
    return { socket, tally };
  });

  await sleep(job.warmupMs);
  const start = conns.map((c) => c.tally.received);
  const cpu0 = cpuMs(job.targetPid, job.withChildren);
  const t0 = nowMs();
  const { port, probeEveryMs: everyMs, durationMs } = job;
  // The probes in a process of their own: their timings must not wait on this busy event loop.
  const probes =
    everyMs > 0 ? runJob({ kind: 'probe', port, everyMs, durationMs }, 30_000 + durationMs) : undefined;
  await sleep(Math.max(0, t0 + durationMs - nowMs()));
  const cpu1 = cpuMs(job.targetPid, job.withChildren);
  const windowMs = nowMs() - t0;
  conns.forEach((c, i) => (c.tally.windowBytes = c.tally.received - (start[i] ?? 0)));
  writing = false;

  // Half-close and wait for the rest of the echo and the server's FIN: the server's per-connection
  // counts (and summary lines) are final only after the connection closed.
  const drained = await Promise.race([
    Promise.all(conns.map((c) => new Promise((closed) => c.socket.once('close', closed).end()))).then(() =>
      conns.every((c) => c.tally.received === c.tally.sent),
    ),
    sleep(job.drainTimeoutMs).then(() => false),
  ]);
  for (const c of conns) c.socket.destroy();

  const rates = conns.map((c) => c.tally.windowBytes);
  const total = rates.reduce((n, b) => n + b, 0);
  const mb = total / 1e6;
  const metrics: Metrics = {
    mbPerSec: round(mb / (windowMs / 1000), 1),
    cpuMsPerMB: round((cpu1 - cpu0) / mb, 2),
    slowestShare: round(Math.min(...rates) / (total / rates.length), 3),
    ...(await probes)?.metrics,
  };
  return { metrics, complete: drained, conns: conns.map((c) => c.tally) };
}

/** New connections, one at a time, each timed from connect() to its 64-byte echo (a failure: the timeout). */
async function runProbe(job: ProbeJob): Promise<JobResult> {
  const probesMs: number[] = [];
  const end = nowMs() + job.durationMs;
  while (nowMs() + job.everyMs < end) {
    await sleep(job.everyMs);
    const started = nowMs();
    const socket = await connect(job.port, 64).catch(() => undefined);
    socket?.destroy();
    probesMs.push(socket ? nowMs() - started : PROBE_TIMEOUT_MS);
  }
  if (probesMs.length === 0) return { metrics: {} };
  const acceptMaxMs = round(Math.max(...probesMs), 1);
  return {
    metrics: { acceptMaxMs, acceptP50Ms: round(quantile(probesMs, 0.5), 2), probes: probesMs.length },
  };
}

/** Request/response latency: one connection, one small message in flight at a time. */
async function runLatency(job: LatencyJob): Promise<JobResult> {
  const socket = await connect(job.port);
  const message = Buffer.alloc(job.messageSize, 'r');
  const samples: number[] = [];
  const deadline = nowMs() + job.durationMs;
  // On a loaded machine the warm-up alone can outlast a smoke run's window: keep going until a
  // few samples exist, bounded by a hard stop so the loop always ends.
  const minCount = Math.min(20, job.maxCount);
  const hardStop = nowMs() + Math.max(10_000, job.durationMs * 10);
  await new Promise<void>((resolve, reject) => {
    let got = 0;
    let sentAt = 0;
    let n = 0;
    const send = () => {
      sentAt = nowMs();
      socket.write(message);
    };
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      got += d.length;
      if (got < job.messageSize) return;
      got -= job.messageSize;
      const t = nowMs();
      if (n++ >= job.warmupCount) samples.push((t - sentAt) * 1000);
      if (samples.length >= job.maxCount || t > hardStop) return resolve();
      if (t > deadline && samples.length >= minCount) return resolve();
      send();
    });
    send();
  });
  socket.destroy();
  const us = (q: number) => round(quantile(samples, q), 1);
  return { metrics: { p50Us: us(0.5), p99Us: us(0.99), count: samples.length } };
}

/** Idle: connections, each proven with one echoed byte, held while the orchestrator measures memory. */
async function runIdle(job: IdleJob): Promise<JobResult> {
  const sockets: net.Socket[] = [];
  let failed = 0;
  let next = 0;
  const started = nowMs();
  const worker = async () => {
    while (next < job.connections && nowMs() < started + job.timeoutMs) {
      next++;
      await connect(job.port, 1).then(
        (s) => sockets.push(s),
        () => failed++,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.concurrency, job.connections) }, worker));
  const connectMs = round(nowMs() - started, 0);
  await hold(sockets.length);
  for (const s of sockets) s.destroy();
  return { metrics: { established: sockets.length, failed, connectMs } };
}

/** A chat member: HELLO, COOKIE, JOIN, WELCOME, each request sent every 500 ms until answered (2.5 s at most). */
async function join(port: number, nick: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 21 });
  await new Promise<void>((resolve) => socket.bind({ address: HOST, port: 0 }, resolve));
  socket.on('error', () => {});
  const ask = async (bytes: Buffer, type: string) => {
    const send = () => socket.send(bytes, port, HOST);
    const timer = setInterval(send, 500);
    send();
    try {
      for await (const [m] of on(socket, 'message', { signal: AbortSignal.timeout(2500) })) {
        const parsed = parseServerMessage(m as Buffer);
        if (parsed.ok && parsed.message.type === type) return parsed.message;
      }
    } catch {
      // no answer in time
    } finally {
      clearInterval(timer);
    }
    throw new Error(`${nick}: no ${type}`);
  };
  const cookie = await ask(encode({ type: 'HELLO', nick }), 'COOKIE');
  if (cookie.type === 'COOKIE') await ask(encode({ type: 'JOIN', nick, cookie: cookie.cookie }), 'WELCOME');
  return socket;
}

const F = 'F'.charCodeAt(0); // a FROM datagram

/**
 * Chat relay: the members send `ratePerMember` messages a second each and count the FROM datagrams
 * they receive; loss is against a perfect relay, every message to every other member.
 */
async function runChat(job: ChatJob): Promise<JobResult> {
  const members: dgram.Socket[] = [];
  for (let i = 0; i < job.members; i++) members.push(await join(job.port, `m${i}`));
  await sleep(100); // let the JOINED notices pass
  let delivered = 0;
  for (const m of members) m.on('message', (d: Buffer) => d[0] === F && delivered++);
  const perMs = (job.members * job.ratePerMember) / 1000;
  const total = Math.round(perMs * job.durationMs);
  const texts = members.map((_, i) => Buffer.from(`MSG hello from member ${i} `));
  let sent = 0;
  const ports = [new Set([job.port]), new Set(members.map((m) => m.address().port))];
  const drops0 = ports.map(udpDrops);
  const cpu0 = cpuMs(job.targetPid);
  const t0 = nowMs();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor((nowMs() - t0) * perMs));
      for (; sent < due; sent++)
        members[sent % members.length]?.send(texts[sent % members.length] ?? '', job.port, HOST);
      if (sent >= total || nowMs() - t0 > job.durationMs * 2) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const sendMs = nowMs() - t0;
  await sleep(job.drainMs);
  const cpu1 = cpuMs(job.targetPid);
  const [serverDrops = 0, memberDrops = 0] = ports.map((p, i) => udpDrops(p) - (drops0[i] ?? 0));
  const expected = sent * (job.members - 1);
  for (const m of members) m.close();
  return {
    metrics: {
      deliveredPerSec: round(delivered / (sendMs / 1000), 0),
      lossPct: round(expected > 0 ? (100 * (expected - delivered)) / expected : 0, 4),
      serverDrops,
      memberDrops,
      cpuMsPer1000: round((1000 * (cpu1 - cpu0)) / Math.max(1, delivered), 2),
      sentMessages: sent,
    },
  };
}

/** Runs one load job, in the process of its own that child.ts gives it. */
export function generate(job: Exclude<Job, { kind: 'read' }>): Promise<JobResult> {
  if (job.kind === 'stream') return runStream(job);
  if (job.kind === 'probe') return runProbe(job);
  if (job.kind === 'latency') return runLatency(job);
  if (job.kind === 'idle') return runIdle(job);
  return runChat(job);
}
