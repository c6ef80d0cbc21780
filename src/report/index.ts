import type { Lang } from '../log/events.js';
import { type LabModel, aggregate } from './aggregate.js';
import { type CheckId, type CheckResult, checkSummary, runChecks } from './check.js';
import { renderMarkdown } from './markdown.js';
import { type LineSource, parseSource } from './parse.js';
import { describeFinding } from './texts.js';
import { mergeSources } from './timeline.js';

/** One source of log lines: a container's file, or standard input. */
export interface ReportInput {
  /** The name the report shows (a file name without its extension, or `stdin`). */
  name: string;
  /** Its lines, one by one or in batches (see LineSource). */
  lines: LineSource;
}

/** How to read the logs. */
export interface AnalyseOptions {
  /** Use every run in the logs, not only the latest (from its `server.starting` on). */
  allRuns?: boolean;
  /** Checks that fail, instead of being "not applicable", when the logs lack what they check. */
  require?: readonly CheckId[];
}

/** The logs, understood: the model of the run and every check's result. */
export interface Analysis {
  /** Programs, sessions, connections and the merged timeline. */
  model: LabModel;
  /** One result per check, in CHECK_IDS order. */
  checks: CheckResult[];
  /** True when any check failed. */
  failed: boolean;
}

/**
 * parse -> merge -> aggregate -> check: everything but the rendering. Reads each input once, as a
 * stream, keeping what the report shows (see RETAIN_HEAD) and exact counts of everything else.
 */
export async function analyse(
  inputs: readonly ReportInput[],
  options: AnalyseOptions = {},
): Promise<Analysis> {
  const parsed = [];
  for (const input of inputs) parsed.push(await parseSource(input.name, input.lines));
  const model = aggregate(mergeSources(parsed, { allRuns: options.allRuns ?? false }));
  const checks = runChecks(model, { require: options.require ?? [] });
  return { model, checks, failed: checks.some((c) => c.status === 'fail') };
}

/** The report in `lang`. */
export function render(analysis: Analysis, lang: Lang): string {
  return renderMarkdown(analysis.model, analysis.checks, { lang });
}

/** One line for a terminal about the checks, in English (what scripts and CI logs read). */
export function summary(analysis: Analysis): string {
  if (analysis.model.timeline.records.length === 0)
    return 'no socket-lab log line in the input: nothing to check';
  return checkSummary(analysis.checks, (f) => describeFinding(f, 'en'));
}

export {
  type AddressRule,
  CHECK_IDS,
  REQUIRABLE,
  type CheckId,
  type CheckResult,
  checkAddresses,
} from './check.js';
export { type ConnAccount, type PortionCounts, accountConnections, relayCounts } from './accounting.js';
export { type LabModel, type EchoSession, type ChatSession, type ServerConn } from './aggregate.js';
export { type LineSource, type LogRecord, RETAIN_HEAD, RETAIN_TAIL } from './parse.js';
export { lazyLines, linesOf, openInputs } from './sources.js';
