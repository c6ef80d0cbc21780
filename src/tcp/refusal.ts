/**
 * The one line the echo server sends to a connection it refuses, before closing it: pure
 * functions, no sockets. RFC 862 lets an echo server send nothing at all, and the client could only
 * say "the server closed the connection"; this line says which limit was hit and which setting
 * raises it. It is plain ASCII text, so `nc` shows it too.
 *
 *   SOCKET-LAB-REFUSED max-per-address 64/64: ...an English sentence for people using nc...
 *
 * Our client knows the line by its fixed first word and reads the reason and the counts from it,
 * then says the rest in its own language; the sentence after the colon is for other clients.
 */
import { REFUSAL_WHY } from '../errors.js';
import { TCP_LIMIT_SETTING } from '../limits.js';
import type { TcpRejectReason } from '../log/events.js';
import type { Lang } from '../text/lang.js';

export { TCP_LIMIT_SETTING };

/** The first word of the refusal line. No echo can start with it unless the client sent it first. */
export const REFUSAL_PREFIX = 'SOCKET-LAB-REFUSED ';
/** The longest refusal line a client waits for before it treats the bytes as an ordinary echo. */
export const MAX_REFUSAL_LINE = 512;

export interface Refusal {
  reason: TcpRejectReason;
  /** Connections open (from that address, or in all) when this one came, and the limit. */
  open: number;
  max: number;
}

/** Why, with the setting to change: the second half of the refusal, in `lang` (errors.ts REFUSAL_WHY). */
export function refusalText(r: Refusal, lang: Lang): string {
  return REFUSAL_WHY[r.reason][lang](r);
}

/** The bytes the server sends before it closes a refused connection (well under MAX_REFUSAL_LINE). */
export function encodeRefusal(r: Refusal): Buffer {
  return Buffer.from(`${REFUSAL_PREFIX}${r.reason} ${r.open}/${r.max}: ${refusalText(r, 'en')}\n`);
}

const LINE =
  /^SOCKET-LAB-REFUSED (max-per-address|max-connections|server-stopping) (\d{1,9})\/(\d{1,9})(?::|\r?$)/;

/**
 * Reads a refusal line (without its newline). Undefined when it is not one of ours: a line that
 * starts with the prefix but names a reason this version does not know is still shown, as it is.
 */
export function parseRefusal(line: string): Refusal | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return { reason: m[1] as TcpRejectReason, open: Number(m[2]), max: Number(m[3]) };
}
