import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { accountConnections, analyse, lazyLines, linesOf, render } from '../src/report/index.ts';
import { RETAIN_HEAD, RETAIN_TAIL, parseSource, weight } from '../src/report/parse.ts';
import { defer } from './helpers.ts';

const T0 = Date.parse('2026-11-29T10:00:00.000Z');

function line(event: string, fields: Record<string, unknown>, ms: number, extra: object = {}): string {
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
function* serverLog(conns: number, portions: number): Generator<string> {
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

test('reader: a long log keeps a bounded number of records, and its counts stay exact', async () => {
  const conns = 3;
  const small = await parseSource('server', serverLog(conns, 500));
  const large = await parseSource('server', serverLog(conns, 20_000));
  // What is kept depends on the number of conversations, not on the length of the log.
  const bound = 1 + 2 * conns + conns * 2 * (RETAIN_HEAD + RETAIN_TAIL);
  assert.equal(large.records.length, bound);
  assert.equal(small.records.length, bound);
  assert.equal(large.lines, 1 + 2 * conns + conns * 2 * 20_000);
  assert.equal(
    large.records.reduce((n, r) => n + weight(r), 0),
    large.lines,
    'every line is a kept record or counted on one',
  );
  // Records stay in the order they were written.
  assert.ok(large.records.every((r, i, all) => i === 0 || (all[i - 1]?.line ?? 0) < r.line));

  const analysis = await analyse([{ name: 'server', lines: serverLog(conns, 20_000) }]);
  assert.equal(analysis.model.timeline.used, large.lines);
  const accounts = accountConnections(analysis.model);
  assert.equal(accounts.length, conns);
  for (const a of accounts) {
    assert.deepEqual(a.problems, []);
    assert.deepEqual(a.lines, {
      portionsIn: 20_000,
      bytesIn: 20_000_000,
      portionsOut: 20_000,
      bytesOut: 20_000_000,
    });
  }
  assert.equal(analysis.checks.find((c) => c.id === 'echo')?.status, 'pass');
  // The report still says how many lines it used, all of them.
  assert.match(render(analysis, 'en'), new RegExp(`${large.lines}`));
});

test('reader: a short log is kept whole', async () => {
  const parsed = await parseSource('server', serverLog(2, 20));
  assert.equal(parsed.records.length, parsed.lines);
  assert.ok(parsed.records.every((r) => r.elided === undefined));
});

test('reader: a big file on disk is read with memory that does not follow its size', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'socket-lab-stream-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'server.jsonl');
  const out = createWriteStream(file);
  for (const l of serverLog(4, 25_000))
    if (!out.write(`${l}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(() => r()));
  const before = process.memoryUsage().heapUsed;
  const analysis = await analyse([{ name: 'server', lines: lazyLines(file) }]);
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(analysis.model.timeline.used, 1 + 8 + 200_000);
  assert.equal(analysis.model.timeline.records.length, 1 + 8 + 4 * 2 * (RETAIN_HEAD + RETAIN_TAIL));
  // 200,000 records would hold well over 100 MB of objects; the kept ones a few MB.
  assert.ok(grown < 40 * 2 ** 20, `heap grew by ${Math.round(grown / 2 ** 20)} MB`);
});

test('linesOf: lines split across chunks, multi-byte characters cut in two, CRLF and a last line without a newline', async () => {
  const text = 'first\r\nвторой ✓\n\nlast';
  const bytes = Buffer.from(text);
  // Every byte its own chunk: each line and each character is cut somewhere.
  const chunks = [...bytes].map((b) => Buffer.from([b]));
  const lines: string[] = [];
  for await (const batch of linesOf(Readable.from(chunks))) lines.push(...batch);
  assert.deepEqual(lines, ['first\r', 'второй ✓', '', 'last']);
});
