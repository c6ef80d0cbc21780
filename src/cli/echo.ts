import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { signGreeting } from '../classroom/signature.js';
import { LabError, errorFields, labError } from '../errors.js';
import type { ClientCloseReason } from '../log/events.js';
import { ECHO_CLIENT_DEFAULTS, type EchoClient, connectEcho } from '../tcp/echo-client.js';
import { ExitLineScanner } from '../text/byte-lines.js';
import { NUMBERED_INTERVAL_MS, NUMBERED_TEMPLATE, numberedLines } from '../text/numbered.js';
import { visible } from '../text/escape.js';
import { screenIn } from '../text/screen.js';
import {
  type LogCliOptions,
  collect,
  logOptions,
  makeLogger,
  onStopSignal,
  parseCount,
  parseHost,
  parsePort,
  parseSeconds,
  reportError,
} from './common.js';
import { type StudentCliOptions, studentOptions } from './student.js';
import { attachHint, createTerminal } from './terminal.js';

interface EchoCliOptions extends LogCliOptions, StudentCliOptions {
  host: string;
  port: number;
  chunkSize: number;
  say: string[];
  count: number;
  template: string;
  connectTimeout: number;
}

/**
 * Sends piped input byte for byte (see ExitLineScanner); resolves true when an `exit` line ended
 * it. Reading pauses while the socket's write queue is full, so a slow server holds the input back.
 */
async function sendPiped(input: NodeJS.ReadableStream, client: EchoClient): Promise<boolean> {
  const scanner = new ExitLineScanner();
  for await (const chunk of input) {
    for (const bytes of scanner.push(chunk as Buffer)) {
      if (!client.send(bytes)) await client.writable();
    }
    if (scanner.exited) return true;
  }
  for (const bytes of scanner.end()) client.send(bytes);
  return scanner.exited;
}

export function echoCommand(): Command {
  const cmd = new Command('echo')
    .description('TCP echo client: sends each line typed (or piped) and prints what comes back')
    .addOption(
      new Option('--host <address>', 'server address')
        .default(ECHO_CLIENT_DEFAULTS.host)
        .env('LAB_SERVER_HOST')
        .argParser(parseHost),
    )
    .addOption(
      new Option('--port <port>', 'server TCP port')
        .default(ECHO_CLIENT_DEFAULTS.port)
        .env('LAB_TCP_PORT')
        .argParser(parsePort),
    )
    .addOption(
      new Option('--chunk-size <bytes>', 'largest portion written at once')
        .default(ECHO_CLIENT_DEFAULTS.chunkSize)
        .env('LAB_CHUNK_SIZE')
        .argParser(parseCount(1, 1 << 20)),
    )
    .addOption(
      new Option('--say <line>', 'send this line first (repeatable), then read standard input')
        .argParser(collect)
        .default([]),
    )
    .addOption(
      new Option('--connect-timeout <seconds>', 'give up connecting after this long')
        .default(ECHO_CLIENT_DEFAULTS.connectTimeoutMs / 1000)
        .argParser(parseSeconds(1)),
    )
    .addOption(
      new Option('--count <n>', 'after the --say lines, send n numbered lines (--template), 100 ms apart')
        .default(0)
        .argParser(parseCount(0, 10_000)),
    )
    .addOption(
      new Option('--template <text>', 'the numbered lines: {i} is the number, {n} the count').default(
        NUMBERED_TEMPLATE,
      ),
    );
  for (const opt of [...studentOptions(), ...logOptions()]) cmd.addOption(opt);
  return cmd.action(async (o: EchoCliOptions) => {
    const screen = screenIn(o.lang);
    // Typed at a terminal: line editing, a prompt, the log above the input line. Otherwise stdin is
    // bytes to send as they are and stdout the echo as it is, so no line reader may touch stdin.
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    const term = interactive
      ? createTerminal(process.stdin, process.stdout, {
          attachHint: () => attachHint(screen('echo-client', {}), o.lang),
        })
      : undefined;
    // On a terminal the log shares the screen with the prompt, so it is printed above the input line.
    const { log, flush } = makeLogger(o, 2, term ? { write: (l) => term.print(l.trimEnd()) } : undefined);
    const decoder = new StringDecoder('utf8');
    let partial = '';
    const onData = (data: Buffer) => {
      if (!term) {
        // Scripted use: stdout is the echo, byte for byte. A reader slower than the echo holds the
        // socket back (TCP flow control) instead of making this process buffer without bound.
        if (process.stdout.write(data)) return true;
        process.stdout.once('drain', () => client?.resume());
        return false;
      }
      const lines = (partial + decoder.write(data)).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) term.print(`${screen('echo-prefix', {})}${visible(line)}`);
      return true;
    };
    let client: EchoClient | undefined;
    // One stop for every path (exit, end of input, a signal, even one during connect), run once.
    let finishing: Promise<void> | undefined;
    const finish = (why: ClientCloseReason) =>
      (finishing ??= (async () => {
        term?.close();
        if (client) {
          if (why !== 'signal') await client.drained().catch((err) => reportError('echo', err, o.lang));
          await client.close(why);
        }
        await flush();
      })());
    onStopSignal(() => finish('signal'));
    try {
      client = await connectEcho({
        host: o.host,
        port: o.port,
        chunkSize: o.chunkSize,
        connectTimeoutMs: o.connectTimeout * 1000,
        onData,
        log,
      });
    } catch (err) {
      term?.close();
      log.emit(
        'client.error',
        err instanceof LabError
          ? errorFields(err)
          : {
              code: (err as { code?: string }).code ?? 'LAB_ERR_SOCKET',
              message: String((err as Error).message),
            },
      );
      await flush();
      reportError('echo', err, o.lang);
      return;
    }
    term?.print(attachHint(screen('echo-connected', { remote: client.remote, local: client.local }), o.lang));
    let reason: ClientCloseReason = 'end-of-input';
    const connected = client;
    let closedEarly = false;
    void client.closed.then(() => {
      closedEarly = true;
      term?.close();
      if (!term) process.stdin.destroy(); // nothing more can be sent: stop waiting for input
    });
    try {
      for (const line of o.say) connected.send(`${signGreeting(line, o.student, o.group)}\n`);
      for (const line of numberedLines(o.template, o.count)) {
        await sleep(NUMBERED_INTERVAL_MS);
        if (closedEarly) break;
        connected.send(`${line}\n`);
      }
      if (term) {
        for await (const line of term.lines()) {
          if (line.trim() === 'exit') {
            reason = 'user-exit';
            break;
          }
          connected.send(`${line}\n`);
        }
      } else if (await sendPiped(process.stdin, connected)) {
        reason = 'user-exit';
      }
    } catch (err) {
      // After a refusal, sends fail too; the refusal itself is what the user is shown, below.
      if (connected.refusal()) closedEarly = true;
      else if (!closedEarly) reportError('echo', err, o.lang);
    }
    if (!closedEarly) {
      await finish(term?.interrupted ? 'signal' : reason);
      return;
    }
    await flush();
    reportError(
      'echo',
      // A server that refused the connection said why in one line: show that, not a bare close.
      connected.refusal() ?? labError('server-closed', { remote: connected.remote }),
      o.lang,
    );
  });
}
