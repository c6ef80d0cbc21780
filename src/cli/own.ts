import { Command, Option } from 'commander';
import { OWN_ROLES, type OwnRole } from '../log/own-events.js';
import { SCREEN_TEXTS } from '../text/screen.js';
import { say } from '../text/catalogue.js';
import { attachHint } from './terminal.js';
import { probeChatServer } from '../own/probe.js';
import { OWN_DEFAULTS, commandVariable, portVariable, runOwnProgram } from '../own/runner.js';
import {
  type LogCliOptions,
  logOptions,
  makeLogger,
  onStopSignal,
  parseHost,
  parsePort,
  parseSeconds,
  reportError,
} from './common.js';

interface OwnCliOptions extends LogCliOptions {
  role: OwnRole;
  command?: string;
  dir: string;
  host?: string;
  port?: number;
  nick?: string;
  say?: string;
  trace: 'on' | 'off' | 'auto';
  grace: number;
  probe: 'on' | 'off';
  exitAfter?: number;
  user?: string;
}

/** Default ports of the roles, as the contract gives them (LAB_OWN_ECHO_PORT, LAB_OWN_CHAT_PORT). */
const DEFAULT_PORT: Record<OwnRole, number> = {
  'echo-server': 7007,
  'echo-client': 7007,
  'chat-server': 7008,
  'chat-client': 7008,
};

export function ownCommand(): Command {
  const cmd = new Command('own')
    .description(
      "run a student's own program (echo or chat, server or client), tracing its socket calls with strace",
    )
    .addOption(new Option('--role <role>', 'which program this is').choices(OWN_ROLES).makeOptionMandatory())
    .addOption(
      new Option(
        '--command <template>',
        'the command, with {host} {port} {nick} placeholders (default: LAB_OWN_ECHO_SERVER, LAB_OWN_ECHO_CLIENT, LAB_OWN_CHAT_SERVER or LAB_OWN_CHAT_CLIENT by role)',
      ),
    )
    .addOption(
      new Option('--dir <dir>', "the program's folder: its working directory")
        .env('LAB_OWN_DIR_IN_CONTAINER')
        .default('/own'),
    )
    .addOption(new Option('--host <host>', 'the server to dial ({host})').argParser(parseHost))
    .addOption(
      new Option(
        '--port <port>',
        `the port ({port}; default ${portVariable('echo-server')} or ${portVariable('chat-server')} by role)`,
      ).argParser(parsePort),
    )
    .addOption(new Option('--nick <nick>', 'the chat nick ({nick})').env('LAB_OWN_NICK'))
    .addOption(new Option('--say <text>', "a first line written to the program's stdin"))
    .addOption(
      new Option('--trace <mode>', 'trace socket calls with strace (auto: when strace is installed)')
        .choices(['on', 'off', 'auto'])
        .default('auto')
        .env('LAB_OWN_TRACE'),
    )
    .addOption(
      new Option(
        '--user <name>',
        'run the program as this user, apart from the lab (only when the lab runs as root; the image sets student)',
      ).env('LAB_OWN_USER'),
    )
    .addOption(
      new Option('--grace <seconds>', 'after SIGTERM, seconds before SIGKILL')
        .default(OWN_DEFAULTS.graceMs / 1000)
        .argParser(parseSeconds(1)),
    )
    .addOption(
      new Option(
        '--probe <mode>',
        'chat server: once its UDP socket is bound, send it a datagram that is not UTF-8, an empty one and one of 65,507 bytes (the odd-datagrams check)',
      )
        .choices(['on', 'off'])
        .default('on')
        .env('LAB_OWN_PROBE'),
    )
    .addOption(
      new Option(
        '--exit-after <seconds>',
        'type `exit` into the program this long after its start',
      ).argParser(parseSeconds(0)),
    );
  for (const opt of logOptions()) cmd.addOption(opt);
  return cmd.action(async (o: OwnCliOptions) => {
    const { log, flush } = makeLogger(o, 2);
    try {
      const command = o.command ?? process.env[commandVariable(o.role)];
      const envPort = process.env[portVariable(o.role)];
      const port =
        o.port ?? (envPort !== undefined && envPort !== '' ? parsePort(envPort) : DEFAULT_PORT[o.role]);
      const run = runOwnProgram({
        role: o.role,
        command: command ?? '',
        dir: o.dir,
        host: o.host,
        port,
        nick: o.nick,
        scenario: o.scenario,
        say: o.say,
        trace: o.trace === 'auto' ? 'auto' : o.trace === 'on',
        log: log.child({ component: 'own' }),
        stdin: process.stdin,
        relay: { stdout: process.stdout, stderr: process.stderr },
        graceMs: o.grace * 1000,
        ...(o.exitAfter !== undefined ? { exitAfterMs: o.exitAfter * 1000 } : {}),
        user: o.user !== undefined && o.user !== '' ? o.user : undefined,
      });
      // A person attaching to a client's container (docker attach resizes the terminal) gets the
      // same hint as with our clients: how to end and how to detach. Once settled, like theirs.
      if (o.role.endsWith('-client') && process.stdout.isTTY) {
        let timer: NodeJS.Timeout | undefined;
        process.stdout.on('resize', () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            const what = say(SCREEN_TEXTS, 'own-client', { chat: o.role === 'chat-client' }, o.lang);
            process.stdout.write(`\r\n${attachHint(what, o.lang)}\r\n`);
          }, 400);
          timer.unref();
        });
      }
      if (o.role === 'chat-server' && o.probe === 'on') {
        void run.listening.then(async (local) => {
          if (local === undefined) return;
          // The address the server bound, or loopback when it bound every address (0.0.0.0).
          const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(local);
          const host = m === null || m[1] === '0.0.0.0' ? '127.0.0.1' : m[1]!;
          try {
            await probeChatServer({
              host,
              port: m ? Number(m[2]) : port,
              log: log.child({ component: 'own' }),
            });
          } catch (err) {
            log.emit('own.probe.failed', { role: o.role, detail: String(err) });
          }
        });
      }
      onStopSignal(
        async () => {
          await run.stop();
          await flush();
        },
        o.grace * 1000 + 3000,
      );
      await run.done;
      await flush();
      // The program's own exit code is in own.program.exited; the runner did its job.
      process.exit(0);
    } catch (err) {
      await flush();
      reportError('own', err, o.lang);
    }
  });
}
