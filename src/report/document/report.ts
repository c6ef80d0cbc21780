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
import { type TitleInfo, goal, titleBlock } from './sections/title.js';

export interface DocumentOptions extends TitleInfo {
  lang: Lang;
  /** More sections per scenario, after its addresses and topology. */
  extraSections?: ExtraSections | undefined;
  /** Blocks added under a control question (by number), e.g. Q5's loss figures from the captures. */
  questionExtras?: Readonly<Record<number, readonly Block[]>> | undefined;
  /** Blocks placed at the end, after the appendix (e.g. "On the wire", what the packets showed). */
  trailing?: readonly Block[] | undefined;
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
  };
  const title = TEXTS[lang].title;
  return {
    title,
    lang,
    blocks: [
      heading(1, title),
      ...titleBlock(c, options),
      ...goal(c),
      ...mainTask(c),
      ...extraTasks(c),
      ...questions(c),
      ...conclusions(c),
      ...appendix(c),
      ...(options.trailing ?? []),
    ],
  };
}
