import assert from 'node:assert/strict';
import { chown, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseJsonLines, runCli, waitFor, defer } from './helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/report/', import.meta.url));
const LAB = join(FIXTURES, 'lab');
const FAILING = join(FIXTURES, 'failing');

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'socket-lab-report-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('report --check: a passing run exits 0, prints the report and a one-line summary', async () => {
  const p = runCli(['report', LAB, '--check']);
  assert.equal(await p.exited, 0, p.stderr());
  assert.match(p.stdout(), /^# Sockets lab report\n/);
  assert.equal(p.stderr().trim().split('\n').length, 1);
  assert.match(p.stderr(), /^socket-lab report: checks: 6 of 6 pass, 0 fail, 0 not applicable\n$/);
});

test('report --check: failing checks exit 1 and are named on one line of stderr', async () => {
  const p = runCli(['report', FAILING, '--check']);
  assert.equal(await p.exited, 1);
  const err = p.stderr().trim();
  assert.equal(err.split('\n').length, 1, err);
  assert.match(err, /^socket-lab report: checks: 0 of 6 pass, 6 fail, 0 not applicable; failed: /);
  for (const id of ['local', 'vm', 'remote', 'echo', 'chat', 'stopped'])
    assert.ok(err.includes(`${id}: `), id);
  // Without --check the same logs give a report and exit 0: failing checks are content, not errors.
  const q = runCli(['report', FAILING]);
  assert.equal(await q.exited, 0);
  assert.match(q.stdout(), /❌ fail/);
});

test('report --require: a scenario missing from the logs fails only when required', async () => {
  const files = ['lab-server.jsonl', 'lab-echo-local.jsonl'].map((f) => join(LAB, f));
  const ok = runCli(['report', ...files, '--check']);
  assert.equal(await ok.exited, 0, ok.stderr());
  assert.match(ok.stderr(), /not applicable \(vm, remote, chat\)/);
  const required = runCli(['report', ...files, '--check', '--require', 'local,vm']);
  assert.equal(await required.exited, 1);
  assert.match(required.stderr(), /checks: \d of 6 pass, 1 fail, .*; failed: vm: /);
  const bad = runCli(['report', ...files, '--require', 'local,moon']);
  assert.equal(await bad.exited, 2);
  assert.match(bad.stderr(), /"moon" is none of them/);
});

test('report: standard input, --out and --lang ru (also from LAB_LANG)', async (t) => {
  const dir = await tempDir(t);
  const all = (await readdir(LAB)).filter((f) => f.endsWith('.jsonl')).sort();
  const text = (await Promise.all(all.map((f) => readFile(join(LAB, f), 'utf8')))).join('');
  const out = join(dir, 'sub', 'report.ru.md');
  const p = runCli(['report', '-', '--out', out, '--check'], text, { LAB_LANG: 'ru' });
  assert.equal(await p.exited, 0, p.stderr());
  assert.equal(p.stdout(), '');
  // The summary follows the language too; the check ids stay as scripts and --require name them.
  assert.match(p.stderr(), /^socket-lab report: проверки: пройдено 6 из 6, не пройдено 0, неприменимо 0\n$/);
  const md = await readFile(out, 'utf8');
  assert.match(md, /^# Отчёт по лабораторной работе «Сокеты»/);
  assert.match(md, /## Сценарий `remote`/);
  // One stream of many programs: each process is still its own source of ordered lines.
  assert.match(md, /\| `stdin` \| \d+ \| \d+ \|/);
  const en = runCli(['report', '--lang', 'en'], text, { LAB_LANG: 'ru' });
  assert.equal(await en.exited, 0);
  assert.match(en.stdout(), /^# Sockets lab report/);
});

test('report: unreadable input is a clear error with exit code 2', async (t) => {
  const p = runCli(['report', join(FIXTURES, 'no-such-dir')]);
  assert.equal(await p.exited, 2);
  assert.match(p.stderr(), /no-such-dir: no such file or directory/);
  const empty = await tempDir(t);
  const q = runCli(['report', empty]);
  assert.equal(await q.exited, 2);
  assert.match(q.stderr(), /no \*\.jsonl files in this directory/);
  const r = runCli(['report', '--check'], '');
  assert.equal(await r.exited, 1, 'nothing to check is not a pass');
  assert.match(r.stderr(), /nothing to check/);
});

test('collect: copies the logs byte for byte, writes both reports, gives them to the owner of the parent', async (t) => {
  const dir = await tempDir(t);
  const project = join(dir, 'project');
  await mkdir(project);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chown(project, 4321, 4322);
  const to = join(project, 'logs');
  const p = runCli(['collect', '--from', LAB, '--to', to]);
  assert.equal(await p.exited, 0, p.stderr());
  assert.match(p.stdout(), /copied 6 log file\(s\)/);
  assert.match(p.stdout(), /checks: (\d+) of \1 pass, 0 fail/);
  for (const f of (await readdir(LAB)).filter((n) => n.endsWith('.jsonl'))) {
    assert.deepEqual(await readFile(join(to, f)), await readFile(join(LAB, f)), f);
  }
  assert.match(await readFile(join(to, 'report.md'), 'utf8'), /^# Sockets lab report/);
  assert.match(await readFile(join(to, 'report.ru.md'), 'utf8'), /^# Отчёт/);
  if (asRoot) {
    for (const f of ['', 'report.md', 'report.ru.md', 'lab-server.jsonl']) {
      const s = await stat(join(to, f));
      assert.deepEqual([s.uid, s.gid], [4321, 4322], f || 'the directory');
    }
  } else {
    t.diagnostic('not root: ownership is not changed (nothing to give away)');
  }
  const none = runCli(['collect', '--from', join(dir, 'nothing-here'), '--to', to]);
  assert.equal(await none.exited, 2);
  assert.match(none.stderr(), /does not exist: is the logs volume mounted there\?/);
  const failing = runCli(['collect', '--from', FAILING, '--to', join(dir, 'f'), '--check']);
  assert.equal(await failing.exited, 1);
  // `docker compose run --rm report` with LAB_LANG=ru: its lines in Russian.
  const ru = runCli(['collect', '--from', LAB, '--to', join(dir, 'ru')], undefined, { LAB_LANG: 'ru' });
  assert.equal(await ru.exited, 0, ru.stderr());
  assert.match(ru.stdout(), /скопировано файлов журналов в [^\n]*: 6; отчёты: /);
  assert.match(ru.stdout(), /socket-lab collect: проверки: пройдено (\d+) из \1, не пройдено 0/);
  const ruFailing = runCli(['collect', '--from', FAILING, '--to', join(dir, 'rf'), '--check'], undefined, {
    LAB_LANG: 'ru',
  });
  assert.equal(await ruFailing.exited, 1);
  assert.match(ruFailing.stdout(), /не пройдено [1-9]\d*, .*; не пройдены: /);
});

test('report on a real run on loopback: server, echo client and two chat clients pass their checks', async (t) => {
  const dir = await tempDir(t);
  const log = (name: string, scenario: string) => [
    '--log-format',
    'json',
    '--log-file',
    join(dir, `${name}.jsonl`),
    '--scenario',
    scenario,
  ];
  const server = runCli([
    'server',
    '--host',
    '127.0.0.1',
    '--tcp-port',
    '0',
    '--udp-port',
    '0',
    ...log('server', 'server'),
  ]);
  defer(t, () => {
    server.child.kill('SIGKILL');
  });
  const listening = await waitFor('both sockets', () => {
    const l = server.json().filter((x) => x.event === 'server.listening');
    return l.length === 2 ? l : undefined;
  });
  const port = (proto: string) => String(listening.find((l) => l.protocol === proto)?.port);
  const echo = runCli(
    ['echo', '--port', port('tcp'), ...log('echo-local', 'local')],
    'hello\nпривет\nexit\n',
  );
  assert.equal(await echo.exited, 0, echo.stderr());
  const chat = (nick: string, scenario: string) =>
    runCli(
      [
        'chat',
        '--port',
        port('udp'),
        '--nick',
        nick,
        '--wait-members',
        '2',
        '--say',
        `hi from ${nick}`,
        ...log(`chat-${nick}`, scenario),
      ],
      undefined,
    );
  const a = chat('ann', 'net-a');
  const b = chat('ben', 'net-b');
  // Each leaves once it has heard the other.
  for (const [me, other] of [
    [a, 'ben'],
    [b, 'ann'],
  ] as const) {
    await waitFor(
      `a message from ${other}`,
      () => parseJsonLines(me.stderr()).some((l) => l.event === 'chat.message.received' && l.nick === other),
      10_000,
    );
  }
  a.child.stdin?.end('exit\n');
  b.child.stdin?.end('exit\n');
  assert.equal(await a.exited, 0, a.stderr());
  assert.equal(await b.exited, 0, b.stderr());
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);

  const p = runCli(['report', dir, '--check', '--require', 'local,echo,chat']);
  assert.equal(await p.exited, 0, `${p.stderr()}\n${p.stdout()}`);
  assert.match(p.stderr(), /checks: 4 of 6 pass, 0 fail, 2 not applicable \(vm, remote\)/);
  assert.match(p.stdout(), /## Scenario `net-a`/);
});

test('collect copies regular files only: a log or capture that is a link to another file is not followed', async (t) => {
  const dir = await tempDir(t);
  const from = join(dir, 'volume');
  await mkdir(from);
  for (const f of (await readdir(LAB)).filter((n) => n.endsWith('.jsonl')))
    await writeFile(join(from, f), await readFile(join(LAB, f)));
  const secret = join(dir, 'secret.env');
  await writeFile(secret, 'LAB_STUDENT=not-for-the-report\n');
  // What a program left running beside the logs could make of them (an attacker's review).
  await symlink(secret, join(from, 'lab-capture-server.pcap'));
  await symlink(secret, join(from, 'lab-extra.jsonl'));
  const to = join(dir, 'out');
  const p = runCli(['collect', '--from', from, '--to', to]);
  assert.equal(await p.exited, 0, p.stderr());
  const copied = await readdir(to);
  assert.ok(
    !copied.includes('lab-capture-server.pcap') && !copied.includes('lab-extra.jsonl'),
    copied.join(' '),
  );
  assert.match(p.stderr() + p.stdout(), /lab-capture-server\.pcap is not a regular file: not copied/);
  for (const f of copied) assert.ok(!(await readFile(join(to, f), 'utf8')).includes('not-for-the-report'), f);
});
