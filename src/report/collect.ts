import type { Lang } from '../log/events.js';
import { findCaptures } from './wire-section.js';
import { labError, writing } from '../errors.js';
import { constants, createWriteStream } from 'node:fs';
import { chown, mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { analyseWithServerLog, serverLogInput } from './classroom.js';
import { type CheckId, oursView, ourServerSource, render, summary } from './index.js';
import { jsonlFiles, lazyLines, sourceName } from './sources.js';

/** What `collectLogs` wrote and what the checks said. */
export interface CollectResult {
  /** The copies of the logs. */
  files: string[];
  /** report.md, report.ru.md, report.html, report.ru.html. */
  reports: string[];
  /** The checks in one line (see `summary`). */
  summary: string;
  /** True when a check failed. */
  failed: boolean;
}

/**
 * Copies every `*.jsonl` (and every packet capture, `*.pcap`, or note of one turned off, `*.off`) of
 * `from` into `to` byte for byte, writes the report beside them in English and Russian, Markdown and
 * HTML (`report.md`, `report.ru.md`, `report.html`, `report.ru.html`), and gives it all to the owner
 * of `to`'s parent directory:
 * run as root in a container with the project directory mounted, the files end up belonging to
 * the user who owns the project, not to root.
 */
export async function collectLogs(o: {
  from: string;
  to: string;
  allRuns?: boolean;
  require?: readonly CheckId[];
  /** The teacher's server log (classroom): read with the logs, not copied (see analyseWithServerLog). */
  serverLog?: string;
  /** Title block (see ReportOptions). */
  student?: string | undefined;
  group?: string | undefined;
  /** The language of `summary` (the reports are written in both). */
  lang?: Lang;
  warn?: (message: string) => void;
}): Promise<CollectResult> {
  const files = await jsonlFiles(o.from).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT'
      ? labError('collect-from-missing', { dir: o.from }, { cause: err })
      : labError('input-unreadable', { path: o.from, reason: err.code ?? err.message }, { cause: err });
  });
  if (files.length === 0) {
    throw labError('collect-no-logs', { dir: o.from });
  }
  await writing(o.to, () => mkdir(o.to, { recursive: true }));
  const copies: string[] = [];
  // Logs, then the packet captures (and the notes of captures turned off) beside them, for
  // Wireshark. Regular files only: a link or a FIFO is not copied (nor followed).
  const captureNames = (await readdir(o.from)).filter((n) => /\.(pcap|off)$/.test(n)).sort();
  for (const file of [...files, ...captureNames.map((n) => join(o.from, n))]) {
    const target = join(o.to, basename(file));
    if (!(await writing(target, () => copyRegular(file, target)))) {
      o.warn?.(`${basename(file)} is not a regular file: not copied`);
      continue;
    }
    copies.push(target);
  }
  const inputs = copies
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => ({ name: sourceName(f), lines: lazyLines(f) }));
  const server = o.serverLog ? await serverLogInput(o.serverLog, inputs) : undefined;
  // The captures copied beside the logs: the report explains them ("On the wire") and checks bytes.
  const captures = await findCaptures([o.to]);
  const analysis = await analyseWithServerLog(inputs, server, {
    allRuns: o.allRuns ?? false,
    require: o.require ?? [],
    ...(captures ? { captures } : {}),
  });
  const reports: string[] = [];
  const source = ourServerSource();
  const title = {
    student: o.student,
    group: o.group,
    ...(source !== undefined ? { ours: oursView(source) } : {}),
  };
  for (const [file, lang, format] of [
    ['report.md', 'en', 'md'],
    ['report.ru.md', 'ru', 'md'],
    ['report.html', 'en', 'html'],
    ['report.ru.html', 'ru', 'html'],
  ] as const) {
    const path = join(o.to, file);
    const text = render(analysis, lang, { ...title, format });
    await writing(path, () => writeFile(path, text));
    reports.push(path);
  }
  await giveToParentOwner(o.to, [...copies, ...reports], o.warn);
  return { files: copies, reports, summary: summary(analysis, o.lang ?? 'en'), failed: analysis.failed };
}

/** Gives `dir` and `files` to the owner of `dir`'s parent when run as root (see collectLogs). */
export async function giveToParentOwner(
  dir: string,
  files: string[],
  warn?: (m: string) => void,
): Promise<void> {
  // Only root can give files away; anyone else already owns what it wrote.
  if (process.getuid?.() !== 0) return;
  // Always, even to root: copyFile keeps the source's owner (the container's `node` user).
  const owner = await stat(dirname(resolve(dir)));
  try {
    for (const path of [dir, ...files]) await chown(path, owner.uid, owner.gid);
  } catch (err) {
    // Some mounts (Docker Desktop's file sharing) do not keep ownership; the files are still there.
    warn?.(`could not give ${dir} to uid ${owner.uid}: ${(err as Error).message}`);
  }
}

/**
 * Copies `from` to `to` when `from` is a regular file, checked on the file it opened (O_NOFOLLOW):
 * a program still running beside the logs cannot swap one for a link to a file of the machine
 * between a check and the copy. False when it is not a regular file.
 */
async function copyRegular(from: string, to: string): Promise<boolean> {
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let handle;
  try {
    handle = await open(from, flags);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return false; // a symbolic link
    throw err;
  }
  try {
    if (!(await handle.stat()).isFile()) return false;
    await pipeline(handle.createReadStream({ autoClose: false }), createWriteStream(to));
    return true;
  } finally {
    await handle.close();
  }
}
