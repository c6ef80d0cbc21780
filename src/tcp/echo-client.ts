import net, { type Socket } from 'node:net';
import { LabError, errorFields, explainSocketError, labError } from '../errors.js';
import { BudgetedLines } from '../log/budget.js';
import type { ClientCloseReason } from '../log/events.js';
import type { EventLog } from '../log/logger.js';
import { endpoint } from '../net/address.js';
import { checkDuration, checkInteger, withoutUndefined } from '../options.js';
import { preview } from '../text/escape.js';

export interface EchoClientOptions {
  /** Server host name or address. */
  host?: string;
  /** Server TCP port. */
  port?: number;
  /** Largest portion written in one write(), in bytes. */
  chunkSize?: number;
  /** Give up connecting after this long. */
  connectTimeoutMs?: number;
  /**
   * Called with every block of bytes the server sends back. Returning `false` pauses reading (so
   * that a slow consumer, such as a full stdout pipe, holds the echo back through TCP flow control)
   * until `resume()` is called.
   */
  onData?: (data: Buffer) => boolean | void;
  /** Individual sent/received lines a second; the rest are counted in `client.data.summary`. */
  linesPerSecond?: number;
  /** Event log; the client adds `component: 'echo-client'`. */
  log: EventLog;
}

export const ECHO_CLIENT_DEFAULTS = {
  host: '127.0.0.1',
  port: 7007,
  chunkSize: 1024,
  connectTimeoutMs: 5000,
  linesPerSecond: 50,
} as const;

export interface EchoClient {
  /** "address:port" of the server and of this end of the connection. */
  readonly remote: string;
  readonly local: string;
  bytesSent(): number;
  bytesReceived(): number;
  /** Resumes reading after `onData` returned false. */
  resume(): void;
  /**
   * Sends `data` in portions of at most chunkSize bytes. Returns false when the socket's write
   * queue is full: wait for `writable()` before sending more.
   */
  send(data: Buffer | string): boolean;
  /** Resolves once the write queue has drained (or the connection is closed). */
  writable(): Promise<void>;
  /** Resolves when everything sent so far has come back (or rejects after `timeoutMs`). */
  drained(timeoutMs?: number): Promise<void>;
  /** Half-closes (FIN), waits for the server to close its side, and logs `client.disconnected`. */
  close(reason: ClientCloseReason): Promise<void>;
  /** Resolves with the reason once the connection is closed, by either side. */
  readonly closed: Promise<ClientCloseReason>;
}

/** Connects to an echo server; rejects with a LabError whose message is one clear sentence. */
export async function connectEcho(options: EchoClientOptions): Promise<EchoClient> {
  const o = { ...ECHO_CLIENT_DEFAULTS, ...withoutUndefined(options) };
  checkInteger('port', o.port, 1, 65535);
  checkInteger('chunkSize', o.chunkSize, 1, 1 << 20);
  checkDuration('connectTimeoutMs', o.connectTimeoutMs, 1);
  const log = options.log.child({ component: 'echo-client' });
  const target = endpoint(o.host, o.port);

  const socket: Socket = await new Promise((resolve, reject) => {
    const s = net.connect({ host: o.host, port: o.port, noDelay: true, allowHalfOpen: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        explainSocketError(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), {
          op: 'connect',
          at: target,
        }),
      );
    }, o.connectTimeoutMs);
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(explainSocketError(err, { op: 'connect', at: target }));
    });
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
  });

  const remote = endpoint(socket.remoteAddress, socket.remotePort);
  const local = endpoint(socket.localAddress, socket.localPort);
  log.emit('client.connected', { remote, local });

  let sent = 0;
  let received = 0;
  let portion = 0;
  let reason: ClientCloseReason | undefined;
  let failure: LabError | undefined;
  const lines = new BudgetedLines({
    perSecond: o.linesPerSecond,
    empty: () => ({ sent: 0, bytesSent: 0, received: 0, bytesReceived: 0 }),
    summary: (t, windowMs) => log.emit('client.data.summary', { ...t, windowMs }),
  });
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };

  socket.on('data', (data: Buffer) => {
    received += data.length;
    const now = Date.now();
    if (lines.allow(now)) log.emit('client.data.received', { bytes: data.length, preview: preview(data) });
    else {
      const t = lines.count(now);
      t.received++;
      t.bytesReceived += data.length;
    }
    if (o.onData?.(data) === false) socket.pause();
    wake();
  });
  socket.on('end', () => {
    reason ??= 'server-closed';
    socket.end();
  });
  socket.on('error', (err) => {
    reason ??= 'error';
    failure = explainSocketError(err, { op: 'talk', at: remote });
    log.emit('client.error', errorFields(failure));
  });
  const closed = new Promise<ClientCloseReason>((resolve) => {
    socket.on('close', () => {
      lines.flush(Date.now());
      const why = reason ?? 'server-closed';
      log.emit('client.disconnected', { reason: why, bytesSent: sent, bytesReceived: received });
      wake();
      resolve(why);
    });
  });

  return {
    remote,
    local,
    closed,
    bytesSent: () => sent,
    bytesReceived: () => received,
    resume: () => {
      if (!socket.destroyed) socket.resume();
    },
    send(data) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (socket.destroyed || socket.writableEnded) {
        throw labError('send-closed', { remote });
      }
      let ok = true;
      for (let off = 0; off < bytes.length; off += o.chunkSize) {
        const part = bytes.subarray(off, off + o.chunkSize);
        sent += part.length;
        portion++;
        // Logged before write(): the echo may be read (and logged) before write() even returns.
        const now = Date.now();
        if (lines.allow(now)) log.emit('client.data.sent', { bytes: part.length, portion });
        else {
          const t = lines.count(now);
          t.sent++;
          t.bytesSent += part.length;
        }
        ok = socket.write(part);
      }
      return ok;
    },
    writable() {
      if (!socket.writableNeedDrain || socket.destroyed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    },
    drained(timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (received >= sent) done(resolve);
          else if (socket.destroyed) {
            done(() => reject(failure ?? labError('echo-cut-short', { remote, received, sent })));
          }
        };
        const timer = setTimeout(
          () => done(() => reject(labError('echo-incomplete', { remote, ms: timeoutMs, received, sent }))),
          timeoutMs,
        );
        const done = (fn: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          fn();
        };
        waiters.add(check);
        check();
      });
    },
    async close(why) {
      reason ??= why;
      if (!socket.destroyed) {
        socket.end();
        const timer = setTimeout(() => socket.destroy(), 3000);
        await closed;
        clearTimeout(timer);
      }
      await closed;
    },
  };
}
