import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Line, echoTime, jsonLinesOf as lines, startServerProcess, waitFor, defer } from '../helpers.ts';
import { needs } from './needs.ts';

// What is outside the server must not stop it (test/surroundings.test.ts): here a disk that fills
// up and frees again, made real with a tmpfs, which needs root to mount.

test('a log file on a filesystem that fills up and frees again: counted loss, then the exact count in the file', async (t) => {
  if (!needs(t, { root: true, tools: ['mount', 'umount'] }, 'a 64 KiB tmpfs to fill up')) return;
  const dir = mkdtempSync(join(tmpdir(), 'lab-full-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(mount.status, 0, `mount a 64 KiB tmpfs: ${mount.stderr}`);
  defer(t, () => {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const filler = join(dir, 'filler');
  writeFileSync(filler, Buffer.alloc(40 * 1024));
  const file = join(dir, 'logs', 'server.jsonl');
  mkdirSync(join(dir, 'logs'));
  const server = await startServerProcess(['--log-file', file]);
  defer(t, () => server.child.kill('SIGKILL'));
  let served = 0;
  while (!server.json().some((l) => l.event === 'log.file.failed') && served < 200) {
    await echoTime(server.tcpPort, `connection ${served}\n`);
    served++;
  }
  const failed = server.json().find((l) => l.event === 'log.file.failed');
  assert.ok(failed, `log.file.failed after ${served} connections`);
  assert.equal(failed.code, 'ENOSPC');
  for (let i = 0; i < 5; i++) await echoTime(server.tcpPort, `still served ${i}\n`);
  rmSync(filler); // space again
  await echoTime(server.tcpPort, 'after\n');
  const recovered = await waitFor('log.file.recovered in the file', () =>
    lines(file).find((l) => l.event === 'log.file.recovered'),
  );
  assert.ok((recovered.lines as number) > 0);
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
  assert.equal(server.stderr(), '');
  // Exact: up to the recovery notice, every line stdout shows is in the file or counted as lost.
  const upTo = (list: Line[]) =>
    list.slice(
      0,
      list.findIndex((l) => l.event === 'log.file.recovered' && l.time === recovered.time),
    );
  const shown = upTo(server.json());
  const kept = upTo(lines(file)).filter((l) => (l.level as number) >= 30);
  assert.equal(kept.length + (recovered.lines as number), shown.length, 'kept + lost = written');
  t.diagnostic(
    `full after ${served} connections; ${recovered.lines} lines (${recovered.bytes} bytes) lost over ${recovered.windowMs} ms`,
  );
});
