import { Command, Option } from 'commander';
import { LabError } from '../errors.js';
import { ECHO_DEFAULTS, createEchoServer, type EchoServer } from '../tcp/echo-server.js';
import { CHAT_DEFAULTS, createChatServer, type ChatServer } from '../udp/chat-server.js';
import { VERSION } from '../version.js';
import {
  type LogCliOptions,
  logOptions,
  makeLogger,
  onStopSignal,
  parseCount,
  parseHost,
  parsePort,
  parseSeconds,
  reportError,
} from './common.js';

interface ServerCliOptions extends LogCliOptions {
  host: string;
  tcpPort: number;
  udpPort: number;
  chunkSize: number;
  maxConnections: number;
  maxPerAddress: number;
  connectionLines: number;
  idleTimeout: number;
  maxLifetime: number;
  stallTimeout: number;
  portionLines: number;
  memberTimeout: number;
  membersPerAddress: number;
  ownEchoServer?: string;
  ownChatServer?: string;
}

/** A student's own server command, when one is set (compose passes an unset one as ''). */
const ownCommand = (value: string | undefined): boolean => (value ?? '').trim() !== '';

export function serverCommand(): Command {
  const cmd = new Command('server')
    .description('run the TCP echo server and the UDP chat server in one process')
    .addOption(
      new Option('--host <address>', 'address to bind (0.0.0.0: every address of this machine)')
        .default(ECHO_DEFAULTS.host)
        .env('LAB_HOST')
        .argParser(parseHost),
    )
    .addOption(
      new Option('--tcp-port <port>', 'TCP echo port (0: any free port)')
        .default(ECHO_DEFAULTS.port)
        .env('LAB_TCP_PORT')
        .argParser(parsePort),
    )
    .addOption(
      new Option('--udp-port <port>', 'UDP chat port (0: any free port)')
        .default(CHAT_DEFAULTS.port)
        .env('LAB_UDP_PORT')
        .argParser(parsePort),
    )
    .addOption(
      new Option(
        '--chunk-size <bytes>',
        'the server slices each read (up to 64 KiB) into portions of at most this many bytes, logged one by one (not TCP segments: the MSS sizes those)',
      )
        .default(ECHO_DEFAULTS.chunkSize)
        .env('LAB_CHUNK_SIZE')
        .argParser(parseCount(1, 1 << 20)),
    )
    .addOption(
      new Option('--max-connections <n>', 'TCP connections over this many are closed at once')
        .default(ECHO_DEFAULTS.maxConnections)
        .env('LAB_MAX_CONNECTIONS')
        .argParser(parseCount(1)),
    )
    .addOption(
      new Option(
        '--max-per-address <n>',
        'TCP connections one IP address may hold at once (a class behind one NAT address needs more)',
      )
        .default(ECHO_DEFAULTS.maxConnectionsPerAddress)
        .env('LAB_MAX_PER_ADDRESS')
        .argParser(parseCount(1)),
    )
    .addOption(
      new Option('--idle-timeout <seconds>', 'close a TCP connection silent this long (0: never)')
        .default(ECHO_DEFAULTS.idleTimeoutMs / 1000)
        .env('LAB_IDLE_TIMEOUT')
        .argParser(parseSeconds(0)),
    )
    .addOption(
      new Option('--max-lifetime <seconds>', 'close any TCP connection this old (0: never)')
        .default(ECHO_DEFAULTS.maxLifetimeMs / 1000)
        .env('LAB_MAX_LIFETIME')
        .argParser(parseSeconds(0)),
    )
    .addOption(
      new Option(
        '--stall-timeout <seconds>',
        'close a TCP client that stops reading its echo for this long (0: never)',
      )
        .default(ECHO_DEFAULTS.stallTimeoutMs / 1000)
        .env('LAB_STALL_TIMEOUT')
        .argParser(parseSeconds(0)),
    )
    .addOption(
      new Option(
        '--portion-lines <n>',
        'per connection, log at most n portions a second one by one, then exact summaries (0: summaries only)',
      )
        .default(ECHO_DEFAULTS.portionLinesPerSecond)
        .env('LAB_PORTION_LINES')
        .argParser(parseCount(0)),
    )
    .addOption(
      new Option(
        '--connection-lines <n>',
        'log at most n TCP connections a second one by one (accepted, closed, refused), then exact summaries',
      )
        .default(ECHO_DEFAULTS.connectionLinesPerSecond)
        .env('LAB_CONNECTION_LINES')
        .argParser(parseCount(0)),
    )
    .addOption(
      new Option(
        '--member-timeout <seconds>',
        'remove a chat member silent this long (at least 12: clients send a PING every 5 s)',
      )
        .default(CHAT_DEFAULTS.memberTimeoutMs / 1000)
        .env('LAB_MEMBER_TIMEOUT')
        .argParser(parseSeconds(12)),
    )
    .addOption(
      new Option(
        '--members-per-address <n>',
        'chat members one IP address may have at once (a class behind one NAT address needs more)',
      )
        .default(CHAT_DEFAULTS.maxMembersPerAddress)
        .env('LAB_MEMBERS_PER_ADDRESS')
        .argParser(parseCount(1)),
    )
    // In Docker a student's own server shares this server's network namespace and takes the port
    // of the part it replaces (docker-compose.yml, docs/own-programs.md): that part stays off here.
    .addOption(
      new Option(
        '--own-echo-server <command>',
        "a student's echo server serves the TCP port: no TCP echo here",
      )
        .env('LAB_OWN_ECHO_SERVER')
        .hideHelp(),
    )
    .addOption(
      new Option(
        '--own-chat-server <command>',
        "a student's chat server serves the UDP port: no UDP chat here",
      )
        .env('LAB_OWN_CHAT_SERVER')
        .hideHelp(),
    );
  for (const opt of logOptions()) cmd.addOption(opt);
  return cmd.action(async (o: ServerCliOptions) => {
    const { log, flush } = makeLogger(o, 1);
    const config = {
      host: o.host,
      tcpPort: o.tcpPort,
      udpPort: o.udpPort,
      chunkSize: o.chunkSize,
      maxConnections: o.maxConnections,
      maxPerAddress: o.maxPerAddress,
      idleTimeout: o.idleTimeout,
      maxLifetime: o.maxLifetime,
      stallTimeout: o.stallTimeout,
      memberTimeout: o.memberTimeout,
      membersPerAddress: o.membersPerAddress,
      lang: o.lang,
      ...(o.scenario ? { scenario: o.scenario } : {}),
    };
    log.emit('server.starting', { version: VERSION, config });
    let tcp: EchoServer | undefined;
    let udp: ChatServer | undefined;
    const ownEcho = ownCommand(o.ownEchoServer);
    const ownChat = ownCommand(o.ownChatServer);
    if (ownEcho)
      log.emit('server.replaced', { protocol: 'tcp', port: o.tcpPort, setting: 'LAB_OWN_ECHO_SERVER' });
    if (ownChat)
      log.emit('server.replaced', { protocol: 'udp', port: o.udpPort, setting: 'LAB_OWN_CHAT_SERVER' });
    try {
      if (!ownEcho)
        tcp = await createEchoServer({
          host: o.host,
          port: o.tcpPort,
          chunkSize: o.chunkSize,
          maxConnections: o.maxConnections,
          maxConnectionsPerAddress: o.maxPerAddress,
          connectionLinesPerSecond: o.connectionLines,
          idleTimeoutMs: o.idleTimeout * 1000,
          maxLifetimeMs: o.maxLifetime * 1000,
          stallTimeoutMs: o.stallTimeout * 1000,
          portionLinesPerSecond: o.portionLines,
          log,
        });
      if (!ownChat)
        udp = await createChatServer({
          host: o.host,
          port: o.udpPort,
          memberTimeoutMs: o.memberTimeout * 1000,
          maxMembersPerAddress: o.membersPerAddress,
          log,
        });
    } catch (err) {
      const e = err instanceof LabError ? err : new LabError('LAB_ERR_SOCKET', String(err));
      log.emit('server.error', { code: e.code, message: e.message });
      await tcp?.close(0);
      await flush();
      reportError('server', err, o.lang);
      return;
    }
    const [t, u] = [tcp, udp];
    // With both parts replaced this process only holds the network namespace the students' servers
    // share: nothing else would keep it alive until the stop signal.
    const hold = t || u ? undefined : setInterval(() => undefined, 1 << 30);
    onStopSignal(async (signal) => {
      const started = Date.now();
      clearInterval(hold);
      log.emit('server.stopping', {
        signal,
        openConnections: t?.openConnections() ?? 0,
        members: u?.members() ?? 0,
      });
      await Promise.all([t?.close(3000), u?.close()]);
      log.emit('server.stopped', {
        signal,
        openConnections: t?.openConnections() ?? 0,
        members: u?.members() ?? 0,
        durationMs: Date.now() - started,
      });
      await flush();
    });
  });
}
