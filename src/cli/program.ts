import { Command } from 'commander';
import { VERSION } from '../version.js';

/**
 * Every subcommand and the module that defines it. Loaded on demand: `socket-lab server` loads the
 * server's modules only, not the report, the wire reader or the benchmark (a start took 0.28 s of
 * CPU with all 15 loaded, 0.12 s with its own; the compose healthcheck starts `health` every few
 * seconds, the tests start the CLI ~150 times).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  server: async () => (await import('./server.js')).serverCommand(),
  echo: async () => (await import('./echo.js')).echoCommand(),
  chat: async () => (await import('./chat.js')).chatCommand(),
  demo: async () => (await import('./demo.js')).demoCommand(),
  events: async () => (await import('./events.js')).eventsCommand(),
  bench: async () => (await import('./bench.js')).benchCommand(),
  report: async () => (await import('./report.js')).reportCommand(),
  collect: async () => (await import('./collect.js')).collectCommand(),
  doctor: async () => (await import('./doctor.js')).doctorCommand(),
  bundle: async () => (await import('./bundle.js')).bundleCommand(),
  grade: async () => (await import('./grade.js')).gradeCommand(),
  wire: async () => (await import('./wire.js')).wireCommand(),
  router: async () => (await import('./router.js')).routerCommand(),
  health: async () => (await import('./health.js')).healthCommand(),
  own: async () => (await import('./own.js')).ownCommand(),
};

/** Every subcommand's name, in the order the help lists them. */
export const COMMAND_NAMES = Object.keys(COMMANDS);

/**
 * The subcommand `argv` names: its first word after the global flags (which take no value), when it
 * is one of ours; undefined for help, `--version`, no command or a misspelt one (all are loaded
 * then, so the help lists them and commander can suggest the nearest).
 */
export function commandOf(argv: readonly string[]): string | undefined {
  const word = argv.slice(2).find((a) => !a.startsWith('-'));
  return word !== undefined && Object.hasOwn(COMMANDS, word) ? word : undefined;
}

/** The `socket-lab` command line: only wiring; each subcommand lives in its own file. */
export async function createProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('socket-lab')
    .description('A sockets lab: TCP echo server, UDP multi-user chat, and clients that explain every event')
    .version(VERSION)
    .option('--debug', 'print the stack trace of an internal error (also LAB_DEBUG=1)')
    .showHelpAfterError('(run with --help for usage)');
  const only = commandOf(argv);
  const names = only !== undefined ? [only] : Object.keys(COMMANDS);
  for (const command of await Promise.all(names.map((n) => COMMANDS[n]!()))) program.addCommand(command);
  // Usage errors end in cli.ts with exit code 2 instead of commander's process.exit(1).
  program.exitOverride();
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}
