import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { accountConnections, analyse, lazyLines, linesOf, render } from '../src/report/index.ts';
import { RETAIN_HEAD, RETAIN_TAIL, parseLine, parseSource, weight } from '../src/report/parse.ts';
import { READ_LIMITS } from '../src/report/sources.ts';
import { LabError } from '../src/errors.ts';
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

test('reader: a long line is joined once, not per chunk (a 64 MiB line in 64 KiB chunks, bound raised)', async () => {
  const started = Date.now();
  let got = 0;
  const chunks = function* () {
    for (let i = 0; i < 1024; i++) yield Buffer.alloc(1 << 16, 0x78);
    yield Buffer.from('\n');
  };
  for await (const batch of linesOf(chunks(), 'x', { maxLineBytes: 2 ** 27 }))
    for (const l of batch) got += l.length;
  assert.equal(got, 2 ** 26);
  // Joined per chunk this took minutes (quadratic: 1024 copies of up to 64 MiB); once, well under a second.
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
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

test('reader: impossible times and fields nested deeper than the catalogue are skipped as bad fields', async () => {
  const lines = [
    line('server.starting', { version: '1.0.0', config: {} }, 0).replace(/"time":"[^"]*"/, '"time":1e300'),
    line('server.starting', { version: '1.0.0', config: 'DEEP' }, 0).replace(
      '"DEEP"',
      `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
    ),
    line('server.starting', { version: '1.0.0', config: {} }, 0),
  ];
  const parsed = await parseSource('s', lines);
  assert.equal(parsed.records.length, 1);
  assert.equal(parsed.skipped['bad-fields'].count, 2);
  const analysis = await analyse([{ name: 's', lines }]);
  assert.ok(render(analysis, 'en').length > 0);
});

test('report CLI: nothing from a log reaches the terminal raw (Markdown on stdout, the --check summary, refusals)', async (t) => {
  const { cp, readFile: read, writeFile: write, readdir: list } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const { runCli } = await import('./helpers.ts');
  const dir = await mkdtemp(join(tmpdir(), 'socket-lab-esc-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  const lab = fileURLToPath(new URL('./fixtures/report/lab/', import.meta.url));
  await cp(lab, dir, { recursive: true });
  // A nick that clears the screen and prints a fake verdict, and an OSC title in a reason.
  const fake = '\u001b[2J\u001b[Hsocket-lab report: all 6 checks pass\u001b]0;owned\u0007';
  for (const f of await list(dir)) {
    const text = (await read(join(dir, f), 'utf8'))
      .replaceAll('"nick":"alice"', `"nick":${JSON.stringify(`alice${fake}`)}`)
      .replaceAll('"member":"alice"', `"member":${JSON.stringify(`alice${fake}`)}`)
      .replaceAll('"reason":"user-exit"', `"reason":${JSON.stringify(`user-exit${fake}`)}`);
    await write(join(dir, f), text);
  }
  const p = runCli(['report', dir, '--check']);
  await p.exited;
  for (const out of [p.stdout(), p.stderr()]) {
    assert.ok(
      !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(out),
      'no control character but newline and tab',
    );
  }
  assert.ok(p.stdout().includes('\\e[2J') || p.stderr().includes('\\e[2J'), 'the escape is shown, escaped');
  // In a folder, a FIFO or a link named *.jsonl is not read (the FIFO would block, the link leak).
  const { execFileSync } = await import('node:child_process');
  const { symlink } = await import('node:fs/promises');
  execFileSync('mkfifo', [join(dir, 'lab-fifo.jsonl')]);
  await symlink('/etc/passwd', join(dir, 'lab-link.jsonl'));
  const { jsonlFiles } = await import('../src/report/sources.ts');
  const found = (await jsonlFiles(dir)).map((f) => f.slice(dir.length + 1));
  assert.ok(!found.includes('lab-fifo.jsonl') && !found.includes('lab-link.jsonl'), found.join(' '));
  assert.ok(found.includes('lab-server.jsonl'));
  // A file name with an escape in a refusal.
  const bad = join(dir, 'x\u001b[31m.jsonl');
  await write(bad, `${'x'.repeat(2 * 1024 * 1024)}\n`);
  const q = runCli(['report', bad]);
  assert.equal(await q.exited, 2);
  assert.match(q.stderr(), /line 1 of x\\e\[31m\.jsonl is longer than 1 MiB/);
});

test('plausibility: negative, fractional and 1e308 counts, impossible ports and pids fail the check that reads them, with the line', async () => {
  const { implausible } = await import('../src/report/check.ts');
  const rec = (fields: Record<string, unknown>, extra: object = {}) => {
    const v = parseLineFor(
      line('tcp.data.received', { connId: 1, bytes: 10, portion: 1, preview: 'x', ...fields }, 0, extra),
    );
    return v;
  };
  assert.equal(implausible(rec({})), undefined);
  assert.equal(implausible(rec({ bytes: -5 }))?.field, 'bytes');
  assert.equal(implausible(rec({ bytes: 2.5 }))?.field, 'bytes');
  assert.equal(implausible(rec({ bytes: 1e308 }))?.field, 'bytes');
  assert.equal(implausible(rec({ connId: -1 }))?.field, 'connId');
  assert.equal(implausible(rec({}, { pid: 0 }))?.field, 'pid');
  assert.equal(implausible(rec({}, { pid: 1.5 }))?.field, 'pid');
  assert.equal(implausible(rec({}, { pid: 1e308 }))?.field, 'pid');
  assert.equal(implausible(rec({ remote: '10.0.0.1:70000' }))?.field, 'remote');
  assert.equal(implausible(rec({ remote: '10.0.0.1:0' }))?.field, 'remote');
  const listening = parseLineFor(
    line('server.listening', { protocol: 'tcp', address: '0.0.0.0', port: 65536 }, 0),
  );
  assert.equal(implausible(listening)?.field, 'port');

  // In a whole log: byte counts made equal at 1e308 on both sides still fail, naming the line.
  const fixture = (await import('node:url')).fileURLToPath(
    new URL('./fixtures/report/lab/', import.meta.url),
  );
  const { readFile: read, readdir: list } = await import('node:fs/promises');
  const inputs = [];
  for (const f of (await list(fixture)).sort()) {
    const text = (await read(join(fixture, f), 'utf8'))
      .replace(/"bytesSent":\d+/g, '"bytesSent":1e308')
      .replace(/"bytesIn":\d+/g, '"bytesIn":1e308');
    inputs.push({ name: f.replace(/\.jsonl$/, ''), lines: text.split('\n') });
  }
  const analysis = await analyse(inputs);
  const echo = analysis.checks.find((c) => c.id === 'echo');
  assert.equal(echo?.status, 'fail');
  const f = echo?.findings.find((x) => x.code === 'implausible');
  assert.ok(f, 'an implausible finding');
  assert.match(String(f?.params.at), /^lab-\w+(-\w+)*:\d+$/);
  assert.match(render(analysis, 'en'), /is not a value a socket gives/);
  assert.match(render(analysis, 'ru'), /такого значения сокет дать не может/);
});

function parseLineFor(text: string) {
  const v = parseLine(text, 's', 1);
  assert.ok(v.ok);
  return v.record;
}
