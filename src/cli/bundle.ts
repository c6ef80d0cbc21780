import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { type Bundle, createBundle } from '../classroom/bundle.js';
import { labSetting, readDotenv } from '../doctor/dotenv.js';
import { LabError, type MissingName, errorFields, labError, writing } from '../errors.js';
import { giveToParentOwner } from '../report/collect.js';
import { LANGS, type Lang } from '../text/lang.js';
import { reportError } from './common.js';

interface BundleCliOptions {
  out?: string;
  student?: string;
  group?: string;
  lang?: Lang;
  anonymous?: boolean;
}

/** Who hands the submission in, as the lab sees it: options and environment first, then `.env`. */
export interface Identity {
  student: string | undefined;
  group: string | undefined;
  lang: Lang;
}

/**
 * The student, the group and the language from `given` (options, or the environment through them),
 * else from the `.env` of the folder the command runs in, the file the Docker lab reads too.
 */
export async function identityFromLab(given: {
  student?: string | undefined;
  group?: string | undefined;
  lang?: Lang | undefined;
}): Promise<Identity> {
  const dotenv = await readDotenv();
  const lang = given.lang ?? labSetting('LAB_LANG', dotenv);
  return {
    student: given.student?.trim() || labSetting('LAB_STUDENT', dotenv),
    group: given.group?.trim() || labSetting('LAB_GROUP', dotenv),
    lang: LANGS.includes(lang as Lang) ? (lang as Lang) : 'en',
  };
}

/** What is missing for a submission the teacher can grade, or undefined when nothing is. */
export function missingNames(who: Identity): MissingName | undefined {
  if (who.student && who.group) return undefined;
  if (!who.student && !who.group) return 'name-and-group';
  return who.student ? 'group' : 'name';
}

export interface Submission {
  /** Where it was written, as the user gave the folder (logs/..., not an absolute path). */
  path: string;
  bundle: Bundle;
}

/**
 * Packs `logDir` into the submission file and writes it to `out` (a folder: the file is named
 * after the student and group; default: `logDir`). Refuses a nameless one unless `anonymous`.
 * Run as root (the report container), the file goes to the owner of the folder, like the reports.
 */
export async function writeSubmission(o: {
  logDir: string;
  out?: string | undefined;
  who: Identity;
  anonymous?: boolean | undefined;
}): Promise<Submission> {
  const missing = missingNames(o.who);
  if (missing && !o.anonymous) throw labError('no-name', { missing });
  const bundle = await createBundle({ logDir: o.logDir, student: o.who.student, group: o.who.group }).catch(
    (err: unknown) => {
      // A bound of the report (a file that is not a lab log, a run past RUN_LIMITS) is the
      // student's input, said in one sentence, not a bug of the lab.
      if (err instanceof LabError && (err.text === 'read-limit' || err.text === 'run-limit')) {
        throw labError('bundle-not-lab-logs', { dir: o.logDir, reason: errorFields(err) }, { cause: err });
      }
      throw err;
    },
  );
  let out = o.out ?? o.logDir;
  // `--out some/folder/` names a folder even before it exists: the file goes in it.
  const isDir =
    /[/\\]$/.test(out) ||
    (await stat(out).then(
      (s) => s.isDirectory(),
      () => false,
    ));
  if (isDir) out = join(out, bundle.fileName);
  const written = out;
  await writing(written, async () => {
    await mkdir(dirname(written), { recursive: true });
    await writeFile(written, bundle.bytes);
  });
  await giveToParentOwner(dirname(out), [out]);
  return { path: out, bundle };
}

/** The student's step: one file to hand in, named after the student. */
export function bundleCommand(): Command {
  return new Command('bundle')
    .description(
      "pack one run's logs, captures and reports with a manifest (student, group, version, the run's identity, SHA-256 of each file) into one .tar.gz to hand in; the name and group come from the options, the environment or the .env of this folder",
    )
    .argument('[logdir]', 'the folder with the logs (*.jsonl), captures (*.pcap) and reports', 'logs')
    .option(
      '--out <file>',
      'where to write the bundle (a folder: the file name is made from the student and group; default: the logs folder)',
    )
    .addOption(
      new Option(
        '--student <name>',
        'your name as the teacher knows it, e.g. "Иванов Иван" (else LAB_STUDENT in .env)',
      )
        .env('LAB_STUDENT')
        .argParser((v: string) => v.trim() || undefined),
    )
    .addOption(
      new Option('--group <group>', 'your group, e.g. ИУ7-32 (else LAB_GROUP in .env)')
        .env('LAB_GROUP')
        .argParser((v: string) => v.trim() || undefined),
    )
    .option('--anonymous', 'make the bundle even without a name or group (grading flags it)')
    .addOption(
      new Option('--lang <lang>', 'language of the messages (else LAB_LANG in .env)')
        .choices(LANGS)
        .env('LAB_LANG'),
    )
    .action(async (logDir: string, o: BundleCliOptions) => {
      let lang: Lang = o.lang ?? 'en';
      try {
        const who = await identityFromLab(o);
        lang = who.lang;
        const { path, bundle } = await writeSubmission({ logDir, out: o.out, who, anonymous: o.anonymous });
        for (const w of bundle.warnings) process.stderr.write(`socket-lab bundle: warning: ${w}\n`);
        const m = bundle.manifest;
        process.stdout.write(
          `socket-lab bundle: wrote ${path} (${m.files.length} files, ${bundle.bytes.length} bytes; run started ${m.run.serverStart ?? 'with no server in the logs'})\n`,
        );
      } catch (err) {
        if (err instanceof LabError) reportError('bundle', err, lang);
        else throw err;
      }
    });
}
