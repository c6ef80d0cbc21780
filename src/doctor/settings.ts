/**
 * The lab's settings as Compose resolved them (its own interpolation of `.env` and the
 * environment), taken from `docker compose config`, and the `.env` setting behind each.
 */

/** The `.env` settings the doctor can name, with the defaults docker-compose.yml uses. */
export const SETTING_DEFAULTS = {
  LAB_VM_SUBNET: '198.18.7.0/24',
  LAB_SERVER_IP: '198.18.7.10',
  LAB_WAN_SUBNET: '198.18.8.0/24',
  LAB_WAN_GATEWAY: '198.18.8.1',
  LAB_TCP_PUBLISH: '7007',
  LAB_UDP_PUBLISH: '7008',
  LAB_PREFIX: 'lab',
} as const;

export type SettingName = keyof typeof SETTING_DEFAULTS;

/** What the doctor checks, each value as a string exactly as Compose resolved it. */
export interface LabSettings {
  /** The compose project name, when Compose says it (v2 does; v1 does not). */
  project?: string;
  vmSubnet?: string;
  serverIp?: string;
  wanSubnet?: string;
  wanGateway?: string;
  tcpPublish?: string;
  udpPublish?: string;
  /** Docker's names of the lab's networks and server container (LAB_PREFIX-vm, ...). */
  vmNetwork?: string;
  wanNetwork?: string;
  serverContainer?: string;
  /** The images of the lab's services (LAB_IMAGE) and of the ones that may run a student's program (LAB_OWN_IMAGE). */
  labImage?: string;
  ownImage?: string;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function firstIpam(network: Obj | undefined): Obj | undefined {
  const config = obj(network?.ipam)?.config;
  return Array.isArray(config) ? obj(config[0]) : undefined;
}

/**
 * The published host port of the server's container port `target`/`protocol`. Compose v2 writes
 * ports as objects with `published` as a string, v1 as objects with a number; the short form
 * ("7007:7007/tcp") is read too, should a Compose version print it.
 */
function publishedPort(ports: unknown, target: number, protocol: 'tcp' | 'udp'): string | undefined {
  if (!Array.isArray(ports)) return undefined;
  for (const p of ports) {
    const o = obj(p);
    if (o) {
      if (Number(o.target) === target && (str(o.protocol) ?? 'tcp') === protocol) return str(o.published);
      continue;
    }
    const m = /^(?:.*:)?([^:]+):(\d+)(?:\/(tcp|udp))?$/.exec(str(p) ?? '');
    if (m && Number(m[2]) === target && (m[3] ?? 'tcp') === protocol) return m[1];
  }
  return undefined;
}

/** A port the server's `environment` names (`name`), or `fallback` when it names none. */
function labPort(server: Obj | undefined, name: string, fallback: number): number {
  const n = Number(str(obj(server?.environment)?.[name]));
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * Reads the lab's settings from the output of `docker compose config` (v2's JSON or v1's YAML,
 * parsed). Keys missing from it (an edited compose file) stay undefined.
 */
export function extractSettings(config: unknown): LabSettings {
  const root = obj(config) ?? {};
  const networks = obj(root.networks) ?? {};
  const vm = obj(networks.vm);
  const wan = obj(networks.wan);
  const server = obj(obj(root.services)?.server);
  return {
    project: str(root.name),
    vmSubnet: str(firstIpam(vm)?.subnet),
    serverIp: str(obj(obj(server?.networks)?.vm)?.ipv4_address),
    wanSubnet: str(firstIpam(wan)?.subnet),
    wanGateway: str(firstIpam(wan)?.gateway),
    // The lab's ports inside the server's namespace: 7007 and 7008 unless LAB_OWN_ECHO_PORT /
    // LAB_OWN_CHAT_PORT moved them (docker-compose.yml passes them to the server as these).
    tcpPublish: publishedPort(server?.ports, labPort(server, 'LAB_TCP_PORT', 7007), 'tcp'),
    udpPublish: publishedPort(server?.ports, labPort(server, 'LAB_UDP_PORT', 7008), 'udp'),
    vmNetwork: str(vm?.name),
    wanNetwork: str(wan?.name),
    serverContainer: str(server?.container_name),
    labImage: str(server?.image),
    ownImage: str(obj(obj(root.services)?.['own-echo-server'])?.image),
  };
}

/**
 * Where the user changes a setting: the shell's environment wins over `.env` in Compose, so a
 * value set there must be changed there.
 */
export type SettingSource = 'env' | 'dotenv' | 'no-dotenv';
