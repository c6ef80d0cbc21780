import { addressOf, isLoopback } from './endpoint.js';
import type { LogRecord } from './parse.js';
import type { Timeline } from './timeline.js';

export type ProgramKind = 'server' | 'echo-client' | 'chat-client' | 'client';

/** One running program: the lines of one process (source and pid) of one kind. */
export interface Program {
  key: string;
  source: string;
  pid: number | undefined;
  hostname: string | undefined;
  scenario: string | undefined;
  kind: ProgramKind;
  /** How the report names it: the container (the source), or what it was when read from stdin. */
  label: string;
  records: LogRecord[];
}

/** One echo client connection, from the client's side. */
export interface EchoSession {
  program: Program;
  scenario: string;
  connected: LogRecord | undefined;
  disconnected: LogRecord | undefined;
  /** A client.error: before connecting (refused...) or during the session. */
  error: LogRecord | undefined;
  /** The client's own end of the connection (`client.connected.local`) and the server it dialed. */
  local: string | undefined;
  remote: string | undefined;
  records: LogRecord[];
  server: ServerConn | undefined;
  /** How the server's side was found: the same endpoint pair, or (through NAT) time and bytes. */
  match: 'endpoint' | 'nat' | undefined;
}

/** One TCP connection, from the echo server's side. */
export interface ServerConn {
  program: Program;
  connId: number;
  accepted: LogRecord | undefined;
  closed: LogRecord | undefined;
  /** The client's endpoint as the server saw it. */
  remote: string | undefined;
  records: LogRecord[];
  client: EchoSession | undefined;
}

/** One chat membership, from the chat client's side. */
export interface ChatSession {
  program: Program;
  scenario: string;
  nick: string | undefined;
  joined: LogRecord | undefined;
  left: LogRecord | undefined;
  error: LogRecord | undefined;
  local: string | undefined;
  server: string | undefined;
  records: LogRecord[];
  member: MemberSession | undefined;
}

/** One chat membership, from the chat server's side. */
export interface MemberSession {
  program: Program;
  nick: string;
  joined: LogRecord;
  left: LogRecord | undefined;
  /** The member's endpoint as the server saw it. */
  remote: string;
  records: LogRecord[];
  client: ChatSession | undefined;
}

export interface ServerRun {
  program: Program;
  starting: LogRecord | undefined;
  listening: LogRecord[];
  stopping: LogRecord | undefined;
  stopped: LogRecord | undefined;
  errors: LogRecord[];
}

export interface ScenarioView {
  name: string;
  echo: EchoSession[];
  chat: ChatSession[];
  /** The clients' lines and the server lines about them, in timeline order. */
  records: LogRecord[];
}

export interface LabModel {
  timeline: Timeline;
  programs: Program[];
  servers: ServerRun[];
  echo: EchoSession[];
  conns: ServerConn[];
  chat: ChatSession[];
  members: MemberSession[];
  scenarios: ScenarioView[];
  /** Server lines that belong to no scenario: lifecycle, rejections, connections no client logged. */
  serverRecords: LogRecord[];
  /** Position of each record in the merged timeline (to order any subset the same way). */
  order: Map<LogRecord, number>;
}

/** Scenario name for clients that logged none. */
export const NO_SCENARIO = '(none)';
/** The scenarios of the lab, in the order the report shows them; others follow by name. */
export const LAB_SCENARIOS = ['local', 'vm', 'remote'] as const;

const ENDPOINT_MATCH_MS = 60_000;
const NAT_MATCH_MS = 10_000;
const CHAT_MATCH_MS = 30_000;

function str(r: LogRecord | undefined, k: string): string | undefined {
  const v = r?.fields[k];
  return typeof v === 'string' ? v : undefined;
}
function num(r: LogRecord | undefined, k: string): number | undefined {
  const v = r?.fields[k];
  return typeof v === 'number' ? v : undefined;
}
export { num as numField, str as strField };

function kindOf(r: LogRecord): ProgramKind | undefined {
  if (r.component === 'echo-client') return 'echo-client';
  if (r.component === 'chat-client') return 'chat-client';
  if (r.component === 'tcp-echo' || r.component === 'udp-chat') return 'server';
  if (r.event.startsWith('server.')) return 'server';
  if (r.event.startsWith('tcp.') || r.event.startsWith('udp.')) return 'server';
  if (r.event.startsWith('chat.')) return 'chat-client';
  if (r.event.startsWith('client.') && r.event !== 'client.error') return 'echo-client';
  return undefined; // client.error without a component: the CLI logs it before any client exists
}

/** Groups the timeline into programs, sessions and connections, and pairs clients with the server's view. */
export function aggregate(timeline: Timeline): LabModel {
  const order = new Map<LogRecord, number>();
  timeline.records.forEach((r, i) => order.set(r, i));
  const programs = groupPrograms(timeline.records);
  const { servers, conns, members, serverRecords } = serverSide(programs);
  const { echo, chat } = clientSessions(programs);
  matchEcho(echo, conns);
  matchChat(chat, members);
  const scenarios = scenarioViews(echo, chat, order);
  // What no client claimed is the server's own story.
  for (const c of conns) if (!c.client) serverRecords.push(...c.records);
  for (const m of members) if (!m.client) serverRecords.push(...m.records);
  serverRecords.sort(byOrder(order));
  return { timeline, programs, servers, echo, conns, chat, members, scenarios, serverRecords, order };
}

function byOrder(order: Map<LogRecord, number>): (a: LogRecord, b: LogRecord) => number {
  return (a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
}

/** The lines of each process (source and pid), split by the kind of program that wrote them. */
function groupPrograms(records: readonly LogRecord[]): Program[] {
  const byProcess = new Map<string, LogRecord[]>();
  for (const r of records) {
    // The router (socket-lab router) is the network, not a client or server program of the lab.
    if (r.event.startsWith('router.')) continue;
    // A student's own program is watched from outside (own-checks.ts reads its records), not one of ours.
    if (r.event.startsWith('own.')) continue;
    const key = `${r.source}\u0000${r.pid ?? ''}`;
    let list = byProcess.get(key);
    if (!list) byProcess.set(key, (list = []));
    list.push(r);
  }
  const programs: Program[] = [];
  for (const list of byProcess.values()) {
    const kinds = new Set(list.map(kindOf).filter((k): k is ProgramKind => k !== undefined));
    // An orphan client.error goes to the one client program of its process, if there is one.
    const clientKinds = [...kinds].filter((k) => k !== 'server');
    const orphanKind: ProgramKind = clientKinds.length === 1 ? (clientKinds[0] as ProgramKind) : 'client';
    const groups = new Map<string, Program>();
    for (const r of list) {
      const kind = kindOf(r) ?? orphanKind;
      const scenario = kind === 'server' ? undefined : r.scenario;
      const gk = `${kind}\u0000${scenario ?? ''}`;
      let p = groups.get(gk);
      if (!p) {
        p = {
          key: `${r.source}\u0000${r.pid ?? ''}\u0000${gk}`,
          source: r.source,
          pid: r.pid,
          hostname: r.hostname,
          scenario: r.scenario,
          kind,
          label: '',
          records: [],
        };
        groups.set(gk, p);
      }
      p.records.push(r);
    }
    programs.push(...groups.values());
  }
  labelPrograms(programs);
  return programs;
}

/** The server side of the model: each server's lifecycle, its TCP connections and chat members. */
function serverSide(programs: readonly Program[]): {
  servers: ServerRun[];
  conns: ServerConn[];
  members: MemberSession[];
  serverRecords: LogRecord[];
} {
  const servers: ServerRun[] = [];
  const conns: ServerConn[] = [];
  const members: MemberSession[] = [];
  const serverRecords: LogRecord[] = [];
  for (const p of programs.filter((x) => x.kind === 'server')) {
    const run: ServerRun = {
      program: p,
      starting: undefined,
      listening: [],
      stopping: undefined,
      stopped: undefined,
      errors: [],
    };
    servers.push(run);
    const byConn = new Map<number, ServerConn>();
    const openMember = new Map<string, MemberSession>();
    const cookies = new Map<string, LogRecord[]>();
    for (const r of p.records) {
      const connId = num(r, 'connId');
      if (r.event.startsWith('tcp.') && r.event !== 'tcp.connection.rejected' && connId !== undefined) {
        let c = byConn.get(connId);
        if (!c || (r.event === 'tcp.connection.accepted' && c.accepted)) {
          c = {
            program: p,
            connId,
            accepted: undefined,
            closed: undefined,
            remote: undefined,
            records: [],
            client: undefined,
          };
          byConn.set(connId, c);
          conns.push(c);
        }
        c.records.push(r);
        if (r.event === 'tcp.connection.accepted') c.accepted = r;
        if (r.event === 'tcp.connection.closed') c.closed = r;
        c.remote ??= str(r, 'remote');
        continue;
      }
      switch (r.event) {
        case 'server.starting':
          run.starting ??= r;
          break;
        case 'server.listening':
          run.listening.push(r);
          break;
        case 'server.stopping':
          run.stopping = r;
          break;
        case 'server.stopped':
          run.stopped = r;
          break;
        case 'server.error':
          run.errors.push(r);
          break;
        case 'udp.cookie.sent': {
          const nick = str(r, 'nick') ?? '';
          cookies.set(nick, [...(cookies.get(nick) ?? []), r]);
          continue;
        }
        case 'udp.member.joined': {
          const nick = str(r, 'member') ?? '';
          const m: MemberSession = {
            program: p,
            nick,
            joined: r,
            left: undefined,
            remote: str(r, 'remote') ?? '?',
            records: [...(cookies.get(nick) ?? []), r],
            client: undefined,
          };
          cookies.delete(nick);
          openMember.set(nick, m);
          members.push(m);
          continue;
        }
        case 'udp.message.relayed':
        case 'udp.member.left': {
          const m = openMember.get(str(r, 'member') ?? '');
          if (m) {
            m.records.push(r);
            if (r.event === 'udp.member.left') {
              m.left = r;
              openMember.delete(m.nick);
            }
            continue;
          }
          break;
        }
      }
      serverRecords.push(r);
    }
    for (const rs of cookies.values()) serverRecords.push(...rs);
  }
  return { servers, conns, members, serverRecords };
}

/** Each client program's lines cut into sessions: one per connection or chat membership. */
function clientSessions(programs: readonly Program[]): { echo: EchoSession[]; chat: ChatSession[] } {
  const echo: EchoSession[] = [];
  const chat: ChatSession[] = [];
  for (const p of programs) {
    const scenario = p.scenario ?? NO_SCENARIO;
    if (p.kind === 'echo-client' || p.kind === 'client') {
      let cur: EchoSession | undefined;
      const start = (): EchoSession => {
        const s: EchoSession = {
          program: p,
          scenario,
          connected: undefined,
          disconnected: undefined,
          error: undefined,
          local: undefined,
          remote: undefined,
          records: [],
          server: undefined,
          match: undefined,
        };
        echo.push(s);
        return s;
      };
      for (const r of p.records) {
        if (r.event === 'client.connected' || !cur) cur = start();
        cur.records.push(r);
        if (r.event === 'client.connected') {
          cur.connected = r;
          cur.local = str(r, 'local');
          cur.remote = str(r, 'remote');
        } else if (r.event === 'client.error') {
          cur.error ??= r;
          if (!cur.connected) cur = undefined;
        } else if (r.event === 'client.disconnected') {
          cur.disconnected = r;
          cur = undefined;
        }
      }
    } else if (p.kind === 'chat-client') {
      let cur: ChatSession | undefined;
      for (const r of p.records) {
        if (!cur) {
          cur = {
            program: p,
            scenario,
            nick: undefined,
            joined: undefined,
            left: undefined,
            error: undefined,
            local: undefined,
            server: undefined,
            records: [],
            member: undefined,
          };
          chat.push(cur);
        }
        cur.records.push(r);
        if (r.event === 'chat.joined' && !cur.joined) {
          cur.joined = r;
          cur.nick = str(r, 'nick');
          cur.local = str(r, 'local');
          cur.server = str(r, 'server');
        } else if (r.event === 'chat.left') {
          cur.left = r;
          cur.nick ??= str(r, 'nick');
          cur = undefined;
        } else if (r.event === 'client.error') {
          cur.error ??= r;
          if (!cur.joined) cur = undefined;
        }
      }
    }
  }
  return { echo, chat };
}

/** The sessions by scenario, the lab's scenarios first, with their lines and the server's in order. */
function scenarioViews(
  echo: readonly EchoSession[],
  chat: readonly ChatSession[],
  order: Map<LogRecord, number>,
): ScenarioView[] {
  const names = new Set<string>([...echo.map((s) => s.scenario), ...chat.map((s) => s.scenario)]);
  const rank = (n: string) => {
    const i = (LAB_SCENARIOS as readonly string[]).indexOf(n);
    return i < 0 ? LAB_SCENARIOS.length : i;
  };
  return [...names]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name): ScenarioView => {
      const e = echo.filter((s) => s.scenario === name);
      const c = chat.filter((s) => s.scenario === name);
      const records = [
        ...e.flatMap((s) => [...s.records, ...(s.server?.records ?? [])]),
        ...c.flatMap((s) => [...s.records, ...(s.member?.records ?? [])]),
      ].sort(byOrder(order));
      return { name, echo: e, chat: c, records };
    });
}

function labelPrograms(programs: Program[]): void {
  const base = (p: Program) =>
    p.source !== 'stdin' ? p.source : p.kind === 'server' ? 'server' : `${p.kind} ${p.scenario ?? ''}`.trim();
  const counts = new Map<string, number>();
  for (const p of programs) counts.set(base(p), (counts.get(base(p)) ?? 0) + 1);
  for (const p of programs) {
    const b = base(p);
    const kindsHere = programs.filter((q) => base(q) === b && q.pid === p.pid).length;
    let label = b;
    if ((counts.get(b) ?? 0) > 1 && p.pid !== undefined) label += ` pid ${p.pid}`;
    if (kindsHere > 1) label += ` ${p.kind}${p.scenario ? ` ${p.scenario}` : ''}`;
    p.label = label;
  }
}

/**
 * Pairs each echo client connection with the server's view of it. Without NAT the server saw the
 * client's own endpoint, so the pair is exact. Through NAT the server saw a translated one: then the
 * connection accepted closest in time, preferring equal byte counts, among those from no known client.
 */
export function matchEcho(sessions: EchoSession[], conns: ServerConn[]): void {
  const free = new Set(conns.filter((c) => c.accepted));
  const connected = sessions.filter((s) => s.connected).sort((a, b) => time(a.connected) - time(b.connected));
  for (const s of connected) {
    let best: ServerConn | undefined;
    for (const c of free) {
      if (c.remote !== s.local) continue;
      const dt = Math.abs(time(c.accepted) - time(s.connected));
      if (dt <= ENDPOINT_MATCH_MS && (!best || dt < Math.abs(time(best.accepted) - time(s.connected))))
        best = c;
    }
    if (best) link(s, best, 'endpoint');
  }
  const ownEndpoints = new Set(connected.map((s) => s.local));
  for (const s of connected) {
    if (s.server) continue;
    const sent = num(s.disconnected, 'bytesSent');
    const score = (c: ServerConn) => {
      const same = sent !== undefined && num(c.closed, 'bytesIn') === sent ? 0 : 1;
      return same * 1e9 + Math.abs(time(c.accepted) - time(s.connected));
    };
    let best: ServerConn | undefined;
    for (const c of free) {
      // A NATed client never shows up as loopback or as another client's own endpoint.
      if (!c.remote || isLoopback(c.remote) || ownEndpoints.has(c.remote)) continue;
      if (Math.abs(time(c.accepted) - time(s.connected)) > NAT_MATCH_MS) continue;
      if (!best || score(c) < score(best)) best = c;
    }
    if (best) link(s, best, 'nat');
  }

  function link(s: EchoSession, c: ServerConn, how: 'endpoint' | 'nat'): void {
    s.server = c;
    s.match = how;
    c.client = s;
    free.delete(c);
  }
}

/** Pairs chat clients with the server's members by nickname (unique in the chat at any time). */
export function matchChat(sessions: ChatSession[], members: MemberSession[]): void {
  const free = new Set(members);
  for (const s of sessions) {
    if (!s.joined || !s.nick) continue;
    let best: MemberSession | undefined;
    for (const m of free) {
      if (m.nick !== s.nick) continue;
      const dt = Math.abs(m.joined.time - s.joined.time);
      if (dt <= CHAT_MATCH_MS && (!best || dt < Math.abs(best.joined.time - s.joined.time))) best = m;
    }
    if (best) {
      s.member = best;
      best.client = s;
      free.delete(best);
    }
  }
}

function time(r: LogRecord | undefined): number {
  return r?.time ?? 0;
}

/** The address the server saw for a client session, and the client's own, when both are known. */
export function addresses(s: EchoSession | ChatSession): { own?: string; seen?: string } {
  const seen = 'member' in s ? s.member?.remote : s.server?.remote;
  return { own: s.local, seen };
}

export { addressOf, isLoopback };
