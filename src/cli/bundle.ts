import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { createBundle } from '../classroom/bundle.js';
import { LabError, labError } from '../errors.js';
import { reportError } from './common.js';

interface BundleCliOptions {
  out?: string;
  student?: string;
  group?: string;
}

/** The student's step: one file to hand in, named after the student. */
export function bundleCommand(): Command {
  return new Command('bundle')
    .description(
      "pack one run's logs, captures and reports with a manifest (student, group, version, the run's identity, SHA-256 of each file) into one .tar.gz to hand in",
    )
    .argument('[logdir]', 'the folder with the logs (*.jsonl), captures (*.pcap) and reports', 'logs')
    .option(
      '--out <file>',
      'where to write the bundle (a folder: the file name is made from the student and group; default: the logs folder)',
    )
    .addOption(
      new Option('--student <name>', 'your name as the teacher knows it, e.g. "Иванов Иван"').env(
        'LAB_STUDENT',
      ),
    )
    .addOption(new Option('--group <group>', 'your group, e.g. ИУ7-32').env('LAB_GROUP'))
    .action(async (logDir: string, o: BundleCliOptions) => {
      try {
        const bundle = await createBundle({ logDir, student: o.student, group: o.group });
        let out = o.out ?? logDir;
        const isDir = await stat(out).then(
          (s) => s.isDirectory(),
          () => false,
        );
        if (isDir) out = join(out, bundle.fileName);
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, bundle.bytes).catch((err: NodeJS.ErrnoException) => {
          throw labError(
            'file-unwritable',
            { file: out, reason: err.code ?? err.message },
            {
              cause: err,
            },
          );
        });
        for (const w of bundle.warnings) process.stderr.write(`socket-lab bundle: warning: ${w}\n`);
        const m = bundle.manifest;
        process.stdout.write(
          `socket-lab bundle: wrote ${out} (${m.files.length} files, ${bundle.bytes.length} bytes; run started ${m.run.serverStart ?? 'with no server in the logs'})\n`,
        );
      } catch (err) {
        if (err instanceof LabError) reportError('bundle', err);
        else throw err;
      }
    });
}
