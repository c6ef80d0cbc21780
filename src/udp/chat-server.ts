import dgram, { type RemoteInfo } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { explainSocketError } from '../errors.js';
import { BudgetedLines } from '../log/budget.js';
import type { LeaveReason, RejectReason } from '../log/events.js';
import type { EventLog } from '../log/logger.js';
import { endpoint, endpointOf, plainAddress } from '../net/address.js';
import { checkDuration, checkInteger, withoutUndefined } from '../options.js';
import { textPreview } from '../text/escape.js';
import { type ChatProtocol, PLAIN_LEAVE_TEXT, PLAIN_MEMBER_TIMEOUT_MS, parsePlain } from './plain.js';
import { createCookieJar } from './cookie.js';
import { type ErrCode, type ServerMessage, encode, isValidNick, parseClientMessage } from './protocol.js';

export interface ChatServerOptions {
  /** Address to bind; 0.0.0.0 receives on every IPv4 address of the machine. */
  host?: string;
  /** UDP port; 0 lets the kernel pick a free one (read it from `address`). */
  port?: number;
  /**
   * `lab` (default): our protocol, members join with the cookie handshake. `plain`: the course's
   * protocol (src/udp/plain.ts), every datagram is relayed unchanged to every other sender.
   */
  protocol?: ChatProtocol;
  /**
   * A member that sent nothing (not even a PING) for this long is removed. Default: 15 s with our
   * protocol, PLAIN_MEMBER_TIMEOUT_MS in plain mode (plain clients send no PING).
   */
  memberTimeoutMs?: number;
  /** At most this many members at once. */
  maxMembers?: number;
  /** At most this many members from one IP address (one host must not take every seat). */
  maxMembersPerAddress?: number;
  /** Each member may send this many messages a second on average... */
  messagesPerSecond?: number;
  /** ...with bursts of up to this many. */
  messageBurst?: number;
  /** The server sends at most this many relayed datagrams a second, whoever asks. */
  relayBudgetPerSecond?: number;
  /** Individual log lines a second for relays and for rejected datagrams; the rest are summarised. */
  linesPerSecond?: number;
  /** Event log; the server adds `component: 'udp-chat'`. */
  log: EventLog;
}

export const CHAT_DEFAULTS = {
  protocol: 'lab' as ChatProtocol,
  host: '0.0.0.0',
  port: 7008,
  memberTimeoutMs: 15_000,
  maxMembers: 256,
  maxMembersPerAddress: 32,
  messagesPerSecond: 20,
  messageBurst: 40,
  relayBudgetPerSecond: 50_000,
  linesPerSecond: 50,
} as const;

/** Receive buffer the chat socket asks the kernel for (Linux caps it at net.core.rmem_max). */
const RECEIVE_BUFFER_BYTES = 1 << 20;

export interface ChatServer {
  readonly address: AddressInfo;
  readonly endpoint: string;
  members(): number;
  /** Tells every member the server stops, then closes the socket. */
  close(): Promise<void>;
}

interface Member {
  nick: string;
  address: string;
  port: number;
  remote: string;
  lastSeen: number;
  tokens: number;
  refilledAt: number;
}

/** Starts the UDP multi-user chat server. Resolves once the socket is bound. */
export async function createChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const o = {
    ...CHAT_DEFAULTS,
    ...(options.protocol === 'plain' ? { memberTimeoutMs: PLAIN_MEMBER_TIMEOUT_MS } : {}),
    ...withoutUndefined(options),
  };
  const plain = o.protocol === 'plain';
  checkInteger('port', o.port, 0, 65535);
  checkDuration('memberTimeoutMs', o.memberTimeoutMs, 100);
  checkInteger('maxMembers', o.maxMembers, 2);
  checkInteger('maxMembersPerAddress', o.maxMembersPerAddress, 1);
  checkInteger('messagesPerSecond', o.messagesPerSecond, 1);
  checkInteger('messageBurst', o.messageBurst, 1);
  /** A member as the server first knows it: a full bucket of messages to send. */
  const newMember = (nick: string, address: string, port: number, remote: string, now: number): Member => ({
    nick,
    address,
    port,
    remote,
    lastSeen: now,
    tokens: o.messageBurst,
    refilledAt: now,
  });
  checkInteger('relayBudgetPerSecond', o.relayBudgetPerSecond, 1);
  checkInteger('linesPerSecond', o.linesPerSecond, 0);
  const log = options.log.child({ component: 'udp-chat' });
  const cookies = createCookieJar();
  const members = new Map<string, Member>(); // by remote endpoint
  const nicks = new Map<string, Member>(); // by lower-case nickname
  // Every member's messages queue in this one socket's receive buffer while the event loop is busy
  // (sending the relayed copies, or not scheduled at all on a loaded machine). The usual default
  // (~200 KB) holds a few hundred datagrams, a fraction of a second in a busy chat; a larger
  // buffer rides out such stalls instead of dropping messages. The kernel caps it at rmem_max.
  const socket = dgram.createSocket({
    type: o.host.includes(':') ? 'udp6' : 'udp4',
    recvBufferSize: RECEIVE_BUFFER_BYTES,
  });

  // Log volume stays bounded whatever peers send: past the line budget, exact counts per window.
  const relayLines = new BudgetedLines({
    perSecond: o.linesPerSecond,
    empty: () => ({ messages: 0, datagrams: 0, bytes: 0 }),
    summary: (t, windowMs) => log.emit('udp.relay.summary', { ...t, windowMs }),
  });
  const rejectLines = new BudgetedLines({
    perSecond: o.linesPerSecond,
    empty: () => ({ dropped: 0, reasons: {} as Record<string, number> }),
    summary: (t, windowMs) => log.emit('udp.drop.summary', { windowMs, ...t }),
  });
  // HELLOs cost nothing to forge: their lines are budgeted like the rest, with exact counts.
  const handshakeLines = new BudgetedLines({
    perSecond: o.linesPerSecond,
    empty: () => ({ cookies: 0 }),
    summary: (t, windowMs) => log.emit('udp.handshake.summary', { ...t, windowMs }),
  });
  let closing = false;
  let relayWindowStart = 0;
  let relayedInWindow = 0;

  function send(m: Member | { address: string; port: number }, bytes: Buffer): void {
    // Errors of a single send (e.g. ICMP unreachable reported back) only concern that peer; a
    // synchronous throw (a bad port) must not take the server down either.
    try {
      socket.send(bytes, m.port, m.address, () => {});
    } catch {
      // nothing to do: that peer cannot be answered
    }
  }

  function reject(rinfo: RemoteInfo, reason: RejectReason, now: number): void {
    if (rejectLines.allow(now)) {
      log.emit('udp.datagram.rejected', {
        remote: endpoint(rinfo.address, rinfo.port),
        bytes: rinfo.size,
        reason,
      });
    } else {
      const t = rejectLines.count(now);
      t.dropped++;
      t.reasons[reason] = (t.reasons[reason] ?? 0) + 1;
    }
  }

  function broadcast(message: ServerMessage | Buffer, except?: Member): number {
    const bytes = Buffer.isBuffer(message) ? message : encode(message);
    let n = 0;
    for (const m of members.values()) {
      if (m !== except) {
        send(m, bytes);
        n++;
      }
    }
    return n;
  }

  function removeMember(m: Member, reason: LeaveReason): void {
    members.delete(m.remote);
    nicks.delete(m.nick.toLowerCase());
    log.emit('udp.member.left', { member: m.nick, remote: m.remote, reason, members: members.size });
    // The plain protocol has no message that says someone left: the others are not told.
    if (reason !== 'server-stopping' && !plain) broadcast({ type: 'LEFT', nick: m.nick, reason });
  }

  function takeToken(m: Member, now: number): boolean {
    m.tokens = Math.min(o.messageBurst, m.tokens + ((now - m.refilledAt) / 1000) * o.messagesPerSecond);
    m.refilledAt = now;
    if (m.tokens < 1) return false;
    m.tokens -= 1;
    return true;
  }

  /** Sends `out` (a FROM, or in plain mode the datagram itself) to every member but `m`. */
  function relay(m: Member, out: Buffer, text: string, rinfo: RemoteInfo, now: number): void {
    if (!takeToken(m, now)) return reject(rinfo, 'rate-limited', now);
    const recipients = members.size - 1;
    if (now - relayWindowStart >= 1000) {
      relayWindowStart = now;
      relayedInWindow = 0;
    }
    if (relayedInWindow + recipients > o.relayBudgetPerSecond) return reject(rinfo, 'relay-budget', now);
    relayedInWindow += recipients;
    broadcast(out, m);
    const bytes = Buffer.byteLength(text);
    if (relayLines.allow(now)) {
      log.emit('udp.message.relayed', {
        member: m.nick,
        remote: m.remote,
        bytes,
        recipients,
        preview: textPreview(text),
      });
    } else {
      const t = relayLines.count(now);
      t.messages++;
      t.datagrams += recipients;
      t.bytes += bytes;
    }
  }

  function onMessage(bytes: Buffer, rinfo: RemoteInfo): void {
    const now = Date.now();
    if (closing) return;
    // Port 0 cannot be a real sender's port: the datagram is forged, and no answer can go back.
    if (rinfo.port === 0) return reject(rinfo, 'bad-source', now);
    if (plain) return onPlain(bytes, rinfo, now);
    const parsed = parseClientMessage(bytes);
    if (!parsed.ok) return reject(rinfo, parsed.reason, now);
    const msg = parsed.message;
    const address = plainAddress(rinfo.address);
    const remote = endpoint(address, rinfo.port);
    const member = members.get(remote);
    if (member) member.lastSeen = now;

    switch (msg.type) {
      case 'HELLO': {
        // The address is unproven: every answer here is at most as large as the HELLO itself.
        if (!isValidNick(msg.nick)) {
          send(rinfo, encode({ type: 'ERR', code: 'bad-nick' }));
          return reject(rinfo, 'bad-nick', now);
        }
        const reply = encode({ type: 'COOKIE', cookie: cookies.issue(address, rinfo.port, msg.nick, now) });
        if (reply.length > bytes.length) return reject(rinfo, 'hello-too-short', now);
        send(rinfo, reply);
        if (handshakeLines.allow(now))
          log.emit('udp.cookie.sent', { remote, nick: msg.nick, bytes: reply.length });
        else handshakeLines.count(now).cookies++;
        return;
      }
      case 'JOIN': {
        if (!isValidNick(msg.nick)) return reject(rinfo, 'bad-nick', now);
        if (!cookies.verify(msg.cookie, address, rinfo.port, msg.nick, now))
          return reject(rinfo, 'bad-cookie', now);
        // From here on the address is proven: it received our cookie.
        const holder = nicks.get(msg.nick.toLowerCase());
        if (holder && holder !== member) {
          send(rinfo, encode({ type: 'ERR', code: 'nick-taken' }));
          return reject(rinfo, 'nick-taken', now);
        }
        if (member && member.nick !== msg.nick) removeMember(member, 'leave');
        if (!members.has(remote)) {
          let fromAddress = 0;
          for (const other of members.values()) if (other.address === address) fromAddress++;
          // Two limits, two reasons: a class behind one NAT address meets the per-address one while
          // most places are free, and must not be told the chat is full.
          const full: ErrCode | undefined =
            members.size >= o.maxMembers
              ? 'room-full'
              : fromAddress >= o.maxMembersPerAddress
                ? 'address-full'
                : undefined;
          if (full) {
            const limit = full === 'room-full' ? o.maxMembers : o.maxMembersPerAddress;
            // A refusal is never larger than the JOIN that caused it (the rule HELLO follows too).
            let answer = encode({ type: 'ERR', code: full, limit });
            if (answer.length > bytes.length) answer = encode({ type: 'ERR', code: full });
            if (answer.length <= bytes.length) send(rinfo, answer);
            return reject(rinfo, full, now);
          }
          const m = newMember(msg.nick, address, rinfo.port, remote, now);
          members.set(remote, m);
          nicks.set(msg.nick.toLowerCase(), m);
          log.emit('udp.member.joined', { member: m.nick, remote, members: members.size });
          broadcast({ type: 'JOINED', nick: m.nick }, m);
        }
        // A repeated JOIN (the WELCOME was lost) is answered again and changes nothing else.
        send(rinfo, encode({ type: 'WELCOME', nick: msg.nick, members: members.size }));
        return;
      }
      case 'MSG':
        if (!member) return reject(rinfo, 'not-a-member', now);
        return relay(
          member,
          encode({ type: 'FROM', nick: member.nick, text: msg.text }),
          msg.text,
          rinfo,
          now,
        );
      case 'PING':
        // NOPE is no larger than PING, so even an unproven sender gets nothing bigger than it sent.
        send(rinfo, encode({ type: member ? 'PONG' : 'NOPE' }));
        return;
      case 'LEAVE':
        if (!member) return reject(rinfo, 'not-a-member', now);
        removeMember(member, 'leave');
        send(rinfo, encode({ type: 'BYE' }));
        return;
    }
  }

  /**
   * The course's protocol: the first datagram from an address makes it a member, and every accepted
   * datagram goes, unchanged, to every other member. Nothing is ever answered, so an address that
   * is not a member gets nothing back; but once it is one, it gets everything (docs/protocol.md,
   * amplification). Our limits stay: size, UTF-8, members per address, rate, relay budget, expiry.
   */
  function onPlain(bytes: Buffer, rinfo: RemoteInfo, now: number): void {
    const parsed = parsePlain(bytes);
    if (!parsed.ok) return reject(rinfo, parsed.reason, now);
    const address = plainAddress(rinfo.address);
    const remote = endpoint(address, rinfo.port);
    let member = members.get(remote);
    if (member) {
      member.lastSeen = now;
    } else {
      let fromAddress = 0;
      for (const other of members.values()) if (other.address === address) fromAddress++;
      // Refused in silence: plain has no ERR, and an unproven address gets nothing from us.
      if (members.size >= o.maxMembers || fromAddress >= o.maxMembersPerAddress)
        return reject(rinfo, 'room-full', now);
      // Nicknames are not unique in plain mode (anyone may write any name before ':'); the log
      // names a member by the nickname of its first line, or by its address.
      member = newMember(parsed.message.nick ?? remote, address, rinfo.port, remote, now);
      members.set(remote, member);
      log.emit('udp.member.joined', {
        member: member.nick,
        remote,
        members: members.size,
        protocol: 'plain',
      });
    }
    relay(member, bytes, parsed.message.text, rinfo, now);
    if (parsed.message.nick !== undefined && parsed.message.text === PLAIN_LEAVE_TEXT)
      removeMember(member, 'goodbye');
  }

  function tick(): void {
    const now = Date.now();
    for (const m of members.values()) {
      if (now - m.lastSeen > o.memberTimeoutMs) removeMember(m, plain ? 'silent' : 'timeout');
    }
    relayLines.flush(now);
    rejectLines.flush(now);
    handshakeLines.flush(now);
  }

  socket.on('message', onMessage);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) =>
      reject(explainSocketError(err, { op: 'bind-udp', at: endpoint(o.host, o.port) }));
    socket.once('error', onError);
    socket.bind({ address: o.host, port: o.port }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    log.emit('server.error', { code: err.code ?? 'EUNKNOWN', message: err.message });
  });
  const ticker = setInterval(tick, Math.min(1000, Math.floor(o.memberTimeoutMs / 3)));
  ticker.unref();

  const address = socket.address();
  log.emit('server.listening', { protocol: 'udp', address: address.address, port: address.port });

  return {
    address,
    endpoint: endpointOf(address),
    members: () => members.size,
    async close() {
      closing = true; // a JOIN now would make a member that never hears SHUTDOWN
      clearInterval(ticker);
      const bye = encode({ type: 'SHUTDOWN' });
      // Plain clients would show SHUTDOWN as a chat line: the plain protocol has no such message.
      const sent = [...members.values()]
        .filter(() => !plain)
        .map((m) => new Promise<void>((resolve) => socket.send(bye, m.port, m.address, () => resolve())));
      for (const m of [...members.values()]) removeMember(m, 'server-stopping');
      // Closing the socket cancels sends still queued: let the SHUTDOWN datagrams leave first.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(sent), new Promise((resolve) => (timer = setTimeout(resolve, 500)))]);
      clearTimeout(timer);
      tick();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
