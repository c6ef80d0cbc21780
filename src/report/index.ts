import { OWN_WHERE_SHORT } from './own-texts.js';
import { implementationSection } from './own-section.js';
import type { OursView } from './own-implementation.js';
import type { Lang } from '../text/lang.js';
import { type LabModel, aggregate } from './aggregate.js';
import { type CheckId, type CheckResult, type Finding, checkSummary, runChecks } from './check.js';
import { toHtml } from './document/html.js';
import { toMarkdown } from './document/markdown.js';
import type { Document } from './document/model.js';
import { type DocumentOptions, reportDocument } from './document/report.js';
import type { ExtraSections } from './document/sections/context.js';
import { type ReportInput, parseSource } from './parse.js';
import { describeFinding } from './texts.js';
import { mergeSources, reorderCausally } from './timeline.js';
import { causalLinks } from './causal.js';
import { lossAnswer } from './wire-loss.js';
import {
  type CaptureFiles,
  type WireAnalysis,
  type WireFinding,
  analyseWire,
  wireCheckEntry,
  wireSection,
} from './wire-section.js';

/** The report's formats. */
export type ReportFormat = 'md' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html'];

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
  const merged = mergeSources(parsed, { allRuns: options.allRuns ?? false });
  // Matching clients with the server needs the model; the causal order needs the matches.
  const first = aggregate(merged);
  const model = aggregate(reorderCausally(merged, causalLinks(first)));
  const checks = runChecks(model, { require: options.require ?? [] });
  const wire = options.captures ? await analyseWire(model, options.captures) : undefined;
  const failed = checks.some((c) => c.status === 'fail') || wire?.check.status === 'fail';
  return { model, checks, failed, ...(wire ? { wire } : {}) };
}

/** How to render the report, beyond its language. */
export interface ReportOptions {
  /** The student's name for the title block (`LAB_STUDENT`); a marked placeholder when unset. */
  student?: string;
  /** The student's group (`LAB_GROUP`); a marked placeholder when unset. */
  group?: string;
  /** `md` (Markdown with Mermaid, the default) or `html` (one self-contained page with SVG diagrams). */
  format?: ReportFormat;
  /** More sections per scenario (e.g. what the packets showed), placed after its addresses. */
  extraSections?: ExtraSections;
  /** Blocks placed after a section of the report (e.g. a student's own programs after the main task). */
  after?: DocumentOptions['after'];
  /**
   * Our echo server's read and write lines (oursView over its source, which the caller reads):
   * the Implementation section shows them when no program of the student's ran.
   */
  ours?: OursView;
}

/** The report in `lang` as a document: the course's report from this run, then the evidence. */
export function reportOf(
  analysis: Analysis,
  lang: Lang,
  options: Omit<ReportOptions, 'format'> = {},
): Document {
  return reportDocument(analysis.model, analysis.checks, {
    lang,
    student: options.student,
    group: options.group,
    extraSections: options.extraSections,
    // The capture's check is shown (after the appendix) and so counted with the others.
    ...(analysis.wire ? { extraChecks: [wireCheckEntry(analysis.wire.check)] } : {}),
    // Q5 with this run's loss and retransmissions, when there are captures (else the command to see them).
    questionExtras: analysis.wire ? { 5: lossAnswer(analysis.model, analysis.wire, lang) } : {},
    after: {
      ...options.after,
      // A student's own programs: their code and calls, right after the main task they answer.
      'main-task': [
        ...(options.after?.['main-task'] ?? []),
        ...implementationSection(
          analysis.model.timeline.records,
          lang,
          options.ours,
          // The captures that could be read, for a chat program's datagrams beside its calls.
          (analysis.wire?.captures ?? []).flatMap((c) =>
            c.read?.result.ok ? [{ side: c.side, name: c.name, flows: c.read.flows }] : [],
          ),
          analysis.checks,
        ),
      ],
      // What the packets showed, when the run has captures: after the appendix.
      appendix: [
        ...(options.after?.appendix ?? []),
        ...(analysis.wire ? wireSection(analysis.wire, analysis.model, lang) : []),
      ],
    },
  });
}

/**
 * The report in `lang`, written as Markdown (Mermaid diagrams) or as one HTML page (SVG
 * diagrams): one document, two renderers, the escaping in each renderer.
 */
export function render(analysis: Analysis, lang: Lang, options: ReportOptions = {}): string {
  const doc = reportOf(analysis, lang, options);
  return options.format === 'html' ? toHtml(doc) : toMarkdown(doc);
}

/**
 * One line for a terminal about the checks, in `lang` (the student's, LAB_LANG); the check ids
 * stay as they are in either language, for scripts and `--require`.
 */
export function summary(analysis: Analysis, lang: Lang = 'en'): string {
  if (analysis.model.timeline.records.length === 0)
    return lang === 'ru'
      ? 'во входных данных нет ни одной строки журнала socket-lab: проверять нечего'
      : 'no socket-lab log line in the input: nothing to check';
  // The report's checks, counted as the report counts them; the capture's check is said when it fails.
  return checkSummary<Finding | WireFinding>(
    analysis.checks,
    (f) =>
      'en' in f
        ? f[lang]
        : describeFinding(f, lang) +
          (f.where ? OWN_WHERE_SHORT[lang][f.where.how](`${f.where.path}:${f.where.line}`) : ''),
    lang,
    analysis.wire?.check,
  );
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
export { type LineSource, type LogRecord, type ReportInput, RETAIN_HEAD, RETAIN_TAIL } from './parse.js';
export { lazyLines, linesOf, openInputs, ourServerSource } from './sources.js';
export { type OursView, oursView } from './own-implementation.js';
export { type ExtraSections, REPORT_REVISION, type Section } from './document/sections/context.js';
export type { Block, Document, Inline } from './document/model.js';
export { toHtml } from './document/html.js';
export { toMarkdown } from './document/markdown.js';
export { SECTIONS, type SectionId } from './document/report.js';
export {
  type CaptureFiles,
  type WireAnalysis,
  findCaptures,
  wireScenarioSection,
  wireSectionTitle,
} from './wire-section.js';
export { lossAnswer, lossFigures, LOSS_COMMAND } from './wire-loss.js';
