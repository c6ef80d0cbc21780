/**
 * The lab's router, as rules: what `socket-lab router` asks the kernel to do, computed from the
 * settings alone so that tests can read every rule without a kernel.
 *
 * The router stands between the wan network (the remote clients) and the vm network (the server),
 * like the router in front of a real remote server: the remote clients dial its wan address, and
 * the kernel rewrites each packet's destination to the server's vm address (DNAT) and its source to
 * the router's own vm address (MASQUERADE). The kernel's connection tracking (conntrack) remembers
 * each rewrite and undoes it on the replies; nothing here terminates a connection, so a TCP
 * connection stays one connection from the remote client to the server.
 *
 * The impairment lives on the same path: a random drop in FORWARD (the iptables `statistic` match,
 * which every netfilter kernel has) for both directions, and a netem delay on both interfaces where
 * the kernel has netem.
 */
import { isIPv4 } from 'node:net';
import { labError } from '../errors.js';

/** The router's settings (docker-compose.yml passes them from `.env`). */
export interface RouterSettings {
  /** The router's own address on the wan network: the address the remote clients dial. */
  wanAddress: string;
  /** The server's address on the vm network: where the router sends what arrives for the lab's ports. */
  serverAddress: string;
  /** The TCP echo port, the same on the router's wan address and on the server. */
  tcpPort: number;
  /** The UDP chat port, likewise. */
  udpPort: number;
  /** Percent of forwarded packets to drop in each direction, 0 to 100 (0: none). */
  lossPercent: number;
  /** Milliseconds each forwarded packet waits before it leaves, in each direction (0: none). */
  delayMs: number;
}

export const ROUTER_DEFAULTS = {
  tcpPort: 7007,
  udpPort: 7008,
  lossPercent: 0,
  delayMs: 0,
} as const;

/** The longest delay accepted: more would only make TCP give up, not teach anything. */
export const MAX_DELAY_MS = 10_000;

/** The router's two interfaces, by the network they are on (found from their addresses). */
export interface RouterInterfaces {
  /** The interface on the wan network, e.g. `eth1`. */
  wan: string;
  /** The interface on the vm network, and the router's address there (what the server sees). */
  vm: string;
  vmAddress: string;
}

/** What one rule is for: the router logs it with the rule. */
export type RulePurpose = 'dnat' | 'masquerade' | 'loss' | 'delay';

/** One command the router runs: a program and its arguments, never through a shell. */
export interface RouterCommand {
  purpose: RulePurpose;
  program: 'iptables' | 'tc';
  args: string[];
}

/** The router's whole plan: the iptables rules (must all apply) and the delay (may be missing). */
export interface RouterPlan {
  iptables: RouterCommand[];
  /** One netem qdisc per interface, or none when `delayMs` is 0. */
  delay: RouterCommand[];
  /** The drop probability iptables is given ("0.3000"), or undefined when there is no loss. */
  probability: string | undefined;
}

/** A setting as a number, from an environment value ("30", "2.5", ""); `fallback` when unset. */
export function numberSetting(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value.trim());
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n)) {
    throw labError('router-not-a-number', { name, value });
  }
  return n;
}

/** Checks the settings once; every mistake is a LabError that names the `.env` setting to change. */
export function checkRouterSettings(s: RouterSettings): RouterSettings {
  if (!isIPv4(s.wanAddress)) {
    throw labError('router-wan-not-ipv4', { address: s.wanAddress });
  }
  if (!isIPv4(s.serverAddress)) {
    throw labError('router-server-not-ipv4', { address: s.serverAddress });
  }
  for (const [proto, port] of [
    ['tcp', s.tcpPort],
    ['udp', s.udpPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw labError('router-bad-port', { proto, port });
    }
  }
  if (!Number.isFinite(s.lossPercent) || s.lossPercent < 0 || s.lossPercent > 100) {
    throw labError('router-bad-loss', { value: s.lossPercent });
  }
  if (!Number.isInteger(s.delayMs) || s.delayMs < 0 || s.delayMs > MAX_DELAY_MS) {
    throw labError('router-bad-delay', { value: s.delayMs, max: MAX_DELAY_MS });
  }
  return s;
}

/** An interface's IPv4 addresses, as `os.networkInterfaces()` lists them. */
export type InterfaceTable = Record<
  string,
  ReadonlyArray<{ address: string; family: string | number; cidr: string | null }> | undefined
>;

function toNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (!base || !isIPv4(base) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}

/**
 * Finds the router's interfaces: the wan one holds `wanAddress`; the vm one is on the server's
 * subnet. Docker does not promise which network becomes eth0, so the addresses decide.
 */
export function findInterfaces(
  table: InterfaceTable,
  s: Pick<RouterSettings, 'wanAddress' | 'serverAddress'>,
): RouterInterfaces {
  let wan: string | undefined;
  let vm: { name: string; address: string } | undefined;
  for (const [name, addresses] of Object.entries(table)) {
    for (const a of addresses ?? []) {
      if (a.family !== 'IPv4' && a.family !== 4) continue;
      if (a.address === s.wanAddress) wan = name;
      else if (a.cidr && a.address !== '127.0.0.1' && inCidr(s.serverAddress, a.cidr))
        vm = { name, address: a.address };
    }
  }
  const have = Object.entries(table)
    .flatMap(([name, list]) =>
      (list ?? [])
        .filter((a) => a.family === 'IPv4' || a.family === 4)
        .map((a) => `${name} ${a.cidr ?? a.address}`),
    )
    .join(', ');
  if (!wan) {
    throw labError('router-no-wan-interface', { address: s.wanAddress, have: have || 'none' });
  }
  if (!vm) {
    throw labError('router-no-vm-interface', { server: s.serverAddress, have: have || 'none' });
  }
  if (vm.name === wan) {
    throw labError('router-one-network', { wan: s.wanAddress, server: s.serverAddress });
  }
  return { wan, vm: vm.name, vmAddress: vm.address };
}

/** The drop probability iptables' statistic match takes: a fraction with four decimals. */
export function lossProbability(percent: number): string {
  return (percent / 100).toFixed(4);
}

/**
 * The router's rules for `settings` on `ifs`. Each command is an argument list for iptables or
 * tc, in the order they must run: loss first in FORWARD (so that it applies before anything
 * else could accept the packet), then the address rewrites.
 */
export function routerPlan(settings: RouterSettings, ifs: RouterInterfaces): RouterPlan {
  const s = checkRouterSettings(settings);
  const iptables: RouterCommand[] = [];
  const probability = s.lossPercent > 0 ? lossProbability(s.lossPercent) : undefined;
  if (probability) {
    // Both directions, every protocol: a lost datagram and a lost TCP segment are lost alike.
    for (const [from, to] of [
      [ifs.wan, ifs.vm],
      [ifs.vm, ifs.wan],
    ] as const) {
      iptables.push({
        purpose: 'loss',
        program: 'iptables',
        args: [
          '-A',
          'FORWARD',
          '-i',
          from,
          '-o',
          to,
          '-m',
          'statistic',
          '--mode',
          'random',
          '--probability',
          probability,
          '-j',
          'DROP',
        ],
      });
    }
  }
  for (const [proto, port] of [
    ['tcp', s.tcpPort],
    ['udp', s.udpPort],
  ] as const) {
    iptables.push({
      purpose: 'dnat',
      program: 'iptables',
      args: [
        '-t',
        'nat',
        '-A',
        'PREROUTING',
        '-i',
        ifs.wan,
        '-d',
        s.wanAddress,
        '-p',
        proto,
        '--dport',
        String(port),
        '-j',
        'DNAT',
        '--to-destination',
        `${s.serverAddress}:${port}`,
      ],
    });
  }
  // The server answers the router's vm address, which it can reach; the router then undoes both
  // rewrites (conntrack) and the reply leaves from its wan address, the one the client dialed.
  iptables.push({
    purpose: 'masquerade',
    program: 'iptables',
    args: ['-t', 'nat', '-A', 'POSTROUTING', '-o', ifs.vm, '-d', s.serverAddress, '-j', 'MASQUERADE'],
  });
  // netem delays what leaves an interface: on both, so each direction waits delayMs once.
  const delay: RouterCommand[] =
    s.delayMs > 0
      ? [ifs.wan, ifs.vm].map((dev) => ({
          purpose: 'delay' as const,
          program: 'tc' as const,
          args: ['qdisc', 'add', 'dev', dev, 'root', 'netem', 'delay', `${s.delayMs}ms`],
        }))
      : [];
  return { iptables, delay, probability };
}

/** A command as one line, for the log and the docs. */
export function commandLine(c: RouterCommand): string {
  return [c.program, ...c.args].join(' ');
}

/**
 * True when tc's error says the kernel has no netem qdisc ("Specified qdisc kind is unknown", or
 * a module that cannot be loaded): the delay is then missing, and the router says so and goes on.
 */
export function netemMissing(stderr: string): boolean {
  return /qdisc kind is unknown|sch_netem|No such file or directory/i.test(stderr);
}
