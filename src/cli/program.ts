import { Command } from 'commander';
import { VERSION } from '../version.js';
import { chatCommand } from './chat.js';
import { echoCommand } from './echo.js';
import { eventsCommand } from './events.js';
import { serverCommand } from './server.js';
import { demoCommand } from './demo.js';
import { benchCommand } from './bench.js';
import { collectCommand } from './collect.js';
import { reportCommand } from './report.js';
import { bundleCommand } from './bundle.js';
import { gradeCommand } from './grade.js';
import { doctorCommand } from './doctor.js';
import { wireCommand } from './wire.js';
import { routerCommand } from './router.js';
import { ownCommand } from './own.js';

/** The `socket-lab` command line: only wiring; each subcommand lives in its own file. */
export function createProgram(): Command {
  const program = new Command('socket-lab')
    .description('A sockets lab: TCP echo server, UDP multi-user chat, and clients that explain every event')
    .version(VERSION)
    .option('--debug', 'print the stack trace of an internal error (also LAB_DEBUG=1)')
    .showHelpAfterError('(run with --help for usage)');
  program.addCommand(serverCommand());
  program.addCommand(echoCommand());
  program.addCommand(chatCommand());
  program.addCommand(demoCommand());
  program.addCommand(eventsCommand());
  program.addCommand(benchCommand());
  program.addCommand(reportCommand());
  program.addCommand(collectCommand());
  program.addCommand(doctorCommand());
  program.addCommand(bundleCommand());
  program.addCommand(gradeCommand());
  program.addCommand(wireCommand());
  program.addCommand(routerCommand());
  program.addCommand(ownCommand());
  // Usage errors end in cli.ts with exit code 2 instead of commander's process.exit(1).
  program.exitOverride();
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}
