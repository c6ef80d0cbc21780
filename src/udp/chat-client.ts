import dgram from 'node:dgram';
import { LabError, explainSocketError, labError } from '../errors.js';
import type { ClientCloseReason, LeaveReason } from '../log/events.js';
import type { EventLog } from '../log/logger.js';
import { endpoint } from '../net/address.js';
import { visible } from '../text/escape.js';
import { checkDuration, checkInteger, withoutUndefined } from '../options.js';
import {
  type ClientMessage,
  type ErrCode,
  MAX_TEXT_BYTES,
  type ServerMessage,
  encode,
  isValidNick,
  parseServerMessage,
} from './protocol.js';

/** What the chat client tells its user interface. */
export type ChatEvent =
  | { type: 'message'; nick: string; text: string }
  | { type: 'joined'; nick: string }
  | { type: 'left'; nick: string; reason: LeaveReason }
  | { type: 'lost'; reason: 'no-answer' | 'server-stopping' | 'not-a-member' }
  | { type: 'rejoined'; members: number }
  /** Plain protocol: a datagram from the server, shown as the line it is (`nick: text`). */
  | { type: 'line'; line: string };

export interface ChatClientOptions {
  host?: string;
  port?: number;
  nick: string;
  /** A PING goes out this often; three unanswered ones mean the server is gone. */
  heartbeatMs?: number;
  /** Wait this long for each answer during the join handshake... */
  answerTimeoutMs?: number;
  /** ...and send each request this many times before giving up. */
  attempts?: number;
  onEvent?: (event: ChatEvent) => void;
  /** Event log; the client adds `component: 'chat-client'`. */
  log: EventLog;
}

export const CHAT_CLIENT_DEFAULTS = {
  host: '127.0.0.1',
  port: 7008,
  heartbeatMs: 5000,
  answerTimeoutMs: 1000,
  attempts: 4,
} as const;

export interface ChatClient {
  readonly nick: string;
  readonly server: string;
  readonly local: string;
  /** Members in the chat (this one included) when the server welcomed us. */
  readonly membersAtJoin: number;
  /** Sends one chat message (one datagram). Throws a LabError if it is too long. */
  send(text: string): void;
  /** Sends LEAVE (waiting briefly for BYE), logs `chat.left` and closes the socket. */
  leave(reason: ClientCloseReason): Promise<void>;
}

/**
 * Joins the chat: HELLO -> COOKIE -> JOIN -> WELCOME, each step retried because UDP may lose any
 * datagram. Resolves once joined; rejects with a LabError (no answer, nickname taken, ...).
 */
export async function joinChat(options: ChatClientOptions): Promise<ChatClient> {
  const o = { ...CHAT_CLIENT_DEFAULTS, ...withoutUndefined(options) };
  checkInteger('port', o.port, 1, 65535);
  checkDuration('heartbeatMs', o.heartbeatMs, 1);
  checkDuration('answerTimeoutMs', o.answerTimeoutMs, 1);
  if (!isValidNick(o.nick)) {
    throw labError('nick-invalid', { nick: visible(o.nick) });
  }
  const log = options.log.child({ component: 'chat-client' });
  const target = endpoint(o.host, o.port);
  const socket = dgram.createSocket(o.host.includes(':') ? 'udp6' : 'udp4');

  let waiter: { types: ServerMessage['type'][]; resolve: (m: ServerMessage) => void } | undefined;
  let refused = false;
  let state: 'joining' | 'joined' | 'lost' | 'left' = 'joining';
  let missed = 0;

  const { server, local } = await connectChatSocket(socket, o.host, o.port, target, () => {
    refused = true;
  });

  function sendRaw(m: ClientMessage): void {
    socket.send(encode(m), (err) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ECONNREFUSED') refused = true;
    });
  }

  /** Sends `m` until an answer of one of `types` arrives, up to `attempts` times. */
  async function request(m: ClientMessage, types: ServerMessage['type'][]): Promise<ServerMessage> {
    refused = false; // only an ICMP error during this request says nothing listens now
    for (let i = 0; i < o.attempts; i++) {
      sendRaw(m);
      const answer = await new Promise<ServerMessage | undefined>((resolve) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          resolve(undefined);
        }, o.answerTimeoutMs);
        waiter = {
          types,
          resolve: (msg) => {
            clearTimeout(timer);
            waiter = undefined;
            resolve(msg);
          },
        };
      });
      if (answer) return answer;
      if (state === 'left') break;
    }
    throw refused
      ? labError('chat-port-unreachable', { target })
      : labError('chat-no-answer', { target, tries: o.attempts, port: o.port });
  }

  async function handshake(): Promise<number> {
    const cookie = await request({ type: 'HELLO', nick: o.nick }, ['COOKIE', 'ERR']);
    if (cookie.type === 'ERR') throw refusal(cookie.code, cookie.limit);
    if (cookie.type !== 'COOKIE') throw labError('chat-unexpected-answer', { to: 'HELLO' });
    const welcome = await request({ type: 'JOIN', nick: o.nick, cookie: cookie.cookie }, ['WELCOME', 'ERR']);
    if (welcome.type === 'ERR') throw refusal(welcome.code, welcome.limit);
    if (welcome.type !== 'WELCOME') throw labError('chat-unexpected-answer', { to: 'JOIN' });
    state = 'joined';
    missed = 0;
    log.emit('chat.joined', { nick: o.nick, server, local, members: welcome.members });
    return welcome.members;
  }

  function refusal(code: ErrCode, limit: number | undefined): LabError {
    if (code === 'bad-nick') return labError('chat-nick-refused', { target, nick: o.nick });
    if (code === 'nick-taken') return labError('chat-nick-taken', { target, nick: o.nick });
    // A limit: which one, how large (when the server said), and the setting that raises it.
    if (code === 'room-full') return labError('chat-full', { target, limit });
    if (code === 'address-full') return labError('chat-address-full', { target, limit });
    return labError('chat-refused', { target, code });
  }

  let rejoining = false;
  async function lost(reason: 'no-answer' | 'server-stopping' | 'not-a-member'): Promise<void> {
    if (state !== 'joined') return;
    state = 'lost';
    log.emit('chat.server.lost', { server, reason });
    o.onEvent?.({ type: 'lost', reason });
    if (rejoining) return;
    rejoining = true;
    while (state === 'lost') {
      try {
        const members = await handshake();
        o.onEvent?.({ type: 'rejoined', members });
      } catch {
        if (state === 'lost') await new Promise((r) => setTimeout(r, o.heartbeatMs));
      }
    }
    rejoining = false;
  }

  socket.on('message', (bytes) => {
    const parsed = parseServerMessage(bytes);
    if (!parsed.ok) return; // not from our protocol: ignore, the server never sends such a thing
    const m = parsed.message;
    if (waiter?.types.includes(m.type)) return waiter.resolve(m);
    switch (m.type) {
      case 'FROM':
        log.emit('chat.message.received', { nick: m.nick, bytes: Buffer.byteLength(m.text) });
        o.onEvent?.({ type: 'message', nick: m.nick, text: m.text });
        return;
      case 'JOINED':
        log.emit('chat.member.joined', { nick: m.nick });
        o.onEvent?.({ type: 'joined', nick: m.nick });
        return;
      case 'LEFT':
        log.emit('chat.member.left', { nick: m.nick, reason: m.reason });
        o.onEvent?.({ type: 'left', nick: m.nick, reason: m.reason });
        return;
      case 'PONG':
        missed = 0;
        return;
      case 'NOPE':
        void lost('not-a-member');
        return;
      case 'SHUTDOWN':
        void lost('server-stopping');
        return;
    }
  });

  let membersAtJoin: number;
  try {
    membersAtJoin = await handshake();
  } catch (err) {
    state = 'left';
    socket.close();
    throw err;
  }

  const heartbeat = setInterval(() => {
    if (state !== 'joined') return;
    if (missed >= 3) {
      void lost('no-answer');
      return;
    }
    missed++;
    sendRaw({ type: 'PING' });
  }, o.heartbeatMs);

  let leaving: Promise<void> | undefined;
  const client: ChatClient = {
    nick: o.nick,
    server,
    local,
    membersAtJoin,
    send(text) {
      const bytes = Buffer.byteLength(text);
      if (bytes === 0) return;
      if (state !== 'joined') {
        throw labError('chat-not-joined', { left: state === 'left' });
      }
      if (bytes > MAX_TEXT_BYTES) {
        throw labError('chat-message-too-long', { bytes, max: MAX_TEXT_BYTES });
      }
      sendRaw({ type: 'MSG', text });
      log.emit('chat.message.sent', { nick: o.nick, bytes });
    },
    leave(reason) {
      // Every caller (end of input, a signal during the wait for BYE) gets the same promise, so
      // nobody exits before chat.left is logged.
      leaving ??= leaveOnce(reason);
      return leaving;
    },
  };
  return client;

  async function leaveOnce(reason: ClientCloseReason): Promise<void> {
    clearInterval(heartbeat);
    const wasJoined = state === 'joined';
    state = 'left';
    if (wasJoined) {
      // One LEAVE, one short wait for BYE: if either is lost the server times us out anyway.
      sendRaw({ type: 'LEAVE' });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.answerTimeoutMs);
        waiter = {
          types: ['BYE'],
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    }
    log.emit('chat.left', { nick: o.nick, reason });
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/**
 * Connects a chat client's UDP socket to the server (lab protocol and plain alike). A connected UDP
 * socket only accepts datagrams from the server, and learns of an ICMP "port unreachable"
 * (ECONNREFUSED, on a later call) when no socket is bound there: `onRefused` is told. On failure
 * the socket is closed and the error explained.
 */
export async function connectChatSocket(
  socket: dgram.Socket,
  host: string,
  port: number,
  target: string,
  onRefused: () => void,
): Promise<{ server: string; local: string }> {
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNREFUSED') onRefused();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => reject(explainSocketError(err, { op: 'reach-chat', at: target })));
    socket.connect(port, host, () => resolve());
  }).catch((err) => {
    socket.close();
    throw err;
  });
  return {
    server: endpoint(socket.remoteAddress().address, socket.remoteAddress().port),
    local: endpoint(socket.address().address, socket.address().port),
  };
}
