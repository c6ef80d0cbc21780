import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { labError } from '../src/errors.ts';
import { defer, runCli } from './helpers.ts';

// The CLI's one rule for errors, on the real program: a LabError is the user's to fix (one
// sentence from the catalogue, in their language, exit 2 for a wrong input); anything else is a
// bug of socket-lab (exit 70, the stack only when --debug or LAB_DEBUG=1 asks for it).

async function tempDir(t: Parameters<typeof defer>[0]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lab-cli-errors-'));
  defer(t, () => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A bug, injected from outside the program: Node preloads this module, which makes copyFile throw
 * a TypeError (no errno code: nothing the user did), as a programming error in socket-lab would.
 */
const INJECT_BUG = `--import=data:text/javascript,${encodeURIComponent(
  "import fs from 'node:fs'; import m from 'node:module';" +
    "fs.createWriteStream = () => { throw new TypeError('injected for the test'); };" +
    'm.syncBuiltinESMExports();',
)}`;

test('collect: a logs folder that does not exist is a user error: exit 2, its sentence in the chosen language', async (t) => {
  const dir = await tempDir(t);
  const from = join(dir, 'no-such-volume');
  for (const [args, env, lang] of [
    [['--lang', 'ru'], {}, 'ru'],
    [[], { LAB_LANG: 'ru' }, 'ru'],
    [[], { LAB_LANG: 'en' }, 'en'],
  ] as const) {
    const p = runCli(['collect', '--from', from, '--to', join(dir, 'out'), ...args], undefined, env);
    assert.equal(await p.exited, 2, p.stderr());
    const sentence = labError('collect-from-missing', { dir: from }).localized(lang);
    assert.equal(p.stderr(), `socket-lab collect: ${sentence}\n`);
    assert.doesNotMatch(p.stderr(), /internal error|\bat .*\.js:\d+/);
  }
});

test('collect: an empty logs folder and report: a missing file exit 2 with their catalogue sentences', async (t) => {
  const dir = await tempDir(t);
  const empty = join(dir, 'empty');
  await mkdir(empty);
  const c = runCli(['collect', '--from', empty, '--to', join(dir, 'out')], undefined, { LAB_LANG: 'ru' });
  assert.equal(await c.exited, 2, c.stderr());
  assert.equal(
    c.stderr(),
    `socket-lab collect: ${labError('collect-no-logs', { dir: empty }).localized('ru')}\n`,
  );

  const missing = join(dir, 'lab-srver.jsonl');
  const r = runCli(['report', '--lang', 'ru', missing]);
  assert.equal(await r.exited, 2, r.stderr());
  assert.equal(
    r.stderr(),
    `socket-lab report: ${labError('input-missing', { path: missing }).localized('ru')}\n`,
  );
});

test('collect: anything that is not a LabError is a bug: exit 70, the stack only with LAB_DEBUG=1', async (t) => {
  const dir = await tempDir(t);
  const from = join(dir, 'logs');
  await mkdir(from);
  await writeFile(join(from, 'lab-server.jsonl'), '{}\n');
  const args = ['collect', '--from', from, '--to', join(dir, 'out')];

  const plain = runCli(args, undefined, { NODE_OPTIONS: INJECT_BUG, LAB_DEBUG: '' });
  assert.equal(await plain.exited, 70, plain.stderr());
  assert.match(
    plain.stderr(),
    /^socket-lab collect: internal error, a bug in socket-lab: TypeError: injected for the test\n/,
  );
  assert.match(plain.stderr(), /LAB_DEBUG=1 for the stack trace/);
  assert.doesNotMatch(plain.stderr(), /\n\s+at /);

  const debug = runCli(args, undefined, { NODE_OPTIONS: INJECT_BUG, LAB_DEBUG: '1' });
  assert.equal(await debug.exited, 70, debug.stderr());
  assert.match(debug.stderr(), /TypeError: injected for the test\n\s+at /);

  // The same command without the injected bug succeeds: the exit 70 came from the bug alone.
  const ok = runCli(args, undefined, { LAB_DEBUG: '' });
  assert.equal(await ok.exited, 0, ok.stderr());
});

test('bundle: a log whose name is too long for a tar archive is the student`s to rename: exit 2, not a bug', async (t) => {
  const dir = await tempDir(t);
  const logs = join(dir, 'logs');
  await mkdir(logs);
  const name = `${'x'.repeat(150)}.jsonl`;
  await writeFile(
    join(logs, name),
    await readFile(new URL('./fixtures/report/bad/lab-server.jsonl', import.meta.url), 'utf8'),
  );
  const p = runCli(['bundle', logs, '--anonymous', '--out', join(dir, 'out.tar.gz'), '--lang', 'ru']);
  assert.equal(await p.exited, 2, p.stderr());
  const path = `unknown-student_unknown-group_socket-lab/logs/${name}`;
  assert.equal(
    p.stderr(),
    `socket-lab bundle: ${labError('bundle-name-too-long', { path }).localized('ru')}\n`,
  );
});
