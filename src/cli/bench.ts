import { labError, writing } from '../errors.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SCENARIO_IDS, type ScenarioId } from '../bench/plan.js';
import { summariseProfiles } from '../bench/profile.js';
import { markdown, summarise } from '../bench/report.js';
import { runBench } from '../bench/run.js';
import { parseCount, reportError } from './common.js';

interface BenchCliOptions {
  smoke?: boolean;
  out?: string;
  scenarios: ScenarioId[];
  rounds?: number;
  writeBatch: number;
  writeDocs?: boolean;
  profile?: boolean;
  strict?: boolean;
}

const DOCS = 'docs/performance.md';
const DOCS_PATH = fileURLToPath(new URL(`../../${DOCS}`, import.meta.url));
const START = '<!-- bench:table:start -->';
const END = '<!-- bench:table:end -->';

function parseScenarios(value: string): ScenarioId[] {
  const list = value.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !(SCENARIO_IDS as readonly string[]).includes(s));
  if (bad.length > 0 || list.length === 0) {
    throw new InvalidArgumentError(
      `unknown scenario ${bad.join(', ')}; choose from ${SCENARIO_IDS.join(', ')}.`,
    );
  }
  return list as ScenarioId[];
}

/** Replaces the generated block of docs/performance.md with `block`. */
function writeDocs(block: string): void {
  const text = readFileSync(DOCS_PATH, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a === -1 || b < a) throw labError('docs-block-missing', { file: DOCS, start: START, end: END });
  writeFileSync(DOCS_PATH, `${text.slice(0, a + START.length)}\n${block}${text.slice(b)}`);
}

export function benchCommand(): Command {
  return new Command('bench')
    .description(
      'measure the echo and chat servers against bare Node and socat, and what strace costs a Python echo server, on loopback (each in its own process)',
    )
    .option('--smoke', 'a few seconds with small counts: checks that the harness works, not the targets')
    .addOption(
      new Option('--out <dir>', 'where results.json and results.md go (default: bench-results/<time>)'),
    )
    .addOption(
      new Option('--scenarios <list>', `comma-separated subset of: ${SCENARIO_IDS.join(', ')}`)
        .default([...SCENARIO_IDS], 'all')
        .argParser(parseScenarios),
    )
    .addOption(
      new Option(
        '--rounds <n>',
        'rounds per scenario (default: 5 for streaming, 1 for idle, 2 for the rest)',
      ).argParser(parseCount(1, 20)),
    )
    .addOption(
      new Option(
        '--write-batch <n>',
        'streaming: cork n 1 KB writes into one writev, so that the generator spends less on system calls',
      )
        .default(1)
        .argParser(parseCount(1, 64)),
    )
    .option('--write-docs', `also put the table into ${DOCS}`)
    .option(
      '--profile',
      'record CPU profiles of socket-lab targets (node --cpu-prof) and list their top frames',
    )
    .option('--strict', 'exit with code 3 when a target is missed')
    .action(async (o: BenchCliOptions) => {
      // Ctrl-C: exit now; the exit hook in targets.ts stops a socat still running.
      for (const [signal, code] of [
        ['SIGINT', 130],
        ['SIGTERM', 143],
      ] as const)
        process.once(signal, () => process.exit(code));
      try {
        const out = o.out ?? join('bench-results', new Date().toISOString().replace(/[:.]/g, '-'));
        // A folder the user cannot write is theirs to fix: said before the minutes of measuring.
        await writing(out, async () => mkdirSync(out, { recursive: true }));
        const profileDir = o.profile ? join(out, 'profiles') : undefined;
        const run = await runBench({
          smoke: Boolean(o.smoke),
          scenarios: o.scenarios,
          rounds: o.rounds,
          writeBatch: o.writeBatch,
          profileDir,
          progress: (line) => process.stderr.write(`${line}\n`),
        });
        const summary = summarise(run);
        const profiles = profileDir ? summariseProfiles(profileDir) : undefined;
        const table = markdown(run, summary);
        const command = [
          'npx socket-lab bench',
          o.smoke ? '--smoke' : '',
          o.scenarios.length < SCENARIO_IDS.length ? `--scenarios ${o.scenarios.join(',')}` : '',
          o.rounds ? `--rounds ${o.rounds}` : '',
          o.writeBatch > 1 ? `--write-batch ${o.writeBatch}` : '',
        ]
          .filter(Boolean)
          .join(' ');
        const md = [
          `Run ${run.startedAt}, ${Math.round(run.durationMs / 1000)} s, \`${command}\`; ${run.machine.cpus} × ${run.machine.model}, Node ${run.machine.node}, socat ${run.machine.socat ?? 'not installed'}.`,
          '',
          ...(run.notes.length ? [...run.notes.map((n) => `Note: ${n}.`), ''] : []),
          table,
        ].join('\n');
        const json = `${JSON.stringify({ ...run, summary, profiles }, null, 2)}\n`;
        await writing(out, async () => {
          writeFileSync(join(out, 'results.json'), json);
          writeFileSync(join(out, 'results.md'), md);
        });
        if (o.writeDocs) writeDocs(md);
        process.stdout.write(`${md}\n`);
        if (profiles) {
          for (const [file, frames] of Object.entries(profiles)) {
            process.stdout.write(
              `\n${file}\n${frames.map((f) => `  ${f.selfPct.toFixed(1)}%  ${f.frame}`).join('\n')}\n`,
            );
          }
        }
        for (const v of summary.verdicts) {
          const tag = v.pass === undefined ? 'SKIP' : v.pass ? 'PASS' : 'FAIL';
          process.stderr.write(`bench: ${tag} ${v.target}: ${v.measured} (${v.required})\n`);
        }
        process.stderr.write(`bench: results in ${join(out, 'results.json')} and results.md\n`);
        if (summary.broken.length > 0) {
          for (const b of summary.broken) process.stderr.write(`bench: BROKEN ${b}\n`);
          process.exitCode = 1;
        } else if (o.strict && !o.smoke && summary.verdicts.some((v) => v.pass === false)) {
          process.exitCode = 3;
        }
      } catch (err) {
        reportError('bench', err);
      }
    });
}
