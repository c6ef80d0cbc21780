/**
 * Log lines the way the lab writes them, made in memory for the reader's tests: the unit tier's
 * (test/report-stream.test.ts) and the volume tests of the system tier (test/system/load-reader.test.ts).
 */
export const T0 = Date.parse('2026-11-29T10:00:00.000Z');

/** One JSON log line of `event` at T0 + `ms`. */
export function line(event: string, fields: Record<string, unknown>, ms: number, extra: object = {}): string {
  return JSON.stringify({
    level: 30,
    time: new Date(T0 + ms).toISOString(),
    schema: 1,
    pid: 7,
    hostname: 'lab-server',
    component: 'tcp-echo',
    event,
    ...extra,
    ...fields,
    msg: 'x',
  });
}

/** A server log: `conns` connections, each echoing `portions` portions of 1000 bytes, every one logged. */
export function* serverLog(conns: number, portions: number): Generator<string> {
  yield line('server.starting', { version: '1.0.0', config: {} }, 0);
  let ms = 1;
  for (let c = 1; c <= conns; c++)
    yield line(
      'tcp.connection.accepted',
      { connId: c, remote: `10.0.0.${c}:4000${c}`, local: '10.0.0.9:7007', open: c },
      ms++,
    );
  for (let p = 1; p <= portions; p++) {
    for (let c = 1; c <= conns; c++) {
      yield line('tcp.data.received', { connId: c, bytes: 1000, portion: p, preview: 'x' }, ms);
      yield line('tcp.data.sent', { connId: c, bytes: 1000, portion: p }, ms);
    }
    if (p % 10 === 0) ms++;
  }
  for (let c = 1; c <= conns; c++) {
    const total = {
      bytesIn: portions * 1000,
      bytesOut: portions * 1000,
      portionsIn: portions,
      portionsOut: portions,
    };
    yield line(
      'tcp.connection.closed',
      { connId: c, remote: `10.0.0.${c}:4000${c}`, reason: 'peer-closed', open: 0, durationMs: 5, ...total },
      ms++,
    );
  }
}
