import {
  closeSync,
  existsSync,
  fchownSync,
  mkdirSync,
  openSync,
  statSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import {
  type EventFields,
  type EventName,
  type EventSpec,
  LOG_SCHEMA,
  type Level,
  catalogue,
} from './events.js';
import { prettyLine } from './pretty.js';
import type { Lang } from '../text/lang.js';

export { prettyLine } from './pretty.js';

export type LogFormat = 'json' | 'pretty';

/** A line sink: the logger hands it one complete line (JSON or pretty) at a time. */
export interface LineSink {
  write(line: string): void;
}

export interface LoggerOptions {
  /** `json`: one JSON object per line; `pretty`: a line a person reads. */
  format: LogFormat;
  /** Lowest level written: debug, info, warn or error. */
  level: Level | 'silent';
  /** Language of the `msg` explanations. */
  lang: Lang;
  /** Label added to every line (the lab scenario: local, vm, remote, ...). */
  scenario?: string | undefined;
  /** Where the main output goes: a file descriptor (1 stdout, 2 stderr) or a line sink. */
  destination?: number | LineSink;
  /** Colours in pretty output; default: when the destination is a terminal. */
  colorize?: boolean;
  /** Also append every line as JSON to this file (the complete record for the lab report). */
  file?: string | undefined;
}

/** Emits catalogue events through pino; what servers and clients receive instead of a raw logger. */
export interface EventLog {
  /** Writes event `name` with its fields and the explanation in the logger's language. */
  emit<N extends EventName>(name: N, fields: EventFields<N>): void;
  /** True when events of this level are written (lets hot paths skip building fields). */
  enabled(level: Level): boolean;
  /** A logger whose lines also carry `bindings` (e.g. `{ component: 'tcp-echo' }`). */
  child(bindings: Record<string, unknown>): EventLog;
  readonly lang: Lang;
  readonly pino: Logger;
}

/** Wraps a pino logger so that it writes catalogue events in `lang`. */
export function createEventLog(logger: Logger, lang: Lang): EventLog {
  return {
    lang,
    pino: logger,
    emit(name, fields) {
      const entry = catalogue[name] as unknown as EventSpec<typeof fields>;
      if (!logger.isLevelEnabled(entry.level)) return;
      logger[entry.level]({ event: name, ...(fields as object) } as object, entry[lang](fields));
    },
    enabled(level) {
      return logger.isLevelEnabled(level);
    },
    child(bindings) {
      return createEventLog(logger.child(bindings), lang);
    },
  };
}

export interface LabLogger {
  log: EventLog;
  /** Writes out everything buffered; resolve before the process exits so no line is lost. */
  flush(): Promise<void>;
}

function sinkStream(sink: LineSink, transform?: (line: string) => string): DestinationStream {
  return {
    write(line: string) {
      sink.write(transform ? transform(line) : line);
    },
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Log bytes a slow reader of stdout or stderr may leave queued in memory. Past it, lines for that
 * reader are dropped and counted (the JSON log file keeps every line), so that serving never waits
 * for whoever reads the terminal output.
 */
export const LOG_BACKLOG_BYTES = 1 << 20;

/** How long flushing (at a stop, at exit) waits for a reader that does not read. */
export const FLUSH_DEADLINE_MS = 1000;

/** What a line sink tells its logger about lines it could not write (reported once written again). */
export interface DropNotice {
  /** Lines lost, each whole: none was half written. */
  lines: number;
  bytes: number;
  /** From the first lost line to the moment writing worked again. */
  windowMs: number;
}

/** A destination for fd 1 or 2 that never blocks the program and keeps its backlog bounded. */
interface FdStream extends DestinationStream {
  /** Writes out everything queued, waiting for the reader at most `deadlineMs`. */
  flushSync(deadlineMs?: number): void;
}

const fdStreams = new Set<FdStream>();
let exitHook = false;

/**
 * Once anything touches `process.stdout`, Node makes a pipe or socket on fd 1 non-blocking, so a
 * write fails with EAGAIN whenever the reader (`docker logs`, a terminal, a pipe) is behind. A line
 * that does not fit waits in a queue, retried while the event loop goes on serving. A reader that
 * stops reading must not stop the server (nor its shutdown): past LOG_BACKLOG_BYTES new lines are
 * dropped, whole, and counted; once the queue is written out, `onDropped` gets the exact count so
 * the program can say what the reader missed. Lines keep their order; none is ever torn.
 */
function fdStream(fd: number, onDropped: (notice: DropNotice) => void): FdStream {
  let queue: Buffer[] = [];
  let queued = 0;
  let broken = false;
  let timer: NodeJS.Timeout | undefined;
  let retryMs = 1;
  let stuck = false;
  /** The next line is the drop notice: it is queued whatever the backlog, or it could be dropped too. */
  let notice = false;
  let dropped: DropNotice & { since: number } = { lines: 0, bytes: 0, windowMs: 0, since: 0 };

  function stop(): void {
    broken = true;
    queue = [];
    queued = 0;
  }

  /** Writes queued bytes until done, the reader is full, or `deadline` (ms since epoch) passes. */
  function drain(deadline: number): void {
    while (queue.length > 0 && !broken) {
      let n: number;
      try {
        n = writevSync(fd, queue.length > 1024 ? queue.slice(0, 1024) : queue);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN') {
          // EPIPE: the reader is gone (pino does the same); anything else (EIO from a vanished
          // terminal): nobody can read this output now. Keep serving either way.
          stop();
          return;
        }
        if (Date.now() >= deadline) return;
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      queued -= n;
      let drop = 0;
      while (drop < queue.length && n >= (queue[drop]?.length ?? 0)) n -= queue[drop++]?.length ?? 0;
      queue = queue.slice(drop);
      if (n > 0 && queue[0]) queue[0] = queue[0].subarray(n);
    }
    if (queue.length === 0 && dropped.lines > 0) {
      const report = { lines: dropped.lines, bytes: dropped.bytes, windowMs: Date.now() - dropped.since };
      dropped = { lines: 0, bytes: 0, windowMs: 0, since: 0 };
      // Not from inside a write: the notice is itself a log line that goes through this stream.
      setImmediate(() => {
        notice = true;
        onDropped(report);
        notice = false;
      });
    }
  }

  function retryLater(): void {
    if (timer || queue.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      const before = queued;
      drain(0);
      // A reader that stays away costs a few wakeups a second, not a thousand.
      retryMs = queued < before ? 1 : Math.min(retryMs * 2, 100);
      retryLater();
    }, retryMs);
    timer.unref(); // the exit hook writes out what is left
  }

  function enqueue(bytes: Buffer): void {
    queue.push(bytes);
    queued += bytes.length;
  }

  const stream: FdStream = {
    write(line: string) {
      if (broken) return;
      if (queue.length === 0) {
        try {
          const n = writeSync(fd, line);
          if (n === Buffer.byteLength(line)) return;
          enqueue(Buffer.from(line).subarray(n));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
            stop();
            return;
          }
          enqueue(Buffer.from(line));
        }
      } else {
        const bytes = Buffer.from(line);
        if (queued + bytes.length > LOG_BACKLOG_BYTES && !notice) {
          if (dropped.lines === 0) dropped.since = Date.now();
          dropped.lines++;
          dropped.bytes += bytes.length;
        } else {
          enqueue(bytes);
        }
      }
      notice = false;
      retryMs = 1;
      retryLater();
    },
    flushSync(deadlineMs = FLUSH_DEADLINE_MS) {
      clearTimeout(timer);
      timer = undefined;
      // A reader that already let one flush run out of time gets no second wait (e.g. at exit).
      const before = queued;
      drain(stuck ? 0 : Date.now() + deadlineMs);
      stuck = queue.length > 0 && queued >= before;
      retryLater();
    },
  };
  fdStreams.add(stream);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const s of fdStreams) s.flushSync();
    });
  }
  return stream;
}

/** The JSON log file: the lab's complete record, which a failing disk must not turn into a crash. */
interface FileSink extends DestinationStream {
  close(): void;
}

/**
 * Appends every line to `path` with a synchronous write (the record is complete and in order when
 * the program exits). A write that fails (ENOSPC on a full disk, EIO, /dev/full) is reported once
 * through `onFailed`; the lines are then counted, not written, and retried, so the first line that
 * fits again comes after an exact count of what is missing (`onRecovered`). A line cut short by
 * the failure is ended with a newline, so that it stays one (invalid) line of its own.
 */
function fileSink(
  path: string,
  onFailed: (err: NodeJS.ErrnoException) => void,
  onRecovered: (notice: DropNotice) => void,
): FileSink {
  mkdirSync(dirname(path), { recursive: true });
  const fresh = !existsSync(path);
  const fd = openSync(path, 'a');
  if (fresh && process.getuid?.() === 0) {
    // Root (the runner of a student's program) makes the file its folder owner's: the lab's other
    // programs, which run as that user (node in the image), append to it on the next run.
    try {
      const dir = statSync(dirname(path));
      fchownSync(fd, dir.uid, dir.gid);
    } catch {
      // kept as root's: the lab still writes it
    }
  }
  let failing: (DropNotice & { since: number; torn: boolean }) | undefined;

  return {
    write(line: string) {
      const bytes = Buffer.from(failing?.torn ? `\n${line}` : line);
      let written = 0;
      try {
        while (written < bytes.length) written += writeSync(fd, bytes, written);
      } catch (err) {
        if (!failing) {
          failing = { lines: 0, bytes: 0, windowMs: 0, since: Date.now(), torn: false };
          const e = err as NodeJS.ErrnoException;
          setImmediate(() => onFailed(e));
        }
        failing.lines++;
        failing.bytes += Buffer.byteLength(line);
        // A partial write leaves a torn line; a later write that fails to write anything does not mend it.
        if (written > 0) failing.torn = true;
        return;
      }
      if (failing) {
        const notice = { lines: failing.lines, bytes: failing.bytes, windowMs: Date.now() - failing.since };
        failing = undefined;
        setImmediate(() => onRecovered(notice));
      }
    },
    close() {
      closeSync(fd);
    },
  };
}

/**
 * Creates the root logger of a program: the only place a logger is made. Writes each line at once
 * (a line is on its way before the event that caused it goes further). Nothing outside the program
 * can make it wait: a reader of fd 1 or 2 that falls behind gets a bounded queue and then an exact
 * count of the lines it missed; a log file that cannot be written (a full disk) is reported once,
 * then counted. The file, when there is one, is the complete record.
 */
export function createLogger(options: LoggerOptions): LabLogger {
  const dest = options.destination ?? 1;
  const isTty = typeof dest === 'number' && Boolean((dest === 1 ? process.stdout : process.stderr).isTTY);
  const streams: pino.StreamEntry[] = [];
  const level = options.level === 'silent' ? 'silent' : options.level;
  // The notices below are themselves events; they are emitted once the logger exists.
  const late: { log?: EventLog } = {};

  let main: DestinationStream;
  let fdOut: FdStream | undefined;
  if (typeof dest === 'number') {
    const stream = dest === 2 ? 'stderr' : 'stdout';
    const fd = fdStream(dest, (n) =>
      late.log?.emit('log.lines.dropped', { stream, ...n, file: Boolean(file) }),
    );
    fdOut = fd;
    main =
      options.format === 'pretty'
        ? sinkStream(
            { write: (line) => fd.write(line) },
            prettyLine(options.colorize ?? isTty, {
              fields: level === 'debug',
              // A terminal's own width when it has one; else the default (a pipe, compose's output).
              width: isTty ? (dest === 1 ? process.stdout : process.stderr).columns || undefined : undefined,
            }),
          )
        : fd;
  } else {
    main =
      options.format === 'pretty'
        ? sinkStream(dest, prettyLine(options.colorize ?? false, { fields: level === 'debug' }))
        : sinkStream(dest);
  }
  streams.push({ stream: main, level: level === 'silent' ? 'fatal' : level });

  const path = options.file;
  const file = path
    ? fileSink(
        path,
        (err) =>
          late.log?.emit('log.file.failed', {
            file: path,
            code: err.code ?? 'EIO',
            message: describeErrno(err),
          }),
        (n) => late.log?.emit('log.file.recovered', { file: path, ...n }),
      )
    : undefined;
  // The JSON file is the lab report's record: keep debug events too, whatever the screen shows.
  if (file) streams.push({ stream: file, level: 'debug' });

  const root = pino(
    {
      level: file ? 'debug' : level === 'silent' ? 'silent' : level,
      base: {
        schema: LOG_SCHEMA,
        pid: process.pid,
        hostname: hostname(),
        ...(options.scenario ? { scenario: options.scenario } : {}),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    streams.length === 1 ? main : pino.multistream(streams, { dedupe: false }),
  );
  const log = createEventLog(root, options.lang);
  late.log = log;
  return {
    log,
    // The file is written synchronously; fd 1 or 2 may hold a queue, flushed within a deadline.
    flush: () => {
      fdOut?.flushSync();
      return new Promise((resolve) => root.flush(() => resolve()));
    },
  };
}

/** "no space left on device" for ENOSPC: the system's words without Node's "ENOSPC: ..., write". */
function describeErrno(err: NodeJS.ErrnoException): string {
  const m = /^[A-Z0-9]+: ([^,]+)/.exec(err.message);
  return m?.[1] ?? err.message;
}
