import { type LabModel, numField as num, strField as str } from './aggregate.js';
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
  const relaysOf = new Map<string, LogRecord[]>();
  for (const m of model.members) {
    relaysOf.set(m.nick, [
      ...(relaysOf.get(m.nick) ?? []),
      ...m.records.filter((r) => r.event === 'udp.message.relayed'),
    ]);
  }
  for (const c of model.chat) {
    if (!c.member) continue;
    link(c.joined, c.member.joined);
    const relays = c.member.records.filter((r) => r.event === 'udp.message.relayed');
    let i = 0;
    for (const sent of c.records.filter((r) => r.event === 'chat.message.sent')) {
      // Relays of one member are in the order its datagrams arrived: the n-th with these bytes.
      const j = relays.findIndex((r, k) => k >= i && num(r, 'bytes') === num(sent, 'bytes'));
      if (j < 0) continue;
      link(relays[j], sent);
      i = j + 1;
    }
  }
  for (const c of model.chat) {
    const used = new Set<LogRecord>();
    for (const r of c.records) {
      if (r.event === 'chat.message.received') {
        const relay = (relaysOf.get(str(r, 'nick') ?? '') ?? []).find(
          (x) => !used.has(x) && num(x, 'bytes') === num(r, 'bytes') && Math.abs(x.time - r.time) < 5_000,
        );
        if (relay) {
          used.add(relay);
          link(r, relay);
        }
      } else if (r.event === 'chat.member.joined') {
        const m = model.members.find(
          (x) => x.nick === str(r, 'nick') && Math.abs(x.joined.time - r.time) < 5_000,
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
