import type { Lang } from '../log/events.js';
import { type LabModel, aggregate } from './aggregate.js';
import { type CheckId, type CheckResult, type Finding, checkSummary, runChecks } from './check.js';
import { renderMarkdown } from './markdown.js';
import { type LineSource, parseSource } from './parse.js';
import { describeFinding } from './texts.js';
import { mergeSources } from './timeline.js';
import {
  type CaptureFiles,
  type WireAnalysis,
  type WireFinding,
  analyseWire,
  renderWire,
} from './wire-section.js';

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
  /** Captures found beside the logs (findCaptures): the report then explains the packets. */
  captures?: CaptureFiles;
}

/** The logs, understood: the model of the run and every check's result. */
export interface Analysis {
  /** Programs, sessions, connections and the merged timeline. */
  model: LabModel;
  /** One result per check, in CHECK_IDS order. */
  checks: CheckResult[];
  /** True when any check failed (the wire check included). */
  failed: boolean;
  /** The packets, when captures were given (wire-section.ts). */
  wire?: WireAnalysis;
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
  const wire = options.captures ? await analyseWire(model, options.captures) : undefined;
  const failed = checks.some((c) => c.status === 'fail') || wire?.check.status === 'fail';
  return { model, checks, failed, ...(wire ? { wire } : {}) };
}

/** The report in `lang`. */
export function render(analysis: Analysis, lang: Lang): string {
  const doc = renderMarkdown(analysis.model, analysis.checks, { lang });
  return analysis.wire ? `${doc.trimEnd()}\n\n${renderWire(analysis.wire, analysis.model, lang)}` : doc;
}

/** One line for a terminal about the checks, in English (what scripts and CI logs read). */
export function summary(analysis: Analysis): string {
  if (analysis.model.timeline.records.length === 0)
    return 'no socket-lab log line in the input: nothing to check';
  const all = analysis.wire ? [...analysis.checks, analysis.wire.check] : analysis.checks;
  return checkSummary<Finding | WireFinding>(all, (f) => ('en' in f ? f.en : describeFinding(f, 'en')));
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
export {
  type CaptureFiles,
  type WireAnalysis,
  findCaptures,
  wireScenarioSection,
  wireSectionTitle,
} from './wire-section.js';
export { lossAnswer, lossFigures, LOSS_COMMAND } from './wire-loss.js';
