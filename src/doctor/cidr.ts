import { BlockList, isIP } from 'node:net';

/** An IP subnet as written (`198.18.7.0/24`, `fd00::/64`), parsed once. */
export interface Cidr {
  /** The text it came from, for messages. */
  readonly text: string;
  readonly family: 'ipv4' | 'ipv6';
  /** The address part as written (it may have host bits set). */
  readonly address: string;
  readonly prefix: number;
}

/** Parses `ADDRESS/PREFIX`; a bare address is a /32 (or /128), as `ip route` prints host routes. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { text, family: version === 4 ? 'ipv4' : 'ipv6', address, prefix };
}

function blockOf(c: Cidr): BlockList {
  const list = new BlockList();
  list.addSubnet(c.address, c.prefix, c.family);
  return list;
}

/**
 * True when the two subnets share an address. Subnets are aligned blocks: two of them are either
 * disjoint or one holds the other, so one of them holds the other's address.
 */
export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  return blockOf(a).check(b.address, b.family) || blockOf(b).check(a.address, a.family);
}

/** True when `ip` (an address) lies inside `c`. */
export function contains(c: Cidr, ip: string): boolean {
  const version = isIP(ip);
  if (version === 0 || (version === 4) !== (c.family === 'ipv4')) return false;
  return blockOf(c).check(ip, c.family);
}

/** An IPv4 address as a number (0 .. 2^32-1), or undefined when it is not one. */
export function ipv4ToInt(ip: string): number | undefined {
  if (isIP(ip) !== 4) return undefined;
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** First and last address of an IPv4 subnet, as numbers. */
export function ipv4Range(c: Cidr): { first: number; last: number } {
  const size = 2 ** (32 - c.prefix);
  const first = Math.floor((ipv4ToInt(c.address) ?? 0) / size) * size;
  return { first, last: first + size - 1 };
}

/** The subnet written without host bits (`198.18.7.5/24` -> `198.18.7.0/24`). */
export function canonicalIpv4(c: Cidr): string {
  return `${intToIpv4(ipv4Range(c).first)}/${c.prefix}`;
}

/** The `n`th address of an IPv4 subnet (0 is the network address). */
export function nthIpv4(c: Cidr, n: number): string {
  return intToIpv4(ipv4Range(c).first + n);
}

/**
 * What `ip` is in an IPv4 subnet, as Docker sees it: the network address (first), the gateway
 * Docker takes by default (the second), the broadcast address (last), another host address, or
 * outside.
 */
export function roleInSubnet(c: Cidr, ip: string): 'network' | 'gateway' | 'broadcast' | 'host' | 'outside' {
  const i = ipv4ToInt(ip);
  if (c.family !== 'ipv4' || i === undefined || !contains(c, ip)) return 'outside';
  const { first, last } = ipv4Range(c);
  if (c.prefix < 31 && i === first) return 'network';
  if (c.prefix < 31 && i === last) return 'broadcast';
  if (i === first + 1) return 'gateway';
  return 'host';
}

/** Where the lab looks for free subnets: 198.18.0.0/15, reserved for benchmarks (RFC 2544). */
export const FREE_POOL = '198.18.0.0/15';

/**
 * The first `count` subnets of size /`prefix` inside `pool` that overlap none of `taken`, in
 * address order. Pure: the caller lists what is taken (Docker networks, host routes, the lab's
 * other subnet).
 */
export function freeSubnets(taken: readonly Cidr[], count: number, pool = FREE_POOL, prefix = 24): string[] {
  const within = parseCidr(pool);
  if (!within || within.family !== 'ipv4' || prefix < within.prefix) return [];
  const { first, last } = ipv4Range(within);
  const step = 2 ** (32 - prefix);
  const v4 = taken.filter((t) => t.family === 'ipv4');
  const found: string[] = [];
  for (let n = first; n + step - 1 <= last && found.length < count; n += step) {
    const candidate = parseCidr(`${intToIpv4(n)}/${prefix}`);
    if (candidate && !v4.some((t) => overlaps(candidate, t))) found.push(candidate.text);
  }
  return found;
}
