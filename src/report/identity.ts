import { type LabModel, numField, strField } from './aggregate.js';

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
}

/** ISO 8601, or undefined for a time no Date holds (the parser refuses those; this never throws). */
const iso = (t: number | undefined) =>
  t === undefined || !Number.isFinite(new Date(t).getTime()) ? undefined : new Date(t).toISOString();

/** The identity of the run the model holds (the latest one, unless the analysis used every run). */
export function runIdentity(model: LabModel): RunIdentity {
  const servers = model.servers
    .map((s): ServerIdentity => ({
      start: iso(s.starting?.time),
      host: s.program.hostname,
      pid: s.program.pid,
      listening: s.listening
        .map(
          (r) =>
            `${strField(r, 'protocol') ?? '?'} ${strField(r, 'address') ?? '?'}:${numField(r, 'port') ?? '?'}`,
        )
        .sort(),
    }))
    .sort(
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
  ].sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '') || (a.local ?? '').localeCompare(b.local ?? ''));
  const starts = servers.map((s) => s.start).filter((s): s is string => s !== undefined);
  const hosts = [...new Set(model.programs.map((p) => p.hostname).filter((h): h is string => !!h))].sort();
  return { serverStart: starts.sort()[0], hosts, servers, clients };
}
