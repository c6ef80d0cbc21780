import net, { type AddressInfo, type Socket } from 'node:net';
import { explainSocketError } from '../errors.js';
import { BudgetedLines } from '../log/budget.js';
import type { CloseReason, TcpRejectReason } from '../log/events.js';
import type { EventLog } from '../log/logger.js';
import { endpoint, endpointOf } from '../net/address.js';
import { checkDuration, checkInteger, withoutUndefined } from '../options.js';
import { preview } from '../text/escape.js';
import { encodeRefusal } from './refusal.js';

export interface EchoServerOptions {
  /** Address to bind; 0.0.0.0 accepts connections on every IPv4 address of the machine. */
  host?: string;
  /** TCP port; 0 lets the kernel pick a free one (read it from `address`). */
  port?: number;
  /**
   * Largest portion, in bytes, the echo loop handles and logs at once (the "1 KB portions"). The
   * kernel read itself asks for up to 64 KiB: Node gives a server's accepted sockets libuv's 64 KiB
   * read buffer and no supported way to change it (`onread` is for `new net.Socket` only; see
   * docs/performance.md), so one read is sliced into portions of at most this size.
   */
  chunkSize?: number;
  /** Connections over this many are closed at once (and logged). */
  maxConnections?: number;
  /**
   * At most this many connections from one IP address at once, so that one host cannot hold every
   * slot (a class behind one NAT address needs more: see docs/classroom.md).
   */
  maxConnectionsPerAddress?: number;
  /** Close a connection that sent and received nothing for this long; 0 disables. */
  idleTimeoutMs?: number;
  /** Close any connection this old; 0 disables. */
  maxLifetimeMs?: number;
  /** Close a connection whose send buffer stayed full (the client does not read) this long; 0 disables. */
  stallTimeoutMs?: number;
  /** Per connection, at most this many portions a second get their own log lines; the rest are summarised. */
  portionLinesPerSecond?: number;
  /**
   * At most this many connections a second get their own accepted/closed lines (and refusals their
   * own line); the rest are counted in exact `tcp.connection.summary` lines.
   */
  connectionLinesPerSecond?: number;
  /** Event log; the server adds `component: 'tcp-echo'`. */
  log: EventLog;
}

export const ECHO_DEFAULTS = {
  host: '0.0.0.0',
  port: 7007,
  chunkSize: 1024,
  maxConnections: 1024,
  maxConnectionsPerAddress: 64,
  idleTimeoutMs: 30 * 60_000,
  maxLifetimeMs: 2 * 3600_000,
  stallTimeoutMs: 30_000,
  portionLinesPerSecond: 20,
  connectionLinesPerSecond: 100,
} as const;

/** Refused connections that may wait for their line to go out at once, and for how long at most. */
const MAX_REFUSING = 64;
const REFUSAL_LINGER_MS = 2000;

export interface EchoServer {
  readonly address: AddressInfo;
  /** "address:port" the server listens on. */
  readonly endpoint: string;
  openConnections(): number;
  /** Stops accepting, sends FIN on every connection, destroys what is left after `deadlineMs`. */
  close(deadlineMs?: number): Promise<void>;
}

/** The part of libuv's stream handle the byte count needs (Node keeps it on `socket._handle`). */
interface StreamHandle {
  /** Bytes handed to libuv for writing, in all. */
  bytesWritten?: number;
  /** Of those, bytes libuv still holds because the kernel's send buffer had no room for them. */
  writeQueueSize?: number;
}

interface Conn {
  id: number;
  socket: Socket;
  handle: StreamHandle | undefined;
  remote: string;
  address: string;
  startedAt: number;
  /** Gets its own accepted/closed lines (else it is counted in connection summaries only). */
  logged: boolean;
  bytesIn: number;
  portionsIn: number;
  /** Bytes and portions passed to write(), and of those, the ones whose write completed. */
  written: { bytes: number; portions: number };
  completed: { bytes: number; portions: number };
  /** Writes not yet completed, oldest first: how many portions each holds. */
  pending: Array<{ bytes: number; portions: number }>;
  /** What the kernel had accepted when the socket was destroyed, taken just before. */
  final: { bytesOut: number; portionsOut: number } | undefined;
  reason: CloseReason | undefined;
  /** The server ended the connection with RST: what the kernel had not delivered yet was lost. */
  reset: boolean;
  paused: boolean;
  stallTimer: NodeJS.Timeout | undefined;
  lifeTimer: NodeJS.Timeout | undefined;
  portions: BudgetedLines<{ portions: number; bytes: number }>;
}

/** Exact counts of the connections that did not get lines of their own. */
interface ConnTally {
  accepted: number;
  closed: number;
  rejected: Record<string, number>;
}

/**
 * Starts the TCP echo server (RFC 862): every byte a client sends comes back, in order, in portions
 * of at most `chunkSize` bytes of reads of up to 64 KiB. Resolves once the socket listens.
 */
export async function createEchoServer(options: EchoServerOptions): Promise<EchoServer> {
  const o = { ...ECHO_DEFAULTS, ...withoutUndefined(options) };
  validate(o);
  const log = options.log.child({ component: 'tcp-echo' });
  const conns = new Map<number, Conn>();
  const drainWaiters: Array<() => void> = [];
  let nextId = 0;
  let closing = false;

  const perAddress = new Map<string, number>();
  /** Refused connections still sending their one line (bounded by MAX_REFUSING). */
  const refusing = new Set<Socket>();
  const connLines = new BudgetedLines<ConnTally>({
    perSecond: o.connectionLinesPerSecond,
    empty: () => ({ accepted: 0, closed: 0, rejected: {} }),
    summary: (t, windowMs) => log.emit('tcp.connection.summary', { ...t, windowMs }),
  });
  const ticker = setInterval(() => {
    const now = Date.now();
    connLines.flush(now);
    for (const c of conns.values()) c.portions.flush(now);
  }, 1000);
  ticker.unref();

  // allowHalfOpen: a client that sends FIN (shutdown(SHUT_WR)) still gets the rest of its echo.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true });

  function onData(c: Conn, data: Buffer): void {
    const { socket } = c;
    const now = Date.now();
    const size = o.chunkSize;
    const total = data.length;
    const portions = Math.ceil(total / size);
    const first = c.portionsIn;
    c.portionsIn += portions;
    c.bytesIn += total;
    // Closing (our FIN is out): these bytes were read, but can no longer be echoed.
    if (!socket.writable) return;
    // Logged before the write, so each line's time is when the read returned and the echo cannot
    // appear in a merged timeline before the read that caused it. Individual lines for as many
    // portions as the budget allows, exact counts for the rest.
    let logged = 0;
    if (c.logged) {
      while (logged < portions && c.portions.allow(now)) {
        const off = logged * size;
        const portion = data.subarray(off, Math.min(off + size, total));
        logged++;
        log.emit('tcp.data.received', {
          connId: c.id,
          bytes: portion.length,
          portion: first + logged,
          preview: preview(portion),
        });
        log.emit('tcp.data.sent', { connId: c.id, bytes: portion.length, portion: first + logged });
      }
    }
    if (logged < portions) {
      const tally = c.portions.count(now);
      tally.portions += portions - logged;
      tally.bytes += total - Math.min(total, logged * size);
    }
    // One write for the whole read: its portions are consecutive slices of it, so the bytes on the
    // wire are the same, without a Buffer view and a write request per portion.
    const w = { bytes: total, portions };
    c.written.bytes += total;
    c.written.portions += portions;
    c.pending.push(w);
    const ok = socket.write(data, (err) => {
      if (err) return; // destroyed first: `final` holds what the kernel had taken by then
      c.pending.shift();
      c.completed.bytes += w.bytes;
      c.completed.portions += w.portions;
    });
    if (!ok && !c.paused) pauseUntilDrained(c);
  }

  /**
   * What the kernel accepted of the echo: bytes handed to libuv minus those it still queues.
   * Taken just before a destroy, since a destroyed socket's queue is gone; bytes queued in Node or
   * libuv at that moment are discarded and reported as such, never counted as sent.
   */
  function settle(c: Conn): void {
    if (c.final) return;
    const h = c.handle;
    let bytesOut = c.completed.bytes;
    if (typeof h?.bytesWritten === 'number' && typeof h.writeQueueSize === 'number') {
      bytesOut = Math.max(bytesOut, Math.min(c.written.bytes, h.bytesWritten - h.writeQueueSize));
    }
    // Whole portions of the writes still pending that fit in what the kernel took.
    let portionsOut = c.completed.portions;
    let left = bytesOut - c.completed.bytes;
    for (const w of c.pending) {
      if (left >= w.bytes) {
        portionsOut += w.portions;
        left -= w.bytes;
      } else {
        portionsOut += Math.floor(left / o.chunkSize);
        break;
      }
    }
    c.final = { bytesOut, portionsOut };
  }

  function destroy(c: Conn, reason: CloseReason): void {
    c.reason ??= reason;
    settle(c);
    // A client that stopped reading cannot take a clean close: reset it (RST) on purpose, so the
    // log can say what happened to the echo the kernel still held (it is discarded with the reset).
    if (reason === 'stalled') {
      c.reset = true;
      c.socket.resetAndDestroy();
    } else {
      c.socket.destroy();
    }
  }

  // Backpressure: while the client does not read, its echo piles up in our write queue. Stop
  // reading from it (TCP flow control then slows the client down) instead of buffering without bound.
  function pauseUntilDrained(c: Conn): void {
    c.paused = true;
    c.socket.pause();
    if (log.enabled('debug')) {
      log.emit('tcp.backpressure', { connId: c.id, state: 'paused', buffered: c.socket.writableLength });
    }
    if (o.stallTimeoutMs > 0) c.stallTimer = setTimeout(() => destroy(c, 'stalled'), o.stallTimeoutMs);
    c.socket.once('drain', () => {
      clearTimeout(c.stallTimer);
      c.paused = false;
      if (log.enabled('debug')) log.emit('tcp.backpressure', { connId: c.id, state: 'resumed', buffered: 0 });
      if (!closing) c.socket.resume();
    });
  }

  function refuse(socket: Socket, remote: string, reason: TcpRejectReason, open: number, max: number): void {
    const now = Date.now();
    if (connLines.allow(now)) log.emit('tcp.connection.rejected', { remote, reason, open, max });
    else {
      const t = connLines.count(now);
      t.rejected[reason] = (t.rejected[reason] ?? 0) + 1;
    }
    socket.on('error', () => {});
    // A flood of refused connections must not hold descriptors: past a few at once, no line.
    if (refusing.size >= MAX_REFUSING || closing) {
      socket.destroy();
      return;
    }
    // One line saying why, then our FIN. What the client sent meanwhile is read and dropped: closing
    // a socket with unread bytes would send RST instead of FIN, and the client could lose the line.
    refusing.add(socket);
    const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
    socket.on('data', () => {});
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      refusing.delete(socket);
    });
    socket.end(encodeRefusal({ reason, open, max }));
  }

  function onConnection(socket: Socket): void {
    const remote = endpoint(socket.remoteAddress, socket.remotePort);
    const address = socket.remoteAddress ?? '?';
    if (closing) return refuse(socket, remote, 'server-stopping', conns.size, o.maxConnections);
    if (conns.size >= o.maxConnections) {
      return refuse(socket, remote, 'max-connections', conns.size, o.maxConnections);
    }
    const fromAddress = perAddress.get(address) ?? 0;
    if (fromAddress >= o.maxConnectionsPerAddress) {
      return refuse(socket, remote, 'max-per-address', fromAddress, o.maxConnectionsPerAddress);
    }
    perAddress.set(address, fromAddress + 1);
    const now = Date.now();
    const c: Conn = {
      id: ++nextId,
      socket,
      handle: (socket as unknown as { _handle?: StreamHandle })._handle,
      remote,
      address,
      startedAt: now,
      logged: connLines.allow(now),
      bytesIn: 0,
      portionsIn: 0,
      written: { bytes: 0, portions: 0 },
      completed: { bytes: 0, portions: 0 },
      pending: [],
      final: undefined,
      reason: undefined,
      reset: false,
      paused: false,
      stallTimer: undefined,
      lifeTimer: undefined,
      portions: new BudgetedLines({
        perSecond: o.portionLinesPerSecond,
        empty: () => ({ portions: 0, bytes: 0 }),
        summary: (t, windowMs) =>
          log.emit('tcp.data.summary', { connId: c.id, portionsIn: t.portions, bytesIn: t.bytes, windowMs }),
      }),
    };
    conns.set(c.id, c);
    if (c.logged) {
      log.emit('tcp.connection.accepted', {
        connId: c.id,
        remote,
        local: endpoint(socket.localAddress, socket.localPort),
        open: conns.size,
      });
    } else {
      connLines.count(now).accepted++;
    }

    socket.on('data', (data: Buffer) => onData(c, data));
    socket.on('end', () => {
      if (c.logged) log.emit('tcp.peer.ended', { connId: c.id });
      c.reason ??= 'peer-closed';
      socket.end(); // after the echo still queued
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // Node destroyed the socket; its handle still holds the queue as it was (freed only later).
      settle(c);
      const code = err.code ?? 'EUNKNOWN';
      c.reason ??= code === 'ECONNRESET' || code === 'EPIPE' ? 'peer-reset' : 'error';
      if (c.logged) log.emit('tcp.connection.error', { connId: c.id, code, message: err.message });
    });
    socket.on('close', () => {
      clearTimeout(c.stallTimer);
      clearTimeout(c.lifeTimer);
      conns.delete(c.id);
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
      // A close nobody forced: every write completed (or failed with the socket, settled above).
      const { bytesOut, portionsOut } = c.final ?? {
        bytesOut: c.completed.bytes,
        portionsOut: c.completed.portions,
      };
      if (c.logged) {
        c.portions.flush(Date.now());
        log.emit('tcp.connection.closed', {
          connId: c.id,
          remote,
          reason: c.reason ?? 'peer-closed',
          bytesIn: c.bytesIn,
          bytesOut,
          bytesDiscarded: c.written.bytes - bytesOut,
          reset: c.reset,
          portionsIn: c.portionsIn,
          portionsOut,
          durationMs: Date.now() - c.startedAt,
          open: conns.size,
        });
      } else {
        connLines.count(Date.now()).closed++;
      }
      if (conns.size === 0) for (const wake of drainWaiters.splice(0)) wake();
    });
    if (o.idleTimeoutMs > 0) socket.setTimeout(o.idleTimeoutMs, () => destroy(c, 'idle-timeout'));
    if (o.maxLifetimeMs > 0) c.lifeTimer = setTimeout(() => destroy(c, 'max-lifetime'), o.maxLifetimeMs);
  }

  server.on('connection', onConnection);
  // Accept errors (e.g. EMFILE when out of file descriptors) must not take the server down.
  server.on('error', (err: NodeJS.ErrnoException) => {
    if (server.listening) log.emit('server.error', { code: err.code ?? 'EUNKNOWN', message: err.message });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) =>
      reject(explainSocketError(err, { op: 'listen-tcp', at: endpoint(o.host, o.port) }));
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
      for (const s of refusing) s.destroy();
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
        for (const c of conns.values()) destroy(c, 'server-stopping');
        // 'close' (and its log line) follows destroy() on a later tick: wait for every one.
        if (conns.size > 0) await new Promise<void>((resolve) => drainWaiters.push(resolve));
      }
      await listenerClosed;
      clearInterval(ticker);
      connLines.flush(Date.now());
    },
  };
}

function validate(o: Omit<Required<EchoServerOptions>, 'log' | 'host'>): void {
  checkInteger('chunkSize', o.chunkSize, 1, 1 << 20);
  checkInteger('port', o.port, 0, 65535);
  checkInteger('maxConnections', o.maxConnections, 1);
  checkInteger('maxConnectionsPerAddress', o.maxConnectionsPerAddress, 1);
  checkDuration('idleTimeoutMs', o.idleTimeoutMs);
  checkDuration('maxLifetimeMs', o.maxLifetimeMs);
  checkDuration('stallTimeoutMs', o.stallTimeoutMs);
  checkInteger('portionLinesPerSecond', o.portionLinesPerSecond, 0);
  checkInteger('connectionLinesPerSecond', o.connectionLinesPerSecond, 0);
}
