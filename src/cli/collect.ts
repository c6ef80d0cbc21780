import { chown, copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { type CheckId, analyse, render, summary } from '../report/index.js';
import { jsonlFiles, lazyLines, sourceName } from '../report/sources.js';
import { requireOption } from './report.js';

interface CollectCliOptions {
  from: string;
  to: string;
  check?: boolean;
  require?: CheckId[];
  allRuns?: boolean;
}

export interface CollectResult {
  files: string[];
  reports: string[];
  summary: string;
  failed: boolean;
}

/**
 * Copies every `*.jsonl` of `from` into `to` byte for byte, writes `report.md` (English) and
 * `report.ru.md` (Russian) beside them, and gives it all to the owner of `to`'s parent directory:
 * run as root in a container with the project directory mounted, the files end up belonging to
 * the user who owns the project, not to root.
 */
export async function collectLogs(o: {
  from: string;
  to: string;
  allRuns?: boolean;
  require?: readonly CheckId[];
  warn?: (message: string) => void;
}): Promise<CollectResult> {
  const files = await jsonlFiles(o.from).catch((err: NodeJS.ErrnoException) => {
    throw new Error(
      err.code === 'ENOENT'
        ? `${o.from} does not exist: is the logs volume mounted there?`
        : `cannot read ${o.from}: ${err.message}`,
    );
  });
  if (files.length === 0) {
    throw new Error(`no *.jsonl files in ${o.from}: run the lab first (docker compose up)`);
  }
  await mkdir(o.to, { recursive: true });
  const copies: string[] = [];
  for (const file of files) {
    const target = join(o.to, basename(file));
    await copyFile(file, target);
    copies.push(target);
  }
  const analysis = await analyse(
    copies.map((f) => ({ name: sourceName(f), lines: lazyLines(f) })),
    { allRuns: o.allRuns ?? false, require: o.require ?? [] },
  );
  const reports = [join(o.to, 'report.md'), join(o.to, 'report.ru.md')];
  await writeFile(reports[0] as string, render(analysis, 'en'));
  await writeFile(reports[1] as string, render(analysis, 'ru'));
  await giveToParentOwner(o.to, [...copies, ...reports], o.warn);
  return { files: copies, reports, summary: summary(analysis), failed: analysis.failed };
}

async function giveToParentOwner(dir: string, files: string[], warn?: (m: string) => void): Promise<void> {
  // Only root can give files away; anyone else already owns what it wrote.
  if (process.getuid?.() !== 0) return;
  // Always, even to root: copyFile keeps the source's owner (the container's `node` user).
  const owner = await stat(dirname(resolve(dir)));
  try {
    for (const path of [dir, ...files]) await chown(path, owner.uid, owner.gid);
  } catch (err) {
    // Some mounts (Docker Desktop's file sharing) do not keep ownership; the files are still there.
    warn?.(`could not give ${dir} to uid ${owner.uid}: ${(err as Error).message}`);
  }
}

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
    .action(async (o: CollectCliOptions) => {
      try {
        const result = await collectLogs({
          from: o.from,
          to: o.to,
          allRuns: o.allRuns ?? false,
          require: o.require ?? [],
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
