import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { LIMITS } from '../src/classroom/archive.ts';
import { createBundle } from '../src/classroom/bundle.ts';
import { readTar, writeTar } from '../src/classroom/tar.ts';
import { runCli } from './helpers.ts';

const LAB = fileURLToPath(new URL('./fixtures/report/lab/', import.meta.url));
const READ_ALL = { maxMembers: 1000, maxMemberBytes: 1 << 26 };

type T = { after: (fn: () => Promise<void>) => void; diagnostic: (m: string) => void };

async function tempDir(t: T, name = 'socket-lab-grade-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), name));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The lab fixture's logs, optionally with every date moved (another run: other start, other times). */
async function labLogs(dir: string, date?: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(LAB)) {
    const text = await readFile(join(LAB, f), 'utf8');
    await writeFile(join(dir, f), date ? text.replaceAll('2026-11-23T', `${date}T`) : text);
  }
  return dir;
}

async function bundleTo(dir: string, logDir: string, student: string, group: string): Promise<string> {
  const b = await createBundle({ logDir, student, group });
  const file = join(dir, b.fileName);
  await writeFile(file, b.bytes);
  return file;
}

/** Rewrites a bundle's members (what someone editing it after bundling does), keeping a valid archive. */
async function rewrap(file: string, out: string, edit: (m: Map<string, Buffer>) => void): Promise<void> {
  const members = readTar(gunzipSync(await readFile(file)), READ_ALL);
  edit(members);
  const tar = writeTar([...members].map(([path, data]) => ({ path, data, mtime: 0 })));
  await writeFile(out, gzipSync(tar));
}

/** One ustar header, then patched: the writer only makes files and directories, hostile archives need more. */
function header(path: string, patch: { type?: string; size?: number; link?: string } = {}): Buffer {
  const h = Buffer.from(writeTar([{ path, data: Buffer.alloc(0), mtime: 0 }]).subarray(0, 512));
  if (patch.type) h.write(patch.type, 156, 'latin1');
  if (patch.link) h.write(patch.link, 157, 'utf8');
  if (patch.size !== undefined) h.write(`${patch.size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function parseCsv(text: string): Array<Record<string, string>> {
  // Enough CSV for these rows: quoted cells may hold commas and doubled quotes, not line breaks.
  const lines = text.trimEnd().split('\r\n');
  const split = (line: string) => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i] as string;
      if (quoted && c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = !quoted;
      } else if (c === ',' && !quoted) {
        cells.push(cell);
        cell = '';
      } else {
        cell += c;
      }
    }
    return [...cells, cell];
  };
  const head = split(lines[0] as string);
  return lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, i) => [head[i], v])));
}

test('grade: a real run passes; a tampered copy is modified; the same run under another name is a duplicate', async (t) => {
  const work = await tempDir(t);
  const subs = join(work, 'subs');
  await mkdir(subs);
  const ivanov = await bundleTo(subs, await labLogs(join(work, 'a')), 'Иванов Иван', 'ИУ7-32');

  const ok = runCli(['grade', ivanov, '--csv', join(work, 'one.csv')]);
  assert.equal(await ok.exited, 0, ok.stdout() + ok.stderr());
  assert.match(ok.stdout(), /^socket-lab grade: 1 submissions: 1 pass, 0 fail/m);
  const [row] = parseCsv(await readFile(join(work, 'one.csv'), 'utf8'));
  assert.deepEqual(row, {
    file: ivanov,
    student: 'Иванов Иван',
    group: 'ИУ7-32',
    result: 'pass',
    local: 'pass',
    vm: 'pass',
    remote: 'pass',
    echo: 'pass',
    chat: 'pass',
    stopped: 'pass',
    'own-echo-server': '', // no own programs in this run: the columns stay empty
    'own-echo-client': '',
    modified: 'no',
    'duplicate-of': '',
    reason: '',
  });

  // Tampered: one explanation in one log edited after bundling, the archive otherwise valid.
  const tampered = join(subs, 'sidorov-tampered.tar.gz');
  await rewrap(ivanov, tampered, (m) => {
    const key = [...m.keys()].find((k) => k.endsWith('/logs/lab-echo-vm.jsonl')) as string;
    m.set(key, Buffer.from((m.get(key) as Buffer).toString('utf8').replace('three-way', 'four-way')));
  });
  // Another student bundles the very same logs under their own name.
  const petrov = await bundleTo(subs, await labLogs(join(work, 'b')), 'Петров Пётр', 'ИУ7-31');
  // A third student with a run of their own.
  const kuznetsova = await bundleTo(
    subs,
    await labLogs(join(work, 'c'), '2026-11-24'),
    'Кузнецова Анна',
    'ИУ7-31',
  );

  const csv = join(subs, 'grades.csv');
  const md = join(subs, 'grades.md');
  const p = runCli(['grade', subs, '--csv', csv, '--md', md]);
  assert.equal(await p.exited, 1, p.stderr());
  const rows = parseCsv(await readFile(csv, 'utf8'));
  // The sheets grade writes into the folder are not taken for submissions.
  assert.deepEqual(rows.map((r) => r.file).sort(), [ivanov, kuznetsova, petrov, tampered].sort());
  const by = (file: string) => rows.find((r) => r.file === file) as Record<string, string>;

  assert.equal(by(kuznetsova).result, 'pass');
  assert.equal(by(kuznetsova)['duplicate-of'], '');
  assert.equal(by(tampered).modified, 'yes');
  assert.equal(by(tampered).result, 'fail');
  assert.match(by(tampered).reason as string, /changed after bundling: logs\/lab-echo-vm\.jsonl/);
  // Its checks still ran, from the edited logs themselves.
  assert.equal(by(tampered).echo, 'pass');
  // Ivanov, Petrov and the tampered copy all hold one run: each row names the others.
  assert.deepEqual((by(ivanov)['duplicate-of'] as string).split(' ').sort(), [petrov, tampered].sort());
  assert.deepEqual((by(petrov)['duplicate-of'] as string).split(' ').sort(), [ivanov, tampered].sort());
  assert.equal(by(petrov).modified, 'no');
  assert.match(by(petrov).reason as string, /the same run as /);
  assert.match(
    p.stdout(),
    /socket-lab grade: 4 submissions: 1 pass, 3 fail \(checks failed: 0, modified after bundling: 1, same run as another: 3,/,
  );
  const table = await readFile(md, 'utf8');
  assert.match(
    table,
    /^\| File \| Student \| Group \| Result \| local \| vm \| remote \| echo \| chat \| stopped \| own server \| own client \| Modified \| Duplicate of \| Reason \|$/m,
  );
  assert.equal(table.split('\n').filter((l) => l.startsWith('| ')).length, 6);

  const ru = runCli(['grade', kuznetsova, '--md', join(work, 'ru.md'), '--lang', 'ru']);
  assert.equal(await ru.exited, 0);
  assert.match(ru.stdout(), /^socket-lab grade: работ: 1; зачтено: 1, не зачтено: 0/m);
  assert.match(
    await readFile(join(work, 'ru.md'), 'utf8'),
    /^\| Файл \| Студент \| Группа \| Итог \|.*\| Изменён \| Дубликат \| Причина \|$/m,
  );
});

test('grade: what a student typed cannot become a spreadsheet formula or Markdown markup', async (t) => {
  const work = await tempDir(t);
  const file = await bundleTo(work, await labLogs(join(work, 'logs')), '=HYPERLINK("http://x")', 'a|b <img>');
  const p = runCli(['grade', file, '--csv', join(work, 'g.csv'), '--md', join(work, 'g.md')]);
  assert.equal(await p.exited, 0, p.stdout());
  const csv = await readFile(join(work, 'g.csv'), 'utf8');
  assert.ok(csv.includes(`"'=HYPERLINK(""http://x"")"`), csv);
  const md = await readFile(join(work, 'g.md'), 'utf8');
  assert.ok(md.includes('a\\|b \\<img\\>'), md);
});

test('grade: hostile and broken files are rows that say why, in bounded memory and time', async (t) => {
  const work = await tempDir(t);
  const subs = join(work, 'subs');
  await mkdir(subs);
  const good = await bundleTo(work, await labLogs(join(work, 'logs')), 'Иванов Иван', 'ИУ7-32');
  const goodTar = gunzipSync(await readFile(good));
  const end = Buffer.alloc(1024);
  const write = (name: string, bytes: Buffer) => writeFile(join(subs, name), bytes);

  // 200 MB of zeros in a member that claims to be that big: about 200 KB of gzip, streamed.
  const bombFile = join(subs, 'bomb.tar.gz');
  const gz = createGzip({ level: 9 });
  const sink = gz.pipe(createWriteStream(bombFile));
  gz.write(header('x/manifest.json', { size: 200 * 1024 * 1024 }));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 200; i++) if (!gz.write(zeros)) await once(gz, 'drain');
  gz.end(end);
  await once(sink, 'close');
  const bombSize = (await stat(bombFile)).size;
  assert.ok(bombSize < 300 * 1024, `bomb is ${bombSize} bytes`);

  await write('traversal.tar.gz', gzipSync(Buffer.concat([header('x/../../evil.jsonl'), end])));
  await write('absolute.tar.gz', gzipSync(Buffer.concat([header('/etc/cron.d/evil'), end])));
  await write(
    'symlink.tar.gz',
    gzipSync(Buffer.concat([header('x/logs/a.jsonl', { type: '2', link: '/etc/shadow' }), end])),
  );
  await write(
    'hardlink.tar.gz',
    gzipSync(Buffer.concat([header('x/logs/a.jsonl', { type: '1', link: '/etc/shadow' }), end])),
  );
  await write('device.tar.gz', gzipSync(Buffer.concat([header('x/logs/sda', { type: '4' }), end])));
  await write('garbage.tar.gz', Buffer.from('this is not an archive at all, just text\n'.repeat(20)));
  await write(
    'corrupt.tar.gz',
    Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(64, 0xa5)]),
  );
  await write('truncated.tar.gz', gzipSync(goodTar.subarray(0, 2048 + 100)));
  await write('homework.zip', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100)]));
  const many = Array.from({ length: LIMITS.maxMembers + 1 }, (_, i) => ({
    path: `x/f${i}`,
    data: Buffer.alloc(0),
    mtime: 0,
  }));
  await write('many.tar.gz', gzipSync(writeTar(many)));
  await write(
    'foreign.tar.gz',
    gzipSync(writeTar([{ path: 'x/hello.txt', data: Buffer.from('hi'), mtime: 0 }])),
  );

  const csv = join(work, 'g.csv');
  const started = Date.now();
  const p = runCli(['grade', subs, '--csv', csv]);
  assert.equal(await p.exited, 1, p.stderr());
  const elapsed = Date.now() - started;
  t.diagnostic(
    `graded ${(await readdir(subs)).length} hostile files in ${elapsed} ms (bomb: ${bombSize} bytes)`,
  );
  assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
  assert.equal(p.stderr(), '', 'no crash, no stack trace');
  const rows = parseCsv(await readFile(csv, 'utf8'));
  const reason = (name: string) => rows.find((r) => r.file === join(subs, name))?.reason ?? '(no row)';
  assert.match(reason('bomb.tar.gz'), /gzip inflates beyond 64 MiB: refused/);
  assert.match(reason('traversal.tar.gz'), /unsafe member path: x\/\.\.\/\.\.\/evil\.jsonl/);
  assert.match(reason('absolute.tar.gz'), /unsafe member path: \/etc\/cron\.d\/evil/);
  assert.match(reason('symlink.tar.gz'), /a symbolic link in the archive: x\/logs\/a\.jsonl/);
  assert.match(reason('hardlink.tar.gz'), /a hard link in the archive/);
  assert.match(reason('device.tar.gz'), /a block device in the archive/);
  assert.match(reason('garbage.tar.gz'), /not a socket-lab bundle/);
  assert.match(reason('corrupt.tar.gz'), /corrupt gzip/);
  assert.match(reason('truncated.tar.gz'), /truncated/);
  assert.match(reason('homework.zip'), /a ZIP archive/);
  assert.match(reason('many.tar.gz'), /more than 256 members/);
  assert.match(reason('foreign.tar.gz'), /no manifest\.json/);
  assert.equal(rows.length, 12);
  assert.ok(rows.every((r) => r.result === 'fail' && r.modified === ''));
  // Nothing was extracted anywhere: no file appeared beside the submissions or above them.
  assert.deepEqual((await readdir(work)).sort(), [
    'g.csv',
    'ivanov-ivan_IU7-32_socket-lab.tar.gz',
    'logs',
    'subs',
  ]);
  await assert.rejects(stat(join(tmpdir(), 'evil.jsonl')));
});

test('grade: exit 2 when an input cannot be read: an empty folder, a missing path', async (t) => {
  const work = await tempDir(t);
  const empty = join(work, 'empty');
  await mkdir(empty);
  const p = runCli(['grade', empty]);
  assert.equal(await p.exited, 2);
  assert.match(p.stdout(), /empty: no file in this directory/);
  const good = await bundleTo(work, await labLogs(join(work, 'logs')), 'Иванов Иван', 'ИУ7-32');
  const q = runCli(['grade', good, join(work, 'nope.tar.gz'), '--md', join(work, 'g.md')]);
  assert.equal(await q.exited, 2);
  assert.match(q.stdout(), /nope\.tar\.gz: cannot read it: no such file or directory/);
  assert.match(q.stdout(), /2 submissions: 1 pass, 1 fail .*unreadable: 1\)/);
  assert.match(await readFile(join(work, 'g.md'), 'utf8'), /✅ pass/);
});

test('grade: sixty submissions of sixty runs in seconds', async (t) => {
  const work = await tempDir(t);
  const subs = join(work, 'subs');
  await mkdir(subs);
  const made = Date.now();
  for (let i = 0; i < 60; i++) {
    const date = `2026-${String(1 + Math.floor(i / 28)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    await bundleTo(
      subs,
      await labLogs(join(work, 'logs', String(i)), date),
      `Студент ${i}`,
      `ИУ7-${30 + (i % 3)}`,
    );
  }
  const bundling = Date.now() - made;
  const started = Date.now();
  const p = runCli(['grade', subs, '--csv', join(work, 'g.csv')]);
  assert.equal(await p.exited, 0, p.stdout());
  const elapsed = Date.now() - started;
  t.diagnostic(
    `60 bundles made in ${bundling} ms; socket-lab grade over them took ${elapsed} ms (process start included)`,
  );
  assert.match(p.stdout(), /60 submissions: 60 pass, 0 fail/);
  assert.equal(parseCsv(await readFile(join(work, 'g.csv'), 'utf8')).length, 60);
  assert.ok(elapsed < 15_000, `grading took ${elapsed} ms`);
});
