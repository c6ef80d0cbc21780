/**
 * The orchestrator: for each scenario and round, each target in turn (the order reversed every other
 * round, so that none always runs first or last on a noisy machine) under the scenario's job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Analysis, accountConnections, summary } from '../report/index.js';
import { SKIP_CAUSES } from '../report/parse.js';
import { ECHO_DEFAULTS } from '../tcp/echo-server.js';
import { writeEchoLog } from './logread.js';
import { type Scenario, type ScenarioId, plan } from './plan.js';
import { type ConnTally, type Metrics, TARGET_LABELS, type TargetId } from './jobs.js';
import { memory, openFileLimit, runJob } from './proc.js';
import { round } from './stats.js';
import { type Target, startTarget, toolVersion } from './targets.js';

export interface RunRecord {
  scenario: ScenarioId;
  round: number;
  target: TargetId;
  ok: boolean;
  error?: string;
  metrics: Metrics;
  /** Something about the run worth knowing that does not make it fail. */
  note?: string;
  accounting?: Accounting;
}

export interface BenchSettings {
  smoke: boolean;
  scenarios: ScenarioId[];
  rounds?: number | undefined;
  /** 1 KB writes corked into one writev by the streaming generator (1: none). */
  writeBatch: number;
  /** Directory for CPU profiles of socket-lab targets; no profiling when unset. */
  profileDir?: string | undefined;
  progress: (line: string) => void;
}

export type BenchRun = Awaited<ReturnType<typeof runBench>>;
/** Exact accounting of portions in socket-lab's log (own lines, or counted in summaries) against what was sent. */
export type Accounting = ReturnType<typeof checkAccounting>;

/** Checks, connection by connection, that the server's log accounts for every byte the generator sent. */
function checkAccounting(log: Analysis, conns: ConnTally[], portionLines: number, runMs: number) {
  const problems: string[] = [];
  let individual = 0;
  let summarised = 0;
  const seconds = Math.ceil(runMs / 1000) + 1;
  const byPort = new Map(
    accountConnections(log.model).map((a) => [Number(a.conn.remote?.split(':').pop()), a]),
  );
  for (const c of conns) {
    const a = byPort.get(c.localPort);
    const where = `connection from port ${c.localPort}`;
    if (!a?.closed) {
      problems.push(`${where}: no tcp.connection.closed line`);
      continue;
    }
    individual += a.lines.portionsIn;
    summarised += a.summaries.portionsIn;
    problems.push(...a.problems.map((p) => `${where}: ${p}`));
    if (a.closed.bytesIn !== c.sent)
      problems.push(`${where}: server read ${a.closed.bytesIn} bytes, generator sent ${c.sent}`);
    if (a.lines.portionsIn > portionLines * seconds)
      problems.push(`${where}: ${a.lines.portionsIn} individual lines in ${seconds} s, over the budget`);
  }
  // The report's echo check (every connection echoed what it read); the others are about the lab's
  // programs and scenarios, which a bare benchmark target does not play.
  if (log.checks.some((x) => x.id === 'echo' && x.status === 'fail'))
    problems.push(`the report's echo check failed: ${summary(log)}`);
  const { skipped, sources } = log.model.timeline;
  const bad = SKIP_CAUSES.reduce((n, cause) => n + skipped[cause].count, 0);
  if (bad > 0) problems.push(`${bad} log line(s) are not socket-lab events`);
  const lines = sources.reduce((n, x) => n + x.lines, 0);
  return {
    connections: conns.length,
    exact: problems.length === 0,
    problems: problems.slice(0, 10),
    individualPortions: individual,
    summarisedPortions: summarised,
    logLines: lines,
    logLinesPerSec: round(lines / (runMs / 1000), 0),
  };
}

/** One target under the scenario's load job; its memory, its event loop and its log checked. */
async function serve(scenario: Scenario, t: Target, record: RunRecord): Promise<void> {
  const started = performance.now();
  let own: Record<string, number> | undefined;
  try {
    const job = scenario.job?.(t);
    if (!job) throw new Error(`${scenario.id} has no load job`);
    const rss = { before: Number.NaN, after: Number.NaN };
    if (job.kind === 'idle') {
      await t.gc?.();
      rss.before = memory(t.pid).rss;
    }
    const result = await runJob(job, scenario.timeoutMs, async () => {
      await new Promise((r) => setTimeout(r, 300));
      await t.gc?.();
      rss.after = memory(t.pid).rss;
    });
    const m = (record.metrics = result.metrics);
    const loop = await t.loopDelay?.();
    if (loop) Object.assign(m, { loopP99Ms: round(loop.p99Ms, 1), loopMaxMs: round(loop.maxMs, 1) });
    const peak = memory(t.pid).peakRss;
    if (Number.isFinite(peak) && !t.withChildren) m.peakRssMB = round(peak / 2 ** 20, 1);
    if (job.kind === 'idle') {
      m.kbPerConn = round((rss.after - rss.before) / Math.max(1, m.established ?? 0) / 1024, 2);
      m.rssBeforeMB = round(rss.before / 2 ** 20, 1);
      m.rssAfterMB = round(rss.after / 2 ** 20, 1);
      if (!m.established) throw new Error('no connection was established');
    }
    own = await t.stop();
    Object.assign(m, own);
    const log = await t.log;
    if (log && result.conns) {
      const portionLines = t.id === 'lab-default' ? ECHO_DEFAULTS.portionLinesPerSecond : 0;
      record.accounting = checkAccounting(log, result.conns, portionLines, performance.now() - started);
    }
    if (result.conns && !result.complete) {
      const lost = result.conns.filter((c) => c.received !== c.sent).length;
      if (t.id !== 'socat') throw new Error(`the echo was incomplete at close on ${lost} connection(s)`);
      // A known socat limit, not ours to fix: its PIPE address blocks writing into its own full pipe.
      record.note = `${lost} connection(s) stalled: socat blocked writing into its own full pipe (anon_pipe_write)`;
    }
  } finally {
    if (!own) await t.stop();
  }
}

/** One progress line: the run's figures as they are named in results.json. */
function describe(r: RunRecord): string {
  if (!r.ok) return `FAILED: ${r.error}`;
  const parts = Object.entries(r.metrics).map(([k, v]) => `${k} ${v}`);
  if (r.accounting)
    parts.push(r.accounting.exact ? 'log exact' : `LOG MISMATCH: ${r.accounting.problems[0]}`);
  if (r.note) parts.push(`note: ${r.note}`);
  return parts.join(', ');
}

/** Runs the selected scenarios; progress goes to `s.progress`, one line per run. */
export async function runBench(s: BenchSettings) {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  const note = (text: string) => {
    notes.push(text);
    s.progress(`bench: note: ${text}`);
  };
  // The tools' versions, null when missing.
  const tools = {
    socat: toolVersion('socat', ['-V'], /socat version (\S+)/),
    python: toolVersion('python3', ['--version'], /Python (\S+)/),
    strace: toolVersion('strace', ['-V'], /strace -- version (\S+)/),
  };
  if (!tools.socat) note('socat is not installed: its column is skipped (apt-get install socat)');
  const straceCost = Boolean(tools.python && tools.strace);
  if (!straceCost && s.scenarios.some((id) => id.startsWith('strace-')))
    note("python3 or strace is missing: strace's cost is not measured (apt-get install strace)");
  const fdLimit = openFileLimit();
  const wanted = s.smoke ? 100 : 10_000;
  // Generator and server each hold one descriptor per connection, plus a margin for everything else.
  const idleConnections = Math.max(10, Math.min(wanted, fdLimit - 200));
  if (idleConnections < wanted)
    note(
      `open file limit ${fdLimit}: idle scenario scaled down to ${idleConnections} connections (raise with ulimit -n)`,
    );
  const all = plan({ ...s, idleConnections, socat: Boolean(tools.socat), straceCost });
  const scenarios = all.filter((x) => s.scenarios.includes(x.id));
  const runs: RunRecord[] = [];
  for (const scenario of scenarios) {
    s.progress(`bench: ${scenario.id}: ${scenario.title}; ${scenario.rounds} round(s)`);
    let file: string | undefined;
    if (scenario.log) {
      file = join(mkdtempSync(join(tmpdir(), 'socket-lab-bench-')), 'server.jsonl');
      const { bytes, lines } = await writeEchoLog(file, scenario.log);
      note(`log-read: the log is ${round(bytes / 1e6, 1)} MB, ${lines} lines`);
    }
    for (let r = 1; r <= scenario.rounds; r++) {
      for (const id of r % 2 === 1 ? scenario.targets : [...scenario.targets].reverse()) {
        const started = performance.now();
        const record: RunRecord = { scenario: scenario.id, round: r, target: id, ok: false, metrics: {} };
        try {
          if (file) {
            const job = { kind: 'read', reader: id as 'report' | 'readline', file } as const;
            record.metrics = (await runJob(job, scenario.timeoutMs)).metrics;
          } else {
            const profileName = `${scenario.id}-${id}-r${r}.cpuprofile`;
            const maxConnections = idleConnections + 1000;
            const target = await startTarget(id, { maxConnections, profileDir: s.profileDir, profileName });
            await serve(scenario, target, record);
          }
          record.ok = true;
        } catch (err) {
          record.error = err instanceof Error ? err.message : String(err);
        }
        runs.push(record);
        const took = ((performance.now() - started) / 1000).toFixed(1);
        const where = `${scenario.id} round ${r}/${scenario.rounds} ${TARGET_LABELS[id]}`;
        s.progress(`bench:   ${where}: ${describe(record)} [${took} s]`);
      }
    }
    if (file) rmSync(dirname(file), { recursive: true, force: true });
  }
  const cpu = cpus();
  return {
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    smoke: s.smoke,
    machine: {
      cpus: cpu.length,
      model: cpu[0]?.model ?? 'unknown',
      node: process.version,
      ...tools,
      openFileLimit: fdLimit,
    },
    notes,
    // As results.json shows them: without their jobs, logs and timeouts.
    scenarios: scenarios.map(({ job: _job, log: _log, timeoutMs: _timeout, ...shown }) => shown),
    runs,
  };
}
