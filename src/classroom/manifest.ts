import type { RunIdentity } from '../report/identity.js';

/** What `manifest.json` says it is; grading refuses any other value. */
export const MANIFEST_FORMAT = 'socket-lab-submission';
export const MANIFEST_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';

/** Written in place of a name the student did not give, so that nobody mistakes it for one. */
export const UNSET_STUDENT = '(student not set: --student or LAB_STUDENT)';
export const UNSET_GROUP = '(group not set: --group or LAB_GROUP)';

export interface ManifestFile {
  /** Relative to the bundle's top directory, `/`-separated, e.g. `logs/lab-server.jsonl`. */
  path: string;
  size: number;
  /** SHA-256 of the bytes, lower-case hex. */
  sha256: string;
}

/** The manifest of one submission. */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  /** As given, or UNSET_STUDENT; `unset` names what was not given. */
  student: string;
  group: string;
  unset: Array<'student' | 'group'>;
  /** The socket-lab version that made the bundle. */
  labVersion: string;
  /** When the bundle was made, ISO 8601. */
  bundledAt: string;
  /** The run the logs hold, as src/report reads it (the same function grading calls). */
  run: RunIdentity;
  files: ManifestFile[];
}

/** Why a manifest was refused. */
export type ManifestProblem = 'not-json' | 'foreign' | 'newer' | 'bad-fields';

const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * Checks what grading relies on: the format, the names (strings, bounded) and the file list
 * (relative paths, sizes, hex digests). The run identity is compared as a whole, not trusted.
 */
export function parseManifest(
  bytes: Uint8Array,
): { ok: true; manifest: Manifest } | { ok: false; problem: ManifestProblem } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return { ok: false, problem: 'not-json' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problem: 'not-json' };
  const m = value as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) return { ok: false, problem: 'foreign' };
  if (typeof m.version !== 'number') return { ok: false, problem: 'bad-fields' };
  if (m.version > MANIFEST_VERSION) return { ok: false, problem: 'newer' };
  const okNames =
    isString(m.student) && isString(m.group) && m.student.length <= 200 && m.group.length <= 100;
  const okFiles =
    Array.isArray(m.files) &&
    m.files.every((f: unknown) => {
      const o = f as Record<string, unknown> | null;
      return (
        typeof o === 'object' &&
        o !== null &&
        isString(o.path) &&
        typeof o.size === 'number' &&
        isString(o.sha256) &&
        /^[0-9a-f]{64}$/.test(o.sha256)
      );
    });
  // `unset` names at most the two settings; a longer list (450,000 entries once) is no manifest bundle wrote.
  const okUnset =
    Array.isArray(m.unset) && m.unset.length <= 2 && m.unset.every((u) => u === 'student' || u === 'group');
  const okRest = okUnset && isString(m.labVersion) && typeof m.run === 'object' && m.run !== null;
  if (!okNames || !okFiles || !okRest) return { ok: false, problem: 'bad-fields' };
  return { ok: true, manifest: m as unknown as Manifest };
}
