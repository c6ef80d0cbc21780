import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command, Option } from 'commander';
import { grade } from '../classroom/grade.js';
import { describeReason, renderCsv, renderMarkdown, summaryLine, visibleLine } from '../classroom/sheet.js';
import { LANGS, type Lang } from '../text/lang.js';
import type { CheckId } from '../report/index.js';
import { LabError, writing } from '../errors.js';
import { reportError } from './common.js';
import { requireOption } from './report.js';

interface GradeCliOptions {
  csv?: string;
  md?: string;
  lang: Lang;
  require?: CheckId[];
  serverLog?: string;
}

/** The teacher's step: every submission checked again from its raw logs, one row each. */
export function gradeCommand(): Command {
  return new Command('grade')
    .description(
      'check submissions made by socket-lab bundle: re-run every check from the raw logs, verify the files against the manifest, find runs handed in twice',
    )
    .argument('<paths...>', 'submission files (.tar.gz) and folders of them')
    .option('--csv <file>', 'write one row per submission as CSV')
    .option('--md <file>', 'write one row per submission as a Markdown table')
    .addOption(
      new Option('--lang <lang>', 'language of the summary, the Markdown headers and the reasons')
        .choices(LANGS)
        .default('en')
        .env('LAB_LANG'),
    )
    .addOption(requireOption())
    .option(
      '--server-log <file>',
      "the teacher's server log (classroom): every submission's clients must be connections this server saw",
    )
    .action(async (paths: string[], o: GradeCliOptions) => {
      const outputs = [o.csv, o.md].filter((p): p is string => p !== undefined);
      let result;
      try {
        result = await grade(paths, {
          require: o.require ?? [],
          exclude: outputs,
          ...(o.serverLog ? { serverLog: o.serverLog } : {}),
        });
      } catch (err) {
        // Only the teacher's own input (the --server-log file) can stop the whole grading.
        if (!(err instanceof LabError)) throw err;
        reportError('grade', err, o.lang);
        return;
      }
      for (const [file, text] of [
        [o.csv, () => renderCsv(result.rows, o.lang)],
        [o.md, () => renderMarkdown(result.rows, o.lang)],
      ] as const) {
        if (!file) continue;
        await writing(file, async () => {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, text());
        });
      }
      // Names and paths come from submissions: made terminal-safe before they reach the teacher's terminal.
      for (const row of result.rows.filter((r) => !r.pass)) {
        const who = row.student ? ` (${row.student}${row.group ? `, ${row.group}` : ''})` : '';
        const why =
          row.reuploadOf !== undefined
            ? o.lang === 'ru'
              ? `повторная сдача того же запуска; засчитывается ${row.reuploadOf}`
              : `a re-upload of the same run; ${row.reuploadOf} is the one graded`
            : row.reasons.map((r) => describeReason(r, o.lang)).join('; ');
        process.stdout.write(visibleLine(`${row.file}${who}: ${why}`) + '\n');
      }
      process.stdout.write(visibleLine(`socket-lab grade: ${summaryLine(result.rows, o.lang)}`) + '\n');
      process.exitCode = result.exitCode;
    });
}
