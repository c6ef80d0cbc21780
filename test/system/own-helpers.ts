/**
 * What the own-program system tests share: whether strace and Python are here (skip with the
 * reason, or fail under LAB_REQUIRE_SYSTEM=1), a JSON log kept in memory, and running a fixture.
 */
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { createLogger, type EventLog } from '../../src/log/logger.ts';
import { needs } from './needs.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/own/', import.meta.url));
/** python3 on PATH (Debian's, as in the lab image). */
export const PYTHON = 'python3';

/** The one rule of the tier (needs.ts) for a student's program under strace: both on PATH. */
export function needsStraceAndPython(t: TestContext): boolean {
  return needs(t, { tools: ['strace', PYTHON] }, "a student's program run under strace");
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
