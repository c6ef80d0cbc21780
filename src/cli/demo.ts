import { Command, Option } from 'commander';
import { runDemo } from '../demo/demo.js';
import { DEMO_TEXTS } from '../demo/texts.js';
import { LANGS, type Lang } from '../text/lang.js';
import { createLogger, prettyLine } from '../log/logger.js';
import { parseHost, reportError } from './common.js';

interface DemoOptions {
  lanHost?: string;
  lang: Lang;
  quiet?: boolean;
}

/** `socket-lab demo`: runs the demo engine and prints its outcomes. */
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'without Docker: run the scenarios one machine can show (loopback, network address, 127.0.0.1 mistake, chat) and check them',
    )
    .addOption(
      new Option(
        '--lan-host <address>',
        "this machine's non-loopback address (default: the first one found)",
      ).argParser(parseHost),
    )
    .addOption(
      new Option('--lang <lang>', 'language of the explanations')
        .choices(LANGS)
        .default('en')
        .env('LAB_LANG'),
    )
    .option('--quiet', 'print only the results, not every event')
    .action(async (o: DemoOptions) => {
      const lines: string[] = [];
      const pretty = prettyLine(Boolean(process.stdout.isTTY));
      const { log, flush } = createLogger({
        format: 'json',
        level: 'info',
        lang: o.lang,
        destination: {
          write(line) {
            lines.push(line.trimEnd());
            if (!o.quiet) process.stdout.write(pretty(line));
          },
        },
      });
      try {
        const outcomes = await runDemo({ lanHost: o.lanHost, log, lines });
        await flush();
        const t = DEMO_TEXTS;
        process.stdout.write(`\n${t.results[o.lang]({})}\n`);
        const word = { pass: t.pass, fail: t.fail, 'not-applicable': t['not-applicable'] };
        for (const r of outcomes) {
          process.stdout.write(`  ${word[r.verdict][o.lang]({})}  ${r.scenario.padEnd(8)} ${r.detail}\n`);
        }
        // A scenario this machine cannot show is counted apart: it neither passes nor fails the demo.
        const na = outcomes.filter((r) => r.verdict === 'not-applicable').length;
        const failed = outcomes.filter((r) => r.verdict === 'fail').length;
        const n = outcomes.length - na;
        const summary =
          failed > 0
            ? t['some-failed'][o.lang]({ failed, n })
            : na > 0
              ? t['passed-some-na'][o.lang]({ n, na })
              : t['all-passed'][o.lang]({ n });
        process.stdout.write(`${summary}\n`);
        process.exitCode = failed === 0 ? 0 : 1;
      } catch (err) {
        reportError('demo', err);
      }
    });
}
