import { Readable } from 'node:stream';
import { type Analysis, type AnalyseOptions, analyse } from '../report/index.js';
import { type RunIdentity, runIdentity } from '../report/identity.js';
import { linesOf, sourceName } from '../report/sources.js';

/** A submission's run as src/report reads it: the checks and the identity, from the raw logs. */
export interface SubmissionRun {
  analysis: Analysis;
  identity: RunIdentity;
}

/**
 * Reads log files held in memory through src/report, exactly as `socket-lab report` reads them from
 * disk (the same line splitting, the same parser), so bundling and grading see the same run.
 */
export async function readRun(
  logs: ReadonlyArray<readonly [path: string, data: Buffer]>,
  options: AnalyseOptions = {},
): Promise<SubmissionRun> {
  const analysis = await analyse(
    logs.map(([path, data]) => ({ name: sourceName(path), lines: lazy(data) })),
    options,
  );
  return { analysis, identity: runIdentity(analysis.model) };
}

/**
 * The readline interface is made only when the report starts reading this source: one made earlier
 * would emit its lines before anyone listens, and they would be lost (what lazyLines() does for files).
 */
function lazy(data: Buffer): AsyncIterable<string[]> {
  return {
    [Symbol.asyncIterator]() {
      return linesOf(Readable.from([data]))[Symbol.asyncIterator]();
    },
  };
}
