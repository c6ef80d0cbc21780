import { Command, Option } from 'commander';
import { LabError, errorFields } from '../errors.js';
import { ECHO_DEFAULTS, createEchoServer, type EchoServer } from '../tcp/echo-server.js';
import { CHAT_DEFAULTS, createChatServer, type ChatServer } from '../udp/chat-server.js';
import { type ChatProtocol, PLAIN_MEMBER_TIMEOUT_MS, defaultChatProtocol } from '../udp/plain.js';
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
  parseChatProtocol,
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
  maxMembers: number;
  classSize: number;
  protocol: ChatProtocol;
  ownEchoServer?: string;
  ownChatServer?: string;
}

/** The limits a class size may raise. */
export interface ClassLimits {
  maxConnections: number;
  maxPerAddress: number;
  maxMembers: number;
  membersPerAddress: number;
  connectionLines: number;
}

/**
 * Places per student that `--class-size` reserves on one address: the student's client, and one
 * more for a reconnect while the server still holds the old one (a TCP connection dropped without
 * FIN stays until the idle timeout, a chat member that vanished until the member timeout).
 */
export const PLACES_PER_STUDENT = 2;
/**
 * Connection lines a second per student that `--class-size` allows: a class starting in the same
 * seconds logs each connection's accepted and closed lines without falling back to summaries, which
 * a student's `--server-log` report could not pair with their own connection.
 */
export const LINES_PER_STUDENT = 10;

/**
 * The limits for a class of `classSize` students behind one address (0: no class size). It only
 * raises: a limit set higher by hand stays, and a total is never below its per-address limit.
 */
export function limitsForClass(classSize: number, given: ClassLimits): ClassLimits {
  if (classSize <= 0) return given;
  const perAddress = classSize * PLACES_PER_STUDENT;
  const maxPerAddress = Math.max(given.maxPerAddress, perAddress);
  const membersPerAddress = Math.max(given.membersPerAddress, perAddress);
  return {
    maxPerAddress,
    membersPerAddress,
    maxConnections: Math.max(given.maxConnections, maxPerAddress),
    maxMembers: Math.max(given.maxMembers, membersPerAddress),
    connectionLines: Math.max(given.connectionLines, classSize * LINES_PER_STUDENT),
  };
}

/** `--class-size`: a whole number; empty (LAB_CLASS_SIZE= in .env, as compose passes it unset) is 0. */
function parseClassSize(value: string): number {
  return value.trim() === '' ? 0 : parseCount(0, 10_000)(value.trim());
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
        '--protocol <name>',
        "UDP chat protocol: lab (join with a cookie handshake) or plain (the course's: every datagram goes to every other sender; docs/protocol.md)",
      )
        .argParser(parseChatProtocol)
        .default(defaultChatProtocol())
        .env('LAB_CHAT_PROTOCOL'),
    )
    .addOption(
      new Option(
        '--member-timeout <seconds>',
        `remove a chat member silent this long (at least 12: clients send a PING every 5 s; with --protocol plain the default is ${PLAIN_MEMBER_TIMEOUT_MS / 1000})`,
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
    .addOption(
      new Option('--max-members <n>', 'chat members at once, from every address together')
        .default(CHAT_DEFAULTS.maxMembers)
        .env('LAB_MAX_MEMBERS')
        .argParser(parseCount(2)),
    )
    .addOption(
      new Option(
        '--class-size <n>',
        `students who may dial this server from one address (a class behind one NAT): raises the per-address limits to ${PLACES_PER_STUDENT} places a student (room for reconnects) and the connection lines to ${LINES_PER_STUDENT} a student (0: not set)`,
      )
        .default(0)
        .env('LAB_CLASS_SIZE')
        .argParser(parseClassSize),
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
    const limits = limitsForClass(o.classSize, {
      maxConnections: o.maxConnections,
      maxPerAddress: o.maxPerAddress,
      maxMembers: o.maxMembers,
      membersPerAddress: o.membersPerAddress,
      connectionLines: o.connectionLines,
    });
    // Plain clients send no PING: unless the user chose a timeout, plain mode keeps its own default.
    const memberTimeout =
      o.protocol === 'plain' && cmd.getOptionValueSource('memberTimeout') === 'default'
        ? PLAIN_MEMBER_TIMEOUT_MS / 1000
        : o.memberTimeout;
    const config = {
      host: o.host,
      tcpPort: o.tcpPort,
      udpPort: o.udpPort,
      chunkSize: o.chunkSize,
      ...(o.classSize > 0 ? { classSize: o.classSize } : {}),
      maxConnections: limits.maxConnections,
      maxPerAddress: limits.maxPerAddress,
      connectionLines: limits.connectionLines,
      idleTimeout: o.idleTimeout,
      maxLifetime: o.maxLifetime,
      stallTimeout: o.stallTimeout,
      memberTimeout,
      membersPerAddress: limits.membersPerAddress,
      maxMembers: limits.maxMembers,
      chatProtocol: o.protocol,
      lang: o.lang,
      ...(o.scenario ? { scenario: o.scenario } : {}),
    };
    let tcp: EchoServer | undefined;
    let udp: ChatServer | undefined;
    const ownEcho = ownCommand(o.ownEchoServer);
    const ownChat = ownCommand(o.ownChatServer);
    log.emit('server.starting', {
      version: VERSION,
      config,
      // Which of its parts will run (as server.stopping says it): a replaced part opens no socket.
      ...(ownEcho || ownChat ? { serving: ownEcho ? (ownChat ? 'none' : 'udp') : 'tcp' } : {}),
    });
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
          maxConnections: limits.maxConnections,
          maxConnectionsPerAddress: limits.maxPerAddress,
          connectionLinesPerSecond: limits.connectionLines,
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
          protocol: o.protocol,
          memberTimeoutMs: memberTimeout * 1000,
          maxMembers: limits.maxMembers,
          maxMembersPerAddress: limits.membersPerAddress,
          log,
        });
    } catch (err) {
      // A LabError carries its entry, so the log renders it in any language; anything else is a bug.
      log.emit(
        'server.error',
        err instanceof LabError ? errorFields(err) : { code: 'LAB_ERR_SOCKET', message: String(err) },
      );
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
        // Which of its parts ran (a part a student's server replaced has no socket to close).
        ...(t && u ? {} : { serving: t ? 'tcp' : u ? 'udp' : 'none' }),
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
