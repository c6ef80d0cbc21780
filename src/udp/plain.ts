/**
 * The course's plain chat protocol: pure functions from bytes to values and back. No sockets here.
 *
 * The whole protocol (docs/protocol.md, "Plain chat"):
 *  - A datagram is one UTF-8 line `<nick>: <text>`; a reader ignores one trailing `\n` (or `\r\n`).
 *  - The server remembers the source address of every datagram it accepts and sends that datagram,
 *    byte for byte and with nothing added, to every other address it remembers.
 *  - A client announces itself with `<nick>: joined the chat` (so that it receives before it speaks)
 *    and says goodbye with `<nick>: left the chat`; both are ordinary lines any client shows.
 * There is no handshake, no acknowledgement and no control message: that is what makes it the
 * simplest chat, and what lets anyone join (or make the server flood a forged address).
 */
import { isUtf8 } from 'node:buffer';
import type { RejectReason } from '../log/events.js';
import { MAX_DATAGRAM, MAX_TEXT_BYTES, NICK_PATTERN } from './protocol.js';

/** The protocol's names: `--protocol lab` (ours, with the cookie handshake) or `--protocol plain`. */
export type ChatProtocol = 'lab' | 'plain';
export const CHAT_PROTOCOLS: readonly ChatProtocol[] = ['lab', 'plain'];

/**
 * The chat protocol when none is chosen (no --protocol, no LAB_CHAT_PROTOCOL): plain as soon as a
 * student's own chat server or client is in the lab (LAB_OWN_CHAT_SERVER / LAB_OWN_CHAT_CLIENT), since
 * theirs speaks the course's protocol and ours must meet it; else the lab's.
 */
export function defaultChatProtocol(env: NodeJS.ProcessEnv = process.env): ChatProtocol {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  return set('LAB_OWN_CHAT_SERVER') || set('LAB_OWN_CHAT_CLIENT') ? 'plain' : 'lab';
}

/** Between the nickname and the text. */
export const PLAIN_SEPARATOR = ': ';
// The texts of a client's first datagram (the server learns its address from it) and of its last
// (our plain server forgets the sender after relaying it): in src/limits.ts, since the event
// texts quote them too.
export { PLAIN_JOIN_TEXT, PLAIN_LEAVE_TEXT } from '../limits.js';
/**
 * Plain clients send nothing while their user is silent (no PING exists), so our plain server
 * forgets an address only after this much silence: long enough for a lab session's pauses, short
 * enough to stop sending to an address that is gone (or was forged) within minutes.
 */
export const PLAIN_MEMBER_TIMEOUT_MS = 10 * 60_000;

/** One plain datagram, read. `nick` is absent when the line is not of the `nick: text` form. */
export interface PlainLine {
  /** The line without its trailing newline. */
  line: string;
  nick?: string;
  /** The text after `nick: `, or the whole line. */
  text: string;
}

export type PlainParsed = { ok: true; message: PlainLine } | { ok: false; reason: RejectReason };

// A nickname as our own protocol allows it, then ': ' and the rest (which may be empty).
const LINE = new RegExp(`^(${NICK_PATTERN.source.slice(1, -1)})${PLAIN_SEPARATOR}([\\s\\S]*)$`, 'u');

/**
 * Reads one plain datagram. Never throws. Empty, over-long and non-UTF-8 datagrams are refused
 * (our limits: MAX_DATAGRAM bytes); any other line is valid, with or without a `nick: ` prefix,
 * since the course's servers relay whatever arrives.
 */
export function parsePlain(bytes: Uint8Array): PlainParsed {
  if (bytes.length > MAX_DATAGRAM) return { ok: false, reason: 'too-large' };
  if (bytes.length === 0) return { ok: false, reason: 'malformed' };
  if (!isUtf8(bytes)) return { ok: false, reason: 'bad-utf8' };
  let line = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (line.endsWith('\n')) line = line.slice(0, line.endsWith('\r\n') ? -2 : -1);
  if (line.length === 0) return { ok: false, reason: 'malformed' };
  const m = LINE.exec(line);
  return m
    ? { ok: true, message: { line, nick: m[1], text: m[2] ?? '' } }
    : { ok: true, message: { line, text: line } };
}

/** The datagram a plain client sends for `text` (no trailing newline: one datagram is one line). */
export function encodePlain(nick: string, text: string): Buffer {
  return Buffer.from(`${nick}${PLAIN_SEPARATOR}${text}`);
}

/** Largest text a plain client may send as `nick`, so that the datagram stays within MAX_DATAGRAM. */
export function maxPlainTextBytes(nick: string): number {
  return Math.min(MAX_TEXT_BYTES, MAX_DATAGRAM - Buffer.byteLength(nick + PLAIN_SEPARATOR));
}
