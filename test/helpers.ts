import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Lang } from '../src/text/lang.ts';
import { type EventLog, createLogger } from '../src/log/logger.ts';

export type Line = Record<string, unknown> & { event?: string; msg?: string };

/** A logger that keeps every line as a parsed JSON object, as the tests assert on records, not text. */
export function captureLog(lang: Lang = 'en'): {
  log: EventLog;
  lines: Line[];
  events: (name: string) => Line[];
} {
  const lines: Line[] = [];
  const { log } = createLogger({
    format: 'json',
    level: 'debug',
    lang,
    destination: { write: (l) => lines.push(JSON.parse(l) as Line) },
  });
  return { log, lines, events: (name) => lines.filter((l) => l.event === name) };
}

/**
 * Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. `context`, when
 * given, is appended to that failure (what was seen instead), so a red run says why. A `check` that
 * throws fails at once (e.g. the process that should have written the line has exited).
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false,
  timeoutMs = 5000,
  context?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) {
      const seen = context ? `\n${context()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Waits for the first JSON log line of process `p` that `match` accepts and returns it. A line the
 * process writes is read asynchronously, so asserting on it right after the action that causes it
 * races; this waits instead. Fails naming `what` when the deadline passes or the process ends first.
 */
export async function waitForLine(
  p: Proc,
  what: string,
  match: (l: Line) => boolean,
  timeoutMs = 5000,
): Promise<Line> {
  const lastEvents = () =>
    `last events: ${p
      .json()
      .slice(-8)
      .map((l) => l.event)
      .join(', ')}\nstderr: ${p.stderr().slice(-500)}`;
  return waitFor(
    what,
    () => {
      const line = p.json().find(match);
      if (line) return line;
      if (p.closed()) throw new Error(`the process ended before ${what}\n${lastEvents()}`);
      return undefined;
    },
    timeoutMs,
    lastEvents,
  );
}

/** Connects a raw TCP socket (no socket-lab code) to 127.0.0.1:port. */
export async function rawConnect(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** Writes `chunks` one by one, then reads until `expected` bytes came back. */
export async function roundTrip(port: number, chunks: Buffer[], halfClose = false): Promise<Buffer> {
  const socket = await rawConnect(port);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const got: Buffer[] = [];
  let received = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      got.push(d);
      received += d.length;
      if (received >= total) resolve();
    });
    socket.on('error', reject);
    if (total === 0) resolve();
  });
  for (const c of chunks) socket.write(c);
  if (halfClose) socket.end();
  await done;
  socket.destroy();
  return Buffer.concat(got);
}

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** stdout lines that parse as JSON. */
  json: () => Line[];
  /** True once the process has exited and its stdout and stderr have been read to the end. */
  closed: () => boolean;
  exited: Promise<number | null>;
}

/** Runs the built CLI (what users run) with `args`; the caller must end it or let it end. */
export function runCli(args: string[], input?: string, env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  if (input !== undefined) child.stdin.end(input);
  // 'close', not 'exit': only then has everything the process wrote to stdout and stderr been read.
  let closed = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      closed = true;
      resolve(code);
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    json: () => parseJsonLines(out),
    closed: () => closed,
    exited,
  };
}

/** The complete JSON lines of `text`; a last line still being written (no newline yet) is left out. */
export function parseJsonLines(text: string): Line[] {
  return text
    .split('\n')
    .slice(0, -1)
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

/** Starts `socket-lab server` on free ports and resolves once both sockets listen. */
export async function startServerProcess(
  extra: string[] = [],
): Promise<Proc & { tcpPort: number; udpPort: number }> {
  const p = runCli([
    'server',
    '--host',
    '127.0.0.1',
    '--tcp-port',
    '0',
    '--udp-port',
    '0',
    '--log-format',
    'json',
    ...extra,
  ]);
  const listening = await waitFor(
    'server.listening twice',
    () => {
      const l = p.json().filter((x) => x.event === 'server.listening');
      if (l.length === 2) return l;
      if (p.closed()) throw new Error(`the server ended before it listened: ${p.stderr()}`);
      return undefined;
    },
    10_000,
  );
  const port = (proto: string) => listening.find((l) => l.protocol === proto)?.port as number;
  return { ...p, tcpPort: port('tcp'), udpPort: port('udp') };
}

/** Sends `text` on a fresh connection and resolves with the ms until its whole echo came back. */
export async function echoTime(port: number, text = 'hello\n'): Promise<number> {
  const started = Date.now();
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  let got = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no echo within 10 s on port ${port}`)), 10_000);
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= text.length) {
        clearTimeout(timer);
        resolve();
      }
    });
    s.write(text);
  });
  s.destroy();
  assert.equal(got, text);
  return Date.now() - started;
}

/** The JSON lines of a log file; a line torn by a failed write (it has no end) is left out. */
export const jsonLinesOf = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Line];
      } catch {
        return [];
      }
    });

/** What `defer` needs of a node:test context (or of a suite's stand-in). */
export interface Hooks {
  after: (fn: () => Promise<void>) => void;
}

const teardowns = new WeakMap<object, (() => unknown)[]>();

/**
 * Registers `fn` to run when test `t` ends, last in first out: what was made last is undone first
 * (a client leaves before its server closes, a server stops before its directory is removed).
 * node:test runs `t.after` hooks first in first out, so a client then waited a second per member
 * for an answer from a server already closed. Every teardown runs even when one throws; the first
 * error is reported.
 */
export function defer(t: Hooks, fn: () => unknown): void {
  let stack = teardowns.get(t);
  if (!stack) {
    const own: (() => unknown)[] = [];
    teardowns.set(t, own);
    t.after(async () => {
      const errors: unknown[] = [];
      for (let undo = own.pop(); undo; undo = own.pop()) {
        try {
          await undo();
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length > 0) throw errors[0];
    });
    stack = own;
  }
  stack.push(fn);
}
