/**
 * The one rule of the system tier (test/system/*.test.ts, `npm run test:system`): a test that lacks
 * what it needs (root, a command, the Docker engine) skips and says what is missing when a person
 * runs it, and FAILS when LAB_REQUIRE_SYSTEM=1 (CI, .ci/run), where a missing tool is a broken
 * machine, not a reason to pass. Usage, first line of the test:
 *
 *   if (!needs(t, { root: true, tools: ['ip', 'tcpdump'] }, 'a network namespace of its own')) return;
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Need {
  /** Commands that must be on PATH; a name holding `/` is a path that must be executable. */
  tools?: string[];
  /** Must run as root: network namespaces, mount, raw sockets. */
  root?: boolean;
  /** A Docker engine must answer `docker info` (implies the `docker` command). */
  docker?: boolean;
}

/** The minimal view of a node:test context this needs (t.skip). */
interface Skippable {
  skip(message?: string): void;
}

const executable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** True when `tool` can be run: found on PATH (as a shell would find it), or an executable path. */
export function onPath(tool: string): boolean {
  if (tool.includes('/')) return executable(tool);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, tool)));
}

let engine: string | undefined | null = null; // null: not asked yet; one `docker info` per process

function dockerProblem(): string | undefined {
  if (engine !== null) return engine;
  if (!onPath('docker')) return (engine = 'the docker command (not on PATH)');
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  engine =
    r.status === 0
      ? undefined
      : `a Docker engine (docker info: ${(r.stderr || String(r.error ?? '')).trim().split('\n')[0] || `exit ${r.status}`})`;
  return engine;
}

/** What of `need` this machine lacks, each as a short phrase; empty when everything is there. */
export function lacking(need: Need): string[] {
  const out: string[] = [];
  if (need.root && process.getuid?.() !== 0) out.push('root');
  for (const tool of need.tools ?? [])
    if (!onPath(tool))
      out.push(tool.includes('/') ? `${tool} (no such executable)` : `${tool} (not on PATH)`);
  if (need.docker) {
    const problem = dockerProblem();
    if (problem) out.push(problem);
  }
  return out;
}

/** True when LAB_REQUIRE_SYSTEM=1: a missing tool fails the test instead of skipping it. */
export const requireSystem = (): boolean => process.env.LAB_REQUIRE_SYSTEM === '1';

/**
 * Returns true when the machine has what `need` names. Otherwise skips `t` with the reason and
 * returns false (the caller returns at once), or, under LAB_REQUIRE_SYSTEM=1, fails the test.
 */
export function needs(t: Skippable, need: Need, why?: string): boolean {
  const missing = lacking(need);
  if (missing.length === 0) return true;
  const reason = `needs ${missing.join(', ')}${why ? `: ${why}` : ''}`;
  if (requireSystem()) assert.fail(`LAB_REQUIRE_SYSTEM=1 and this test ${reason}`);
  t.skip(reason);
  return false;
}
