import { Command, Option } from 'commander';
import { collectLogs } from '../report/collect.js';
import type { CheckId } from '../report/index.js';
import { LabError, labError, localizeError } from '../errors.js';
import { reportError } from './common.js';
import { LANGS, type Lang } from '../text/lang.js';
import { identityFromLab, missingNames, writeSubmission } from './bundle.js';
import { requireOption, titleOptions } from './report.js';

interface CollectCliOptions {
  from: string;
  to: string;
  check?: boolean;
  require?: CheckId[];
  allRuns?: boolean;
  serverLog?: string;
  student?: string;
  group?: string;
  bundle?: boolean;
  lang?: Lang;
}

/** `socket-lab collect`: copies the logs out of the volume and writes both reports beside them. */
export function collectCommand(): Command {
  return new Command('collect')
    .description(
      'copy every *.jsonl log from the logs volume into a directory and write the reports there: report.md, report.ru.md, report.html, report.ru.html',
    )
    .addOption(new Option('--from <dir>', 'where the containers wrote their logs').default('/logs'))
    .addOption(new Option('--to <dir>', 'where to put the copies and the reports').default('logs'))
    .addOption(titleOptions()[0] as Option)
    .addOption(titleOptions()[1] as Option)
    .option('--check', 'exit 1 when a check fails')
    .addOption(requireOption())
    .option('--all-runs', 'report every run in the logs, not only the latest one')
    .option('--server-log <file>', "the teacher's server log (classroom): read, not copied")
    .option(
      '--bundle',
      'also write the submission file (as socket-lab bundle names it) beside the reports; without a student name, say which setting to fill in and exit 2, the reports kept',
    )
    .addOption(
      new Option('--lang <lang>', 'language of the messages about the submission (else LAB_LANG in .env)')
        .choices(LANGS)
        .env('LAB_LANG'),
    )
    .action(async (o: CollectCliOptions) => {
      let lang: Lang = o.lang ?? 'en';
      try {
        // The name and group as the lab has them: options, the environment, then this folder's .env.
        const who = await identityFromLab(o);
        lang = who.lang;
        o.student = who.student;
        o.group = who.group;
        const result = await collectLogs({
          from: o.from,
          to: o.to,
          allRuns: o.allRuns ?? false,
          require: o.require ?? [],
          ...(o.serverLog ? { serverLog: o.serverLog } : {}),
          student: o.student,
          group: o.group,
          lang: who.lang,
          warn: (m) => process.stderr.write(`socket-lab collect: ${m}\n`),
        });
        const copied =
          who.lang === 'ru'
            ? `скопировано файлов журналов в ${o.to}: ${result.files.length}; отчёты: ${result.reports.join(', ')}`
            : `copied ${result.files.length} log file(s) to ${o.to}; reports: ${result.reports.join(', ')}`;
        process.stdout.write(`socket-lab collect: ${copied}\n` + `socket-lab collect: ${result.summary}\n`);
        if (o.check && result.failed) process.exitCode = 1;
        if (o.bundle) await submission(o.to, who);
      } catch (err) {
        // Only a LabError is the user's to fix (a volume not mounted, no logs, a folder not
        // writable): its sentence in their language, exit 2. Anything else is a bug: cli.ts says
        // so (exit 70, the stack with --debug or LAB_DEBUG=1).
        if (!(err instanceof LabError)) throw err;
        reportError('collect', err, lang);
      }
    });
}

/**
 * The hand-in step of `docker compose run --rm report`: the submission file beside the reports, its
 * name printed as the user sees it. Without a name the reports stay and the student is told, in
 * their language, which setting to fill in; the exit code (2) says the hand-in part failed.
 */
async function submission(logDir: string, who: Awaited<ReturnType<typeof identityFromLab>>): Promise<void> {
  const say = (en: string, ru: string) => (who.lang === 'ru' ? ru : en);
  const missing = missingNames(who);
  if (missing) {
    process.stderr.write(
      `socket-lab collect: ${labError('no-name-collect', { missing }).localized(who.lang)}\n`,
    );
    process.exitCode = 2;
    return;
  }
  try {
    const { path } = await writeSubmission({ logDir, who });
    process.stdout.write(
      say(
        `socket-lab collect: your submission: ${path} (hand in this file)\n`,
        `socket-lab collect: файл для сдачи: ${path} (его и сдайте преподавателю)\n`,
      ),
    );
  } catch (err) {
    if (!(err instanceof LabError)) throw err;
    process.stderr.write(`socket-lab collect: ${localizeError(err, who.lang)}\n`);
    process.exitCode = 2;
  }
}
