import { Command, Option } from 'commander';
import { collectLogs } from '../report/collect.js';
import type { CheckId } from '../report/index.js';
import { requireOption } from './report.js';

interface CollectCliOptions {
  from: string;
  to: string;
  check?: boolean;
  require?: CheckId[];
  allRuns?: boolean;
  serverLog?: string;
}

/** `socket-lab collect`: copies the logs out of the volume and writes both reports beside them. */
export function collectCommand(): Command {
  return new Command('collect')
    .description(
      'copy every *.jsonl log from the logs volume into a directory and write report.md and report.ru.md there',
    )
    .addOption(new Option('--from <dir>', 'where the containers wrote their logs').default('/logs'))
    .addOption(new Option('--to <dir>', 'where to put the copies and the reports').default('logs'))
    .option('--check', 'exit 1 when a check fails')
    .addOption(requireOption())
    .option('--all-runs', 'report every run in the logs, not only the latest one')
    .option('--server-log <file>', "the teacher's server log (classroom): read, not copied")
    .action(async (o: CollectCliOptions) => {
      try {
        const result = await collectLogs({
          from: o.from,
          to: o.to,
          allRuns: o.allRuns ?? false,
          require: o.require ?? [],
          ...(o.serverLog ? { serverLog: o.serverLog } : {}),
          warn: (m) => process.stderr.write(`socket-lab collect: ${m}\n`),
        });
        process.stdout.write(
          `socket-lab collect: copied ${result.files.length} log file(s) to ${o.to}; reports: ${result.reports.join(', ')}\n` +
            `socket-lab collect: ${result.summary}\n`,
        );
        if (o.check && result.failed) process.exitCode = 1;
      } catch (err) {
        process.stderr.write(`socket-lab collect: ${(err as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
