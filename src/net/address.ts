import type { AddressInfo } from 'node:net';

/** Strips the IPv4-mapped prefix a dual-stack socket reports ("::ffff:10.0.0.1" -> "10.0.0.1"). */
export function plainAddress(address: string | undefined): string {
  if (!address) return '?';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** "address:port", with IPv6 addresses in brackets: the form every log field uses. */
export function endpoint(address: string | undefined, port: number | undefined): string {
  const host = plainAddress(address);
  return `${host.includes(':') ? `[${host}]` : host}:${port ?? '?'}`;
}

export function endpointOf(info: AddressInfo | { address: string; port: number }): string {
  return endpoint(info.address, info.port);
}
