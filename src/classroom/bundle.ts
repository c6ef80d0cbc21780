import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { labError } from '../errors.js';
import { VERSION } from '../version.js';
import { LIMITS } from './archive.js';
import {
  MANIFEST_FORMAT,
  MANIFEST_NAME,
  MANIFEST_VERSION,
  type Manifest,
  UNSET_GROUP,
  UNSET_STUDENT,
} from './manifest.js';
import { bundleBaseName } from './names.js';
import { readRun } from './run.js';
import { type TarEntry, writeTar } from './tar.js';

/** What a submission holds: the run's logs, its captures and the reports made from it. */
export function isBundled(name: string): boolean {
  return /\.(jsonl|pcap|pcapng)$/i.test(name) || /^report.*\.(md|html)$/i.test(name);
}

/** How deep below LOGDIR files are looked for (captures may sit in a folder of their own). */
const MAX_DEPTH = 2;

export interface BundleOptions {
  logDir: string;
  student?: string | undefined;
  group?: string | undefined;
  /** The bundle's time (default: now). */
  now?: Date;
}

export interface Bundle {
  /** `ivanov-ivan_IU7-32_socket-lab.tar.gz` */
  fileName: string;
  bytes: Buffer;
  manifest: Manifest;
  /** Non-fatal notes for the student (files left out, names not set). */
  warnings: string[];
}

/** Regular files of `dir` that belong in a submission, relative and `/`-separated, sorted. */
async function collect(dir: string, rel: string, depth: number, warnings: string[]): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(dir, rel), { withFileTypes: true });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory() && depth < MAX_DEPTH) out.push(...(await collect(dir, path, depth + 1, warnings)));
    else if (e.isSymbolicLink() && isBundled(e.name))
      warnings.push(`${path}: a symbolic link, left out (grading refuses links; copy the file instead)`);
    else if (e.isFile() && isBundled(e.name)) out.push(path);
  }
  return out;
}

/**
 * Packs one run's files from `logDir` with a manifest into a `.tar.gz` held in memory. The run's
 * identity comes from src/report (the same reading grading does), so the two cannot disagree.
 */
export async function createBundle(o: BundleOptions): Promise<Bundle> {
  const warnings: string[] = [];
  let paths: string[];
  try {
    paths = await collect(o.logDir, '', 0, warnings);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw labError('bundle-not-a-directory', { dir: o.logDir }, { cause: err });
    throw err;
  }
  const logs = paths.filter((p) => p.endsWith('.jsonl'));
  if (logs.length === 0) throw labError('bundle-no-logs', { dir: o.logDir });

  const now = o.now ?? new Date();
  const mtime = Math.floor(now.getTime() / 1000);
  const files = new Map<string, Buffer>();
  let total = 0;
  for (const p of paths) {
    const data = await readFile(join(o.logDir, p));
    total += data.length;
    if (data.length > LIMITS.maxMemberBytes || total > LIMITS.maxInflatedBytes)
      throw labError('bundle-too-large', {
        file: p,
        totalMiB: LIMITS.maxInflatedBytes / 1048576,
        fileMiB: LIMITS.maxMemberBytes / 1048576,
      });
    files.set(p, data);
  }

  const { analysis, identity } = await readRun(logs.map((p) => [p, files.get(p) as Buffer] as const));
  if (analysis.model.timeline.records.length === 0) throw labError('bundle-no-lab-lines', { dir: o.logDir });

  const student = o.student?.trim() || undefined;
  const group = o.group?.trim() || undefined;
  const unset: Manifest['unset'] = [];
  if (!student) {
    unset.push('student');
    warnings.push('no student name: give --student "Surname Name" (or set LAB_STUDENT)');
  }
  if (!group) {
    unset.push('group');
    warnings.push('no group: give --group (or set LAB_GROUP)');
  }
  const base = bundleBaseName(student, group);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    student: student ?? UNSET_STUDENT,
    group: group ?? UNSET_GROUP,
    unset,
    labVersion: VERSION,
    bundledAt: now.toISOString(),
    run: identity,
    files: [...files].map(([path, data]) => ({
      path: `logs/${path}`,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    })),
  };
  const entries: TarEntry[] = [
    { path: `${base}/${MANIFEST_NAME}`, data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), mtime },
    ...[...files].map(([path, data]) => ({ path: `${base}/logs/${path}`, data, mtime })),
  ];
  const dirs = new Set<string>([base, `${base}/logs`]);
  for (const p of paths) {
    const parts = p.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(`${base}/logs/${parts.slice(0, i).join('/')}`);
  }
  const tar = writeTar(entries, [...dirs], mtime);
  return { fileName: `${base}.tar.gz`, bytes: gzipSync(tar, { level: 9 }), manifest, warnings };
}
