import { RUN_LIMITS, runLimitError } from './limits.js';
import { addressOf, isLoopback } from './endpoint.js';
import type { LogRecord } from './parse.js';
import type { Timeline } from './timeline.js';
import { ownServerCalls } from './own-checks.js';

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
  /**
   * A student's own client, seen from its trace: `connected` is its traced connect() (or `error`
   * a refused one), `local` its end as the trace showed it on that socket. Only the address checks
   * read these sessions; own-checks.ts judges the program itself.
   */
  own?: true;
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
  /** A student's own echo clients' connections (see EchoSession.own), paired like ours. */
  ownEcho: EchoSession[];
  /**
   * With a student's own echo server: its traced calls on each client's connection (ours or the
   * student's), from its accept() to its close() (own-checks.ts ownServerCalls).
   */
  ownServer: Map<EchoSession, LogRecord[]>;
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
/** Most NAT candidates weighed for one client (see matchEcho). */
const NAT_SCAN = 256;

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
  const ownEcho = ownEchoSessions(timeline.records);
  const conversations = conns.length + members.length + echo.length + ownEcho.length + chat.length;
  if (conversations > RUN_LIMITS.maxConversations)
    throw runLimitError('maxConversations', conversations, RUN_LIMITS.maxConversations);
  // One pairing for every client, ours and the student's: a connection is claimed once.
  matchEcho([...echo, ...ownEcho], conns);
  matchChat(chat, members);
  const ownServer = ownServerCalls(
    timeline.records,
    [...echo, ...ownEcho].filter((s) => !s.server),
  );
  const scenarios = scenarioViews(echo, chat, order, ownEcho, ownServer);
  // What no client claimed is the server's own story.
  // Loops, not push(...list): a spread of a list this long (a hostile log) overflows the stack.
  // (An own client's connection too: its story is told in the Implementation section, not a scenario.)
  for (const c of conns) if (!c.client || c.client.own) for (const r of c.records) serverRecords.push(r);
  for (const m of members) if (!m.client) for (const r of m.records) serverRecords.push(r);
  serverRecords.sort(byOrder(order));
  return {
    timeline,
    programs,
    servers,
    echo,
    ownEcho,
    ownServer,
    conns,
    chat,
    members,
    scenarios,
    serverRecords,
    order,
  };
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
    for (const p of groups.values()) programs.push(p);
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
          const list = cookies.get(nick);
          if (list) list.push(r);
          else cookies.set(nick, [r]);
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
    for (const rs of cookies.values()) for (const r of rs) serverRecords.push(r);
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

/**
 * A student's own echo clients' connections, from the runner's traced calls: one session per TCP
 * connect() (a refused one is a session with only `error`). The trace shows the client's own end
 * (what getsockname() would say) on that socket's later calls, not on connect() itself: `local` is
 * the first such call's, on the same process and fd before the fd is closed.
 */
function ownEchoSessions(records: readonly LogRecord[]): EchoSession[] {
  const sessions: EchoSession[] = [];
  const open = new Map<string, EchoSession>();
  const programs = new Map<string, Program>();
  for (const r of records) {
    if (r.event !== 'own.call' || str(r, 'role') !== 'echo-client') continue;
    const key = `${r.source}\u0000${num(r, 'ownPid') ?? ''}\u0000${num(r, 'fd') ?? ''}`;
    const call = str(r, 'call');
    if (call === 'connect' && str(r, 'type') === 'tcp') {
      const ownPid = num(r, 'ownPid');
      const pk = `${r.source}\u0000${ownPid ?? ''}`;
      let program = programs.get(pk);
      if (!program) {
        program = {
          key: `${pk}\u0000own`,
          source: r.source,
          pid: ownPid,
          hostname: r.hostname,
          scenario: r.scenario,
          kind: 'echo-client',
          label: `${r.source === 'stdin' ? 'echo-client' : r.source} pid ${ownPid ?? '?'}`,
          records: [],
        };
        programs.set(pk, program);
      }
      program.records.push(r);
      // A non-blocking connect() returns EINPROGRESS and completes later: connected all the same.
      const ok = (num(r, 'result') ?? -1) >= 0 || str(r, 'errno') === 'EINPROGRESS';
      const s: EchoSession = {
        program,
        scenario: r.scenario ?? NO_SCENARIO,
        connected: ok ? r : undefined,
        disconnected: undefined,
        error: ok ? undefined : r,
        local: str(r, 'local'),
        remote: str(r, 'peer'),
        records: [r],
        server: undefined,
        match: undefined,
        own: true,
      };
      sessions.push(s);
      if (ok) open.set(key, s);
      else open.delete(key);
      continue;
    }
    const s = open.get(key);
    if (!s) continue;
    s.records.push(r);
    s.local ??= str(r, 'local');
    if (call === 'close') open.delete(key);
  }
  return sessions;
}

/** The sessions by scenario, the lab's scenarios first, with their lines and the server's in order. */
function scenarioViews(
  echo: readonly EchoSession[],
  chat: readonly ChatSession[],
  order: Map<LogRecord, number>,
  ownEcho: readonly EchoSession[] = [],
  ownServer: ReadonlyMap<EchoSession, readonly LogRecord[]> = new Map(),
): ScenarioView[] {
  const names = new Set<string>([
    ...echo.map((s) => s.scenario),
    ...chat.map((s) => s.scenario),
    ...ownEcho.map((s) => s.scenario),
  ]);
  const rank = (n: string) => {
    const i = (LAB_SCENARIOS as readonly string[]).indexOf(n);
    return i < 0 ? LAB_SCENARIOS.length : i;
  };
  // Grouped once: a log may name as many scenarios as it has lines.
  const echoOf = groupBy(echo, (s) => s.scenario);
  const chatOf = groupBy(chat, (s) => s.scenario);
  // A student's own clients: their traced calls join the scenario's timeline beside the server's
  // lines about them, in the one causal order (causal.ts links them); the sessions stay ours.
  const ownOf = groupBy(ownEcho, (s) => s.scenario);
  return [...names]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name): ScenarioView => {
      const e = echoOf.get(name) ?? [];
      const c = chatOf.get(name) ?? [];
      const records: LogRecord[] = [];
      const add = (rs: readonly LogRecord[] | undefined) => {
        for (const r of rs ?? []) records.push(r);
      };
      // A student's own server: its calls on this client's connection (matched by the peer it saw).
      for (const s of e) {
        add(s.records);
        add(s.server?.records);
        add(ownServer.get(s));
      }
      for (const s of c) {
        add(s.records);
        add(s.member?.records);
      }
      for (const s of ownOf.get(name) ?? []) {
        add(s.records);
        add(s.server?.records);
        add(ownServer.get(s));
      }
      records.sort(byOrder(order));
      return { name, echo: e, chat: c, records };
    });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function labelPrograms(programs: Program[]): void {
  const base = (p: Program) =>
    p.source !== 'stdin' ? p.source : p.kind === 'server' ? 'server' : `${p.kind} ${p.scenario ?? ''}`.trim();
  // Counted once, not per program: a log may hold as many pids as lines (linear, not quadratic).
  const counts = new Map<string, number>();
  const perProcess = new Map<string, number>();
  for (const p of programs) {
    const b = base(p);
    counts.set(b, (counts.get(b) ?? 0) + 1);
    const k = `${b}\u0000${p.pid ?? ''}`;
    perProcess.set(k, (perProcess.get(k) ?? 0) + 1);
  }
  for (const p of programs) {
    const b = base(p);
    const kindsHere = perProcess.get(`${b}\u0000${p.pid ?? ''}`) ?? 0;
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
  // Indexed by the endpoint the server saw: a look-up per client, not a scan of every connection.
  const byRemote = groupBy([...free], (c) => c.remote ?? '');
  for (const s of connected) {
    let best: ServerConn | undefined;
    for (const c of byRemote.get(s.local ?? '\u0000') ?? []) {
      if (!free.has(c)) continue;
      const dt = Math.abs(time(c.accepted) - time(s.connected));
      if (dt <= ENDPOINT_MATCH_MS && (!best || dt < Math.abs(time(best.accepted) - time(s.connected))))
        best = c;
    }
    if (best) link(s, best, 'endpoint');
  }
  const ownEndpoints = new Set(connected.map((s) => s.local));
  // A NATed client never shows up as loopback or as another client's own endpoint.
  const natCandidates = [...free]
    .filter((c) => c.remote && !isLoopback(c.remote) && !ownEndpoints.has(c.remote))
    .sort((a, b) => time(a.accepted) - time(b.accepted));
  for (const s of connected) {
    if (s.server) continue;
    const sent = num(s.disconnected, 'bytesSent');
    const score = (c: ServerConn) => {
      const same = sent !== undefined && num(c.closed, 'bytesIn') === sent ? 0 : 1;
      return same * 1e9 + Math.abs(time(c.accepted) - time(s.connected));
    };
    let best: ServerConn | undefined;
    // Only the connections accepted within NAT_MATCH_MS, found by binary search, and at most
    // NAT_SCAN of them: thousands of connections in one second (a hostile log) stay linear.
    let examined = 0;
    for (
      let i = firstAtOrAfter(natCandidates, time(s.connected) - NAT_MATCH_MS);
      i < natCandidates.length;
      i++
    ) {
      const c = natCandidates[i] as ServerConn;
      if (time(c.accepted) > time(s.connected) + NAT_MATCH_MS || ++examined > NAT_SCAN) break;
      if (!free.has(c)) continue;
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

/** The first index of `conns` (sorted by accept time) accepted at or after `t`. */
function firstAtOrAfter(conns: readonly ServerConn[], t: number): number {
  let lo = 0;
  let hi = conns.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (time((conns[mid] as ServerConn).accepted) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pairs chat clients with the server's members by nickname (unique in the chat at any time). */
export function matchChat(sessions: ChatSession[], members: MemberSession[]): void {
  const free = new Set(members);
  const byNick = groupBy(members, (m) => m.nick);
  for (const s of sessions) {
    if (!s.joined || !s.nick) continue;
    let best: MemberSession | undefined;
    for (const m of byNick.get(s.nick) ?? []) {
      if (!free.has(m)) continue;
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
