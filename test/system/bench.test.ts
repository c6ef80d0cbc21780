import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, defer } from '../helpers.ts';
import { lacking, requireSystem } from './needs.ts';

const SCENARIOS = ['stream-1', 'stream-50', 'latency', 'idle', 'chat', 'fairness', 'log-read'];
// strace's cost is measured where python3 and strace are installed (the lab machine); skipped with a note elsewhere.
// Under LAB_REQUIRE_SYSTEM=1 (CI) a missing tool is a failure, not a silent skip.
const HAS_STRACE_TOOLS = lacking({ tools: ['python3', 'strace'] }).length === 0;
if (!HAS_STRACE_TOOLS && requireSystem()) {
  throw new Error('LAB_REQUIRE_SYSTEM=1: the bench smoke needs python3 and strace for its strace scenarios');
}
const STRACE_COST = HAS_STRACE_TOOLS ? ['strace-stream', 'strace-latency'] : [];

interface Results {
  smoke: boolean;
  scenarios: Array<{ id: string; targets: string[] }>;
  runs: Array<{
    scenario: string;
    target: string;
    ok: boolean;
    error?: string;
    metrics: Record<string, number>;
    accounting?: { exact: boolean };
  }>;
  summary: {
    medians: Record<string, Record<string, Record<string, number>>>;
    verdicts: Array<{ target: string; pass: boolean | undefined }>;
    broken: string[];
  };
}

test(
  'bench --smoke runs every scenario end to end through the CLI and writes numbers for each',
  { timeout: 90_000 },
  async (t) => {
    const out = mkdtempSync(join(tmpdir(), 'socket-lab-bench-'));
    defer(t, () => rmSync(out, { recursive: true, force: true }));
    const bench = runCli(['bench', '--smoke', '--out', out]);
    defer(t, () => bench.child.kill('SIGKILL'));
    assert.equal(await bench.exited, 0, bench.stderr());

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    assert.equal(results.smoke, true);
    assert.deepEqual(
      results.scenarios.map((s) => s.id),
      [...SCENARIOS, ...STRACE_COST],
    );
    assert.deepEqual(results.summary.broken, []);
    for (const s of results.scenarios) {
      for (const target of s.targets) {
        const run = results.runs.find((r) => r.scenario === s.id && r.target === target);
        assert.ok(run?.ok, `${s.id} ${target}: ${run?.error}`);
        const figures = Object.values(results.summary.medians[s.id]?.[target] ?? {});
        assert.ok(figures.length > 0, `${s.id} ${target} has no figures`);
        assert.ok(
          figures.every((v) => Number.isFinite(v)),
          `${s.id} ${target}: ${JSON.stringify(results.summary.medians[s.id]?.[target])}`,
        );
      }
      if (s.id === 'log-read')
        assert.deepEqual(s.targets, ['readline', 'report'], 'the report reader runs beside the plain loop');
      else if (s.id.startsWith('strace-'))
        assert.deepEqual(s.targets, ['python', 'python-strace'], 'the same Python server, plain and traced');
      else
        assert.ok(
          s.targets.includes('lab-quiet') && s.targets.includes('node'),
          `${s.id} compares quiet with bare Node`,
        );
    }
    // The default configuration's log accounts for every byte the generator sent.
    const accounted = results.runs.filter((r) => r.target === 'lab-default' && r.accounting);
    assert.ok(accounted.length >= 3);
    assert.ok(accounted.every((r) => r.accounting?.exact));
    assert.ok(results.summary.verdicts.length >= 10);
    assert.match(
      readFileSync(join(out, 'results.md'), 'utf8'),
      /\| target \| measured \| required \| result \|/,
    );
    assert.match(bench.stderr(), /bench: (PASS|FAIL) quiet: streaming, 1 connection, vs bare Node/);
    // Both readers read every line of the same log.
    const reads = results.runs.filter((r) => r.scenario === 'log-read');
    assert.equal(reads.length, 2);
    assert.ok(
      reads.every((r) => r.metrics.lines === reads[0]?.metrics.lines && (r.metrics.lines ?? 0) > 10_000),
    );
    assert.match(bench.stderr(), /bench: (PASS|FAIL) report reader: speed vs readline \+ JSON\.parse/);
    // The idle connections are all served (every one comes from 127.0.0.1, beyond the per-address limit).
    for (const r of results.runs.filter((x) => x.scenario === 'idle'))
      assert.ok(
        r.metrics.failed === 0 && (r.metrics.established ?? 0) > 0,
        `${r.target}: ${JSON.stringify(r.metrics)}`,
      );
    // strace really traced the server: its trace file was written.
    if (STRACE_COST.length > 0) {
      const traced = results.summary.medians['strace-stream']?.['python-strace'];
      assert.ok((traced?.traceMB ?? 0) > 0, JSON.stringify(traced));
    }
  },
);
