import { basename } from 'node:path';
import { analyseWithServerLog } from '../report/classroom.js';
import { type Analysis, type AnalyseOptions, type LineSource, analyse } from '../report/index.js';
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
  serverLog?: { name: string; lines: () => LineSource },
): Promise<SubmissionRun> {
  const inputs = logs.map(([path, data]) => ({ name: sourceName(path), lines: lazy(data, basename(path)) }));
  const own = await analyse(inputs, options);
  // With the teacher's log, the classroom clients are judged by what the teacher's server saw; the
  // identity stays the submission's own (the manifest describes the student's logs alone).
  const analysis = serverLog ? await analyseWithServerLog(inputs, serverLog, options) : own;
  return { analysis, identity: runIdentity(own.model) };
}

/** The member in 256 KiB views (no copy), the reads lazyLines() makes of a file. */
function* pieces(data: Buffer): Generator<Buffer> {
  for (let at = 0; at < data.length; at += 1 << 18) yield data.subarray(at, at + (1 << 18));
}

/** The member's lines, cut only when the report starts reading this source (see linesOf). */
function lazy(data: Buffer, name: string): AsyncIterable<string[]> {
  return {
    [Symbol.asyncIterator]() {
      return linesOf(pieces(data), name)[Symbol.asyncIterator]();
    },
  };
}
