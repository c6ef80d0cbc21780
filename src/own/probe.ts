import dgram from 'node:dgram';
import { once } from 'node:events';
import type { EventLog } from '../log/logger.js';
import type { OwnRole, ProbeKind } from '../log/own-events.js';

/** The largest UDP payload over IPv4: 65,535 (the IP packet) - 20 (IP header) - 8 (UDP header). */
export const PROBE_MAX_BYTES = 65507;

/** The probe's three datagrams, in the order they are sent. */
export function probeDatagrams(): Array<{ kind: ProbeKind; data: Buffer }> {
  return [
    // 0xff and 0xfe never occur in UTF-8; 0xc3 0x28 is a lead byte without its continuation.
    { kind: 'not-utf8', data: Buffer.from([0xff, 0xfe, 0xc3, 0x28]) },
    { kind: 'empty', data: Buffer.alloc(0) },
    { kind: 'max', data: Buffer.alloc(PROBE_MAX_BYTES, 0x78) },
  ];
}

/**
 * Sends a student's chat server the probe of issue 19: a datagram that is not UTF-8, an empty one
 * and one of 65,507 bytes, from a socket of its own bound to `host` (port 0: the kernel picks
 * one), then closes it. Each datagram is logged (own.probe.sent) with the probe's address, so the
 * report can tell the probe from the chat's members. Nothing is awaited from the server: whether
 * it still receives afterwards shows in its trace.
 */
export async function probeChatServer(options: {
  host: string;
  port: number;
  log: EventLog;
  role?: OwnRole;
}): Promise<string> {
  const { host, port, log } = options;
  const role = options.role ?? 'chat-server';
  const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 256 * 1024 });
  try {
    socket.bind(0, host);
    await once(socket, 'listening');
    const a = socket.address();
    const from = `${a.address}:${a.port}`;
    const to = `${host}:${port}`;
    for (const { kind, data } of probeDatagrams()) {
      await new Promise<void>((resolve, reject) =>
        socket.send(data, port, host, (err) => (err ? reject(err) : resolve())),
      );
      log.emit('own.probe.sent', { role, kind, bytes: data.length, from, to });
    }
    return from;
  } finally {
    socket.close();
  }
}
