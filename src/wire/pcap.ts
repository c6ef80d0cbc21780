/**
 * Reads packet capture files (classic pcap and pcapng, as tcpdump and Wireshark write them); each
 * frame is decoded by frames.ts down to its IPv4/IPv6 and TCP/UDP headers.
 *
 * Written here instead of taken from npm: the formats are small and documented (the pcap-savefile
 * man page and the pcapng draft), the npm parsers on offer read only classic pcap or bind libpcap
 * natively, and this reader keeps no payload bytes, only header fields and payload lengths, so its
 * memory grows with the number of packets (capped) and never with their size.
 *
 * The public functions never throw for what is in the file: an empty, truncated or foreign file
 * becomes a result with one reason a person can read.
 */
import { openRegular } from './files.js';
import { type IpPacket, decodeFrame, isDecoded } from './frames.js';

export {
  type IpPacket,
  LINKTYPE,
  type TcpFlags,
  type TcpHeader,
  type TcpOptions,
  type UdpHeader,
  decodeFrame,
} from './frames.js';

/** Why a capture could not be read (completely). */
export type CaptureProblemCode =
  | 'empty'
  | 'not-a-capture'
  | 'truncated'
  | 'corrupt'
  | 'unsupported-link-type'
  | 'unreadable'
  | 'too-many-packets';

export interface CaptureProblem {
  code: CaptureProblemCode;
  /** One plain English sentence; explain.ts has the Russian one. */
  message: string;
  /** Byte offset in the file where reading stopped, when that is known. */
  offset?: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** One IP packet of a capture: where it is in the file, when it was captured, and its headers. */
export interface Packet extends IpPacket {
  /** 1-based frame number, as Wireshark numbers them. */
  frame: number;
  /** Milliseconds since the epoch (fractional: micro- or nanosecond captures keep sub-ms precision). */
  timeMs: number;
  /** Bytes captured and bytes that were on the wire. */
  capturedLength: number;
  originalLength: number;
}

export interface Capture {
  format: CaptureFormat;
  /** Link types of the capture's interfaces (pcap has one, pcapng one per interface). */
  linkTypes: number[];
  /** Timestamps in the file are nanoseconds (else microseconds or the interface's own resolution). */
  nanosecond: boolean;
  /** IP packets, in file order (empty when read with `onPacket`). */
  packets: Packet[];
  /** IP packets decoded, kept or streamed. */
  packetCount: number;
  /** Frames that were read but are not IPv4/IPv6 (ARP, ...), or are IP fragments after the first. */
  otherFrames: number;
  /** Frames on interfaces whose link type this reader does not decode. */
  unsupportedFrames: number;
}

export type CaptureResult =
  | { ok: true; capture: Capture }
  /** `partial` holds what was read before the problem (a cut-off file still has its first packets). */
  | { ok: false; problem: CaptureProblem; partial?: Capture };

export interface ReadOptions {
  /** Stop (with the problem `too-many-packets`) after this many IP packets kept in `packets`; bounds memory. */
  maxPackets?: number;
  /**
   * Streaming: every IP packet is handed here as it is decoded and NOT kept in `packets` (which
   * stays empty, and `maxPackets` does not apply). Memory then depends only on the consumer.
   */
  onPacket?: (packet: Packet) => void;
}

export const READ_DEFAULTS = { maxPackets: 2_000_000 } as const;

// A record larger than this is not a packet but a misread length: stop instead of buffering it.
const MAX_RECORD = 16 * 1024 * 1024;

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const NG_SHB = 0x0a0d0d0a;
const NG_BYTE_ORDER = 0x1a2b3c4d;
const NG_IDB = 1;
const NG_OPB = 2; // obsolete Packet Block, still written by old tools
const NG_SPB = 3;
const NG_EPB = 6;

/** Largest capture file read (a run of the lab writes a few MB). */
export const MAX_CAPTURE_BYTES = 1024 * 1024 * 1024;

/**
 * Reads a capture file from disk, streaming: the file is never held in memory as a whole. Only a
 * regular file is opened (see openRegular: no FIFO, device or symbolic link), of at most
 * MAX_CAPTURE_BYTES.
 */
export async function readCaptureFile(path: string, options: ReadOptions = {}): Promise<CaptureResult> {
  const opened = await openRegular(path, MAX_CAPTURE_BYTES);
  if (!opened.ok) return { ok: false, problem: { code: 'unreadable', message: opened.message } };
  try {
    return await readCapture(opened.handle.createReadStream({ highWaterMark: 256 * 1024 }), options);
  } catch (err) {
    // errno codes (EIO...) are the file's problem; Node's own ERR_ codes and the rest are bugs.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) {
      return { ok: false, problem: { code: 'unreadable', message: `cannot read ${path}: ${code}` } };
    }
    throw err;
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
}

/** Reads a capture from bytes in memory (tests, small files). */
export function readCaptureBytes(bytes: Uint8Array, options: ReadOptions = {}): Promise<CaptureResult> {
  return readCapture([bytes], options);
}

/** Reads a capture from a stream of chunks of any size. */
export async function readCapture(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadOptions = {},
): Promise<CaptureResult> {
  const maxPackets = options.maxPackets ?? READ_DEFAULTS.maxPackets;
  const input = new ByteInput(chunks);
  const head = await input.peek(4);
  if (head.length === 0) {
    return { ok: false, problem: { code: 'empty', message: 'the file is empty: no capture was written' } };
  }
  if (head.length < 4) return notACapture(head);
  const be = head.readUInt32BE(0);
  const le = head.readUInt32LE(0);
  const sink = new Sink(options.onPacket ? Infinity : maxPackets, options.onPacket);
  let format: CaptureFormat;
  let nanosecond = false;
  let problem: CaptureProblem | undefined;
  if (be === NG_SHB) {
    format = 'pcapng';
    problem = await readPcapng(input, sink);
  } else if ([PCAP_MAGIC_US, PCAP_MAGIC_NS].includes(be) || [PCAP_MAGIC_US, PCAP_MAGIC_NS].includes(le)) {
    format = 'pcap';
    nanosecond = be === PCAP_MAGIC_NS || le === PCAP_MAGIC_NS;
    problem = await readPcap(input, sink);
  } else {
    return notACapture(head);
  }
  const capture: Capture = {
    format,
    linkTypes: sink.linkTypes,
    nanosecond: nanosecond || sink.nanosecond,
    packets: sink.packets,
    packetCount: sink.count,
    otherFrames: sink.other,
    unsupportedFrames: sink.unsupported,
  };
  if (!problem && sink.unsupported > 0 && sink.count === 0) {
    const types = sink.linkTypes.filter((t) => !isDecoded(t));
    problem = {
      code: 'unsupported-link-type',
      message: `the capture's link type ${types.join(', ')} is not decoded here (supported: Ethernet, Linux cooked v1/v2, raw IP, BSD loopback)`,
    };
  }
  return problem ? { ok: false, problem, partial: capture } : { ok: true, capture };
}

function notACapture(head: Buffer): CaptureResult {
  const hex = [...head].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const known = head[0] === 0x89 && head[1] === 0x50 ? ' (it starts like a PNG image)' : '';
  return {
    ok: false,
    problem: {
      code: 'not-a-capture',
      message: `not a pcap or pcapng capture: it starts with ${hex}${known}, not a capture file's magic number`,
      offset: 0,
    },
  };
}

// ---- byte input -----------------------------------------------------------------------------

/** Pulls exactly the bytes asked for from a chunk stream, keeping only what is not consumed yet. */
class ByteInput {
  private readonly it: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  /** Bytes consumed so far: the file offset of the next byte. */
  offset = 0;

  constructor(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.it =
      Symbol.asyncIterator in chunks
        ? (chunks as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
        : (chunks as Iterable<Uint8Array>)[Symbol.iterator]();
  }

  /** Up to `n` bytes without consuming them; fewer only at the end of the input. */
  async peek(n: number): Promise<Buffer> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) this.buf = Buffer.concat([this.buf, Buffer.from(r.value)]);
    }
    return this.buf.subarray(0, Math.min(n, this.buf.length));
  }

  /** Exactly `n` bytes, or fewer at the end of the input (the caller reports the truncation). */
  async take(n: number): Promise<Buffer> {
    const b = Buffer.from(await this.peek(n)); // a copy: the buffer behind it is dropped below
    this.buf = this.buf.subarray(b.length);
    this.offset += b.length;
    return b;
  }
}

/** Collects decoded packets and the counts of frames left out. */
class Sink {
  packets: Packet[] = [];
  linkTypes: number[] = [];
  nanosecond = false;
  other = 0;
  unsupported = 0;
  count = 0;
  private frame = 0;

  constructor(
    private readonly max: number,
    private readonly onPacket?: (p: Packet) => void,
  ) {}

  full(): boolean {
    return this.packets.length >= this.max;
  }

  /** Decodes one frame into a packet, kept or handed to `onPacket`. */
  add(linkType: number, timeMs: number, data: Buffer, originalLength: number): void {
    this.frame++;
    if (!isDecoded(linkType)) {
      this.unsupported++;
      return;
    }
    const p = decodeFrame(linkType, data);
    if (!p) {
      this.other++;
      return;
    }
    const packet: Packet = { frame: this.frame, timeMs, capturedLength: data.length, originalLength, ...p };
    this.count++;
    if (this.onPacket) this.onPacket(packet);
    else this.packets.push(packet);
  }
}

function tooMany(max: number, offset: number): CaptureProblem {
  return {
    code: 'too-many-packets',
    message: `the capture has more than ${max} IP packets; only the first ${max} were read`,
    offset,
  };
}

function truncated(offset: number, what: string): CaptureProblem {
  return {
    code: 'truncated',
    message: `the file ends in the middle of ${what} that starts at byte ${offset} (was the capture still being written, or stopped hard?)`,
    offset,
  };
}

// ---- classic pcap ---------------------------------------------------------------------------

async function readPcap(input: ByteInput, sink: Sink): Promise<CaptureProblem | undefined> {
  const header = await input.take(24);
  if (header.length < 24) return truncated(0, 'the 24-byte file header');
  const le = [PCAP_MAGIC_US, PCAP_MAGIC_NS].includes(header.readUInt32LE(0));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const nano = u32(header, 0) === PCAP_MAGIC_NS;
  // The link-type field's upper bits may carry FCS information (pcap-savefile(5)); the type is the low 16.
  const linkType = u32(header, 20) & 0xffff;
  sink.linkTypes.push(linkType);
  for (;;) {
    const start = input.offset;
    const rec = await input.take(16);
    if (rec.length === 0) return undefined;
    if (rec.length < 16) return truncated(start, 'a packet record header');
    const sec = u32(rec, 0);
    const frac = u32(rec, 4);
    const caplen = u32(rec, 8);
    const origlen = u32(rec, 12);
    if (caplen > MAX_RECORD) {
      return {
        code: 'corrupt',
        message: `a packet record at byte ${start} claims ${caplen} bytes`,
        offset: start,
      };
    }
    const data = await input.take(caplen);
    if (data.length < caplen) return truncated(start, `a packet record of ${caplen} bytes`);
    if (sink.full()) return tooMany(sink.packets.length, start);
    sink.add(linkType, sec * 1000 + (nano ? frac / 1e6 : frac / 1e3), data, origlen);
  }
}

// ---- pcapng ---------------------------------------------------------------------------------

interface Interface {
  linkType: number;
  snapLength: number;
  /** Seconds per timestamp unit. */
  unit: number;
}

async function readPcapng(input: ByteInput, sink: Sink): Promise<CaptureProblem | undefined> {
  let le = true;
  let interfaces: Interface[] = [];
  for (;;) {
    const start = input.offset;
    const head = await input.peek(12);
    if (head.length === 0) return undefined;
    if (head.length < 8) return truncated(start, 'a block header');
    let type = le ? head.readUInt32LE(0) : head.readUInt32BE(0);
    if (head.readUInt32BE(0) === NG_SHB) {
      // A Section Header Block sets the byte order of everything up to the next one.
      if (head.length < 12) return truncated(start, 'a section header block');
      if (head.readUInt32LE(8) === NG_BYTE_ORDER) le = true;
      else if (head.readUInt32BE(8) === NG_BYTE_ORDER) le = false;
      else
        return {
          code: 'corrupt',
          message: `a section header at byte ${start} has no valid byte-order magic`,
          offset: start,
        };
      type = NG_SHB;
      interfaces = []; // interface ids are per section
    }
    const length = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
    if (length < 12 || length % 4 !== 0 || length > MAX_RECORD) {
      return {
        code: 'corrupt',
        message: `a block at byte ${start} has an impossible length (${length})`,
        offset: start,
      };
    }
    const block = await input.take(length);
    if (block.length < length) return truncated(start, `a block of ${length} bytes`);
    const u32 = (o: number) => (le ? block.readUInt32LE(o) : block.readUInt32BE(o));
    const u16 = (o: number) => (le ? block.readUInt16LE(o) : block.readUInt16BE(o));
    const body = block.subarray(8, length - 4);
    switch (type) {
      case NG_IDB: {
        // Link type, reserved, snap length: 8 bytes the block must hold (a 12-byte block once threw).
        if (body.length < 8)
          return {
            code: 'corrupt',
            message: `an interface block at byte ${start} is too short`,
            offset: start,
          };
        const iface: Interface = { linkType: u16(8), snapLength: u32(12), unit: 1e-6 };
        const tsresol = findOption(body.subarray(8), 9, le);
        if (tsresol && tsresol.length >= 1) {
          const v = tsresol[0] ?? 6;
          iface.unit = v & 0x80 ? 2 ** -(v & 0x7f) : 10 ** -(v & 0x7f);
        }
        if (iface.unit < 1e-6) sink.nanosecond = true;
        interfaces.push(iface);
        if (!sink.linkTypes.includes(iface.linkType)) sink.linkTypes.push(iface.linkType);
        break;
      }
      case NG_EPB:
      case NG_OPB: {
        if (body.length < 20)
          return { code: 'corrupt', message: `a packet block at byte ${start} is too short`, offset: start };
        const id = type === NG_EPB ? u32(8) : u16(8);
        const iface = interfaces[id];
        if (!iface)
          return {
            code: 'corrupt',
            message: `a packet at byte ${start} names interface ${id}, which was never described`,
            offset: start,
          };
        const ts = u32(12) * 2 ** 32 + u32(16);
        const caplen = u32(20);
        const origlen = u32(24);
        if (28 + caplen > length - 4)
          return {
            code: 'corrupt',
            message: `a packet block at byte ${start} claims more data than it holds`,
            offset: start,
          };
        if (sink.full()) return tooMany(sink.packets.length, start);
        sink.add(iface.linkType, ts * iface.unit * 1000, block.subarray(28, 28 + caplen), origlen);
        break;
      }
      case NG_SPB: {
        if (body.length < 4)
          return {
            code: 'corrupt',
            message: `a simple packet block at byte ${start} is too short`,
            offset: start,
          };
        const iface = interfaces[0];
        if (!iface)
          return {
            code: 'corrupt',
            message: `a simple packet block at byte ${start} comes before any interface`,
            offset: start,
          };
        const origlen = u32(8);
        const caplen = Math.min(origlen, iface.snapLength || origlen, length - 16);
        if (sink.full()) return tooMany(sink.packets.length, start);
        // A simple packet block has no timestamp: NaN says "unknown" instead of inventing one.
        sink.add(iface.linkType, Number.NaN, block.subarray(12, 12 + caplen), origlen);
        break;
      }
      default:
        break; // section header (handled above), statistics, name resolution, custom blocks: not needed
    }
  }
}

/** The value of option `code` in a pcapng options list, or undefined. */
function findOption(options: Buffer, code: number, le: boolean): Buffer | undefined {
  let o = 0;
  while (o + 4 <= options.length) {
    const c = le ? options.readUInt16LE(o) : options.readUInt16BE(o);
    const len = le ? options.readUInt16LE(o + 2) : options.readUInt16BE(o + 2);
    if (c === 0) return undefined; // opt_endofopt
    if (o + 4 + len > options.length) return undefined;
    if (c === code) return options.subarray(o + 4, o + 4 + len);
    o += 4 + len + ((4 - (len % 4)) % 4);
  }
  return undefined;
}
