/**
 * A remote chat client's silence against the router's UDP mapping (conntrack). The router keeps a
 * UDP mapping `udpTimeoutS` after the flow's last datagram, or `udpStreamTimeoutS` once the flow has
 * had an answer and lasted more than 2 s (Linux's nf_conntrack_proto_udp.c: each datagram renews
 * the mapping with one of the two). A plain-protocol client sends nothing while its user is silent
 * (ours with the lab's protocol sends a PING every 5 s, inside both), so past that time the mapping
 * is gone: what the server sends it is not forwarded until its next datagram makes a new one.
 * Pure: the model in, the gaps out, from the client's own lines and the server's relays.
 */
import { type ChatSession, type LabModel, numField as num, strField as str } from './aggregate.js';
import type { LogRecord } from './parse.js';

/** Linux's defaults, used when the run's router logged no `router.conntrack`. */
export const CONNTRACK_DEFAULTS = { udpTimeoutS: 30, udpStreamTimeoutS: 120 } as const;
/** A flow renewed later than this after it began, with an answer seen, gets the stream timeout. */
const STREAM_AFTER_MS = 2000;
/** How far the server's join line may be from the client's datagram (two programs' clocks and logs). */
const REJOIN_MS = 1000;

export interface NatGap {
  session: ChatSession;
  /** The client's last datagram (either way) before the silence. */
  last: LogRecord;
  /** When the router forgot the mapping (last + the timeout it had then). */
  expired: number;
  timeoutS: number;
  /** The client's next datagram, which made a new mapping (undefined: none before the log ends). */
  next: LogRecord | undefined;
  /** Messages the server relayed from other members between `expired` and `next`. */
  relayed: LogRecord[];
  /**
   * The server's join of the same nick after the silence from another address than before: the
   * new mapping took another port, so to the server it is a new member.
   */
  rejoined: LogRecord | undefined;
}

export interface NatGaps {
  gaps: NatGap[];
  timeouts: { udpTimeoutS: number; udpStreamTimeoutS: number };
  /** True when the timeouts are the router's own (its `router.conntrack` line), not the defaults. */
  logged: boolean;
}

const OUT = new Set(['chat.joined', 'chat.message.sent', 'chat.left']);
const IN = new Set(['chat.message.received', 'chat.member.joined', 'chat.member.left']);

/** The gaps of the remote plain chat clients whose silence outlasted the router's mapping. */
export function natGaps(model: LabModel): NatGaps {
  const router = model.timeline.records.find((r) => r.event === 'router.conntrack');
  const udp = num(router, 'udpTimeoutS');
  const stream = num(router, 'udpStreamTimeoutS');
  const logged = udp !== undefined && stream !== undefined;
  const timeouts = logged ? { udpTimeoutS: udp, udpStreamTimeoutS: stream } : { ...CONNTRACK_DEFAULTS };
  const relays = model.members.flatMap((m) =>
    m.records.filter((r) => r.event === 'udp.message.relayed').map((r) => ({ r, nick: m.nick })),
  );
  const gaps: NatGap[] = [];
  for (const s of model.chat) {
    if (s.scenario !== 'remote' || str(s.joined, 'protocol') !== 'plain') continue;
    const packets = s.records.filter((r) => OUT.has(r.event) || IN.has(r.event));
    // The mapping as the router's kernel keeps it: made by an outgoing datagram, renewed by each.
    let created = -Infinity;
    let answered = false;
    let expires = -Infinity;
    let timeoutS = 0;
    let last: LogRecord | undefined;
    // Silent until the log ends: the gap runs to the log's last line (the lab stopping).
    const logEnd = model.timeline.records.at(-1)?.time ?? -Infinity;
    const close = (next: LogRecord | undefined) => {
      if (!last) return;
      const end = next?.time ?? logEnd;
      if (end <= expires) return;
      const relayed = relays
        .filter((x) => x.nick !== s.nick && x.r.time > expires && x.r.time <= end)
        .map((x) => x.r);
      // A silence that cost nothing (no message came for it meanwhile) is not worth a note.
      if (relayed.length === 0) return;
      const before = s.member?.remote;
      const rejoined = next
        ? model.members.find(
            (m) =>
              m.nick === s.nick &&
              m.remote !== before &&
              m.joined.time >= expires &&
              m.joined.time <= next.time + REJOIN_MS,
          )?.joined
        : undefined;
      gaps.push({ session: s, last, expired: expires, timeoutS, next, relayed, rejoined });
    };
    for (const p of packets) {
      const out = OUT.has(p.event);
      if (p.time > expires) {
        close(p);
        // Only an outgoing datagram makes a mapping; nothing comes in without one.
        created = p.time;
        answered = false;
      }
      // The kernel marks the answer after renewing with it: the first answer still gets the short time.
      const long = answered && p.time - created > STREAM_AFTER_MS;
      timeoutS = long ? timeouts.udpStreamTimeoutS : timeouts.udpTimeoutS;
      expires = p.time + timeoutS * 1000;
      if (!out) answered = true;
      last = p;
    }
    close(undefined);
  }
  return { gaps, timeouts, logged };
}
