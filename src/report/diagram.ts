import type { ChatSession, EchoSession, LabModel, Program } from './aggregate.js';
import { numField as num, strField as str } from './aggregate.js';
import { type Participant, type Step, foldRuns } from './mermaid.js';
import { addressOf } from './endpoint.js';
import type { LogRecord } from './parse.js';
import type { Texts } from './texts.js';

/** Data steps of one conversation beyond this many portions are folded into one note. */
export const FOLD_THRESHOLD = 10;

/**
 * The sequence diagram of some client sessions and the server's side of them, as participants and
 * steps (mermaid.ts writes them as Mermaid text, svg.ts draws them): connect, each portion sent and
 * echoed (long runs folded), disconnect; chat joins, messages, relays, leaves.
 *
 * The remote scenario's clients reach the server through the lab's router (lab-router: DNAT and
 * MASQUERADE), which stands between them and the server as a participant of its own (`R`). Each
 * such session's first packet is drawn through it, from the logs: the client's arrow to the router
 * (the address it dialed), the router's DNAT to the server's address, and its forwarding to the
 * server with the source the server saw (the client's own wan address replaced by the router's vm
 * address). Later arrows go straight across: connection tracking rewrites every later packet of
 * that connection (or UDP flow) the same way, both ways.
 */
export function sessionDiagramParts(
  model: LabModel,
  sessions: ReadonlyArray<EchoSession | ChatSession>,
  t: Texts,
): { participants: Participant[]; steps: Step[] } {
  const owner = new Map<LogRecord, { id: string; session: EchoSession | ChatSession }>();
  const serverIds = new Map<Program, string>();
  const servers = [
    ...new Set(
      sessions
        .map((s) => ('connected' in s ? s.server?.program : s.member?.program))
        .filter((p): p is Program => p !== undefined),
    ),
  ];
  servers.forEach((p, i) => serverIds.set(p, servers.length === 1 ? 'S' : `S${i + 1}`));
  const serverOf = (s: EchoSession | ChatSession) => {
    const p = 'connected' in s ? s.server?.program : s.member?.program;
    return (p && serverIds.get(p)) ?? 'S';
  };

  let e = 0;
  let m = 0;
  const clientParticipants: Participant[] = [];
  for (const s of sessions) {
    const isEcho = 'connected' in s;
    const id = isEcho ? `E${++e}` : `M${++m}`;
    const name = isEcho ? s.program.label : `${s.nick ?? '?'} ${s.program.label}`;
    clientParticipants.push({ id, lines: [name, s.local ?? '-'] });
    for (const r of s.records) owner.set(r, { id, session: s });
    const serverRecords = isEcho ? (s.server?.records ?? []) : (s.member?.records ?? []);
    for (const r of serverRecords) owner.set(r, { id, session: s });
  }
  const protocols = new Set<string>(sessions.map((s) => ('connected' in s ? 'tcp' : 'udp')));
  const serverParticipants: Participant[] = servers.map((p) => {
    const listening = p.records.filter(
      (r) => r.event === 'server.listening' && protocols.has(str(r, 'protocol') ?? ''),
    );
    const endpoints = listening.map(
      (r) => `${str(r, 'protocol')?.toUpperCase()} ${str(r, 'address')}:${num(r, 'port')}`,
    );
    return { id: serverIds.get(p) ?? 'S', lines: [p.label, endpoints.join(' ') || t.diagram.server] };
  });
  if (serverParticipants.length === 0) serverParticipants.push({ id: 'S', lines: [t.diagram.server] });
  // Echo clients left of the server; chat members split around it, so relays cross the diagram.
  const echoes = clientParticipants.filter((p) => p.id.startsWith('E'));
  const chats = clientParticipants.filter((p) => p.id.startsWith('M'));
  const half = echoes.length > 0 ? chats.length : Math.ceil(chats.length / 2);
  // concat, not push(...): a run may have more sessions than a call has room for arguments.
  const routed = sessions.filter((s) => s.scenario === REMOTE_SCENARIO);
  const router = routed.length > 0 ? routerOf(model) : undefined;
  // With the router: the remote clients left of it, the router, the server, any other client right
  // of the server (the chat across networks), so that no other client's arrow crosses the router.
  const throughRouter = new Set<EchoSession | ChatSession>(routed);
  const routedIds = new Set(sessions.map((s, i) => (throughRouter.has(s) ? clientParticipants[i]?.id : '')));
  const participants = router
    ? clientParticipants
        .filter((p) => routedIds.has(p.id))
        .concat(
          [routerParticipant(router, t)],
          serverParticipants,
          clientParticipants.filter((p) => !routedIds.has(p.id)),
        )
    : echoes.concat(chats.slice(0, half), serverParticipants, chats.slice(half));

  const position = diagramPositions(model, sessions);
  const records = [...owner.keys()].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  const writes = echoWrites(sessions, chunkOf(model));
  const steps: Step[] = [];
  let saidLater = false;
  for (const r of records) {
    const o = owner.get(r);
    if (!o) continue;
    if (r.event === 'tcp.data.sent') {
      // One arrow per write(): the server writes a whole read back at once, after logging its portions.
      const w = writes.get(r);
      if (!w) continue;
      const key = `${o.id}>${serverOf(o.session)}`;
      steps.push({
        kind: 'arrow',
        from: serverOf(o.session),
        to: o.id,
        dotted: true,
        text: t.diagram.echo(w),
        data: { key, dir: 'back', portions: w.portions, bytes: w.bytes, over: [o.id, serverOf(o.session)] },
      });
      continue;
    }
    const own = stepsOf(r, o.id, serverOf(o.session), o.session, t);
    if (!router || !throughRouter.has(o.session)) {
      steps.push(...own);
      continue;
    }
    // The session's first packet towards the server: drawn through the router, once.
    const first = own.findIndex((x) => x.kind === 'arrow' && x.from === o.id);
    const arrow = own[first];
    if (!arrow || arrow.kind !== 'arrow') {
      steps.push(...own);
      continue;
    }
    throughRouter.delete(o.session);
    steps.push(...own.slice(0, first), ...viaRouter(arrow, o.session, router, t));
    // Said once, after the first packet drawn through it: the later ones pass it too.
    if (!saidLater) {
      steps.push({ kind: 'note', over: [ROUTER_ID], text: t.diagram.laterViaRouter });
      saidLater = true;
    }
    steps.push(...own.slice(first + 1));
  }
  return { participants, steps: foldRuns(steps, FOLD_THRESHOLD, t.diagram.collapsed) };
}

/**
 * Where each record goes in the diagram: its timeline position, except that a client's own view of
 * a handshake or a close is logged a moment after the server's (the client learns last), so within
 * a pair the cause is drawn first: connect() before accept(), the server's close before the client's.
 */
function diagramPositions(
  model: LabModel,
  sessions: ReadonlyArray<EchoSession | ChatSession>,
): Map<LogRecord, number> {
  const pos = new Map<LogRecord, number>(model.order);
  const at = (r: LogRecord | undefined) => (r ? (model.order.get(r) ?? 0) : undefined);
  const before = (r: LogRecord | undefined, other: LogRecord | undefined) => {
    const a = at(r);
    const b = at(other);
    if (r && a !== undefined && b !== undefined) pos.set(r, Math.min(a, b - 0.5));
  };
  const after = (r: LogRecord | undefined, other: LogRecord | undefined) => {
    const a = at(r);
    const b = at(other);
    if (r && a !== undefined && b !== undefined) pos.set(r, Math.max(a, b + 0.5));
  };
  for (const s of sessions) {
    if ('connected' in s) {
      before(s.connected, s.server?.accepted);
      after(s.disconnected, s.server?.closed);
    } else {
      after(s.joined, s.member?.joined);
      after(s.left, s.member?.left);
      // "X left" reaches a member as the server's LEFT, sent when the server handled X's LEAVE:
      // drawn right after that server line, so that the LEFTs follow the server's order (a LEFT
      // can cross the member's own LEAVE in flight; a diagram draws it where it was sent). Never
      // past another line of the same client: its own order stays.
      for (const r of s.records.filter((x) => x.event === 'chat.member.left')) {
        const nick = str(r, 'nick');
        const cause = model.members
          .filter((m) => m.nick === nick && m.left && Math.abs(m.left.time - r.time) < 5_000)
          .map((m) => m.left as LogRecord)
          .sort((a, b) => Math.abs(a.time - r.time) - Math.abs(b.time - r.time))[0];
        const old = at(r);
        const b = at(cause);
        if (old === undefined || b === undefined || b + 0.25 >= old) continue;
        const to = b + 0.25;
        const crosses = s.records.some((x) => {
          const p = pos.get(x);
          return x !== r && p !== undefined && p > to && p < old;
        });
        if (!crosses) pos.set(r, to);
      }
    }
  }
  return pos;
}

/** The server's chunk size (its `server.starting` config), or the default 1024. */
function chunkOf(model: LabModel): number {
  const config = model.servers[0]?.starting?.fields.config;
  const v = config && typeof config === 'object' ? (config as Record<string, unknown>).chunkSize : undefined;
  return typeof v === 'number' && v > 0 ? v : 1024;
}

/**
 * The echo server logs each portion of a read (received, then "echo of portion") in one
 * synchronous loop, then writes the whole read with one write(). This finds those writes: a read's
 * lines share their millisecond, and a portion shorter than the chunk size is its read's last. The
 * last `tcp.data.sent` of each read stands for the write; the others map to nothing.
 */
function echoWrites(
  sessions: ReadonlyArray<EchoSession | ChatSession>,
  chunk: number,
): Map<LogRecord, { from: number; to: number; bytes: number; portions: number }> {
  const out = new Map<LogRecord, { from: number; to: number; bytes: number; portions: number }>();
  for (const s of sessions) {
    if (!('connected' in s) || !s.server) continue;
    let group: LogRecord[] = [];
    const flush = () => {
      const last = group[group.length - 1];
      if (last) {
        const nums = group.map((r) => num(r, 'portion') ?? 0);
        const bytes = group.reduce((n, r) => n + (num(r, 'bytes') ?? 0) + (r.elidedBytes ?? 0), 0);
        const portions = group.reduce((n, r) => n + 1 + (r.elided ?? 0), 0);
        out.set(last, { from: Math.min(...nums), to: Math.max(...nums), bytes, portions });
      }
      group = [];
    };
    for (const r of s.server.records) {
      if (r.event !== 'tcp.data.sent') continue;
      const prev = group[group.length - 1];
      if (prev && (prev.time !== r.time || (num(prev, 'bytes') ?? 0) < chunk)) flush();
      group.push(r);
    }
    flush();
  }
  return out;
}

function stepsOf(r: LogRecord, c: string, s: string, session: EchoSession | ChatSession, t: Texts): Step[] {
  const d = t.diagram;
  const to = (text: string, dotted = false): Step => ({ kind: 'arrow', from: c, to: s, dotted, text });
  const back = (text: string, dotted = true): Step => ({ kind: 'arrow', from: s, to: c, dotted, text });
  const note = (over: string[], text: string): Step => ({ kind: 'note', over, text });
  const bytes = num(r, 'bytes') ?? 0;
  // A data record also stands for the lines the reader left out before it (see RETAIN_HEAD).
  const portions = 1 + (r.elided ?? 0);
  const allBytes = bytes + (r.elidedBytes ?? 0);
  const key = `${c}>${s}`;
  const hasServer = 'connected' in session ? session.server !== undefined : session.member !== undefined;
  switch (r.event) {
    case 'client.connected':
      return [to(d.connect({ local: str(r, 'local') ?? '?' }))];
    case 'tcp.connection.accepted':
      return [note([s], d.accept({ connId: num(r, 'connId') ?? 0, remote: str(r, 'remote') ?? '?' }))];
    case 'client.data.sent': {
      const portion = num(r, 'portion') ?? 0;
      return [
        {
          ...to(d.portion({ portion, bytes })),
          data: { key, dir: 'out', portions, bytes: allBytes, over: [c, s] },
        },
      ];
    }
    case 'tcp.data.sent': {
      const portion = num(r, 'portion') ?? 0;
      return [
        {
          ...back(d.echo({ from: portion, to: portion, bytes })),
          data: { key, dir: 'back', portions, bytes: allBytes, over: [c, s] },
        },
      ];
    }
    case 'client.data.received':
      // With the server's log, its echo writes are drawn; the client's reads would repeat them.
      if (hasServer) return [];
      return [
        { ...back(d.back({ bytes })), data: { key, dir: 'back', portions, bytes: allBytes, over: [c, s] } },
      ];
    case 'tcp.data.summary': {
      const portions = num(r, 'portionsIn') ?? 0;
      const b = num(r, 'bytesIn') ?? 0;
      return [
        {
          ...note([c, s], d.summary({ portions, bytes: b })),
          data: { key, dir: 'both', portions, bytes: b, over: [c, s] },
        },
      ];
    }
    case 'tcp.peer.ended':
      return [to(d.fin)];
    case 'tcp.connection.closed':
      return [
        back(
          d.closed({
            reason: str(r, 'reason') ?? '?',
            reset: r.fields.reset === true,
            bytesIn: num(r, 'bytesIn') ?? 0,
            bytesOut: num(r, 'bytesOut') ?? 0,
          }),
        ),
      ];
    case 'client.disconnected': {
      const p = {
        reason: str(r, 'reason') ?? '?',
        sent: num(r, 'bytesSent') ?? 0,
        received: num(r, 'bytesReceived') ?? 0,
      };
      return hasServer ? [note([c], d.disconnected(p))] : [to(d.fin), note([c], d.disconnected(p))];
    }
    case 'client.error':
      return [note([c], d.error({ code: str(r, 'code') ?? '?' }))];
    case 'tcp.connection.error':
      return [note([s], d.error({ code: str(r, 'code') ?? '?' }))];
    case 'udp.cookie.sent':
      return [to(d.hello({ nick: str(r, 'nick') ?? '?' })), back(d.cookie({ bytes }))];
    case 'udp.member.joined':
      return [
        to(d.join),
        note([s], d.member({ nick: str(r, 'member') ?? '?', remote: str(r, 'remote') ?? '?' })),
      ];
    case 'chat.joined': {
      const welcome = back(d.welcome({ members: num(r, 'members') ?? 0 }));
      return hasServer ? [welcome] : [to(d.hello({ nick: str(r, 'nick') ?? '?' })), to(d.join), welcome];
    }
    case 'chat.message.sent':
      return [to(d.msg({ bytes }))];
    case 'udp.message.relayed':
      return [note([s], d.relayed({ recipients: num(r, 'recipients') ?? 0 }))];
    case 'chat.message.received':
      return [back(d.from({ nick: str(r, 'nick') ?? '?', bytes }), false)];
    case 'chat.member.joined':
      return [back(d.joinedOther({ nick: str(r, 'nick') ?? '?' }))];
    case 'chat.member.left':
      return [back(d.leftOther({ nick: str(r, 'nick') ?? '?' }))];
    case 'udp.member.left': {
      const left = note(
        [s],
        d.memberLeft({ nick: str(r, 'member') ?? '?', reason: str(r, 'reason') ?? '?' }),
      );
      return str(r, 'reason') === 'leave' ? [to(d.leave), left] : [left];
    }
    case 'chat.left': {
      const left = note([c], d.memberLeft({ nick: str(r, 'nick') ?? '?', reason: str(r, 'reason') ?? '?' }));
      // The server's own `leave` line already drew the LEAVE datagram.
      const leftOnServer = 'member' in session && str(session.member?.left, 'reason') === 'leave';
      return leftOnServer ? [left] : [to(d.leave), left];
    }
    case 'chat.server.lost':
      return [note([c], d.lost({ reason: str(r, 'reason') ?? '?' }))];
    default:
      return [];
  }
}

/** The scenario whose clients reach the server through the lab's router. */
export const REMOTE_SCENARIO = 'remote';

/** The router's participant id in a diagram. */
export const ROUTER_ID = 'R';

/** The lab router's own facts, from its `router.ready` line (absent: the logs have no router). */
interface RouterFacts {
  hostname: string | undefined;
  wan: string | undefined;
  vm: string | undefined;
  server: string | undefined;
  tcpPort: number | undefined;
  udpPort: number | undefined;
}

function routerOf(model: LabModel): RouterFacts {
  const ready = model.timeline.records.find((r) => r.event === 'router.ready');
  return {
    hostname: ready?.hostname,
    wan: str(ready, 'wan'),
    vm: str(ready, 'vm'),
    server: str(ready, 'server'),
    tcpPort: num(ready, 'tcpPort'),
    udpPort: num(ready, 'udpPort'),
  };
}

function routerParticipant(r: RouterFacts, t: Texts): Participant {
  const addresses = [r.wan && `wan ${r.wan}`, r.vm && `vm ${r.vm}`].filter(Boolean).join(', ');
  return {
    id: ROUTER_ID,
    lines: [r.hostname ?? t.diagram.router, addresses || t.diagram.routerNoLog],
  };
}

/**
 * A session's first arrow to the server, through the router: the client's packet to the address it
 * dialed (the router's), the destination rewritten to the server's (DNAT), and the packet forwarded
 * with the source the server saw (MASQUERADE: the router's vm address in place of the client's).
 * Every address is from the logs: the client's own line, the server's, the router's `router.ready`.
 */
function viaRouter(
  arrow: Extract<Step, { kind: 'arrow' }>,
  session: EchoSession | ChatSession,
  router: RouterFacts,
  t: Texts,
): Step[] {
  const echo = 'connected' in session;
  const dialed = (echo ? session.remote : session.server) ?? '?';
  const serverLocal = echo ? str(session.server?.accepted, 'local') : undefined;
  const port = echo ? router.tcpPort : router.udpPort;
  const server =
    serverLocal ?? (router.server && port !== undefined ? `${router.server}:${port}` : t.diagram.server);
  const own = session.local ?? '?';
  const seenByServer = echo ? session.server?.remote : session.member?.remote;
  // Without the server's line: the router's vm address (its port is in the server's log only).
  const seen = seenByServer ?? router.vm ?? t.diagram.router;
  const kept = own !== '?' && seenByServer !== undefined && addressOf(own) === addressOf(seenByServer);
  return [
    { kind: 'arrow', from: arrow.from, to: ROUTER_ID, dotted: arrow.dotted, text: arrow.text },
    { kind: 'note', over: [ROUTER_ID], text: t.diagram.dnat({ from: dialed, to: server }) },
    {
      kind: 'arrow',
      from: ROUTER_ID,
      to: arrow.to,
      dotted: false,
      text: kept ? t.diagram.forwarded({ source: own }) : t.diagram.masquerade({ from: own, to: seen }),
    },
  ];
}
