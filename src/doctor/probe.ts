/**
 * The doctor's thin shell: runs docker, compose, ip, ss, unshare and bind tests, and hands what
 * they said to the pure parts (host.ts, settings.ts, checks.ts). Nothing here decides anything.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Capability, type Facts, type PortProbe, composeMajor, portCandidates } from './checks.js';
import {
  type DockerNetwork,
  type HostRoute,
  type PublishedPort,
  parseDockerNetworks,
  parseIpRoutes,
  parsePublishedPorts,
  parseSs,
} from './host.js';
import { SETTING_DEFAULTS, type SettingName, type SettingSource, extractSettings } from './settings.js';
import { parseComposeYaml } from './yaml.js';

/** The result of running a program: exit code -1 when it could not start (not installed). */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell, under a time limit; never throws. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}) {
  return new Promise<RunResult>((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
        if (e && typeof e.code === 'string') {
          resolve({
            code: -1,
            stdout: '',
            stderr: `${cmd}: ${e.code === 'ENOENT' ? 'not installed' : e.message}`,
          });
        } else {
          resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
        }
      },
    );
  });
}

/** The last meaningful line of a program's complaint, for a one-line reason. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1] ?? 'no message';
}

/** Options of a doctor run. */
export interface ProbeOptions {
  /** The folder of docker-compose.yml (and .env). */
  projectDir: string;
  /** The Compose command, e.g. ['docker', 'compose']; default: that, else ['docker-compose']. */
  compose?: string[];
}

/** What the doctor gathered, or why Docker could not be asked at all. */
export type Gathered = { ok: true; facts: Facts } | { ok: false; reason: string };

export async function gatherFacts(o: ProbeOptions): Promise<Gathered> {
  const info = await run('docker', ['info', '--format', '{{json .}}'], { timeoutMs: 20_000 });
  if (info.code !== 0) return { ok: false, reason: lastLine(info.stderr || info.stdout) };
  const engine = JSON.parse(info.stdout) as {
    ServerVersion?: string;
    OperatingSystem?: string;
    Architecture?: string;
    SecurityOptions?: string[];
    ServerErrors?: string[];
  };
  if (!engine.ServerVersion) {
    return { ok: false, reason: engine.ServerErrors?.join('; ') ?? 'docker info shows no server' };
  }
  const desktop = /docker desktop/i.test(engine.OperatingSystem ?? '');

  // Independent questions, asked side by side: each is a process or two.
  const [compose, networks, routes, ss, published, impair] = await Promise.all([
    findCompose(o.compose),
    dockerNetworks(),
    hostRoutes(),
    run('ss', ['-Hlntup']),
    publishedPorts(),
    impairment(desktop),
  ]);
  const facts: Facts = {
    compose: { command: compose.command.join(' '), ...compose.result },
    engine: {
      ...(engine.ServerVersion ? { serverVersion: engine.ServerVersion } : {}),
      ...(engine.OperatingSystem ? { os: engine.OperatingSystem } : {}),
      ...(engine.Architecture ? { arch: engine.Architecture } : {}),
      rootless: (engine.SecurityOptions ?? []).some((s) => s.includes('rootless')),
      desktop,
    },
    hostArch: process.arch,
    sources: settingSources(o.projectDir),
    networks,
    routes,
    listeners: parseSs(ss.stdout),
    published,
    portProbe: {},
    freePort: {},
    impair,
  };
  if (compose.result.version !== undefined) {
    const config = await composeConfig(
      compose.command,
      composeMajor(compose.result.version) ?? 2,
      o.projectDir,
    );
    if ('error' in config) facts.configError = config.error;
    else facts.settings = extractSettings(config.value);
  }
  const s = facts.settings;
  for (const proto of ['tcp', 'udp'] as const) {
    const port = Number(proto === 'tcp' ? s?.tcpPublish : s?.udpPublish);
    if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
    const probe = await probePort(proto, port);
    facts.portProbe[proto] = probe;
    if (probe === 'busy' || facts.published.some((p) => p.proto === proto && p.port === port)) {
      const free = await firstFreePort(proto, port, facts.published);
      if (free !== undefined) facts.freePort[proto] = free;
    }
  }
  return { ok: true, facts };
}

async function findCompose(
  wanted: string[] | undefined,
): Promise<{ command: string[]; result: { version?: string; error?: string } }> {
  const candidates = wanted ? [wanted] : [['docker', 'compose'], ['docker-compose']];
  let error = '';
  for (const command of candidates) {
    const [cmd, ...args] = command;
    const r = await run(cmd!, [...args, 'version', '--short']);
    if (r.code === 0 && composeMajor(r.stdout) !== undefined) {
      return { command, result: { version: r.stdout.trim().replace(/^v/, '') } };
    }
    error ||= `${command.join(' ')}: ${lastLine(r.stderr || r.stdout)}`;
  }
  return { command: candidates[0]!, result: { error } };
}

// Compose v2 prints JSON; v1 (1.29) has no --format and prints YAML, read by a minimal reader.
async function composeConfig(
  command: string[],
  major: number,
  cwd: string,
): Promise<{ value: unknown } | { error: string }> {
  const [cmd, ...args] = command;
  const r = await run(cmd!, [...args, 'config', ...(major >= 2 ? ['--format', 'json'] : [])], { cwd });
  if (r.code !== 0) return { error: lastLine(r.stderr || r.stdout) };
  return { value: major >= 2 ? JSON.parse(r.stdout) : parseComposeYaml(r.stdout) };
}

function settingSources(projectDir: string): Partial<Record<SettingName, SettingSource>> {
  const dotenv = existsSync(join(projectDir, '.env'));
  const out: Partial<Record<SettingName, SettingSource>> = {};
  for (const name of Object.keys(SETTING_DEFAULTS) as SettingName[]) {
    out[name] = process.env[name] !== undefined ? 'env' : dotenv ? 'dotenv' : 'no-dotenv';
  }
  return out;
}

async function dockerNetworks(): Promise<DockerNetwork[]> {
  const ids = (await run('docker', ['network', 'ls', '-q'])).stdout.split(/\s+/).filter(Boolean);
  if (ids.length === 0) return [];
  const r = await run('docker', ['network', 'inspect', ...ids]);
  // A network removed between ls and inspect makes inspect fail: ask one at a time then.
  if (r.code === 0) return parseDockerNetworks(r.stdout);
  const each = await Promise.all(ids.map((id) => run('docker', ['network', 'inspect', id])));
  return each.filter((x) => x.code === 0).flatMap((x) => parseDockerNetworks(x.stdout));
}

async function hostRoutes(): Promise<HostRoute[]> {
  const out: HostRoute[] = [];
  for (const family of ['-4', '-6']) {
    const r = await run('ip', ['-j', family, 'route', 'show', 'table', 'all']);
    if (r.code === 0) out.push(...parseIpRoutes(r.stdout));
  }
  return out;
}

async function publishedPorts(): Promise<PublishedPort[]> {
  const r = await run('docker', ['ps', '--format', '{{json .}}']);
  return r.code === 0 ? parsePublishedPorts(r.stdout) : [];
}

/**
 * Tries to bind the port on 0.0.0.0, as Docker's proxy will: on Linux that fails while any
 * program holds the port on any IPv4 address. Released at once.
 */
export function probePort(proto: 'tcp' | 'udp', port: number): Promise<PortProbe> {
  const verdict = (err: NodeJS.ErrnoException): PortProbe => (err.code === 'EADDRINUSE' ? 'busy' : 'unknown');
  return new Promise((resolve) => {
    if (proto === 'tcp') {
      const server = createServer();
      server.once('error', (err) => resolve(verdict(err)));
      server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve('free')));
    } else {
      const socket = createSocket('udp4');
      socket.once('error', (err) => {
        socket.close();
        resolve(verdict(err));
      });
      socket.bind({ port, address: '0.0.0.0', exclusive: true }, () => socket.close(() => resolve('free')));
    }
  });
}

async function firstFreePort(
  proto: 'tcp' | 'udp',
  port: number,
  published: readonly PublishedPort[],
): Promise<number | undefined> {
  for (const candidate of portCandidates(port)) {
    if (published.some((p) => p.proto === proto && p.port === candidate)) continue;
    if ((await probePort(proto, candidate)) === 'free') return candidate;
  }
  return undefined;
}

/**
 * Can the kernel impair a link? Asked for real, in a throwaway network namespace that has only
 * its own loopback (`unshare -rn`: a user namespace, so it needs no root where those are
 * allowed). With a Linux engine this is the kernel the lab's containers run on; with Docker
 * Desktop it is not, so nothing is tried.
 */
async function impairment(desktop: boolean): Promise<Facts['impair']> {
  if (desktop || process.platform !== 'linux') {
    const reason = desktop
      ? "not checked: the lab runs in Docker Desktop's VM, whose kernel this host cannot test"
      : `not checked on ${process.platform}`;
    return { statistic: { state: 'unknown', reason }, netem: { state: 'unknown', reason } };
  }
  const tryIn = async (args: string[], missing: RegExp): Promise<Capability> => {
    const r = await run('unshare', ['-rn', ...args], { timeoutMs: 10_000 });
    if (r.code === 0) return { state: 'yes' };
    const reason = lastLine(r.stderr || r.stdout);
    // unshare itself failed (no user namespaces here) or the tool is not installed: not an answer.
    if (r.code === -1 || /unshare: |failed to execute/i.test(r.stderr)) return { state: 'unknown', reason };
    return missing.test(r.stderr) ? { state: 'no', reason } : { state: 'unknown', reason };
  };
  const [statistic, netem] = await Promise.all([
    tryIn(
      [
        'iptables',
        '-A',
        'OUTPUT',
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        '0.1',
        '-j',
        'DROP',
      ],
      /couldn't load match|statistic/i,
    ),
    tryIn(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], /qdisc kind is unknown/i),
  ]);
  return { statistic, netem };
}
