/** The bounds on what the report reads (per log, per run), and the errors that name a passed one. */
import { type LabError, type ReadLimit, labError } from '../errors.js';

/**
 * The bounds of one log as the report reads it. Real logs are tens of KB and their lines a few
 * hundred bytes (a preview is cut at 64 bytes); the bounds leave a wide margin and still keep a
 * hostile file from taking the teacher's memory or minutes of time.
 */
export const READ_LIMITS = {
  /** Longest line: a longer one refuses the whole input ("line 12 of x.jsonl is longer than 1 MiB"). */
  maxLineBytes: 1024 * 1024,
  /** Most bytes read from one log (a file, standard input, a member of a submission). */
  maxSourceBytes: 256 * 1024 * 1024,
  /** Most lines handed over in one batch: a chunk of blank lines must not become millions of strings at once. */
  maxBatchLines: 4096,
  /**
   * Most lines of one log that are not log lines of the lab (blank, not JSON, another program's):
   * past it the file is not a log of the lab (31 MiB of `x` lines passed grading once, after minutes).
   */
  maxForeignLines: 100_000,
} as const;

/**
 * An input past one of READ_LIMITS: a LabError (`read-limit`, exit 2 in the CLI) whose parameters
 * say which bound, `source` the name shown (a file name), `line` 1-based, `bytes` the bound.
 */
export const readLimitError = (limit: ReadLimit, source: string, line: number, bytes: number): LabError =>
  labError('read-limit', { limit, source, line, bytes });

/**
 * The bounds of one run, whatever its logs hold: a lab run has a few dozen programs, conversations
 * and chat messages; a class's run (the teacher's server) a few thousand. Past these the logs are
 * not one run of the lab, and the report and grading refuse them with one reason instead of
 * spending the teacher's minutes and memory on them.
 */
export const RUN_LIMITS = {
  /** Processes (source and pid). */
  maxPrograms: 1024,
  /** TCP connections, chat memberships and client sessions together. */
  maxConversations: 20_000,
  /** Chat lines: messages sent, received and relayed. */
  maxChatLines: 20_000,
  /**
   * Lines about the student's own programs: socket calls strace saw (own.call) and lines they
   * printed (own.output). A lab run makes a few hundred (a client's recv per KiB of a large echo,
   * a few thousand); each costs about 1 KB once read, and 420,000 of them took 426 MB in grade.
   * Counted while a log is read, so a hostile log is refused before it fills the memory.
   */
  maxOwnLines: 50_000,
} as const;

/** Logs past one of RUN_LIMITS: a LabError (`run-limit`) with what was counted, how many, and the bound. */
export const runLimitError = (what: keyof typeof RUN_LIMITS, count: number, limit: number): LabError =>
  labError('run-limit', { what, count, limit });
