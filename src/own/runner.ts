import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { labError } from '../errors.js';
import { BudgetedLines } from '../log/budget.js';
import type { EventLog } from '../log/logger.js';
import { visible } from '../text/escape.js';
import {
  type FailFacts,
  type OwnCallFields,
  type OwnEndReason,
  type OwnFailReason,
  type OwnRole,
  failSentences,
} from '../log/own-events.js';
import { LineSplitter } from './lines.js';
import { recordSources } from './sources.js';
import {
  MAX_TRACE_LINE,
  STRACE_ARGS,
  type SocketCall,
  type TraceEvent,
  createTraceReader,
} from './strace.js';

/** What the runner needs to start one own program. */
export interface OwnRunOptions {
  role: OwnRole;
  /** The command template, e.g. `python3 server.py {port}`; run with /bin/sh -c. */
  command: string;
  /** The program's folder: its working directory, and where its sources are recorded from. */
  dir: string;
  host?: string | undefined;
  port?: number | undefined;
  nick?: string | undefined;
  /** Given to the program as LAB_OWN_SCENARIO; the log's own `scenario` label comes from the logger. */
  scenario?: string | undefined;
  /** A first line written to the program's stdin (the scripted greeting). */
  say?: string | undefined;
  /** Types `exit` (logged as scripted input) this long after the start, ms; unset: never. */
  exitAfterMs?: number | undefined;
  /** true: strace (fails if missing); false: untraced; 'auto': strace when installed. */
  trace: boolean | 'auto';
  log: EventLog;
  /** Passed through to the program's stdin after `say` (the runner's own stdin in the CLI). */
  stdin?: Readable | null | undefined;
  /** Where the program's output is relayed, escaped (the terminal); null: logged only. */
  relay?: { stdout: Writable; stderr: Writable } | null | undefined;
  /** SIGTERM to SIGKILL, ms (under compose's 10 s stop grace). */
  graceMs?: number;
  /** A server that has not called listen() by then is reported (it keeps running). */
  listenTimeoutMs?: number;
  /** Output lines logged one by one per second per stream; past it, exact summaries. */
  outputLinesPerSecond?: number;
  /** Socket calls logged one by one per second; past it, exact summaries. */
  callLinesPerSecond?: number;
  /** Output bytes after which the run is reported as an output flood (it keeps running, counted). */
  floodBytes?: number;
  /** New processes (not threads) after which the run is reported as forking without end. */
  maxProcesses?: number;
  /** Longest output line kept; the rest of a longer line is counted. */
  maxOutputLine?: number;
  /** The strace binary (default: found on PATH). */
  strace?: string | undefined;
  /** Base environment (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Run the program as this user (through setpriv, under strace; a runner that is root only): then it cannot signal,
   * ptrace or write into strace, the runner or the log files, which stay the runner's.
   */
  user?: string | undefined;
}

export const OWN_DEFAULTS = {
  graceMs: 5000,
  listenTimeoutMs: 10000,
  outputLinesPerSecond: 100,
  callLinesPerSecond: 300,
  floodBytes: 1024 * 1024,
  maxProcesses: 64,
  maxOutputLine: 2048,
};

export interface OwnResult {
  code: number | null;
  signal: string | null;
  reason: OwnEndReason;
  failures: OwnFailReason[];
  /** The address the server listened on, from its traced listen() (real port even for port 0). */
  listening?: string;
  durationMs: number;
}

export interface OwnRun {
  /** The pid of the process the runner started (strace, or /bin/sh when untraced). */
  readonly pid: number | undefined;
  readonly traced: boolean;
  /** Resolves with the listening address once a traced server calls listen() (undefined if it ends first). */
  readonly listening: Promise<string | undefined>;
  readonly done: Promise<OwnResult>;
  /** SIGTERM to the program's process group, SIGKILL after the grace period; resolves when it ended. */
  stop(): Promise<OwnResult>;
}

/**
 * The shell that runs the command gets the process group's SIGTERM too. With a trap that does
 * nothing it outlives the signal, waits for the program and exits with the program's status, so
 * "how it ended" is the program's, not the shell's (an ignored signal would be inherited by the
 * program; a trap is reset on exec).
 */
const WAIT_TRAP = 'trap : TERM INT; ';

const PLACEHOLDER = /\{(host|port|nick)\}/g;
const SAFE: Record<'host' | 'port' | 'nick', RegExp> = {
  host: /^[A-Za-z0-9.:_-]{1,253}$/,
  port: /^\d{1,5}$/,
  nick: /^[\p{L}\p{N}_.-]{1,32}$/u,
};
const ROLE_ENV: Record<OwnRole, { command: string; port: string }> = {
  'echo-server': { command: 'LAB_OWN_ECHO_SERVER', port: 'LAB_OWN_ECHO_PORT' },
  'echo-client': { command: 'LAB_OWN_ECHO_CLIENT', port: 'LAB_OWN_ECHO_PORT' },
  'chat-server': { command: 'LAB_OWN_CHAT_SERVER', port: 'LAB_OWN_CHAT_PORT' },
  'chat-client': { command: 'LAB_OWN_CHAT_CLIENT', port: 'LAB_OWN_CHAT_PORT' },
};

/** The .env name that holds a role's command template (LAB_OWN_ECHO_SERVER, ...). */
export function commandVariable(role: OwnRole): string {
  return ROLE_ENV[role].command;
}
/** The .env name that holds a role's port (LAB_OWN_ECHO_PORT or LAB_OWN_CHAT_PORT). */
export function portVariable(role: OwnRole): string {
  return ROLE_ENV[role].port;
}

/**
 * Puts the values into `{host}`, `{port}` and `{nick}`. Each value is checked against characters
 * that mean nothing to a shell, because the result runs with /bin/sh -c: a value cannot add a
 * command. A placeholder without a value is the user's mistake, said with the option to set.
 */
export function fillTemplate(
  template: string,
  values: { host?: string | undefined; port?: number | undefined; nick?: string | undefined },
): string {
  if (template.trim() === '') {
    throw labError('own-command-empty', {});
  }
  return template.replace(PLACEHOLDER, (_m, key: 'host' | 'port' | 'nick') => {
    const raw = values[key];
    if (raw === undefined || raw === '') {
      throw labError('own-placeholder-missing', { key });
    }
    const value = String(raw);
    if (value.startsWith('-'))
      throw labError('own-placeholder-option', { key, value: JSON.stringify(value) });
    if (!SAFE[key].test(value) || (key === 'port' && Number(value) > 65535)) {
      throw labError('own-placeholder-bad', { key, value: JSON.stringify(value) });
    }
    return value;
  });
}

/** A line; `unfinished`: the stream closed before its newline (a prompt printed without one). */
type Line = ReturnType<LineSplitter['end']>[number] & { unfinished?: true };

/** Calls `onLine` with each line of `stream` (longer ones cut at `max`); resolves once it closed. */
function eachLine(stream: Readable, max: number, onLine: (l: Line) => void): Promise<void> {
  const split = new LineSplitter(max);
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      for (const l of split.push(chunk)) onLine(l);
    });
    stream.on('close', () => {
      for (const l of split.end()) onLine({ ...l, unfinished: true });
      resolve();
    });
  });
}

/** A user's uid and gid (`id`), for a program run untraced as that user. */
function idsOf(user: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw labError('own-user-missing', { user });
  }
}

/** strace on PATH, or undefined. */
export function findStrace(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, 'strace');
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface CallTally {
  calls: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  maxReadSize: number;
}
interface OutputTally {
  lines: number;
  bytes: number;
}

const READS = new Set(['read', 'readv', 'recvfrom', 'recvmsg', 'recvmmsg']);
const WRITES = new Set(['write', 'writev', 'sendto', 'sendmsg', 'sendmmsg']);
const isRead = (c: SocketCall): boolean => READS.has(c.call) || c.way === 'read';
const isWrite = (c: SocketCall): boolean => WRITES.has(c.call) || c.way === 'write';

/** How the program's relayed output lines start on the screen: never mistaken for the lab's own lines. */
export const RELAY_PREFIX = '│ ';

/** The `own.call` fields of one parsed call (pure: the unit tests feed it recorded strace text). */
export function callFields(role: OwnRole, c: SocketCall): OwnCallFields {
  const f: OwnCallFields = { role, ownPid: c.pid, call: c.call, result: c.result ?? -1, at: c.t };
  if (c.result === null && c.errno === undefined) f.unfinished = true;
  if (c.fd !== undefined) f.fd = c.fd;
  if (c.size !== undefined) f.size = c.size;
  if (c.errno !== undefined) f.errno = c.errno;
  if (c.bytes !== undefined) f.bytes = c.bytes;
  if (c.peer !== undefined) f.peer = c.peer;
  if (c.local !== undefined) f.local = c.local;
  if (c.family !== undefined) f.family = c.family;
  if (c.type !== undefined) f.type = c.type;
  if (c.backlog !== undefined) f.backlog = c.backlog;
  if (c.how !== undefined) f.how = c.how;
  if (c.newFd !== undefined) f.newFd = c.newFd;
  if (c.durationMs !== undefined) f.durationMs = c.durationMs;
  if (c.startedAt !== undefined) f.startedAt = c.startedAt;
  if (c.listening) f.listening = true;
  if (c.data !== undefined) f.data = visible(c.data);
  if (c.way !== undefined) f.way = c.way;
  return f;
}

function portOf(address: string | undefined): number | undefined {
  const m = address ? /:(\d+)$/.exec(address) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * Starts a student's program: substitutes the template, runs it with /bin/sh -c in its folder
 * (under strace when tracing), relays and logs its output, logs its socket calls, and reports what
 * went wrong in one line each (not found, ended at once, never listened, wrong port, floods, fork
 * without end, ignored SIGTERM). Throws a LabError only for what the user set wrongly before start.
 */
export function runOwnProgram(options: OwnRunOptions): OwnRun {
  const o = { ...OWN_DEFAULTS, ...options };
  const { role, log } = o;
  const env = o.env ?? process.env;
  const command = fillTemplate(o.command, o);
  let isDir: boolean;
  try {
    isDir = statSync(o.dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw labError('own-dir-missing', { dir: o.dir });
  }
  const straceBin = o.trace === false ? undefined : (o.strace ?? findStrace(env));
  if (o.trace === true && !straceBin) {
    throw labError('own-strace-missing', {});
  }
  const traced = straceBin !== undefined;
  const isServer = role.endsWith('-server');
  const started = Date.now();

  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    LAB_OWN_ROLE: role,
    ...(o.host !== undefined ? { LAB_OWN_HOST: o.host } : {}),
    ...(o.port !== undefined ? { LAB_OWN_PORT: String(o.port) } : {}),
    ...(o.nick !== undefined ? { LAB_OWN_NICK: o.nick } : {}),
    ...(o.scenario !== undefined ? { LAB_OWN_SCENARIO: o.scenario } : {}),
    // stdout is a pipe here, so Python would keep print()s in an 8 KiB buffer and they would show
    // late and out of order with the calls; a student who set it otherwise keeps their choice.
    PYTHONUNBUFFERED: env.PYTHONUNBUFFERED ?? '1',
  };

  // Traced: the trace goes to fd 3, a pipe the runner reads line by line. strace writes it through
  // `-o |cmd` rather than to its stderr so that every line carries its pid (strace leaves the pid
  // out on stderr while only one process runs) and the program keeps its own stderr. The cat
  // ignores SIGTERM like strace (-I3): the signal sent to the process group is for the program,
  // and the trace must stay readable until the program has ended. The shell closes fd 3 before
  // the command runs, so the program cannot see or write the trace.
  //
  // strace's own stderr (fd 2) is its complaints only: the program's stderr is fd 4, which the
  // shell makes its fd 2 before the command runs, so nothing the program prints can pass for
  // strace. With `user` (a root runner) the shell runs as that user, through setpriv: strace, its
  // cat and the runner stay root's, out of reach of the program's signals, ptrace and
  // /proc/<pid>/fd. Not `strace -u`, which changes the user before strace attaches: attaching to
  // another user's process needs CAP_SYS_PTRACE even for root. With setpriv strace attaches to a
  // process still root's and follows it through the change of user; -yy's fd names still need
  // CAP_SYS_PTRACE (the own containers have it), else fds are known from the calls alone. setpriv sets the real, effective and saved ids (no way back to
  // root) and no_new_privs (no set-user-ID program can give any back).
  const asUser = o.user !== undefined && process.getuid?.() === 0 ? idsOf(o.user) : undefined;
  const drop =
    asUser !== undefined
      ? ['setpriv', `--reuid=${asUser.uid}`, `--regid=${asUser.gid}`, '--init-groups', '--no-new-privs', '--']
      : [];
  const child: ChildProcess = traced
    ? spawn(
        straceBin,
        [
          ...STRACE_ARGS,
          '-o',
          '|trap "" INT TERM; exec cat >&3',
          ...drop,
          '/bin/sh',
          '-c',
          `exec 2>&4 3>&- 4>&-; ${WAIT_TRAP}${command}`,
        ],
        { cwd: o.dir, env: childEnv, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] },
      )
    : spawn('/bin/sh', ['-c', `${WAIT_TRAP}${command}`], {
        cwd: o.dir,
        env: childEnv,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(asUser !== undefined ? asUser : {}),
      });

  const failures: OwnFailReason[] = [];
  const failed = new Set<OwnFailReason>();
  function fail(reason: OwnFailReason, facts: FailFacts, setting: string): void {
    if (failed.has(reason)) return;
    failed.add(reason);
    failures.push(reason);
    const [expected, happened] = failSentences('en', reason, facts);
    log.emit('own.program.failed', { role, reason, expected, happened, setting, facts });
  }
  const commandSetting = `${commandVariable(role)}${options.command.includes('{port}') ? '' : ' ({port})'}`;

  log.emit('own.program.started', {
    role,
    command: visible(command),
    dir: o.dir,
    ownPid: child.pid ?? -1,
    traced,
  });
  if (!traced)
    log.emit('own.trace.off', { role, reason: o.trace === false ? 'turned-off' : 'not-installed' });
  void recordSources(o.dir).then(({ files, skipped }) => log.emit('own.sources', { role, files, skipped }));

  // ---- socket calls --------------------------------------------------------------------------
  const reader = createTraceReader();
  const callLines = new BudgetedLines<CallTally>({
    perSecond: o.callLinesPerSecond,
    empty: () => ({ calls: {}, bytesIn: 0, bytesOut: 0, maxReadSize: 0 }),
    summary: (t, windowMs) => log.emit('own.call.summary', { role, windowMs, ...t }),
  });
  let listenedAt: string | undefined;
  let resolveListening: (v: string | undefined) => void = () => {};
  const listening = new Promise<string | undefined>((r) => (resolveListening = r));
  let processes = 0;
  const boundPorts = new Map<string, string>();

  function onTrace(events: TraceEvent[]): void {
    for (const e of events) {
      if (e.kind === 'process') {
        if (e.what === 'escaped')
          fail(
            'trace-escaped',
            { detail: visible(e.detail ?? '') },
            `${commandVariable(role)} (the program itself)`,
          );
        if (e.what === 'spawned' && !e.thread) {
          processes++;
          if (processes > o.maxProcesses)
            fail('fork-flood', { processes }, `${commandVariable(role)} (the program itself)`);
        }
        continue;
      }
      const now = Date.now();
      if (callLines.allow(now)) log.emit('own.call', callFields(role, e));
      else {
        const t = callLines.count(now);
        t.calls[e.call] = (t.calls[e.call] ?? 0) + 1;
        if (isRead(e)) {
          t.bytesIn += e.bytes ?? 0;
          t.maxReadSize = Math.max(t.maxReadSize, e.size ?? 0);
        } else if (isWrite(e)) t.bytesOut += e.bytes ?? 0;
      }
      if (e.call === 'bind' && e.result === 0 && e.local && e.fd !== undefined) {
        boundPorts.set(`${e.pid} ${e.fd}`, e.local);
        // UDP has no listen(): a chat server is ready once its UDP socket is bound to the port the
        // lab gave it (a bind to another port is that port's socket, judged the same way as listen()).
        const port = portOf(e.local);
        if (role === 'chat-server' && e.type === 'udp' && port !== undefined && port !== 0)
          listened(e, e.local, 'bound');
      }
      if (e.call === 'listen' && e.result === 0 && e.type !== 'udp')
        listened(e, e.local ?? boundPorts.get(`${e.pid} ${e.fd ?? -1}`), 'listen');
    }
  }

  function listened(
    e: TraceEvent & { kind: 'call' },
    local: string | undefined,
    how: 'listen' | 'bound',
  ): void {
    const port = portOf(local);
    log.emit('own.listening', {
      role,
      ownPid: e.pid,
      fd: e.fd ?? -1,
      local: local ?? '?',
      port: port ?? -1,
      expectedPort: o.port ?? 0,
      how,
    });
    if (listenedAt === undefined) {
      listenedAt = local ?? '?';
      resolveListening(listenedAt);
    }
    if (o.port !== undefined && o.port !== 0 && port !== undefined && port !== 0 && port !== o.port) {
      fail('wrong-port', { port: o.port, local: local ?? '?' }, `${commandSetting}, ${portVariable(role)}`);
    }
  }

  const streamsDone: Promise<void>[] = [];
  const traceStream = traced ? (child.stdio[3] as Readable | null) : null;
  if (traceStream) streamsDone.push(eachLine(traceStream, MAX_TRACE_LINE, (l) => traceLine(l.text)));
  function traceLine(text: string): void {
    if (text.startsWith('strace: ')) {
      // strace's own complaint (ptrace not permitted, a command it cannot exec): one line, once.
      fail(
        'trace-failed',
        { detail: visible(text.slice(0, 300)) },
        'the container (SYS_PTRACE) or LAB_OWN_IMAGE',
      );
      return;
    }
    onTrace(reader.push(text));
  }

  // ---- output ----------------------------------------------------------------------------------
  let outputBytes = 0;
  let outputLines = 0;
  let lastStderr = '';
  const outputStream = (stream: Readable | null | undefined, name: 'stdout' | 'stderr') => {
    if (!stream) return;
    const budget = new BudgetedLines<OutputTally>({
      perSecond: o.outputLinesPerSecond,
      empty: () => ({ lines: 0, bytes: 0 }),
      summary: (t, windowMs) => {
        log.emit('own.output.summary', { role, stream: name, lines: t.lines, bytes: t.bytes, windowMs });
      },
    });
    const relay = o.relay?.[name];
    const line = (l: Line) => {
      outputBytes += l.bytes + 1;
      outputLines++;
      const text = visible(l.text);
      if (name === 'stderr' && text.trim() !== '') lastStderr = text;
      const now = Date.now();
      if (budget.allow(now)) {
        log.emit('own.output', {
          role,
          stream: name,
          text,
          cut: l.cut,
          ...(l.unfinished ? { unfinished: true } : {}),
        });
        relay?.write(`${RELAY_PREFIX}${text}${l.cut ? ' …' : ''}\n`);
      } else {
        const t = budget.count(now);
        t.lines++;
        t.bytes += l.bytes + 1;
      }
      if (outputBytes > o.floodBytes) {
        fail(
          'output-flood',
          { lines: outputLines, bytes: outputBytes },
          `${commandVariable(role)} (print less)`,
        );
      }
    };
    const timer = setInterval(() => budget.flush(Date.now()), 1000);
    timer.unref();
    streamsDone.push(
      eachLine(stream, o.maxOutputLine, line).then(() => {
        clearInterval(timer);
        budget.flush(Date.now());
      }),
    );
  };
  outputStream(child.stdout, 'stdout');
  outputStream(traced ? (child.stdio[4] as Readable | null) : child.stderr, 'stderr');
  if (traced && child.stderr) {
    // strace's own stderr: its complaints (ptrace not permitted, a command it cannot exec, a user
    // it cannot find), and nothing the program wrote.
    const straceLine = (l: { text: string }) => {
      const text = visible(l.text);
      if (text.trim() === '') return;
      lastStderr = text;
      fail('trace-failed', { detail: text.slice(0, 300) }, 'the container (SYS_PTRACE) or LAB_OWN_IMAGE');
    };
    streamsDone.push(eachLine(child.stderr, o.maxOutputLine, straceLine));
  }
  const callTimer = setInterval(() => callLines.flush(Date.now()), 1000);
  callTimer.unref();

  // ---- input -----------------------------------------------------------------------------------
  const inputLines = new BudgetedLines<{ lines: number }>({
    perSecond: o.outputLinesPerSecond,
    empty: () => ({ lines: 0 }),
    summary: () => {}, // typing cannot outrun the budget; a piped flood is still passed on
  });
  let stdinSource: Readable | undefined;
  let exitTimer: NodeJS.Timeout | undefined;
  let onStdin: ((chunk: Buffer | string) => void) | undefined;
  let onStdinEnd: (() => void) | undefined;
  if (child.stdin) {
    // The program may end (or close its stdin) while we still write: EPIPE is its business.
    child.stdin.on('error', () => {});
    const stdin = child.stdin;
    const input = (text: string, scripted: boolean, length = Buffer.byteLength(text)) => {
      const bytes = length + 1;
      if (inputLines.allow(Date.now())) log.emit('own.input', { role, text: visible(text), bytes, scripted });
      else inputLines.count(Date.now());
    };
    if (o.say !== undefined) {
      input(o.say, true);
      stdin.write(`${o.say}\n`);
    }
    if (o.exitAfterMs !== undefined) {
      exitTimer = setTimeout(() => {
        if (stdin.writableEnded || stdin.destroyed) return;
        input('exit', true);
        stdin.write('exit\n');
      }, o.exitAfterMs);
    }
    if (o.stdin) {
      // Passed on as it comes (typing reaches the program at once); the lines are logged so the
      // checks know what was typed, `exit` included.
      const split = new LineSplitter(o.maxOutputLine);
      stdinSource = o.stdin;
      onStdin = (chunk: Buffer | string) => {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        for (const l of split.push(buf)) input(l.text, false, l.bytes);
        stdin.write(buf);
      };
      onStdinEnd = () => {
        for (const l of split.end()) input(l.text, false, l.bytes);
        stdin.end();
      };
      o.stdin.on('data', onStdin);
      o.stdin.on('end', onStdinEnd);
    }
  }

  // ---- timers and the end ------------------------------------------------------------------------
  let stopping = false;
  let killed = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const listenTimer =
    isServer && traced
      ? setTimeout(() => {
          if (listenedAt === undefined) {
            const udp = role === 'chat-server';
            fail(
              'never-listened',
              { port: o.port ?? 0, ms: o.listenTimeoutMs, ...(udp ? { udp } : {}) },
              `${commandSetting} (${udp ? 'the server must bind() its UDP socket to the port' : 'the server must call listen()'})`,
            );
          }
        }, o.listenTimeoutMs)
      : undefined;

  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };

  const done = new Promise<OwnResult>((resolve) => {
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
      if (child.pid === undefined) void finish(null, null);
    });
    child.on('exit', (code, signal) => {
      // Reported on 'close', once the output has been read; a grandchild that keeps the pipes
      // open must not keep the run from ending.
      setTimeout(() => void finish(code, signal), 1000);
    });
    child.on('close', (code, signal) => void finish(code, signal));
    let finished = false;
    async function finish(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
      if (finished) return;
      finished = true;
      await Promise.race([Promise.all(streamsDone), new Promise((r) => setTimeout(r, 500))]);
      if (listenTimer) clearTimeout(listenTimer);
      if (graceTimer) clearTimeout(graceTimer);
      if (exitTimer) clearTimeout(exitTimer);
      clearInterval(callTimer);
      onTrace(reader.end());
      callLines.flush(Date.now());
      const durationMs = Date.now() - started;
      if (spawnError || code === 127 || code === 126) {
        fail(
          'not-found',
          { code, signal, detail: spawnError ? spawnError.message : lastStderr.slice(0, 300) },
          `${commandVariable(role)} (and LAB_OWN_DIR, LAB_OWN_IMAGE for the tools it needs)`,
        );
      } else if (isServer && !stopping && listenedAt === undefined) {
        fail('exited-at-once', { ms: durationMs, code, signal }, `${commandVariable(role)}`);
      }
      const reason: OwnEndReason = killed
        ? 'killed-after-grace'
        : stopping
          ? 'stopped'
          : signal
            ? 'signal'
            : 'exited';
      const result: OwnResult = { code, signal, reason, failures, durationMs };
      if (listenedAt !== undefined) result.listening = listenedAt;
      log.emit('own.program.exited', {
        role,
        reason,
        durationMs,
        ...(code !== null ? { code } : {}),
        ...(signal !== null ? { signal } : {}),
      });
      resolveListening(undefined);
      if (stdinSource && onStdin && onStdinEnd) {
        stdinSource.off('data', onStdin);
        stdinSource.off('end', onStdinEnd);
      }
      resolve(result);
    }
  });

  return {
    pid: child.pid,
    traced,
    listening,
    done,
    stop() {
      if (!stopping && child.exitCode === null && child.signalCode === null) {
        stopping = true;
        signalGroup('SIGTERM');
        graceTimer = setTimeout(() => {
          killed = true;
          // The hint (end the program on SIGTERM) is said by own.program.failed in each language.
          fail('killed-after-grace', { ms: o.graceMs }, commandVariable(role));
          signalGroup('SIGKILL');
        }, o.graceMs);
      }
      return done;
    },
  };
}
