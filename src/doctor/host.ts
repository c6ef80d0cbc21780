/**
 * Parsers for what the doctor reads from the host: `ip -j route`, `ss -Hlntup`,
 * `docker network inspect`, `docker ps --format '{{json .}}'`. Pure: text in, values out.
 */
import { type Cidr, parseCidr } from './cidr.js';

/** A route of the host's routing table (a LAN, a VPN, a Docker bridge). */
export interface HostRoute {
  dst: Cidr;
  dev: string;
  /** The routing table, when not the main one (VPNs such as WireGuard use their own). */
  table?: string;
}

/**
 * Reads `ip -j route show table all` (or plain `ip -j route`). Keeps unicast routes to subnets;
 * drops the default route and the kernel's own local and broadcast entries (the host's own
 * addresses), which say nothing about networks the lab could collide with.
 */
export function parseIpRoutes(json: string): HostRoute[] {
  const list: unknown = JSON.parse(json || '[]');
  if (!Array.isArray(list)) return [];
  const out: HostRoute[] = [];
  for (const r of list as Record<string, unknown>[]) {
    const type = typeof r.type === 'string' ? r.type : 'unicast';
    if (type !== 'unicast' || typeof r.dst !== 'string' || r.dst === 'default') continue;
    const dst = parseCidr(r.dst);
    if (!dst) continue;
    const table = typeof r.table === 'string' && r.table !== 'main' ? r.table : undefined;
    out.push({ dst, dev: typeof r.dev === 'string' ? r.dev : '?', ...(table ? { table } : {}) });
  }
  return out;
}

/** A listening or bound socket, as `ss` shows it. */
export interface Listener {
  proto: 'tcp' | 'udp';
  /** Local address as ss prints it: `0.0.0.0:7007`, `[::]:7007`, `127.0.0.1%lo:53`. */
  local: string;
  port: number;
  /** `node (pid 7614)`, when ss may show it (as root, or for our own user's processes). */
  process?: string;
}

/** Reads `ss -Hlntup` (no header; TCP listeners and bound UDP sockets, with processes). */
export function parseSs(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const proto = cols[0];
    const local = cols[4];
    if ((proto !== 'tcp' && proto !== 'udp') || !local) continue;
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    if (!Number.isInteger(port)) continue;
    const procs = [...line.matchAll(/\("([^"]*)",pid=(\d+)/g)].map((m) => `${m[1]} (pid ${m[2]})`);
    out.push({ proto, local, port, ...(procs.length ? { process: [...new Set(procs)].join(', ') } : {}) });
  }
  return out;
}

/** A Docker network and its subnets. */
export interface DockerNetwork {
  name: string;
  subnets: Cidr[];
  /** The Linux bridge behind it, for telling its host route from a LAN's. */
  bridge?: string;
  /** The compose project that made it (`com.docker.compose.project`), if any. */
  project?: string;
  /** Its key in that project's compose file (`com.docker.compose.network`: vm, wan), if any. */
  composeKey?: string;
}

/** Reads `docker network inspect ID...` (a JSON array). */
export function parseDockerNetworks(json: string): DockerNetwork[] {
  const list: unknown = JSON.parse(json || '[]');
  if (!Array.isArray(list)) return [];
  return (list as Record<string, unknown>[]).map((n) => {
    const ipam = (n.IPAM ?? {}) as { Config?: { Subnet?: string }[] | null };
    const subnets = (ipam.Config ?? [])
      .map((c) => (c.Subnet ? parseCidr(c.Subnet) : undefined))
      .filter((c): c is Cidr => c !== undefined);
    const options = (n.Options ?? {}) as Record<string, string>;
    const labels = (n.Labels ?? {}) as Record<string, string>;
    const id = typeof n.Id === 'string' ? n.Id : '';
    const bridge =
      options['com.docker.network.bridge.name'] ??
      (n.Driver === 'bridge' && id ? `br-${id.slice(0, 12)}` : undefined);
    const project = labels['com.docker.compose.project'];
    const composeKey = labels['com.docker.compose.network'];
    return {
      name: String(n.Name),
      subnets,
      ...(bridge ? { bridge } : {}),
      ...(project ? { project } : {}),
      ...(composeKey ? { composeKey } : {}),
    };
  });
}

/** A host port a running container publishes. */
export interface PublishedPort {
  container: string;
  proto: 'tcp' | 'udp' | 'sctp';
  port: number;
}

/**
 * Reads `docker ps --format '{{json .}}'` (one JSON object a line) and returns every published
 * host port: "0.0.0.0:7007->7007/tcp, :::7007->7007/tcp, 0.0.0.0:9000-9001->9000-9001/udp".
 */
export function parsePublishedPorts(text: string): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as { Names?: string; Ports?: string };
    for (const spec of (c.Ports ?? '').split(/,\s*/)) {
      const m = /:(\d+)(?:-(\d+))?->\d+(?:-\d+)?\/(tcp|udp|sctp)$/.exec(spec);
      if (!m) continue;
      const from = Number(m[1]);
      const to = m[2] ? Number(m[2]) : from;
      for (let port = from; port <= to; port++) {
        const proto = m[3] as PublishedPort['proto'];
        if (!out.some((p) => p.container === c.Names && p.proto === proto && p.port === port)) {
          out.push({ container: c.Names ?? '?', proto, port });
        }
      }
    }
  }
  return out;
}
