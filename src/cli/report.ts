import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { LANGS, type Lang } from '../text/lang.js';
import {
  type CheckId,
  REPORT_FORMATS,
  REQUIRABLE,
  findCaptures,
  type ReportFormat,
  render,
  summary,
  oursView,
  ourServerSource,
} from '../report/index.js';
import { analyseWithServerLog, serverLogInput } from '../report/classroom.js';
import { openInputs } from '../report/sources.js';
import { LabError, labError, writing } from '../errors.js';
import { reportError } from './common.js';
import { visible } from '../text/escape.js';

/** `--require local,vm,remote,chat`: the parts of the lab that must be in the logs. */
export function parseRequire(value: string): CheckId[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    if (!(REQUIRABLE as readonly string[]).includes(item)) {
      throw new InvalidArgumentError(
        `expected a comma-separated list of ${REQUIRABLE.join(', ')}; "${item}" is none of them.`,
      );
    }
  }
  return list as CheckId[];
}

export function requireOption(): Option {
  return new Option(
    '--require <checks>',
    `comma-separated parts that must be in the logs (${REQUIRABLE.join(',')}): missing ones fail instead of being "not applicable"`,
  ).argParser(parseRequire);
}

/** `--student` and `--group`, read from LAB_STUDENT and LAB_GROUP when not given. */
export function titleOptions(): Option[] {
  return [
    new Option('--student <name>', 'student’s name for the title block').env('LAB_STUDENT'),
    new Option('--group <group>', 'student’s group for the title block').env('LAB_GROUP'),
  ];
}

interface ReportCliOptions {
  out?: string;
  format: ReportFormat;
  student?: string;
  group?: string;
  lang: Lang;
  check?: boolean;
  require?: CheckId[];
  allRuns?: boolean;
  serverLog?: string;
}

export function reportCommand(): Command {
  return new Command('report')
    .description(
      'turn collected logs into the lab report (Markdown or HTML): the assignment point by point and the control questions from this run, with the evidence (addresses, timelines, diagrams, byte counts, checks) as an appendix',
    )
    .argument(
      '[inputs...]',
      'log files, directories (their *.jsonl files), or - for standard input (the default)',
    )
    .option('--out <file>', 'write the report to this file (default: standard output)')
    .addOption(
      new Option('--lang <lang>', 'language of the report').choices(LANGS).default('en').env('LAB_LANG'),
    )
    .addOption(
      new Option('--format <format>', 'md (Markdown with Mermaid) or html (one self-contained page)')
        .choices(REPORT_FORMATS)
        .default('md'),
    )
    .addOption(titleOptions()[0] as Option)
    .addOption(titleOptions()[1] as Option)
    .option('--check', 'also print a one-line summary of the checks on standard error; exit 1 when one fails')
    .addOption(requireOption())
    .option('--all-runs', 'use every run in the logs, not only the latest one')
    .option(
      '--server-log <file>',
      "the teacher's server log (classroom): what the server saw of your clients, and only of them",
    )
    .action(async (args: string[], o: ReportCliOptions) => {
      if (args.length === 0 && process.stdin.isTTY) {
        reportError('report', labError('report-no-input', {}), o.lang);
        return;
      }
      try {
        const inputs = await openInputs(args, process.stdin);
        const server = o.serverLog ? await serverLogInput(o.serverLog, inputs) : undefined;
        const captures = await findCaptures(args);
        const analysis = await analyseWithServerLog(inputs, server, {
          allRuns: o.allRuns ?? false,
          require: o.require ?? [],
          ...(captures ? { captures } : {}),
        });
        const source = ourServerSource();
        const markdown = render(analysis, o.lang, {
          format: o.format,
          student: o.student,
          group: o.group,
          ...(source !== undefined ? { ours: oursView(source) } : {}),
        });
        if (o.out) {
          const out = o.out;
          await writing(out, async () => {
            await mkdir(dirname(out), { recursive: true });
            await writeFile(out, markdown);
          });
        } else {
          // Line by line through visible(): whatever a log field holds, no control character
          // reaches the terminal (or the pager) raw. Line ends and tabs are kept.
          process.stdout.write(markdown.split('\n').map(visible).join('\n'));
        }
        const empty = analysis.model.timeline.records.length === 0;
        if (o.check) {
          process.stderr.write(`socket-lab report: ${visible(summary(analysis, o.lang))}\n`);
          if (analysis.failed || empty) process.exitCode = 1;
        } else if (o.out) {
          const wrote = o.lang === 'ru' ? `записан ${o.out}` : `wrote ${o.out}`;
          process.stderr.write(`socket-lab report: ${visible(`${wrote}: ${summary(analysis, o.lang)}`)}\n`);
        }
      } catch (err) {
        // A LabError is the user's (a path that names no log, a log past its bounds): exit 2;
        // anything else is a bug and goes on to cli.ts (exit 70).
        if (err instanceof LabError) reportError('report', err, o.lang);
        else throw err;
      }
    });
}
