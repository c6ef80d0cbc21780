import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import {
  type EventFields,
  type EventName,
  type EventSpec,
  type Lang,
  LOG_SCHEMA,
  type Level,
  catalogue,
} from './events.js';

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

/** Formats one JSON log line as the single pretty line a person reads. */
export function prettyLine(colorize: boolean): (line: string) => string {
  const format = pinoPretty.prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,component,scenario,event,schema',
    messageFormat: (log, messageKey) => {
      const where = [log.component, log.scenario].filter(Boolean).join('/');
      return `${where ? `[${where}] ` : ''}${String(log.event ?? '')} · ${String(log[messageKey] ?? '')}`;
    },
  });
  return format;
}

function sinkStream(sink: LineSink, transform?: (line: string) => string): DestinationStream {
  return {
    write(line: string) {
      sink.write(transform ? transform(line) : line);
    },
  };
}

/**
 * Creates the root logger of a program: the only place a logger is made. Writes synchronously, so
 * a line is on its way before the event that caused it goes further, and nothing is lost at exit.
 */
export function createLogger(options: LoggerOptions): LabLogger {
  const dest = options.destination ?? 1;
  const isTty = typeof dest === 'number' && Boolean((dest === 1 ? process.stdout : process.stderr).isTTY);
  const streams: pino.StreamEntry[] = [];
  const level = options.level === 'silent' ? 'silent' : options.level;

  let main: DestinationStream;
  if (typeof dest === 'number') {
    const fd = pino.destination({ dest, sync: true });
    main =
      options.format === 'pretty'
        ? sinkStream({ write: (line) => fd.write(line) }, prettyLine(options.colorize ?? isTty))
        : fd;
  } else {
    main =
      options.format === 'pretty'
        ? sinkStream(dest, prettyLine(options.colorize ?? false))
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
    // Every destination is synchronous: a written line is already with the kernel.
    flush: () => new Promise((resolve) => root.flush(() => resolve())),
  };
}
