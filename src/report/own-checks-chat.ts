/**
 * Checks on a student's own UDP chat programs (issue #19), read from the records of their runs under
 * strace: the `own.call` events of the runner (socket calls: call, fd, bytes, peer, errno, the call's
 * own time `at` and a `data` preview, as src/own/strace.ts reports them), `own.output` (what the
 * program printed, with times), `own.input` (each line passed to its standard input: the user's
 * Enter) and `own.program.exited` / `own.program.failed`. The trace keeps socket calls only, so the
 * terminal's reads are not in it; the lab may also say when it typed (`typed`), and a `read` on fd 0
 * in the records, if a trace has one, counts as well. Pure: the same records always
 * give the same results.
 *
 * The chat is the course's plain protocol (docs/protocol.md): a server relays each datagram it
 * receives to every other address it has heard from. What the lab did around the runs (who sent
 * what, when `exit` was typed) comes in as facts beside the records; the records are the evidence.
 */
import type { Lang } from '../log/events.js';
import { decodePreview } from '../own/strace.js';
import { count } from '../text/plural.js';
import type { LogRecord } from './parse.js';
import { type RunSources, type SourceRef, locateCall } from './own-source.js';

/** A log record as the report reads it; own18's `own.*` events are records of this shape. */
export interface OwnRecord {
  source: string;
  line: number;
  time: number;
  event: string;
  fields: Record<string, unknown>;
  scenario?: string | undefined;
}

export type ChatCheckId =
  | 'own-chat-relay'
  | 'own-chat-not-back'
  | 'own-chat-garbage'
  | 'own-chat-nat'
  | 'own-chat-client-typing'
  | 'own-chat-client-exit'
  | 'own-chat-client-unreachable';

export type ChatFindingCode =
  | 'na-members'
  | 'na-probe'
  | 'na-remote'
  | 'na-incoming'
  | 'na-incoming-untraced'
  | 'na-incoming-address'
  | 'na-incoming-server'
  | 'na-exit'
  | 'na-unreachable'
  | 'relay-ok'
  | 'relay-missing'
  | 'not-back-ok'
  | 'back-to-sender'
  | 'garbage-ok'
  | 'garbage-died'
  | 'garbage-stalled'
  | 'nat-ok'
  | 'nat-own-address'
  | 'nat-not-answered'
  | 'nat-untranslated'
  | 'nat-own-unknown'
  | 'typing-ok'
  | 'typing-after-enter'
  | 'typing-never-shown'
  | 'exit-ok'
  | 'exit-not-ended'
  | 'unreachable-ok'
  | 'unreachable-traceback'
  | 'unreachable-silent'
  | 'unreachable-waited';

export interface ChatFinding {
  ok: boolean;
  /** This part has no evidence in the run: n/a with its reason, never a pass. */
  na?: boolean;
  code: ChatFindingCode;
  params: Record<string, string | number>;
  evidence: OwnRecord[];
}

export interface ChatCheckResult {
  id: ChatCheckId;
  status: 'pass' | 'fail' | 'n/a';
  findings: ChatFinding[];
}

/** A member the lab ran against the student's server, and the address the server should see. */
export interface ChatMember {
  /** `vm`, `remote`, a nickname: how the report names it. */
  label: string;
  /** The IP the server should see its datagrams come from: its own (vm), the router's (remote). */
  seenAs: string;
  /** The member's own IP, when a router translates it (the remote member behind NAT). */
  own?: string;
}

export interface ChatServerFacts {
  records: readonly OwnRecord[];
  members: readonly ChatMember[];
  /** The endpoint (ip:port) our probe sent garbage, an empty and a 65,507-byte datagram from, if it ran. */
  probe?: string;
}

export interface ChatClientFacts {
  records: readonly OwnRecord[];
  /** How the report names this client (its scenario, `vm`, or its log), to tell its findings apart. */
  label?: string;
  /** When the lab typed a line (pressed Enter) into the client, besides `exit`. */
  typed?: readonly number[];
  /**
   * Datagrams the chat server sent this client, with when they left and the line that shows it
   * (our server's relay line, or the student's server's traced sendto to the client's address).
   */
  incoming: ReadonlyArray<{ text: string; time: number; record?: OwnRecord; cut?: boolean }>;
  /**
   * Why `incoming` is empty when the records cannot tell what the server sent this client: the
   * student's server ran untraced (its sendto calls are not in the records), or this client's own
   * address never showed in its trace (nothing to match the server's sendto with), or no chat
   * server's log is among the records at all (a teacher's server, say, whose log was not given).
   */
  incomingUnknown?: 'untraced' | 'address' | 'server';
  /**
   * With `incoming` empty: the other clients that wrote only before this one joined (its first
   * datagram), so the server could not yet send their lines to it ("vm").
   */
  wroteBefore?: string;
  /** When the lab typed `exit` into the client, if it did. */
  exitTypedAt?: number;
  /** The records of a run of the same client against a port no socket is bound to, if it ran. */
  unreachable?: readonly OwnRecord[];
}

/** A relayed copy leaves within this long of the datagram it copies, or it is not a relay of it. */
export const RELAY_WINDOW_MS = 2000;
/** `exit` must end the client within this long. */
export const EXIT_WINDOW_MS = 5000;
const MAX_EVIDENCE = 6;

const RECEIVE_CALLS = new Set(['recvfrom', 'recv', 'recvmsg', 'read']);
const SEND_CALLS = new Set(['sendto', 'send', 'sendmsg', 'write']);
const WAIT_CALLS = new Set(['select', 'pselect6', 'poll', 'ppoll', 'epoll_wait', 'epoll_pwait']);

const num = (r: OwnRecord, k: string): number | undefined =>
  typeof r.fields[k] === 'number' ? (r.fields[k] as number) : undefined;
const str = (r: OwnRecord, k: string): string | undefined =>
  typeof r.fields[k] === 'string' ? (r.fields[k] as string) : undefined;
/** The IP of `ip:port` (IPv4, or `[v6]:port`). */
const ipOf = (endpoint: string): string => endpoint.replace(/^\[(.*)\]:\d+$/, '$1').replace(/:\d+$/, '');
/** When a call returned (the runner's `at`, from strace), else when the line was logged. */
const timeOf = (r: OwnRecord): number => num(r, 'at') ?? r.time;
/**
 * The latest a record can have happened: strace's `at` is exact; a log line without it was stamped
 * by Date.now() in whole milliseconds, so it happened within [time, time + 1). (CI: a client's
 * line stamped …499 after their server's sendto at …499.321 was read as "before".)
 */
const latestOf = (r: OwnRecord): number => num(r, 'at') ?? r.time + 1;
/** The data a call moved, as far as the trace kept it. */
const dataOf = (r: OwnRecord): string | undefined => str(r, 'data') ?? str(r, 'text');

interface Io {
  time: number;
  peer: string | undefined;
  bytes: number;
  text: string | undefined;
  record: OwnRecord;
}

/** Socket transfers: fd 0, 1 and 2 are the terminal, not the chat socket. */
function transfers(records: readonly OwnRecord[], calls: Set<string>): Io[] {
  const out: Io[] = [];
  for (const r of records) {
    if (r.event !== 'own.call' || str(r, 'errno') !== undefined) continue;
    const call = str(r, 'call') ?? '';
    const fd = num(r, 'fd');
    if (!calls.has(call) || (fd !== undefined && fd <= 2)) continue;
    const bytes = num(r, 'bytes') ?? num(r, 'result');
    if (bytes === undefined || bytes < 0) continue;
    out.push({ time: timeOf(r), peer: str(r, 'peer'), bytes, text: dataOf(r), record: r });
  }
  return out.sort((a, b) => a.time - b.time);
}

function result(id: ChatCheckId, findings: ChatFinding[], na = false): ChatCheckResult {
  return { id, status: na ? 'n/a' : findings.every((f) => f.ok) ? 'pass' : 'fail', findings };
}
const notApplicable = (id: ChatCheckId, code: ChatFindingCode, params = {}): ChatCheckResult =>
  result(id, [{ ok: true, na: true, code, params, evidence: [] }], true);

/** The sends that copy datagram `d`: after it, before the next datagram arrives, same size. */
function copiesOf(d: Io, recvs: Io[], sends: Io[]): Io[] {
  const next = recvs.find((x) => x.time > d.time || (x.time === d.time && x.record.line > d.record.line));
  const until = Math.min(next ? next.time : Infinity, d.time + RELAY_WINDOW_MS);
  return sends.filter(
    (s) =>
      s.bytes === d.bytes &&
      (s.time > d.time || (s.time === d.time && s.record.line > d.record.line)) &&
      (s.time < until || (next !== undefined && s.time === until && s.record.line < next.record.line)),
  );
}

/** The four checks on a student's chat server. */
export function checkOwnChatServer(facts: ChatServerFacts): ChatCheckResult[] {
  const recvs = transfers(facts.records, RECEIVE_CALLS).filter((r) => r.peer !== undefined);
  const sends = transfers(facts.records, SEND_CALLS).filter((s) => s.peer !== undefined);
  const memberOf = (peer: string) => facts.members.find((m) => m.seenAs === ipOf(peer));
  const fromMembers = recvs.filter((r) => r.peer !== facts.probe && memberOf(r.peer!) !== undefined);
  return [
    relayCheck(recvs, sends, fromMembers, memberOf),
    notBackCheck(recvs, sends, fromMembers),
    garbageCheck(facts, recvs, sends, fromMembers),
    natCheck(facts, recvs, sends),
  ];
}

function relayCheck(
  recvs: Io[],
  sends: Io[],
  fromMembers: Io[],
  memberOf: (peer: string) => ChatMember | undefined,
): ChatCheckResult {
  const id = 'own-chat-relay';
  const endpoints = [...new Set(fromMembers.map((r) => r.peer!))];
  if (endpoints.length < 2) return notApplicable(id, 'na-members', { seen: endpoints.length });
  const known = new Set<string>();
  const missing: Array<{ d: Io; to: string[] }> = [];
  let checked = 0;
  let example: Io[] = [];
  for (const d of fromMembers) {
    const others = [...known].filter((e) => e !== d.peer);
    known.add(d.peer!);
    if (others.length === 0) continue;
    checked++;
    const copies = copiesOf(d, recvs, sends);
    const to = others.filter((e) => !copies.some((c) => c.peer === e));
    if (to.length > 0) missing.push({ d, to });
    else if (example.length === 0) example = [d, ...copies.filter((c) => others.includes(c.peer!))];
  }
  if (checked === 0) return notApplicable(id, 'na-members', { seen: endpoints.length });
  const labels = [...new Set(endpoints.map((e) => memberOf(e)?.label ?? e))].join(', ');
  if (missing.length === 0) {
    return result(id, [
      {
        ok: true,
        code: 'relay-ok',
        params: { datagrams: checked, received: fromMembers.length, members: endpoints.length, labels },
        evidence: example.map((x) => x.record),
      },
    ]);
  }
  const first = missing[0]!;
  return result(id, [
    {
      ok: false,
      code: 'relay-missing',
      params: {
        missing: missing.length,
        datagrams: checked,
        from: first.d.peer!,
        to: first.to.join(', '),
        labels,
      },
      evidence: missing.slice(0, MAX_EVIDENCE).map((m) => m.d.record),
    },
  ]);
}

function notBackCheck(recvs: Io[], sends: Io[], fromMembers: Io[]): ChatCheckResult {
  const id = 'own-chat-not-back';
  const relayed = fromMembers.filter((d) => copiesOf(d, recvs, sends).length > 0);
  if (relayed.length === 0) return notApplicable(id, 'na-members', { seen: 0 });
  const back = relayed.flatMap((d) => {
    const echo = copiesOf(d, recvs, sends).find((c) => c.peer === d.peer);
    return echo ? [[d, echo] as const] : [];
  });
  if (back.length === 0) {
    return result(id, [
      {
        ok: true,
        code: 'not-back-ok',
        params: { datagrams: relayed.length },
        evidence: relayed.slice(0, 1).map((d) => d.record),
      },
    ]);
  }
  return result(id, [
    {
      ok: false,
      code: 'back-to-sender',
      params: { back: back.length, datagrams: relayed.length, peer: back[0]![0].peer! },
      evidence: back.slice(0, MAX_EVIDENCE / 2).flatMap(([d, e]) => [d.record, e.record]),
    },
  ]);
}

function garbageCheck(facts: ChatServerFacts, recvs: Io[], sends: Io[], fromMembers: Io[]): ChatCheckResult {
  const id = 'own-chat-garbage';
  const probe = facts.probe === undefined ? [] : recvs.filter((r) => r.peer === facts.probe);
  if (probe.length === 0) return notApplicable(id, 'na-probe');
  const last = probe[probe.length - 1]!;
  const params = {
    probe: facts.probe!,
    probes: probe.length,
    empty: probe.filter((p) => p.bytes === 0).length,
    largest: Math.max(...probe.map((p) => p.bytes)),
  };
  const end = facts.records.find(
    (r) => (r.event === 'own.program.exited' || r.event === 'own.program.failed') && r.time >= last.time,
  );
  // Still running means still receiving; whether it relays is the relay check's business.
  const after = fromMembers.find((d) => d.time > last.time);
  if (after && (!end || end.time > after.time)) {
    return result(id, [
      { ok: true, code: 'garbage-ok', params, evidence: [...probe.map((p) => p.record), after.record] },
    ]);
  }
  if (end && end.time >= last.time) {
    const code = num(end, 'code');
    return result(id, [
      {
        ok: false,
        code: 'garbage-died',
        params: { ...params, code: code === undefined ? (str(end, 'signal') ?? '?') : code },
        evidence: [last.record, end],
      },
    ]);
  }
  return result(id, [{ ok: false, code: 'garbage-stalled', params, evidence: [last.record] }]);
}

/** An address that names no host: unbound (0.0.0.0, ::), empty, or with port 0. */
export function unknownAddress(a: string): boolean {
  const ip = ipOf(a);
  return ip === '' || ip === '0.0.0.0' || ip === '::' || ip === '[::]' || /:0$/.test(a) || a === '0';
}

function natCheck(facts: ChatServerFacts, recvs: Io[], sends: Io[]): ChatCheckResult {
  const id = 'own-chat-nat';
  const remote = facts.members.filter((m) => m.own !== undefined && m.own !== m.seenAs);
  if (remote.length === 0) return notApplicable(id, 'na-remote');
  const findings: ChatFinding[] = [];
  for (const m of remote) {
    // 0.0.0.0, ::, or an address with port 0: the member's socket was not bound to a known
    // address, so comparing it with the router's says nothing about NAT (that part is n/a).
    if (unknownAddress(m.own!)) {
      findings.push({
        ok: true,
        na: true,
        code: 'nat-own-unknown',
        params: { label: m.label, router: m.seenAs },
        evidence: [],
      });
      continue;
    }
    const fromOwn = recvs.find((r) => ipOf(r.peer!) === m.own);
    if (fromOwn) {
      findings.push({
        ok: true,
        code: 'nat-untranslated',
        params: { label: m.label, own: m.own!, router: m.seenAs },
        evidence: [fromOwn.record],
      });
      continue;
    }
    const from = recvs.find((r) => ipOf(r.peer!) === m.seenAs);
    if (!from) continue;
    const toOwn = sends.find((s) => ipOf(s.peer!) === m.own);
    const toRouter = sends.find((s) => s.peer === from.peer && s.time > from.time);
    if (toOwn) {
      findings.push({
        ok: false,
        code: 'nat-own-address',
        params: { label: m.label, own: m.own!, router: from.peer! },
        evidence: [from.record, toOwn.record],
      });
    } else if (toRouter) {
      findings.push({
        ok: true,
        code: 'nat-ok',
        params: { label: m.label, own: m.own!, router: from.peer! },
        evidence: [from.record, toRouter.record],
      });
    } else {
      // Nothing went back to it at all: whether the server relays is the relay check's question.
      findings.push({
        ok: true,
        code: 'nat-not-answered',
        params: { label: m.label, own: m.own!, router: from.peer! },
        evidence: [from.record],
      });
    }
  }
  if (findings.length === 0) return notApplicable(id, 'na-remote');
  const decided = findings.filter((f) => f.code === 'nat-ok' || f.code === 'nat-own-address');
  return result(id, findings, decided.length === 0);
}

/** The three checks on a student's chat client. */
export function checkOwnChatClient(facts: ChatClientFacts): ChatCheckResult[] {
  // Only a run against a port where nothing is bound (the mistake profile): no member to judge.
  if (facts.records.length === 0 && facts.unreachable) return [unreachableCheck(facts.unreachable)];
  return [typingCheck(facts), exitCheck(facts), unreachableCheck(facts.unreachable)];
}

/** Enter presses: the lines the lab typed, and any `read(0)` returning a line in the trace. */
function enterTimes(facts: ChatClientFacts): Array<{ time: number; record?: OwnRecord }> {
  const reads = facts.records
    .filter(
      (r) =>
        r.event === 'own.call' &&
        str(r, 'call') === 'read' &&
        num(r, 'fd') === 0 &&
        (num(r, 'result') ?? num(r, 'bytes') ?? 0) > 0,
    )
    .map((r) => ({ time: timeOf(r), record: r }));
  const lines = facts.records
    .filter((r) => r.event === 'own.input')
    .map((r) => ({ time: r.time, record: r as OwnRecord | undefined }));
  return [...reads, ...lines, ...(facts.typed ?? []).map((time) => ({ time }))].sort(
    (a, b) => a.time - b.time,
  );
}

/** What reached the screen: `own.output` on stdout, or `write(1, ...)` with its text. */
function shown(records: readonly OwnRecord[], text: string): OwnRecord | undefined {
  return records.find(
    (r) =>
      (r.event === 'own.output' && str(r, 'stream') === 'stdout' && (str(r, 'text') ?? '').includes(text)) ||
      (r.event === 'own.call' &&
        str(r, 'call') === 'write' &&
        num(r, 'fd') === 1 &&
        (dataOf(r) ?? '').includes(text)),
  );
}

/** How the program waits for the socket and the keyboard at once, as its trace shows it. */
function mechanism(records: readonly OwnRecord[]): string {
  const calls = records.filter((r) => r.event === 'own.call');
  if (calls.some((r) => WAIT_CALLS.has(str(r, 'call') ?? ''))) return 'select/poll';
  // A receiving thread shows as socket calls from a second task id (strace -f names threads too);
  // the runner logs it as ownPid (pid is its own, in the log's envelope).
  const tasks = calls.map((r) => num(r, 'ownPid') ?? num(r, 'pid')).filter((p) => p !== undefined);
  if (new Set(tasks).size >= 2) return 'threads';
  if (calls.some((r) => ['EAGAIN', 'EWOULDBLOCK'].includes(str(r, 'errno') ?? ''))) return 'non-blocking';
  return 'unknown';
}

/** A message as the finding quotes it: marked `…` where strace's preview cut it. */
const shownText = (m: { text: string; cut?: boolean }): string => (m.cut ? `${m.text}…` : m.text);

function typingCheck(facts: ChatClientFacts): ChatCheckResult {
  const id = 'own-chat-client-typing';
  if (facts.incoming.length === 0) {
    const why = facts.incomingUnknown;
    return notApplicable(
      id,
      why === undefined ? 'na-incoming' : `na-incoming-${why}`,
      facts.wroteBefore ? { before: facts.wroteBefore } : {},
    );
  }
  const keys = enterTimes(facts);
  const recvs = transfers(facts.records, RECEIVE_CALLS);
  const how = mechanism(facts.records);
  const findings: ChatFinding[] = [];
  for (const m of facts.incoming) {
    const later = facts.records.filter((r) => latestOf(r) > m.time);
    const screen = shown(later, m.text);
    // strace keeps the first bytes only (-s), escaped: a receive matches when those agree.
    const recv = recvs.find((r) => {
      if (r.time < m.time) return false;
      if (r.text === undefined) return true;
      const got = decodePreview(r.text).text;
      return m.text.startsWith(got) || got.startsWith(m.text);
    });
    if (!screen) {
      findings.push({
        ok: false,
        code: 'typing-never-shown',
        params: { text: shownText(m) },
        evidence: [m.record, recv?.record].filter((r): r is OwnRecord => r !== undefined),
      });
      continue;
    }
    const enter = keys.find((k) => k.time >= m.time && k.time <= timeOf(screen));
    const evidence = [m.record, recv?.record, enter?.record, screen].filter(
      (r): r is OwnRecord => r !== undefined,
    );
    findings.push(
      enter
        ? {
            ok: false,
            code: 'typing-after-enter',
            params: { text: shownText(m), waitedMs: Math.round(timeOf(screen) - m.time) },
            evidence,
          }
        : {
            ok: true,
            code: 'typing-ok',
            params: { text: shownText(m), ms: Math.round(timeOf(screen) - m.time), how },
            evidence,
          },
    );
  }
  return result(id, findings);
}

function exitCheck(facts: ChatClientFacts): ChatCheckResult {
  const id = 'own-chat-client-exit';
  if (facts.exitTypedAt === undefined) return notApplicable(id, 'na-exit');
  const at = facts.exitTypedAt;
  const end = facts.records.find(
    (r) => (r.event === 'own.program.exited' || r.event === 'own.program.failed') && r.time >= at,
  );
  const ended =
    end !== undefined &&
    end.event === 'own.program.exited' &&
    end.time - at <= EXIT_WINDOW_MS &&
    str(end, 'signal') === undefined;
  return result(id, [
    ended
      ? {
          ok: true,
          code: 'exit-ok',
          params: { ms: Math.round(end.time - at), code: num(end, 'code') ?? 0 },
          evidence: [end],
        }
      : {
          ok: false,
          code: 'exit-not-ended',
          params: {
            limitMs: EXIT_WINDOW_MS,
            how: end ? (str(end, 'reason') ?? str(end, 'signal') ?? end.event) : 'still running',
          },
          evidence: end ? [end] : [],
        },
  ]);
}

const TRACEBACK = 'Traceback (most recent call last)';

function unreachableCheck(records: readonly OwnRecord[] | undefined): ChatCheckResult {
  const id = 'own-chat-client-unreachable';
  if (!records || records.length === 0) return notApplicable(id, 'na-unreachable');
  const outputs = records.filter((r) => r.event === 'own.output' && (str(r, 'text') ?? '').trim() !== '');
  const traceback = outputs.find((r) => (str(r, 'text') ?? '').includes(TRACEBACK));
  if (traceback)
    return result(id, [{ ok: false, code: 'unreachable-traceback', params: {}, evidence: [traceback] }]);
  const end = records.find((r) => r.event === 'own.program.exited');
  // A socket that is not connect()ed is never told that nothing listens: a client that waited
  // quietly until the lab's `exit` and ended cleanly did what it could.
  const exit = records.find((r) => r.event === 'own.input' && (str(r, 'text') ?? '').trim() === 'exit');
  if (outputs.length === 0 && end && exit && end.time >= exit.time && num(end, 'code') === 0)
    return result(id, [{ ok: true, code: 'unreachable-waited', params: {}, evidence: [exit, end] }]);
  if (outputs.length === 0 || !end) {
    return result(id, [
      {
        ok: false,
        code: 'unreachable-silent',
        params: { ended: end ? 'yes' : 'no' },
        evidence: end ? [end] : [],
      },
    ]);
  }
  const message = outputs[outputs.length - 1]!;
  return result(id, [
    { ok: true, code: 'unreachable-ok', params: { code: num(end, 'code') ?? 0 }, evidence: [message, end] },
  ]);
}

const portOf = (endpoint: string | undefined): string | undefined => endpoint?.match(/:(\d+)$/)?.[1];
const ownOf = (r: OwnRecord, role: string) => r.event.startsWith('own.') && str(r, 'role') === role;

/**
 * The facts of a lab run, from its records alone: the student's chat server with the members that
 * reached it (our chat clients' `chat.joined`, and the student's own clients, matched with the
 * server's `recvfrom` by port: NAT changes the address, the lab's router keeps the port), and each
 * student chat client with the lines our server relayed to it while it ran. What the records cannot
 * tell stays out: the probe's address (pass it), when the user typed, whether `exit` was typed.
 */
export function chatFactsFromRecords(
  records: readonly OwnRecord[],
  options: { probe?: string } = {},
): { server?: ChatServerFacts; clients: ChatClientFacts[] } {
  const serverRecords = records.filter((r) => ownOf(r, 'chat-server'));
  // The lab's probe (own.probe.sent, src/own/probe.ts): its address is not a member's.
  const probeSent = records.find((r) => r.event === 'own.probe.sent' && str(r, 'from'));
  const probe = options.probe ?? (probeSent ? str(probeSent, 'from') : undefined);
  // The mistake profile's chat client (scenario `mistake`) dials a port where nothing is bound: its
  // run is the unreachable check's, not a member's.
  const allClientSources = [...new Set(records.filter((r) => ownOf(r, 'chat-client')).map((r) => r.source))];
  const isUnreachableRun = (source: string) =>
    records.find((r) => r.source === source && ownOf(r, 'chat-client'))?.scenario === 'mistake';
  const unreachable = records.filter((r) => ownOf(r, 'chat-client') && isUnreachableRun(r.source));
  const clientSources = allClientSources.filter((s) => !isUnreachableRun(s));
  // Where each client's datagrams leave from: ours log it, the student's show it in the trace.
  const clientEnds: Array<{ label: string; local: string }> = [];
  for (const r of records) {
    if (r.event === 'chat.joined' && str(r, 'local'))
      clientEnds.push({ label: r.scenario ?? str(r, 'nick') ?? r.source, local: str(r, 'local')! });
  }
  for (const source of clientSources) {
    const first = records.find((r) => r.source === source && ownOf(r, 'chat-client') && str(r, 'local'));
    if (first) clientEnds.push({ label: first.scenario ?? source, local: str(first, 'local')! });
  }
  let server: ChatServerFacts | undefined;
  if (serverRecords.length > 0) {
    const recvs = transfers(serverRecords, RECEIVE_CALLS).filter((r) => r.peer !== undefined);
    const members: ChatMember[] = [];
    for (const c of clientEnds) {
      const seen = recvs.find((r) => r.peer !== probe && portOf(r.peer) === portOf(c.local));
      if (!seen) continue;
      const own = ipOf(c.local);
      const seenAs = ipOf(seen.peer!);
      members.push(seenAs === own ? { label: c.label, seenAs } : { label: c.label, seenAs, own });
    }
    server = { records: serverRecords, members, ...(probe ? { probe } : {}) };
  }
  const relays = records.filter((r) => r.event === 'udp.message.relayed');
  // The student's server: what it sent is in its trace (sendto to a member's address, as recvfrom
  // gave it), unless it ran untraced.
  const serverSends = transfers(serverRecords, SEND_CALLS).filter((x) => x.peer !== undefined);
  const serverUntraced =
    serverRecords.some((r) => r.event === 'own.trace.off') ||
    serverRecords.some((r) => r.event === 'own.program.started' && r.fields.traced === false);
  // Our chat server in the records: its UDP socket listening, or any line of its chat.
  const ourChatServer = records.some(
    (r) => (r.event === 'server.listening' && str(r, 'protocol') === 'udp') || r.event.startsWith('udp.'),
  );
  // Each client's datagrams (its traced sends) and its label, for "who wrote before it joined".
  const sendsOf = new Map(
    clientSources.map((source) => {
      const mine = records.filter((r) => r.source === source && ownOf(r, 'chat-client'));
      const label = mine.find((r) => r.scenario !== undefined)?.scenario ?? source;
      return [source, { label, sends: transfers(mine, SEND_CALLS) }] as const;
    }),
  );
  const clients = clientSources.map((source, i): ChatClientFacts => {
    const own = records.filter((r) => r.source === source && ownOf(r, 'chat-client'));
    const start = own[0]?.time ?? 0;
    const end = own.find((r) => r.event === 'own.program.exited')?.time ?? Infinity;
    const localEnd = own.map((r) => str(r, 'local')).find((l) => l !== undefined && !unknownAddress(l));
    const local = portOf(localEnd);
    const incoming: Array<{ text: string; time: number; record: OwnRecord; cut?: boolean }> = [];
    let incomingUnknown: ChatClientFacts['incomingUnknown'];
    if (serverRecords.length > 0) {
      // NAT changes the address, the lab's router keeps the port: matched by port, as members are.
      if (serverUntraced) incomingUnknown = 'untraced';
      else if (local === undefined) incomingUnknown = 'address';
      else {
        // A copy of this client's own datagram, sent back to it, is not a message from another
        // member: the server's recvfrom it relays came from this client's port, or its text is one
        // this client sent (a server that sends every datagram to every member, sender included).
        const sentByMe = new Set(
          transfers(own, SEND_CALLS)
            .filter((x) => x.text !== undefined)
            .map((x) => decodePreview(x.text!).text.trim()),
        );
        const serverRecvs = transfers(serverRecords, RECEIVE_CALLS).filter((r) => r.peer !== undefined);
        const relayed = (x: Io): Io | undefined =>
          serverRecvs.filter((r) => r.time <= x.time && r.bytes === x.bytes).at(-1);
        for (const x of serverSends) {
          if (portOf(x.peer) !== local || x.time < start || x.time > end || x.text === undefined) continue;
          const preview = decodePreview(x.text);
          const text = preview.text.trim();
          if (portOf(relayed(x)?.peer) === local || sentByMe.has(text)) continue;
          // Sent when the call began: the datagram is out before sendto returns to a traced server
          // (strace's own stops make that a few ms), and the client may show it in between.
          const time = num(x.record, 'startedAt') ?? x.time;
          // strace keeps the first bytes only (-s): a cut text is marked where the report shows it.
          if (text !== '')
            incoming.push({ text, time, record: x.record, ...(preview.truncated ? { cut: true } : {}) });
        }
      }
    } else if (!ourChatServer) {
      incomingUnknown = 'server';
    } else {
      for (const r of relays) {
        if (r.time < start || r.time > end || portOf(str(r, 'remote')) === local) continue;
        const text = str(r, 'preview') ?? '';
        if (text !== '') incoming.push({ text, time: r.time, record: r });
      }
    }
    // The runner logs each line it passes to the program (own.input): `exit` is the user's exit.
    const exit = own.find((r) => r.event === 'own.input' && (str(r, 'text') ?? '').trim() === 'exit');
    const label = own.find((r) => r.scenario !== undefined)?.scenario ?? source;
    // Nothing came: did others write, only before this client's first datagram (its joining)?
    const joined = sendsOf.get(source)?.sends[0]?.time;
    const before =
      incoming.length === 0 && !incomingUnknown && joined !== undefined
        ? [...sendsOf]
            .filter(([other, x]) => other !== source && x.sends.some((d) => d.time < joined))
            .filter(([, x]) => !x.sends.some((d) => d.time >= joined && d.time <= end))
            .map(([, x]) => x.label)
        : [];
    return {
      records: own,
      label,
      incoming,
      ...(incoming.length === 0 && incomingUnknown ? { incomingUnknown } : {}),
      ...(before.length > 0 ? { wroteBefore: [...new Set(before)].join(', ') } : {}),
      ...(exit ? { exitTypedAt: exit.time } : {}),
      // Once, with the first member run of the same program.
      ...(i === 0 && unreachable.length > 0 ? { unreachable } : {}),
    };
  });
  if (clients.length === 0 && unreachable.length > 0)
    clients.push({ records: [], incoming: [], unreachable });
  return server ? { server, clients } : { clients };
}

/** The report's checks on own chat programs: one per role, as own-checks.ts has one per echo role. */
export type OwnChatCheckId = 'own-chat-server' | 'own-chat-client';
export const OWN_CHAT_CHECK_IDS: readonly OwnChatCheckId[] = ['own-chat-server', 'own-chat-client'];

/** The own-chat check a call of the trace is evidence for (the Implementation section's column). */
export function chatCallServes(role: string, call: string): OwnChatCheckId[] {
  const socketCall =
    RECEIVE_CALLS.has(call) ||
    SEND_CALLS.has(call) ||
    WAIT_CALLS.has(call) ||
    ['socket', 'bind', 'connect', 'close'].includes(call);
  if (!socketCall) return [];
  if (role === 'chat-server') return ['own-chat-server'];
  if (role === 'chat-client') return ['own-chat-client'];
  return [];
}

/**
 * One role's checks as one report check, shaped like check.ts's CheckResult (which takes it as it
 * is; declared here so that nothing imports check.ts back).
 */
export interface OwnChatReportCheck {
  id: OwnChatCheckId;
  status: 'pass' | 'fail' | 'n/a';
  findings: Array<{
    ok: boolean;
    /** A part the run had no facts for: n/a with its reason. */
    na?: boolean;
    code: ChatFindingCode | 'na-own';
    params: Record<string, string | number>;
    evidence: LogRecord[];
    /** The line of the student's server that probably makes the failing call (own-source.ts). */
    where?: SourceRef;
  }>;
}

/** Failures of the chat server that its sendto() makes: the line that sends is where to look. */
const SEND_FAILURES = new Set<string>(['back-to-sender', 'relay-missing', 'nat-own-address']);

/** The chat server's runs as own-source.ts reads them: its start, its recorded sources, its output. */
function serverSources(records: readonly LogRecord[]): RunSources[] {
  const mine = records.filter((r) => ownOf(r, 'chat-server'));
  return mine
    .filter((r) => r.event === 'own.program.started')
    .map((started) => ({
      started,
      sources: mine.find((r) => r.event === 'own.sources' && r.source === started.source),
      output: mine.filter((r) => r.event === 'own.output' && r.source === started.source),
    }));
}

/** The checks of one role as one report check: each of its checks becomes findings of it. */
function asCheck(id: OwnChatCheckId, role: string, results: ChatCheckResult[]): OwnChatReportCheck {
  if (results.length === 0)
    return { id, status: 'n/a', findings: [{ ok: true, code: 'na-own', params: { role }, evidence: [] }] };
  const applied = results.filter((r) => r.status !== 'n/a');
  // The records came in as the report's LogRecords, so the evidence is made of them. A check the
  // run had no facts for stays in as an n/a part with its reason (never shown as a pass).
  const findings = results.flatMap((r) =>
    r.status === 'n/a' ? r.findings.map((f) => ({ ...f, na: true })) : r.findings,
  ) as unknown as OwnChatReportCheck['findings'];
  if (applied.length === 0) return { id, status: 'n/a', findings };
  return { id, status: applied.some((r) => r.status === 'fail') ? 'fail' : 'pass', findings };
}

/**
 * The own-chat checks over a lab run's records (registered in own-checks.ts beside the echo ones).
 * A check whose facts the run lacks (no probe sent, nothing typed) is left out of its role's
 * findings; a role that never ran is not applicable.
 */
export function ownChatChecks(records: readonly LogRecord[]): OwnChatReportCheck[] {
  const facts = chatFactsFromRecords(records);
  const server = facts.server ? checkOwnChatServer(facts.server) : [];
  // Each client's findings name it (`vm: ...`): with two clients, "exit was not typed" and "exit
  // ended the client" are about different programs.
  const client = facts.clients.flatMap((c) =>
    checkOwnChatClient(c).map((r) =>
      c.label === undefined
        ? r
        : { ...r, findings: r.findings.map((f) => ({ ...f, params: { client: c.label!, ...f.params } })) },
    ),
  );
  const serverCheck = asCheck('own-chat-server', 'chat-server', server);
  // A failing relay points at the line that sends (a textual match: "probably here").
  if (serverCheck.findings.some((f) => !f.ok && SEND_FAILURES.has(f.code))) {
    const where = locateCall(serverSources(records), 'write');
    if (where)
      serverCheck.findings = serverCheck.findings.map((f) =>
        !f.ok && SEND_FAILURES.has(f.code) ? { ...f, where } : f,
      );
  }
  return [serverCheck, asCheck('own-chat-client', 'chat-client', client)];
}

type Texts = Record<ChatFindingCode, (p: Record<string, string | number>) => string>;

/** "N bytes", "N datagrams" in each language; `gen` for Russian after «из», «после». */
const bytes = (lang: Lang, n: unknown) => count(lang, Number(n), 'byte');
const dgrams = (lang: Lang, n: unknown, gen = false) =>
  count(lang, Number(n), 'datagram', gen ? 'gen' : undefined);
/**
 * "for each of the 3 datagrams" or, when some came while no other member was known, "for 3 of the
 * 5 datagrams it received, each that came while another member was known,".
 */
function relayOf(lang: Lang, p: Record<string, string | number>): string {
  const received = Number(p.received ?? p.datagrams);
  const n = Number(p.datagrams);
  if (received <= n)
    return lang === 'en' ? `for each of ${dgrams('en', n)} ` : `для каждой из ${dgrams('ru', n, true)} `;
  return lang === 'en'
    ? `for ${n} of the ${dgrams('en', received)} it received from members (each that came while another member was known) `
    : `для ${n} из ${dgrams('ru', received, true)}, полученных от участников (каждой, пришедшей, когда сервер уже знал другого участника), `;
}
/** Why the other datagrams were sent to nobody: no other member had written yet. */
function relayAlone(lang: Lang, p: Record<string, string | number>): string {
  const alone = Number(p.received ?? p.datagrams) - Number(p.datagrams);
  if (alone <= 0) return '';
  return lang === 'en'
    ? `; the other ${dgrams('en', alone)} came before any other member's first datagram: the server knew no one to send ${alone === 1 ? 'it' : 'them'} to and sent ${alone === 1 ? 'it' : 'them'} to no one`
    : alone === 1
      ? `; ещё одна дейтаграмма пришла раньше первой дейтаграммы любого другого участника: сервер ещё не знал, кому её отправить, и никому её не отправил`
      : `; остальные ${dgrams('ru', alone)} пришли раньше первой дейтаграммы любого другого участника: сервер ещё не знал, кому их отправить, и никому их не отправил`;
}
/** The largest UDP payload over IPv4: 65,535 minus the 20-byte IP and 8-byte UDP headers. */
const MAX_UDP_IPV4 = 65_507;
/** The client a finding is about (`vm: `), when the report has more than one to tell apart. */
const who = (p: Record<string, string | number>) => (p.client !== undefined ? `${p.client}: ` : '');
/** "(from the lab's probe at 127.0.0.1:40000: 3 datagrams, 1 empty, the largest 65,507 bytes)". */
function probeFacts(lang: Lang, p: Record<string, string | number>): string {
  const n = count(lang, Number(p.probes), 'datagram');
  const largest = count(lang, Number(p.largest), 'byte');
  return lang === 'ru'
    ? `от пробы стенда с адреса ${p.probe} (всего ${n}, пустых: ${p.empty}, самая большая — ${largest})`
    : `from the lab's probe at ${p.probe} (${n}, ${p.empty} empty, the largest ${largest})`;
}

/** The sentences of the own-chat findings (spread into own-texts.ts's OWN_FINDINGS). */
export const CHAT_FINDINGS_EN: Texts = {
  'na-members': (p) =>
    `the server received datagrams from fewer than two members (${p.seen}): nothing to relay`,
  'na-probe': () =>
    `the odd datagrams (garbage bytes, an empty one and one of ${bytes('en', MAX_UDP_IPV4)}, the largest IPv4 allows) were not sent in this run`,
  'na-remote': () => 'no datagram from a member behind a router (NAT) reached the server in this run',
  'na-incoming': (p) =>
    p.before !== undefined
      ? `${who(p)}the chat server sent this client nothing while it ran: no other member wrote after it joined (its first datagram); ${p.before} wrote only before that, when the server did not yet know this client`
      : `${who(p)}the chat server sent this client nothing while it ran: no other member wrote to it`,
  'na-incoming-untraced': (p) =>
    `${who(p)}your chat server ran without strace: its sendto calls are not in the records, so when a message left for this client does not show`,
  'na-incoming-address': (p) =>
    `${who(p)}this client's own address (its UDP port) does not show in its trace, so the server's sendto calls to it cannot be told from those to the other members`,
  'na-incoming-server': (p) =>
    `${who(p)}no chat server's log is among these logs, so what the server sent this client, and when, cannot be told`,
  'na-exit': (p) => `${who(p)}\`exit\` was not typed into this client`,
  'na-unreachable': (p) => `${who(p)}the client was not run against a server port with no socket bound to it`,
  'relay-ok': (p) =>
    `${relayOf('en', p)}the server called sendto to every other member (${count('en', Number(p.members), 'member')} in all: ${p.labels}), one sendto per recipient${relayAlone('en', p)}`,
  'relay-missing': (p) =>
    `for ${p.missing} of ${dgrams('en', p.datagrams)} the server did not call sendto to every other member: for the one from ${p.from}, no sendto to ${p.to}`,
  'not-back-ok': (p) =>
    `of the ${dgrams('en', p.datagrams)} it relayed, the server sent none back to its own sender`,
  'back-to-sender': (p) =>
    `the server sent ${p.back} of ${dgrams('en', p.datagrams)} back to their own sender (first: ${p.peer}); the course's chat sends a message to the others only (if yours does so on purpose, say so in the report)`,
  'garbage-ok': (p) =>
    `after the odd datagrams ${probeFacts('en', p)} the server still received members' datagrams; the probe's address is not a chat member, whatever the server sent there`,
  'garbage-died': (p) =>
    `the server ended (${p.code}) after the odd datagrams ${probeFacts('en', p)}: one bad datagram must not stop a UDP server`,
  'garbage-stalled': (p) =>
    `after the odd datagrams ${probeFacts('en', p)} the server received nothing more: it hangs or ignores the members`,
  'nat-ok': (p) =>
    `${p.label} (its own address ${p.own}) reached the server as ${p.router}, the router's address, and the server sent to that address: it knows the member as NAT shows it`,
  'nat-own-address': (p) =>
    `the server sent to ${p.own}, ${p.label}'s own address behind the router, which the server's network has no route to; its datagrams came from ${p.router} (the router, NAT): answer the address recvfrom gives`,
  'nat-not-answered': (p) =>
    `${p.label}'s datagrams came from ${p.router} (the router, NAT), but the server sent nothing back there, so which address it would use does not show (the relay check says why)`,
  'nat-own-unknown': (p) =>
    `n/a for ${p.label}: its own address is not known (unbound, 0.0.0.0 or port 0), so whether it came through the router ${p.router} cannot be told`,
  'nat-untranslated': (p) =>
    `${p.label} reached the server from its own address ${p.own}, not through the router ${p.router}: no NAT in this run`,
  'typing-ok': (p) =>
    `${who(p)}"${p.text}" reached the screen while the user had not pressed Enter: the line the client printed reached the lab ${p.ms} ms after the server's sendto began (the start of the call: strace stamps a call's return, which here can come after the client's read) (${MECHANISM.en[String(p.how)] ?? p.how})`,
  'typing-after-enter': (p) =>
    `${who(p)}"${p.text}" reached the screen only after the user pressed Enter (${p.waitedMs} ms after the server's sendto): the client blocks in input() and reads the socket only then (control question 4: select, threads or a non-blocking socket)`,
  'typing-never-shown': (p) => `${who(p)}"${p.text}" never reached the screen`,
  'exit-ok': (p) => `${who(p)}\`exit\` ended the client in ${p.ms} ms (exit code ${p.code})`,
  'exit-not-ended': (p) => `${who(p)}\`exit\` did not end the client within ${p.limitMs} ms (${p.how})`,
  'unreachable-ok': (p) =>
    `${who(p)}against a server port with no socket bound to it, the client printed a message and ended (exit code ${p.code})`,
  'unreachable-traceback': (p) =>
    `${who(p)}against a server port with no socket bound to it, the client ended with a Python traceback (an ICMP port unreachable came back: no socket bound to that port on that host, or a firewall rejected the datagram; a connected UDP socket reports it as ECONNREFUSED): catch the error (ConnectionRefusedError, OSError) and print a sentence`,
  'unreachable-silent': (p) =>
    `${who(p)}against a server port with no socket bound to it, the client printed nothing${p.ended === 'yes' ? '' : ' and did not end'}: the user cannot tell the server is missing`,
  'unreachable-waited': (p) =>
    `${who(p)}against a server port with no socket bound to it, the client printed nothing and waited until \`exit\` ended it (exit code 0): a UDP socket that is not connect()ed is never told of the ICMP "port unreachable" that came back`,
};

export const CHAT_FINDINGS_RU: Texts = {
  'na-members': (p) =>
    `сервер получал дейтаграммы меньше чем от двух участников (${p.seen}): пересылать нечего`,
  'na-probe': () =>
    `необычные дейтаграммы (мусорные байты, пустая и дейтаграмма в ${bytes('ru', MAX_UDP_IPV4)} — наибольшая, которую допускает IPv4) в этом запуске не отправлялись`,
  'na-remote': () =>
    'в этом запуске до сервера не дошло ни одной дейтаграммы от участника, находящегося за маршрутизатором (NAT)',
  'na-incoming': (p) =>
    p.before !== undefined
      ? `${who(p)}пока клиент работал, сервер ему ничего не присылал: после его входа в чат (его первой дейтаграммы) другие участники не писали; писали только раньше, когда сервер ещё не знал этого клиента: ${p.before}`
      : `${who(p)}пока клиент работал, сервер ему ничего не присылал: другие участники ему не писали`,
  'na-incoming-untraced': (p) =>
    `${who(p)}ваш чат-сервер работал без strace: его вызовов sendto в записях нет, поэтому не видно, когда сообщение ушло этому клиенту`,
  'na-incoming-address': (p) =>
    `${who(p)}собственный адрес этого клиента (его UDP-порт) в трассировке не виден, поэтому вызовы sendto сервера ему не отличить от отправок другим участникам`,
  'na-incoming-server': (p) =>
    `${who(p)}журнала чат-сервера среди этих журналов нет, поэтому не видно, что и когда сервер присылал этому клиенту`,
  'na-exit': (p) => `${who(p)}в этот клиент \`exit\` не вводили`,
  'na-unreachable': (p) =>
    `${who(p)}клиент не запускался с портом сервера, к которому не привязан ни один сокет`,
  'relay-ok': (p) =>
    `${relayOf('ru', p)}сервер вызвал sendto на адрес каждого из остальных участников (всего участников: ${p.members} — ${p.labels}), по одному sendto на получателя${relayAlone('ru', p)}`,
  'relay-missing': (p) =>
    `для ${p.missing} из ${dgrams('ru', p.datagrams, true)} сервер вызвал sendto не для всех остальных участников: дейтаграмму от ${p.from} он так и не отправил на ${p.to}`,
  'not-back-ok': (p) =>
    `сервер ни одной из ${dgrams('ru', p.datagrams, true)}, которые переслал, не вернул её отправителю`,
  'back-to-sender': (p) =>
    `сервер отправил ${p.back} из ${dgrams('ru', p.datagrams, true)} обратно их же отправителю (первая — от ${p.peer}); чат курса пересылает сообщение только остальным (если ваш делает так намеренно, напишите об этом в отчёте)`,
  'garbage-ok': (p) =>
    `после необычных дейтаграмм ${probeFacts('ru', p)} сервер продолжил принимать дейтаграммы участников; адрес пробы — не участник чата, что бы сервер туда ни отправлял`,
  'garbage-died': (p) =>
    `сервер завершился (${p.code}) после необычных дейтаграмм ${probeFacts('ru', p)}: одна плохая дейтаграмма не должна останавливать UDP-сервер`,
  'garbage-stalled': (p) =>
    `после необычных дейтаграмм ${probeFacts('ru', p)} сервер больше ничего не принял: он завис или не слушает участников`,
  'nat-ok': (p) =>
    `дейтаграммы участника ${p.label} (собственный адрес ${p.own}) приходили к серверу с адреса ${p.router} (это адрес маршрутизатора), и сервер отправлял именно туда: он знает участника таким, каким его показывает NAT`,
  'nat-own-address': (p) =>
    `сервер отправлял на ${p.own} — собственный адрес участника ${p.label} за маршрутизатором, маршрута к которому из сети сервера нет; дейтаграммы же приходили с ${p.router} (маршрутизатор, NAT): отвечать нужно на адрес, который вернул recvfrom`,
  'nat-not-answered': (p) =>
    `дейтаграммы участника ${p.label} приходили с ${p.router} (маршрутизатор, NAT), но сервер ничего туда не отправил, поэтому не видно, какой адрес он использовал бы (почему — покажет проверка пересылки)`,
  'nat-own-unknown': (p) =>
    `не применимо к участнику ${p.label}: его собственный адрес неизвестен (сокет не привязан, 0.0.0.0 или порт 0), поэтому нельзя сказать, пришёл ли он через маршрутизатор ${p.router}`,
  'nat-untranslated': (p) =>
    `дейтаграммы участника ${p.label} приходили к серверу с его собственного адреса ${p.own}, а не через маршрутизатор ${p.router}: в этом запуске NAT не было`,
  'typing-ok': (p) =>
    `${who(p)}сообщение «${p.text}» появилось на экране, пока пользователь не нажимал Enter: строка, которую напечатал клиент, дошла до программы стенда, читающей его вывод, через ${p.ms} мс после начала вызова sendto на сервере (отсчёт от начала вызова: strace ставит отметку при возврате вызова, а он здесь может наступить позже чтения у клиента) (${MECHANISM.ru[String(p.how)] ?? p.how})`,
  'typing-after-enter': (p) =>
    `${who(p)}сообщение «${p.text}» появилось на экране только после того, как пользователь нажал Enter (через ${p.waitedMs} мс после вызова sendto на сервере): клиент ждёт в input() и читает сокет только потом (контрольный вопрос 4: select, потоки или неблокирующий сокет)`,
  'typing-never-shown': (p) => `${who(p)}сообщение «${p.text}» так и не появилось на экране`,
  'exit-ok': (p) => `${who(p)}\`exit\` завершил клиент за ${p.ms} мс (код выхода ${p.code})`,
  'exit-not-ended': (p) => `${who(p)}\`exit\` не завершил клиент за ${p.limitMs} мс (${p.how})`,
  'unreachable-ok': (p) =>
    `${who(p)}с портом сервера, к которому не привязан ни один сокет, клиент вывел сообщение и завершился (код выхода ${p.code})`,
  'unreachable-traceback': (p) =>
    `${who(p)}с портом сервера, к которому не привязан ни один сокет, клиент завершился с трассировкой стека Python (traceback; пришло ICMP-сообщение «порт недоступен»: на этом узле к порту не привязан ни один сокет или дейтаграмму отклонил межсетевой экран; подключённый UDP-сокет сообщает о нём ошибкой ECONNREFUSED): перехватите ошибку (ConnectionRefusedError, OSError) и выведите понятную фразу`,
  'unreachable-silent': (p) =>
    `${who(p)}с портом сервера, к которому не привязан ни один сокет, клиент ничего не вывел${p.ended === 'yes' ? '' : ' и не завершился'}: пользователь не узнает, что сервера нет`,
  'unreachable-waited': (p) =>
    `${who(p)}с портом сервера, к которому не привязан ни один сокет, клиент ничего не вывел и ждал, пока его не завершил \`exit\` (код выхода 0): UDP-сокет без connect() не узнаёт о пришедшем ICMP-сообщении «порт недоступен»`,
};

const MECHANISM: Record<Lang, Record<string, string>> = {
  en: {
    'select/poll': 'select/poll',
    threads: 'a thread of its own receives',
    'non-blocking': 'a non-blocking socket',
    unknown: 'how is not visible in the trace',
  },
  ru: {
    'select/poll': 'select/poll',
    threads: 'приём идёт в отдельном потоке',
    'non-blocking': 'неблокирующий сокет',
    unknown: 'как именно, по трассировке не видно',
  },
};

/** The sentence of `finding` in `lang`; params come from the trace and are plain values. */
export function chatFindingText(finding: ChatFinding, lang: Lang): string {
  return (lang === 'ru' ? CHAT_FINDINGS_RU : CHAT_FINDINGS_EN)[finding.code](finding.params);
}
