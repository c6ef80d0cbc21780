import { type LabModel, numField, strField } from './aggregate.js';
import type { LogRecord } from './parse.js';

/** One server process of the run: when it started, where, and the sockets it bound. */
export interface ServerIdentity {
  /** `server.starting`, ISO 8601 with milliseconds. */
  start: string | undefined;
  host: string | undefined;
  pid: number | undefined;
  /** `tcp 0.0.0.0:7007`, `udp 0.0.0.0:7008`: every `server.listening`, sorted. */
  listening: string[];
}

/** One client connection or chat membership, from the client's side. */
export interface ClientIdentity {
  kind: 'echo' | 'chat';
  scenario: string;
  host: string | undefined;
  /** The client's own endpoint (the kernel chose its port) and the server endpoint it dialed. */
  local: string | undefined;
  remote: string | undefined;
  /** `client.connected` or `chat.joined`, ISO 8601 with milliseconds. */
  at: string | undefined;
}

/**
 * What makes one run of the lab that run and no other: server start times, hosts, the addresses and
 * ports servers bound and clients used. Two runs never share a server start to the millisecond
 * together with the ports the kernel picked for the clients; grading compares these to find one run
 * handed in twice.
 */
export interface RunIdentity {
  /** The earliest server start of the run. */
  serverStart: string | undefined;
  /** Every host name in the run's lines, sorted. */
  hosts: string[];
  servers: ServerIdentity[];
  clients: ClientIdentity[];
  /**
   * The client endpoints a student's own server accepted (accept/accept4 peers), sorted; only in a
   * run with such a server. With own clients too, nothing else in the logs shows the kernel's ports.
   */
  accepted?: string[];
}

/** ISO 8601, or undefined for a time no Date holds (the parser refuses those; this never throws). */
const iso = (t: number | undefined) =>
  t === undefined || !Number.isFinite(new Date(t).getTime()) ? undefined : new Date(t).toISOString();

/** A student's own programs in the run, from the runner's own.* lines (see ownParts). */
export interface OwnParts {
  servers: ServerIdentity[];
  clients: ClientIdentity[];
  accepted: string[];
}

/**
 * A student's own programs as parts of the run's identity, when they take our programs' place:
 * - a server per own.program.started of a `*-server` role, with what its runner saw it listen on
 *   (own.listening: the shell's pid starts, the program's pid listens, so both are the runner's);
 * - a client per traced connect() of a `*-client` role, its own end from the first later call on
 *   that fd that shows it (strace shows no local address on connect() itself);
 * - the peer of each accept()/accept4() of an own server: the client's port as the server saw it.
 */
export function ownParts(records: readonly LogRecord[]): OwnParts {
  const servers = new Map<string, ServerIdentity>();
  const clients: ClientIdentity[] = [];
  const accepted = new Set<string>();
  const open = new Map<string, ClientIdentity>();
  const runner = (r: LogRecord) => `${r.source}\u0000${r.hostname ?? ''}\u0000${r.pid ?? ''}`;
  for (const r of records) {
    if (!r.event.startsWith('own.')) continue;
    const role = strField(r, 'role') ?? '';
    if (r.event === 'own.program.started' && role.endsWith('-server')) {
      servers.set(runner(r), {
        start: iso(r.time),
        host: r.hostname,
        pid: numField(r, 'ownPid'),
        listening: [],
      });
    } else if (r.event === 'own.listening') {
      const s = servers.get(runner(r));
      const local = strField(r, 'local');
      if (s && local !== undefined) s.listening.push(`${role} ${local}`);
    } else if (r.event === 'own.call') {
      const call = strField(r, 'call');
      const ok = (numField(r, 'result') ?? -1) >= 0;
      const fd = `${runner(r)}\u0000${numField(r, 'ownPid') ?? ''}\u0000${numField(r, 'fd') ?? ''}`;
      if (role.endsWith('-server') && (call === 'accept' || call === 'accept4') && ok) {
        const peer = strField(r, 'peer');
        if (peer !== undefined) accepted.add(peer);
      } else if (role.endsWith('-client') && call === 'connect') {
        const ok2 = ok || strField(r, 'errno') === 'EINPROGRESS';
        if (!ok2) continue;
        const c: ClientIdentity = {
          kind: role.startsWith('chat') ? 'chat' : 'echo',
          scenario: r.scenario ?? '',
          host: r.hostname,
          local: strField(r, 'local'),
          remote: strField(r, 'peer'),
          at: iso(r.time),
        };
        clients.push(c);
        open.set(fd, c);
      } else if (role.endsWith('-client')) {
        const c = open.get(fd);
        if (c) c.local ??= strField(r, 'local');
        if (call === 'close') open.delete(fd);
      }
    }
  }
  for (const s of servers.values()) s.listening.sort();
  return { servers: [...servers.values()], clients, accepted: [...accepted].sort() };
}

/** The identity of the run the model holds (the latest one, unless the analysis used every run). */
export function runIdentity(model: LabModel): RunIdentity {
  const own = ownParts(model.timeline.records);
  const servers = [
    ...model.servers.map((s): ServerIdentity => ({
      start: iso(s.starting?.time),
      host: s.program.hostname,
      pid: s.program.pid,
      listening: s.listening
        .map(
          (r) =>
            `${strField(r, 'protocol') ?? '?'} ${strField(r, 'address') ?? '?'}:${numField(r, 'port') ?? '?'}`,
        )
        .sort(),
    })),
    ...own.servers,
  ].sort(
    (a, b) => (a.start ?? '').localeCompare(b.start ?? '') || (a.host ?? '').localeCompare(b.host ?? ''),
  );
  const clients: ClientIdentity[] = [
    ...model.echo.map((s): ClientIdentity => ({
      kind: 'echo',
      scenario: s.scenario,
      host: s.program.hostname,
      local: s.local,
      remote: s.remote,
      at: iso(s.connected?.time),
    })),
    ...model.chat.map((s): ClientIdentity => ({
      kind: 'chat',
      scenario: s.scenario,
      host: s.program.hostname,
      local: s.local,
      remote: s.server,
      at: iso(s.joined?.time),
    })),
    ...own.clients,
  ].sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '') || (a.local ?? '').localeCompare(b.local ?? ''));
  const starts = servers.map((s) => s.start).filter((s): s is string => s !== undefined);
  const hosts = [...new Set(model.programs.map((p) => p.hostname).filter((h): h is string => !!h))].sort();
  return {
    serverStart: starts.sort()[0],
    hosts,
    servers,
    clients,
    // Only when there are some: a run of our programs keeps the identity it had.
    ...(own.accepted.length > 0 ? { accepted: own.accepted } : {}),
  };
}
