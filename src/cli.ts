#!/usr/bin/env node
import { CommanderError } from 'commander';
import { langOf, reportError } from './cli/common.js';
import { createProgram } from './cli/program.js';

try {
  await (await createProgram(process.argv)).parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has printed its sentence (or the help); a wrong use of the command exits 2, like
    // every other usage error of socket-lab.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    // Errors no subcommand expected still end as one sentence and a non-zero exit code.
    reportError(process.argv[2] ?? '', err, langOf(process.argv));
  }
}
