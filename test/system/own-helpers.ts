/**
 * What the own-program system tests share: whether strace and Python are here (skip with the
 * reason, or fail under LAB_REQUIRE_SYSTEM=1), a JSON log kept in memory, and running a fixture.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { createLogger, type EventLog } from '../../src/log/logger.ts';
import { findStrace } from '../../src/own/runner.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/own/', import.meta.url));
/** Debian's python3 (what the lab image has); the PATH one otherwise. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function pythonHere(): boolean {
  if (PYTHON.startsWith('/')) return true;
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(`${d}/python3`));
}

/** Skips the test (with why) when strace or python3 is missing, unless LAB_REQUIRE_SYSTEM=1 makes that a failure. */
export function needsStraceAndPython(t: TestContext): boolean {
  const missing = [!findStrace() && 'strace', !pythonHere() && 'python3'].filter(Boolean).join(' and ');
  if (!missing) return true;
  if (process.env.LAB_REQUIRE_SYSTEM === '1') throw new Error(`needs ${missing} (LAB_REQUIRE_SYSTEM=1)`);
  t.skip(`needs ${missing}: install them (apt-get install strace python3) or run in the lab image`);
  return false;
}

/** A logger whose JSON lines stay in memory, for the runner and for our clients, labelled with a scenario. */
export function memoryLog(scenario?: string): { log: EventLog; lines: string[]; flush: () => Promise<void> } {
  const lines: string[] = [];
  const { log, flush } = createLogger({
    format: 'json',
    level: 'info',
    lang: 'en',
    scenario,
    destination: { write: (l) => lines.push(l.trimEnd()) },
  });
  return { log, lines, flush };
}

export function parsed(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}
