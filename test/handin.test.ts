/**
 * The hand-in without guessing (issue 21): `bundle` and `collect --bundle` (what `docker compose run
 * --rm report` runs) read the name from the `.env` of the folder they run in, write the file named
 * after it, print its path as the user typed the folder, and refuse a nameless submission in the
 * student's language. The CLI as users run it, each in a folder of its own.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseDotenv } from '../src/doctor/dotenv.ts';
import { CLI, defer } from './helpers.ts';

const LAB = fileURLToPath(new URL('./fixtures/report/lab/', import.meta.url));

test('.env as Compose reads it: comments, quotes, export, inline comments, CRLF, a BOM', () => {
  const env = parseDotenv(
    '\uFEFF# the lab\r\nLAB_STUDENT="Иванова Мария"\r\nexport LAB_GROUP=ИУ7-32 # my group\n' +
      'LAB_LANG=\'ru\'\nEMPTY=\nnot a setting\n=x\nQ="a \\"b\\" c"\nHASH=a#b\n',
  );
  assert.equal(env.get('LAB_STUDENT'), 'Иванова Мария');
  assert.equal(env.get('LAB_GROUP'), 'ИУ7-32');
  assert.equal(env.get('LAB_LANG'), 'ru');
  assert.equal(env.get('EMPTY'), '');
  assert.equal(env.get('Q'), 'a "b" c');
  assert.equal(env.get('HASH'), 'a#b');
  assert.equal(env.size, 6);
});

/** A lab folder: logs/ with a real run's logs, and `.env` holding `dotenv`. */
async function labFolder(t: { after: (fn: () => Promise<void>) => void }, dotenv: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'socket-lab-handin-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'logs'));
  for (const f of await readdir(LAB)) await copyFile(join(LAB, f), join(dir, 'logs', f));
  await writeFile(join(dir, '.env'), dotenv);
  return dir;
}

/** Runs the CLI in `cwd` with no LAB_STUDENT / LAB_GROUP / LAB_LANG of the test's own environment. */
async function cli(cwd: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const env = { ...process.env };
  for (const k of ['LAB_STUDENT', 'LAB_GROUP', 'LAB_LANG']) delete env[k];
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out, err };
}

const tarballs = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.tar.gz'));

test('bundle reads the name from .env in the folder it runs in', async (t) => {
  const dir = await labFolder(t, 'LAB_STUDENT=Петрова Мария\nLAB_GROUP=ИУ7-31\n');
  const r = await cli(dir, ['bundle']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^socket-lab bundle: wrote logs\/petrova-mariia_IU7-31_socket-lab\.tar\.gz \(/);
  assert.equal(r.err, '', 'no warning: the names are set');
  assert.deepEqual(await tarballs(join(dir, 'logs')), ['petrova-mariia_IU7-31_socket-lab.tar.gz']);
});

test('bundle refuses a nameless submission: exit 2, one sentence naming LAB_STUDENT / --student', async (t) => {
  const dir = await labFolder(t, '# nothing filled in yet\nLAB_STUDENT=\n');
  const en = await cli(dir, ['bundle']);
  assert.equal(en.code, 2);
  assert.match(
    en.err,
    /^socket-lab bundle: no submission made: your name and group are not set \(set LAB_STUDENT, LAB_GROUP in \.env, or give --student "Surname Name" --group; --anonymous makes one without them\)\n$/,
  );
  assert.deepEqual(await tarballs(join(dir, 'logs')), []);

  await writeFile(join(dir, '.env'), 'LAB_GROUP=ИУ7-31\nLAB_LANG=ru\n');
  const ru = await cli(dir, ['bundle']);
  assert.equal(ru.code, 2);
  assert.match(
    ru.err,
    /^socket-lab bundle: файл для сдачи не создан: не указано ваше имя \(задайте LAB_STUDENT в \.env или укажите --student "Фамилия Имя"; --anonymous создаёт файл без них\)\n$/,
  );
  assert.deepEqual(await tarballs(join(dir, 'logs')), []);

  const anon = await cli(dir, ['bundle', '--anonymous']);
  assert.equal(anon.code, 0, anon.err);
  assert.deepEqual(await tarballs(join(dir, 'logs')), ['unknown-student_IU7-31_socket-lab.tar.gz']);
});

test('collect --bundle (the report container): reports, then the submission, its path as the user sees it', async (t) => {
  const dir = await labFolder(t, 'LAB_STUDENT=Иванова Мария\nLAB_GROUP=ИУ7-32\nLAB_LANG=ru\n');
  // The container's logs volume: here a folder beside the project.
  const volume = join(dir, 'volume');
  await mkdir(volume);
  for (const f of await readdir(LAB)) await copyFile(join(LAB, f), join(volume, f));
  await rm(join(dir, 'logs'), { recursive: true });
  const r = await cli(dir, ['collect', '--from', volume, '--to', 'logs', '--bundle']);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /^socket-lab collect: файл для сдачи: logs\/ivanova-mariia_IU7-32_socket-lab\.tar\.gz /m,
  );
  assert.deepEqual(await tarballs(join(dir, 'logs')), ['ivanova-mariia_IU7-32_socket-lab.tar.gz']);
  const files = await readdir(join(dir, 'logs'));
  for (const f of ['report.md', 'report.ru.md', 'report.html', 'report.ru.html'])
    assert.ok(files.includes(f), f);
});

test('collect --bundle without a name: the reports are written, no submission, exit 2, the setting named', async (t) => {
  const dir = await labFolder(t, 'LAB_LANG=ru\n');
  const volume = join(dir, 'logs');
  const r = await cli(dir, ['collect', '--from', volume, '--to', 'out', '--bundle']);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /socket-lab collect: файл для сдачи не создан: не указаны ваши имя и группа; заполните LAB_STUDENT, LAB_GROUP в \.env и запустите эту команду снова \(отчёты выше записаны\)/,
  );
  const files = await readdir(join(dir, 'out'));
  assert.ok(files.includes('report.ru.md') && files.includes('report.md'));
  assert.deepEqual(await tarballs(join(dir, 'out')), []);
});
