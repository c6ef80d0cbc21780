/**
 * A minimal ustar (POSIX.1-1988) writer and a strict in-memory reader.
 *
 * Written here instead of taken from npm: the writer is 40 lines, and what grading needs from a
 * reader is the opposite of what tar libraries do. `tar` (node-tar) and `tar-fs` exist to extract
 * to disk; `tar-stream` brings streamx and friends and still leaves every refusal to us. This reader
 * never touches the file system: it walks the headers of a buffer, refuses every member type but
 * regular files and directories, refuses paths that could name anything outside the archive, and
 * stops at stated bounds. What it returns are byte ranges of that buffer, nothing more.
 */

import { type TarRefusal, labError } from '../errors.js';

const BLOCK = 512;

/** One regular file to write: a relative path with `/` separators, and its bytes. */
export interface TarEntry {
  path: string;
  data: Uint8Array;
  /** Seconds since the epoch. */
  mtime: number;
}

/** Bounds the reader enforces; every one is a refusal, not a truncation. */
export interface TarLimits {
  /** Most members (directories included). */
  maxMembers: number;
  /** Largest member in bytes. */
  maxMemberBytes: number;
}

/** Why an archive was refused: a LabError `tar-refused` carries it (its sentences: TAR_REFUSALS). */
export type { TarRefusal };

/** The refusal readTar throws: a LabError whose parameters say what was refused. */
const refused = (refusal: TarRefusal) => labError('tar-refused', { refusal });

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new RangeError(`tar header field too long: ${value}`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  // length - 1 octal digits and a NUL, as every tar reader expects.
  const text = value.toString(8).padStart(length - 1, '0');
  if (text.length > length - 1) throw new RangeError(`tar number too large: ${value}`);
  writeString(header, offset, length, `${text}\0`);
}

/** Splits a path into ustar's `prefix` (155 bytes) and `name` (100 bytes) at a `/`. */
function splitPath(path: string): { prefix: string; name: string } {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { prefix, name };
  }
  // A student's file with a long name: theirs to rename, not a bug.
  throw labError('bundle-name-too-long', { path });
}

function header(path: string, size: number, mtime: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { prefix, name } = splitPath(path);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, type === '5' ? 0o755 : 0o644);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, Math.max(0, Math.floor(mtime)));
  h.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  writeString(h, 156, 1, type);
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** A ustar archive of `dirs` (written first) and `files`, ending with the two zero blocks. */
export function writeTar(files: readonly TarEntry[], dirs: readonly string[] = [], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  for (const d of dirs) parts.push(header(d.endsWith('/') ? d : `${d}/`, 0, mtime, '5'));
  for (const f of files) {
    parts.push(header(f.path, f.data.length, f.mtime, '0'), Buffer.from(f.data));
    const pad = (BLOCK - (f.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** True when `bytes` start like a ustar or GNU tar header (the magic at offset 257). */
export function looksLikeTar(bytes: Uint8Array): boolean {
  if (bytes.length < BLOCK) return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset + 257, 5).toString('latin1') === 'ustar';
}

function field(h: Buffer, offset: number, length: number): string {
  const raw = h.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

function octal(h: Buffer, offset: number, length: number): number | undefined {
  // A set high bit is GNU's base-256 form, used only for sizes beyond 8 GiB: refused as not-tar.
  if ((h[offset] ?? 0) & 0x80) return undefined;
  const text = field(h, offset, length).trim();
  if (!/^[0-7]*$/.test(text)) return undefined;
  return text === '' ? 0 : parseInt(text, 8);
}

/**
 * A member path is safe when it is relative, stays inside the archive and names nothing special:
 * no leading `/` or drive letter, no `..` segment, no backslash (a separator on Windows), no NUL or
 * control characters. `.` segments and a trailing `/` are dropped.
 */
export function safeMemberPath(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path)) return undefined;
  if (/[\\\u0000-\u001f\u007f]/.test(path)) return undefined;
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return undefined;
  return segments.join('/');
}

const TYPE_NAMES: Record<string, string> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '6': 'FIFO',
  '7': 'contiguous file',
  x: 'pax extended header',
  g: 'pax global header',
  L: 'GNU long name',
  K: 'GNU long link name',
};

/**
 * The regular files of a tar archive held in memory, by safe path. Directories are accepted and
 * skipped. Throws a LabError `tar-refused` at the first thing refused; never reads past the buffer.
 */
export function readTar(bytes: Uint8Array, limits: TarLimits): Map<string, Buffer> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const files = new Map<string, Buffer>();
  let members = 0;
  let offset = 0;
  if (!looksLikeTar(buf)) throw refused({ code: 'not-tar' });
  for (;;) {
    if (offset + BLOCK > buf.length) throw refused({ code: 'truncated' });
    const h = buf.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) return files; // end of archive (one zero block is enough to stop)
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
    const stored = octal(h, 148, 8);
    const size = octal(h, 124, 12);
    if (stored !== sum || size === undefined || field(h, 257, 5) !== 'ustar')
      throw refused({ code: 'not-tar' });
    const prefix = field(h, 345, 155);
    const rawPath = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    const type = String.fromCharCode(h[156] ?? 0);
    if (++members > limits.maxMembers) throw refused({ code: 'too-many-members', limit: limits.maxMembers });
    if (type === '1' || type === '2')
      throw refused({ code: 'link', path: rawPath, type: TYPE_NAMES[type] ?? type });
    if (type === '3' || type === '4' || type === '6')
      throw refused({ code: 'special', path: rawPath, type: TYPE_NAMES[type] ?? type });
    if (type !== '0' && type !== '\0' && type !== '5')
      throw refused({ code: 'member-type', path: rawPath, type: TYPE_NAMES[type] ?? `type ${type}` });
    const path = safeMemberPath(rawPath);
    if (path === undefined) throw refused({ code: 'bad-path', path: rawPath });
    if (size > limits.maxMemberBytes)
      throw refused({ code: 'member-too-big', path, limit: limits.maxMemberBytes });
    const start = offset + BLOCK;
    if (start + size > buf.length) throw refused({ code: 'truncated' });
    if (type !== '5') {
      if (files.has(path)) throw refused({ code: 'duplicate-member', path });
      files.set(path, buf.subarray(start, start + size));
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
}
