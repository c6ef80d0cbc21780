#!/usr/bin/env node
import { reportError } from './cli/common.js';
import { createProgram } from './cli/program.js';

try {
  await createProgram().parseAsync(process.argv);
} catch (err) {
  // Errors no subcommand expected still end as one sentence and a non-zero exit code.
  reportError(process.argv[2] ?? '', err);
}
