/**
 * The hand-in with Docker alone (issue 21), on the student's run of the Docker e2e: in a lab folder
 * of its own (docker-compose.yml and a `.env`, as a student has them), `docker compose run --rm
 * report` writes the submission into logs/, prints its name as the student sees it, and `socket-lab
 * grade` passes it. Then the same without a name: the reports, no submission, the setting named in
 * Russian, a non-zero exit.
 *
 *   node --import tsx test/e2e/handin.ts WORKDIR COMPOSE...   (e.g. ... /tmp/x docker compose)
 *
 * Env: what scripts/test-docker.sh's student pass exports (COMPOSE_PROJECT_NAME, LAB_PREFIX, the
 * images, LAB_STUDENT and LAB_GROUP: written into `.env` here, and removed from the environment so
 * that `.env` is what Compose reads). Prints one line per assertion; exits 1 when any fails.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { bundleBaseName } from '../../src/classroom/names.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const [work = '', ...compose] = process.argv.slice(2);
const student = process.env.LAB_STUDENT ?? '';
const group = process.env.LAB_GROUP ?? '';
if (!work || compose.length === 0 || !student || !group) {
  process.stderr.write('usage: LAB_STUDENT=... LAB_GROUP=... handin.ts WORKDIR COMPOSE...\n');
  process.exit(2);
}

/** Runs `cmd` in `cwd` with the environment minus the names, bounded in time. */
function run(
  cwd: string,
  cmd: string[],
  timeoutMs = 180_000,
): Promise<{ code: number | null; text: string }> {
  const env = { ...process.env };
  for (const k of ['LAB_STUDENT', 'LAB_GROUP', 'LAB_LANG']) delete env[k];
  const child = spawn(cmd[0] as string, cmd.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, text });
    }),
  );
}

/** A student's lab folder: the compose file, and `.env` with `dotenv`. */
async function labFolder(name: string, dotenv: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await copyFile(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
  await writeFile(join(dir, '.env'), dotenv);
  return dir;
}

const results: Array<[string, boolean, string?]> = [];
const check = (title: string, ok: boolean, detail?: string) => results.push([title, ok, detail]);
const tarballs = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.tar.gz'));

// ---- named: .env holds the name, the report command hands in
const named = await labFolder('named', `LAB_STUDENT="${student}"\nLAB_GROUP="${group}"\nLAB_LANG=ru\n`);
const file = `${bundleBaseName(student, group)}.tar.gz`;
const r = await run(named, [...compose, 'run', '--rm', 'report']);
check('`run --rm report` exits 0 with the name in .env', r.code === 0, r.text);
check(
  `it prints the submission as the student sees it (logs/${file}), in Russian`,
  r.text.includes(`файл для сдачи: logs/${file}`),
  r.text,
);
const logs = join(named, 'logs');
check(
  'the submission is in logs/, beside the reports',
  (await tarballs(logs)).includes(file),
  String(await tarballs(logs)),
);
const owner = await stat(join(logs, file)).catch(() => undefined);
check(
  'it belongs to the owner of the lab folder, not root',
  owner !== undefined && owner.uid === (await stat(named)).uid,
  `uid ${owner?.uid}`,
);
const g = await run(ROOT, [
  process.execPath,
  '--import',
  'tsx',
  join(ROOT, 'src/cli.ts'),
  'grade',
  join(logs, file),
]);
check('`socket-lab grade` passes it', g.code === 0 && !g.text.includes(file), g.text);

// ---- nameless: the reports, no submission, the setting named in the student's language
const nameless = await labFolder('nameless', '# LAB_STUDENT not filled in\nLAB_LANG=ru\n');
const n = await run(nameless, [...compose, 'run', '--rm', 'report']);
check('without a name, `run --rm report` exits non-zero', n.code !== 0 && n.code !== null, `exit ${n.code}`);
check(
  'it says in Russian that no submission was made, naming LAB_STUDENT',
  /файл для сдачи не создан: не указаны ваши имя и группа; заполните LAB_STUDENT, LAB_GROUP в \.env/.test(
    n.text,
  ),
  n.text,
);
const kept = await readdir(join(nameless, 'logs')).catch(() => [] as string[]);
check(
  'the reports are written all the same',
  kept.includes('report.ru.md') && kept.includes('report.md'),
  String(kept),
);
check('no submission file is made', (await tarballs(join(nameless, 'logs'))).length === 0);

let failed = 0;
for (const [title, ok, detail] of results) {
  process.stdout.write(`  ${ok ? 'ok  ' : 'FAIL'} handin: ${title}\n`);
  if (!ok) {
    failed++;
    if (detail) process.stdout.write(`${detail.replace(/^/gm, '         ')}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
