/**
 * Volume tests of the log reader (issue 16: a few KB that made `report` and `grade` take gigabytes
 * or minutes): long logs, big files, long lines, many pids, many lines of one kind. They need no
 * tool, only time (about 7 s of CPU together), so they run in the system tier with the other
 * measurements (`npm run test:system`) and keep `npm test` short. The reader's behaviour on small
 * inputs is in test/report-stream.test.ts.
 */
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { accountConnections, analyse, lazyLines, linesOf, render } from '../../src/report/index.ts';
import { RETAIN_HEAD, RETAIN_TAIL, parseSource, weight } from '../../src/report/parse.ts';
import { READ_LIMITS } from '../../src/report/sources.ts';
import { LabError } from '../../src/errors.ts';
import { defer } from '../helpers.ts';
import { line, serverLog } from '../log-lines.ts';

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

test('linesOf: a line past the bound is refused with its number, before it is joined; batches stay small', async () => {
  // 3 MiB in 64 KiB chunks after two short lines: the third line passes 1 MiB in its 17th chunk.
  const chunks = [Buffer.from('a\nb\n'), ...Array.from({ length: 48 }, () => Buffer.alloc(1 << 16, 0x78))];
  await assert.rejects(
    async () => {
      for await (const _ of linesOf(chunks, 'lab-server.jsonl'));
    },
    (err: Error) => {
      assert.ok(err instanceof LabError && err.text === 'read-limit' && err.code === 'LAB_ERR_BAD_INPUT');
      assert.equal(err.message, 'line 3 of lab-server.jsonl is longer than 1 MiB');
      return true;
    },
  );
  // 31 MiB of blank lines in one chunk come out in batches of at most maxBatchLines.
  let batches = 0;
  let lines = 0;
  let largest = 0;
  for await (const batch of linesOf([Buffer.alloc(31 * 2 ** 20, 10)])) {
    batches++;
    lines += batch.length;
    largest = Math.max(largest, batch.length);
  }
  assert.equal(lines, 31 * 2 ** 20);
  assert.equal(largest, READ_LIMITS.maxBatchLines);
  assert.ok(batches > 1000);
  // A source past its bound.
  await assert.rejects(async () => {
    for await (const _ of linesOf([Buffer.from('x\n'.repeat(600))], 'big.jsonl', { maxSourceBytes: 1000 }));
  }, /big\.jsonl is larger than/);
});

/** One client line per pid: the shape of a log that made labelling and merging quadratic in pids. */
function* manyPids(n: number): Generator<string> {
  yield line('server.starting', { version: '1.0.0', config: {} }, 0, { pid: 1 });
  for (let i = 0; i < n; i++)
    yield line('client.connected', { local: `10.0.0.2:${30000 + i}`, remote: '10.0.0.1:7007' }, i + 1, {
      pid: 1000 + i,
      component: 'echo-client',
      scenario: `s${i % 3}`,
    });
}

test('reader: programs, sessions and the merge are linear in pids; past the run bound, one reason', async () => {
  // 1,000 pids (under the bound): analysed and rendered quickly.
  const started = Date.now();
  const analysis = await analyse([{ name: 'lab-x', lines: manyPids(1000) }]);
  assert.equal(analysis.model.programs.length, 1001);
  assert.ok(render(analysis, 'en').length > 0);
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  // 64k pids: refused at once, with the bound named.
  const t0 = Date.now();
  await assert.rejects(analyse([{ name: 'lab-x', lines: manyPids(65_536) }]), (err: Error) => {
    assert.ok(err instanceof LabError && err.text === 'run-limit');
    assert.match(err.message, /more than 1024 programs \(pids\) \(65537\)/);
    return true;
  });
  assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms`);
});

test('reader: own.call lines past the run bound are refused while read, with one reason', async () => {
  // The shape of a real own.call line (test/fixtures/own/logs/echo-server.jsonl): 420,000 of these
  // took 426 MB in grade before the bound.
  function* calls(n: number): Generator<string> {
    const c = { pid: 7, component: 'own', scenario: 'local' };
    for (let i = 0; i < n; i++)
      yield line(
        'own.call',
        { role: 'echo-server', ownPid: 8, call: 'recvfrom', fd: 4, result: 1024, at: 1796175293119 + i },
        i,
        c,
      );
  }
  const before = process.memoryUsage().heapUsed;
  await assert.rejects(analyse([{ name: 'lab-own', lines: calls(420_000) }]), (err: Error) => {
    assert.ok(err instanceof LabError && err.text === 'run-limit');
    assert.match(
      err.message,
      /more than 50000 lines of the student's own programs \(own\.call, own\.output\) \(50001\)/,
    );
    return true;
  });
  assert.ok(process.memoryUsage().heapUsed - before < 200 * 1024 * 1024);
});

test('reader: 130k chat messages from one client are refused with one reason, not a stack overflow', async () => {
  function* chat(n: number): Generator<string> {
    const c = { pid: 5, component: 'chat-client', scenario: 'vm' };
    yield line(
      'chat.joined',
      { nick: 'a', server: '10.0.0.1:7008', local: '10.0.0.2:40000', members: 1 },
      0,
      c,
    );
    for (let i = 0; i < n; i++) yield line('chat.message.sent', { nick: 'a', bytes: 14 }, i, c);
  }
  await assert.rejects(
    analyse([{ name: 'lab-chat', lines: chat(130_000) }]),
    /more than 20000 chat message lines/,
  );
  const ok = await analyse([{ name: 'lab-chat', lines: chat(19_000) }]);
  assert.ok(render(ok, 'en').includes('lab-chat'));
});

test('reader: a log of mostly blank or foreign lines is refused past 100,000 of them, with one reason', async () => {
  const lines = function* (make: (i: number) => string) {
    yield line('server.starting', { version: '1.0.0', config: {} }, 0);
    for (let i = 0; i < 200_000; i++) yield make(i);
  };
  for (const make of [() => '', () => 'x', (i: number) => `{"i":${i}}`]) {
    await assert.rejects(parseSource('lab-x', lines(make)), (err: Error) => {
      assert.ok(err instanceof LabError && err.text === 'read-limit');
      assert.equal(
        err.message,
        'lab-x: more than 100000 lines are not socket-lab log lines (up to line 100002): not a log of the lab',
      );
      return true;
    });
  }
  // Up to the bound, they are counted as before.
  const ok = await parseSource('lab-x', [...lines(() => 'x')].slice(0, 100_001));
  assert.equal(ok.skipped['not-json'].count, 100_000);
});
