import { Option } from 'commander';

/** What `--student` / `--group` give a client program. */
export interface StudentCliOptions {
  student?: string;
  group?: string;
}

/**
 * `--student` / `--group` (LAB_STUDENT / LAB_GROUP, as in `bundle` and the report): the scripted
 * `--say` lines carry them, and the chat client takes its default nickname from the name. Compose
 * passes them empty when `.env` has none; empty means not given.
 */
export function studentOptions(): Option[] {
  return [
    new Option('--student <name>', 'your name: signs the --say lines (and names you in the chat)')
      .env('LAB_STUDENT')
      .argParser((v: string) => v.trim() || undefined),
    new Option('--group <group>', 'your group: signs the --say lines too')
      .env('LAB_GROUP')
      .argParser((v: string) => v.trim() || undefined),
  ];
}
