import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createBundle } from '../src/classroom/bundle.ts';
import { UNSET_GROUP, UNSET_STUDENT, parseManifest } from '../src/classroom/manifest.ts';
import { bundleBaseName, transliterate } from '../src/classroom/names.ts';
import { readTar } from '../src/classroom/tar.ts';
import { VERSION } from '../src/version.ts';
import { runCli, defer } from './helpers.ts';

const LAB = fileURLToPath(new URL('./fixtures/report/lab/', import.meta.url));

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'socket-lab-bundle-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the real run's logs, with a report and a capture beside them and files that do not belong. */
async function labCopy(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await tempDir(t);
  for (const f of await readdir(LAB)) await copyFile(join(LAB, f), join(dir, f));
  await writeFile(join(dir, 'report.md'), '# Sockets lab report\n');
  await mkdir(join(dir, 'captures'));
  await writeFile(join(dir, 'captures', 'lab.pcap'), Buffer.from([0xd4, 0xc3, 0xb2, 0xa1]));
  await writeFile(join(dir, 'notes.txt'), 'not part of the run\n');
  return dir;
}

/** What the test expects, read from the fixture directly: the latest run's server start. */
async function latestServerStart(): Promise<string> {
  const lines = (await readFile(join(LAB, 'lab-server.jsonl'), 'utf8')).trim().split('\n');
  const starts = lines
    .map((l) => JSON.parse(l) as { event: string; time: string })
    .filter((r) => r.event === 'server.starting')
    .map((r) => r.time);
  return starts.sort().at(-1) as string;
}

test('names: Cyrillic is transliterated for the file name, the group keeps its case', () => {
  assert.equal(transliterate('Иванов Иван'), 'Ivanov Ivan');
  assert.equal(transliterate('Щукин Юрий Ёжиков'), 'Shchukin Iurii Ezhikov');
  assert.equal(bundleBaseName('Иванов Иван', 'ИУ7-32'), 'ivanov-ivan_IU7-32_socket-lab');
  assert.equal(bundleBaseName('Zoë  O’Brien / ../x', 'CS 101'), 'zoe-o-brien-x_CS-101_socket-lab');
  assert.equal(bundleBaseName(undefined, ''), 'unknown-student_unknown-group_socket-lab');
});

test('bundle: the logs, captures and reports of the run, a manifest with hashes and the run identity', async (t) => {
  const dir = await labCopy(t);
  const b = await createBundle({ logDir: dir, student: 'Иванов Иван', group: 'ИУ7-32' });
  assert.equal(b.fileName, 'ivanov-ivan_IU7-32_socket-lab.tar.gz');
  const members = readTar(gunzipSync(b.bytes), { maxMembers: 100, maxMemberBytes: 1 << 20 });
  const base = 'ivanov-ivan_IU7-32_socket-lab/';
  const jsonl = (await readdir(LAB)).filter((f) => f.endsWith('.jsonl'));
  const expected = [
    'manifest.json',
    'logs/captures/lab.pcap',
    ...jsonl.map((f) => `logs/${f}`),
    'logs/report.md',
  ].sort();
  assert.deepEqual([...members.keys()].map((k) => k.slice(base.length)).sort(), expected);

  const parsed = parseManifest(members.get(`${base}manifest.json`) as Buffer);
  assert.ok(parsed.ok);
  const m = parsed.manifest;
  assert.equal(m.student, 'Иванов Иван');
  assert.equal(m.group, 'ИУ7-32');
  assert.deepEqual(m.unset, []);
  assert.equal(m.labVersion, VERSION);
  assert.equal(m.files.length, expected.length - 1);
  for (const f of m.files) {
    const data = members.get(base + f.path) as Buffer;
    assert.equal(f.size, data.length, f.path);
    assert.equal(f.sha256, createHash('sha256').update(data).digest('hex'), f.path);
  }
  // The identity is the latest run's: the fixture holds two, the short first one is not it.
  assert.equal(m.run.serverStart, await latestServerStart());
  assert.deepEqual(m.run.servers[0]?.listening, ['tcp 0.0.0.0:7007', 'udp 0.0.0.0:7008']);
  assert.deepEqual(m.run.hosts, ['vm']);
  assert.deepEqual(
    m.run.clients.map((c) => `${c.kind} ${c.scenario}`),
    ['echo local', 'echo vm', 'echo remote', 'chat vm', 'chat remote'],
  );
  const remoteLine = (await readFile(join(LAB, 'lab-echo-remote.jsonl'), 'utf8'))
    .split('\n')
    .map((l) => (l ? (JSON.parse(l) as { event: string; local?: string; time: string }) : undefined))
    .filter((r) => r?.event === 'client.connected')
    .at(-1);
  assert.equal(m.run.clients[2]?.local, remoteLine?.local);
});

test('bundle CLI: names from the environment, the file in the logs folder, readable by GNU tar', async (t) => {
  const dir = await labCopy(t);
  const p = runCli(['bundle', dir], undefined, { LAB_STUDENT: 'Петрова Мария', LAB_GROUP: 'ИУ7-31' });
  assert.equal(await p.exited, 0, p.stderr());
  const file = join(dir, 'petrova-mariia_IU7-31_socket-lab.tar.gz');
  assert.match(p.stdout(), /wrote .*petrova-mariia_IU7-31_socket-lab\.tar\.gz \(8 files/);
  const listing = await promisify(execFile)('tar', ['tzf', file]);
  assert.match(listing.stdout, /^petrova-mariia_IU7-31_socket-lab\/manifest\.json$/m);
  assert.match(listing.stdout, /^petrova-mariia_IU7-31_socket-lab\/logs\/lab-server\.jsonl$/m);
  // GNU tar verifies every header checksum while listing; extracting one member gives its bytes back.
  const server = await promisify(execFile)(
    'tar',
    ['xzOf', file, 'petrova-mariia_IU7-31_socket-lab/logs/lab-server.jsonl'],
    { maxBuffer: 1 << 24 },
  );
  assert.equal(server.stdout, await readFile(join(LAB, 'lab-server.jsonl'), 'utf8'));

  // A second bundle leaves the first out: it is neither a log, a capture nor a report.
  const out = join(dir, 'handin', 'mine.tar.gz');
  const q = runCli(['bundle', dir, '--out', out, '--student', 'Петрова Мария', '--group', 'ИУ7-31']);
  assert.equal(await q.exited, 0, q.stderr());
  const members = readTar(gunzipSync(await readFile(out)), { maxMembers: 100, maxMemberBytes: 1 << 20 });
  assert.ok(![...members.keys()].some((k) => k.endsWith('.tar.gz')));
});

test('bundle: unset names are marked placeholders, and the student is told', async (t) => {
  const dir = await labCopy(t);
  await symlink(join(LAB, 'lab-server.jsonl'), join(dir, 'linked.jsonl'));
  const b = await createBundle({ logDir: dir });
  assert.equal(b.fileName, 'unknown-student_unknown-group_socket-lab.tar.gz');
  assert.equal(b.manifest.student, UNSET_STUDENT);
  assert.equal(b.manifest.group, UNSET_GROUP);
  assert.deepEqual(b.manifest.unset, ['student', 'group']);
  assert.ok(b.warnings.some((w) => /--student/.test(w)));
  assert.ok(b.warnings.some((w) => /linked\.jsonl: a symbolic link, left out/.test(w)));
  assert.ok(!b.manifest.files.some((f) => f.path.includes('linked')));
});

test('bundle CLI: a folder without logs is one sentence and exit 2 (a usage error)', async (t) => {
  const dir = await tempDir(t);
  const p = runCli(['bundle', dir, '--student', 'A B', '--group', 'G']);
  assert.equal(await p.exited, 2);
  assert.match(p.stderr(), /^socket-lab bundle: no \*\.jsonl logs in .*: run the lab first/);
  const q = runCli(['bundle', join(dir, 'missing'), '--student', 'A B', '--group', 'G']);
  assert.equal(await q.exited, 2);
  assert.match(q.stderr(), /is not a directory/);
  await writeFile(join(dir, 'other.jsonl'), '{"hello":"world"}\n');
  const r = runCli(['bundle', dir, '--student', 'A B', '--group', 'G']);
  assert.equal(await r.exited, 2);
  assert.match(r.stderr(), /hold no socket-lab log line/);
  // A log past the report's bounds (here: more than 100,000 foreign lines) is the student's
  // input, not a bug of the lab (it was exit 70, "internal error").
  await writeFile(join(dir, 'other.jsonl'), 'x\n'.repeat(100_001));
  const s = runCli(['bundle', dir, '--student', 'A B', '--group', 'G']);
  assert.equal(await s.exited, 2, s.stderr());
  assert.match(
    s.stderr(),
    /^socket-lab bundle: the logs in .* are not one run of the lab, nothing was packed: .*not a log of the lab\n$/,
  );
});

test('bundle CLI: --out to a folder that does not exist yet puts the file in it', async (t) => {
  const dir = await labCopy(t);
  const out = join(await tempDir(t), 'new', 'folder') + '/';
  const p = runCli(['bundle', dir, '--out', out, '--student', 'A B', '--group', 'G']);
  assert.equal(await p.exited, 0, p.stderr());
  await readFile(join(out, 'a-b_G_socket-lab.tar.gz'));
});

test('archive reader (property): random mutations of a real bundle give members or a refusal, never a throw', async (t) => {
  const fc = (await import('fast-check')).default;
  const { readArchiveBytes } = await import('../src/classroom/archive.ts');
  const dir = await labCopy(t);
  const { bytes } = await createBundle({ logDir: dir, student: 'Иванов Иван', group: 'ИУ7-32' });
  const tar = gunzipSync(bytes);
  const seeds = [Buffer.from(bytes), tar];
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(
        fc.record({
          at: fc.nat(),
          kind: fc.constantFrom('set', 'cut', 'digit', 'nul'),
          byte: fc.integer({ min: 0, max: 255 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      async (which, edits) => {
        let b = Buffer.from(seeds[which] as Buffer);
        for (const e of edits) {
          // Header fields are where a tar reader is fragile: aim most edits at the first headers.
          const at = b.length === 0 ? 0 : e.at % Math.min(b.length, e.kind === 'set' ? b.length : 2048);
          if (e.kind === 'cut') b = b.subarray(0, at);
          else if (b.length > 0)
            b[at] = e.kind === 'digit' ? 0x30 + (e.byte % 10) : e.kind === 'nul' ? 0 : e.byte;
        }
        const r = await readArchiveBytes(b);
        assert.equal(typeof r.ok, 'boolean');
      },
    ),
    { numRuns: 1500 },
  );
});
