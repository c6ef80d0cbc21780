import dgram from 'node:dgram';
import { labError } from '../errors.js';
import type { ClientCloseReason } from '../log/events.js';
import type { EventLog } from '../log/logger.js';
import { endpoint } from '../net/address.js';
import { checkDuration, checkInteger, withoutUndefined } from '../options.js';
import { visible } from '../text/escape.js';
import { type ChatClient, type ChatEvent, connectChatSocket } from './chat-client.js';
import { PLAIN_JOIN_TEXT, PLAIN_LEAVE_TEXT, encodePlain, maxPlainTextBytes, parsePlain } from './plain.js';
import { isValidNick } from './protocol.js';

export interface PlainChatOptions {
  host?: string;
  port?: number;
  nick: string;
  /**
   * After the first datagram, wait this long for an ICMP "port unreachable" before calling the
   * chat started: the only sign the plain protocol can give that nothing listens.
   */
  probeMs?: number;
  onEvent?: (event: ChatEvent) => void;
  /** Event log; the client adds `component: 'chat-client'`. */
  log: EventLog;
}

export const PLAIN_CLIENT_DEFAULTS = { host: '127.0.0.1', port: 7008, probeMs: 300 } as const;

/**
 * Starts a chat client speaking the course's plain protocol (src/udp/plain.ts): it sends
 * `<nick>: joined the chat`, then one `<nick>: <text>` datagram per line, and shows every datagram
 * the server sends as the line it is. Resolves once the first datagram is out and no "port
 * unreachable" came back within `probeMs`; rejects with LAB_ERR_CONNECT_REFUSED if one did.
 */
export async function startPlainChat(options: PlainChatOptions): Promise<ChatClient> {
  const o = { ...PLAIN_CLIENT_DEFAULTS, ...withoutUndefined(options) };
  checkInteger('port', o.port, 1, 65535);
  checkDuration('probeMs', o.probeMs, 0);
  if (!isValidNick(o.nick)) {
    throw labError('nick-invalid', { nick: visible(o.nick) });
  }
  const log = options.log.child({ component: 'chat-client' });
  const target = endpoint(o.host, o.port);
  const socket = dgram.createSocket(o.host.includes(':') ? 'udp6' : 'udp4');
  const maxText = maxPlainTextBytes(o.nick);
  let open = true;
  // ICMP errors reach a UDP socket only when it is connected, and then for any later datagram:
  // one warning per stretch of them, until something arrives from the server again.
  let refused = false;
  let warned = false;
  const onRefused = () => {
    refused = true;
    if (started && !warned) {
      warned = true;
      log.emit('chat.plain.unreachable', { server });
    }
  };
  let started = false;
  const { server, local } = await connectChatSocket(socket, o.host, o.port, target, onRefused);

  function sendLine(text: string): Promise<void> {
    return new Promise((resolve) =>
      socket.send(encodePlain(o.nick, text), (err) => {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ECONNREFUSED') onRefused();
        resolve();
      }),
    );
  }

  socket.on('message', (bytes) => {
    warned = false;
    const parsed = parsePlain(bytes);
    if (!parsed.ok) return; // empty, over-long or not UTF-8: nothing a person could read
    const { nick, text, line } = parsed.message;
    // '?' when the line has no `nick: ` in front: the plain protocol does not require it.
    log.emit('chat.message.received', { nick: nick ?? '?', bytes: Buffer.byteLength(text) });
    o.onEvent?.({ type: 'line', line });
  });

  await sendLine(PLAIN_JOIN_TEXT);
  if (o.probeMs > 0) await new Promise((r) => setTimeout(r, o.probeMs));
  if (refused) {
    socket.close();
    throw labError('chat-port-unreachable', { target });
  }
  started = true;
  log.emit('chat.joined', { nick: o.nick, server, local, protocol: 'plain' });

  let leaving: Promise<void> | undefined;
  return {
    nick: o.nick,
    server,
    local,
    membersAtJoin: 0,
    send(text) {
      const bytes = Buffer.byteLength(text);
      if (bytes === 0) return;
      // The messages have the shapes of the lab protocol's, so that their Russian texts are the same.
      if (!open) throw labError('chat-not-joined', { left: true });
      if (bytes > maxText) {
        throw labError('chat-message-too-long', { bytes, max: maxText });
      }
      void sendLine(text);
      log.emit('chat.message.sent', { nick: o.nick, bytes });
    },
    leave(reason: ClientCloseReason) {
      leaving ??= (async () => {
        open = false;
        await sendLine(PLAIN_LEAVE_TEXT);
        log.emit('chat.left', { nick: o.nick, reason, protocol: 'plain' });
        await new Promise<void>((resolve) => socket.close(() => resolve()));
      })();
      return leaving;
    },
  };
}
