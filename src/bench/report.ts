/**
 * From runs to figures: medians per target, ratios to bare Node paired round by round (each pair
 * ran back to back on the same noisy machine), the targets of issue 6, and the Markdown table.
 */
import { TARGET_LABELS, type TargetId } from './jobs.js';
import type { ScenarioId } from './plan.js';
import type { BenchRun } from './run.js';
import { median, round } from './stats.js';

export interface Verdict {
  target: string;
  measured: string;
  required: string;
  /** undefined: not measured in this run (scenario skipped or every run failed). */
  pass: boolean | undefined;
}

/** scenario -> target -> metric -> a figure. */
type Medians = Record<string, Record<string, Record<string, number>>>;

export type BenchSummary = ReturnType<typeof summarise>;

const okRuns = (run: BenchRun, scenario: ScenarioId, target: TargetId) =>
  run.runs.filter((r) => r.scenario === scenario && r.target === target && r.ok);

/** A comparison: `metric` of `target` over that of `ref`, round by round. */
type Pair = { scenario: ScenarioId; metric: string; target: TargetId; ref: TargetId };

/** target / reference, one ratio per round in which both ran. */
function roundRatios(run: BenchRun, p: Pair): number[] {
  const ratios: number[] = [];
  for (const r of okRuns(run, p.scenario, p.target)) {
    const b = okRuns(run, p.scenario, p.ref).find((x) => x.round === r.round)?.metrics[p.metric];
    const a = r.metrics[p.metric];
    if (a !== undefined && b !== undefined && b !== 0) ratios.push(a / b);
  }
  return ratios;
}

const pairedRatio = (run: BenchRun, p: Pair) => round(median(roundRatios(run, p)), 3);

/**
 * Medians over the rounds, medians of the per-round ratios to the scenario's reference, the verdicts,
 * and what broke in the harness or the server (as opposed to a target missed).
 */
export function summarise(run: BenchRun) {
  const medians: Medians = {};
  const ratios: Medians = {};
  for (const sc of run.scenarios) {
    const m: Medians[string] = (medians[sc.id] = {});
    const q: Medians[string] = (ratios[sc.id] = {});
    for (const target of sc.targets) {
      const runs = okRuns(run, sc.id, target);
      m[target] = {};
      q[target] = {};
      for (const k of new Set(runs.flatMap((r) => Object.keys(r.metrics)))) {
        m[target][k] = round(median(runs.map((r) => r.metrics[k] ?? Number.NaN)), 3);
        if (target !== sc.reference)
          q[target][k] = pairedRatio(run, { scenario: sc.id, metric: k, target, ref: sc.reference });
      }
    }
  }
  const broken: string[] = [];
  for (const r of run.runs) {
    const where = `${r.scenario} round ${r.round} ${r.target}`;
    if (!r.ok) broken.push(`${where}: ${r.error}`);
    if (r.accounting?.exact === false)
      broken.push(`${where}: log accounting: ${r.accounting.problems.join('; ')}`);
  }
  return { medians, ratios, verdicts: verdicts(run, medians), broken };
}

const x = (v: number) => `${v.toFixed(2)}x`;

type Measured = { measured: string; pass: boolean } | undefined;
/** One target of issue 6 (or 10): what it requires, and how this run measured it. */
type Rule = {
  label: string;
  scenario: ScenarioId;
  ref?: TargetId;
  required: string;
  measure(run: BenchRun, medians: Medians): Measured;
};
type Limit = { min: number } | { max: number } | { below: number };

const within = (l: Limit, v: number) => ('min' in l ? v >= l.min : 'max' in l ? v <= l.max : v < l.below);
const bound = (l: Limit, show: (v: number) => string) =>
  'min' in l ? `≥ ${show(l.min)}` : 'max' in l ? `≤ ${show(l.max)}` : `< ${show(l.below)}`;

const WHO: Partial<Record<TargetId, string>> = {
  'lab-quiet': 'quiet',
  'lab-default': 'default logging',
  report: 'report reader',
};
const QUIET = 'lab-quiet';
const DEFAULT = 'lab-default';

/** What a rule is about: `metric` of `target` in `scenario`, within `limit`; labelled "<who>: <what>". */
type On = [target: TargetId, what: string, scenario: ScenarioId, metric: string, limit: Limit];

/** The median of the per-round ratios `metric` of `target` / that of `ref` must stay within `limit`. */
function ratio(...[target, what, scenario, metric, limit, ref = 'node']: [...On, ref?: TargetId]): Rule {
  const p = { scenario, metric, target, ref };
  return {
    label: `${WHO[target]}: ${what}`,
    scenario,
    ref,
    required: bound(limit, x),
    measure(run, medians) {
      // The rounds' own ratios show how much of a difference is the machine's noise; a miss that some
      // rounds do not show is as likely the machine as the server: say so.
      const all = roundRatios(run, p);
      if (all.length === 0) return undefined;
      const v = pairedRatio(run, p);
      const spread = all.length > 1 ? ` (rounds ${x(Math.min(...all))}–${x(Math.max(...all))})` : '';
      const noisy = !within(limit, v) && all.some((r) => within(limit, r)) ? ', within noise' : '';
      const values = (t: TargetId) => medians[scenario]?.[t]?.[metric];
      const figures = scenario === 'idle' ? ` (${values(target)} vs ${values(ref)} KB)` : '';
      return { measured: `${x(v)}${spread}${figures}${noisy}`, pass: within(limit, v) };
    },
  };
}

/** The worst round's `metric` × `scale` (the lowest against a minimum, else the highest) within `limit`. */
function worst(
  ...[t, what, scenario, metric, limit, unit, scale = 1]: [...On, unit: string, scale?: number]
): Rule {
  return {
    label: `${WHO[t]}: ${what}`,
    scenario,
    required: bound(limit, (v) => `${round(v * scale, 1)}${unit}`),
    measure(run) {
      const values = okRuns(run, scenario, t).map((r) => r.metrics[metric] ?? Number.NaN);
      if (values.length === 0) return undefined;
      const w = 'min' in limit ? Math.min(...values) : Math.max(...values);
      return { measured: `${round(w * scale, 4)}${unit}`, pass: within(limit, w) };
    },
  };
}

const RULES: Rule[] = [
  ratio(QUIET, 'streaming, 1 connection, vs bare Node', 'stream-1', 'mbPerSec', { min: 1 }),
  ratio(QUIET, 'streaming, 50 connections, vs bare Node', 'stream-50', 'mbPerSec', { min: 1 }),
  ratio(QUIET, 'streaming, 1 connection, vs socat', 'stream-1', 'mbPerSec', { min: 1 }, 'socat'),
  ratio(QUIET, 'streaming, 50 connections, vs socat', 'stream-50', 'mbPerSec', { min: 1 }, 'socat'),
  ratio(QUIET, 'latency p50 vs bare Node', 'latency', 'p50Us', { max: 1.3 }),
  ratio(QUIET, 'latency p99 vs bare Node', 'latency', 'p99Us', { max: 1.5 }),
  ratio(QUIET, 'idle memory per connection vs bare Node', 'idle', 'kbPerConn', { max: 1.5 }),
  ratio(QUIET, 'chat relay, delivered datagrams/s vs bare Node', 'chat', 'deliveredPerSec', { min: 0.8 }),
  worst(QUIET, 'chat relay loss (worst round)', 'chat', 'lossPct', { below: 0.1 }, ' %'),
  ratio(DEFAULT, 'streaming, 1 connection, vs bare Node', 'stream-1', 'mbPerSec', { min: 0.5 }),
  ratio(DEFAULT, 'streaming, 50 connections, vs bare Node', 'stream-50', 'mbPerSec', { min: 0.5 }),
  {
    label: 'default logging: every portion accounted for exactly in the log',
    scenario: 'stream-1',
    required: 'lines + summaries = bytes the generator sent, per connection',
    measure(run) {
      const acc = run.runs.filter((r) => r.target === DEFAULT && r.ok && r.accounting);
      if (acc.length === 0) return undefined;
      const exact = acc.every((r) => r.accounting?.exact);
      const sum = (k: 'connections' | 'individualPortions' | 'summarisedPortions') =>
        acc.reduce((n, r) => n + (r.accounting?.[k] ?? 0), 0);
      return {
        measured: `${sum('connections')} connections in ${acc.length} runs: ${sum('individualPortions')} portions logged one by one + ${sum('summarisedPortions')} in summaries ${exact ? '= every byte sent' : '≠ bytes sent'}`,
        pass: exact,
      };
    },
  },
  {
    label: 'default logging: log backlog bounded (peak RSS, 50 streams)',
    scenario: 'stream-50',
    required: '≤ quiet + 32 MB',
    // A reader that falls behind makes the server queue log lines (up to LOG_BACKLOG_BYTES, then they
    // are dropped and counted): with per-portion lines the peak RSS must stay within a bounded margin of quiet's.
    measure(run, medians) {
      const d = medians['stream-50']?.[DEFAULT]?.peakRssMB;
      const q = medians['stream-50']?.[QUIET]?.peakRssMB;
      if (d === undefined || q === undefined) return undefined;
      const rates = run.runs.filter((r) => r.target === DEFAULT && r.accounting);
      const rate = Math.max(...rates.map((r) => r.accounting?.logLinesPerSec ?? 0));
      return { measured: `${d} MB vs ${q} MB quiet; at most ${rate} log lines/s`, pass: d <= q + 32 };
    },
  },
  ...([DEFAULT, QUIET] as const).flatMap((t) => {
    const probe = 'new connection accepted + echoed while 50 stream (slowest probe)';
    const share = 'slowest of 50 connections vs the mean rate (worst round)';
    return [
      worst(t, probe, 'fairness', 'acceptMaxMs', { max: 100 }, ' ms'),
      worst(t, share, 'fairness', 'slowestShare', { min: 0.1 }, ' %', 100),
    ];
  }),
  ratio('report', 'speed vs readline + JSON.parse', 'log-read', 'readMBPerSec', { min: 0.8 }, 'readline'),
  ratio('report', 'peak RSS vs readline + JSON.parse', 'log-read', 'peakRssMB', { max: 1.5 }, 'readline'),
];

function verdicts(run: BenchRun, medians: Medians): Verdict[] {
  return RULES.filter((r) => r.ref !== 'socat' || run.machine.socat).map((r) => {
    const m = run.scenarios.some((s) => s.id === r.scenario) ? r.measure(run, medians) : undefined;
    return { target: r.label, measured: m?.measured ?? 'not measured', required: r.required, pass: m?.pass };
  });
}

/** The figures tables: their columns, and their rows (scenario, label, metric, digits shown). */
const TABLES: Array<[TargetId[], Array<[ScenarioId, string, string, number]>]> = [
  [
    ['lab-default', 'lab-quiet', 'node', 'socat'],
    [
      ['stream-1', 'streaming, 1 conn: echo MB/s', 'mbPerSec', 0],
      ['stream-1', 'streaming, 1 conn: server CPU ms per MB', 'cpuMsPerMB', 2],
      ['stream-50', 'streaming, 50 conns: echo MB/s', 'mbPerSec', 0],
      ['stream-50', 'streaming, 50 conns: server CPU ms per MB', 'cpuMsPerMB', 2],
      ['stream-50', 'streaming, 50 conns: server peak RSS MB', 'peakRssMB', 0],
      ['latency', 'latency p50 µs', 'p50Us', 0],
      ['latency', 'latency p99 µs', 'p99Us', 0],
      ['idle', 'idle: KB per connection', 'kbPerConn', 2],
      ['chat', 'chat: delivered datagrams/s', 'deliveredPerSec', 0],
      ['chat', 'chat: loss %', 'lossPct', 3],
      ['chat', 'chat: server CPU ms per 1000 datagrams', 'cpuMsPer1000', 2],
      ['fairness', 'fairness: new conn accept+echo, slowest ms', 'acceptMaxMs', 1],
      ['fairness', 'fairness: new conn accept+echo, median ms', 'acceptP50Ms', 2],
      ['fairness', 'fairness: slowest conn / mean', 'slowestShare', 2],
      ['fairness', 'fairness: server event-loop delay, max ms', 'loopMaxMs', 1],
    ],
  ],
  [
    ['readline', 'report'],
    [
      ['log-read', 'log read: seconds', 'seconds', 2],
      ['log-read', 'log read: MB/s', 'readMBPerSec', 0],
      ['log-read', 'log read: peak RSS MB', 'peakRssMB', 0],
    ],
  ],
  [
    ['python', 'python-strace'],
    [
      ['strace-stream', "strace's cost: echo MB/s, 1 conn, 1 KB writes", 'mbPerSec', 1],
      ['strace-stream', "strace's cost: server CPU ms per MB (strace's included)", 'cpuMsPerMB', 1],
      ['strace-stream', "strace's cost: trace written, MB", 'traceMB', 1],
      ['strace-latency', "strace's cost: 1 KB round trip p50 µs", 'p50Us', 0],
      ['strace-latency', "strace's cost: 1 KB round trip p99 µs", 'p99Us', 0],
    ],
  ],
];

/** One figures table: medians, with the ratio to the scenario's reference in brackets. */
function figures(run: BenchRun, summary: BenchSummary, [columns, rows]: (typeof TABLES)[number]) {
  const out = [
    `| measure | ${columns.map((c) => TARGET_LABELS[c]).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
  ];
  for (const [scenario, label, metric, digits] of rows) {
    const sc = run.scenarios.find((s) => s.id === scenario);
    if (!sc) continue;
    const cells = columns.map((c) => {
      const v = summary.medians[scenario]?.[c]?.[metric];
      if (v === undefined || !Number.isFinite(v)) return sc.targets.includes(c) ? 'n/a' : '–';
      const r = summary.ratios[scenario]?.[c]?.[metric];
      const text = v.toFixed(digits);
      return r !== undefined && Number.isFinite(r) ? `${text} (${r.toFixed(2)}x)` : text;
    });
    out.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  return out.length > 2 ? [...out, ''] : [];
}

/** The results as Markdown: the figures tables (ratios in brackets) and the targets. */
export function markdown(run: BenchRun, summary: BenchSummary): string {
  const out = [
    ...TABLES.flatMap((table) => figures(run, summary, table)),
    '| target | measured | required | result |',
    '|---|---|---|---|',
  ];
  for (const v of summary.verdicts) {
    const result = v.pass === undefined ? '–' : v.pass ? 'PASS' : 'FAIL';
    out.push(`| ${v.target} | ${v.measured} | ${v.required} | ${result} |`);
  }
  return `${out.join('\n')}\n`;
}
