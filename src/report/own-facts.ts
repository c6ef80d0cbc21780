/**
 * What the course's sections (main task, extra tasks, questions, conclusions) say when a student's
 * own programs ran: their facts, from the own runs' traced calls (stamped at return `at`, start
 * `startedAt`), their standard input and what they printed. Pure: the model in, facts out; the
 * sections word them. A call proves only what it did: an accept4() returned a connected socket, a
 * sendto() put bytes in the send buffer (TCP) or a datagram in the send queue (UDP), a recvfrom()
 * returned what had arrived.
 */
import { decodePreview } from '../own/strace.js';
import type { EchoSession, LabModel } from './aggregate.js';
import { READS, WRITES, type OwnRun, num, ownRuns, str } from './own-checks.js';
import { lineText, sentLines } from './lines.js';
import type { LogRecord } from './parse.js';

const at = (r: LogRecord): number => num(r, 'at') ?? r.time;
const isCall = (r: LogRecord, names: ReadonlySet<string> | readonly string[]) => {
  const c = str(r, 'call') ?? '';
  return Array.isArray(names) ? names.includes(c) : (names as ReadonlySet<string>).has(c);
};
const ok = (r: LogRecord) => (num(r, 'result') ?? -1) >= 0;
const isAccept = (r: LogRecord) => isCall(r, ['accept', 'accept4']) && ok(r);

/** Our echo client's write size (its --chunk-size default): how lines.ts groups its writes into lines. */
const OUR_CHUNK = 1024;

/** How long after a call a printed line is still said to follow it. */
export const PRINTED_WINDOW_MS = 1000;

/** The waiting calls a server can make, and the call a program asks for behind each. */
export const WAIT_CALLS: Readonly<Record<string, string>> = {
  select: 'select',
  pselect6: 'select',
  poll: 'poll',
  ppoll: 'poll',
  epoll_wait: 'epoll',
  epoll_pwait: 'epoll',
};

/** One of the events the course asks a program to print, the call that did it and the line printed after it. */
export interface OwnEvent {
  key: string;
  call: LogRecord | undefined;
  printed: LogRecord | undefined;
  /** The line came later than PRINTED_WINDOW_MS after the call (its words name the event). */
  late?: boolean;
}

/** One line an echo client sent and what became of it, as the traces show. */
export interface OwnLine {
  session: EchoSession;
  /** The client's write call(s) of the line (own client) or its client.data.sent (ours). */
  sends: LogRecord[];
  bytes: number;
  /** The line as typed (own.input), when the client was the student's. */
  input: LogRecord | undefined;
  /** The start of the line as our client's log shows it, when the client was ours. */
  logged?: { text: string; cut: boolean } | undefined;
  /** The own server's reads, then writes, that carried these bytes. */
  serverReads: LogRecord[];
  serverWrites: LogRecord[];
  /** The client's reads of the echo. */
  clientReads: LogRecord[];
}

/** A connection the own echo server accepted: the client it is matched with and its close. */
export interface OwnConn {
  accept: LogRecord;
  session: EchoSession | undefined;
  close: LogRecord | undefined;
}

export interface OwnEchoServer {
  run: OwnRun;
  listen: LogRecord | undefined;
  conns: OwnConn[];
  /** The waiting calls it made (pselect6, poll, epoll_pwait...), the first of each, and how many. */
  waits: Array<{ call: string; first: LogRecord; count: number }>;
  /** Process ids (threads have their own) that made accept or data calls. */
  workers: number[];
  maxOpen: number;
  /** The accept() at which the most connections were open. */
  maxOpenAt: LogRecord | undefined;
  /** The seven events of main task 2. */
  events: OwnEvent[];
}

export interface OwnExit {
  session: EchoSession | undefined;
  run: OwnRun;
  input: LogRecord;
  /** The call that ended the session after it (close, or the "left" datagram). */
  after: LogRecord | undefined;
}

export interface OwnChatClient {
  run: OwnRun;
  dialed: string | undefined;
  local: string | undefined;
  /** The source address the own chat server's recvfrom() returned for it. */
  seen: LogRecord | undefined;
  sends: LogRecord[];
  recvs: LogRecord[];
}

export interface OwnChat {
  server: OwnRun | undefined;
  /** The own chat server's sources, in the order it first heard from each (recvfrom). */
  members: Array<{ peer: string; first: LogRecord }>;
  /** Its sendto() calls to members (copies it put in the send queue). */
  relays: LogRecord[];
  received: LogRecord[];
  clients: OwnChatClient[];
}

/** A line with letters outside ASCII: its characters and its bytes. */
export interface OwnText {
  record: LogRecord;
  text: string;
  chars: number;
  /** Its bytes in UTF-8, without a newline. */
  bytes: number;
  /** The call that wrote exactly its bytes and its newline, when found. */
  call: LogRecord | undefined;
}

export interface OwnFacts {
  echoServer: OwnEchoServer | undefined;
  /** Own echo clients' sessions (connected). */
  echoClients: EchoSession[];
  lines: OwnLine[];
  /** The first line longer than the read size whose bytes the own server read in several reads. */
  longLine: OwnLine | undefined;
  exits: OwnExit[];
  chat: OwnChat;
  nonAscii: OwnText | undefined;
  /** The four events of main task 4, for one own echo client. */
  clientEvents: { session: EchoSession; run: OwnRun; events: OwnEvent[] } | undefined;
  runs: OwnRun[];
}

/** The run a call belongs to (same log source and role, between start and exit). */
function runOf(runs: readonly OwnRun[], r: LogRecord, role: string): OwnRun | undefined {
  return runs.find(
    (x) =>
      x.role === role &&
      x.source === r.source &&
      x.started.time <= r.time &&
      (!x.exited || x.exited.time >= r.time - 1),
  );
}

/**
 * Words that say which event a printed line is about (the student's own wording, in Russian or
 * English): among the lines printed right after a call, one with such a word is preferred.
 */
const EVENT_WORDS: Readonly<Record<string, RegExp>> = {
  start: /запуск|запущен|старт|start/i,
  listen: /слуша|listen/i,
  accept: /подключ|(?<!dis)connect|accept|нов(ый|ое) (клиент|соединение)|new client/i,
  connect: /подключ|(?<!dis)connect/i,
  received: /получ|приня|принят|receiv|recv|got|read/i,
  sent: /отправ|sent|send|wrote|echo/i,
  closed: /отключ|закры|disconnect|closed|left|ушёл|вышел/i,
  close: /отключ|закры|disconnect|closed/i,
  stop: /останов|заверш|stop|shut/i,
};

/**
 * For each event (in time order), a line the program printed on stdout within PRINTED_WINDOW_MS
 * after its call: one whose words name the event if there is one (a line may serve two events
 * when it names both), else the first not taken by an earlier event.
 */
function printedAfter(run: OwnRun, events: OwnEvent[]): void {
  const lines = run.output.filter((o) => str(o, 'stream') === 'stdout');
  const claimed = new Set<LogRecord>();
  const order = events.filter((e) => e.call).sort((a, b) => at(a.call!) - at(b.call!));
  for (const e of order) {
    const t = at(e.call!);
    const near = lines.filter((o) => o.time >= t - 2 && o.time <= t + PRINTED_WINDOW_MS);
    const words = EVENT_WORDS[e.key];
    const says = (o: LogRecord) => words?.test(str(o, 'text') ?? '') ?? false;
    const line =
      near.find((o) => !claimed.has(o) && says(o)) ??
      near.find((o) => claimed.has(o) && says(o)) ??
      near.find((o) => !claimed.has(o));
    if (line) {
      claimed.add(line);
      e.printed = line;
    }
  }
  // An event with no line right after it: a later line whose words name it, printed late.
  for (const e of order) {
    if (e.printed) continue;
    const t = at(e.call!);
    const words = EVENT_WORDS[e.key];
    const line = lines.find(
      (o) => !claimed.has(o) && o.time > t && (words?.test(str(o, 'text') ?? '') ?? false),
    );
    if (line) {
      claimed.add(line);
      e.printed = line;
      e.late = true;
    }
  }
}

function echoServerFacts(model: LabModel, runs: OwnRun[]): OwnEchoServer | undefined {
  const run = runs.filter((r) => r.role === 'echo-server' && r.calls.length > 0).at(-1);
  if (!run) return undefined;
  const listen = run.calls.find((r) => isCall(r, ['listen']) && ok(r));
  const sessions = [...model.echo, ...model.ownEcho];
  const bySession = new Map<LogRecord, EchoSession>();
  for (const s of sessions) {
    const first = model.ownServer.get(s)?.[0];
    if (first) bySession.set(first, s);
  }
  const conns: OwnConn[] = [];
  let open = 0;
  let maxOpen = 0;
  let maxOpenAt: LogRecord | undefined;
  const openFds = new Map<number, OwnConn>();
  for (const r of [...run.calls].sort((a, b) => at(a) - at(b))) {
    if (isAccept(r)) {
      const conn: OwnConn = { accept: r, session: bySession.get(r), close: undefined };
      conns.push(conn);
      openFds.set(num(r, 'newFd') ?? num(r, 'result') ?? -1, conn);
      open++;
      if (open > maxOpen) {
        maxOpen = open;
        maxOpenAt = r;
      }
    } else if (isCall(r, ['close']) && openFds.has(num(r, 'fd') ?? -2)) {
      const fd = num(r, 'fd') ?? -2;
      const conn = openFds.get(fd)!;
      conn.close = r;
      openFds.delete(fd);
      open--;
    }
  }
  const waits = new Map<string, { call: string; first: LogRecord; count: number }>();
  for (const r of run.calls) {
    const call = str(r, 'call') ?? '';
    if (!(call in WAIT_CALLS)) continue;
    const w = waits.get(call);
    if (w) w.count++;
    else waits.set(call, { call, first: r, count: 1 });
  }
  const workers = [
    ...new Set(
      run.calls
        .filter((r) => isAccept(r) || isCall(r, READS) || isCall(r, WRITES))
        .map((r) => num(r, 'ownPid'))
        .filter((p): p is number => p !== undefined),
    ),
  ];
  const connFds = new Set(conns.map((x) => num(x.accept, 'newFd') ?? num(x.accept, 'result')));
  const onConn = (r: LogRecord) => connFds.has(num(r, 'fd'));
  const firstAccept = conns[0]?.accept;
  const after = (r: LogRecord) => !firstAccept || at(r) >= at(firstAccept);
  const listenFd = listen ? num(listen, 'fd') : undefined;
  const stop =
    run.calls.find((r) => isCall(r, ['close']) && listenFd !== undefined && num(r, 'fd') === listenFd) ??
    run.exited;
  const events: OwnEvent[] = [
    { key: 'start', call: run.started, printed: undefined },
    { key: 'listen', call: listen, printed: undefined },
    { key: 'accept', call: firstAccept, printed: undefined },
    {
      key: 'received',
      call: run.calls.find((r) => isCall(r, READS) && (num(r, 'result') ?? 0) > 0 && onConn(r) && after(r)),
      printed: undefined,
    },
    {
      key: 'sent',
      call: run.calls.find((r) => isCall(r, WRITES) && (num(r, 'result') ?? 0) > 0 && onConn(r) && after(r)),
      printed: undefined,
    },
    {
      // A client's disconnection is what the server learns first from a read that returns 0 (the
      // client's FIN) or fails with a reset; its close() comes after, when it drops the socket.
      key: 'closed',
      call:
        run.calls
          .filter((r) => isCall(r, READS) && onConn(r) && after(r) && (num(r, 'result') ?? 1) <= 0)
          .filter((r) => (num(r, 'result') ?? 1) === 0 || /RESET/i.test(str(r, 'errno') ?? ''))
          .sort((a, b) => at(a) - at(b))[0] ??
        conns
          .map((x) => x.close)
          .filter((r): r is LogRecord => r !== undefined)
          .sort((a, b) => at(a) - at(b))[0],
      printed: undefined,
    },
    { key: 'stop', call: stop, printed: undefined },
  ];
  printedAfter(run, events);
  return { run, listen, conns, waits: [...waits.values()], workers, maxOpen, maxOpenAt, events };
}

/** An own client's writes and reads on its connection; ours: its data lines. */
function clientIo(s: EchoSession): { sends: LogRecord[]; reads: LogRecord[] } {
  if (s.own)
    return {
      sends: s.records.filter((r) => isCall(r, WRITES) && (num(r, 'result') ?? 0) > 0),
      reads: s.records.filter((r) => isCall(r, READS) && (num(r, 'result') ?? 0) > 0),
    };
  return {
    sends: s.records.filter((r) => r.event === 'client.data.sent'),
    reads: s.records.filter((r) => r.event === 'client.data.received'),
  };
}
const size = (r: LogRecord) => num(r, 'result') ?? num(r, 'bytes') ?? 0;

/**
 * The records (reads or writes of one connection, in order) that hold bytes of the stream range
 * [from, to): a read may hold bytes of the neighbouring lines too.
 */
function overlapping(records: readonly LogRecord[], from: number, to: number): LogRecord[] {
  const out: LogRecord[] = [];
  let pos = 0;
  for (const r of records) {
    const end = pos + size(r);
    if (end > from && pos < to) out.push(r);
    pos = end;
    if (pos >= to) break;
  }
  return out;
}

function linesOf(model: LabModel, runs: OwnRun[]): OwnLine[] {
  const out: OwnLine[] = [];
  for (const s of [...model.ownEcho, ...model.echo]) {
    const server = model.ownServer.get(s);
    if (!s.connected || (!s.own && !server)) continue;
    const io = clientIo(s);
    const sReads = (server ?? []).filter((r) => isCall(r, READS) && (num(r, 'result') ?? 0) > 0);
    const sWrites = (server ?? []).filter((r) => isCall(r, WRITES) && (num(r, 'result') ?? 0) > 0);
    const cReads = io.reads;
    let offset = 0;
    const run = s.own ? runOf(runs, s.connected, 'echo-client') : undefined;
    const inputs = (run?.input ?? []).filter((i) => str(i, 'text') !== 'exit');
    // Our client writes a line in portions: its lines, as lines.ts groups them.
    const ours = s.own ? undefined : sentLines(s, OUR_CHUNK);
    if (!s.own) {
      for (const line of ours ?? []) {
        const from = line.offset;
        const to = line.offset + line.bytes;
        out.push({
          session: s,
          sends: line.writes,
          bytes: line.bytes,
          input: undefined,
          logged: lineText(line),
          serverReads: overlapping(sReads, from, to),
          serverWrites: overlapping(sWrites, from, to),
          clientReads: overlapping(cReads, from, to),
        });
      }
      continue;
    }
    for (const send of io.sends) {
      const n = size(send);
      const input = inputs.find((i) => num(i, 'bytes') === n && i.time <= send.time + 50);
      if (input) inputs.splice(inputs.indexOf(input), 1);
      out.push({
        session: s,
        sends: [send],
        bytes: n,
        input,
        serverReads: overlapping(sReads, offset, offset + n),
        serverWrites: overlapping(sWrites, offset, offset + n),
        clientReads: overlapping(cReads, offset, offset + n),
      });
      offset += n;
    }
  }
  return out;
}

function exitsOf(model: LabModel, runs: OwnRun[]): OwnExit[] {
  const out: OwnExit[] = [];
  for (const run of runs) {
    if (run.role !== 'echo-client' && run.role !== 'chat-client') continue;
    const input = run.input.find((i) => str(i, 'text') === 'exit');
    if (!input) continue;
    const after = run.calls.find(
      (r) =>
        r.time >= input.time - 50 &&
        (isCall(r, ['close', 'shutdown']) || (run.role === 'chat-client' && isCall(r, WRITES))),
    );
    const session = model.ownEcho.find((s) => s.connected && runOf(runs, s.connected, 'echo-client') === run);
    out.push({ session, run, input, after });
  }
  return out;
}

function chatOf(runs: OwnRun[], records: readonly LogRecord[]): OwnChat {
  const server = runs.filter((r) => r.role === 'chat-server' && r.calls.length > 0).at(-1);
  // The lab's probe (own.probe.sent, src/own/probe.ts) is not a member: its datagrams, and
  // anything the server sent back to it, stay out of the members, the messages and the copies.
  const probes = new Set(
    records.filter((r) => r.event === 'own.probe.sent').map((r) => str(r, 'from') ?? ''),
  );
  const member = (r: LogRecord) => !probes.has(str(r, 'peer') ?? '');
  const received = (server?.calls ?? []).filter(
    (r) => isCall(r, READS) && (num(r, 'result') ?? 0) > 0 && member(r),
  );
  const relays = (server?.calls ?? []).filter(
    (r) => isCall(r, WRITES) && (num(r, 'result') ?? 0) > 0 && member(r),
  );
  const members: OwnChat['members'] = [];
  for (const r of received) {
    const peer = str(r, 'peer');
    if (peer && !members.some((m) => m.peer === peer)) members.push({ peer, first: r });
  }
  const claimed = new Set<LogRecord>();
  const clients: OwnChatClient[] = [];
  for (const run of runs.filter((r) => r.role === 'chat-client' && r.calls.length > 0)) {
    const sends = run.calls.filter((r) => isCall(r, WRITES) && (num(r, 'result') ?? 0) > 0);
    const recvs = run.calls.filter((r) => isCall(r, READS) && (num(r, 'result') ?? 0) > 0);
    const local = sends.map((r) => str(r, 'local')).find((x) => x !== undefined);
    const dialed = run.calls.map((r) => str(r, 'peer')).find((x) => x !== undefined);
    const first = sends[0];
    let seen: LogRecord | undefined;
    if (first) {
      // The server's recvfrom of this client's first datagram: the same source when nothing
      // translated it, else (through NAT) the same size and text nearest in time.
      seen =
        received.find((r) => !claimed.has(r) && local !== undefined && str(r, 'peer') === local) ??
        received
          .filter(
            (r) =>
              !claimed.has(r) &&
              size(r) === size(first) &&
              str(r, 'data') === str(first, 'data') &&
              Math.abs(at(r) - at(first)) <= 2000,
          )
          .sort((a, b) => Math.abs(at(a) - at(first)) - Math.abs(at(b) - at(first)))[0];
      if (seen) for (const r of received) if (str(r, 'peer') === str(seen, 'peer')) claimed.add(r);
    }
    clients.push({ run, dialed, local, seen, sends, recvs });
  }
  return { server, members, relays, received, clients };
}

const NON_ASCII = /[^\x00-\x7f]/;

function nonAsciiOf(runs: OwnRun[]): OwnText | undefined {
  // Echo clients first: their write carries the line as typed (a chat client may add its nick).
  const ordered = [
    ...runs.filter((r) => r.role === 'echo-client'),
    ...runs.filter((r) => r.role !== 'echo-client'),
  ];
  for (const run of ordered) {
    for (const input of run.input) {
      const text = str(input, 'text') ?? '';
      if (!NON_ASCII.test(text)) continue;
      const n = num(input, 'bytes');
      // The call that wrote exactly the typed bytes (the line and its newline), if there is one.
      const call = run.calls.find(
        (r) => isCall(r, WRITES) && r.time >= input.time - 50 && n !== undefined && num(r, 'result') === n,
      );
      return {
        record: input,
        text,
        chars: [...text].length,
        bytes: n !== undefined ? n - 1 : Buffer.byteLength(text),
        call,
      };
    }
  }
  // A server's read whose whole text the preview holds.
  for (const run of runs) {
    for (const r of run.calls) {
      if (!isCall(r, READS)) continue;
      const data = str(r, 'data');
      if (!data) continue;
      const d = decodePreview(data);
      if (d.truncated || !NON_ASCII.test(d.text)) continue;
      return {
        record: r,
        text: d.text,
        chars: [...d.text].length,
        bytes: Buffer.byteLength(d.text),
        call: r,
      };
    }
  }
  return undefined;
}

function clientEventsOf(facts: Pick<OwnFacts, 'echoClients'>, runs: OwnRun[]): OwnFacts['clientEvents'] {
  const pick =
    facts.echoClients.find((s) => s.records.some((r) => isCall(r, ['close']))) ?? facts.echoClients[0];
  if (!pick?.connected) return undefined;
  const run = runOf(runs, pick.connected, 'echo-client');
  if (!run) return undefined;
  const io = clientIo(pick);
  const events: OwnEvent[] = [
    { key: 'connect', call: pick.connected, printed: undefined },
    { key: 'close', call: pick.records.find((r) => isCall(r, ['close', 'shutdown'])), printed: undefined },
    { key: 'sent', call: io.sends[0], printed: undefined },
    { key: 'received', call: io.reads[0], printed: undefined },
  ];
  printedAfter(run, events);
  return { session: pick, run, events };
}

/** Only the chat part of ownFacts: the chat check needs no more. */
export function ownChatFacts(model: LabModel): OwnChat {
  return chatOf(ownRuns(model.timeline.records), model.timeline.records);
}

/** The own programs' facts of a run (empty lists when none of them ran). */
export function ownFacts(model: LabModel, readLimit = 1024): OwnFacts {
  const runs = ownRuns(model.timeline.records);
  const echoServer = echoServerFacts(model, runs);
  const echoClients = model.ownEcho.filter((s) => s.connected);
  const lines = linesOf(model, runs);
  const longLine = lines.find((l) => l.bytes > readLimit && l.serverReads.length > 1);
  return {
    echoServer,
    echoClients,
    lines,
    longLine,
    exits: exitsOf(model, runs),
    chat: chatOf(runs, model.timeline.records),
    nonAscii: nonAsciiOf(runs),
    clientEvents: clientEventsOf({ echoClients }, runs),
    runs,
  };
}

/** Whether the lab's own server stepped aside for the student's, per protocol (server.replaced). */
export function replaced(model: LabModel): { tcp: boolean; udp: boolean } {
  const r = model.timeline.records.filter((x) => x.event === 'server.replaced');
  return {
    tcp: r.some((x) => str(x, 'protocol') === 'tcp'),
    udp: r.some((x) => str(x, 'protocol') === 'udp'),
  };
}

/**
 * Whether the student's echo server served this run's TCP part: it ran traced, and ours stepped
 * aside for it (`server.replaced`) or did not listen on TCP at all (`socket-lab own` alone).
 */
export function ownServes(model: LabModel, facts: Pick<OwnFacts, 'echoServer'>): boolean {
  if (!facts.echoServer) return false;
  if (replaced(model).tcp) return true;
  return !model.servers.some((x) => x.listening.some((r) => str(r, 'protocol') === 'tcp'));
}

/** `recvfrom(5, …, 1024) = 1024`: a call as a reader of strace knows it. */
export function callText(r: LogRecord): string {
  const call = str(r, 'call') ?? '?';
  const fd = num(r, 'fd');
  const req = num(r, 'size');
  const bare = call === 'close' || call === 'shutdown';
  const args = fd === undefined ? '…' : req !== undefined ? `${fd}, …, ${req}` : bare ? `${fd}` : `${fd}, …`;
  const errno = str(r, 'errno');
  return `${call}(${args}) = ${num(r, 'result') ?? '?'}${errno ? ` ${errno}` : ''}`;
}
