import { ownCodeFingerprints } from '../report/own-same-code.js';
import { createHash } from 'node:crypto';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CheckId, CheckResult } from '../report/index.js';
import { type RunIdentity } from '../report/identity.js';
import { CLASSROOM_SCENARIO, serverLogInput } from '../report/classroom.js';
import type { LineSource } from '../report/parse.js';
import { errorParams } from '../errors.js';
import { RUN_LIMITS } from '../report/sources.js';
import {
  MAX_RUN_RANDOMNESS,
  type RunFingerprint,
  implausibleFingerprint,
  portOf,
  runFingerprint,
  sameRandomness,
} from './fingerprint.js';
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
  | { code: 'unset'; what: string }
  | { code: 'too-long-line'; path: string; line: number; limit: number }
  | { code: 'log-too-big'; path: string; limit: number }
  | { code: 'not-a-log'; path: string; limit: number }
  | { code: 'run-too-big'; what: keyof typeof RUN_LIMITS; count: number; limit: number }
  | { code: 'not-in-class' }
  | { code: 'too-much-randomness'; count: number; limit: number }
  | { code: 'internal'; detail: string };

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
  /** Other rows (of other students) that hold the same run. */
  duplicateOf: string[];
  /**
   * Other rows (of other students) that share the code of an own program file once comments,
   * whitespace and the names in it are set aside (own-same-code.ts). Not a failure by
   * itself: two students may share a course's template; the teacher reads the two and decides.
   */
  sameCodeAs: string[];
  /**
   * The row this one repeats: the same student handed in the same run again. Not a failure; the
   * kept row (the latest bundle) is graded and this one is left out of the counts.
   */
  reuploadOf: string | undefined;
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
  /**
   * The teacher's server log (classroom): every submission's classroom clients are paired with the
   * connections and chat members it records (see analyseWithServerLog); a client the teacher's
   * server never saw, or saw from loopback, fails the `remote` check, and a run with no classroom
   * client fails with `not-in-class`.
   */
  serverLog?: string;
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
  if (!isErrno(err)) throw err; // not a file system error: a bug, let it show
  const code = err.code as string;
  return { code: 'unreadable', detail: code === 'ENOENT' ? 'no such file or directory' : code };
}

function emptyRow(file: string): GradeRow {
  return {
    file,
    student: undefined,
    group: undefined,
    checks: {},
    modified: undefined,
    duplicateOf: [],
    sameCodeAs: [],
    reuploadOf: undefined,
    pass: false,
    unreadable: false,
    reasons: [],
  };
}

interface Graded {
  row: GradeRow;
  identity: RunIdentity | undefined;
  /** The run's own randomness (see RunFingerprint). */
  fingerprint?: RunFingerprint;
  /** When the bundle says it was made (ISO 8601), to keep the latest of re-uploads. */
  bundledAt?: string;
  /** The own programs' code files, each as tokens with names numbered, hashed (ownCodeFingerprints). */
  codes?: string[];
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

/**
 * gradeFile() with every failure kept in the row: one submission that makes the reader fail (a
 * line past its bound, or a bug the submission found) is that row's reason, never the end of the
 * grading of the class. A bug is marked as one (`internal`) and makes the exit code 2.
 */
async function gradeOne(
  found: Found,
  options: GradeOptions,
  serverLog: ServerLog | undefined,
): Promise<Graded> {
  try {
    return await gradeFile(found, options, serverLog);
  } catch (err) {
    const row = emptyRow(found.file);
    row.unreadable = true;
    const read = errorParams(err, 'read-limit');
    const run = errorParams(err, 'run-limit');
    if (read) {
      row.unreadable = false;
      row.reasons.push(
        read.limit === 'line'
          ? { code: 'too-long-line', path: read.source, line: read.line, limit: read.bytes }
          : read.limit === 'foreign'
            ? { code: 'not-a-log', path: read.source, limit: read.bytes }
            : { code: 'log-too-big', path: read.source, limit: read.bytes },
      );
    } else if (run) {
      row.unreadable = false;
      row.reasons.push({ code: 'run-too-big', what: run.what, count: run.count, limit: run.limit });
    } else if (isErrno(err)) row.reasons.push(unreadable(err));
    else
      row.reasons.push({
        code: 'internal',
        detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
    return { row, identity: undefined };
  }
}

async function gradeFile(
  found: Found,
  options: GradeOptions,
  serverLog: ServerLog | undefined,
): Promise<Graded> {
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
  const run = await readRun(logs, { require: options.require ?? [] }, serverLog);
  // Another socket-lab version may describe a run with other fields: compare only like with like.
  if (manifest.labVersion === VERSION && !sameJson(manifest.run, run.identity))
    changes.push({ code: 'identity-differs' });
  row.modified = changes.length > 0;
  row.reasons.push(...changes);
  for (const c of run.analysis.checks) row.checks[c.id] = c.status;
  if (run.analysis.model.timeline.records.length === 0) row.reasons.push({ code: 'no-records' });
  const failed = run.analysis.checks.filter((c) => c.status === 'fail').map((c) => c.id);
  if (failed.length > 0) row.reasons.push({ code: 'check-failed', checks: failed.join(', ') });
  if (serverLog && !run.analysis.model.scenarios.some((v) => v.name === CLASSROOM_SCENARIO))
    row.reasons.push({ code: 'not-in-class' });
  for (const what of new Set(manifest.unset)) row.reasons.push({ code: 'unset', what });
  const captures = [...members]
    .filter(([p]) => p.startsWith(at.root) && /\.pcap(ng)?$/.test(p))
    .map(([, data]) => data);
  const fingerprint = await runFingerprint(run.analysis.model, captures);
  const codes = ownCodeFingerprints(run.analysis.model.timeline.records);
  return { row, identity: run.identity, fingerprint, bundledAt: String(manifest.bundledAt), codes };
}

/** The teacher's log, as grade reads it for every submission. */
type ServerLog = { name: string; lines: () => LineSource };

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  // errno codes (ENOENT, EACCES, EISDIR...): Node's own codes start with ERR_ and are bugs here.
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}

/**
 * Compares a manifest's run with the logs' without recursion on the manifest's side: a value nested
 * deeper than a run identity ever is (four levels) is unequal, never a stack overflow.
 */
function sameJson(claimed: unknown, actual: RunIdentity): boolean {
  if (depthOver(claimed, 6)) return false;
  return JSON.stringify(claimed) === JSON.stringify(actual);
}

function depthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) return true;
    for (const k in v) stack.push([(v as Record<string, unknown>)[k], d + 1]);
  }
  return false;
}

/**
 * One run in two submissions. Decided first by what the run drew at random and a student does not
 * think of editing (see sameRandomness: the kernel's ephemeral ports of the clients, the initial
 * sequence numbers in the captures), then, for runs without clients, by equal servers (start to the
 * millisecond, host, pid, bound addresses and ports). Times, pids and host names alone decide
 * nothing: a student edits them in a minute.
 */
export function sameRun(
  a: RunIdentity,
  b: RunIdentity,
  fa: RunFingerprint = fingerprintOf(a),
  fb: RunFingerprint = fingerprintOf(b),
): boolean {
  if (sameRandomness(fa, fb)) return true;
  if (fa.ports.length > 0 || fb.ports.length > 0) return false;
  const servers = (id: RunIdentity) =>
    id.servers.map((s) => `${s.start}|${s.host}|${s.pid}|${s.listening.join(',')}`).join(';');
  return servers(a) !== '' && servers(a) === servers(b);
}

/** The fingerprint of a run from its identity alone (no captures): the clients' own ports, and those an own server accepted. */
function fingerprintOf(id: RunIdentity): RunFingerprint {
  const ports = new Set<number>();
  for (const e of [...id.clients.map((c) => c.local), ...(id.accepted ?? [])]) {
    const port = portOf(e);
    if (port !== undefined) ports.add(port);
  }
  return { ports: [...ports].sort((x, y) => x - y), isns: [] };
}

/**
 * Grades every submission found in `paths` (files, and directories searched for files). Never
 * throws for what a submission holds: each problem, a bug it finds included, is a reason in its row.
 */
export async function grade(paths: readonly string[], options: GradeOptions = {}): Promise<GradeResult> {
  const exclude = new Set((options.exclude ?? []).map((p) => resolve(p)));
  const serverLog = options.serverLog ? await serverLogInput(options.serverLog, []) : undefined;
  const graded: Graded[] = [];
  for (const arg of paths)
    for (const found of await expand(arg, exclude)) graded.push(await gradeOne(found, options, serverLog));

  markRuns(graded);
  markSameCode(graded);
  const rows = graded.map((g) => g.row);
  for (const row of rows) {
    for (const of of row.duplicateOf) row.reasons.push({ code: 'duplicate', of });
    row.pass = row.reuploadOf === undefined && row.reasons.length === 0;
  }
  const counted = rows.filter((r) => r.reuploadOf === undefined);
  const exitCode = rows.some((r) => r.unreadable) ? 2 : counted.every((r) => r.pass) ? 0 : 1;
  return { rows, exitCode };
}

/**
 * Rows of different students who share the code of at least one own program file: each names the
 * others once. Grouped by file fingerprint, so the cost is the pairs that share a file.
 */
function markSameCode(graded: readonly Graded[]): void {
  const byCode = new Map<string, Graded[]>();
  for (const g of graded) {
    if (g.row.reuploadOf !== undefined) continue;
    for (const code of g.codes ?? []) {
      const list = byCode.get(code);
      if (list) list.push(g);
      else byCode.set(code, [g]);
    }
  }
  for (const list of byCode.values())
    for (const a of list)
      for (const b of list)
        if (a !== b && person(a.row) !== person(b.row) && !a.row.sameCodeAs.includes(b.row.file))
          a.row.sameCodeAs.push(b.row.file);
}

/** The same person, whatever the case and spacing they typed: a re-upload, not another student. */
function person(row: GradeRow): string | undefined {
  if (row.student === undefined) return undefined;
  const norm = (s: string | undefined) =>
    (s ?? '').normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  return `${norm(row.student)}\u0000${norm(row.group)}`;
}

/**
 * Finds runs handed in more than once. The same student with the same run twice is a re-upload:
 * the latest bundle is kept (ties: the later file name) and the others point at it. Two students
 * with one run are both flagged. Runs are compared in groups by their ports, so sixty submissions
 * (or six hundred) cost no more than the pairs that share a port.
 */
function markRuns(graded: Graded[]): void {
  const withRun = graded.filter((g) => g.identity);
  // Candidates share a port, an ISN, or (runs without clients) the server identity.
  const buckets = new Map<string, Graded[]>();
  const put = (key: string, g: Graded) => {
    let list = buckets.get(key);
    if (!list) buckets.set(key, (list = []));
    if (list[list.length - 1] !== g) list.push(g);
  };
  for (const g of withRun) {
    const f = g.fingerprint ?? fingerprintOf(g.identity as RunIdentity);
    g.fingerprint = f;
    if (implausibleFingerprint(f)) {
      // More client ports than a lab run makes: it could pose as anyone's copy; compared with nobody.
      g.row.reasons.push({
        code: 'too-much-randomness',
        count: Math.max(f.ports.length, f.isns.length),
        limit: MAX_RUN_RANDOMNESS,
      });
      continue;
    }
    for (const p of f.ports) put(`p${p}`, g);
    for (const i of f.isns) put(`i${i}`, g);
    if (f.ports.length === 0) put(`s${(g.identity as RunIdentity).serverStart ?? ''}`, g);
  }
  const pairs = new Set<string>();
  const same: Array<[Graded, Graded]> = [];
  for (const list of buckets.values()) {
    if (list.length > 64) continue; // a port every run shares (a fixed one) tells nothing
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i] as Graded;
        const b = list[j] as Graded;
        const key = `${graded.indexOf(a)}:${graded.indexOf(b)}`;
        if (pairs.has(key)) continue;
        pairs.add(key);
        if (sameRun(a.identity as RunIdentity, b.identity as RunIdentity, a.fingerprint, b.fingerprint))
          same.push([a, b]);
      }
  }
  // Re-uploads first: within one person, the latest bundle stands for the others.
  const kept = new Map<Graded, Graded>();
  const keeperOf = (g: Graded): Graded => {
    let k = g;
    while (kept.has(k)) k = kept.get(k) as Graded;
    return k;
  };
  const later = (a: Graded, b: Graded) =>
    (a.bundledAt ?? '') > (b.bundledAt ?? '') ||
    ((a.bundledAt ?? '') === (b.bundledAt ?? '') && a.row.file > b.row.file);
  for (const [a, b] of same) {
    const pa = person(a.row);
    if (pa === undefined || pa !== person(b.row)) continue;
    const ka = keeperOf(a);
    const kb = keeperOf(b);
    if (ka === kb) continue;
    if (later(ka, kb)) kept.set(kb, ka);
    else kept.set(ka, kb);
  }
  for (const g of graded) if (kept.has(g)) g.row.reuploadOf = keeperOf(g).row.file;
  for (const [a, b] of same) {
    const ka = keeperOf(a);
    const kb = keeperOf(b);
    if (ka === kb) continue;
    if (!ka.row.duplicateOf.includes(kb.row.file)) ka.row.duplicateOf.push(kb.row.file);
    if (!kb.row.duplicateOf.includes(ka.row.file)) kb.row.duplicateOf.push(ka.row.file);
  }
}
