import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import { Command, Option } from 'commander';
import { labError } from '../errors.js';
import type { EventLog } from '../log/logger.js';
import {
  ROUTER_DEFAULTS,
  type RouterCommand,
  commandLine,
  findInterfaces,
  netemMissing,
  numberSetting,
  routerPlan,
} from '../net/router.js';
import {
  type LogCliOptions,
  logOptions,
  makeLogger,
  onStopSignal,
  parseHost,
  parsePort,
  reportError,
} from './common.js';

const exec = promisify(execFile);

interface RouterCliOptions extends LogCliOptions {
  wanAddress: string;
  server: string;
  tcpPort: number;
  udpPort: number;
  loss?: string;
  delay?: string;
  readyFile: string;
}

/** Runs one command; its failure is a LabError carrying what the program said. */
async function run(c: RouterCommand): Promise<void> {
  try {
    await exec(c.program, c.args, { timeout: 10_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw labError('router-tool-missing', { program: c.program }, { cause: err });
    }
    const said = (e.stderr ?? e.message).trim();
    // The same sentence; the code says whether the capability was missing.
    const denied = /permission denied|operation not permitted/i.test(said);
    throw labError(
      denied ? 'router-command-denied' : 'router-command-failed',
      { command: commandLine(c), said },
      {
        cause: err,
      },
    );
  }
}

/**
 * Applies the delay where the kernel has netem; says exactly what is missing where it has not.
 * Resolves false when netem is missing (the other interface would only say it again).
 */
async function applyDelay(c: RouterCommand, delayMs: number, log: EventLog): Promise<boolean> {
  try {
    await exec(c.program, c.args, { timeout: 10_000 });
    log.emit('router.rule.applied', { purpose: c.purpose, command: commandLine(c) });
    return true;
  } catch (err) {
    const said = ((err as { stderr?: string }).stderr ?? '').trim();
    if (!netemMissing(said)) {
      await run(c); // the same command again, to report it as a failure
      return true;
    }
    log.emit('router.delay.unavailable', { delayMs, interface: c.args[3] ?? '?', message: said });
    return false;
  }
}

/** The UDP conntrack timeouts of this network namespace, in seconds; undefined where they cannot be read. */
async function udpConntrackTimeouts(): Promise<
  { udpTimeoutS: number; udpStreamTimeoutS: number } | undefined
> {
  const read = async (name: string) =>
    Number((await readFile(`/proc/sys/net/netfilter/${name}`, 'utf8')).trim());
  try {
    const udpTimeoutS = await read('nf_conntrack_udp_timeout');
    const udpStreamTimeoutS = await read('nf_conntrack_udp_timeout_stream');
    return Number.isFinite(udpTimeoutS) && Number.isFinite(udpStreamTimeoutS)
      ? { udpTimeoutS, udpStreamTimeoutS }
      : undefined;
  } catch {
    return undefined; // no conntrack module loaded yet, or /proc/sys not mounted: nothing to say
  }
}

export function routerCommand(): Command {
  const cmd = new Command('router')
    .description(
      "the lab's router between the wan and vm networks (in its container): NAT to the server, optional loss and delay",
    )
    .addOption(
      new Option(
        '--wan-address <ip>',
        "this router's address on the wan network (the remote clients dial it)",
      )
        .env('LAB_WAN_ROUTER_IP')
        .makeOptionMandatory()
        .argParser(parseHost),
    )
    .addOption(
      new Option('--server <ip>', "the server's address on the vm network")
        .env('LAB_SERVER_IP')
        .makeOptionMandatory()
        .argParser(parseHost),
    )
    .addOption(
      new Option('--tcp-port <port>', 'TCP echo port, forwarded to the same port of the server')
        .default(ROUTER_DEFAULTS.tcpPort)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--udp-port <port>', 'UDP chat port, forwarded to the same port of the server')
        .default(ROUTER_DEFAULTS.udpPort)
        .argParser(parsePort),
    )
    .addOption(
      new Option('--loss <percent>', 'drop this percent of forwarded packets, each direction (0: none)').env(
        'LAB_WAN_LOSS',
      ),
    )
    .addOption(
      new Option(
        '--delay <ms>',
        'delay forwarded packets this long, each direction, where the kernel has netem',
      ).env('LAB_WAN_DELAY'),
    )
    .addOption(
      new Option(
        '--ready-file <path>',
        'written once every rule is in place (the healthcheck looks for it)',
      ).default('/tmp/socket-lab-router.ready'),
    );
  for (const opt of logOptions()) cmd.addOption(opt);
  return cmd.action(async (o: RouterCliOptions) => {
    const { log, flush } = makeLogger(o, 1);
    try {
      const settings = {
        wanAddress: o.wanAddress,
        serverAddress: o.server,
        tcpPort: o.tcpPort,
        udpPort: o.udpPort,
        lossPercent: numberSetting('LAB_WAN_LOSS', o.loss, ROUTER_DEFAULTS.lossPercent),
        delayMs: numberSetting('LAB_WAN_DELAY', o.delay, ROUTER_DEFAULTS.delayMs),
      };
      const ifs = findInterfaces(networkInterfaces(), settings);
      const plan = routerPlan(settings, ifs);
      for (const c of plan.iptables) {
        await run(c);
        log.emit('router.rule.applied', { purpose: c.purpose, command: commandLine(c) });
      }
      for (const c of plan.delay) if (!(await applyDelay(c, settings.delayMs, log))) break;
      log.emit('router.ready', {
        wan: settings.wanAddress,
        wanInterface: ifs.wan,
        vm: ifs.vmAddress,
        vmInterface: ifs.vm,
        server: settings.serverAddress,
        tcpPort: settings.tcpPort,
        udpPort: settings.udpPort,
        lossPercent: settings.lossPercent,
        delayMs: settings.delayMs,
      });
      // How long the kernel of this namespace keeps a UDP mapping: the report explains a chat
      // client's silence with these, not with numbers written into the report.
      const conntrack = await udpConntrackTimeouts();
      if (conntrack) log.emit('router.conntrack', conntrack);
      await writeFile(o.readyFile, `${new Date().toISOString()}\n`);
    } catch (err) {
      await flush();
      reportError('router', err, o.lang);
      return;
    }
    // The rules live in this container's network namespace: nothing to undo, it goes with the
    // container. Waiting keeps the namespace (and the router) alive until `docker compose stop`.
    onStopSignal(async (signal) => {
      log.emit('router.stopped', { signal });
      await flush();
    });
    await new Promise<never>(() => {
      setInterval(() => {}, 1 << 30);
    });
  });
}
