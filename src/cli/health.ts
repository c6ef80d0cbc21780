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
    .addOption(new Option('--proc <dir>', 'where the socket tables are').default('/proc/net'))
    .addOption(
      new Option('--lang <lang>', 'language of the line printed')
        .choices(LANGS)
        .default('en')
        .env('LAB_LANG'),
    )
    .action(async (o: HealthCliOptions) => {
      const want: HealthWant = {};
      if (o.tcpPort !== 'off') want.tcpPort = o.tcpPort;
      if (o.udpPort !== 'off') want.udpPort = o.udpPort;
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
