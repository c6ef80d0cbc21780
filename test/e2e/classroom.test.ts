import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { nickFromName, signGreeting } from '../../src/classroom/signature.ts';
import { readTar, writeTar } from '../../src/classroom/tar.ts';
import { CLI, type Line, waitFor, defer } from '../helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('nickFromName: a valid chat nickname from any name', () => {
  assert.equal(nickFromName('Иванов Иван'), 'Ivanov-Ivan');
  assert.equal(nickFromName('Jürgen  O’Neil'), 'Jurgen-O-Neil');
  assert.equal(nickFromName('Константинопольский Александр'), 'Konstantinopol-A');
  assert.equal(nickFromName('Щербаковаааааааааааа'), 'Shcherbakovaaaaa');
  assert.equal(nickFromName('!!!'), undefined);
  assert.equal(nickFromName(''), undefined);
  assert.equal(nickFromName(undefined), undefined);
  for (const name of ['Иванов Иван', 'Константинопольский Александр', 'a b c d e f g h i j']) {
    assert.match(nickFromName(name) ?? '', /^[A-Za-z0-9_-]{1,16}$/);
  }
});

test('signGreeting: the name and group travel with the scripted line, nothing without them', () => {
  assert.equal(signGreeting('Hello', 'Иванов Иван', 'ИУ7-32'), 'Hello [Иванов Иван, ИУ7-32]');
  assert.equal(signGreeting('Hello', 'Иванов Иван'), 'Hello [Иванов Иван]');
  assert.equal(signGreeting('Hello', '  ', undefined), 'Hello');
  assert.equal(signGreeting('Hello'), 'Hello');
});

// ---- across real hosts ----------------------------------------------------------------------
//
// A class network of its own: a namespace `lan` holds a bridge (the classroom's switch); the
// teacher's and two students' namespaces hang on it, and so does this Docker host, through a veth
// with the address .1 (the student laptop that runs Docker). Addresses from 198.19.13.0/24, inside
// the lab's 198.18.0.0/15 and used by nothing else here; Docker's wan network for this run gets
// 198.19.14.0/24. The bridge sits in its own namespace so that the Docker host's iptables (FORWARD
// policy DROP, br_netfilter) never see the class's traffic; this test adds no iptables rule.

const ID = process.pid % 100000;
const NET = '198.19.13';
const TEACHER = `${NET}.10`;
const DOCKER_HOST = `${NET}.1`;
const STUDENTS = [
  { ns: `cls${ID}-s1`, ip: `${NET}.21`, name: 'Иванов Иван', group: 'ИУ7-32', dir: 's1' },
  { ns: `cls${ID}-s2`, ip: `${NET}.22`, name: 'Петрова Мария', group: 'ИУ7-31', dir: 's2' },
];
const DOCKER_STUDENT = { name: 'Сидоров Сидор', group: 'ИУ7-33' };
const NS_LAN = `cls${ID}-lan`;
const NS_TEACHER = `cls${ID}-t`;
const HOST_VETH = `c13h${ID}`;

function lines(file: string): Line[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

function missingTools(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to build hosts of network namespaces (ip netns add)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'needs iproute2 (the ip command)';
  return undefined;
}

/** `docker compose` when the v2 plugin answers, else Debian's `docker-compose` 1.29; undefined: none. */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return undefined;
}

/** The local Node base image the other tests build (scripts/base-image.sh), or undefined. */
function localBaseImage(): string | undefined {
  if (process.env['NODE_BASE_IMAGE']) return process.env['NODE_BASE_IMAGE'];
  const out = spawnSync(
    'docker',
    ['images', '--format', '{{.Repository}}:{{.Tag}}', 'socket-lab/node-base'],
    {
      encoding: 'utf8',
    },
  );
  return out.stdout.split('\n').find((l) => l.trim() !== '' && !l.includes('<none>'));
}

interface Run {
  child: ChildProcess;
  out: string[];
  exit: Promise<number | null>;
}

function inNs(ns: string, args: string[], env: Record<string, string> = {}): Run {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, CLI, ...args], {
    env: { ...process.env, LAB_STUDENT: '', LAB_GROUP: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => out.push(d.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, out, exit };
}

async function exited(run: Run, what: string, ms = 15_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not exit within ${ms} ms:\n${run.out.join('')}`)),
      ms,
    );
  });
  try {
    return await Promise.race([run.exit, late]);
  } finally {
    clearTimeout(timer);
  }
}

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LAB_STUDENT: '', LAB_GROUP: '', ...env },
  });
}

test(
  'classroom across real hosts: namespaces and the Docker profile dial the teacher; report, bundle, grade',
  { timeout: 290_000 },
  async (t) => {
    const missing = missingTools();
    assert.equal(missing, undefined, `this test builds hosts of its own: ${missing}`);
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const quiet = (...args: string[]) => spawnSync('ip', args, { stdio: 'ignore' });
    const work = await mkdtemp(join(tmpdir(), 'socket-lab-classroom-'));
    defer(t, () => rm(work, { recursive: true, force: true }));

    // ---- the class network
    const namespaces = [NS_LAN, NS_TEACHER, ...STUDENTS.map((s) => s.ns)];
    defer(t, () => {
      // Deleting a namespace deletes the veth ends inside it, and so their peers; the host's end too.
      quiet('link', 'del', HOST_VETH);
      for (const ns of namespaces) quiet('netns', 'del', ns);
    });
    for (const ns of namespaces) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    ip('-n', NS_LAN, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', NS_LAN, 'link', 'set', 'br0', 'up');
    const plug = (ns: string | undefined, address: string, port: string) => {
      // A veth pair: one end on the lan bridge, the other in the host's namespace or another one.
      if (ns) ip('-n', NS_LAN, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      else ip('link', 'add', HOST_VETH, 'type', 'veth', 'peer', 'name', port, 'netns', NS_LAN);
      ip('-n', NS_LAN, 'link', 'set', port, 'master', 'br0');
      ip('-n', NS_LAN, 'link', 'set', port, 'up');
      const dev = ns ? 'eth0' : HOST_VETH;
      const where = ns ? ['-n', ns] : [];
      ip(...where, 'addr', 'add', `${address}/24`, 'dev', dev);
      ip(...where, 'link', 'set', dev, 'up');
      // The class network's way out is the Docker host: replies to its NAT address need no route,
      // replies to the container's own address never happen (the host translated it).
      if (ns) ip('-n', ns, 'route', 'add', 'default', 'via', DOCKER_HOST);
    };
    plug(undefined, DOCKER_HOST, 'p-host');
    plug(NS_TEACHER, TEACHER, 'p-teacher');
    STUDENTS.forEach((s, i) => plug(s.ns, s.ip, `p-s${i + 1}`));

    // ---- the teacher's server
    const teacherLog = join(work, 'teacher', 'lab-server.jsonl');
    await mkdir(join(work, 'teacher'));
    const teacher = inNs(
      NS_TEACHER,
      ['server', '--host', '0.0.0.0', '--log-format', 'json', '--log-file', teacherLog],
      {
        LAB_SCENARIO: 'server',
      },
    );
    defer(t, () => teacher.child.kill('SIGKILL'));
    await waitFor(
      'the teacher’s server to listen twice',
      () => lines(teacherLog).filter((l) => l.event === 'server.listening').length >= 2,
      10_000,
      () => teacher.out.join(''),
    );

    // ---- two students on the class network: echo, then a chat with each other
    for (const s of STUDENTS) {
      await mkdir(join(work, s.dir));
      const echo = inNs(
        s.ns,
        [
          'echo',
          '--host',
          TEACHER,
          '--say',
          'Hello from another machine of the class',
          '--log-format',
          'json',
          '--log-file',
          join(work, s.dir, 'echo.jsonl'),
        ],
        {
          LAB_SCENARIO: 'classroom',
          LAB_STUDENT: s.name,
          LAB_GROUP: s.group,
        },
      );
      echo.child.stdin?.end('a line I typed\n');
      assert.equal(await exited(echo, `${s.dir}'s echo client`), 0, echo.out.join(''));
    }
    const chats = STUDENTS.map((s) =>
      inNs(
        s.ns,
        [
          'chat',
          '--host',
          TEACHER,
          '--wait-members',
          '2',
          '--say',
          'Hi from another machine of the class',
          '--log-format',
          'json',
          '--log-file',
          join(work, s.dir, 'chat.jsonl'),
        ],
        {
          LAB_SCENARIO: 'classroom',
          LAB_STUDENT: s.name,
          LAB_GROUP: s.group,
        },
      ),
    );
    for (const c of chats) defer(t, () => c.child.kill('SIGKILL'));
    for (const s of STUDENTS) {
      await waitFor(
        `${s.dir} to receive the other student's greeting`,
        () => lines(join(work, s.dir, 'chat.jsonl')).some((l) => l.event === 'chat.message.received'),
        15_000,
        () => chats.map((c) => c.out.join('')).join('\n'),
      );
    }
    for (const c of chats) c.child.stdin?.end();
    for (const [i, c] of chats.entries())
      assert.equal(await exited(c, `chat client ${i + 1}`), 0, c.out.join(''));

    // The teacher saw each student's own address: one network, no translation.
    const seen = (event: string) =>
      lines(teacherLog)
        .filter((l) => l.event === event)
        .map((l) => String(l['remote']).split(':')[0]);
    for (const s of STUDENTS) {
      assert.ok(
        seen('tcp.connection.accepted').includes(s.ip),
        `echo from ${s.ip}: ${seen('tcp.connection.accepted').join(' ')}`,
      );
      assert.ok(
        seen('udp.member.joined').includes(s.ip),
        `chat from ${s.ip}: ${seen('udp.member.joined').join(' ')}`,
      );
    }
    const nicks = lines(teacherLog)
      .filter((l) => l.event === 'udp.member.joined')
      .map((l) => l['member']);
    assert.deepEqual(nicks.sort(), ['Ivanov-Ivan', 'Petrova-Mariia']);

    // ---- a third student, with Docker: `docker compose --profile classroom up` on this host
    const docker = join(work, 'docker');
    await mkdir(docker);
    await classroomProfile(t, docker);

    // The Docker host's NAT address, not the container's: the teacher's own log says so.
    assert.ok(
      seen('tcp.connection.accepted').includes(DOCKER_HOST),
      `echo from ${DOCKER_HOST}: ${seen('tcp.connection.accepted').join(' ')}`,
    );
    assert.ok(
      seen('udp.member.joined').includes(DOCKER_HOST),
      `chat from ${DOCKER_HOST}: ${seen('udp.member.joined').join(' ')}`,
    );
    const own = lines(join(docker, `cls${ID}-echo-classroom.jsonl`)).find(
      (l) => l.event === 'client.connected',
    );
    assert.match(
      String(own?.['local']),
      /^198\.19\.14\.\d+:\d+$/,
      'the container’s own address is on its wan network',
    );

    // ---- end of class: the teacher stops the server and hands out the log
    teacher.child.kill('SIGTERM');
    assert.equal(await exited(teacher, 'the teacher’s server'), 0, teacher.out.join(''));

    // ---- each student's report, with and without the teacher's log
    const [s1, s2] = STUDENTS as [(typeof STUDENTS)[0], (typeof STUDENTS)[0]];
    let r = cli([
      'report',
      join(work, s1.dir),
      '--server-log',
      teacherLog,
      '--check',
      '--out',
      join(work, s1.dir, 'report.md'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    let md = await readFile(join(work, s1.dir, 'report.md'), 'utf8');
    assert.match(
      md,
      new RegExp(
        `is ${s1.ip.replaceAll('.', '\\.')}:\\d+ and dialed ${TEACHER.replaceAll('.', '\\.')}:7007; the server saw ${s1.ip.replaceAll('.', '\\.')}:\\d+, the client’s own address`,
      ),
    );
    // Of the teacher's log, only this student's part: the Docker student (who came after s1 left
    // the chat) and the other student's echo connection are not in it. (s1's own chat log holds
    // s2's greeting: they chatted.)
    assert.ok(!md.includes(DOCKER_STUDENT.name) && !md.includes('Sidorov'), 'no other classmate');
    assert.ok(!md.includes(`${DOCKER_HOST}:`), "the Docker student's address is not in s1's report");
    assert.ok(
      !md.includes(`${s2.ip}:`) || !/tcp\.connection\.accepted[^\n]*198\.19\.13\.22/.test(md),
      's2 echo',
    );
    assert.ok(
      readFileSync(teacherLog, 'utf8').includes(`[${s1.name}, ${s1.group}]`),
      'the greeting the teacher got is signed with the student’s name',
    );

    r = cli([
      'report',
      join(work, 'docker'),
      '--server-log',
      teacherLog,
      '--check',
      '--out',
      join(docker, 'report.md'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    md = await readFile(join(docker, 'report.md'), 'utf8');
    assert.match(
      md,
      new RegExp(
        `the server saw ${DOCKER_HOST.replaceAll('.', '\\.')}:\\d+, not the client’s own address: something on the way replaced it`,
      ),
    );

    r = cli(['report', join(work, s2.dir), '--check', '--out', join(work, s2.dir, 'report.md')]);
    assert.equal(r.status, 0, r.stderr);
    md = await readFile(join(work, s2.dir, 'report.md'), 'utf8');
    assert.match(md, /what the server saw is in the teacher’s log/);
    assert.match(r.stderr, /\d+ not applicable \([^)\n]*remote/);

    // ---- bundles, and the teacher grades them with a tampered copy and a duplicate
    const subs = join(work, 'subs');
    await mkdir(subs);
    const bundle = (dir: string, student: string, group: string, out = subs) => {
      const b = cli(['bundle', dir, '--out', out], { LAB_STUDENT: student, LAB_GROUP: group });
      assert.equal(b.status, 0, b.stderr);
      return /wrote (\S+\.tar\.gz)/.exec(b.stderr + b.stdout)?.[1] as string;
    };
    const f1 = bundle(join(work, s1.dir), s1.name, s1.group);
    const f2 = bundle(join(work, s2.dir), s2.name, s2.group);
    const f3 = bundle(docker, DOCKER_STUDENT.name, DOCKER_STUDENT.group);
    const dup = bundle(join(work, s2.dir), 'Кузнецова Анна', 'ИУ7-31', join(subs, 'kuznetsova.tar.gz'));
    const tampered = join(subs, 'tampered.tar.gz');
    const members = readTar(gunzipSync(await readFile(f3)), { maxMembers: 256, maxMemberBytes: 1 << 25 });
    const victim = [...members.keys()].find((k) => k.endsWith('echo-classroom.jsonl')) as string;
    members.set(victim, Buffer.from((members.get(victim) as Buffer).toString().replace('Hello', 'Hallo')));
    // ...by a classmate: the same student twice would be a re-upload (one row graded), not a copy.
    const manifest = [...members.keys()].find((k) => k.endsWith('/manifest.json')) as string;
    members.set(
      manifest,
      Buffer.from((members.get(manifest) as Buffer).toString().replace(DOCKER_STUDENT.name, 'Орлов Олег')),
    );
    await writeFile(
      tampered,
      gzipSync(writeTar([...members].map(([path, data]) => ({ path, data, mtime: 0 })))),
    );

    const csv = join(work, 'grades.csv');
    const g = cli(['grade', subs, '--csv', csv]);
    assert.equal(g.status, 1, `${g.stdout}\n${g.stderr}`);
    const rows = (await readFile(csv, 'utf8'))
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    const head = rows[0] as string[];
    const by = (file: string) => {
      const row = rows.find((x) => x[0] === file || x[0]?.replaceAll('"', '') === file);
      assert.ok(row, `a row for ${file}:\n${rows.join('\n')}`);
      return Object.fromEntries(head.map((h, i) => [h, row[i] ?? '']));
    };
    assert.equal(by(f1).result, 'pass', JSON.stringify(by(f1)));
    assert.equal(by(f1).echo, 'pass');
    assert.equal(by(tampered).modified, 'yes');
    assert.equal(by(tampered).result, 'fail');
    assert.equal(by(f2)['duplicate-of'], dup);
    assert.equal(by(dup)['duplicate-of'], f2);
    assert.equal(by(f3)['duplicate-of'], tampered);
    assert.equal(by(f3).modified, 'no');
    assert.match(g.stdout, /5 submissions: 1 pass, 4 fail/);
  },
);

/**
 * The Docker student: build the image, `--profile classroom up` its two clients dialing the
 * teacher, wait until the teacher logged both, stop them, copy their logs into `dir`. Removes
 * every container, network, volume and image it made.
 */
async function classroomProfile(t: { after: (fn: () => unknown) => void }, dir: string): Promise<void> {
  if (spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status !== 0) {
    assert.fail('the Docker part needs a Docker engine: `docker info` does not answer (start dockerd)');
  }
  const compose = composeCommand();
  assert.ok(compose, 'the Docker part needs Compose: neither `docker compose` nor `docker-compose` answers');
  const base = localBaseImage();
  assert.ok(base, 'no local base image socket-lab/node-base:*: run scripts/base-image.sh first');
  const project = `cls${ID}`;
  const image = `socket-lab:${project}`;
  const env = {
    ...process.env,
    COMPOSE_PROJECT_NAME: project,
    LAB_PREFIX: project,
    LAB_IMAGE: image,
    NODE_BASE_IMAGE: base,
    LAB_WAN_SUBNET: '198.19.14.0/24',
    LAB_WAN_GATEWAY: '198.19.14.1',
    LAB_VM_SUBNET: '198.19.15.0/24',
    LAB_SERVER_IP: '198.19.15.10',
    LAB_SERVER_HOST: TEACHER,
    LAB_STUDENT: DOCKER_STUDENT.name,
    LAB_GROUP: DOCKER_STUDENT.group,
    LAB_LANG: 'en',
  };
  const [cmd, ...pre] = compose as [string, ...string[]];
  const run = (args: string[], timeout: number) =>
    spawnSync(cmd, [...pre, '--profile', 'classroom', ...args], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout,
    });
  defer(t, () => {
    run(['down', '-v', '--timeout', '5'], 60_000);
    spawnSync('docker', ['rmi', image], { stdio: 'ignore' });
  });
  const built = run(['build', 'echo-classroom'], 200_000);
  assert.equal(built.status, 0, `docker compose build: ${built.stderr.slice(-2000)}`);
  const up = run(['up', '-d', 'echo-classroom', 'chat-classroom'], 60_000);
  assert.equal(up.status, 0, `docker compose up: ${up.stderr}`);
  // Only the two clients: no server of the student's own.
  const ps = spawnSync(
    'docker',
    ['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}'],
    { encoding: 'utf8' },
  );
  assert.deepEqual(ps.stdout.trim().split('\n').sort(), [
    `${project}-chat-classroom`,
    `${project}-echo-classroom`,
  ]);
  const teacherLog = join(dir, '..', 'teacher', 'lab-server.jsonl');
  await waitFor(
    'the teacher to echo the Docker student’s greeting and see it join the chat',
    () => {
      const ls = lines(teacherLog);
      const conn = ls.find(
        (l) => l.event === 'tcp.connection.accepted' && String(l['remote']).startsWith(`${DOCKER_HOST}:`),
      );
      return (
        conn &&
        ls.some((l) => l.event === 'tcp.data.sent' && l['connId'] === conn['connId']) &&
        ls.some((l) => l.event === 'udp.member.joined' && String(l['remote']).startsWith(`${DOCKER_HOST}:`))
      );
    },
    30_000,
    () => run(['logs', '--no-color'], 20_000).stdout,
  );
  await new Promise((r) => setTimeout(r, 1000)); // the chat greeting follows the join
  const stop = run(['stop', '--timeout', '10'], 60_000);
  assert.equal(stop.status, 0, stop.stderr);
  for (const c of ['echo', 'chat']) {
    const name = `${project}-${c}-classroom`;
    const cp = spawnSync(
      'docker',
      ['cp', `${project}-echo-classroom:/logs/${name}.jsonl`, join(dir, `${name}.jsonl`)],
      { encoding: 'utf8' },
    );
    assert.equal(cp.status, 0, cp.stderr);
    const exit = spawnSync('docker', ['inspect', '-f', '{{.State.ExitCode}}', name], { encoding: 'utf8' });
    assert.equal(exit.stdout.trim(), '0', `${name} exit code`);
  }
}
