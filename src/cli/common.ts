import { InvalidArgumentError, Option } from 'commander';
import { LabError } from '../errors.js';
import { LANGS, type Lang, type Level } from '../log/events.js';
import { localizeError } from '../text/errors-ru.js';
import { type LabLogger, type LineSink, type LogFormat, createLogger } from '../log/logger.js';

/** Value parsers: plain functions that throw InvalidArgumentError with the rule that was broken. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return n;
}

export function parseCount(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

export function parseHost(value: string): string {
  if (!/^[A-Za-z0-9.:_-]+$/.test(value)) {
    throw new InvalidArgumentError('expected a host name or an IP address, e.g. 127.0.0.1 or server.');
  }
  return value;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export interface LogCliOptions {
  logFormat?: LogFormat;
  logLevel: Level | 'silent';
  lang: Lang;
  scenario?: string;
  logFile?: string;
}

/** The logging options every subcommand shares, each also read from a LAB_* environment variable. */
export function logOptions(): Option[] {
  return [
    new Option(
      '--log-format <format>',
      'log lines as JSON objects or pretty text (default: pretty on a terminal)',
    )
      .choices(['json', 'pretty'])
      .env('LAB_LOG_FORMAT'),
    new Option('--log-level <level>', 'lowest level logged')
      .choices(['debug', 'info', 'warn', 'error', 'silent'])
      .default('info')
      .env('LAB_LOG_LEVEL'),
    new Option('--lang <lang>', 'language of the explanations').choices(LANGS).default('en').env('LAB_LANG'),
    new Option('--scenario <name>', 'label added to every log line (local, vm, remote, ...)').env(
      'LAB_SCENARIO',
    ),
    new Option('--log-file <path>', 'also append every event as JSON to this file').env('LAB_LOG_FILE'),
  ];
}

/** Creates the program's root logger from the shared options; `fd` is where the log goes by default. */
export function makeLogger(o: LogCliOptions, fd: 1 | 2, sink?: LineSink): LabLogger {
  const stream = fd === 1 ? process.stdout : process.stderr;
  try {
    return createLogger({
      format: o.logFormat ?? (stream.isTTY ? 'pretty' : 'json'),
      level: o.logLevel,
      lang: o.lang,
      scenario: o.scenario,
      destination: sink ?? fd,
      colorize: Boolean(stream.isTTY),
      file: o.logFile,
    });
  } catch (err) {
    throw new LabError(
      'LAB_ERR_BAD_INPUT',
      `cannot write the log file ${o.logFile}: ${(err as Error).message} (check --log-file / LAB_LOG_FILE)`,
      { cause: err },
    );
  }
}

/** Prints an error as one sentence (never a stack trace for errors we expect) and sets the exit code. */
export function reportError(command: string, err: unknown, lang: Lang = 'en'): void {
  const text =
    err instanceof LabError || err instanceof TypeError
      ? localizeError(err, lang)
      : `unexpected error: ${String(err)}`;
  process.stderr.write(`socket-lab ${command}: ${text}\n`);
  if (!(err instanceof LabError || err instanceof TypeError) && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
  }
  process.exitCode = err instanceof TypeError ? 2 : 1;
}

/**
 * SIGINT and SIGTERM run `stop` once (under `deadlineMs`), then exit 0; a second signal, or a stop
 * that overruns its deadline, exits at once with code 1.
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => Promise<void>, deadlineMs = 8000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`socket-lab: second ${signal}: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    const timer = setTimeout(() => {
      process.stderr.write(`socket-lab: could not stop within ${deadlineMs} ms: exiting now\n`);
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    stop(signal).then(
      () => process.exit(0),
      (err) => {
        reportError('stop', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
