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
   * The client endpoints a student's own server accepted (accept/accept4 peers) or received
   * datagrams from (a chat server's recvfrom/recvmsg peers), sorted; only in a run with such a
   * server, at most MAX_RUN_RANDOMNESS + 1 ports' worth. With own clients too, nothing else in the
   * logs shows the kernel's ports.
   */
  accepted?: string[];
}

/**
 * The most client ports (or initial sequence numbers) one run of the lab can make: a few clients,
 * each reconnecting a few times. A submission claiming more could match anyone's random ports by
 * spraying the range: grading does not use its fingerprint (classroom/fingerprint.ts). The peers
 * of a student's own server are kept up to one port past it: enough to tell, and a hostile log of
 * thousands of peers stays a short list.
 */
export const MAX_RUN_RANDOMNESS = 64;

/** ISO 8601, or undefined for a time no Date holds (the parser refuses those; this never throws). */
const iso = (t: number | undefined) =>
  t === undefined || !Number.isFinite(new Date(t).getTime()) ? undefined : new Date(t).toISOString();

const RECEIVES = new Set(['recvfrom', 'recvmsg', 'recv', 'read']);
const SENDS = new Set(['sendto', 'sendmsg', 'send', 'write']);
/** An endpoint that names no port the kernel drew (port 0: a UDP socket before its first send). */
const noPort = (e: string | undefined) => e === undefined || !/:[1-9]\d*$/.test(e);

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
 * - a chat client's UDP socket that sent without connect(): a client per socket, its own end as
 *   the trace shows it once the kernel bound it (the first send binds an unbound UDP socket);
 * - the peer of each accept()/accept4() of an own server, and of each datagram an own chat server
 *   received (recvfrom's source): the client's port as the server saw it, MAX_RUN_RANDOMNESS + 1
 *   ports at most.
 */
export function ownParts(records: readonly LogRecord[]): OwnParts {
  const servers = new Map<string, ServerIdentity>();
  const clients: ClientIdentity[] = [];
  const accepted = new Set<string>();
  const acceptedPorts = new Set<string>();
  const accept = (peer: string | undefined) => {
    if (noPort(peer) || accepted.has(peer!)) return;
    const port = peer!.slice(peer!.lastIndexOf(':') + 1);
    if (!acceptedPorts.has(port) && acceptedPorts.size > MAX_RUN_RANDOMNESS) return;
    acceptedPorts.add(port);
    accepted.add(peer!);
  };
  const open = new Map<string, ClientIdentity>();
  // A chat client's UDP sockets that moved datagrams, by their own end (threads share a socket but
  // not a pid): those no connect() made a client of become clients at the end.
  const udpEnds = new Map<string, ClientIdentity>();
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
        accept(strField(r, 'peer'));
      } else if (role === 'chat-server' && RECEIVES.has(call ?? '') && ok) {
        // A UDP server has no accept(): who it heard from is recvfrom's source address.
        accept(strField(r, 'peer'));
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
        else if (role === 'chat-client' && ok && (SENDS.has(call ?? '') || RECEIVES.has(call ?? ''))) {
          // sendto() on a socket never connected: its own end, once the kernel has bound it.
          const local = strField(r, 'local');
          if (
            !noPort(local) &&
            !udpEnds.has(`${runner(r)}\u0000${local}`) &&
            strField(r, 'peer') !== undefined
          ) {
            udpEnds.set(`${runner(r)}\u0000${local}`, {
              kind: 'chat',
              scenario: r.scenario ?? '',
              host: r.hostname,
              local,
              remote: strField(r, 'peer'),
              at: iso(r.time),
            });
          }
        }
        if (call === 'close') open.delete(fd);
      }
    }
  }
  const connected = new Set(clients.map((c) => c.local));
  for (const c of udpEnds.values()) if (!connected.has(c.local)) clients.push(c);
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
