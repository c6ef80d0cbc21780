/**
 * Checks on a student's own programs: pure functions over the parsed log records of a run (the
 * runner's own.* events and our clients' events). One check per role, each with findings that
 * carry their evidence lines; a finding states one requirement of the assignment.
 */
import type { LogRecord } from './parse.js';
import {
  type ChatFindingCode,
  OWN_CHAT_CHECK_IDS,
  type OwnChatCheckId,
  ownChatChecks,
} from './own-checks-chat.js';
import { echoContent } from './own-echo-content.js';
import { type CallKind, type SourceRef, locateCall, tracebackLine } from './own-source.js';

export type OwnCheckId = 'own-echo-server' | 'own-echo-client' | OwnChatCheckId;
export const OWN_CHECK_IDS: readonly OwnCheckId[] = [
  'own-echo-server',
  'own-echo-client',
  ...OWN_CHAT_CHECK_IDS,
];

/**
 * What these checks read of a client's session: aggregate.ts's EchoSession has it. Declared here,
 * not imported, so that aggregate.ts can place an own server's calls with this file's matching.
 */
export interface ClientSession {
  scenario: string;
  connected: LogRecord | undefined;
  disconnected: LogRecord | undefined;
  error: LogRecord | undefined;
  local: string | undefined;
  records: LogRecord[];
  /** Our server's side of the connection, when it was ours. */
  server: unknown;
  program: { label: string };
}
type EchoSession = ClientSession;

/** The largest read the assignment allows: "receives the string in 1 KB portions". */
export const OWN_READ_LIMIT = 1024;

export type OwnFindingCode =
  | 'na-own'
  | 'own-failed'
  | 'own-untraced'
  | 'own-read-ok'
  | 'own-read-big'
  | 'own-read-unseen'
  | 'own-bytes-ok'
  | 'own-bytes-diff'
  | 'own-served-ok'
  | 'own-served-missing'
  | 'own-bind-loopback'
  | 'own-close-ok'
  | 'own-close-missing'
  | 'own-concurrent'
  | 'own-one-at-a-time'
  | 'own-one-at-a-time-waited'
  | 'own-client-echo-server-busy'
  | 'own-reset-ok'
  | 'own-reset-died'
  | 'own-client-connected'
  | 'own-client-not-connected'
  | 'own-client-sent'
  | 'own-client-sent-diff'
  | 'own-client-echo'
  | 'own-client-echo-missing'
  | 'own-client-exit'
  | 'own-client-exit-ignored'
  | 'own-client-refused-ok'
  | 'own-client-refused-zero'
  | 'own-client-traceback'
  | 'own-part-na'
  | 'own-pair-ok'
  | 'own-pair-diff'
  | 'own-content-ok'
  | 'own-content-diff'
  | 'own-untested'
  | 'own-stop-exited'
  | 'own-stop-handled'
  | 'own-stop-killed'
  | 'own-stop-missing'
  | 'chat-direction-untested'
  | ChatFindingCode;

/**
 * A finding and a result of the own-program checks. Shaped like check.ts's Finding and CheckResult
 * (which take these as they are) and declared here, so that check.ts composes this file without
 * this file importing it back.
 */
export interface OwnFinding {
  ok: boolean;
  /** This part has no evidence in the run (no client connected, `exit` never typed, no reset): n/a, never a pass. */
  na?: boolean;
  code: OwnFindingCode;
  params: Record<string, string | number>;
  evidence: LogRecord[];
  /** The line of the student's code that made the call a failure is about, as far as it can be found. */
  where?: SourceRef;
}
export interface OwnCheckResult {
  id: OwnCheckId;
  status: 'pass' | 'fail' | 'n/a';
  findings: OwnFinding[];
}

/** One run of an own program: its records from own.program.started to own.program.exited. */
export interface OwnRun {
  role: string;
  scenario: string | undefined;
  source: string;
  started: LogRecord;
  exited: LogRecord | undefined;
  calls: LogRecord[];
  summaries: LogRecord[];
  output: LogRecord[];
  input: LogRecord[];
  failed: LogRecord[];
  sources: LogRecord | undefined;
  traced: boolean;
}

/** The calls that read from and write to a socket, as strace names them. */
export const READS = new Set(['read', 'readv', 'recv', 'recvfrom', 'recvmsg', 'recvmmsg']);
export const WRITES = new Set(['write', 'writev', 'send', 'sendto', 'sendmsg']);

/** A number or string field of a record that may be missing (own.* records). */
export const num = (r: LogRecord | undefined, k: string): number | undefined => {
  const v = r?.fields[k];
  return typeof v === 'number' ? v : undefined;
};
export const str = (r: LogRecord | undefined, k: string): string | undefined => {
  const v = r?.fields[k];
  return typeof v === 'string' ? v : undefined;
};

/** Splits the records into own-program runs, in order (several per source when it ran again). */
export function ownRuns(records: readonly LogRecord[]): OwnRun[] {
  const open = new Map<string, OwnRun>();
  const runs: OwnRun[] = [];
  for (const r of records) {
    if (!r.event.startsWith('own.')) continue;
    const key = `${r.source}\u0000${str(r, 'role') ?? ''}`;
    if (r.event === 'own.program.started') {
      const run: OwnRun = {
        role: str(r, 'role') ?? '?',
        scenario: r.scenario,
        source: r.source,
        started: r,
        exited: undefined,
        calls: [],
        summaries: [],
        output: [],
        input: [],
        failed: [],
        sources: undefined,
        traced: r.fields.traced === true,
      };
      open.set(key, run);
      runs.push(run);
      continue;
    }
    const run = open.get(key);
    if (!run) continue;
    if (r.event === 'own.call') run.calls.push(r);
    else if (r.event === 'own.call.summary') run.summaries.push(r);
    else if (r.event === 'own.output') run.output.push(r);
    else if (r.event === 'own.input') run.input.push(r);
    else if (r.event === 'own.program.failed') run.failed.push(r);
    else if (r.event === 'own.sources') run.sources = r;
    else if (r.event === 'own.program.exited') {
      run.exited = r;
      open.delete(key);
    }
  }
  return runs;
}

function result(id: OwnCheckId, findings: OwnFinding[]): OwnCheckResult {
  // A check whose every part had nothing to judge is n/a as a whole, not a green pass.
  const judged = findings.filter((f) => !f.na && f.code !== 'own-untraced');
  if (judged.length === 0) return { id, status: 'n/a', findings };
  return { id, status: findings.every((f) => f.ok) ? 'pass' : 'fail', findings };
}
/** A part of a check that has no evidence in this run: n/a with the reason (own-part-na's texts). */
function partNa(part: OwnPart, reason: OwnPartNaReason, params: OwnFinding['params'] = {}): OwnFinding {
  return { ok: true, na: true, code: 'own-part-na', params: { ...params, part, reason }, evidence: [] };
}
export type OwnPart =
  'reads' | 'bytes' | 'content' | 'close' | 'reset' | 'sent' | 'echo' | 'exit' | 'refused';
export type OwnPartNaReason =
  | 'no-client'
  | 'no-reads'
  | 'no-eof'
  | 'no-reset'
  | 'no-lines'
  | 'no-exit'
  | 'nothing-sent'
  | 'server-busy'
  | 'summarised'
  | 'client-gone'
  | 'not-run';
function finding(
  ok: boolean,
  code: OwnFindingCode,
  params: OwnFinding['params'],
  evidence: LogRecord[],
): OwnFinding {
  return { ok, code, params, evidence };
}
/** The finding with the line of the student's code that makes the call it is about, when one is found. */
function at(f: OwnFinding, ref: SourceRef | undefined): OwnFinding {
  return ref ? { ...f, where: ref } : f;
}
function placed(
  ok: boolean,
  code: OwnFindingCode,
  params: OwnFinding['params'],
  evidence: LogRecord[],
  runs: readonly OwnRun[],
  kind: CallKind,
  value?: string,
): OwnFinding {
  const f = finding(ok, code, params, evidence);
  return ok ? f : at(f, locateCall(runs, kind, value));
}
function na(id: OwnCheckId, role: string): OwnCheckResult {
  return { id, status: 'n/a', findings: [finding(true, 'na-own', { role }, [])] };
}

/** Findings every run gets: the runner's own one-line failures, and "untraced". */
function runFindings(run: OwnRun): OwnFinding[] {
  const out: OwnFinding[] = [];
  for (const f of run.failed) {
    // A client that ended after the lab's SIGTERM is judged by the exit finding, not here.
    out.push(finding(false, 'own-failed', { role: run.role, reason: str(f, 'reason') ?? '?' }, [f]));
  }
  if (!run.traced) out.push(finding(true, 'own-untraced', { role: run.role }, [run.started]));
  return out;
}

/** When a call returned (the runner's `at`, from strace's resumed line), else when its line was logged. */
const returnedAt = (c: LogRecord): number => num(c, 'at') ?? c.time;

/** The checks on own programs present in the records; `echo` is our clients' sessions (their counts). */
export function ownChecks(
  records: readonly LogRecord[],
  echo: readonly EchoSession[],
  ownEcho: readonly ClientSession[] = [],
): OwnCheckResult[] {
  const runs = ownRuns(records);
  const waits = clientWaits(runs);
  const pairs = ownPairFindings(records, echo, ownEcho, runs);
  // The server read all the client wrote and wrote it all back, the client read less: the
  // client's finding (it stopped reading), not the server's.
  const clientShort = (f: OwnFinding) =>
    f.code === 'own-pair-diff' &&
    f.params.clientSent === f.params.serverRead &&
    f.params.serverRead === f.params.serverSent;
  return [
    echoServerCheck(
      runs,
      echo,
      waits,
      pairs.filter((f) => !clientShort(f)),
    ),
    echoClientCheck(runs, waits, pairs.filter(clientShort)),
    ...ownChatChecks(records),
  ].map(untestedFirst);
}

/**
 * A check that passed with parts this run did not test: its findings begin with one that names
 * those parts and how to test each (own-untested), then the untested parts, then what passed, so
 * that the row's ✅ is never read as "all of it was tested".
 */
function untestedFirst<
  R extends { status: string; findings: Array<{ na?: boolean; code: string; params: OwnFinding['params'] }> },
>(r: R): R {
  if (r.status !== 'pass') return r;
  const untested = r.findings.filter((f) => f.na);
  if (untested.length === 0) return r;
  const keyOf = (f: { code: string; params: OwnFinding['params'] }) =>
    f.code === 'own-part-na' ? String(f.params.part) : f.code;
  // A part another client (or connection) of the same check did test is not "untested in this
  // run": its ➖ lines name the clients that lack it.
  const tested = new Set(
    r.findings
      .filter((f) => !f.na)
      .flatMap((f) => Object.keys(TESTED_BY).filter((k) => TESTED_BY[k]?.(f.code))),
  );
  const keys = [...new Set(untested.map(keyOf))];
  const head = {
    ok: true,
    na: true,
    code: 'own-untested' as const,
    params: {
      parts: keys.filter((k) => !tested.has(partFamily(k))).join(','),
      some: keys.filter((k) => tested.has(partFamily(k))).join(','),
    },
    evidence: [],
  };
  return { ...r, findings: [head, ...untested, ...r.findings.filter((f) => !f.na)] };
}

/** The part an untested key stands for: the chat client's n/a reasons share one per part. */
const partFamily = (key: string): string => (key.startsWith('na-incoming') ? 'na-incoming' : key);

/**
 * Which findings test a part (by the part's untested key): a part one client lacks is tested when
 * another client's finding of these codes, passed or failed, is in the same check.
 */
const TESTED_BY: Record<string, (code: string) => boolean> = {
  exit: (c) => c === 'own-client-exit' || c === 'own-client-exit-ignored',
  sent: (c) => c.startsWith('own-client-sent'),
  echo: (c) => c === 'own-client-echo' || c === 'own-client-echo-missing',
  'na-exit': (c) => c === 'exit-ok' || c === 'exit-not-ended',
  'na-incoming': (c) => c.startsWith('typing-'),
  'na-unreachable': (c) => c.startsWith('unreachable-'),
};

/** Bytes moved by the calls of `set` that returned data (a failed or interrupted call moved none). */
const moved = (calls: readonly LogRecord[], set: ReadonlySet<string>): number =>
  calls
    .filter((c) => set.has(str(c, 'call') ?? '') && (num(c, 'bytes') ?? 0) > 0)
    .reduce((a, c) => a + (num(c, 'bytes') ?? 0), 0);

/**
 * Both echo programs the student's own: each own client's connection beside the own server's side
 * of it (matched by ownServerViews: the client's own address, else through NAT by time), with the
 * four byte counts of the two traces: what the client wrote, what the server read, what the server
 * wrote back, what the client read. The echo is exact when all four are equal. A connection whose
 * calls were partly counted in a summary line (too many calls in a second) is not judged.
 */
export function ownPairFindings(
  records: readonly LogRecord[],
  echo: readonly ClientSession[],
  ownEcho: readonly ClientSession[],
  runs: readonly OwnRun[] = ownRuns(records),
): OwnFinding[] {
  const mine = ownEcho.filter((s) => !s.server && s.connected);
  if (mine.length === 0) return [];
  // One matching for every client, ours and the student's, as aggregate.ts makes it.
  const server = ownServerCalls(records, [...echo.filter((s) => !s.server), ...mine]);
  const summarised = (role: string) => runs.some((r) => r.role === role && r.summaries.length > 0);
  const out: OwnFinding[] = [];
  for (const s of mine) {
    const calls = server.get(s);
    if (!calls) continue;
    const what = `${s.scenario} (${s.local ?? '?'})`;
    if (summarised('echo-server') || summarised('echo-client')) {
      out.push(partNa('bytes', 'summarised', { what }));
      continue;
    }
    const clientSent = moved(s.records, WRITES);
    const serverRead = moved(calls, READS);
    const serverSent = moved(calls, WRITES);
    const clientRead = moved(s.records, READS);
    if (clientSent === 0) {
      out.push(partNa('bytes', 'nothing-sent', { what }));
      continue;
    }
    // The server wrote the echo back only after the client had ended (a busy server, and the client
    // stopped first): nothing the client could read, and not the echo's fault (the wait is judged
    // by the concurrency finding).
    const clientRun = runs.find(
      (r) =>
        r.role === 'echo-client' &&
        r.source === s.connected?.source &&
        r.started.time <= (s.connected?.time ?? 0),
    );
    const lastWrite = calls.filter((c) => WRITES.has(str(c, 'call') ?? '')).at(-1);
    if (
      clientRead < serverSent &&
      clientRun?.exited !== undefined &&
      lastWrite !== undefined &&
      returnedAt(lastWrite) >= clientRun.exited.time
    ) {
      out.push(partNa('bytes', 'client-gone', { what }));
      continue;
    }
    const ok = clientSent === serverRead && serverRead === serverSent && serverSent === clientRead;
    const firstOf = (list: readonly LogRecord[], set: ReadonlySet<string>, last = false) => {
      const hits = list.filter((c) => set.has(str(c, 'call') ?? '') && (num(c, 'bytes') ?? 0) > 0);
      return last ? hits.at(-1) : hits[0];
    };
    const evidence = [
      firstOf(s.records, WRITES),
      calls[0],
      firstOf(calls, READS),
      firstOf(calls, WRITES, true),
      firstOf(s.records, READS, true),
    ].filter((r): r is LogRecord => r !== undefined);
    const f = finding(
      ok,
      ok ? 'own-pair-ok' : 'own-pair-diff',
      {
        what,
        seen: str(calls[0], 'peer') ?? '?',
        clientSent,
        serverRead,
        serverSent,
        clientRead,
        reads: calls.filter((c) => READS.has(str(c, 'call') ?? '') && (num(c, 'bytes') ?? 0) > 0).length,
      },
      evidence,
    );
    // Bytes the server read but did not write back: its write; else the client's.
    out.push(
      ok
        ? f
        : at(
            f,
            serverRead !== serverSent
              ? locateCall(
                  runs.filter((r) => r.role === 'echo-server'),
                  'write',
                )
              : locateCall(
                  runs.filter((r) => r.role === 'echo-client'),
                  clientSent !== serverRead ? 'write' : 'read',
                ),
          ),
    );
  }
  return out;
}

/**
 * An own client that sent a line and waited for its echo while the own server, busy with another
 * connection, took no connection at all (no accept() returned): the server's one-at-a-time design, seen in both traces.
 */
export interface ClientWait {
  client: OwnRun;
  scenario: string;
  /** The client's connect(), and its write whose echo never came. */
  connect: LogRecord;
  write: LogRecord;
  /** When the client stopped waiting (its interrupted read, or its end), and that record. */
  until: number;
  end: LogRecord | undefined;
  /** The server's connection that was open all that time, accepted before the client connected. */
  busy: { accepted: LogRecord; closed: LogRecord | undefined; peer: string };
}

/** When a call started (strace -T's startedAt), else when it returned. */
const startedAt = (c: LogRecord): number => num(c, 'startedAt') ?? returnedAt(c);

function clientWaits(runs: readonly OwnRun[]): ClientWait[] {
  const servers = runs.filter((r) => r.role === 'echo-server' && r.traced);
  if (servers.length === 0) return [];
  const serverConns = servers.flatMap((r) => connections(r.calls));
  const serverAccepts = servers.flatMap((r) =>
    r.calls.filter((c) => (str(c, 'call') ?? '').startsWith('accept') && (num(c, 'result') ?? -1) >= 0),
  );
  const out: ClientWait[] = [];
  for (const run of runs) {
    if (run.role !== 'echo-client' || !run.traced) continue;
    const connect = run.calls.find(
      (c) => str(c, 'call') === 'connect' && str(c, 'type') !== 'udp' && num(c, 'result') === 0,
    );
    if (!connect) continue;
    const onConn = run.calls.filter((c) => num(c, 'fd') === num(connect, 'fd') && c !== connect);
    // The first write after the last read that brought data: the line whose echo was awaited.
    const lastData = onConn.reduce(
      (i, c, k) => (READS.has(str(c, 'call') ?? '') && (num(c, 'bytes') ?? 0) > 0 ? k : i),
      -1,
    );
    const write = onConn.find(
      (c, k) => k > lastData && WRITES.has(str(c, 'call') ?? '') && (num(c, 'bytes') ?? 0) > 0,
    );
    if (!write) continue;
    const after = onConn.slice(onConn.indexOf(write) + 1);
    const end = after.find((c) => READS.has(str(c, 'call') ?? '')) ?? run.exited;
    const until = end ? returnedAt(end) : (run.calls.at(-1)?.time ?? write.time);
    const local = str(write, 'local');
    const from = startedAt(connect);
    // The server took no connection at all while the client waited...
    if (serverAccepts.some((a) => returnedAt(a) >= from && returnedAt(a) < until)) continue;
    // ...because one it had taken before was open all along.
    const busy = serverConns.find(
      (c) =>
        c.peer !== local &&
        returnedAt(c.accepted) < from &&
        (c.closed === undefined || returnedAt(c.closed) >= until),
    );
    if (!busy) continue;
    out.push({
      client: run,
      scenario: run.scenario ?? '-',
      connect,
      write,
      until,
      end,
      busy: { accepted: busy.accepted, closed: busy.closed, peer: busy.peer },
    });
  }
  return out;
}

/** Seconds with one decimal, for a sentence. */
const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(1);

/**
 * Echo server: reads ask for at most 1 KB; our clients got every byte back; it served each
 * scenario's clients (a loopback bind explains the ones it could not); a connection the client
 * closed is closed; concurrency is noted either way; a reset does not end it.
 */
function echoServerCheck(
  allRuns: OwnRun[],
  echo: readonly EchoSession[],
  waits: readonly ClientWait[],
  pairs: readonly OwnFinding[] = [],
): OwnCheckResult {
  const runs = allRuns.filter((r) => r.role === 'echo-server');
  if (runs.length === 0) return na('own-echo-server', 'echo-server');
  const findings: OwnFinding[] = [];
  for (const run of runs) findings.push(...runFindings(run));
  const calls = runs.flatMap((r) => r.calls);
  const traced = runs.some((r) => r.traced);

  if (traced) {
    // 1 KB reads, on TCP connections (accepted sockets): every read, including the summarised ones.
    // splice/sendfile from a socket (`way`) read from it too.
    const reads = calls.filter(
      (c) => (READS.has(str(c, 'call') ?? '') || str(c, 'way') === 'read') && str(c, 'type') !== 'udp',
    );
    const big = reads.filter((c) => (num(c, 'size') ?? 0) > OWN_READ_LIMIT);
    const summarisedMax = Math.max(
      0,
      ...runs.flatMap((r) => r.summaries.map((s) => num(s, 'maxReadSize') ?? 0)),
    );
    if (big.length > 0) {
      const first = big[0];
      findings.push(
        placed(
          false,
          'own-read-big',
          {
            call: str(first, 'call') ?? '?',
            size: num(first, 'size') ?? 0,
            count: big.length,
            limit: OWN_READ_LIMIT,
          },
          big.slice(0, 3),
          runs,
          'read',
          String(num(first, 'size') ?? ''),
        ),
      );
    } else if (summarisedMax > OWN_READ_LIMIT) {
      const s = runs.flatMap((r) => r.summaries).find((x) => (num(x, 'maxReadSize') ?? 0) > OWN_READ_LIMIT);
      findings.push(
        placed(
          false,
          'own-read-big',
          { call: 'read', size: summarisedMax, count: 1, limit: OWN_READ_LIMIT },
          s ? [s] : [],
          runs,
          'read',
          String(summarisedMax),
        ),
      );
    } else if (reads.length > 0) {
      const max = Math.max(...reads.map((c) => num(c, 'size') ?? 0), summarisedMax);
      findings.push(
        finding(true, 'own-read-ok', { reads: reads.length, max, limit: OWN_READ_LIMIT }, reads.slice(0, 1)),
      );
    } else {
      // Our clients got bytes back that no traced read brought in: not "n/a" but a trace with a hole.
      const back = echo.find((s) => !s.server && (num(s.disconnected, 'bytesReceived') ?? 0) > 0);
      if (back?.disconnected)
        findings.push(
          finding(
            false,
            'own-read-unseen',
            {
              what: `${back.program.label} (${back.scenario})`,
              received: num(back.disconnected, 'bytesReceived') ?? 0,
            },
            [back.disconnected],
          ),
        );
      else findings.push(partNa('reads', 'no-reads'));
    }
  }

  // Bound to loopback: the classic mistake, explained from its own bind().
  const binds = calls.filter((c) => str(c, 'call') === 'bind' && num(c, 'result') === 0);
  const loopBind = binds.find((c) => /^(127\.|\[::1\])/.test(str(c, 'local') ?? ''));
  if (loopBind) {
    const local = str(loopBind, 'local') ?? '?';
    const ip = local.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    findings.push(placed(false, 'own-bind-loopback', { local }, [loopBind], runs, 'bind', ip));
  }

  // Our clients: each scenario served, each line back whole and in order (their own counts).
  // Sessions of our clients that tried (connected or failed): not matched with our own server.
  const sessions = echo.filter((s) => !s.server && (s.connected || s.error));
  const byScenario = new Map<string, EchoSession[]>();
  for (const s of sessions) byScenario.set(s.scenario, [...(byScenario.get(s.scenario) ?? []), s]);
  for (const [scenario, list] of byScenario) {
    const missing = list.filter((s) => !s.connected);
    if (missing.length > 0) {
      // With a loopback bind the failures of other scenarios are that one mistake, said once above.
      if (!(loopBind && scenario !== 'local')) {
        const s = missing[0];
        findings.push(
          finding(
            false,
            'own-served-missing',
            { scenario, code: str(s?.error, 'code') ?? '?' },
            s?.error ? [s.error] : (s?.records.slice(0, 1) ?? []),
          ),
        );
      }
      continue;
    }
    findings.push(
      finding(
        true,
        'own-served-ok',
        { scenario, clients: list.length },
        list.flatMap((s) => (s.connected ? [s.connected] : [])).slice(0, 3),
      ),
    );
    for (const s of list) {
      if (!s.disconnected) continue;
      const sent = num(s.disconnected, 'bytesSent') ?? -1;
      const received = num(s.disconnected, 'bytesReceived') ?? -1;
      if (sent === 0 && received === 0) {
        // Nothing sent: "every byte came back" would be true of nothing.
        findings.push(partNa('bytes', 'nothing-sent', { what: `${s.program.label} (${scenario})` }));
        continue;
      }
      findings.push(
        placed(
          sent === received,
          sent === received ? 'own-bytes-ok' : 'own-bytes-diff',
          { what: `${s.program.label} (${scenario})`, sent, received },
          [s.disconnected],
          runs,
          'write',
        ),
      );
    }
  }

  // The student's own clients: both traces, byte for byte (ownPairFindings).
  findings.push(...pairs);
  if (!sessions.some((s) => s.connected) && pairs.length === 0) findings.push(partNa('bytes', 'no-client'));
  if (traced) {
    findings.push(...contentFindings(runs));
    const close = closeFindings(calls).map((f) => (f.ok ? f : at(f, locateCall(runs, 'read'))));
    const reset = resetFindings(runs).map((f) => (f.ok ? f : at(f, locateCall(runs, 'read'))));
    findings.push(
      ...(close.length > 0 ? close : [partNa('close', 'no-eof')]),
      ...concurrencyFindings(calls, waits, runs),
      ...(reset.length > 0 ? reset : [partNa('reset', 'no-reset')]),
    );
  }
  return result('own-echo-server', findings);
}

/** Connections whose differing echo gets a finding of its own; the rest are counted in each. */
const MAX_CONTENT_FINDINGS = 5;

/**
 * The echo's content, from the server's own trace (own-echo-content.ts): what it wrote back on
 * each connection is what it read there, wherever the trace shows both. Nothing compared: no
 * finding (nothing is guessed). Calls counted in a summary line leave the offsets unknown: n/a.
 */
function contentFindings(runs: readonly OwnRun[]): OwnFinding[] {
  const traced = runs.filter((r) => r.traced);
  if (traced.some((r) => r.summaries.length > 0)) return [partNa('content', 'summarised')];
  const c = echoContent(traced.flatMap((r) => r.calls));
  if (c.diffs.length > 0) {
    const where = locateCall(traced, 'write');
    return c.diffs.slice(0, MAX_CONTENT_FINDINGS).map((d) =>
      at(
        finding(
          false,
          'own-content-diff',
          {
            peer: d.peer,
            fd: d.fd,
            offset: d.offset,
            from: d.from,
            read: d.read,
            written: d.written,
            diffs: c.diffs.length,
          },
          [d.readCall, d.writeCall],
        ),
        where,
      ),
    );
  }
  if (c.conns === 0 || !c.first) return [];
  const short: Record<string, number> = c.short
    ? { shortCalls: c.short.calls, shortMin: c.short.min, shortMax: c.short.max }
    : {};
  return [finding(true, 'own-content-ok', { conns: c.conns, compared: c.compared, ...short }, [...c.first])];
}

interface Conn {
  fd: number;
  pid: number;
  peer: string;
  accepted: LogRecord;
  eof?: LogRecord;
  closed?: LogRecord;
  reset?: LogRecord;
}

/** The accepted connections, from accept to close, per process (threads share fds; one pid per fd table is enough here). */
function connections(calls: readonly LogRecord[]): Conn[] {
  const open = new Map<number, Conn>();
  const all: Conn[] = [];
  for (const c of calls) {
    const call = str(c, 'call') ?? '';
    const fd = num(c, 'fd');
    if ((call === 'accept' || call === 'accept4') && (num(c, 'result') ?? -1) >= 0) {
      const newFd = num(c, 'newFd') ?? num(c, 'result') ?? -1;
      const conn: Conn = { fd: newFd, pid: num(c, 'ownPid') ?? 0, peer: str(c, 'peer') ?? '?', accepted: c };
      open.set(newFd, conn);
      all.push(conn);
      continue;
    }
    if (fd === undefined) continue;
    const conn = open.get(fd);
    if (!conn) continue;
    if (READS.has(call) && num(c, 'result') === 0 && !conn.eof) conn.eof = c;
    if (str(c, 'errno') === 'ECONNRESET' && !conn.reset) conn.reset = c;
    if (call === 'close') {
      conn.closed = c;
      open.delete(fd);
    }
  }
  return all;
}

/** A connection whose client closed (read returned 0) is closed by the server too. */
function closeFindings(calls: readonly LogRecord[]): OwnFinding[] {
  const conns = connections(calls).filter((c) => c.eof);
  if (conns.length === 0) return [];
  const leaked = conns.filter((c) => !c.closed);
  if (leaked.length > 0) {
    const c = leaked[0]!;
    return [
      finding(
        false,
        'own-close-missing',
        { fd: c.fd, peer: c.peer },
        c.eof ? [c.accepted, c.eof] : [c.accepted],
      ),
    ];
  }
  const c = conns[0]!;
  return [finding(true, 'own-close-ok', { conns: conns.length }, c.eof && c.closed ? [c.eof, c.closed] : [])];
}

/**
 * A second client served while the first is open, or "one at a time": a note for control question
 * 4, not a failure, unless a client really waited for its echo because of it (then the failure,
 * with the evidence of both traces).
 */
function concurrencyFindings(
  calls: readonly LogRecord[],
  waits: readonly ClientWait[],
  runs: readonly OwnRun[],
): OwnFinding[] {
  const conns = connections(calls);
  const w = waits[0];
  if (w) {
    return [
      at(
        finding(
          false,
          'own-one-at-a-time-waited',
          {
            scenario: w.scenario,
            client: str(w.write, 'local') ?? '?',
            waited: seconds(w.until - returnedAt(w.write)),
            busy: w.busy.peer,
            clients: waits.length,
          },
          [
            w.busy.accepted,
            w.connect,
            w.write,
            ...(w.end ? [w.end] : []),
            ...(w.busy.closed ? [w.busy.closed] : []),
          ],
        ),
        locateCall(runs, 'accept'),
      ),
    ];
  }
  if (conns.length < 2) return [];
  const order = new Map(calls.map((c, i) => [c, i]));
  let max = 0;
  let evidence: LogRecord[] = [];
  for (const c of conns) {
    const at = order.get(c.accepted) ?? 0;
    const openNow = conns.filter(
      (o) =>
        (order.get(o.accepted) ?? 0) <= at && (o.closed === undefined || (order.get(o.closed) ?? 0) > at),
    );
    if (openNow.length > max) {
      max = openNow.length;
      evidence = openNow.map((o) => o.accepted).slice(0, 3);
    }
  }
  if (max >= 2) return [finding(true, 'own-concurrent', { max }, evidence)];
  return [
    finding(
      true,
      'own-one-at-a-time',
      { conns: conns.length },
      conns.slice(0, 2).map((c) => c.accepted),
    ),
  ];
}

/** A client's reset (ECONNRESET on a read or write) does not end the server. */
function resetFindings(runs: readonly OwnRun[]): OwnFinding[] {
  const out: OwnFinding[] = [];
  for (const run of runs) {
    const reset = connections(run.calls).find((c) => c.reset)?.reset;
    if (!reset) continue;
    const ended =
      run.exited &&
      str(run.exited, 'reason') !== 'stopped' &&
      str(run.exited, 'reason') !== 'killed-after-grace';
    const after = run.calls.filter(
      (c) =>
        (run.calls.indexOf(c) > run.calls.indexOf(reset) && str(c, 'call')?.startsWith('accept')) ?? false,
    );
    if (ended && after.length === 0) {
      out.push(
        finding(
          false,
          'own-reset-died',
          { errno: str(reset, 'errno') ?? '?' },
          run.exited ? [reset, run.exited] : [reset],
        ),
      );
    } else out.push(finding(true, 'own-reset-ok', { peer: str(reset, 'peer') ?? '?' }, [reset]));
  }
  return out;
}

/**
 * Echo client: connected; each typed line sent whole; the echo read back and printed; `exit` ends
 * it with a close; a refused connection gives a message and a non-zero exit, not a traceback.
 */
function echoClientCheck(
  allRuns: OwnRun[],
  waits: readonly ClientWait[],
  pairs: readonly OwnFinding[] = [],
): OwnCheckResult {
  const runs = allRuns.filter((r) => r.role === 'echo-client');
  if (runs.length === 0) return na('own-echo-client', 'echo-client');
  const findings: OwnFinding[] = [...pairs];
  for (const run of runs) {
    findings.push(
      ...runFindings(run).filter((f) => (f.params.reason ?? '') !== 'killed-after-grace' || !hasExit(run)),
    );
    findings.push(
      ...clientRunFindings(
        run,
        waits.find((w) => w.client === run),
      ),
    );
  }
  // The lab's runs never point a client at a port where nothing listens (its `mistake` profile
  // runs the lab's client): say that this part was not tested rather than pass it.
  const refusal = ['own-client-refused-ok', 'own-client-refused-zero', 'own-client-traceback'];
  if (!findings.some((f) => refusal.includes(f.code))) findings.push(partNa('refused', 'not-run'));
  return result('own-echo-client', findings);
}

function hasExit(run: OwnRun): boolean {
  return run.input.some((r) => (str(r, 'text') ?? '').trim() === 'exit');
}

function clientRunFindings(run: OwnRun, wait: ClientWait | undefined): OwnFinding[] {
  const out: OwnFinding[] = [];
  const scenario = run.scenario ?? '-';
  const stderr = run.output.filter((r) => str(r, 'stream') === 'stderr').map((r) => str(r, 'text') ?? '');
  const traceback = stderr.some((t) => t.startsWith('Traceback (most recent call last)'));
  const code = num(run.exited, 'code');
  const connects = run.calls.filter((c) => str(c, 'call') === 'connect' && str(c, 'type') !== 'udp');
  const refused = connects.find((c) => str(c, 'errno') === 'ECONNREFUSED');
  const lastErr = [...stderr].reverse().find((t) => t.trim() !== '') ?? '';

  if (traceback) {
    out.push(
      at(
        finding(
          false,
          'own-client-traceback',
          { scenario, last: lastErr.slice(0, 200) },
          run.output.filter((r) => str(r, 'stream') === 'stderr').slice(-1),
        ),
        tracebackLine(run) ?? locateCall([run], refused ? 'connect' : 'read'),
      ),
    );
  }
  if (refused || (!run.traced && code !== undefined && code !== 0 && run.input.length === 0)) {
    if (!traceback) {
      const ok = code !== 0 && code !== undefined;
      out.push(
        placed(
          ok,
          ok ? 'own-client-refused-ok' : 'own-client-refused-zero',
          { scenario, code: code ?? '-' },
          refused ? [refused] : [],
          [run],
          'connect',
        ),
      );
    }
    return out;
  }
  if (!run.traced) return out;

  const connected = connects.find((c) => num(c, 'result') === 0 || str(c, 'errno') === 'EINPROGRESS');
  if (!connected) {
    out.push(
      placed(
        false,
        'own-client-not-connected',
        { scenario, errno: str(connects[0], 'errno') ?? '-' },
        connects.slice(0, 1),
        [run],
        'connect',
      ),
    );
    return out;
  }
  out.push(
    finding(true, 'own-client-connected', { scenario, peer: str(connected, 'peer') ?? '?' }, [connected]),
  );
  const fd = num(connected, 'fd');
  const onConn = run.calls.filter((c) => num(c, 'fd') === fd);

  // What was typed before `exit` (the lines the client should send), and what went on the socket.
  const lines: LogRecord[] = [];
  let exitLine: LogRecord | undefined;
  for (const r of run.input) {
    if ((str(r, 'text') ?? '').trim() === 'exit') {
      exitLine = r;
      break;
    }
    lines.push(r);
  }
  const expected = lines.reduce((a, r) => a + (num(r, 'bytes') ?? 0), 0);
  const writes = onConn.filter((c) => WRITES.has(str(c, 'call') ?? ''));
  const exitSent = exitLine !== undefined && writes.some((c) => /^exit(\\n)?$/.test(str(c, 'data') ?? ''));
  const sentBeforeExit = writes
    .filter((c) => !(exitSent && /^exit(\\n)?$/.test(str(c, 'data') ?? '')))
    .reduce((a, c) => a + (num(c, 'bytes') ?? 0), 0);
  if (lines.length > 0) {
    // A line goes out with its newline or without it (input() drops it; TCP has no lines, and the
    // echo of what was written is judged below): both are whole.
    const bare = expected - lines.length;
    const ok = sentBeforeExit === expected || sentBeforeExit === bare;
    const newlines = ok && sentBeforeExit === bare && bare !== expected ? 'without' : 'with';
    out.push(
      placed(
        ok,
        ok ? 'own-client-sent' : 'own-client-sent-diff',
        { scenario, sent: sentBeforeExit, expected, lines: lines.length, newlines },
        writes.slice(0, 2),
        [run],
        'write',
      ),
    );
    // Only reads that returned data: a failed or interrupted read moved no bytes.
    const reads = onConn.filter((c) => READS.has(str(c, 'call') ?? '') && (num(c, 'bytes') ?? 0) > 0);
    const read = reads.reduce((a, c) => a + (num(c, 'bytes') ?? 0), 0);
    const stdout = run.output.filter((r) => str(r, 'stream') === 'stdout');
    const holds = (l: LogRecord) => {
      const text = (str(l, 'text') ?? '').trim().slice(0, 60);
      return text === '' ? undefined : stdout.find((o) => (str(o, 'text') ?? '').includes(text));
    };
    const missing = lines.find((l) => (str(l, 'text') ?? '').trim() !== '' && !holds(l));
    // The echo of what it wrote: without the newlines when it sent the lines without them.
    const wanted = ok ? sentBeforeExit : expected;
    const echoed = read >= wanted && !missing;
    // The evidence of the echo is the program's own read and the output line holding the echo,
    // never an unrelated line such as "Подключено к ...".
    const shown = lines.map(holds).find((o) => o !== undefined);
    if (!echoed && wait) {
      // Not the client's fault: its line went out and the server never took the connection.
      out.push({
        ok: true,
        na: true,
        code: 'own-client-echo-server-busy',
        params: { scenario, waited: seconds(wait.until - returnedAt(wait.write)), busy: wait.busy.peer },
        evidence: [wait.write, ...(wait.end ? [wait.end] : []), wait.busy.accepted],
      });
    } else
      out.push(
        placed(
          echoed,
          echoed ? 'own-client-echo' : 'own-client-echo-missing',
          { scenario, read, expected: wanted, line: (str(missing, 'text') ?? '').slice(0, 60) },
          missing ? [missing, ...reads.slice(0, 1)] : [...reads.slice(0, 1), ...(shown ? [shown] : [])],
          [run],
          'read',
        ),
      );
  } else out.push(partNa('sent', 'no-lines', { scenario }), partNa('echo', 'no-lines', { scenario }));
  if (exitLine) {
    const close = onConn.find(
      // The call's return time (`at`, from strace), not when its line was logged.
      (c) => (str(c, 'call') === 'close' || str(c, 'call') === 'shutdown') && returnedAt(c) >= exitLine.time,
    );
    const byItself = str(run.exited, 'reason') === 'exited';
    const ok = !exitSent && close !== undefined && byItself;
    const how = exitSent ? 'sent' : close ? 'kept-running' : 'no-close';
    if (!ok && !exitSent && wait && exitLine.time >= wait.write.time) {
      // `exit` was typed while the client still waited for the echo the busy server never sent.
      out.push(partNa('exit', 'server-busy', { scenario }));
    } else
      out.push(
        placed(
          ok,
          ok ? 'own-client-exit' : 'own-client-exit-ignored',
          { scenario, how },
          [exitLine, ...(close ? [close] : []), ...(run.exited ? [run.exited] : [])],
          [run],
          how === 'sent' ? 'write' : 'exit-word',
        ),
      );
  } else out.push(partNa('exit', 'no-exit', { scenario }));
  return out;
}

/**
 * The own echo server's calls on each client's connection: the accept() the client is matched
 * with (ownServerViews), then every call on that fd in the server's log until its close(). A
 * server that forks per client closes the parent's copy first: there the accept is all it shows.
 */
export function ownServerCalls<S extends ClientSession>(
  records: readonly LogRecord[],
  echo: readonly S[],
): Map<S, LogRecord[]> {
  const out = new Map<S, LogRecord[]>();
  const views = ownServerViews(records, echo);
  if (views.size === 0) return out;
  const calls = records.filter((r) => r.event === 'own.call' && str(r, 'role') === 'echo-server');
  const index = new Map(calls.map((c, i) => [c, i]));
  for (const [s, accept] of views) {
    const fd = num(accept, 'newFd') ?? num(accept, 'result');
    const list = [accept];
    for (let i = (index.get(accept) ?? calls.length) + 1; i < calls.length; i++) {
      const c = calls[i] as LogRecord;
      if (c.source !== accept.source || num(c, 'fd') !== fd) continue;
      list.push(c);
      if (str(c, 'call') === 'close') break;
    }
    out.set(s, list);
  }
  return out;
}

/** How far apart (ms) our client's connect and an own server's accept may be, matched through NAT. */
const OWN_NAT_MATCH_MS = 5000;

/**
 * The server's view of each echo client (ours or the student's) when the server was the student's own: the
 * accept() whose peer is the client's own address (local and vm), else, through the remote
 * scenario's NAT, the nearest unclaimed accept() after its connect. The address checks read the
 * peer of that record as "what the server saw", as they read our server's tcp.connection.accepted.
 */
export function ownServerViews<S extends ClientSession>(
  records: readonly LogRecord[],
  echo: readonly S[],
): Map<S, LogRecord> {
  const accepts = records.filter(
    (r) =>
      r.event === 'own.call' &&
      (str(r, 'call') === 'accept' || str(r, 'call') === 'accept4') &&
      (num(r, 'result') ?? -1) >= 0 &&
      str(r, 'peer') !== undefined,
  );
  const views = new Map<S, LogRecord>();
  if (accepts.length === 0) return views;
  const claimed = new Set<LogRecord>();
  const pending = echo.filter((s) => !s.server && s.connected);
  for (const s of pending) {
    // The client's own end: our client's client.connected.local, an own client's traced socket.
    const local = s.local;
    const exact = accepts.find((a) => !claimed.has(a) && str(a, 'peer') === local);
    if (exact) {
      views.set(s, exact);
      claimed.add(exact);
    }
  }
  for (const s of pending) {
    if (views.has(s) || !s.connected) continue;
    const at = s.connected.time;
    const near = accepts
      // accept() returned when the connection was taken (`at`), maybe long after it started waiting.
      .filter((a) => !claimed.has(a) && Math.abs(returnedAt(a) - at) <= OWN_NAT_MATCH_MS)
      .sort((a, b) => Math.abs(returnedAt(a) - at) - Math.abs(returnedAt(b) - at))[0];
    if (near) {
      views.set(s, near);
      claimed.add(near);
    }
  }
  return views;
}

/** Signal names by number (Linux), for an exit status of 128 + n. */
const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};

/**
 * What /bin/sh prints when a child it waited for was ended by a signal (dash and glibc's
 * strsignal()), by the signal's number; SIGINT and SIGPIPE it does not report.
 */
const SHELL_MESSAGES: Readonly<Record<number, string>> = {
  1: 'Hangup',
  3: 'Quit',
  4: 'Illegal instruction',
  5: 'Trace/breakpoint trap',
  6: 'Aborted',
  7: 'Bus error',
  8: 'Floating point exception',
  9: 'Killed',
  10: 'User defined signal 1',
  11: 'Segmentation fault',
  12: 'User defined signal 2',
  14: 'Alarm clock',
  15: 'Terminated',
};

/**
 * The signal that ended a program, from its own.program.exited, or undefined when it ended by
 * itself: SIGKILL after the grace period, the signal the runner saw, or the shell's exit status
 * 128 + n (the runner's `/bin/sh -c` outlives the signal and reports it so).
 */
export function endSignal(exited: LogRecord | undefined): string | undefined {
  if (!exited) return undefined;
  if (str(exited, 'reason') === 'killed-after-grace') return 'SIGKILL';
  const named = str(exited, 'signal');
  if (named !== undefined) return named;
  const n = signalNumber(exited);
  return n === undefined ? undefined : (SIGNAL_NAMES[n] ?? `signal ${n}`);
}

/** n of an exit status 128 + n (a death by signal as the shell reports it). */
export function signalNumber(exited: LogRecord | undefined): number | undefined {
  const code = num(exited, 'code');
  return code !== undefined && code > 128 && code < 160 ? code - 128 : undefined;
}

/** The shell's line about the signal that ended the program: which output line, and the signal. */
export interface ShellLine {
  /** Its index in the run's output (the last stderr line). */
  index: number;
  text: string;
  code: number;
  signal: string;
}

/**
 * The stop check's findings (check.ts's stopCheck), with what an earlier finding already explained
 * marked, so that it is said once: `again` when an earlier program died the same way (the same
 * signal, grace, language: the signal, the exit status, the shell's line and the fix were told),
 * `whyAgain` when an earlier one failed for the same reason (why the check fails it). Each finding
 * still says what happened to its program. The findings keep their order.
 */
export function markRepeatedStops<F extends { code: string; params: Record<string, string | number> }>(
  findings: readonly F[],
): F[] {
  const told = new Set<string>();
  return findings.map((f) => {
    if (f.code !== 'own-stop-killed') return f;
    const p = f.params;
    const how = `how\u0000${p.signal}\u0000${p.grace}\u0000${p.python}`;
    const why = `why\u0000${p.why}`;
    const params = {
      ...p,
      ...(told.has(how) ? { again: 'yes' } : {}),
      ...(told.has(why) ? { whyAgain: 'yes' } : {}),
    };
    told.add(how).add(why);
    return { ...f, params };
  });
}

/**
 * The runner runs the command with `/bin/sh -c` and a trap, so the shell outlives the stop signal,
 * waits for the program and, when a signal ended it, reports that on stderr (`Terminated`) and
 * exits with 128 + the signal's number. That line, the run's last on stderr, is the shell's.
 */
export function shellLine(run: OwnRun): ShellLine | undefined {
  const n = signalNumber(run.exited);
  const message = n === undefined ? undefined : SHELL_MESSAGES[n];
  if (n === undefined || message === undefined) return undefined;
  let index = -1;
  run.output.forEach((r, i) => {
    if (str(r, 'stream') === 'stderr') index = i;
  });
  const text = index >= 0 ? (str(run.output[index], 'text') ?? '') : '';
  if (text !== message && text !== `${message} (core dumped)`) return undefined;
  return { index, text, code: 128 + n, signal: SIGNAL_NAMES[n] ?? `signal ${n}` };
}
