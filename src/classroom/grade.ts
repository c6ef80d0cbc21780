import { createHash } from 'node:crypto';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CheckId, CheckResult } from '../report/index.js';
import type { RunIdentity } from '../report/identity.js';
import { VERSION } from '../version.js';
import { type ArchiveRefusal, LIMITS, readArchive } from './archive.js';
import { MANIFEST_NAME, type Manifest, parseManifest } from './manifest.js';
import { readRun } from './run.js';
import { safeMemberPath } from './tar.js';

/** Why a submission did not pass; `code` selects the sentence (texts.ts), in English or Russian. */
export type Reason =
  | ArchiveRefusal
  | { code: 'unreadable'; detail: string }
  | { code: 'not-regular'; kind: string }
  | { code: 'symlink-input' }
  | { code: 'empty-dir' }
  | { code: 'no-manifest' }
  | { code: 'several-manifests' }
  | { code: 'manifest-too-big'; limit: number }
  | { code: 'manifest'; problem: string }
  | { code: 'changed'; path: string }
  | { code: 'missing'; path: string }
  | { code: 'added'; path: string }
  | { code: 'identity-differs' }
  | { code: 'no-logs' }
  | { code: 'no-records' }
  | { code: 'check-failed'; checks: string }
  | { code: 'duplicate'; of: string }
  | { code: 'unset'; what: string };

/** One row of the grade sheet: one submission file (or one input that could not be read). */
export interface GradeRow {
  /** The path as found (the argument, or the argument joined with the name in its directory). */
  file: string;
  student: string | undefined;
  group: string | undefined;
  /** Each check's status, re-run from the raw logs; empty when the logs were never reached. */
  checks: Partial<Record<CheckId, CheckResult['status']>>;
  /** Files changed, removed or added after bundling; undefined when the manifest was never reached. */
  modified: boolean | undefined;
  /** Other rows that hold the same run. */
  duplicateOf: string[];
  pass: boolean;
  /** The input itself could not be read (exit code 2), as opposed to a submission that fails. */
  unreadable: boolean;
  reasons: Reason[];
}

export interface GradeOptions {
  /** Checks that fail when the logs lack their part (see `report --require`). */
  require?: readonly CheckId[];
  /** Files never taken as submissions when found in a directory (the sheets grade itself writes). */
  exclude?: readonly string[];
}

export interface GradeResult {
  rows: GradeRow[];
  /** 0 every submission passes, 1 some fail, 2 an input could not be read. */
  exitCode: 0 | 1 | 2;
}

/** How deep below a directory argument submissions are looked for (a folder per student is common). */
const MAX_DEPTH = 3;

interface Found {
  file: string;
  /** Set when the entry is refused without being opened. */
  reason?: Reason;
  unreadable?: boolean;
}

async function expand(arg: string, exclude: ReadonlySet<string>): Promise<Found[]> {
  let info;
  try {
    info = await stat(arg);
  } catch (err) {
    return [{ file: arg, reason: unreadable(err), unreadable: true }];
  }
  if (info.isFile()) return [{ file: arg }];
  if (!info.isDirectory()) return [{ file: arg, reason: { code: 'not-regular', kind: kindOf(info) } }];
  const found: Found[] = [];
  try {
    await walk(arg, 0, exclude, found);
  } catch (err) {
    return [...found, { file: arg, reason: unreadable(err), unreadable: true }];
  }
  return found.length > 0 ? found : [{ file: arg, reason: { code: 'empty-dir' }, unreadable: true }];
}

async function walk(dir: string, depth: number, exclude: ReadonlySet<string>, found: Found[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const file = join(dir, e.name);
    if (exclude.has(resolve(file))) continue;
    // Inside a directory nothing is followed or opened but regular files: a submission folder can
    // hold links to anywhere on the teacher's machine, or a FIFO that would block an open().
    if (e.isDirectory()) {
      if (depth < MAX_DEPTH) await walk(file, depth + 1, exclude, found);
    } else if (e.isFile()) found.push({ file });
    else if (e.isSymbolicLink()) found.push({ file, reason: { code: 'symlink-input' } });
    else found.push({ file, reason: { code: 'not-regular', kind: kindOf(await lstat(file)) } });
  }
}

function kindOf(info: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (info.isFIFO()) return 'FIFO';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'device';
  return 'special file';
}

function unreadable(err: unknown): Reason {
  const e = err as NodeJS.ErrnoException;
  if (!e?.code) throw err; // not a file system error: a bug, let it show
  return { code: 'unreadable', detail: e.code === 'ENOENT' ? 'no such file or directory' : e.code };
}

function emptyRow(file: string): GradeRow {
  return {
    file,
    student: undefined,
    group: undefined,
    checks: {},
    modified: undefined,
    duplicateOf: [],
    pass: false,
    unreadable: false,
    reasons: [],
  };
}

interface Graded {
  row: GradeRow;
  identity: RunIdentity | undefined;
}

/** Finds the manifest at the top, or in the one top directory (what `bundle` writes). */
function findRoot(members: Map<string, Buffer>): { root: string } | { reason: Reason } {
  const candidates = [...members.keys()].filter(
    (p) => p === MANIFEST_NAME || /^[^/]+\/manifest\.json$/.test(p),
  );
  if (candidates.length === 0) return { reason: { code: 'no-manifest' } };
  if (candidates.length > 1) return { reason: { code: 'several-manifests' } };
  const path = candidates[0] as string;
  return { root: path.slice(0, path.length - MANIFEST_NAME.length) };
}

/** Compares the archive's files with the manifest: what changed, went missing or was added. */
function verify(members: Map<string, Buffer>, root: string, manifest: Manifest): Reason[] {
  const reasons: Reason[] = [];
  const listed = new Set<string>([root + MANIFEST_NAME]);
  for (const f of manifest.files) {
    const rel = safeMemberPath(f.path);
    if (rel === undefined) {
      reasons.push({ code: 'manifest', problem: 'bad-fields' });
      continue;
    }
    listed.add(root + rel);
    const data = members.get(root + rel);
    if (!data) reasons.push({ code: 'missing', path: rel });
    else if (data.length !== f.size || createHash('sha256').update(data).digest('hex') !== f.sha256)
      reasons.push({ code: 'changed', path: rel });
  }
  for (const path of members.keys())
    if (!listed.has(path)) reasons.push({ code: 'added', path: path.slice(root.length) });
  return reasons;
}

async function gradeFile(found: Found, options: GradeOptions): Promise<Graded> {
  const row = emptyRow(found.file);
  if (found.reason) {
    row.reasons.push(found.reason);
    row.unreadable = found.unreadable ?? false;
    return { row, identity: undefined };
  }
  let archive;
  try {
    archive = await readArchive(found.file);
  } catch (err) {
    row.reasons.push(unreadable(err));
    row.unreadable = true;
    return { row, identity: undefined };
  }
  if (!archive.ok) {
    row.reasons.push(archive.refusal);
    return { row, identity: undefined };
  }
  const members = archive.members;
  const at = findRoot(members);
  if ('reason' in at) {
    row.reasons.push(at.reason);
    return { row, identity: undefined };
  }
  const manifestBytes = members.get(at.root + MANIFEST_NAME) as Buffer;
  if (manifestBytes.length > LIMITS.maxManifestBytes) {
    row.reasons.push({ code: 'manifest-too-big', limit: LIMITS.maxManifestBytes });
    return { row, identity: undefined };
  }
  const parsed = parseManifest(manifestBytes);
  if (!parsed.ok) {
    row.reasons.push({ code: 'manifest', problem: parsed.problem });
    return { row, identity: undefined };
  }
  const manifest = parsed.manifest;
  row.student = manifest.student;
  row.group = manifest.group;
  const changes = verify(members, at.root, manifest);

  // The checks run on the logs the archive holds, whatever the manifest or a report inside says.
  const logs = [...members]
    .filter(([p]) => p.startsWith(at.root) && p.endsWith('.jsonl'))
    .map(([p, data]) => [p.slice(at.root.length), data] as const);
  if (logs.length === 0) {
    row.modified = changes.length > 0;
    row.reasons.push(...changes, { code: 'no-logs' });
    return { row, identity: undefined };
  }
  const run = await readRun(logs, { require: options.require ?? [] });
  // Another socket-lab version may describe a run with other fields: compare only like with like.
  if (manifest.labVersion === VERSION && JSON.stringify(manifest.run) !== JSON.stringify(run.identity))
    changes.push({ code: 'identity-differs' });
  row.modified = changes.length > 0;
  row.reasons.push(...changes);
  for (const c of run.analysis.checks) row.checks[c.id] = c.status;
  if (run.analysis.model.timeline.records.length === 0) row.reasons.push({ code: 'no-records' });
  const failed = run.analysis.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  if (failed.length > 0) row.reasons.push({ code: 'check-failed', checks: failed.join(', ') });
  for (const what of manifest.unset) row.reasons.push({ code: 'unset', what });
  return { row, identity: run.identity };
}

/** The parts of a run's identity that two hand-ins of one run share. */
interface RunKey {
  servers: string;
  clients: Set<string>;
}

function runKey(id: RunIdentity): RunKey {
  return {
    servers: id.servers.map((s) => `${s.start}|${s.host}|${s.pid}|${s.listening.join(',')}`).join(';'),
    clients: new Set(
      id.clients
        .filter((c) => c.local && c.at)
        .map((c) => `${c.kind}|${c.host}|${c.local}|${c.remote}|${c.at}`),
    ),
  };
}

/**
 * One run in two submissions: the same servers (start to the millisecond, host, pid, bound
 * addresses and ports) and at least one client connection in common (own endpoint, dialed
 * endpoint, time). Clients matter because in the classroom every student may hand in the teacher's
 * server log beside their own clients; with no clients at all, equal servers decide.
 */
export function sameRun(a: RunIdentity, b: RunIdentity): boolean {
  const ka = runKey(a);
  const kb = runKey(b);
  if (ka.servers !== kb.servers) return false;
  if (ka.clients.size === 0 && kb.clients.size === 0) return ka.servers !== '';
  for (const c of ka.clients) if (kb.clients.has(c)) return true;
  return false;
}

/**
 * Grades every submission found in `paths` (files, and directories searched for files). Never
 * throws for what a submission holds: each problem is a reason in its row.
 */
export async function grade(paths: readonly string[], options: GradeOptions = {}): Promise<GradeResult> {
  const exclude = new Set((options.exclude ?? []).map((p) => resolve(p)));
  const graded: Graded[] = [];
  for (const arg of paths)
    for (const found of await expand(arg, exclude)) graded.push(await gradeFile(found, options));

  for (let i = 0; i < graded.length; i++) {
    for (let j = i + 1; j < graded.length; j++) {
      const a = graded[i] as Graded;
      const b = graded[j] as Graded;
      if (a.identity && b.identity && sameRun(a.identity, b.identity)) {
        a.row.duplicateOf.push(b.row.file);
        b.row.duplicateOf.push(a.row.file);
      }
    }
  }
  const rows = graded.map((g) => g.row);
  for (const row of rows) {
    for (const of of row.duplicateOf) row.reasons.push({ code: 'duplicate', of });
    row.pass = row.reasons.length === 0;
  }
  const exitCode = rows.some((r) => r.unreadable) ? 2 : rows.every((r) => r.pass) ? 0 : 1;
  return { rows, exitCode };
}
