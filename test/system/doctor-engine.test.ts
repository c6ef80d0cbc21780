import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../src/doctor/checks.ts';
import { type Cidr, overlaps, parseCidr } from '../../src/doctor/cidr.ts';
import { parseDockerNetworks } from '../../src/doctor/host.ts';
import { CLI, defer } from '../helpers.ts';
import { type Need, needs } from './needs.ts';

// `socket-lab doctor` against the real Docker engine (its pure checks are in test/doctor.test.ts).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  assert.ok(c, `${text} parses`);
  return c;
};

interface DoctorJson {
  exitCode: number;
  compose?: { command: string; version?: string };
  findings: (Finding & { message: string })[];
}

function doctor(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number; out: DoctorJson; raw: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, 'doctor', '--json', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        try {
          resolve({ code, out: JSON.parse(stdout) as DoctorJson, raw: stdout + stderr });
        } catch {
          reject(new Error(`doctor printed no JSON (exit ${code}): ${stdout}${stderr}`));
        }
      },
    );
  });
}

const ENGINE: Need = { docker: true };
const WHY = 'socket-lab doctor is checked against the real engine';

/** The Compose commands present here: the lab supports both, so the doctor is run under each. */
function composeCommands(): string[] {
  return ['docker compose', 'docker-compose'].filter((c) => {
    const [cmd, ...args] = c.split(' ');
    try {
      execFileSync(cmd!, [...args, 'version', '--short'], { stdio: 'pipe', timeout: 20_000 });
      return true;
    } catch {
      return false;
    }
  });
}

/** A free TCP port: the doctor only probes it, nothing has to hold it. */
async function freeTcpPort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  return port;
}

describe('socket-lab doctor against the real engine', () => {
  test('Docker answers', (t) => {
    if (!needs(t, ENGINE, WHY)) return;
    assert.ok(composeCommands().length > 0, 'neither `docker compose` nor `docker-compose` works');
  });

  const unique = `doctortest${process.pid}x${Date.now().toString(36)}`;

  async function labEnv(): Promise<Record<string, string>> {
    const free = execFileSync(process.execPath, [CLI, 'doctor', '--free-subnets', '2'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    assert.equal(free.length, 2, `two free subnets: ${free.join(' ')}`);
    const [vm, wan] = free.map((s) => s.replace(/\.0\/24$/, ''));
    return {
      LAB_PREFIX: unique,
      LAB_VM_SUBNET: `${vm}.0/24`,
      LAB_SERVER_IP: `${vm}.10`,
      LAB_WAN_SUBNET: `${wan}.0/24`,
      LAB_WAN_GATEWAY: `${wan}.1`,
      LAB_TCP_PUBLISH: String(await freeTcpPort()),
      LAB_UDP_PUBLISH: String(await freeTcpPort()),
    };
  }

  test('a subnet that overlaps an existing Docker network: exit 1, names it, suggests a free subnet', async (t) => {
    if (!needs(t, ENGINE, WHY)) return;
    const env = await labEnv();
    const name = `${unique}-overlap`;
    execFileSync('docker', ['network', 'create', '--subnet', env.LAB_VM_SUBNET!, name], { stdio: 'pipe' });
    defer(t, () => execFileSync('docker', ['network', 'rm', name], { stdio: 'pipe' }));
    const commands = composeCommands();
    assert.ok(commands.length > 0);
    for (const compose of commands) {
      const { code, out, raw } = await doctor({ ...env, LAB_COMPOSE: compose });
      assert.equal(code, 1, raw);
      assert.equal(out.compose?.command, compose);
      // Only our network is expected; a network another run made meanwhile (the machine is shared,
      // CI may run the Docker e2e beside this) may add a finding of the same kind, never another.
      const problems = out.findings.filter((f) => f.severity === 'problem');
      const p = problems.filter((f) => f.collidesWith === name);
      assert.deepEqual(
        p.map((f) => [f.code, f.setting, f.collidesWith]),
        [['subnet-overlaps-network', 'LAB_VM_SUBNET', name]],
        raw,
      );
      for (const f of problems) assert.equal(f.code, 'subnet-overlaps-network', raw);
      const suggestion = cidr(p[0]!.suggestion!);
      assert.ok(overlaps(cidr('198.18.0.0/15'), suggestion));
      const inspect = JSON.parse(
        execFileSync(
          'docker',
          [
            'network',
            'inspect',
            ...execFileSync('docker', ['network', 'ls', '-q'], { encoding: 'utf8' })
              .split(/\s+/)
              .filter(Boolean),
          ],
          {
            encoding: 'utf8',
          },
        ),
      ) as unknown[];
      for (const n of parseDockerNetworks(JSON.stringify(inspect))) {
        for (const s of n.subnets)
          assert.ok(!overlaps(s, suggestion), `${suggestion.text} overlaps ${n.name}`);
      }
      assert.ok(!overlaps(suggestion, cidr(env.LAB_WAN_SUBNET!)));
      assert.deepEqual(p[0]!.alsoSet, [
        { setting: 'LAB_SERVER_IP', value: `${suggestion.address.replace(/0$/, '10')}` },
      ]);
      assert.match(
        p[0]!.message,
        new RegExp(
          `Set LAB_VM_SUBNET in your environment \\(it overrides \\.env\\) to ${suggestion.text.replaceAll('.', '\\.')}`,
        ),
      );
    }
  });

  for (const host of ['127.0.0.1', '0.0.0.0']) {
    test(`a busy UDP port (bound on ${host}): exit 1, names the process and a free port`, async (t) => {
      if (!needs(t, ENGINE, WHY)) return;
      const socket = createSocket('udp4');
      socket.bind(0, host);
      await once(socket, 'listening');
      defer(t, () => socket.close());
      const port = socket.address().port;
      const env = { ...(await labEnv()), LAB_UDP_PUBLISH: String(port) };
      const { code, out, raw } = await doctor(env);
      assert.equal(code, 1, raw);
      const p = out.findings.filter((f) => f.severity === 'problem');
      assert.deepEqual(
        p.map((f) => [f.code, f.setting, f.value]),
        [['port-busy', 'LAB_UDP_PUBLISH', String(port)]],
        raw,
      );
      assert.match(
        p[0]!.collidesWith!,
        new RegExp(`\\(pid ${process.pid}\\) on ${host.replaceAll('.', '\\.')}:${port}`),
      );
      // The suggested port is free: it binds.
      const other = createSocket('udp4');
      other.bind(Number(p[0]!.suggestion), '0.0.0.0');
      await once(other, 'listening');
      other.close();
    });
  }

  test('settings that fit: exit 0; human output in Russian', async (t) => {
    if (!needs(t, ENGINE, WHY)) return;
    const env = await labEnv();
    const { code, out, raw } = await doctor(env);
    assert.equal(code, 0, raw);
    assert.ok(out.findings.some((f) => f.code === 'settings-ok'));
    const ru = execFileSync(process.execPath, [CLI, 'doctor', '--lang', 'ru'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    assert.match(ru, /doctor: лабораторную здесь можно запускать\n$/);
  });

  test('Docker unreachable: exit 2 with the reason', async (t) => {
    if (!needs(t, { tools: ['docker'] }, 'the docker command, pointed at no engine')) return;
    const { code, out } = await doctor({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    assert.equal(code, 2);
    assert.deepEqual(
      out.findings.map((f) => f.code),
      ['docker-unreachable'],
    );
    assert.match(out.findings[0]!.message, /no Docker engine answers: .*nonexistent/);
  });
});
