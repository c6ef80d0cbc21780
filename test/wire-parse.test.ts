import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { runCli, defer } from './helpers.ts';
import {
  LINKTYPE,
  analyseCaptureFile,
  analyseFlows,
  crossCheckBytes,
  explainCaptureProblem,
  explainWire,
  readCapture,
  readCaptureBytes,
  readCaptureFile,
  relateCaptures,
  retransmissionsOf,
  socketCountsFromLog,
} from '../src/wire/index.ts';

// Small captures built by hand, byte by byte, so each layout the reader accepts is pinned down
// independently of tcpdump (the capture tests cover what tcpdump really writes).

interface Seg {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: string; // e.g. 'S', 'SA', 'A', 'PA', 'FA', 'R'
  payload?: number;
  mss?: number;
  ttl?: number;
}

function ipv4Bytes(a: string): number[] {
  return a.split('.').map(Number);
}

function tcpIpv4(s: Seg): Buffer {
  const opts = s.mss !== undefined ? [2, 4, s.mss >> 8, s.mss & 0xff, 1, 3, 3, 7, 4, 2, 1, 1] : [];
  const tcpLen = 20 + opts.length;
  const payload = s.payload ?? 0;
  const ip = Buffer.alloc(20 + tcpLen + payload);
  ip[0] = 0x45;
  ip.writeUInt16BE(ip.length, 2);
  ip[8] = s.ttl ?? 64;
  ip[9] = 6;
  Buffer.from(ipv4Bytes(s.src)).copy(ip, 12);
  Buffer.from(ipv4Bytes(s.dst)).copy(ip, 16);
  const t = ip.subarray(20);
  t.writeUInt16BE(s.sport, 0);
  t.writeUInt16BE(s.dport, 2);
  t.writeUInt32BE(s.seq >>> 0, 4);
  t.writeUInt32BE((s.ack ?? 0) >>> 0, 8);
  t[12] = (tcpLen / 4) << 4;
  const bits: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16 };
  t[13] = [...s.flags].reduce((n, c) => n | (bits[c] ?? 0), 0);
  t.writeUInt16BE(65535, 14);
  Buffer.from(opts).copy(t, 20);
  return ip;
}

function udpIpv4(src: string, dst: string, sport: number, dport: number, payload: number): Buffer {
  const ip = Buffer.alloc(28 + payload);
  ip[0] = 0x45;
  ip.writeUInt16BE(ip.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from(ipv4Bytes(src)).copy(ip, 12);
  Buffer.from(ipv4Bytes(dst)).copy(ip, 16);
  ip.writeUInt16BE(sport, 20);
  ip.writeUInt16BE(dport, 22);
  ip.writeUInt16BE(8 + payload, 24);
  return ip;
}

const ethernet = (ip: Buffer) => Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x00]), ip]);
const sll = (ip: Buffer) => {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0x0800, 14);
  return Buffer.concat([h, ip]);
};
const sll2 = (ip: Buffer) => {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(0x0800, 0);
  return Buffer.concat([h, ip]);
};

/** Classic pcap with `le` byte order and micro- or nanosecond timestamps. */
function pcap(
  frames: Array<{ t: number; data: Buffer }>,
  o: { le: boolean; nano: boolean; link: number },
): Buffer {
  const w32 = (b: Buffer, v: number, off: number) =>
    o.le ? b.writeUInt32LE(v, off) : b.writeUInt32BE(v, off);
  const w16 = (b: Buffer, v: number, off: number) =>
    o.le ? b.writeUInt16LE(v, off) : b.writeUInt16BE(v, off);
  const h = Buffer.alloc(24);
  w32(h, o.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(h, 2, 4);
  w16(h, 4, 6);
  w32(h, 262144, 16);
  w32(h, o.link, 20);
  const parts: Buffer[] = [h];
  for (const f of frames) {
    const r = Buffer.alloc(16);
    const sec = Math.floor(f.t / 1000);
    const frac = Math.round((f.t - sec * 1000) * (o.nano ? 1e6 : 1e3));
    w32(r, sec, 0);
    w32(r, frac, 4);
    w32(r, f.data.length, 8);
    w32(r, f.data.length, 12);
    parts.push(r, f.data);
  }
  return Buffer.concat(parts);
}

/** pcapng: a section header, one interface (with if_tsresol = 9: nanoseconds), an unknown block, EPBs and one SPB. */
function pcapng(
  frames: Array<{ t: number; data: Buffer }>,
  o: { le: boolean; link: number; spb?: Buffer },
): Buffer {
  const w32 = (b: Buffer, v: number, off: number) =>
    o.le ? b.writeUInt32LE(v, off) : b.writeUInt32BE(v, off);
  const w16 = (b: Buffer, v: number, off: number) =>
    o.le ? b.writeUInt16LE(v, off) : b.writeUInt16BE(v, off);
  const block = (type: number, body: Buffer) => {
    const pad = (4 - (body.length % 4)) % 4;
    const len = 12 + body.length + pad;
    const b = Buffer.alloc(len);
    w32(b, type, 0);
    w32(b, len, 4);
    body.copy(b, 8);
    w32(b, len, len - 4);
    return b;
  };
  const shb = Buffer.alloc(16);
  w32(shb, 0x1a2b3c4d, 0);
  w16(shb, 1, 4);
  shb.writeInt32LE(-1, 8);
  shb.writeInt32LE(-1, 12);
  const idb = Buffer.alloc(8 + 8 + 4);
  w16(idb, o.link, 0);
  w32(idb, 0, 4);
  w16(idb, 9, 8); // if_tsresol
  w16(idb, 1, 10);
  idb[12] = 9; // 10^-9 s
  const parts = [block(0x0a0d0d0a, shb), block(1, idb), block(0x0badf00d, Buffer.from('unknown block'))];
  for (const f of frames) {
    const h = Buffer.alloc(20);
    const ns = BigInt(Math.round(f.t * 1e6));
    w32(h, 0, 0);
    w32(h, Number(ns >> 32n), 4);
    w32(h, Number(ns & 0xffffffffn), 8);
    w32(h, f.data.length, 12);
    w32(h, f.data.length, 16);
    parts.push(block(6, Buffer.concat([h, f.data])));
  }
  if (o.spb) {
    const h = Buffer.alloc(4);
    w32(h, o.spb.length, 0);
    parts.push(block(3, Buffer.concat([h, o.spb])));
  }
  return Buffer.concat(parts);
}

const C = '10.0.0.2';
const S = '10.0.0.1';
const T0 = 1_700_000_000_000;

/** A whole echo exchange: handshake, 2501 bytes each way, client FIN first. */
function exchange(
  o: { isnC?: number; isnS?: number; client?: string; server?: string; cport?: number; sport?: number } = {},
): Seg[] {
  const c = o.client ?? C;
  const s = o.server ?? S;
  const cp = o.cport ?? 40000;
  const sp = o.sport ?? 7007;
  const ic = o.isnC ?? 1000;
  const is = o.isnS ?? 5000;
  const up = (x: Partial<Seg> & Pick<Seg, 'seq' | 'flags'>): Seg => ({
    src: c,
    dst: s,
    sport: cp,
    dport: sp,
    ...x,
  });
  const down = (x: Partial<Seg> & Pick<Seg, 'seq' | 'flags'>): Seg => ({
    src: s,
    dst: c,
    sport: sp,
    dport: cp,
    ...x,
  });
  return [
    up({ seq: ic, flags: 'S', mss: 1460 }),
    down({ seq: is, ack: ic + 1, flags: 'SA', mss: 1400 }),
    up({ seq: ic + 1, ack: is + 1, flags: 'A' }),
    up({ seq: ic + 1, ack: is + 1, flags: 'PA', payload: 1024 }),
    up({ seq: ic + 1025, ack: is + 1, flags: 'PA', payload: 1024 }),
    up({ seq: ic + 2049, ack: is + 1, flags: 'PA', payload: 453 }),
    down({ seq: is + 1, ack: ic + 2502, flags: 'A' }),
    down({ seq: is + 1, ack: ic + 2502, flags: 'PA', payload: 1400 }),
    down({ seq: is + 1401, ack: ic + 2502, flags: 'PA', payload: 1101 }),
    up({ seq: ic + 2502, ack: is + 2502, flags: 'FA' }),
    down({ seq: is + 2502, ack: ic + 2503, flags: 'FA' }),
    up({ seq: ic + 2503, ack: is + 2503, flags: 'A' }),
  ];
}

const frames = (segs: Seg[], wrap: (ip: Buffer) => Buffer = ethernet) =>
  segs.map((s, i) => ({ t: T0 + i * 1.5, data: wrap(tcpIpv4(s)) }));

async function ok(bytes: Buffer) {
  const r = await readCaptureBytes(bytes);
  if (!r.ok) assert.fail(`expected a readable capture, got ${r.problem.code}: ${r.problem.message}`);
  return r.capture;
}

test('classic pcap in both byte orders, micro- and nanoseconds, decodes the same packets', async () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      const cap = await ok(pcap(frames(exchange()), { le, nano, link: LINKTYPE.ETHERNET }));
      assert.equal(cap.format, 'pcap');
      assert.equal(cap.nanosecond, nano);
      assert.equal(cap.packets.length, 12);
      const syn = cap.packets[0]!;
      assert.equal(syn.src, C);
      assert.equal(syn.tcp?.flags.syn, true);
      assert.deepEqual(syn.tcp?.options, { mss: 1460, wscale: 7, sackPermitted: true });
      assert.ok(Math.abs(cap.packets[3]!.timeMs - (T0 + 4.5)) < 0.002, `time ${cap.packets[3]!.timeMs}`);
      assert.equal(cap.packets[3]!.tcp?.payloadLength, 1024);
    }
  }
});

test('pcapng in both byte orders: section, interface with nanosecond resolution, EPB, SPB, unknown blocks skipped', async () => {
  for (const le of [true, false]) {
    const spb = ethernet(udpIpv4(C, S, 5000, 7008, 12));
    const cap = await ok(pcapng(frames(exchange()), { le, link: LINKTYPE.ETHERNET, spb }));
    assert.equal(cap.format, 'pcapng');
    assert.equal(cap.nanosecond, true);
    assert.equal(cap.packets.length, 13);
    assert.ok(Math.abs(cap.packets[1]!.timeMs - (T0 + 1.5)) < 0.001);
    const last = cap.packets[12]!;
    assert.equal(last.udp?.payloadLength, 12);
    assert.ok(Number.isNaN(last.timeMs), 'a simple packet block has no timestamp');
  }
});

test('Linux cooked (SLL, SLL2) and raw IPv4 link types', async () => {
  for (const [link, wrap] of [
    [LINKTYPE.LINUX_SLL, sll],
    [LINKTYPE.LINUX_SLL2, sll2],
    [LINKTYPE.RAW, (ip: Buffer) => ip],
    [LINKTYPE.IPV4, (ip: Buffer) => ip],
  ] as const) {
    const cap = await ok(pcap(frames(exchange(), wrap), { le: true, nano: false, link }));
    assert.equal(cap.packets.length, 12, `link type ${link}`);
    assert.equal(cap.packets[7]!.tcp?.payloadLength, 1400);
  }
});

test('IPv6 TCP is decoded with compressed addresses', async () => {
  const tcp = tcpIpv4({ src: C, dst: S, sport: 1, dport: 7007, seq: 1, flags: 'S', mss: 1440 }).subarray(20);
  const ip6 = Buffer.alloc(40);
  ip6[0] = 0x60;
  ip6.writeUInt16BE(tcp.length, 4);
  ip6[6] = 6;
  ip6[7] = 64;
  ip6[23] = 1; // ::1
  ip6.writeUInt16BE(0xfd00, 24);
  ip6[39] = 2; // fd00::2
  const frame = Buffer.concat([Buffer.alloc(12), Buffer.from([0x86, 0xdd]), ip6, tcp]);
  const cap = await ok(pcap([{ t: T0, data: frame }], { le: true, nano: false, link: LINKTYPE.ETHERNET }));
  assert.equal(cap.packets[0]!.src, '::1');
  assert.equal(cap.packets[0]!.dst, 'fd00::2');
  assert.equal(cap.packets[0]!.tcp?.options.mss, 1440);
  assert.equal(analyseFlows(cap.packets).tcp[0]!.client, '[::1]:1');
});

test('empty, truncated, foreign and missing files give one clear reason, never a throw', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wire-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const whole = pcap(frames(exchange()), { le: true, nano: false, link: LINKTYPE.ETHERNET });

  const empty = await readCaptureBytes(Buffer.alloc(0));
  assert.equal(!empty.ok && empty.problem.code, 'empty');

  const cut = await readCaptureBytes(whole.subarray(0, whole.length - 7));
  assert.equal(cut.ok, false);
  if (!cut.ok) {
    assert.equal(cut.problem.code, 'truncated');
    assert.match(
      cut.problem.message,
      /ends in the middle of a packet record of \d+ bytes that starts at byte \d+/,
    );
    assert.equal(cut.partial?.packets.length, 11, 'the packets before the cut are kept');
  }
  const headerOnly = await readCaptureBytes(whole.subarray(0, 10));
  assert.equal(!headerOnly.ok && headerOnly.problem.code, 'truncated');

  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const notPcap = await readCaptureBytes(png);
  assert.equal(notPcap.ok, false);
  if (!notPcap.ok) {
    assert.equal(notPcap.problem.code, 'not-a-capture');
    assert.match(notPcap.problem.message, /PNG/);
    assert.match(explainCaptureProblem('x.pcap', notPcap.problem, 'ru'), /не файл захвата/);
  }
  const garbage = await readCaptureBytes(Buffer.from('hello world, not a capture\n'));
  assert.equal(!garbage.ok && garbage.problem.code, 'not-a-capture');

  const missing = await readCaptureFile(join(dir, 'nope.pcap'));
  assert.equal(!missing.ok && missing.problem.code, 'unreadable');
  assert.match(!missing.ok ? missing.problem.message : '', /ENOENT/);

  const cutNg = pcapng(frames(exchange()), { le: true, link: LINKTYPE.ETHERNET });
  const ng = await readCaptureBytes(cutNg.subarray(0, cutNg.length - 3));
  assert.equal(!ng.ok && ng.problem.code, 'truncated');

  const badLink = await readCaptureBytes(pcap(frames(exchange()), { le: true, nano: false, link: 147 }));
  assert.equal(!badLink.ok && badLink.problem.code, 'unsupported-link-type');

  // The file path reads the same as bytes, streamed in small chunks.
  const file = join(dir, 'x.pcap');
  await writeFile(file, whole);
  const fromFile = await readCaptureFile(file);
  assert.equal(fromFile.ok && fromFile.capture.packets.length, 12);
  const chunks = Array.from({ length: Math.ceil(whole.length / 7) }, (_, i) =>
    whole.subarray(i * 7, i * 7 + 7),
  );
  const fromChunks = await readCapture(chunks);
  assert.equal(fromChunks.ok && fromChunks.capture.packets.length, 12);

  const capped = await readCaptureBytes(whole, { maxPackets: 5 });
  assert.equal(!capped.ok && capped.problem.code, 'too-many-packets');
});

test('flows: handshake, segments, unique payload bytes, FIN order', async () => {
  const cap = await ok(pcap(frames(exchange()), { le: true, nano: false, link: LINKTYPE.ETHERNET }));
  const { tcp } = analyseFlows(cap.packets);
  assert.equal(tcp.length, 1);
  const c = tcp[0]!;
  assert.equal(c.client, `${C}:40000`);
  assert.equal(c.server, `${S}:7007`);
  assert.equal(c.handshake.complete, true);
  assert.equal(c.toServer.announcedMss, 1460);
  assert.equal(c.toClient.announcedMss, 1400);
  assert.deepEqual(
    c.toServer.data.map((d) => [d.relativeSeq, d.length]),
    [
      [1, 1024],
      [1025, 1024],
      [2049, 453],
    ],
  );
  assert.equal(c.toServer.payloadBytes, 2501);
  assert.equal(c.toClient.payloadBytes, 2501);
  assert.equal(c.toClient.largestSegment, 1400);
  assert.equal(c.teardown.firstFin, 'client');
  assert.equal(c.teardown.complete, true);
  assert.equal(c.toServer.retransmissions, 0);
});

test('flows: a retransmitted segment is counted once in the payload, with its count and delay', async () => {
  const segs = exchange();
  const again: Seg = { ...segs[4]! }; // the second 1024-byte segment, sent again
  const list = [...segs.slice(0, 6), again, ...segs.slice(6)];
  const f = list.map((s, i) => ({ t: T0 + (s === again ? 200 : i), data: ethernet(tcpIpv4(s)) }));
  const cap = await ok(pcap(f, { le: false, nano: true, link: LINKTYPE.ETHERNET }));
  const c = analyseFlows(cap.packets).tcp[0]!;
  assert.equal(c.toServer.payloadBytes, 2501);
  assert.equal(c.toServer.bytesOnWire, 2501 + 1024);
  assert.equal(c.toServer.retransmissions, 1);
  assert.equal(c.toServer.retransmittedBytes, 1024);
  assert.ok(
    Math.abs(c.toServer.retransmissionDelayMs - (200 - 4)) < 0.01,
    String(c.toServer.retransmissionDelayMs),
  );
  const text = explainWire({ lang: 'en', captures: [{ name: 'x', result: { ok: true, capture: cap } }] });
  assert.match(text, /1 retransmission: 1024 bytes sent again, after a timeout or sooner/);
  assert.match(text, /the application read every byte once, in order/);
});

test('explain: the empty segments named are the kinds the capture holds (no FIN listed without FINs)', async () => {
  const explain = async (segs: Seg[], lang: 'en' | 'ru') => {
    const cap = await ok(pcap(frames(segs), { le: true, nano: false, link: LINKTYPE.ETHERNET }));
    const text = explainWire({ lang, captures: [{ name: 'x', result: { ok: true, capture: cap } }] });
    return /(?:carried no payload|не несли полезной нагрузки): ([^.]*)\./.exec(text)?.[1] ?? text;
  };
  const whole = exchange();
  assert.match(await explain(whole, 'en'), /the handshake, ACKs without data .* and the FINs$/);
  assert.match(await explain(whole, 'ru'), /рукопожатие, ACK без данных .* и FIN$/);
  // Stopped before the clients' FINs were written: no FIN in the capture, none in the sentence.
  const noFin = whole.filter((x) => !x.flags.includes('F'));
  assert.ok(noFin.length < whole.length);
  assert.doesNotMatch(await explain(noFin, 'en'), /FIN/);
  assert.doesNotMatch(await explain(noFin, 'ru'), /FIN/);
  const cap = await ok(pcap(frames(noFin), { le: true, nano: false, link: LINKTYPE.ETHERNET }));
  const text = explainWire({ lang: 'en', captures: [{ name: 'x', result: { ok: true, capture: cap } }] });
  assert.match(text, /No FIN or RST of this connection in the capture: its close is not there/);
});

test('flows: sequence numbers that wrap past 2^32 still count each byte once', async () => {
  const cap = await ok(
    pcap(frames(exchange({ isnC: 0xffffff00, isnS: 0xfffffff0 })), {
      le: true,
      nano: false,
      link: LINKTYPE.ETHERNET,
    }),
  );
  const c = analyseFlows(cap.packets).tcp[0]!;
  assert.equal(c.toServer.payloadBytes, 2501);
  assert.equal(c.toClient.payloadBytes, 2501);
  assert.equal(c.toServer.retransmissions, 0);
  assert.equal(c.teardown.complete, true);
});

test('relate: same ISNs with rewritten addresses is NAT; two handshakes with other ISNs is a proxy', async () => {
  const near = analyseFlows(
    (
      await ok(
        pcap(frames(exchange({ client: '192.168.5.9', server: '203.0.113.1', sport: 17007 })), {
          le: true,
          nano: false,
          link: 1,
        }),
      )
    ).packets,
  );
  const natFar = analyseFlows(
    (
      await ok(
        pcap(frames(exchange({ client: '10.0.0.254', server: S, cport: 40000 })), {
          le: true,
          nano: false,
          link: 1,
        }),
      )
    ).packets,
  );
  const nat = relateCaptures(near, natFar);
  assert.equal(nat.summary, 'nat');
  const v = nat.tcp[0]!;
  assert.ok(v.kind === 'nat');
  assert.deepEqual(v.rewritten, { source: true, destination: true });
  assert.equal(v.after.server, `${S}:7007`);

  const proxyFar = analyseFlows(
    (
      await ok(
        pcap(
          frames(exchange({ client: '10.0.0.254', server: S, cport: 51000, isnC: 777777, isnS: 999999 })),
          {
            le: true,
            nano: false,
            link: 1,
          },
        ),
      )
    ).packets,
  );
  const proxy = relateCaptures(near, proxyFar);
  assert.equal(proxy.summary, 'proxy');
  assert.equal(proxy.tcp[0]!.kind, 'proxy');
  const ru = explainWire({ lang: 'ru', captures: [], hop: proxy });
  assert.match(ru, /Два TCP-соединения \(прокси\)/);
  const en = explainWire({ lang: 'en', captures: [], hop: nat });
  assert.match(en, /One TCP connection \(NAT\)/);
  assert.match(en, /DNAT \+ SNAT\)/);
  assert.match(
    en,
    /source address 192\.168\.5\.9 → 10\.0\.0\.254, port kept; destination address 203\.0\.113\.1 → 10\.0\.0\.1, port 17007 → 7007\. That is NAT/,
  );

  const unrelated = relateCaptures(near, analyseFlows([]));
  assert.equal(unrelated.summary, 'none');
});

test('cross-check: matches per connection and direction; any difference fails', async () => {
  const cap = await ok(pcap(frames(exchange()), { le: true, nano: false, link: 1 }));
  const flows = analyseFlows(cap.packets);
  const counts = socketCountsFromLog([
    { event: 'tcp.connection.closed', remote: `${C}:40000`, bytesIn: 2501, bytesOut: 2501, connId: 1 },
    { event: 'tcp.data.received', bytes: 5 },
  ]);
  assert.equal(counts.length, 1);
  const good = crossCheckBytes(flows, counts, { serverPort: 7007 });
  assert.equal(good.ok, true);
  assert.equal(good.comparisons.length, 2);

  const bad = crossCheckBytes(flows, [
    { remote: `::ffff:${C}:40000`, bytesIn: 2501, bytesOut: 2500 },
    { remote: '10.9.9.9:1', bytesIn: 1, bytesOut: 1 },
  ]);
  assert.equal(bad.ok, false);
  assert.deepEqual(
    bad.comparisons.map((c) => [c.direction, c.ok, c.reason]),
    [
      ['client-to-server', true, undefined],
      ['server-to-client', false, 'bytes-differ'],
      ['client-to-server', false, 'not-in-capture'],
      ['server-to-client', false, 'not-in-capture'],
    ],
  );
  const ru = explainWire({ lang: 'ru', captures: [], crossCheck: bad });
  assert.match(ru, /ОШИБКА: числа различаются/);
  assert.match(ru, /проверка не пройдена/);
  assert.equal(crossCheckBytes(flows, []).ok, false, 'nothing to compare is not a pass');
});

test('explanations in Russian use the course terms', async () => {
  const spb = ethernet(udpIpv4(C, S, 5000, 7008, 12));
  const cap = await ok(pcapng(frames(exchange()), { le: true, link: 1, spb }));
  const ru = explainWire({
    lang: 'ru',
    captures: [{ name: 'server.pcap', result: { ok: true, capture: cap } }],
  });
  for (const term of [
    'Тройное рукопожатие',
    'сегмент',
    'MSS',
    'дейтаграмм',
    'FIN',
    'начальный порядковый номер',
  ]) {
    assert.ok(ru.includes(term), `missing «${term}» in:\n${ru}`);
  }
  assert.match(ru, /Первым FIN отправил клиент/);
  const en = explainWire({
    lang: 'en',
    captures: [{ name: 'server.pcap', result: { ok: true, capture: cap } }],
  });
  assert.match(en, /Three-way handshake:/);
  assert.match(en, /client → server: 3 data segments, 2501 bytes of payload/);
  assert.match(en, /ACKs without data \(such a segment only acknowledges what arrived\)/);
});

test('relate: UDP datagrams matched by size and order across the hop, with the limit of what UDP can show', async () => {
  const sizes = [32, 31, 7, 11, 12];
  const side = (client: string, server: string, ttl: number) => {
    const f: Array<{ t: number; data: Buffer }> = [];
    sizes.forEach((n, i) => {
      const ip = udpIpv4(client, server, 41000, 7008, n);
      ip[8] = ttl;
      f.push({ t: T0 + i * 10, data: ethernet(ip) });
      f.push({ t: T0 + i * 10 + 1, data: ethernet(udpIpv4(server, client, 7008, 41000, 3)) });
    });
    return f;
  };
  const near = analyseFlows(
    (await ok(pcap(side('192.168.5.9', '203.0.113.1', 64), { le: true, nano: false, link: 1 }))).packets,
  );
  const far = analyseFlows(
    (await ok(pcap(side('10.0.0.254', S, 63), { le: true, nano: false, link: 1 }))).packets,
  );
  const rel = relateCaptures(near, far, { serverPorts: [7008] });
  assert.equal(rel.udp.length, 1);
  assert.equal(rel.udp[0]!.matchedDatagrams, 5);
  assert.deepEqual(rel.udp[0]!.ttl, [64, 63]);
  assert.equal(rel.udp[0]!.after.client, '10.0.0.254:41000');
  const ru = explainWire({ lang: 'ru', captures: [], hop: rel });
  assert.match(ru, /5 дейтаграмм тех же размеров/);
  // TTL one less and the client's port kept: the kernel forwarded them; the limit of UDP said too.
  assert.match(ru, /TTL меньше ровно на 1, а порт клиента 41000 тот же: эти дейтаграммы переслало ядро/);
  assert.match(ru, /веский признак, но не такое доказательство, как одно рукопожатие TCP/);
});

test('flows: a segment captured out of order is not a retransmission, and its bytes count', async () => {
  const segs = exchange();
  const list = [...segs.slice(0, 4), segs[5]!, segs[4]!, ...segs.slice(6)]; // 453-byte segment before the second 1024
  const cap = await ok(pcap(frames(list), { le: true, nano: false, link: 1 }));
  const c = analyseFlows(cap.packets).tcp[0]!;
  assert.equal(c.toServer.payloadBytes, 2501);
  assert.equal(c.toServer.retransmissions, 0);
  assert.equal(c.toServer.outOfOrder, 1);
  const text = explainWire({ lang: 'en', captures: [{ name: 'x', result: { ok: true, capture: cap } }] });
  assert.match(text, /1 segment was captured out of order/);
});

test('flows (property): any split, reordering and repetition of a stream counts each byte once', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 5 }),
      async (sizes, swaps, repeats) => {
        const isn = 0xfffff000; // close to wrapping
        let seq = isn + 1;
        const data: Seg[] = sizes.map((n) => {
          const s: Seg = {
            src: C,
            dst: S,
            sport: 40000,
            dport: 7007,
            seq: seq >>> 0,
            ack: 1,
            flags: 'PA',
            payload: n,
          };
          seq += n;
          return s;
        });
        for (const k of swaps) {
          const i = k % data.length;
          if (i + 1 < data.length) [data[i], data[i + 1]] = [data[i + 1]!, data[i]!];
        }
        const repeated = repeats.map((k) => data[k % data.length]!);
        const all = [
          { src: C, dst: S, sport: 40000, dport: 7007, seq: isn, flags: 'S' },
          ...data,
          ...repeated,
        ];
        const cap = await ok(pcap(frames(all), { le: true, nano: false, link: 1 }));
        const c = analyseFlows(cap.packets).tcp[0]!;
        const total = sizes.reduce((a, b) => a + b, 0);
        assert.equal(c.toServer.payloadBytes, total);
        assert.equal(c.toServer.retransmissions, repeated.length);
        assert.equal(c.toServer.bytesOnWire, total + repeated.reduce((a, s) => a + (s.payload ?? 0), 0));
      },
    ),
    { numRuns: 200 },
  );
});

test('analyseCaptureFile streams: no packet list kept, records capped, counts and bytes exact', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wire-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'x.pcapng');
  await writeFile(
    file,
    pcapng(frames(exchange()), { le: false, link: 1, spb: ethernet(udpIpv4(C, S, 5000, 7008, 9)) }),
  );
  const { result, flows } = await analyseCaptureFile(file, { maxRecords: 2 });
  assert.ok(result.ok);
  assert.equal(result.capture.packets.length, 0);
  assert.equal(result.capture.packetCount, 13);
  const c = flows.tcp[0]!;
  assert.equal(c.toServer.data.length, 2);
  assert.equal(c.toServer.dataCount, 3);
  assert.equal(c.toServer.segmentCount, 7);
  assert.equal(c.toServer.payloadBytes, 2501);
  assert.equal(flows.udp[0]!.count, 1);
  const text = explainWire({ lang: 'en', captures: [{ name: 'x', result, flows }] });
  assert.match(
    text,
    // (Markdown escapes the frame references' brackets: they are text, not links.)
    /client → server: 3 data segments, 2501 bytes of payload \(each byte counted once\): 1024 \\\[#4\\\], 1024 \\\[#5\\\], … 1 more segment\./,
  );
});

test('flows: a repeated SYN, SYN-ACK and FIN are counted with the time the lost SYN cost', async () => {
  const segs = exchange();
  const list = [segs[0]!, segs[0]!, segs[1]!, segs[1]!, ...segs.slice(2, 10), segs[9]!, ...segs.slice(10)];
  const times = [0, 1000, 1001, 1002];
  const f = list.map((s, i) => ({ t: T0 + (times[i] ?? 1000 + i), data: ethernet(tcpIpv4(s)) }));
  const cap = await ok(pcap(f, { le: true, nano: false, link: 1 }));
  const c = analyseFlows(cap.packets).tcp[0]!;
  assert.equal(analyseFlows(cap.packets).tcp.length, 1, 'a repeated SYN is the same connection');
  assert.equal(c.handshake.synRetransmissions, 1);
  assert.equal(c.handshake.synRetransmissionDelayMs, 1000);
  assert.equal(c.handshake.synAckRetransmissions, 1);
  assert.equal(c.handshake.complete, true);
  assert.equal(c.teardown.finRetransmissions, 1);
  assert.deepEqual(retransmissionsOf(c), {
    data: 0,
    bytes: 0,
    syn: 1,
    synAck: 1,
    fin: 1,
    delayMs: 1000,
    total: 3,
  });
  assert.equal(c.toServer.payloadBytes, 2501);
  const ru = explainWire({ lang: 'ru', captures: [{ name: 'x', result: { ok: true, capture: cap } }] });
  assert.match(ru, /Клиент отправил SYN 2 раза, последний — через 1000,000 мс после первого/);
  assert.match(ru, /FIN отправлен повторно 1 раз:/);
});

test('socket-lab wire: a foreign file gets one clear line and exit code 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'wire-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const png = join(dir, 'picture.pcap');
  await writeFile(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  const p = runCli(['wire', png, '--lang', 'ru']);
  assert.equal(await p.exited, 1, p.stderr());
  assert.match(p.stdout(), /Захват `.*picture\.pcap`: это не файл захвата pcap\/pcapng/);
  const good = join(dir, 'good.pcap');
  await writeFile(good, pcap(frames(exchange()), { le: true, nano: false, link: 1 }));
  const q = runCli(['wire', good]);
  assert.equal(await q.exited, 0, q.stderr());
  assert.match(q.stdout(), /TCP connection 1: `10\.0\.0\.2:40000` → `10\.0\.0\.1:7007`/);
});

/** The pcapng interface block of 12 bytes (no body) that threw RangeError inside the reader. */
function shortInterfaceBlock(le: boolean): Buffer {
  const good = pcapng([], { le, link: LINKTYPE.ETHERNET });
  const shb = good.subarray(0, 28);
  const idb = Buffer.alloc(12);
  if (le) {
    idb.writeUInt32LE(1, 0);
    idb.writeUInt32LE(12, 4);
    idb.writeUInt32LE(12, 8);
  } else {
    idb.writeUInt32BE(1, 0);
    idb.writeUInt32BE(12, 4);
    idb.writeUInt32BE(12, 8);
  }
  return Buffer.concat([shb, idb]);
}

test('a pcapng interface block of 12 bytes is a corrupt capture, not a RangeError reported as unreadable', async () => {
  for (const le of [true, false]) {
    const r = await readCaptureBytes(shortInterfaceBlock(le));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.problem.code, 'corrupt');
      assert.match(r.problem.message, /interface block at byte 28 is too short/);
    }
  }
});

test('readers (property): random mutations of real captures give a result or a refusal, never a throw', async () => {
  const seeds = [
    pcap(frames(exchange()), { le: true, nano: false, link: LINKTYPE.ETHERNET }),
    pcap(
      frames(exchange(), (ip) => ip),
      { le: false, nano: true, link: LINKTYPE.RAW },
    ),
    pcapng(frames(exchange()), {
      le: true,
      link: LINKTYPE.ETHERNET,
      spb: ethernet(tcpIpv4(exchange()[0] as Seg)),
    }),
    pcapng(frames(exchange()), { le: false, link: LINKTYPE.ETHERNET }),
    shortInterfaceBlock(true),
    shortInterfaceBlock(false),
  ];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ maxLength: 16 }),
    }),
    fc.record({
      kind: fc.constant('u32' as const),
      at: fc.nat(),
      value: fc.constantFrom(0, 1, 4, 11, 12, 13, 0xffffffff, 0x7fffffff, 0x0a0d0d0a),
    }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(mutation, { minLength: 1, maxLength: 6 }),
      async (which, edits) => {
        let b = Buffer.from(seeds[which] as Buffer);
        for (const e of edits) {
          const at = b.length === 0 ? 0 : e.at % b.length;
          if (e.kind === 'set' && b.length > 0) b[at] = e.byte;
          else if (e.kind === 'cut') b = b.subarray(0, at);
          else if (e.kind === 'insert')
            b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
          else if (e.kind === 'u32' && at + 4 <= b.length) b.writeUInt32LE(e.value >>> 0, at);
        }
        const r = await readCaptureBytes(b, { maxPackets: 1000 });
        assert.equal(typeof r.ok, 'boolean');
        if (!r.ok)
          assert.ok(
            [
              'empty',
              'not-a-capture',
              'truncated',
              'corrupt',
              'unsupported-link-type',
              'too-many-packets',
            ].includes(r.problem.code),
            r.problem.code,
          );
        else analyseFlows(r.capture.packets);
      },
    ),
    { numRuns: 3000 },
  );
});

test('captures and .off notes beside the logs: regular files only (no FIFO, device or link followed), bounded', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'socket-lab-side-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const { execFileSync } = await import('node:child_process');
  const { symlink } = await import('node:fs/promises');
  execFileSync('mkfifo', [join(dir, 'fifo.pcap')]);
  await symlink('/etc/hostname', join(dir, 'link.pcap'));
  await symlink('/dev/zero', join(dir, 'lab-capture-server.off'));
  for (const [name, want] of [
    ['fifo.pcap', /is a FIFO: not read/],
    ['link.pcap', /is a symbolic link: not followed/],
  ] as const) {
    const r = await readCaptureFile(join(dir, name));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.problem.message, want);
  }
  const { readNote } = await import('../src/wire/files.ts');
  assert.equal(await readNote(join(dir, 'lab-capture-server.off')), undefined);
  await writeFile(join(dir, 'big.off'), Buffer.alloc(300 * 1024, 0x41));
  assert.equal((await readNote(join(dir, 'big.off')))?.length, 4096);
});

test('flows: past maxFlows, connections are counted exactly, not kept; wire prints a bounded, escaped text', async (t) => {
  // 5,000 SYNs of distinct flows (the 300k took 3.4 GB and printed 417 MB).
  const syns = Array.from({ length: 5000 }, (_, i) => ({
    t: T0 + i,
    data: ethernet(
      tcpIpv4({ src: C, dst: S, sport: 1024 + (i % 60000), dport: 7007, seq: i * 7919, flags: 'S' }),
    ),
  }));
  const bytes = pcap(syns, { le: true, nano: false, link: LINKTYPE.ETHERNET });
  const r = await readCaptureBytes(bytes);
  assert.ok(r.ok);
  if (!r.ok) return;
  const flows = analyseFlows(r.capture.packets);
  assert.equal(flows.tcp.length, 1000);
  assert.deepEqual(flows.untracked, { packets: 4000, bytes: 0, syns: 4000, datagrams: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'socket-lab-wire-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'syn\u001b]0;owned\u0007.pcap');
  await writeFile(file, bytes);
  const p = runCli(['wire', file]);
  await p.exited;
  assert.match(p.stdout(), /more than 1000 flows .* 4000 packets, of them 4000 connection attempts \(SYN\)/);
  assert.ok(!p.stdout().includes('\u001b'), 'no raw ESC from the file name');
  assert.ok(p.stdout().includes('syn\\e]0;owned\\x07.pcap'));
  assert.ok(Buffer.byteLength(p.stdout()) <= 4 * 1024 * 1024 + 200);
});

test('cross-check: bytes the capture dropped but the peer acknowledged pass by the ACKs (a real capture)', async () => {
  const file = new URL('./fixtures/wire/dropped-by-kernel.pcap', import.meta.url).pathname;
  const read = await readCaptureFile(file);
  if (!read.ok) assert.fail(read.problem.message);
  const flows = analyseFlows(read.capture.packets);
  const local = flows.tcp.find((c) => c.client === '127.0.0.1:53756')!;
  assert.equal(local.toClient.payloadBytes, 0, 'the echo segment is not in the capture');
  assert.equal(local.toClient.ackedBytes, 30, "the client's ACK covers 30 bytes of echo");
  assert.equal(local.toServer.ackedBytes, 30);
  const check = crossCheckBytes(flows, [{ remote: '127.0.0.1:53756', bytesIn: 30, bytesOut: 30 }], {
    serverPort: 7007,
  });
  assert.equal(check.ok, true);
  assert.deepEqual(
    check.comparisons.map((c) => [c.direction, c.ok, c.ackedNotCaptured]),
    [
      ['client-to-server', true, undefined],
      ['server-to-client', true, 30],
    ],
  );
  assert.match(
    explainWire({ lang: 'en', captures: [], crossCheck: check }),
    /match by the ACKs: the capture lacks 30 bytes/,
  );
  assert.match(
    explainWire({ lang: 'ru', captures: [], crossCheck: check }),
    /в захвате нет 30 байт, которые другая сторона подтвердила/,
  );
  // A log that claims more (or less) than the ACKs cover still fails.
  for (const bytesOut of [29, 31]) {
    const bad = crossCheckBytes(flows, [{ remote: '127.0.0.1:53756', bytesIn: 30, bytesOut }]);
    assert.equal(bad.ok, false, `bytesOut ${bytesOut}`);
    assert.equal(bad.comparisons[1]!.reason, 'bytes-differ');
  }
});
