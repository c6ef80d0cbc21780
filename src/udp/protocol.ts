/**
 * The chat wire format: pure functions from bytes to values and back. No sockets here.
 *
 * One message per datagram, UTF-8 text, the first word is the type, fields separated by one space;
 * one trailing newline is ignored, so lines typed into `nc -u` work. See docs/protocol.md.
 */
import { isUtf8 } from 'node:buffer';
import { MAX_DATAGRAM, MAX_TEXT_BYTES } from '../limits.js';
import type { LeaveReason, RejectReason } from '../log/events.js';

export { MAX_DATAGRAM, MAX_TEXT_BYTES } from '../limits.js';
/**
 * A HELLO must be at least this long: the answer to an address that has not proven it receives
 * (COOKIE or ERR) is never larger than the datagram that asked for it, so the server cannot be used
 * to amplify traffic towards a spoofed address.
 */
export const MIN_HELLO_BYTES = 32;
/** Nicknames: 1 to 16 letters (any script), digits, '_' or '-'. */
export const NICK_PATTERN = /^[\p{L}\p{N}_-]{1,16}$/u;

export type ClientMessage =
  | { type: 'HELLO'; nick: string }
  | { type: 'JOIN'; nick: string; cookie: string }
  | { type: 'MSG'; text: string }
  | { type: 'PING' }
  | { type: 'LEAVE' };

export type ServerMessage =
  | { type: 'COOKIE'; cookie: string }
  | { type: 'WELCOME'; nick: string; members: number }
  | { type: 'JOINED'; nick: string }
  | { type: 'LEFT'; nick: string; reason: LeaveReason }
  | { type: 'FROM'; nick: string; text: string }
  | { type: 'PONG' }
  | { type: 'NOPE' }
  | { type: 'BYE' }
  | { type: 'SHUTDOWN' }
  | { type: 'ERR'; code: ErrCode; limit?: number };

/**
 * Why a join was refused. `room-full` (every place taken) and `address-full` (the sender's address
 * has all the places one address may have) carry the limit after the code, so a refused client can
 * say which limit it met and how large it is (`ERR address-full 32`).
 */
export type ErrCode = 'bad-nick' | 'nick-taken' | 'room-full' | 'address-full';
const ERR_CODES: readonly string[] = ['bad-nick', 'nick-taken', 'room-full', 'address-full'];
const LEAVE_REASONS: readonly string[] = ['leave', 'timeout', 'server-stopping'];

export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: RejectReason };

function fail(reason: RejectReason): { ok: false; reason: RejectReason } {
  return { ok: false, reason };
}

/** Splits a datagram into its type and the rest of the line, after the size and UTF-8 checks. */
function split(bytes: Uint8Array): Parsed<{ type: string; rest: string; size: number }> {
  if (bytes.length > MAX_DATAGRAM) return fail('too-large');
  if (bytes.length === 0) return fail('malformed');
  if (!isUtf8(bytes)) return fail('bad-utf8');
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (text.endsWith('\n')) text = text.slice(0, text.endsWith('\r\n') ? -2 : -1);
  const space = text.indexOf(' ');
  const type = space === -1 ? text : text.slice(0, space);
  const rest = space === -1 ? '' : text.slice(space + 1);
  return { ok: true, message: { type, rest, size: bytes.length } };
}

export function isValidNick(nick: string): boolean {
  return NICK_PATTERN.test(nick);
}

/** Parses what a client sent to the server. Never throws: bad input gives a reject reason. */
export function parseClientMessage(bytes: Uint8Array): Parsed<ClientMessage> {
  const s = split(bytes);
  if (!s.ok) return s;
  const { type, rest, size } = s.message;
  switch (type) {
    case 'HELLO': {
      if (size < MIN_HELLO_BYTES) return fail('hello-too-short');
      const nick = rest.split(' ', 1)[0] ?? '';
      return { ok: true, message: { type, nick } };
    }
    case 'JOIN': {
      const [nick, cookie, extra] = rest.split(' ');
      if (!nick || !cookie || extra !== undefined) return fail('malformed');
      return { ok: true, message: { type, nick, cookie } };
    }
    case 'MSG':
      if (rest.length === 0) return fail('malformed');
      if (Buffer.byteLength(rest) > MAX_TEXT_BYTES) return fail('too-large');
      return { ok: true, message: { type, text: rest } };
    case 'PING':
    case 'LEAVE':
      return rest === '' ? { ok: true, message: { type } } : fail('malformed');
    default:
      return fail('malformed');
  }
}

/** Parses what the server sent to a client; nicknames that break the rules are rejected. */
export function parseServerMessage(bytes: Uint8Array): Parsed<ServerMessage> {
  const s = split(bytes);
  if (!s.ok) return s;
  const { type, rest } = s.message;
  const words = rest.split(' ');
  switch (type) {
    case 'COOKIE':
      return words[0] ? { ok: true, message: { type, cookie: words[0] } } : fail('malformed');
    case 'WELCOME': {
      const members = Number(words[1]);
      return words[0] && isValidNick(words[0]) && Number.isInteger(members)
        ? { ok: true, message: { type, nick: words[0], members } }
        : fail('malformed');
    }
    case 'JOINED':
      return words[0] && isValidNick(words[0])
        ? { ok: true, message: { type, nick: words[0] } }
        : fail('bad-nick');
    case 'LEFT': {
      const reason = words[1] ?? '';
      return words[0] && isValidNick(words[0]) && LEAVE_REASONS.includes(reason)
        ? { ok: true, message: { type, nick: words[0], reason: reason as LeaveReason } }
        : fail('malformed');
    }
    case 'FROM': {
      const space = rest.indexOf(' ');
      if (space <= 0) return fail('malformed');
      const nick = rest.slice(0, space);
      // A nickname from the server is shown and logged: hold it to the same rules as the server does.
      if (!isValidNick(nick)) return fail('bad-nick');
      return { ok: true, message: { type, nick, text: rest.slice(space + 1) } };
    }
    case 'PONG':
    case 'NOPE':
    case 'BYE':
    case 'SHUTDOWN':
      return { ok: true, message: { type } };
    case 'ERR': {
      if (!ERR_CODES.includes(words[0] ?? '')) return fail('malformed');
      const code = words[0] as ErrCode;
      // The limit is optional (older servers send none); anything but a whole number is ignored.
      const limit = /^\d{1,9}$/.test(words[1] ?? '') ? Number(words[1]) : undefined;
      return { ok: true, message: limit === undefined ? { type, code } : { type, code, limit } };
    }
    default:
      return fail('malformed');
  }
}

/** Encodes a message (either direction) as the bytes of one datagram. */
export function encode(message: ClientMessage | ServerMessage): Buffer {
  switch (message.type) {
    case 'HELLO': {
      const line = `HELLO ${message.nick} `;
      const pad = Math.max(1, MIN_HELLO_BYTES - Buffer.byteLength(line));
      return Buffer.from(line + '.'.repeat(pad));
    }
    case 'JOIN':
      return Buffer.from(`JOIN ${message.nick} ${message.cookie}`);
    case 'MSG':
      return Buffer.from(`MSG ${message.text}`);
    case 'COOKIE':
      return Buffer.from(`COOKIE ${message.cookie}`);
    case 'WELCOME':
      return Buffer.from(`WELCOME ${message.nick} ${message.members}`);
    case 'JOINED':
      return Buffer.from(`JOINED ${message.nick}`);
    case 'LEFT':
      return Buffer.from(`LEFT ${message.nick} ${message.reason}`);
    case 'FROM':
      return Buffer.from(`FROM ${message.nick} ${message.text}`);
    case 'ERR':
      return Buffer.from(`ERR ${message.code}${message.limit === undefined ? '' : ` ${message.limit}`}`);
    default:
      return Buffer.from(message.type);
  }
}
