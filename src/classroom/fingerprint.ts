import type { LabModel } from '../report/aggregate.js';
import { splitEndpoint } from '../report/endpoint.js';
import { MAX_RUN_RANDOMNESS, ownParts } from '../report/identity.js';
import { readCaptureBytes } from '../wire/index.js';

/**
 * What a run drew at random, that no two runs share by chance and that a student copying a run does
 * not think of editing (unlike the times, pids and host names, which any text editor changes):
 *
 * - `ports`: the ephemeral ports the kernel gave the clients (echo and chat, from the clients' own
 *   lines; a student's own clients' from their traced calls, see ownParts: the TCP clients'
 *   connect()s and the chat clients' UDP sockets; not an own server's peers, which whoever
 *   connects chooses). Linux draws them from about 28,000 (32768-60999) per destination with a secret hash, so
 *   two runs share two of them by chance with a probability below one in a million per pair.
 * - `isns`: the initial sequence numbers of the clients' SYNs in the captures the bundle holds:
 *   32 random bits each (RFC 6528), so one in common already names one run.
 *
 * Chat cookies are random too, but the logs do not record them (only that one was sent): they are
 * not used.
 */
export interface RunFingerprint {
  ports: number[];
  isns: number[];
}

/** The port of "address:port" ("[v6]:port"), when it is one (1-65535). */
export function portOf(endpoint: string | undefined): number | undefined {
  if (endpoint === undefined) return undefined;
  const { port } = splitEndpoint(endpoint);
  if (!/^\d{1,5}$/.test(port)) return undefined;
  const n = Number(port);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** Most SYNs taken from the captures: a run of the lab makes a handful. */
const MAX_ISNS = 256;

/** The run's fingerprint: the clients' ports from `model`, the ISNs from `captures` (pcap or pcapng bytes). */
export async function runFingerprint(model: LabModel, captures: readonly Buffer[]): Promise<RunFingerprint> {
  const ports = new Set<number>();
  for (const s of model.echo) {
    const p = portOf(s.local);
    if (p !== undefined) ports.add(p);
  }
  for (const s of model.chat) {
    const p = portOf(s.local);
    if (p !== undefined) ports.add(p);
  }
  // A student's own clients (their connect()s, a chat client's UDP socket: the ports their own
  // kernel drew). Not the peers an own server accepted or heard from: whoever connects chooses
  // those, so a classmate could put their own ports into this run's fingerprint by sending it a
  // datagram from them, and make two honest runs look like one.
  const own = ownParts(model.timeline.records);
  for (const e of own.clients.map((c) => c.local)) {
    const p = portOf(e);
    if (p !== undefined) ports.add(p);
  }
  const isns = new Set<number>();
  for (const bytes of captures) {
    // A capture that cannot be read gives no ISN; its problem is the report's to tell, not grading's.
    await readCaptureBytes(bytes, {
      onPacket: (p) => {
        if (p.tcp?.flags.syn && !p.tcp.flags.ack && isns.size < MAX_ISNS) isns.add(p.tcp.seq);
      },
    });
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { ports: sorted(ports), isns: sorted(isns) };
}

/**
 * The most client ports (or initial sequence numbers) one run of the lab can make (defined beside
 * the run's identity, which bounds an own server's peers by it). A submission claiming more could
 * match anyone's random ports by spraying the range: its fingerprint is not used, and its row says
 * so (grade.ts).
 */
export { MAX_RUN_RANDOMNESS };

/** True when the fingerprint holds more than a run of the lab makes (see MAX_RUN_RANDOMNESS). */
export function implausibleFingerprint(f: RunFingerprint): boolean {
  return f.ports.length > MAX_RUN_RANDOMNESS || f.isns.length > MAX_RUN_RANDOMNESS;
}

/**
 * Two fingerprints of one run: an ISN in common, or client ports in common: at least two (one, when
 * either run has only one client port: then the chance of a false match is about 1 in 28,000 per
 * pair) and at least half of the smaller run's, so that a run claiming many ports cannot match an
 * honest one by chance. A fingerprint larger than a lab run makes matches nothing.
 */
export function sameRandomness(a: RunFingerprint, b: RunFingerprint): boolean {
  if (implausibleFingerprint(a) || implausibleFingerprint(b)) return false;
  const isns = new Set(a.isns);
  if (b.isns.some((i) => isns.has(i))) return true;
  const ports = new Set(a.ports);
  const common = b.ports.filter((p) => ports.has(p)).length;
  const smaller = Math.min(a.ports.length, b.ports.length);
  const need = Math.max(Math.min(2, smaller), Math.ceil(smaller / 2));
  return need > 0 && common >= need;
}
