/**
 * The log reader on small inputs: lines cut anywhere, bad fields, what reaches the terminal, counts
 * that cannot be. Its volume tests (long logs, big files, many pids) are in the system tier:
 * test/system/load-reader.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { analyse, linesOf, render } from '../src/report/index.ts';
import { parseLine, parseSource } from '../src/report/parse.ts';
import { defer } from './helpers.ts';
import { line, serverLog } from './log-lines.ts';

test('reader: a short log is kept whole', async () => {
  const parsed = await parseSource('server', serverLog(2, 20));
  assert.equal(parsed.records.length, parsed.lines);
  assert.ok(parsed.records.every((r) => r.elided === undefined));
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
