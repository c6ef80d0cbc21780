import { CHAT_PROTOCOLS, type ChatProtocol, defaultChatProtocol } from '../udp/plain.js';
import { InvalidArgumentError, Option } from 'commander';
import { LabError, USAGE_ERRORS, labError, localizeError } from '../errors.js';
import { MAX_TIMER_SECONDS } from '../options.js';
import { type Level } from '../log/events.js';
import { LANGS, type Lang } from '../text/lang.js';
import { visible } from '../text/escape.js';
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

/**
 * Parser for a duration in whole seconds: one rule for every timeout option. Node's timers hold at
 * most 2^31-1 ms (MAX_TIMER_SECONDS, about 24.8 days); a longer value would fire after 1 ms.
 */
export function parseSeconds(min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) {
      throw new InvalidArgumentError(`expected a whole number of seconds, at least ${min}.`);
    }
    if (n > MAX_TIMER_SECONDS) {
      throw new InvalidArgumentError(
        `at most ${MAX_TIMER_SECONDS} seconds (about 24 days): Node.js timers cannot wait longer${min === 0 ? '; 0 turns it off' : ''}.`,
      );
    }
    return n;
  };
}

export function parseHost(value: string): string {
  // `--host=-lvp` would become an option of the program the host goes to (a student's own one).
  if (value.startsWith('-')) {
    throw new InvalidArgumentError(
      labError('own-placeholder-option', { key: 'host', value: JSON.stringify(value) }).message,
    );
  }
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
    throw labError(
      'log-file-unwritable',
      { file: o.logFile ?? '', reason: (err as Error).message },
      { cause: err },
    );
  }
}

/**
 * The language the user asked for, read without commander (an error can end the program before or
 * outside a subcommand's options): `--lang ru` or `--lang=ru`, else LAB_LANG, else English.
 */
export function langOf(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Lang {
  const i = argv.indexOf('--lang');
  const given = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--lang='))?.slice('--lang='.length);
  const lang = given ?? env.LAB_LANG;
  return LANGS.includes(lang as Lang) ? (lang as Lang) : 'en';
}

/** Exit code of a failure that is socket-lab's own bug, not the user's (sysexits' EX_SOFTWARE). */
export const EXIT_BUG = 70;

/**
 * Prints an error and sets the exit code. A LabError is something the user can act on: one
 * sentence, no stack, exit 2 for a wrong use of the command and 1 for a runtime failure. Anything
 * else is a bug in socket-lab and says so, with the stack when `--debug` or LAB_DEBUG=1 asks.
 */
export function reportError(command: string, err: unknown, lang: Lang = 'en'): void {
  const prefix = command ? `socket-lab ${command}` : 'socket-lab';
  if (err instanceof LabError) {
    // The message names what the user gave (a path, a host): shown terminal-safe.
    process.stderr.write(`${prefix}: ${visible(localizeError(err, lang))}\n`);
    process.exitCode = USAGE_ERRORS.has(err.code) ? 2 : 1;
    return;
  }
  const text = visible(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  const debug = process.env.LAB_DEBUG === '1' || process.argv.includes('--debug');
  process.stderr.write(`${prefix}: internal error, a bug in socket-lab: ${text}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write(`${prefix}: run it again with LAB_DEBUG=1 for the stack trace, and report it\n`);
  process.exitCode = EXIT_BUG;
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

/** `--protocol` of the chat (server and client); an empty value (compose's unset setting) is the default. */
export function parseChatProtocol(value: string): ChatProtocol {
  // Compose passes an unset LAB_CHAT_PROTOCOL as an empty string: the default then decides.
  if (value.trim() === '') return defaultChatProtocol();
  if ((CHAT_PROTOCOLS as readonly string[]).includes(value)) return value as ChatProtocol;
  throw new InvalidArgumentError(`one of: ${CHAT_PROTOCOLS.join(', ')}.`);
}
