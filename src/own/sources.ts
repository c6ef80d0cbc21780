import { createHash } from 'node:crypto';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** One source file of an own program, as `own.sources` logs it. */
export interface SourceFile {
  /** Path relative to the program's folder, with `/`. */
  path: string;
  bytes: number;
  sha256: string;
  /** The file's text when it is UTF-8 and small enough to show in the report. */
  text?: string;
}

export interface SourceLimits {
  /** Files recorded at most (the rest are counted as skipped). */
  maxFiles: number;
  /** Largest file whose text is kept in the log (its hash is kept whatever its size). */
  maxTextBytes: number;
  /** Total text kept over all files. */
  maxTotalText: number;
  /** Folder depth walked. */
  maxDepth: number;
}

export const SOURCE_LIMITS: SourceLimits = {
  maxFiles: 40,
  maxTextBytes: 64 * 1024,
  maxTotalText: 256 * 1024,
  maxDepth: 4,
};

/** Largest file read at all (to hash it); a bigger one is a data file, not the program's source. */
const MAX_READ = 4 * 1024 * 1024;
const SKIP_DIRS = new Set(['__pycache__', 'node_modules', '.git', '.venv', 'venv']);

/**
 * The regular files under `dir`, hashed, with their text when it is small: what ran, so the report
 * can show the code that made the calls. Inside the folder nothing is followed or opened but
 * regular files (a symlink may point anywhere on the machine); sizes and counts are bounded.
 */
export async function recordSources(
  dir: string,
  limits: SourceLimits = SOURCE_LIMITS,
): Promise<{ files: SourceFile[]; skipped: number }> {
  const files: SourceFile[] = [];
  let skipped = 0;
  let textTotal = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });

  async function walk(at: string, depth: number): Promise<void> {
    let entries;
    try {
      entries = await readdir(at, { withFileTypes: true });
    } catch {
      return; // unreadable folder: what can be read is still recorded
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(at, e.name);
      if (e.isDirectory()) {
        if (depth < limits.maxDepth && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.'))
          await walk(path, depth + 1);
        continue;
      }
      if (!e.isFile()) continue;
      if (files.length >= limits.maxFiles) {
        skipped++;
        continue;
      }
      let data: Buffer;
      try {
        if ((await lstat(path)).size > MAX_READ) {
          skipped++;
          continue;
        }
        data = await readFile(path);
      } catch {
        skipped++;
        continue;
      }
      if (data.length > MAX_READ) {
        skipped++;
        continue;
      }
      const file: SourceFile = {
        path: relative(dir, path).split('\\').join('/'),
        bytes: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
      };
      if (data.length <= limits.maxTextBytes && textTotal + data.length <= limits.maxTotalText) {
        try {
          file.text = decoder.decode(data);
          textTotal += data.length;
        } catch {
          // not UTF-8 (a binary, a compiled program): hashed, not shown
        }
      }
      files.push(file);
    }
  }

  await walk(dir, 0);
  return { files, skipped };
}
