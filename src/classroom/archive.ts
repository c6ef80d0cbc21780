import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { errorParams } from '../errors.js';
import { type TarRefusal, looksLikeTar, readTar } from './tar.js';

/**
 * The bounds of what grading reads from one submission. A real run's bundle is a few hundred KB
 * (logs of one run are tens of KB; a capture of the whole lab a few MB), so these leave a wide
 * margin and still keep sixty hostile files from filling the teacher's memory.
 */
export const LIMITS = {
  /** Largest submission file read at all (compressed). */
  maxFileBytes: 16 * 1024 * 1024,
  /** Most bytes a gzip may inflate to: decompression stops there, nothing more is allocated. */
  maxInflatedBytes: 64 * 1024 * 1024,
  /** Most members in the archive (directories included). */
  maxMembers: 256,
  /** Largest single member. */
  maxMemberBytes: 32 * 1024 * 1024,
  /** Largest manifest.json. */
  maxManifestBytes: 1024 * 1024,
} as const;

/** Why a submission file could not be read as an archive. */
export type ArchiveRefusal =
  | { code: 'file-too-big'; size: number; limit: number }
  | { code: 'inflates-too-much'; limit: number }
  | { code: 'corrupt-gzip'; detail: string }
  | { code: 'zip' }
  | { code: 'foreign' }
  | TarRefusal;

export type ArchiveResult =
  { ok: true; members: Map<string, Buffer> } | { ok: false; refusal: ArchiveRefusal };

const gunzipAsync = promisify(gunzip);

/**
 * Reads `file` (a .tar.gz, or a plain .tar) into memory and lists its regular files, refusing
 * whatever exceeds LIMITS. Nothing is extracted, written or run: the members are byte ranges of the
 * inflated buffer. Errors reading the file itself (ENOENT, EACCES) are thrown: they are the
 * teacher's input problem, not the submission's.
 */
export async function readArchive(file: string): Promise<ArchiveResult> {
  const handle = await open(file, 'r');
  let bytes: Buffer;
  try {
    const { size } = await handle.stat();
    if (size > LIMITS.maxFileBytes)
      return { ok: false, refusal: { code: 'file-too-big', size, limit: LIMITS.maxFileBytes } };
    // Read at most the bound even if the file grew since stat().
    bytes = Buffer.alloc(Math.min(size, LIMITS.maxFileBytes) + 1);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    if (bytesRead > LIMITS.maxFileBytes)
      return { ok: false, refusal: { code: 'file-too-big', size: bytesRead, limit: LIMITS.maxFileBytes } };
    bytes = bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return readArchiveBytes(bytes);
}

/** readArchive() over bytes already in memory. */
export async function readArchiveBytes(bytes: Buffer): Promise<ArchiveResult> {
  let tar = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      // maxOutputLength makes zlib stop and fail as soon as the output would pass the bound: a
      // 200 KB gzip of 200 MB of zeros costs at most the bound in memory and its time to inflate.
      tar = await gunzipAsync(bytes, { maxOutputLength: LIMITS.maxInflatedBytes });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE')
        return { ok: false, refusal: { code: 'inflates-too-much', limit: LIMITS.maxInflatedBytes } };
      if (typeof code === 'string' && code.startsWith('Z_'))
        return { ok: false, refusal: { code: 'corrupt-gzip', detail: (err as Error).message } };
      throw err;
    }
  } else if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) {
    return { ok: false, refusal: { code: 'zip' } };
  } else if (!looksLikeTar(bytes)) {
    return { ok: false, refusal: { code: 'foreign' } };
  }
  try {
    return { ok: true, members: readTar(tar, LIMITS) };
  } catch (err) {
    const refused = errorParams(err, 'tar-refused');
    if (refused) return { ok: false, refusal: refused.refusal };
    throw err;
  }
}
