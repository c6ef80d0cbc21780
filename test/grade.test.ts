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
import { runCli, defer } from './helpers.ts';

const LAB = fileURLToPath(new URL('./fixtures/report/lab/', import.meta.url));
const READ_ALL = { maxMembers: 1000, maxMemberBytes: 1 << 26 };

type T = { after: (fn: () => Promise<void>) => void; diagnostic: (m: string) => void };

async function tempDir(t: T, name = 'socket-lab-grade-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), name));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The lab fixture's logs. With `run`, another run of the lab: every date moved to `date` and every
 * client's ephemeral port (above 10000; the servers listen on 7007 and 7008) drawn again, as the
 * kernel would for a run of its own. Without `run`, the very same run (a copy).
 */
async function labLogs(dir: string, date?: string, run?: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const f of await readdir(LAB)) {
    let text = await readFile(join(LAB, f), 'utf8');
    if (date) text = text.replaceAll('2026-11-23T', `${date}T`);
    if (run !== undefined) text = otherPorts(text, run);
    await writeFile(join(dir, f), text);
  }
  return dir;
}

/** Every ephemeral port in `text` mapped to another one of the range, the same way everywhere. */
function otherPorts(text: string, run: number): string {
  return text.replace(/:(\d{5})\b/g, (m, p: string) => {
    const n = Number(p);
    if (n < 10000) return m;
    return `:${32768 + ((((n - 32768 + run * 7919) % 28232) + 28232) % 28232)}`;
  });
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
  assert.equal(text.charCodeAt(0), 0xfeff, 'the CSV starts with a UTF-8 BOM');
  const lines = text.slice(1).trimEnd().split('\r\n');
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
    'own-chat-server': '',
    'own-chat-client': '',
    modified: 'no',
    'duplicate-of': '',
    'same-code-as': '',
    reason: '',
  });

  // Tampered: one explanation in one log edited after bundling, the archive otherwise valid.
  const tampered = join(subs, 'sidorov-tampered.tar.gz');
  await rewrap(ivanov, tampered, (m) => {
    const key = [...m.keys()].find((k) => k.endsWith('/logs/lab-echo-vm.jsonl')) as string;
    m.set(key, Buffer.from((m.get(key) as Buffer).toString('utf8').replace('three-way', 'four-way')));
    // ...by Sidorov, whose name replaces Ivanov's in the manifest (which no hash covers).
    const manifest = [...m.keys()].find((k) => k.endsWith('/manifest.json')) as string;
    m.set(
      manifest,
      Buffer.from((m.get(manifest) as Buffer).toString('utf8').replace('Иванов Иван', 'Сидоров Сидор')),
    );
  });
  // Another student bundles the very same logs under their own name.
  const petrov = await bundleTo(subs, await labLogs(join(work, 'b')), 'Петров Пётр', 'ИУ7-31');
  // A third student with a run of their own.
  const kuznetsova = await bundleTo(
    subs,
    await labLogs(join(work, 'c'), '2026-11-24', 1),
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
    /^\| File \| Student \| Group \| Result \| local \| vm \| remote \| echo \| chat \| stopped \| own server \| own client \| own chat server \| own chat client \| Modified \| Duplicate of \| Same code as \| Reason \|$/m,
  );
  assert.equal(table.split('\n').filter((l) => l.startsWith('| ')).length, 6);

  const ru = runCli(['grade', kuznetsova, '--md', join(work, 'ru.md'), '--lang', 'ru']);
  assert.equal(await ru.exited, 0);
  assert.match(ru.stdout(), /^socket-lab grade: работ: 1; зачтено: 1, не зачтено: 0/m);
  assert.match(
    await readFile(join(work, 'ru.md'), 'utf8'),
    /^\| Файл \| Студент \| Группа \| Итог \|.*\| Изменён \| Дубликат \| Тот же код, что у \| Причина \|$/m,
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

test('grade sheets: safe under `,` and `;` separators, control characters escaped, Markdown links, math and mentions inert', async () => {
  const { csvCell, mdCell } = await import('../src/classroom/sheet.ts');
  // A Russian-locale spreadsheet splits on `;`: the value is quoted, and each part that starts like a formula is guarded.
  assert.equal(csvCell('Ivanov;=1+1'), `"Ivanov;'=1+1"`);
  assert.equal(csvCell(' =cmd'), `' =cmd`);
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('-2+3'), `'-2+3`);
  assert.equal(csvCell('\u001b]0;owned\u0007'), `"\\e]0;owned\\x07"`);
  assert.equal(csvCell('Иванов Иван'), 'Иванов Иван');
  // A raw tab is escaped like any control character: it would split a column for a TSV reader.
  assert.equal(csvCell('Ivanov\tIvan'), 'Ivanov\\tIvan');
  assert.equal(mdCell('a\tb'), 'a\\\\tb'); // shown as a\tb
  const { visibleLine } = await import('../src/classroom/sheet.ts');
  assert.equal(visibleLine('x\ty'), 'x\\ty');
  for (const hostile of [
    '<https://evil.example>',
    'https://evil.example',
    'www.evil.example',
    'a@evil.example',
    '$x^2$',
    '@teacher',
    '#12',
    '[x](javascript:alert(1))',
  ]) {
    const cell = mdCell(hostile);
    assert.doesNotMatch(cell, /(^|[^\\])[<[$@#]/, `${hostile} -> ${cell}`);
    assert.doesNotMatch(cell, /[^\\]:\/\//, cell);
    assert.doesNotMatch(cell, /www\./, cell);
  }
});

test('grade: one bad submission is one bad row; the others are graded and the sheets written', async (t) => {
  const work = await tempDir(t);
  const subs = join(work, 'subs');
  await mkdir(subs);
  const good = await bundleTo(
    subs,
    await labLogs(join(work, 'good'), '2026-11-24', 1),
    'Иванов Иван',
    'ИУ7-32',
  );
  const base = await bundleTo(
    work,
    await labLogs(join(work, 'base'), '2026-11-25', 2),
    'Петров Пётр',
    'ИУ7-32',
  );
  const logOf = (m: Map<string, Buffer>, name: string) =>
    [...m.keys()].find((k) => k.endsWith(`/logs/${name}`)) as string;
  // Each hostile variant as a student of its own (the same student twice would be a re-upload).
  const variant = (out: string, edit: (m: Map<string, Buffer>) => void) =>
    rewrap(base, out, (m) => {
      edit(m);
      const key = [...m.keys()].find((k) => k.endsWith('/manifest.json')) as string;
      m.set(key, Buffer.from((m.get(key) as Buffer).toString('utf8').replace('Петров Пётр', out)));
    });
  // A numeric time beyond Date's range (toISOString threw in runIdentity and stopped grading).
  await variant(join(subs, 'time.tar.gz'), (m) => {
    const key = logOf(m, 'lab-server.jsonl');
    const text = (m.get(key) as Buffer).toString('utf8').replace(/"time":"[^"]*"/, '"time":1e300');
    m.set(key, Buffer.from(text));
  });
  // manifest.run nested 400,000 levels (JSON.stringify overflowed the stack).
  await variant(join(subs, 'nested.tar.gz'), (m) => {
    const key = [...m.keys()].find((k) => k.endsWith('/manifest.json')) as string;
    const manifest = JSON.parse((m.get(key) as Buffer).toString('utf8')) as Record<string, unknown>;
    const text = JSON.stringify({ ...manifest, run: 'RUN' }).replace(
      '"RUN"',
      `${'['.repeat(400_000)}${']'.repeat(400_000)}`,
    );
    m.set(key, Buffer.from(text));
  });
  // One line of 2 MiB: refused with its number, before it is ever joined.
  await variant(join(subs, 'long.tar.gz'), (m) => {
    const key = logOf(m, 'lab-echo-vm.jsonl');
    m.set(key, Buffer.concat([m.get(key) as Buffer, Buffer.alloc(2 * 1024 * 1024, 0x78), Buffer.from('\n')]));
  });
  // A field nested 200,000 deep: the line is refused (bad fields), not the report.
  await variant(join(subs, 'deep.tar.gz'), (m) => {
    const key = logOf(m, 'lab-server.jsonl');
    const deep = `{"level":30,"time":"2026-11-25T10:00:00.000Z","schema":1,"event":"server.error","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}\n`;
    m.set(key, Buffer.concat([m.get(key) as Buffer, Buffer.from(deep)]));
  });
  // 450,000 entries in `unset` (2.9 GB and 198 MB of CSV for twenty of them).
  await variant(join(subs, 'unset.tar.gz'), (m) => {
    const key = [...m.keys()].find((k) => k.endsWith('/manifest.json')) as string;
    const manifest = JSON.parse((m.get(key) as Buffer).toString('utf8')) as Record<string, unknown>;
    m.set(key, Buffer.from(JSON.stringify({ ...manifest, unset: Array(450_000).fill(0) })));
  });
  // 31 MiB of `x` lines in one member (a 37 KB gzip): minutes and 1.42 GB once, and it passed.
  await variant(join(subs, 'xlines.tar.gz'), (m) => {
    const key = logOf(m, 'lab-echo-vm.jsonl');
    m.set(key, Buffer.concat([m.get(key) as Buffer, Buffer.from('x\n'.repeat(31 * 2 ** 19))]));
  });
  const csv = join(work, 'g.csv');
  const md = join(work, 'g.md');
  const started = Date.now();
  const p = runCli(['grade', subs, '--csv', csv, '--md', md]);
  assert.equal(await p.exited, 1, p.stdout() + p.stderr());
  t.diagnostic(`graded in ${Date.now() - started} ms`);
  assert.equal(p.stderr(), '', 'no crash');
  const rows = parseCsv(await readFile(csv, 'utf8'));
  const by = (name: string) => rows.find((r) => r.file === join(subs, name)) as Record<string, string>;
  assert.equal(rows.length, 7);
  assert.match(
    by('xlines.tar.gz').reason as string,
    /lab-echo-vm: more than 100000 lines are not socket-lab log lines: not a log of the lab/,
  );
  assert.equal(by(good.slice(subs.length + 1)).result, 'pass');
  assert.equal(by('time.tar.gz').result, 'fail');
  assert.match(by('time.tar.gz').reason as string, /changed after bundling: logs\/lab-server\.jsonl/);
  assert.match(by('nested.tar.gz').reason as string, /the run in manifest\.json differs from the logs/);
  assert.match(by('long.tar.gz').reason as string, /line 8 of lab-echo-vm\.jsonl is longer than 1 MiB/);
  assert.match(by('deep.tar.gz').reason as string, /changed after bundling/);
  assert.match(by('unset.tar.gz').reason as string, /manifest\.json not usable \(bad-fields\)/);
  assert.ok((by('unset.tar.gz').reason as string).length < 1000);
  assert.match(await readFile(md, 'utf8'), /✅ pass/);
});

test('grade: a copy is caught by the run’s own randomness, whatever times and pids were edited; a re-upload is not a copy', async (t) => {
  const work = await tempDir(t);
  const subs = join(work, 'subs');
  await mkdir(subs);
  const original = await labLogs(join(work, 'orig'), '2026-11-24', 3);
  const ivanov = await bundleTo(subs, original, 'Иванов Иван', 'ИУ7-32');
  // Petrov edits the copy: the server's pid + 1, then every time an hour later, and bundles it again.
  const copy = join(work, 'copy');
  await mkdir(copy);
  for (const f of await readdir(original)) {
    const text = (await readFile(join(original, f), 'utf8'))
      .replace(/"pid":(\d+)/g, (_m, pid: string) => `"pid":${Number(pid) + 1}`)
      .replace(
        /"time":"([^"]+)"/g,
        (_m, iso: string) => `"time":"${new Date(Date.parse(iso) + 3_600_000).toISOString()}"`,
      );
    await writeFile(join(copy, f), text);
  }
  const petrov = await bundleTo(subs, copy, 'Петров Пётр', 'ИУ7-31');
  // Sidorov hands in the same run twice (a re-upload), from another folder.
  const again = join(work, 'again');
  await mkdir(again);
  const sidorovLogs = await labLogs(join(work, 'sid'), '2026-11-26', 4);
  const first = await bundleTo(subs, sidorovLogs, 'Сидоров Сидор', 'ИУ7-31');
  await new Promise((r) => setTimeout(r, 1100)); // a later bundledAt
  const second = await bundleTo(again, sidorovLogs, ' сидоров  сидор ', 'иу7-31');
  const csv = join(work, 'g.csv');
  const p = runCli(['grade', subs, again, '--csv', csv]);
  assert.equal(await p.exited, 1, p.stdout());
  const rows = parseCsv(await readFile(csv, 'utf8'));
  const by = (file: string) => rows.find((r) => r.file === file) as Record<string, string>;
  assert.equal(by(ivanov)['duplicate-of'], petrov);
  assert.equal(by(petrov)['duplicate-of'], ivanov);
  assert.equal(by(ivanov).result, 'fail');
  assert.equal(by(first).result, 're-upload');
  assert.equal(by(first)['duplicate-of'], second);
  assert.equal(by(second).result, 'pass');
  assert.match(
    p.stdout(),
    /3 submissions: 1 pass, 2 fail .* same run as another: 2.*; re-uploads of the same run: 1/,
  );
  assert.match(p.stdout(), /a re-upload of the same run;/);
  // Only Sidorov's two: exit 0, a re-upload is not a failure.
  const q = runCli(['grade', first, second]);
  assert.equal(await q.exited, 0, q.stdout());
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
      await labLogs(join(work, 'logs', String(i)), date, i + 1),
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

test('grade --server-log: classroom clients are checked against what the teacher’s server saw', async (t) => {
  const work = await tempDir(t);
  const subs = join(work, 'subs');
  await mkdir(subs);
  const teacher = join(LAB, 'lab-server.jsonl');
  /** A student's folder: the fixture's vm echo client, as a classroom client (dialing the teacher). */
  const student = async (name: string, date?: string, run?: number) => {
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    let text = await readFile(join(LAB, 'lab-echo-vm.jsonl'), 'utf8');
    text = text.replaceAll('"scenario":"vm"', '"scenario":"classroom"');
    if (date) text = text.replaceAll('2026-11-23T', `${date}T`);
    if (run !== undefined) text = otherPorts(text, run);
    await writeFile(join(dir, 'lab-echo-classroom.jsonl'), text);
    return dir;
  };
  const seen = await bundleTo(subs, await student('a'), 'Иванов Иван', 'ИУ7-32');
  // A run on another day: the teacher's server never saw it.
  const unseen = await bundleTo(subs, await student('b', '2026-11-25', 5), 'Петров Пётр', 'ИУ7-32');
  // The whole lab at home, no classroom client: nothing the teacher's server could have seen.
  const home = await bundleTo(
    subs,
    await labLogs(join(work, 'c'), '2026-11-26', 6),
    'Сидоров Сидор',
    'ИУ7-31',
  );
  const csv = join(work, 'g.csv');
  const p = runCli(['grade', subs, '--server-log', teacher, '--csv', csv]);
  assert.equal(await p.exited, 1, p.stdout() + p.stderr());
  const rows = parseCsv(await readFile(csv, 'utf8'));
  const by = (file: string) => rows.find((r) => r.file === file) as Record<string, string>;
  assert.equal(by(seen).result, 'pass', by(seen).reason);
  assert.equal(by(seen).remote, 'pass');
  assert.equal(by(unseen).result, 'fail');
  assert.equal(by(unseen).remote, 'fail');
  assert.match(by(unseen).reason as string, /checks failed: remote/);
  assert.match(by(home).reason as string, /no client of this run dialed the teacher's server/);
  // Without the teacher's log, the unseen run is not caught: the client's side alone proves nothing.
  const q = runCli(['grade', unseen]);
  assert.equal(await q.exited, 0, q.stdout());
  // A teacher's log that does not exist stops grading with one sentence (it is the teacher's input).
  const r = runCli(['grade', subs, '--server-log', join(work, 'nope.jsonl')]);
  assert.equal(await r.exited, 2);
  assert.match(r.stderr(), /nope\.jsonl: no such file/);
});

/** A classic pcap (raw IP) of one client SYN with initial sequence number `isn`. */
function synCapture(isn: number): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(65535, 16);
  h.writeUInt32LE(101, 20); // LINKTYPE_RAW
  const ip = Buffer.alloc(40);
  ip[0] = 0x45;
  ip.writeUInt16BE(40, 2);
  ip[8] = 64;
  ip[9] = 6;
  ip.set([10, 0, 0, 2], 12);
  ip.set([10, 0, 0, 1], 16);
  ip.writeUInt16BE(40000, 20);
  ip.writeUInt16BE(7007, 22);
  ip.writeUInt32BE(isn >>> 0, 24);
  ip[32] = 0x50;
  ip[33] = 0x02; // SYN
  const r = Buffer.alloc(16);
  r.writeUInt32LE(1_700_000_000, 0);
  r.writeUInt32LE(40, 8);
  r.writeUInt32LE(40, 12);
  return Buffer.concat([h, r, ip]);
}

test('grade: one capture in two runs whose ports were all edited is still one run (its ISNs)', async (t) => {
  const work = await tempDir(t);
  const subs = join(work, 'subs');
  await mkdir(subs);
  const a = await labLogs(join(work, 'a'), '2026-11-24', 7);
  const b = await labLogs(join(work, 'b'), '2026-11-25', 8);
  const c = await labLogs(join(work, 'c'), '2026-11-26', 9);
  await writeFile(join(a, 'lab-capture-server.pcap'), synCapture(0x9e3779b9));
  await writeFile(join(b, 'lab-capture-server.pcap'), synCapture(0x9e3779b9));
  await writeFile(join(c, 'lab-capture-server.pcap'), synCapture(0x7f4a7c15));
  const fa = await bundleTo(subs, a, 'Иванов Иван', 'ИУ7-32');
  const fb = await bundleTo(subs, b, 'Петров Пётр', 'ИУ7-32');
  const fc = await bundleTo(subs, c, 'Кузнецова Анна', 'ИУ7-32');
  const csv = join(work, 'g.csv');
  const p = runCli(['grade', subs, '--csv', csv]);
  assert.equal(await p.exited, 1, p.stdout());
  const rows = parseCsv(await readFile(csv, 'utf8'));
  const by = (file: string) => rows.find((r) => r.file === file) as Record<string, string>;
  assert.equal(by(fa)['duplicate-of'], fb);
  assert.equal(by(fb)['duplicate-of'], fa);
  assert.equal(by(fc)['duplicate-of'], '');
  assert.equal(by(fc).result, 'pass', by(fc).reason);
});

test('grade: the same own code under other names, re-indented and re-commented, is named in "same code as"; other code is not', async (t) => {
  const work = await tempDir(t);
  const subs = join(work, 'subs');
  await mkdir(subs);
  const code = [
    'import socket\n# my server\ns = socket.socket()\ns.bind(("", 7007))\ns.listen()\nwhile True:\n    c, a = s.accept()\n    c.sendall(c.recv(1024))\n',
    '# Лабораторная работа, Петров\nimport socket\ns = socket.socket()   # сокет\ns.bind(("", 7007))\ns.listen()\nwhile True:\n  c, a = s.accept()\n  c.sendall(c.recv(1024))   # эхо\n',
    'import socket\ns = socket.socket()\ns.bind(("", 7007))\ns.listen()\nwhile True:\n    c, a = s.accept()\n    c.sendall(c.recv(4096))\n',
  ];
  const students = ['Иванов Иван', 'Петров Пётр', 'Сидоров Сидор'];
  const files: string[] = [];
  for (let i = 0; i < 3; i++) {
    const date = `2026-11-2${4 + i}`;
    const logs = await labLogs(join(work, `run${i}`), date, 10 + i);
    // The student's own server: its sources as the runner records them (own.sources with the text).
    const line = JSON.stringify({
      level: 30,
      time: `${date}T22:59:55.100Z`,
      schema: 2,
      pid: 4242,
      hostname: 'vm',
      scenario: 'server',
      component: 'own',
      event: 'own.sources',
      role: 'echo-server',
      files: [{ path: 'server.py', bytes: Buffer.byteLength(code[i] as string), sha256: 'x', text: code[i] }],
      skipped: 0,
      msg: 'sources',
    });
    await writeFile(join(logs, 'lab-own-echo-server.jsonl'), `${line}\n`);
    files.push(await bundleTo(subs, logs, students[i] as string, 'ИУ7-31'));
  }
  const csv = join(work, 'g.csv');
  const p = runCli(['grade', subs, '--csv', csv]);
  await p.exited;
  const rows = parseCsv(await readFile(csv, 'utf8'));
  const by = (file: string) => rows.find((r) => r.file === file) as Record<string, string>;
  assert.equal(by(files[0] as string)['same-code-as'], files[1], p.stdout());
  assert.equal(by(files[1] as string)['same-code-as'], files[0]);
  assert.equal(by(files[2] as string)['same-code-as'], '', 'recv(4096) is other code');
  assert.equal(by(files[0] as string)['duplicate-of'], '', 'other runs: not a copied run');
});

test('grade: a run of the student’s own programs alone has an identity: a re-upload is recognised, a copy is caught', async (t) => {
  // Real recorded own logs (test/fixtures/own/logs/): the student's own echo server (an accepted
  // client) and own echo client, none of our programs in the run.
  const OWN = fileURLToPath(new URL('./fixtures/own/logs/', import.meta.url));
  const work = await tempDir(t);
  const logs = join(work, 'logs');
  await mkdir(logs);
  for (const f of ['echo-server.jsonl', 'client-local.jsonl'])
    await writeFile(join(logs, f), await readFile(join(OWN, f)));
  const subs = join(work, 'subs');
  const again = join(work, 'again');
  await mkdir(subs);
  await mkdir(again);
  const first = await bundleTo(subs, logs, 'Иванов Иван', 'ИУ7-32');
  // The own server's start is the run's start (it was "no server in the logs"), and the manifest
  // holds what the kernel drew: the own client's port and the ports the own server accepted.
  const b = await createBundle({ logDir: logs, student: 'Иванов Иван', group: 'ИУ7-32' });
  assert.equal(b.manifest.run.serverStart, '2026-12-02T01:34:52.837Z');
  assert.deepEqual(b.manifest.run.accepted, ['127.0.0.1:43636']);
  assert.ok(b.manifest.run.clients.some((c) => c.local === '127.0.0.1:44972'));
  await new Promise((r) => setTimeout(r, 1100)); // a later bundledAt
  const second = await bundleTo(again, logs, 'Иванов Иван', 'ИУ7-32');
  const csv = join(work, 'g.csv');
  const p = runCli(['grade', first, second, '--csv', csv]);
  await p.exited;
  let rows = parseCsv(await readFile(csv, 'utf8'));
  const by = (file: string) => rows.find((r) => r.file === file) as Record<string, string>;
  assert.equal(by(first).result, 're-upload', p.stdout());
  assert.equal(by(first)['duplicate-of'], second);
  assert.notEqual(by(second).result, 're-upload');

  // Petrov hands in the same run with every pid and time edited: the kernel's ports still match.
  const copy = join(work, 'copy');
  await mkdir(copy);
  for (const f of await readdir(logs)) {
    const text = (await readFile(join(logs, f), 'utf8'))
      .replace(
        /"(own)?[pP]id":(\d+)/g,
        (_m, o: string | undefined, pid: string) => `"${o ?? ''}${o ? 'P' : 'p'}id":${Number(pid) + 1}`,
      )
      .replace(
        /"time":"([^"]+)"/g,
        (_m, iso: string) => `"time":"${new Date(Date.parse(iso) + 3_600_000).toISOString()}"`,
      );
    await writeFile(join(copy, f), text);
  }
  const petrov = await bundleTo(subs, copy, 'Петров Пётр', 'ИУ7-31');
  const q = runCli(['grade', first, petrov, '--csv', csv]);
  await q.exited;
  rows = parseCsv(await readFile(csv, 'utf8'));
  assert.equal(by(first)['duplicate-of'], petrov, q.stdout());
  assert.equal(by(petrov)['duplicate-of'], first);
  assert.equal(by(petrov).result, 'fail');
});
