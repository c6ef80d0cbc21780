/**
 * The report as a document: the course's sections in the course's order (title block, goal, main
 * task, extra tasks, the seven questions, conclusions), the packets when there are captures, then
 * the evidence as an appendix. Each section is a function of the run in sections/; rendering is
 * markdown.ts's and html.ts's.
 */
import type { Lang } from '../../log/events.js';
import type { LabModel } from '../aggregate.js';
import type { CheckResult } from '../check.js';
import { sentLines } from '../lines.js';
import { TEXTS } from '../texts.js';
import { heading } from './build.js';
import type { Block, Document } from './model.js';
import { appendix } from './sections/appendix.js';
import { conclusions } from './sections/conclusions.js';
import { type Ctx, type ExtraSections, chunkSizeOf } from './sections/context.js';
import { extraTasks } from './sections/extra-tasks.js';
import { mainTask } from './sections/main-task.js';
import { questions } from './sections/questions.js';
import { setup } from './sections/setup.js';
import { type TitleInfo, goal, titleBlock } from './sections/title.js';

/** The report's sections, in order: where others can place blocks of their own (DocumentOptions.after). */
export const SECTIONS = [
  'title',
  'goal',
  'setup',
  'main-task',
  'extra-tasks',
  'questions',
  'conclusions',
  'appendix',
] as const;
export type SectionId = (typeof SECTIONS)[number];

export interface DocumentOptions extends TitleInfo {
  lang: Lang;
  /** More sections per scenario, after its addresses and topology. */
  extraSections?: ExtraSections | undefined;
  /** Checks shown elsewhere (the capture's), counted with the others: Ctx.extraChecks. */
  extraChecks?: Ctx['extraChecks'];
  /** Blocks added under a control question (by number), e.g. Q5's loss figures from the captures. */
  questionExtras?: Readonly<Record<number, readonly Block[]>> | undefined;
  /**
   * Blocks placed after a section, e.g. a student's own programs ("Implementation") after the main
   * task, or what the packets showed after the appendix. Headings in them should be level 2 (a
   * section) or deeper.
   */
  after?: Partial<Record<SectionId, readonly Block[]>> | undefined;
}

/** The whole report of one run as a document. */
export function reportDocument(
  model: LabModel,
  checks: readonly CheckResult[],
  options: DocumentOptions,
): Document {
  const { lang } = options;
  const chunk = chunkSizeOf(model);
  const lines = new Map(model.echo.map((s) => [s, sentLines(s, chunk)] as const));
  const c: Ctx = {
    model,
    checks,
    lang,
    chunk,
    lines,
    extras: options.questionExtras ?? {},
    extraSections: options.extraSections,
    ...(options.extraChecks ? { extraChecks: options.extraChecks } : {}),
  };
  const title = TEXTS[lang].title;
  const build: Record<SectionId, () => Block[]> = {
    title: () => [heading(1, title), ...titleBlock(c, options)],
    goal: () => goal(c),
    setup: () => setup(c),
    'main-task': () => mainTask(c),
    'extra-tasks': () => extraTasks(c),
    questions: () => questions(c),
    conclusions: () => conclusions(c),
    appendix: () => appendix(c),
  };
  return {
    title,
    lang,
    blocks: SECTIONS.flatMap((id) => [...build[id](), ...(options.after?.[id] ?? [])]),
  };
}
