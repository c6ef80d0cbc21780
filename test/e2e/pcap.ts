// A small pcap reader for the Docker e2e test: is a capture file a pcap, and which TCP SYNs and
// retransmitted data segments does it hold. Enough to show the capture containers recorded the
// lab's traffic; the packet view students read is src/wire's.
import { Buffer } from 'node:buffer';

/** What the test needs from one capture. */
export interface PcapSummary {
  /** Why the file is not a pcap this reader knows, or undefined when it is one. */
  problem?: string;
  linkType: number;
  packets: number;
  /** Every TCP SYN (without ACK): "src:port > dst:port". */
  syns: string[];
  /** TCP segments with data whose flow, sequence number and length were seen before (not loopback). */
  retransmissions: number;
}

const LINK_ETHERNET = 1;
const LINK_SLL = 113; // Linux cooked v1
const LINK_SLL2 = 276; // Linux cooked v2 (tcpdump -i any)

const ip = (b: Buffer, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

/** The offset and ethertype of the network layer in one frame of `linkType`. */
function network(frame: Buffer, linkType: number): { at: number; type: number } | undefined {
  if (linkType === LINK_ETHERNET && frame.length >= 14) return { at: 14, type: frame.readUInt16BE(12) };
  if (linkType === LINK_SLL && frame.length >= 16) return { at: 16, type: frame.readUInt16BE(14) };
  if (linkType === LINK_SLL2 && frame.length >= 20) return { at: 20, type: frame.readUInt16BE(0) };
  return undefined;
}

/** Reads a classic pcap file (either byte order, micro- or nanosecond timestamps). */
export function summarisePcap(file: Buffer): PcapSummary {
  const out: PcapSummary = { linkType: -1, packets: 0, syns: [], retransmissions: 0 };
  if (file.length < 24) return { ...out, problem: `${file.length} bytes: shorter than a pcap file header` };
  const magic = file.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && !be) return { ...out, problem: `magic 0x${magic.toString(16)}: not a pcap file` };
  const u32 = (at: number) => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  out.linkType = u32(20) & 0xffff;
  const seen = new Set<string>();
  for (let at = 24; at < file.length;) {
    if (at + 16 > file.length) {
      out.problem = `the record header after packet ${out.packets} is cut short: the file is truncated`;
      break;
    }
    const caplen = u32(at + 8);
    const frame = file.subarray(at + 16, at + 16 + caplen);
    at += 16 + caplen;
    if (frame.length < caplen || caplen > 262_144) {
      out.problem = `record ${out.packets + 1} is cut short: the file is truncated`;
      break;
    }
    out.packets++;
    const net = network(frame, out.linkType);
    if (!net || net.type !== 0x0800) continue;
    const p = frame.subarray(net.at);
    if (p.length < 20 || p[9] !== 6) continue; // IPv4, TCP
    const ihl = ((p[0] ?? 0) & 0x0f) * 4;
    const total = p.readUInt16BE(2);
    const tcp = p.subarray(ihl);
    if (tcp.length < 20) continue;
    const flow = `${ip(p, 12)}:${tcp.readUInt16BE(0)} > ${ip(p, 16)}:${tcp.readUInt16BE(2)}`;
    const flags = tcp[13] ?? 0;
    if ((flags & 0x02) !== 0 && (flags & 0x10) === 0) out.syns.push(flow);
    const payload = total - ihl - ((tcp[12] ?? 0) >> 4) * 4;
    // Loopback shows each packet twice on `-i any` (leaving and arriving): not a retransmission.
    if (payload > 0 && !flow.startsWith('127.')) {
      const key = `${flow} ${tcp.readUInt32BE(4)} ${payload}`;
      if (seen.has(key)) out.retransmissions++;
      seen.add(key);
    }
  }
  return out;
}
