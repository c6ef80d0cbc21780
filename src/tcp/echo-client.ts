import net, { type Socket } from 'node:net';
import { LabError, explainSocketError } from '../errors.js';
import { LineBudget } from '../log/budget.js';
import type { ClientCloseReason } from '../log/events.js';
import type { EventLog } from '../log/logger.js';
import { endpoint } from '../net/address.js';
import { checkInteger, withoutUndefined } from '../options.js';
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
  /** Called with every block of bytes the server sends back. */
  onData?: (data: Buffer) => void;
  /** Event log; the client adds `component: 'echo-client'`. */
  log: EventLog;
}

export const ECHO_CLIENT_DEFAULTS = {
  host: '127.0.0.1',
  port: 7007,
  chunkSize: 1024,
  connectTimeoutMs: 5000,
} as const;

export interface EchoClient {
  /** "address:port" of the server and of this end of the connection. */
  readonly remote: string;
  readonly local: string;
  bytesSent(): number;
  bytesReceived(): number;
  /** Sends `data` in portions of at most chunkSize bytes. */
  send(data: Buffer | string): void;
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
  const log = options.log.child({ component: 'echo-client' });
  const target = endpoint(o.host, o.port);

  const socket: Socket = await new Promise((resolve, reject) => {
    const s = net.connect({ host: o.host, port: o.port, noDelay: true, allowHalfOpen: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        explainSocketError(
          Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }),
          `connect to ${target}`,
        ),
      );
    }, o.connectTimeoutMs);
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(explainSocketError(err, `connect to ${target}`));
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
  const budget = new LineBudget(50);
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };

  socket.on('data', (data: Buffer) => {
    received += data.length;
    if (budget.take(Date.now()))
      log.emit('client.data.received', { bytes: data.length, preview: preview(data) });
    o.onData?.(data);
    wake();
  });
  socket.on('end', () => {
    reason ??= 'server-closed';
    socket.end();
  });
  socket.on('error', (err) => {
    reason ??= 'error';
    failure = explainSocketError(err, `talk to ${remote}`);
    log.emit('client.error', { code: failure.code, message: failure.message });
  });
  const closed = new Promise<ClientCloseReason>((resolve) => {
    socket.on('close', () => {
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
    send(data) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      if (socket.destroyed || socket.writableEnded) {
        throw new LabError('LAB_ERR_CONNECTION_LOST', `cannot send to ${remote}: the connection is closed`);
      }
      for (let off = 0; off < bytes.length; off += o.chunkSize) {
        const part = bytes.subarray(off, off + o.chunkSize);
        sent += part.length;
        portion++;
        // Logged before write(): the echo may be read (and logged) before write() even returns.
        if (budget.take(Date.now())) log.emit('client.data.sent', { bytes: part.length, portion });
        socket.write(part);
      }
    },
    drained(timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (received >= sent) done(resolve);
          else if (socket.destroyed) {
            done(() =>
              reject(
                failure ??
                  new LabError(
                    'LAB_ERR_CONNECTION_LOST',
                    `the server at ${remote} closed the connection before echoing everything (${received} of ${sent} bytes came back)`,
                  ),
              ),
            );
          }
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(
                new LabError(
                  'LAB_ERR_CONNECT_TIMEOUT',
                  `the echo from ${remote} is incomplete after ${timeoutMs} ms (${received} of ${sent} bytes came back)`,
                ),
              ),
            ),
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
