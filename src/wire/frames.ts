/**
 * Frame decoding: the IP packet inside one captured frame (Ethernet, Linux cooked v1/v2, raw IP,
 * BSD loopback) down to its IPv4/IPv6 and TCP/UDP headers. The file formats that hold the frames
 * are pcap.ts; this file knows nothing of files.
 *
 * Every function here takes any bytes: a frame too short for what it claims is "not IP"
 * (undefined) or a header with what could be read, never an exception.
 */

/** TCP options the handshake negotiates (RFC 9293, RFC 7323, RFC 2018). */
export interface TcpOptions {
  /** Maximum segment size the sender of this SYN can receive. */
  mss?: number;
  /** Window scale shift count. */
  wscale?: number;
  sackPermitted?: boolean;
  /** SACK blocks (left, right edges, raw sequence numbers). */
  sack?: Array<[number, number]>;
  timestamp?: { value: number; echo: number };
}

export interface TcpFlags {
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  psh: boolean;
  urg: boolean;
  ece: boolean;
  cwr: boolean;
}

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: TcpFlags;
  window: number;
  options: TcpOptions;
  /** Payload bytes of this segment, from the IP length (not the captured length, which a snap length may cut). */
  payloadLength: number;
}

export interface UdpHeader {
  srcPort: number;
  dstPort: number;
  /** Payload bytes of this datagram, from the UDP length field. */
  payloadLength: number;
}

/** Link types decoded (numbers from the tcpdump.org link-layer header types list). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** True for the link types decodeFrame reads. */
export function isDecoded(linkType: number): boolean {
  return (Object.values(LINKTYPE) as number[]).includes(linkType);
}

/** What a frame says of its IP packet: addresses, TTL, protocol and the TCP or UDP header. */
export interface IpPacket {
  ipVersion: 4 | 6;
  src: string;
  dst: string;
  ttl: number;
  /** IP protocol number (6 TCP, 17 UDP, ...). */
  protocol: number;
  tcp?: TcpHeader;
  udp?: UdpHeader;
}

type Decoded = IpPacket;

/** The IP packet inside a frame of `linkType`, decoded; undefined for anything that is not IP. */
export function decodeFrame(linkType: number, frame: Buffer): Decoded | undefined {
  let etherType: number | undefined;
  let offset = 0;
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      if (frame.length < 14) return undefined;
      etherType = frame.readUInt16BE(12);
      offset = 14;
      // 802.1Q / 802.1ad tags: skip them to the real EtherType.
      while ((etherType === 0x8100 || etherType === 0x88a8) && frame.length >= offset + 4) {
        etherType = frame.readUInt16BE(offset + 2);
        offset += 4;
      }
      break;
    }
    case LINKTYPE.LINUX_SLL:
      if (frame.length < 16) return undefined;
      etherType = frame.readUInt16BE(14);
      offset = 16;
      break;
    case LINKTYPE.LINUX_SLL2:
      if (frame.length < 20) return undefined;
      etherType = frame.readUInt16BE(0);
      offset = 20;
      break;
    case LINKTYPE.NULL: {
      if (frame.length < 4) return undefined;
      // The address family is in the capturing host's byte order: AF_INET is 2 everywhere.
      const family = frame.readUInt32LE(0) > 0xffff ? frame.readUInt32BE(0) : frame.readUInt32LE(0);
      etherType = family === 2 ? 0x0800 : [24, 28, 30].includes(family) ? 0x86dd : undefined;
      offset = 4;
      break;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6: {
      const v = (frame[0] ?? 0) >> 4;
      etherType = v === 4 ? 0x0800 : v === 6 ? 0x86dd : undefined;
      break;
    }
    default:
      return undefined;
  }
  const ip = frame.subarray(offset);
  if (etherType === 0x0800) return decodeIpv4(ip);
  if (etherType === 0x86dd) return decodeIpv6(ip);
  return undefined;
}

function decodeIpv4(ip: Buffer): Decoded | undefined {
  if (ip.length < 20 || ip[0]! >> 4 !== 4) return undefined;
  const ihl = (ip[0]! & 0x0f) * 4;
  const total = ip.readUInt16BE(2);
  const fragment = ip.readUInt16BE(6);
  // Only the first fragment carries the TCP/UDP header; later ones are counted as "other".
  if ((fragment & 0x1fff) !== 0 || ihl < 20) return undefined;
  const protocol = ip[9]!;
  // On a capture of the sending side, checksum/segmentation offload can leave the length 0; the frame then says it.
  const ipLength = total >= ihl ? total : ip.length;
  const base: Decoded = {
    ipVersion: 4,
    src: `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`,
    dst: `${ip[16]}.${ip[17]}.${ip[18]}.${ip[19]}`,
    ttl: ip[8]!,
    protocol,
  };
  return transport(base, ip.subarray(ihl), ipLength - ihl);
}

function decodeIpv6(ip: Buffer): Decoded | undefined {
  if (ip.length < 40 || ip[0]! >> 4 !== 6) return undefined;
  let next = ip[6]!;
  let length = ip.readUInt16BE(4);
  let o = 40;
  // Hop-by-hop, routing and destination options headers: skip; a fragment header: not decoded.
  while ([0, 43, 60].includes(next) && ip.length >= o + 8) {
    const len = (ip[o + 1]! + 1) * 8;
    next = ip[o]!;
    o += len;
    length -= len;
  }
  if (next === 44) return undefined;
  const base: Decoded = {
    ipVersion: 6,
    src: ipv6(ip.subarray(8, 24)),
    dst: ipv6(ip.subarray(24, 40)),
    ttl: ip[7]!,
    protocol: next,
  };
  return transport(base, ip.subarray(o), length);
}

function ipv6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function transport(base: Decoded, seg: Buffer, length: number): Decoded {
  if (base.protocol === 6 && seg.length >= 20) {
    const dataOffset = (seg[12]! >> 4) * 4;
    const f = seg[13]!;
    base.tcp = {
      srcPort: seg.readUInt16BE(0),
      dstPort: seg.readUInt16BE(2),
      seq: seg.readUInt32BE(4),
      ack: seg.readUInt32BE(8),
      flags: {
        fin: !!(f & 0x01),
        syn: !!(f & 0x02),
        rst: !!(f & 0x04),
        psh: !!(f & 0x08),
        ack: !!(f & 0x10),
        urg: !!(f & 0x20),
        ece: !!(f & 0x40),
        cwr: !!(f & 0x80),
      },
      window: seg.readUInt16BE(14),
      options: tcpOptions(seg.subarray(20, Math.min(dataOffset, seg.length))),
      payloadLength: Math.max(0, length - dataOffset),
    };
  } else if (base.protocol === 17 && seg.length >= 8) {
    const udpLength = seg.readUInt16BE(4);
    base.udp = {
      srcPort: seg.readUInt16BE(0),
      dstPort: seg.readUInt16BE(2),
      payloadLength: Math.max(0, (udpLength >= 8 ? udpLength : length) - 8),
    };
  }
  return base;
}

function tcpOptions(b: Buffer): TcpOptions {
  const o: TcpOptions = {};
  let i = 0;
  while (i < b.length) {
    const kind = b[i]!;
    if (kind === 0) break; // end of option list
    if (kind === 1) {
      i++; // no-operation (padding)
      continue;
    }
    const len = b[i + 1];
    if (len === undefined || len < 2 || i + len > b.length) break; // malformed: keep what was read
    const v = b.subarray(i + 2, i + len);
    if (kind === 2 && len === 4) o.mss = v.readUInt16BE(0);
    else if (kind === 3 && len === 3) o.wscale = v[0]!;
    else if (kind === 4 && len === 2) o.sackPermitted = true;
    else if (kind === 5 && (len - 2) % 8 === 0) {
      o.sack = [];
      for (let k = 0; k < v.length; k += 8) o.sack.push([v.readUInt32BE(k), v.readUInt32BE(k + 4)]);
    } else if (kind === 8 && len === 10) o.timestamp = { value: v.readUInt32BE(0), echo: v.readUInt32BE(4) };
    i += len;
  }
  return o;
}
