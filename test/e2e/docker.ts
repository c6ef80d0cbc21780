// What the Docker e2e test learns from the engine itself (not from the lab's logs): the
// addresses Docker gave each container, their state and exit codes, the JSON logs in the `logs`
// volume and what each container's terminal showed.
import { execFile } from 'node:child_process';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const MAX_BUFFER = 64 * 1024 * 1024;

/** One container of the lab, as `docker inspect` shows it. */
export interface Container {
  /** Full name, e.g. `labe2e123v2-echo-vm`. */
  name: string;
  /** The name without the lab prefix: `echo-vm`. */
  service: string;
  status: string;
  exitCode: number;
  /** Address and gateway on each network, by network name. */
  networks: Record<string, { ip: string; gateway: string }>;
}

interface Inspected {
  Name: string;
  State: { Status: string; ExitCode: number };
  NetworkSettings: { Networks: Record<string, { IPAddress: string; Gateway: string }> | null };
}

/** Every container of compose project `project` (v1 and v2 label them alike), by service name. */
export async function containers(project: string, prefix: string): Promise<Map<string, Container>> {
  const { stdout: names } = await exec('docker', [
    'ps',
    '-a',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--format',
    '{{.Names}}',
  ]);
  const list = names.split('\n').filter((n) => n !== '');
  const found = new Map<string, Container>();
  if (list.length === 0) return found;
  const { stdout } = await exec('docker', ['inspect', ...list], { maxBuffer: MAX_BUFFER });
  for (const c of JSON.parse(stdout) as Inspected[]) {
    const name = c.Name.replace(/^\//, '');
    const networks: Container['networks'] = {};
    for (const [net, s] of Object.entries(c.NetworkSettings.Networks ?? {})) {
      networks[net] = { ip: s.IPAddress, gateway: s.Gateway };
    }
    const service = name.startsWith(`${prefix}-`) ? name.slice(prefix.length + 1) : name;
    found.set(service, { name, service, status: c.State.Status, exitCode: c.State.ExitCode, networks });
  }
  return found;
}

/**
 * Copies the lab's JSON logs out of the `logs` volume into `dir/logs` (through the server
 * container: works whether it runs or has stopped) and each container's output into
 * `dir/screens/<service>.txt`. Other files in `dir/screens` (the tmux pane) stay.
 */
export async function fetchLogs(dir: string, prefix: string, services: Iterable<Container>): Promise<void> {
  const logs = join(dir, 'logs');
  const fresh = `${logs}.new`;
  await rm(fresh, { recursive: true, force: true });
  await mkdir(fresh, { recursive: true });
  await mkdir(join(dir, 'screens'), { recursive: true });
  // Replace the copy only when this one worked: a server that has not started yet (or was removed)
  // leaves the last copy, and the check then judges that.
  const copied = await exec('docker', ['cp', `${prefix}-server:/logs/.`, fresh]).then(
    () => true,
    () => false,
  );
  if (copied) {
    await rm(logs, { recursive: true, force: true });
    await rename(fresh, logs);
  } else {
    await rm(fresh, { recursive: true, force: true });
  }
  for (const c of services) {
    // A tty container's output is all on stdout; anything else keeps Docker's order per stream.
    const out = await exec('docker', ['logs', c.name], { maxBuffer: MAX_BUFFER }).catch(() => ({
      stdout: '',
      stderr: '',
    }));
    await writeFile(join(dir, 'screens', `${c.service}.txt`), out.stdout + out.stderr);
  }
}
