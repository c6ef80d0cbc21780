/**
 * The doctor's checks: facts gathered from the host in, findings out. Pure, so every rule is
 * tested without a Docker engine; src/doctor/probe.ts gathers the facts.
 */
import { type Cidr, canonicalIpv4, freeSubnets, nthIpv4, overlaps, parseCidr, roleInSubnet } from './cidr.js';
import type { DockerNetwork, HostRoute, Listener, PublishedPort } from './host.js';
import type { LabSettings, SettingName, SettingSource } from './settings.js';

/** Whether the kernel under Docker can do something, as far as the doctor could find out. */
export type Capability =
  { state: 'yes' } | { state: 'no'; reason: string } | { state: 'unknown'; reason: string };

/** The result of trying to bind a published port on the host. */
export type PortProbe = 'free' | 'busy' | 'unknown';

/** Everything the doctor learnt about this host. */
export interface Facts {
  compose: { command: string; version?: string; error?: string };
  engine: { serverVersion?: string; os?: string; arch?: string; rootless: boolean; desktop: boolean };
  /** This machine's CPU architecture (`process.arch`). */
  hostArch: string;
  settings?: LabSettings;
  /** Why `docker compose config` failed, when it did. */
  configError?: string;
  /** Where each setting is changed (see SettingSource). */
  sources: Partial<Record<SettingName, SettingSource>>;
  networks: DockerNetwork[];
  routes: HostRoute[];
  listeners: Listener[];
  published: PublishedPort[];
  portProbe: { tcp?: PortProbe; udp?: PortProbe };
  /** A port that was free when probed, for each protocol whose port is busy. */
  freePort: { tcp?: number; udp?: number };
  impair: { statistic: Capability; netem: Capability };
}

export type Severity = 'problem' | 'warning' | 'info';

/** One thing the doctor found. `code` is stable (tests and scripts branch on it). */
export interface Finding {
  severity: Severity;
  code: FindingCode;
  /** The `.env` setting to change, its value now, and a value that is free here. */
  setting?: SettingName;
  value?: string;
  suggestion?: string;
  /** Settings that must change with it (a server address inside a new subnet). */
  alsoSet?: { setting: SettingName; value: string }[];
  /** What it collides with: a Docker network, a host route, a process, a container. */
  collidesWith?: string;
  /** Other values the message shows. */
  detail?: Record<string, string>;
}

export type FindingCode =
  | 'docker-unreachable'
  | 'engine'
  | 'rootless'
  | 'compose-missing'
  | 'compose-v1'
  | 'compose-version'
  | 'config-failed'
  | 'setting-missing'
  | 'not-a-subnet'
  | 'subnet-host-bits'
  | 'subnet-too-small'
  | 'not-an-address'
  | 'address-outside-subnet'
  | 'address-reserved'
  | 'not-a-port'
  | 'lab-subnets-overlap'
  | 'subnet-overlaps-network'
  | 'own-network-changed'
  | 'own-image-default'
  | 'own-network-foreign'
  | 'own-network-other-project'
  | 'subnet-overlaps-route'
  | 'port-busy'
  | 'port-published'
  | 'port-unchecked'
  | 'lab-running'
  | 'impair-statistic'
  | 'no-statistic'
  | 'impair-netem'
  | 'no-netem'
  | 'settings-ok';

/** Exit status: 0 the lab can start, 1 something would stop it, 2 Docker is unreachable. */
export function exitCodeOf(findings: readonly Finding[]): 0 | 1 | 2 {
  if (findings.some((f) => f.code === 'docker-unreachable')) return 2;
  return findings.some((f) => f.severity === 'problem') ? 1 : 0;
}

/** Compose's major version from `docker compose version --short` ("1.29.2", "v2.26.1"). */
export function composeMajor(version: string | undefined): number | undefined {
  const m = /^v?(\d+)\./.exec(version?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Ports to try, in order, instead of a busy `port`: 10000 higher (7007 -> 17007, easy to tell
 * apart), then the ones after it; below 1024 none (they need root on the host).
 */
export function portCandidates(port: number, count = 50): number[] {
  const start = port + 10000 <= 65535 - count ? port + 10000 : Math.max(1024, port - 1000 - count);
  return Array.from({ length: count }, (_, i) => start + i);
}

type SubnetSettingName = 'LAB_VM_SUBNET' | 'LAB_WAN_SUBNET';

/** The address setting that moves with each subnet, and its place in it (.10, .1). */
const COMPANIONS = {
  LAB_VM_SUBNET: { setting: 'LAB_SERVER_IP', nth: 10 },
  LAB_WAN_SUBNET: { setting: 'LAB_WAN_GATEWAY', nth: 1 },
} as const;

type Suggest = (setting: SubnetSettingName) => Partial<Finding>;

interface SubnetSetting {
  setting: SubnetSettingName;
  value: string;
  cidr: Cidr;
  network?: string;
  /** The address setting that must move with it, and its place in the subnet (.10, .1). */
  companion: (typeof COMPANIONS)[SubnetSettingName];
}

/** Runs every check over the facts, in the order a person fixes things. */
/** The image docker-compose.yml gives LAB_OWN_IMAGE (and LAB_IMAGE) when it is not set. */
export const OWN_IMAGE_DEFAULT = 'socket-lab:local';

export function diagnose(f: Facts): Finding[] {
  const out: Finding[] = [];
  const engineName = f.engine.desktop ? 'Docker Desktop' : (f.engine.os ?? 'Linux');
  out.push({
    severity: 'info',
    code: 'engine',
    detail: {
      engine: engineName,
      version: f.engine.serverVersion ?? '?',
      engineArch: f.engine.arch ?? '?',
      hostArch: f.hostArch,
    },
  });
  if (f.engine.rootless) out.push({ severity: 'warning', code: 'rootless' });

  const major = composeMajor(f.compose.version);
  if (f.compose.error !== undefined || major === undefined) {
    out.push({ severity: 'problem', code: 'compose-missing', detail: { reason: f.compose.error ?? '?' } });
  } else {
    out.push({
      severity: major < 2 ? 'warning' : 'info',
      code: major < 2 ? 'compose-v1' : 'compose-version',
      detail: { command: f.compose.command, version: f.compose.version ?? '?' },
    });
  }

  out.push(...impairment(f.impair));

  if (f.configError !== undefined) {
    out.push({ severity: 'problem', code: 'config-failed', detail: { reason: f.configError } });
    return out;
  }
  const s = f.settings;
  if (!s) return out;
  // Free subnets for suggestions: none overlapping a Docker network, a host route, or the lab's
  // own two subnets; each suggestion handed out once.
  const labSubnets = [s.vmSubnet, s.wanSubnet].map((v) => (v ? parseCidr(v) : undefined));
  const taken = [
    ...f.networks.flatMap((n) => n.subnets),
    ...f.routes.map((r) => r.dst),
    ...labSubnets.filter((c): c is Cidr => c !== undefined),
  ];
  const free = freeSubnets(taken, 2);
  const given = new Map<SubnetSettingName, string | undefined>();
  const suggest = (setting: SubnetSettingName): Partial<Finding> => {
    if (!given.has(setting)) given.set(setting, free.shift());
    const next = given.get(setting);
    if (!next) return {};
    const companion = COMPANIONS[setting];
    return {
      suggestion: next,
      alsoSet: [{ setting: companion.setting, value: nthIpv4(parseCidr(next)!, companion.nth) }],
    };
  };

  // Compose v1 cannot default one setting to another (`${A:-${B}}`): with LAB_IMAGE alone set,
  // the containers of a student's programs still name the default image, which `build` did not make.
  if (s.labImage && s.ownImage === OWN_IMAGE_DEFAULT && s.labImage !== OWN_IMAGE_DEFAULT)
    out.push({
      severity: 'warning',
      code: 'own-image-default',
      detail: { labImage: s.labImage, ownImage: s.ownImage },
    });

  const before = out.length;
  out.push(...checkValues(s, suggest));
  if (out.slice(before).some((x) => x.severity === 'problem')) return out;

  // checkValues made sure these parse.
  const vm: SubnetSetting = {
    setting: 'LAB_VM_SUBNET',
    value: s.vmSubnet!,
    cidr: parseCidr(s.vmSubnet!)!,
    ...(s.vmNetwork ? { network: s.vmNetwork } : {}),
    companion: COMPANIONS.LAB_VM_SUBNET,
  };
  const wan: SubnetSetting = {
    setting: 'LAB_WAN_SUBNET',
    value: s.wanSubnet!,
    cidr: parseCidr(s.wanSubnet!)!,
    ...(s.wanNetwork ? { network: s.wanNetwork } : {}),
    companion: COMPANIONS.LAB_WAN_SUBNET,
  };
  out.push(...checkAddresses(s, vm, wan, suggest));
  for (const sub of [vm, wan]) out.push(...checkNetworks(sub, f.networks, suggest, s.project));
  out.push(...checkRoutes([vm, wan], f.routes, f.networks));
  out.push(...checkPorts(s, f));
  if (!out.some((x) => x.severity === 'problem')) {
    out.push({
      severity: 'info',
      code: 'settings-ok',
      detail: {
        vm: vm.value,
        server: s.serverIp!,
        wan: wan.value,
        gateway: s.wanGateway!,
        tcp: s.tcpPublish!,
        udp: s.udpPublish!,
      },
    });
  }
  return out;
}

function impairment(impair: Facts['impair']): Finding[] {
  const one = (c: Capability, yes: FindingCode, no: FindingCode): Finding =>
    c.state === 'yes'
      ? { severity: 'info', code: yes }
      : { severity: 'warning', code: no, detail: { state: c.state, reason: c.reason } };
  return [
    one(impair.statistic, 'impair-statistic', 'no-statistic'),
    one(impair.netem, 'impair-netem', 'no-netem'),
  ];
}

/** Values that are not what Docker expects at all: the other checks need them parsed. */
export function checkValues(s: LabSettings, suggest: Suggest): Finding[] {
  const out: Finding[] = [];
  const present: [SettingName, string | undefined][] = [
    ['LAB_VM_SUBNET', s.vmSubnet],
    ['LAB_SERVER_IP', s.serverIp],
    ['LAB_WAN_SUBNET', s.wanSubnet],
    ['LAB_WAN_GATEWAY', s.wanGateway],
    ['LAB_TCP_PUBLISH', s.tcpPublish],
    ['LAB_UDP_PUBLISH', s.udpPublish],
  ];
  for (const [setting, value] of present) {
    if (value === undefined) out.push({ severity: 'problem', code: 'setting-missing', setting });
  }
  if (out.length) return out;
  for (const setting of ['LAB_VM_SUBNET', 'LAB_WAN_SUBNET'] as const) {
    const value = setting === 'LAB_VM_SUBNET' ? s.vmSubnet! : s.wanSubnet!;
    const c = parseCidr(value);
    if (!c || c.family !== 'ipv4' || !value.includes('/')) {
      out.push({ severity: 'problem', code: 'not-a-subnet', setting, value, ...suggest(setting) });
    } else if (c.prefix > 27) {
      // The server sits at .10 and Docker needs a gateway, the clients and room to spare.
      out.push({ severity: 'problem', code: 'subnet-too-small', setting, value, ...suggest(setting) });
    } else if (canonicalIpv4(c) !== value) {
      // Docker 20.10 takes it; newer engines refuse it ("invalid subnet ...: it should be ...").
      out.push({
        severity: 'warning',
        code: 'subnet-host-bits',
        setting,
        value,
        suggestion: canonicalIpv4(c),
      });
    }
  }
  for (const setting of ['LAB_SERVER_IP', 'LAB_WAN_GATEWAY'] as const) {
    const value = setting === 'LAB_SERVER_IP' ? s.serverIp! : s.wanGateway!;
    const c = parseCidr(value);
    if (!c || c.family !== 'ipv4' || value.includes('/')) {
      out.push({ severity: 'problem', code: 'not-an-address', setting, value });
    }
  }
  for (const setting of ['LAB_TCP_PUBLISH', 'LAB_UDP_PUBLISH'] as const) {
    const value = setting === 'LAB_TCP_PUBLISH' ? s.tcpPublish! : s.udpPublish!;
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
      out.push({ severity: 'problem', code: 'not-a-port', setting, value });
    }
  }
  return out;
}

function checkAddresses(s: LabSettings, vm: SubnetSetting, wan: SubnetSetting, suggest: Suggest): Finding[] {
  const out: Finding[] = [];
  for (const [sub, ip] of [
    [vm, s.serverIp!],
    [wan, s.wanGateway!],
  ] as const) {
    const role = roleInSubnet(sub.cidr, ip);
    const fixed = nthIpv4(sub.cidr, sub.companion.nth);
    // The wan gateway is meant to be the subnet's second address; the server must not take it.
    const reserved =
      role === 'network' || role === 'broadcast' || (role === 'gateway' && sub.setting === 'LAB_VM_SUBNET');
    if (role === 'outside' || reserved) {
      out.push({
        severity: 'problem',
        code: role === 'outside' ? 'address-outside-subnet' : 'address-reserved',
        setting: sub.companion.setting,
        value: ip,
        suggestion: fixed,
        detail: { subnetSetting: sub.setting, subnet: sub.value, role },
      });
    }
  }
  if (overlaps(vm.cidr, wan.cidr)) {
    out.push({
      severity: 'problem',
      code: 'lab-subnets-overlap',
      setting: 'LAB_WAN_SUBNET',
      value: wan.value,
      collidesWith: `LAB_VM_SUBNET=${vm.value}`,
      ...suggest(wan.setting),
    });
  }
  return out;
}

// Docker refuses a subnet that overlaps any other Docker network ("Pool overlaps with other one
// on this address space"). The lab's own network from an earlier run is reused as it is, so a
// changed subnet only takes effect after `docker compose down`.
function checkNetworks(
  sub: SubnetSetting,
  networks: readonly DockerNetwork[],
  suggest: Suggest,
  project: string | undefined,
): Finding[] {
  const out: Finding[] = [];
  const key = sub.setting === 'LAB_VM_SUBNET' ? 'vm' : 'wan';
  for (const n of networks) {
    if (n.name === sub.network && n.composeKey !== key) {
      // Made by hand or by another compose file: Compose refuses to use it ("network ... was
      // found but has incorrect label com.docker.compose.network").
      const prefix = n.name.slice(0, -`-${key}`.length);
      const names = new Set(networks.map((x) => x.name));
      const free = [2, 3, 4, 5, 6, 7, 8, 9]
        .map((i) => `${prefix}${i}`)
        .find((p) => !names.has(`${p}-vm`) && !names.has(`${p}-wan`));
      out.push({
        severity: 'problem',
        code: 'own-network-foreign',
        setting: 'LAB_PREFIX',
        value: prefix,
        collidesWith: n.name,
        ...(free ? { suggestion: free } : {}),
      });
      continue;
    }
    if (n.name === sub.network && project !== undefined && n.project !== undefined && n.project !== project) {
      // Compose v2 then uses it with a warning, and `docker compose down` here leaves it.
      out.push({
        severity: 'warning',
        code: 'own-network-other-project',
        collidesWith: n.name,
        detail: { project: n.project, current: project },
      });
    }
    if (n.name === sub.network) {
      const old = n.subnets.find((c) => c.family === 'ipv4');
      if (old && canonicalIpv4(old) !== canonicalIpv4(sub.cidr)) {
        out.push({
          severity: 'problem',
          code: 'own-network-changed',
          setting: sub.setting,
          value: sub.value,
          suggestion: old.text,
          collidesWith: n.name,
        });
      }
      continue;
    }
    const hit = n.subnets.find((c) => overlaps(c, sub.cidr));
    if (hit) {
      out.push({
        severity: 'problem',
        code: 'subnet-overlaps-network',
        setting: sub.setting,
        value: sub.value,
        collidesWith: n.name,
        detail: { subnet: hit.text },
        ...suggest(sub.setting),
      });
    }
  }
  return out;
}

// A route to the same range (a LAN, a VPN) does not stop the lab, but its containers can no
// longer reach hosts in that range. Docker's own bridges are left to checkNetworks.
function checkRoutes(
  subs: readonly SubnetSetting[],
  routes: readonly HostRoute[],
  networks: readonly DockerNetwork[],
): Finding[] {
  const bridges = new Set(networks.map((n) => n.bridge).filter(Boolean));
  const dockerSubnets = networks.flatMap((n) => n.subnets);
  const out: Finding[] = [];
  for (const r of routes) {
    if (r.dev === 'docker0' || bridges.has(r.dev) || /^br-[0-9a-f]{12}$/.test(r.dev)) continue;
    if (dockerSubnets.some((d) => d.text === r.dst.text)) continue;
    for (const sub of subs) {
      if (!overlaps(r.dst, sub.cidr)) continue;
      out.push({
        severity: 'warning',
        code: 'subnet-overlaps-route',
        setting: sub.setting,
        value: sub.value,
        collidesWith: `${r.dst.text} dev ${r.dev}${r.table ? ` table ${r.table}` : ''}`,
      });
    }
  }
  return out;
}

function checkPorts(s: LabSettings, f: Facts): Finding[] {
  const out: Finding[] = [];
  for (const proto of ['tcp', 'udp'] as const) {
    const setting = proto === 'tcp' ? 'LAB_TCP_PUBLISH' : 'LAB_UDP_PUBLISH';
    const value = proto === 'tcp' ? s.tcpPublish! : s.udpPublish!;
    const port = Number(value);
    const publishers = f.published.filter((p) => p.proto === proto && p.port === port);
    if (s.serverContainer && publishers.some((p) => p.container === s.serverContainer)) {
      // Our own running lab holds it (its proxy): not a conflict.
      out.push({ severity: 'info', code: 'lab-running', setting, value, collidesWith: s.serverContainer });
      continue;
    }
    const suggestion = f.freePort[proto];
    const free = suggestion === undefined ? {} : { suggestion: String(suggestion) };
    const other = publishers[0];
    if (other) {
      out.push({
        severity: 'problem',
        code: 'port-published',
        setting,
        value,
        collidesWith: other.container,
        detail: { proto },
        ...free,
      });
      continue;
    }
    const probe = f.portProbe[proto];
    if (probe === 'busy') {
      out.push({
        severity: 'problem',
        code: 'port-busy',
        setting,
        value,
        collidesWith: describeHolder(f.listeners, proto, port),
        detail: { proto },
        ...free,
      });
    } else if (probe === 'unknown') {
      out.push({ severity: 'warning', code: 'port-unchecked', setting, value, detail: { proto } });
    }
  }
  return out;
}

/** Who holds a port, as far as `ss` tells: "node (pid 7614) on 127.0.0.1:7007". */
export function describeHolder(listeners: readonly Listener[], proto: 'tcp' | 'udp', port: number): string {
  const l = listeners.filter((x) => x.proto === proto && x.port === port);
  if (l.length === 0) return '';
  return l.map((x) => (x.process ? `${x.process} on ${x.local}` : x.local)).join('; ');
}
