import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/**
 * Files that lie beside a student's logs (captures, `.off` notes) are opened only when they are
 * regular files: a FIFO would block the open or the read for ever, a device (/dev/zero) never ends,
 * and a symbolic link points anywhere on the teacher's machine (its first bytes would end up in a
 * report). O_NOFOLLOW refuses a link at the last component, O_NONBLOCK makes opening a FIFO return
 * at once, and the type is then taken from the open descriptor (fstat), so nothing can be swapped
 * between a check and the open.
 */
export type OpenResult =
  | { ok: true; handle: FileHandle; size: number }
  | { ok: false; code: 'symlink' | 'not-regular' | 'too-big' | 'unreadable'; message: string };

const FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Opens `path` for reading when it is a regular file of at most `maxBytes`; never throws for what the path is. */
export async function openRegular(path: string, maxBytes: number): Promise<OpenResult> {
  let handle: FileHandle;
  try {
    handle = await open(path, FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ELOOP is what O_NOFOLLOW answers for a symbolic link.
    if (code === 'ELOOP')
      return { ok: false, code: 'symlink', message: `${path} is a symbolic link: not followed` };
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code))
      return { ok: false, code: 'unreadable', message: `cannot read ${path}: ${code}` };
    throw err; // not an errno: a bug, shown as one
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    const kind = info.isFIFO()
      ? 'a FIFO'
      : info.isCharacterDevice() || info.isBlockDevice()
        ? 'a device'
        : 'not a regular file';
    return { ok: false, code: 'not-regular', message: `${path} is ${kind}: not read` };
  }
  if (info.size > maxBytes) {
    await handle.close();
    return {
      ok: false,
      code: 'too-big',
      message: `${path} is larger than ${Math.round(maxBytes / 1048576)} MiB: not read`,
    };
  }
  return { ok: true, handle, size: info.size };
}

/** Most bytes of a `.off` note read: its first line says why capture was off. */
export const MAX_NOTE_BYTES = 4096;

/**
 * The first line of a small note (a `.off` file), at most MAX_NOTE_BYTES read, or undefined when
 * the path is not a regular file (or cannot be read).
 */
export async function readNote(path: string): Promise<string | undefined> {
  const opened = await openRegular(path, Number.MAX_SAFE_INTEGER);
  if (!opened.ok) return undefined;
  try {
    const buf = Buffer.alloc(MAX_NOTE_BYTES);
    const { bytesRead } = await opened.handle.read(buf, 0, MAX_NOTE_BYTES, 0);
    return buf.toString('utf8', 0, bytesRead).split('\n')[0];
  } finally {
    await opened.handle.close();
  }
}
