import { mkdirSync, writeSync, writevSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import {
  type EventFields,
  type EventName,
  type EventSpec,
  type Lang,
  LOG_SCHEMA,
  type Level,
  catalogue,
} from './events.js';
import { prettyLine } from './pretty.js';

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

/** Log bytes a slow reader may leave queued in memory before the program waits for it. */
export const LOG_BACKLOG_BYTES = 1 << 20;

/** A destination for fd 1 or 2 that never loses a line and keeps its backlog bounded. */
interface FdStream extends DestinationStream {
  /** Writes out everything queued, waiting for the reader if need be. */
  flushSync(): void;
}

const fdStreams = new Set<FdStream>();
let exitHook = false;

/**
 * Once anything touches `process.stdout`, Node makes a pipe or socket on fd 1 non-blocking, so a
 * write fails with EAGAIN whenever the reader (`docker logs`, a terminal, a benchmark) is behind.
 * pino's synchronous destination then sleeps 100 ms per attempt, freezing every connection of the
 * server. Here a line that does not fit waits in a queue, retried every millisecond while the
 * event loop goes on serving; only past LOG_BACKLOG_BYTES does the program wait for the reader,
 * so memory stays bounded. Lines keep their order, and the queue is written out on flush and at
 * exit, so none is lost.
 */
function fdStream(fd: number): FdStream {
  let queue: Buffer[] = [];
  let queued = 0;
  let broken = false;
  let timer: NodeJS.Timeout | undefined;

  /** Writes queued bytes until done or, unless `wait`, until the reader is full. */
  function drain(wait: boolean): void {
    while (queue.length > 0 && !broken) {
      let n: number;
      try {
        n = writevSync(fd, queue.length > 1024 ? queue.slice(0, 1024) : queue);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          // The reader is gone (pino does the same): nobody can read the log now, keep serving.
          broken = true;
          queue = [];
          queued = 0;
          return;
        }
        if (code !== 'EAGAIN') throw err;
        if (!wait) return;
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      queued -= n;
      let drop = 0;
      while (drop < queue.length && n >= (queue[drop]?.length ?? 0)) n -= queue[drop++]?.length ?? 0;
      queue = queue.slice(drop);
      if (n > 0 && queue[0]) queue[0] = queue[0].subarray(n);
    }
  }

  function retryLater(): void {
    if (timer || queue.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      drain(false);
      retryLater();
    }, 1);
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
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EPIPE') {
            broken = true;
            return;
          }
          if (code !== 'EAGAIN') throw err;
          enqueue(Buffer.from(line));
        }
      } else {
        enqueue(Buffer.from(line));
      }
      if (queued > LOG_BACKLOG_BYTES) drain(true);
      else retryLater();
    },
    flushSync() {
      clearTimeout(timer);
      timer = undefined;
      drain(true);
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

/**
 * Creates the root logger of a program: the only place a logger is made. Writes each line at once
 * (a line is on its way before the event that caused it goes further); on fd 1 or 2, a reader that
 * falls behind gets a bounded queue, written out in order on flush and at exit, so nothing is lost.
 */
export function createLogger(options: LoggerOptions): LabLogger {
  const dest = options.destination ?? 1;
  const isTty = typeof dest === 'number' && Boolean((dest === 1 ? process.stdout : process.stderr).isTTY);
  const streams: pino.StreamEntry[] = [];
  const level = options.level === 'silent' ? 'silent' : options.level;

  let main: DestinationStream;
  let fdOut: FdStream | undefined;
  if (typeof dest === 'number') {
    const fd = fdStream(dest);
    fdOut = fd;
    main =
      options.format === 'pretty'
        ? sinkStream(
            { write: (line) => fd.write(line) },
            prettyLine(options.colorize ?? isTty, { fields: level === 'debug' }),
          )
        : fd;
  } else {
    main =
      options.format === 'pretty'
        ? sinkStream(dest, prettyLine(options.colorize ?? false, { fields: level === 'debug' }))
        : sinkStream(dest);
  }
  streams.push({ stream: main, level: level === 'silent' ? 'fatal' : level });

  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    // The JSON file is the lab report's record: keep debug events too, whatever the screen shows.
    streams.push({
      stream: pino.destination({ dest: options.file, sync: true, append: true }),
      level: 'debug',
    });
  }

  const root = pino(
    {
      level: options.file ? 'debug' : level === 'silent' ? 'silent' : level,
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
  return {
    log: createEventLog(root, options.lang),
    // The file destination is synchronous; fd 1 or 2 may hold a queue for a slow reader.
    flush: () => {
      fdOut?.flushSync();
      return new Promise((resolve) => root.flush(() => resolve()));
    },
  };
}
