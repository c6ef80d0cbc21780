/**
 * From runs to figures: medians per target, ratios to bare Node paired round by round (each pair
 * ran back to back on the same noisy machine), the targets of issue 6, and the Markdown table.
 */
import type { TargetId } from './jobs.js';
import type { ScenarioId } from './plan.js';
import type { BenchRun, RunRecord } from './run.js';
import { median, round } from './stats.js';
import { TARGET_LABELS } from './targets.js';

export interface Verdict {
  target: string;
  measured: string;
  required: string;
  /** undefined: not measured in this run (scenario skipped or every run failed). */
  pass: boolean | undefined;
}

export interface BenchSummary {
  /** scenario -> target -> metric -> median over rounds. */
  medians: Record<string, Record<string, Record<string, number>>>;
  /** scenario -> target -> metric -> median of per-round ratios to bare Node. */
  ratios: Record<string, Record<string, Record<string, number>>>;
  verdicts: Verdict[];
  /** Something in the harness or the server broke (as opposed to a target missed). */
  broken: string[];
}

function okRuns(run: BenchRun, scenario: ScenarioId, target: TargetId): RunRecord[] {
  return run.runs.filter((r) => r.scenario === scenario && r.target === target && r.ok);
}

function pairedRatio(
  run: BenchRun,
  scenario: ScenarioId,
  metric: string,
  target: TargetId,
  reference: TargetId,
): number {
  return round(median(roundRatios(run, scenario, metric, target, reference)), 3);
}

/** target / reference, one ratio per round in which both ran. */
function roundRatios(
  run: BenchRun,
  scenario: ScenarioId,
  metric: string,
  target: TargetId,
  reference: TargetId,
): number[] {
  const ratios: number[] = [];
  for (const r of okRuns(run, scenario, target)) {
    const ref = okRuns(run, scenario, reference).find((x) => x.round === r.round);
    const a = r.metrics[metric];
    const b = ref?.metrics[metric];
    if (a !== undefined && b !== undefined && b !== 0) ratios.push(a / b);
  }
  return ratios;
}

export function summarise(run: BenchRun): BenchSummary {
  const medians: BenchSummary['medians'] = {};
  const ratios: BenchSummary['ratios'] = {};
  for (const sc of run.scenarios) {
    const m: Record<string, Record<string, number>> = {};
    const q: Record<string, Record<string, number>> = {};
    for (const t of sc.targets) {
      const runs = okRuns(run, sc.id, t);
      const keys = new Set(runs.flatMap((r) => Object.keys(r.metrics)));
      m[t] = {};
      q[t] = {};
      for (const k of keys) {
        m[t][k] = round(median(runs.map((r) => r.metrics[k] ?? Number.NaN)), 3);
        if (t !== 'node') q[t][k] = pairedRatio(run, sc.id, k, t, 'node');
      }
    }
    medians[sc.id] = m;
    ratios[sc.id] = q;
  }

  const broken: string[] = [];
  for (const r of run.runs) {
    if (!r.ok) broken.push(`${r.scenario} round ${r.round} ${r.target}: ${r.error}`);
    if (r.accounting && !r.accounting.exact)
      broken.push(
        `${r.scenario} round ${r.round} ${r.target}: log accounting: ${r.accounting.problems.join('; ')}`,
      );
  }
  return { medians, ratios, verdicts: verdicts(run, medians), broken };
}

const has = (run: BenchRun, scenario: ScenarioId, target: TargetId) =>
  okRuns(run, scenario, target).length > 0;
const x = (v: number) => `${v.toFixed(2)}x`;

function verdicts(run: BenchRun, medians: BenchSummary['medians']): Verdict[] {
  const out: Verdict[] = [];
  const ratio = (sc: ScenarioId, metric: string, t: TargetId, ref: TargetId = 'node') =>
    pairedRatio(run, sc, metric, t, ref);
  // The rounds' own ratios show how much of a difference is the machine's noise.
  const spread = (sc: ScenarioId, metric: string, t: TargetId, ref: TargetId) => {
    const all = roundRatios(run, sc, metric, t, ref);
    return all.length > 1 ? ` (rounds ${x(Math.min(...all))}–${x(Math.max(...all))})` : '';
  };
  const atLeast = (
    label: string,
    sc: ScenarioId,
    metric: string,
    t: TargetId,
    ref: TargetId,
    min: number,
  ) => {
    const ok = has(run, sc, t) && has(run, sc, ref);
    const v = ratio(sc, metric, t, ref);
    // A miss that some rounds do not show is as likely the machine as the server: say so.
    const noisy = v < min && Math.max(...roundRatios(run, sc, metric, t, ref)) >= min;
    out.push({
      target: label,
      measured: ok ? x(v) + spread(sc, metric, t, ref) + (noisy ? ', within noise' : '') : 'not measured',
      required: `≥ ${x(min)}`,
      pass: ok ? v >= min : undefined,
    });
  };
  const atMost = (label: string, sc: ScenarioId, metric: string, t: TargetId, max: number) => {
    const ok = has(run, sc, t) && has(run, sc, 'node');
    const v = ratio(sc, metric, t);
    out.push({
      target: label,
      measured: ok ? x(v) + spread(sc, metric, t, 'node') : 'not measured',
      required: `≤ ${x(max)}`,
      pass: ok ? v <= max : undefined,
    });
  };

  atLeast('quiet: streaming, 1 connection, vs bare Node', 'stream-1', 'mbPerSec', 'lab-quiet', 'node', 1);
  atLeast('quiet: streaming, 50 connections, vs bare Node', 'stream-50', 'mbPerSec', 'lab-quiet', 'node', 1);
  if (run.machine.socat) {
    atLeast('quiet: streaming, 1 connection, vs socat', 'stream-1', 'mbPerSec', 'lab-quiet', 'socat', 1);
    atLeast('quiet: streaming, 50 connections, vs socat', 'stream-50', 'mbPerSec', 'lab-quiet', 'socat', 1);
  }
  atMost('quiet: latency p50 vs bare Node', 'latency', 'p50Us', 'lab-quiet', 1.3);
  atMost('quiet: latency p99 vs bare Node', 'latency', 'p99Us', 'lab-quiet', 1.5);
  {
    const ok = has(run, 'idle', 'lab-quiet') && has(run, 'idle', 'node');
    const v = ratio('idle', 'kbPerConn', 'lab-quiet');
    const kb = medians.idle?.['lab-quiet']?.kbPerConn;
    const base = medians.idle?.node?.kbPerConn;
    out.push({
      target: 'quiet: idle memory per connection vs bare Node',
      measured: ok ? `${x(v)} (${kb} vs ${base} KB)` : 'not measured',
      required: '≤ 1.50x',
      pass: ok ? v <= 1.5 : undefined,
    });
  }
  atLeast(
    'quiet: chat relay, delivered datagrams/s vs bare Node',
    'chat',
    'deliveredPerSec',
    'lab-quiet',
    'node',
    0.8,
  );
  {
    const runs = okRuns(run, 'chat', 'lab-quiet');
    const worst = Math.max(...runs.map((r) => r.metrics.lossPct ?? 100));
    out.push({
      target: 'quiet: chat relay loss (worst round)',
      measured: runs.length ? `${round(worst, 4)} %` : 'not measured',
      required: '< 0.1 %',
      pass: runs.length ? worst < 0.1 : undefined,
    });
  }
  atLeast(
    'default logging: streaming, 1 connection, vs bare Node',
    'stream-1',
    'mbPerSec',
    'lab-default',
    'node',
    0.5,
  );
  atLeast(
    'default logging: streaming, 50 connections, vs bare Node',
    'stream-50',
    'mbPerSec',
    'lab-default',
    'node',
    0.5,
  );
  {
    const acc = run.runs.filter((r) => r.target === 'lab-default' && r.ok && r.accounting);
    const exact = acc.every((r) => r.accounting?.exact);
    const conns = acc.reduce((n, r) => n + (r.accounting?.connections ?? 0), 0);
    const ind = acc.reduce((n, r) => n + (r.accounting?.individualPortions ?? 0), 0);
    const sum = acc.reduce((n, r) => n + (r.accounting?.summarisedPortions ?? 0), 0);
    out.push({
      target: 'default logging: every portion accounted for exactly in the log',
      measured: acc.length
        ? `${conns} connections in ${acc.length} runs: ${ind} portions logged one by one + ${sum} in summaries ${exact ? '= every byte sent' : '≠ bytes sent'}`
        : 'not measured',
      required: 'lines + summaries = bytes the generator sent, per connection',
      pass: acc.length ? exact : undefined,
    });
  }
  {
    // The log is written synchronously to a pipe: if the reader is slow the server waits, it does
    // not queue. So the backlog shows up as memory only if something buffers; compare the peak RSS
    // under 50 streaming connections with and without per-portion lines.
    const d = medians['stream-50']?.['lab-default']?.peakRssMB;
    const q = medians['stream-50']?.['lab-quiet']?.peakRssMB;
    const rate = Math.max(
      ...run.runs
        .filter((r) => r.target === 'lab-default' && r.accounting)
        .map((r) => r.accounting?.logLinesPerSec ?? 0),
    );
    const ok = d !== undefined && q !== undefined;
    out.push({
      target: 'default logging: log backlog bounded (peak RSS, 50 streams)',
      measured: ok ? `${d} MB vs ${q} MB quiet; at most ${rate} log lines/s` : 'not measured',
      required: '≤ quiet + 32 MB',
      pass: ok ? d <= q + 32 : undefined,
    });
  }
  for (const t of ['lab-default', 'lab-quiet'] as const) {
    const name = t === 'lab-default' ? 'default logging' : 'quiet';
    const runs = okRuns(run, 'fairness', t);
    const worst = Math.max(...runs.map((r) => r.metrics.acceptMaxMs ?? Number.POSITIVE_INFINITY));
    out.push({
      target: `${name}: new connection accepted + echoed while 50 stream (slowest probe)`,
      measured: runs.length ? `${round(worst, 1)} ms` : 'not measured',
      required: '≤ 100 ms',
      pass: runs.length ? worst <= 100 : undefined,
    });
    const share = Math.min(...runs.map((r) => r.metrics.slowestShare ?? 0));
    out.push({
      target: `${name}: slowest of 50 connections vs the mean rate (worst round)`,
      measured: runs.length ? `${round(share * 100, 1)} %` : 'not measured',
      required: '≥ 10 %',
      pass: runs.length ? share >= 0.1 : undefined,
    });
  }
  return out;
}

interface Row {
  scenario: ScenarioId;
  label: string;
  metric: string;
  digits: number;
}

const ROWS: Row[] = [
  { scenario: 'stream-1', label: 'streaming, 1 conn: echo MB/s', metric: 'mbPerSec', digits: 0 },
  { scenario: 'stream-1', label: 'streaming, 1 conn: server CPU ms per MB', metric: 'cpuMsPerMB', digits: 2 },
  { scenario: 'stream-50', label: 'streaming, 50 conns: echo MB/s', metric: 'mbPerSec', digits: 0 },
  {
    scenario: 'stream-50',
    label: 'streaming, 50 conns: server CPU ms per MB',
    metric: 'cpuMsPerMB',
    digits: 2,
  },
  { scenario: 'stream-50', label: 'streaming, 50 conns: server peak RSS MB', metric: 'peakRssMB', digits: 0 },
  { scenario: 'latency', label: 'latency p50 µs', metric: 'p50Us', digits: 0 },
  { scenario: 'latency', label: 'latency p99 µs', metric: 'p99Us', digits: 0 },
  { scenario: 'idle', label: 'idle: KB per connection', metric: 'kbPerConn', digits: 2 },
  { scenario: 'chat', label: 'chat: delivered datagrams/s', metric: 'deliveredPerSec', digits: 0 },
  { scenario: 'chat', label: 'chat: loss %', metric: 'lossPct', digits: 3 },
  { scenario: 'chat', label: 'chat: server CPU ms per 1000 datagrams', metric: 'cpuMsPer1000', digits: 2 },
  {
    scenario: 'fairness',
    label: 'fairness: new conn accept+echo, slowest ms',
    metric: 'acceptMaxMs',
    digits: 1,
  },
  {
    scenario: 'fairness',
    label: 'fairness: new conn accept+echo, median ms',
    metric: 'acceptP50Ms',
    digits: 2,
  },
  { scenario: 'fairness', label: 'fairness: slowest conn / mean', metric: 'slowestShare', digits: 2 },
  {
    scenario: 'fairness',
    label: 'fairness: server event-loop delay, max ms',
    metric: 'loopMaxMs',
    digits: 1,
  },
];

const COLUMNS: TargetId[] = ['lab-default', 'lab-quiet', 'node', 'socat'];

/** The results as Markdown: the figures table (ratios to bare Node in brackets) and the targets. */
export function markdown(run: BenchRun, summary: BenchSummary): string {
  const out: string[] = [];
  out.push(`| measure | ${COLUMNS.map((c) => TARGET_LABELS[c]).join(' | ')} |`);
  out.push(`|---|${COLUMNS.map(() => '---:').join('|')}|`);
  for (const row of ROWS) {
    const sc = run.scenarios.find((s) => s.id === row.scenario);
    if (!sc) continue;
    const cells = COLUMNS.map((c) => {
      const v = summary.medians[row.scenario]?.[c]?.[row.metric];
      if (v === undefined || !Number.isFinite(v)) return sc.targets.includes(c) ? 'n/a' : '–';
      const r = summary.ratios[row.scenario]?.[c]?.[row.metric];
      const text = v.toFixed(row.digits);
      return r !== undefined && Number.isFinite(r) ? `${text} (${r.toFixed(2)}x)` : text;
    });
    out.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  out.push('');
  out.push('| target | measured | required | result |');
  out.push('|---|---|---|---|');
  for (const v of summary.verdicts) {
    const result = v.pass === undefined ? '–' : v.pass ? 'PASS' : 'FAIL';
    out.push(`| ${v.target} | ${v.measured} | ${v.required} | ${result} |`);
  }
  return `${out.join('\n')}\n`;
}
