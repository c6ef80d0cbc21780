/**
 * The data preview of a traced read and write, from a real strace: a Cyrillic line (two bytes a
 * letter, four escape characters a byte) keeps all the 32 bytes strace shows (the teacher's N2:
 * the runner used to cut the escaped text at 48 characters, 12 bytes).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { decodePreviewBytes } from '../../src/own/strace.ts';
import { runOwnProgram } from '../../src/own/runner.ts';
import { defer } from '../helpers.ts';
import { FIXTURES, PYTHON, memoryLog, needsStraceAndPython, parsed } from './own-helpers.ts';

test('a traced echo of a Cyrillic line: the read and the write each keep the first 32 bytes', async (t) => {
  if (!needsStraceAndPython(t)) return;
  const runner = memoryLog();
  const run = runOwnProgram({
    role: 'echo-server',
    command: `${PYTHON} server.py {port}`,
    dir: `${FIXTURES}echo`,
    port: 0,
    trace: true,
    log: runner.log,
    relay: null,
  });
  defer(t, () => run.stop());
  const local = await Promise.race([
    run.listening,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 15000)),
  ]);
  const port = Number(/:(\d+)$/.exec(local ?? '')?.[1]);
  assert.ok(port > 0, `the server listened (runner log: ${runner.lines.slice(-3).join('\n')})`);

  const line = Buffer.from('Привет из удалённой сети, сервер!\n'); // 61 bytes
  const c = net.connect(port, '127.0.0.1');
  defer(t, () => c.destroy());
  await new Promise<void>((resolve, reject) => c.once('connect', resolve).once('error', reject));
  c.write(line);
  let got = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    c.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= line.length) resolve();
    });
    c.once('error', reject);
    setTimeout(() => reject(new Error('no echo in 10 s')), 10000);
  });
  assert.deepEqual(got, line);
  c.end();
  await run.stop();
  await runner.flush();

  const moved = parsed(runner.lines).filter(
    (l) => l.event === 'own.call' && typeof l.data === 'string' && l.bytes === line.length,
  );
  assert.ok(moved.length >= 2, 'the read and the write of the line are in the log');
  for (const l of moved) {
    const d = decodePreviewBytes(String(l.data));
    assert.deepEqual([...d.bytes], [...line.subarray(0, 32)], `${String(l.call)}: its first 32 bytes`);
    assert.equal(d.truncated, true);
  }
});
