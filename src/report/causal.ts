import {
  type EchoSession,
  type LabModel,
  type MemberSession,
  numField as num,
  strField as str,
} from './aggregate.js';
import { READS, WRITES } from './own-checks.js';
import type { LogRecord } from './parse.js';

/**
 * Which records are effects of records another program wrote: the report merges the containers'
 * logs by time, and their clocks differ by milliseconds, so without these links a client could
 * "read its echo" before the server "sent" it. Only pairs the model matched are linked:
 * - an echo client's read of its first N bytes comes after the server's write that completed N;
 * - the server's read of its first N bytes comes after the client's write that completed N;
 * - a relay comes after the chat message it relays, and each copy received after that relay;
 * - a chat client's WELCOME and the others' "joined" come after the server's join line.
 */
export function causalLinks(model: LabModel): Map<LogRecord, LogRecord[]> {
  const after = new Map<LogRecord, LogRecord[]>();
  const link = (effect: LogRecord | undefined, cause: LogRecord | undefined) => {
    if (!effect || !cause || effect === cause) return;
    const list = after.get(effect);
    if (list) list.push(cause);
    else after.set(effect, [cause]);
  };
  for (const s of model.echo) {
    if (!s.server) continue;
    const serverRecords = s.server.records;
    byteLinks(
      s.records.filter((r) => r.event === 'client.data.received'),
      serverRecords.filter((r) => r.event === 'tcp.data.sent'),
      link,
    );
    byteLinks(
      serverRecords.filter((r) => r.event === 'tcp.data.received'),
      s.records.filter((r) => r.event === 'client.data.sent'),
      link,
    );
  }
  // A student's own client (its traced calls): the server's accept after its connect(), and the
  // same byte links as for ours, with the bytes each read or write call moved.
  const ownCalls = (s: EchoSession, calls: ReadonlySet<string>) =>
    s.records.filter(
      (r) => r.event === 'own.call' && calls.has(str(r, 'call') ?? '') && (num(r, 'bytes') ?? 0) > 0,
    );
  for (const s of model.ownEcho) {
    if (!s.server) continue;
    const serverRecords = s.server.records;
    link(
      serverRecords.find((r) => r.event === 'tcp.connection.accepted'),
      s.records.find((r) => str(r, 'call') === 'connect'),
    );
    byteLinks(
      ownCalls(s, READS),
      serverRecords.filter((r) => r.event === 'tcp.data.sent'),
      link,
    );
    byteLinks(
      serverRecords.filter((r) => r.event === 'tcp.data.received'),
      ownCalls(s, WRITES),
      link,
    );
  }
  // A student's own server (its traced calls on a client's connection): its accept() after the
  // client's connect, its reads after the client's writes, the client's reads after its writes.
  const serverCalls = (calls: readonly LogRecord[], names: ReadonlySet<string>) =>
    calls.filter((r) => names.has(str(r, 'call') ?? '') && (num(r, 'bytes') ?? 0) > 0);
  for (const [s, calls] of model.ownServer) {
    const own = s.own === true;
    link(calls[0], own ? s.records.find((r) => str(r, 'call') === 'connect') : s.connected);
    byteLinks(
      serverCalls(calls, READS),
      own ? ownCalls(s, WRITES) : s.records.filter((r) => r.event === 'client.data.sent'),
      link,
    );
    byteLinks(
      own ? ownCalls(s, READS) : s.records.filter((r) => r.event === 'client.data.received'),
      serverCalls(calls, WRITES),
      link,
    );
  }
  const relaysOf = new Map<string, LogRecord[]>();
  const membersOf = new Map<string, MemberSession[]>();
  for (const m of model.members) {
    let list = relaysOf.get(m.nick);
    if (!list) relaysOf.set(m.nick, (list = []));
    for (const r of m.records) if (r.event === 'udp.message.relayed') list.push(r);
    const same = membersOf.get(m.nick);
    if (same) same.push(m);
    else membersOf.set(m.nick, [m]);
  }
  for (const c of model.chat) {
    if (!c.member) continue;
    link(c.joined, c.member.joined);
    const relays = c.member.records.filter((r) => r.event === 'udp.message.relayed');
    let i = 0;
    for (const sent of c.records.filter((r) => r.event === 'chat.message.sent')) {
      // Relays of one member are in the order its datagrams arrived: the n-th with these bytes.
      let j = i;
      while (j < relays.length && num(relays[j], 'bytes') !== num(sent, 'bytes')) j++;
      if (j >= relays.length) continue;
      link(relays[j], sent);
      i = j + 1;
    }
  }
  // Per sender and size, the relays; each client takes them from a moving start, so a received
  // copy costs a step, not a scan of every relay (quadratic in a chat of 130k messages).
  const byKey = new Map<string, LogRecord[]>();
  for (const [nick, relays] of relaysOf)
    for (const x of relays) {
      const k = `${nick}\u0000${num(x, 'bytes') ?? ''}`;
      const list = byKey.get(k);
      if (list) list.push(x);
      else byKey.set(k, [x]);
    }
  for (const c of model.chat) {
    const next = new Map<string, number>();
    for (const r of c.records) {
      if (r.event === 'chat.message.received') {
        const k = `${str(r, 'nick') ?? ''}\u0000${num(r, 'bytes') ?? ''}`;
        const list = byKey.get(k) ?? [];
        let j = next.get(k) ?? 0;
        // Relays more than 5 s before this copy are too old for it and for every later copy.
        while (j < list.length && (list[j] as LogRecord).time <= r.time - 5_000) j++;
        const relay = list[j];
        if (relay && Math.abs(relay.time - r.time) < 5_000) {
          link(r, relay);
          j++;
        }
        next.set(k, j);
      } else if (r.event === 'chat.member.joined') {
        const m = (membersOf.get(str(r, 'nick') ?? '') ?? []).find(
          (x) => Math.abs(x.joined.time - r.time) < 5_000,
        );
        link(r, m?.joined);
      }
    }
  }
  return after;
}

/**
 * Links each read to the write that completed the bytes it needs: a read that brings the total to
 * N bytes cannot happen before the other side's writes reach N. Lines the reader left out (or a
 * summary) make the totals unknown from there on; the links stop there rather than guess.
 */
function byteLinks(
  reads: readonly LogRecord[],
  writes: readonly LogRecord[],
  link: (effect: LogRecord, cause: LogRecord) => void,
): void {
  let written = 0;
  let w = 0;
  let read = 0;
  for (const r of reads) {
    if (r.elided) return;
    read += num(r, 'bytes') ?? 0;
    while (w < writes.length && written < read) {
      const x = writes[w] as LogRecord;
      if (x.elided) return;
      written += num(x, 'bytes') ?? 0;
      w++;
    }
    if (written < read) return;
    link(r, writes[w - 1] as LogRecord);
  }
}
