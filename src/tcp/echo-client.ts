import net, { type Socket } from 'node:net';
import { LabError, errorFields, explainSocketError, labError } from '../errors.js';
import { BudgetedLines } from '../log/budget.js';
import type { ClientCloseReason, TcpRefusalReason } from '../log/events.js';
import type { EventLog } from '../log/logger.js';
import { endpoint } from '../net/address.js';
import { checkDuration, checkInteger, withoutUndefined } from '../options.js';
import { preview, visible } from '../text/escape.js';
import { MAX_REFUSAL_LINE, REFUSAL_PREFIX, type Refusal, parseRefusal } from './refusal.js';

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
  /** The server's refusal (see refusal.ts) as an error to show, once it came; else undefined. */
  refusal(): LabError | undefined;
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
  let refusal: (Omit<Refusal, 'reason'> & { reason: TcpRefusalReason }) | undefined;
  const lines = new BudgetedLines({
    perSecond: o.linesPerSecond,
    empty: () => ({ sent: 0, bytesSent: 0, received: 0, bytesReceived: 0 }),
    summary: (t, windowMs) => log.emit('client.data.summary', { ...t, windowMs }),
  });
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };

  // The server may refuse the connection with one line (see refusal.ts) instead of echoing. Such a
  // line is told from an echo by what we sent: an echo starts with our own first bytes, a refusal
  // with its prefix, which we did not send. Until that is settled, the first bytes wait here.
  let head: Buffer | undefined = Buffer.alloc(0);
  const firstSent: Buffer[] = [];
  let firstSentBytes = 0;
  const prefix = Buffer.from(REFUSAL_PREFIX);
  function sentStart(n: number): Buffer {
    return Buffer.concat(firstSent).subarray(0, n);
  }
  /** 'echo', 'refusal', or undefined while more bytes are needed to tell. */
  function classify(bytes: Buffer): 'echo' | 'refusal' | undefined {
    const n = Math.min(bytes.length, prefix.length);
    if (!bytes.subarray(0, n).equals(prefix.subarray(0, n))) return 'echo';
    // Nothing but our own bytes (as far as we keep them): an echo, which never holds more than we sent.
    const mine = sentStart(bytes.length);
    const ours = mine.length > 0 && bytes.subarray(0, mine.length).equals(mine);
    if (ours && (mine.length === bytes.length || mine.length >= MAX_REFUSAL_LINE)) return 'echo';
    const newline = bytes.indexOf(0x0a);
    if (newline !== -1 || bytes.length >= MAX_REFUSAL_LINE) return 'refusal';
    return undefined;
  }
  function onRefusal(bytes: Buffer): void {
    const end = bytes.indexOf(0x0a);
    const line = bytes
      .subarray(0, end === -1 ? Math.min(bytes.length, MAX_REFUSAL_LINE) : end)
      .toString('utf8')
      .replace(/\r$/, '');
    const parsed = parseRefusal(line);
    refusal = parsed ?? { reason: 'other', open: 0, max: 0 };
    reason = 'refused';
    log.emit('client.refused', { remote, ...refusal, line: visible(line) });
    socket.destroy();
  }

  function deliver(data: Buffer): void {
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
  }

  socket.on('data', (data: Buffer) => {
    if (head === undefined) return deliver(data);
    head = Buffer.concat([head, data]);
    const kind = classify(head);
    if (kind === undefined) return;
    const bytes = head;
    head = undefined;
    if (kind === 'refusal') onRefusal(bytes);
    else deliver(bytes);
  });
  socket.on('end', () => {
    // A refusal line cut short by the close is still a refusal (the bytes matched its prefix).
    if (head !== undefined && head.length > 0) {
      const bytes = head;
      head = undefined;
      if (classify(bytes) === 'echo') deliver(bytes);
      else onRefusal(bytes);
    }
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

  /** The refusal as an error to show (its sentence in every language from the catalogue), or undefined. */
  function refusedError(): LabError | undefined {
    if (!refusal) return undefined;
    const r = refusal;
    return r.reason === 'other'
      ? labError('server-refused-unknown', { remote })
      : labError('server-refused', { remote, reason: r.reason, open: r.open, max: r.max });
  }

  return {
    remote,
    local,
    closed,
    refusal: refusedError,
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
        if (firstSentBytes < MAX_REFUSAL_LINE) {
          firstSent.push(part.subarray(0, MAX_REFUSAL_LINE - firstSentBytes));
          firstSentBytes += Math.min(part.length, MAX_REFUSAL_LINE);
        }
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
          if (received >= sent && !refusal) done(resolve);
          else if (socket.destroyed) {
            done(() =>
              reject(refusedError() ?? failure ?? labError('echo-cut-short', { remote, received, sent })),
            );
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
