/**
 * Is the server up? Read from the kernel's socket tables (/proc/net/tcp, tcp6, udp, udp6), never by
 * connecting: a health check that connected every 2 s would show up in the lab's logs as a client,
 * and in its report. Pure: the table texts in, a verdict out; src/cli/health.ts reads the files.
 */
import { type Catalogue, sentence } from '../text/catalogue.js';
import type { Lang } from '../text/lang.js';

export type Proto = 'tcp' | 'udp';

/** One row of a /proc/net table: the local end of a socket and its state. */
export interface KernelSocket {
  proto: Proto;
  /** The local address as people write it: 0.0.0.0, 127.0.0.1, ::, ::1. */
  address: string;
  port: number;
  /** The state as the kernel writes it, two hex digits (include/net/tcp_states.h). */
  state: string;
}

/** TCP_LISTEN: a TCP socket that listen() was called on. */
export const TCP_LISTEN = '0A';
/**
 * TCP_CLOSE, the state the kernel shows for a bound UDP socket that is not connect()ed: a server's
 * socket. A UDP socket that connect()ed (a client) shows 01 and is not what is looked for.
 */
export const UDP_BOUND = '07';

/** The tables to read for each protocol, IPv4 and IPv6. */
export const TABLES: Readonly<Record<Proto, readonly string[]>> = {
  tcp: ['tcp', 'tcp6'],
  udp: ['udp', 'udp6'],
};

/** The kernel writes each 32-bit word of an address in host byte order: little-endian on x86 and arm. */
function word(hex: string): number[] {
  const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return bytes.reverse();
}

/** `0100007F` is 127.0.0.1; 32 hex digits are an IPv6 address. Undefined for anything else. */
export function decodeAddress(hex: string): string | undefined {
  if (!/^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{32})$/.test(hex)) return undefined;
  if (hex.length === 8) return word(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((i) => word(hex.slice(i, i + 8)));
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  // The longest run of zero groups (two or more) becomes "::", as RFC 5952 writes it.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.len < 2) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/**
 * The sockets of one /proc/net table. A line that is not a socket row (the header, a blank line, a
 * row cut short) is skipped: the table is the kernel's, but this reader does not trust its shape.
 */
export function parseProcNet(text: string, proto: Proto): KernelSocket[] {
  const out: KernelSocket[] = [];
  for (const line of text.split('\n')) {
    // "  0: 00000000:1B5F 00000000:0000 0A ...": slot, local, remote, state.
    const [slot, local, , state] = line.trim().split(/\s+/);
    if (!slot?.endsWith(':') || !local || !state || !/^[0-9A-Fa-f]{2}$/.test(state)) continue;
    const colon = local.lastIndexOf(':');
    const address = decodeAddress(local.slice(0, colon));
    const portHex = local.slice(colon + 1);
    if (colon < 0 || address === undefined || !/^[0-9A-Fa-f]{4}$/.test(portHex)) continue;
    out.push({ proto, address, port: parseInt(portHex, 16), state: state.toUpperCase() });
  }
  return out;
}

/** What the health check looks for; a port left out is not checked (a student's own echo server has no UDP). */
export interface HealthWant {
  tcpPort?: number;
  udpPort?: number;
}

export interface HealthVerdict {
  healthy: boolean;
  /** Per protocol checked: the socket found, or null when none is in the state wanted. */
  found: Partial<Record<Proto, KernelSocket | null>>;
}

/** Judges `sockets` (all tables, parsed) against `want`. */
export function judgeHealth(sockets: readonly KernelSocket[], want: HealthWant): HealthVerdict {
  const find = (proto: Proto, port: number, state: string) =>
    sockets.find((s) => s.proto === proto && s.port === port && s.state === state) ?? null;
  const found: HealthVerdict['found'] = {};
  if (want.tcpPort !== undefined) found.tcp = find('tcp', want.tcpPort, TCP_LISTEN);
  if (want.udpPort !== undefined) found.udp = find('udp', want.udpPort, UDP_BOUND);
  return { healthy: Object.values(found).every((s) => s !== null), found };
}

const where = (s: KernelSocket) =>
  s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;

/** The sentences `socket-lab health` prints. */
export const HEALTH_TEXTS = {
  'tcp-listening': sentence(
    { at: '0.0.0.0:7007' },
    (p) => `TCP ${p.at} listens`,
    (p) => `TCP ${p.at} слушает`,
  ),
  'udp-bound': sentence(
    { at: '0.0.0.0:7008' },
    (p) => `UDP ${p.at} is bound`,
    (p) => `UDP ${p.at} привязан`,
  ),
  'tcp-missing': sentence(
    { port: 7007 },
    (p) => `no TCP socket listens on port ${p.port}`,
    (p) => `ни один TCP-сокет не слушает порт ${p.port}`,
  ),
  'udp-missing': sentence(
    { port: 7008 },
    (p) => `no UDP socket is bound to port ${p.port}`,
    (p) => `ни один UDP-сокет не привязан к порту ${p.port}`,
  ),
  healthy: sentence(
    { what: 'TCP 0.0.0.0:7007 listens, UDP 0.0.0.0:7008 is bound' },
    (p) => `healthy: ${p.what}`,
    (p) => `работает: ${p.what}`,
  ),
  unhealthy: sentence(
    { what: 'no TCP socket listens on port 7007', tables: '/proc/net/tcp, /proc/net/tcp6' },
    (p) => `not ready: ${p.what} (read from the kernel's tables ${p.tables}, without connecting)`,
    (p) => `не готов: ${p.what} (по таблицам ядра ${p.tables}, без подключения)`,
  ),
  'nothing-to-check': sentence(
    {},
    () => 'nothing to check: both --tcp-port and --udp-port are off',
    () => 'проверять нечего: и --tcp-port, и --udp-port выключены',
  ),
  'all-own': sentence(
    {},
    () => "healthy: both the echo and the chat are a student's own servers, whose containers check them",
    () => 'исправен: и эхо, и чат — собственные серверы студента, их проверяют их контейнеры',
  ),
} satisfies Catalogue;

/** The one line `socket-lab health` prints for `verdict`; `tables` are the files it read. */
export function healthLine(verdict: HealthVerdict, want: HealthWant, lang: Lang, tables: string[]): string {
  const t = HEALTH_TEXTS;
  const parts: string[] = [];
  const { tcp, udp } = verdict.found;
  if (tcp) parts.push(t['tcp-listening'][lang]({ at: where(tcp) }));
  else if (tcp === null) parts.push(t['tcp-missing'][lang]({ port: want.tcpPort ?? 0 }));
  if (udp) parts.push(t['udp-bound'][lang]({ at: where(udp) }));
  else if (udp === null) parts.push(t['udp-missing'][lang]({ port: want.udpPort ?? 0 }));
  const what = parts.join(', ');
  return verdict.healthy ? t.healthy[lang]({ what }) : t.unhealthy[lang]({ what, tables: tables.join(', ') });
}
