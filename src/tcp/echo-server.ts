import net, { type AddressInfo, type Socket } from 'node:net';
import { explainSocketError } from '../errors.js';
import { LineBudget } from '../log/budget.js';
import type { CloseReason } from '../log/events.js';
import type { EventLog } from '../log/logger.js';
import { endpoint, endpointOf } from '../net/address.js';
import { checkInteger, withoutUndefined } from '../options.js';
import { preview } from '../text/escape.js';

export interface EchoServerOptions {
  /** Address to bind; 0.0.0.0 accepts connections on every IPv4 address of the machine. */
  host?: string;
  /** TCP port; 0 lets the kernel pick a free one (read it from `address`). */
  port?: number;
  /** Largest portion, in bytes, that one read hands to the echo loop (the "1 KB portions"). */
  chunkSize?: number;
  /** Connections over this many are closed at once (and logged). */
  maxConnections?: number;
  /** Close a connection that sent and received nothing for this long; 0 disables. */
  idleTimeoutMs?: number;
  /** Close any connection this old; 0 disables. */
  maxLifetimeMs?: number;
  /** Close a connection whose send buffer stayed full (the client does not read) this long; 0 disables. */
  stallTimeoutMs?: number;
  /** Per connection, at most this many portions a second get their own log lines; the rest are summarised. */
  portionLinesPerSecond?: number;
  /** Event log; the server adds `component: 'tcp-echo'`. */
  log: EventLog;
}

export const ECHO_DEFAULTS = {
  host: '0.0.0.0',
  port: 7007,
  chunkSize: 1024,
  maxConnections: 1024,
  idleTimeoutMs: 30 * 60_000,
  maxLifetimeMs: 2 * 3600_000,
  stallTimeoutMs: 30_000,
  portionLinesPerSecond: 20,
} as const;

export interface EchoServer {
  readonly address: AddressInfo;
  /** "address:port" the server listens on. */
  readonly endpoint: string;
  openConnections(): number;
  /** Stops accepting, sends FIN on every connection, destroys what is left after `deadlineMs`. */
  close(deadlineMs?: number): Promise<void>;
}

interface Conn {
  id: number;
  socket: Socket;
  remote: string;
  startedAt: number;
  bytesIn: number;
  portionsIn: number;
  reason: CloseReason | undefined;
  paused: boolean;
  stallTimer: NodeJS.Timeout | undefined;
  lifeTimer: NodeJS.Timeout | undefined;
  budget: LineBudget;
  /** Portions counted but not logged one by one since `quiet.since`. */
  quiet: { portions: number; bytes: number; since: number };
}

/**
 * Starts the TCP echo server (RFC 862): every byte a client sends comes back, in order, in portions
 * of at most `chunkSize` bytes. Resolves once the socket listens.
 */
export async function createEchoServer(options: EchoServerOptions): Promise<EchoServer> {
  const o = { ...ECHO_DEFAULTS, ...withoutUndefined(options) };
  validate(o);
  const log = options.log.child({ component: 'tcp-echo' });
  const conns = new Map<number, Conn>();
  const drainWaiters: Array<() => void> = [];
  let nextId = 0;
  let closing = false;

  // allowHalfOpen: a client that sends FIN (shutdown(SHUT_WR)) still gets the rest of its echo.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true });

  function flushQuiet(c: Conn, now: number): void {
    if (c.quiet.portions === 0) return;
    log.emit('tcp.data.summary', {
      connId: c.id,
      portionsIn: c.quiet.portions,
      bytesIn: c.quiet.bytes,
      portionsOut: c.quiet.portions,
      bytesOut: c.quiet.bytes,
      windowMs: now - c.quiet.since,
    });
    c.quiet = { portions: 0, bytes: 0, since: now };
  }

  function onData(c: Conn, data: Buffer): void {
    const { socket } = c;
    if (!socket.writable) return; // closing: nothing can be echoed any more
    const now = Date.now();
    const size = o.chunkSize;
    const total = data.length;
    const portions = Math.ceil(total / size);
    // The portions are consecutive slices of one read, so writing them one by one under cork (a
    // single writev) puts the same bytes on the wire as one write of the whole read; the single
    // write skips a Buffer view and a queued write request per portion, which the profile showed.
    const ok = socket.write(data);
    const first = c.portionsIn;
    c.portionsIn += portions;
    c.bytesIn += total;
    // Individual lines for as many portions as the budget allows, exact counts for the rest.
    let logged = 0;
    let loggedBytes = 0;
    while (logged < portions && c.budget.take(now)) {
      const off = logged * size;
      const portion = data.subarray(off, Math.min(off + size, total));
      logged++;
      loggedBytes += portion.length;
      log.emit('tcp.data.received', {
        connId: c.id,
        bytes: portion.length,
        portion: first + logged,
        preview: preview(portion),
      });
      log.emit('tcp.data.sent', { connId: c.id, bytes: portion.length, portion: first + logged });
    }
    if (logged < portions) {
      if (c.quiet.portions === 0) c.quiet.since = now;
      c.quiet.portions += portions - logged;
      c.quiet.bytes += total - loggedBytes;
    }
    if (c.quiet.portions > 0 && now - c.quiet.since >= 1000) flushQuiet(c, now);
    if (!ok && !c.paused) pauseUntilDrained(c);
  }

  // Backpressure: while the client does not read, its echo piles up in our send buffer. Stop
  // reading from it (TCP flow control then slows the client down) instead of buffering without bound.
  function pauseUntilDrained(c: Conn): void {
    c.paused = true;
    c.socket.pause();
    if (log.enabled('debug')) {
      log.emit('tcp.backpressure', { connId: c.id, state: 'paused', buffered: c.socket.writableLength });
    }
    if (o.stallTimeoutMs > 0) {
      c.stallTimer = setTimeout(() => {
        c.reason ??= 'stalled';
        c.socket.destroy();
      }, o.stallTimeoutMs);
    }
    c.socket.once('drain', () => {
      clearTimeout(c.stallTimer);
      c.paused = false;
      if (log.enabled('debug')) log.emit('tcp.backpressure', { connId: c.id, state: 'resumed', buffered: 0 });
      if (!closing) c.socket.resume();
    });
  }

  function onConnection(socket: Socket): void {
    const remote = endpoint(socket.remoteAddress, socket.remotePort);
    if (closing || conns.size >= o.maxConnections) {
      log.emit('tcp.connection.rejected', {
        remote,
        reason: closing ? 'server-stopping' : 'max-connections',
        open: conns.size,
        max: o.maxConnections,
      });
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    const c: Conn = {
      id: ++nextId,
      socket,
      remote,
      startedAt: Date.now(),
      bytesIn: 0,
      portionsIn: 0,
      reason: undefined,
      paused: false,
      stallTimer: undefined,
      lifeTimer: undefined,
      budget: new LineBudget(o.portionLinesPerSecond),
      quiet: { portions: 0, bytes: 0, since: 0 },
    };
    conns.set(c.id, c);
    log.emit('tcp.connection.accepted', {
      connId: c.id,
      remote,
      local: endpoint(socket.localAddress, socket.localPort),
      open: conns.size,
    });

    socket.on('data', (data: Buffer) => onData(c, data));
    socket.on('end', () => {
      log.emit('tcp.peer.ended', { connId: c.id });
      c.reason ??= 'peer-closed';
      socket.end(); // after the echo still queued
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'EUNKNOWN';
      c.reason ??= code === 'ECONNRESET' || code === 'EPIPE' ? 'peer-reset' : 'error';
      log.emit('tcp.connection.error', { connId: c.id, code, message: err.message });
    });
    socket.on('close', () => {
      clearTimeout(c.stallTimer);
      clearTimeout(c.lifeTimer);
      conns.delete(c.id);
      flushQuiet(c, Date.now());
      log.emit('tcp.connection.closed', {
        connId: c.id,
        remote,
        reason: c.reason ?? 'peer-closed',
        bytesIn: c.bytesIn,
        bytesOut: c.bytesIn, // every byte read is written back: nothing is read after end()
        portionsIn: c.portionsIn,
        portionsOut: c.portionsIn,
        durationMs: Date.now() - c.startedAt,
        open: conns.size,
      });
      if (conns.size === 0) for (const wake of drainWaiters.splice(0)) wake();
    });
    if (o.idleTimeoutMs > 0) {
      socket.setTimeout(o.idleTimeoutMs, () => {
        c.reason ??= 'idle-timeout';
        socket.destroy();
      });
    }
    if (o.maxLifetimeMs > 0) {
      c.lifeTimer = setTimeout(() => {
        c.reason ??= 'max-lifetime';
        socket.destroy();
      }, o.maxLifetimeMs);
    }
  }

  server.on('connection', onConnection);
  // Accept errors (e.g. EMFILE when out of file descriptors) must not take the server down.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (server.listening) log.emit('server.error', { code: err.code ?? 'EUNKNOWN', message: err.message });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) =>
      reject(explainSocketError(err, `listen on ${endpoint(o.host, o.port)} (TCP)`));
    server.once('error', onError);
    server.listen({ host: o.host, port: o.port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  log.emit('server.listening', { protocol: 'tcp', address: address.address, port: address.port });

  return {
    address,
    endpoint: endpointOf(address),
    openConnections: () => conns.size,
    async close(deadlineMs = 3000) {
      closing = true;
      const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of conns.values()) {
        c.reason ??= 'server-stopping';
        c.socket.end();
        // Keep reading (and discarding: nothing can be echoed after end()) so that the client's
        // FIN gets through and the connection closes cleanly instead of waiting for the deadline.
        c.socket.resume();
      }
      if (conns.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => drainWaiters.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, deadlineMs);
          }),
        ]);
        clearTimeout(timer);
        for (const c of conns.values()) c.socket.destroy();
        // 'close' (and its log line) follows destroy() on a later tick: wait for every one.
        if (conns.size > 0) await new Promise<void>((resolve) => drainWaiters.push(resolve));
      }
      await listenerClosed;
    },
  };
}

function validate(o: Omit<Required<EchoServerOptions>, 'log' | 'host'>): void {
  checkInteger('chunkSize', o.chunkSize, 1, 1 << 20);
  checkInteger('port', o.port, 0, 65535);
  checkInteger('maxConnections', o.maxConnections, 1);
  checkInteger('idleTimeoutMs', o.idleTimeoutMs, 0);
  checkInteger('maxLifetimeMs', o.maxLifetimeMs, 0);
  checkInteger('stallTimeoutMs', o.stallTimeoutMs, 0);
  checkInteger('portionLinesPerSecond', o.portionLinesPerSecond, 0);
}
