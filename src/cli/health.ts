import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { LANGS, type Lang } from '../text/lang.js';
import {
  HEALTH_TEXTS,
  type HealthWant,
  type KernelSocket,
  type Proto,
  TABLES,
  healthLine,
  judgeHealth,
  parseProcNet,
} from '../net/health.js';
import { parsePort } from './common.js';

interface HealthCliOptions {
  tcpPort: number | 'off';
  udpPort: number | 'off';
  skipOwn?: boolean;
  ownRole?: boolean;
  proc: string;
  lang: Lang;
}

/** A port, or `off` for a server that has no socket of that protocol (a student's echo server). */
function portOrOff(value: string): number | 'off' {
  if (value === 'off') return 'off';
  const port = parsePort(value);
  if (port === 0) throw new InvalidArgumentError('a port from 1 to 65535, or off.');
  return port;
}

/**
 * `socket-lab health`: the container health check (docker-compose.yml). Exit 0 when the TCP port
 * is listening and the UDP port bound, 1 otherwise; one line either way. Reads the kernel's
 * tables, never connects. Ports follow the server's own settings (LAB_TCP_PORT, LAB_UDP_PORT).
 */
export function healthCommand(): Command {
  return new Command('health')
    .description(
      "exit 0 when the server's TCP port listens and its UDP port is bound (read from /proc/net, without connecting)",
    )
    .addOption(
      new Option('--tcp-port <port>', 'TCP port that must be listening, or off')
        .argParser(portOrOff)
        .default(7007)
        .env('LAB_TCP_PORT'),
    )
    .addOption(
      new Option('--udp-port <port>', 'UDP port that must be bound, or off')
        .argParser(portOrOff)
        .default(7008)
        .env('LAB_UDP_PORT'),
    )
    .addOption(
      new Option(
        '--skip-own',
        "leave out a part a student's own server replaces (LAB_OWN_ECHO_SERVER / LAB_OWN_CHAT_SERVER set): that server's container checks it",
      ),
    )
    .addOption(
      new Option(
        '--own-role',
        "check the port of a student's own server instead: LAB_OWN_ROLE (echo-server: TCP, chat-server: UDP) on LAB_OWN_PORT",
      ).conflicts(['skipOwn']),
    )
    .addOption(new Option('--proc <dir>', 'where the socket tables are').default('/proc/net'))
    .addOption(
      new Option('--lang <lang>', 'language of the line printed')
        .choices(LANGS)
        .default('en')
        .env('LAB_LANG'),
    )
    .action(async (o: HealthCliOptions) => {
      const want: HealthWant = {};
      const set = (name: string) => (process.env[name] ?? '').trim() !== '';
      if (o.ownRole) {
        // The role's own container: whoever serves the port (the student's server, or ours when the
        // role has no command and ours is what listens there) makes it healthy.
        const port = portOrOff(process.env.LAB_OWN_PORT ?? '');
        if (port === 'off') throw new InvalidArgumentError('LAB_OWN_PORT must be a port.');
        const role = process.env.LAB_OWN_ROLE;
        if (role === 'echo-server') want.tcpPort = port;
        else if (role === 'chat-server') want.udpPort = port;
        else
          throw new InvalidArgumentError('LAB_OWN_ROLE must be echo-server or chat-server with --own-role.');
      } else {
        if (o.tcpPort !== 'off' && !(o.skipOwn && set('LAB_OWN_ECHO_SERVER'))) want.tcpPort = o.tcpPort;
        if (o.udpPort !== 'off' && !(o.skipOwn && set('LAB_OWN_CHAT_SERVER'))) want.udpPort = o.udpPort;
      }
      if (o.skipOwn && want.tcpPort === undefined && want.udpPort === undefined) {
        // Both parts are a student's: their containers say whether they serve.
        process.stdout.write(`${HEALTH_TEXTS['all-own'][o.lang]({})}\n`);
        return;
      }
      if (want.tcpPort === undefined && want.udpPort === undefined) {
        process.stderr.write(`socket-lab health: ${HEALTH_TEXTS['nothing-to-check'][o.lang]({})}\n`);
        process.exitCode = 2;
        return;
      }
      const protos = (['tcp', 'udp'] as Proto[]).filter((p) => want[`${p}Port`] !== undefined);
      const files = protos.flatMap((p) => TABLES[p].map((name) => ({ proto: p, file: join(o.proc, name) })));
      const sockets: KernelSocket[] = [];
      for (const { proto, file } of files) {
        // A table that is missing (no IPv6 in this kernel) holds no socket; the others still count.
        const text = await readFile(file, 'utf8').catch(() => '');
        sockets.push(...parseProcNet(text, proto));
      }
      const verdict = judgeHealth(sockets, want);
      const line = healthLine(
        verdict,
        want,
        o.lang,
        files.map((f) => f.file),
      );
      if (verdict.healthy) process.stdout.write(`${line}\n`);
      else {
        process.stderr.write(`socket-lab health: ${line}\n`);
        process.exitCode = 1;
      }
    });
}
