import {
  type ChatSession,
  type EchoSession,
  type LabModel,
  type Program,
  addresses,
  isLoopback,
  numField,
  strField,
} from './aggregate.js';
import type { Lang } from '../log/events.js';
import { addressOf } from './endpoint.js';
import { ownChatFacts } from './own-facts.js';
import type { SourceRef } from './own-source.js';
import type { LogRecord } from './parse.js';
import {
  OWN_CHECK_IDS,
  type OwnCheckId,
  type OwnFindingCode,
  ownChecks,
  ownPairFindings,
  ownRuns,
  ownServerViews,
  endSignal,
  markRepeatedStops,
  shellLine,
  signalNumber,
} from './own-checks.js';

/** The checks of a lab run, each defined once here. */
export type CheckId = 'local' | 'vm' | 'remote' | 'echo' | 'chat' | 'stopped' | OwnCheckId;
/** Every check, in the order the report shows them (a student's own programs last: own-checks.ts). */
export const CHECK_IDS: readonly CheckId[] = [
  'local',
  'vm',
  'remote',
  'echo',
  'chat',
  'stopped',
  ...OWN_CHECK_IDS,
];
/** What `--require` accepts: the checks that are "not applicable" when the logs lack that part. */
export const REQUIRABLE: readonly CheckId[] = ['local', 'vm', 'remote', 'echo', 'chat', ...OWN_CHECK_IDS];

/** `n/a`: the logs hold nothing the check applies to. */
export type CheckStatus = 'pass' | 'fail' | 'n/a';

/**
 * One statement a check makes, with the log lines that show it. `code` selects the sentence the
 * renderer writes (in English or Russian) from `params`; checks never produce text themselves.
 */
export interface Finding {
  ok: boolean;
  /** A part with no evidence in the logs (it did not happen in this run): shown as n/a, never as a pass. */
  na?: boolean;
  /**
   * With `na`: a note on something that did not happen for a reason the run shows (a chat message
   * sent before anyone else joined), not a part left untested: shown as ➖, never counted as partial.
   */
  note?: boolean;
  code: FindingCode;
  params: Record<string, string | number>;
  evidence: LogRecord[];
  /** The line of a student's own code that made the call a failure is about (own-checks.ts). */
  where?: SourceRef;
}

/** Which sentence of texts.ts a finding is. */
export type FindingCode =
  | 'implausible'
  | 'implausible-more'
  | 'na-scenario'
  | 'na-echo'
  | 'na-chat'
  | 'na-programs'
  | 'required'
  | 'no-server-view'
  | 'not-connected'
  | 'local-ok'
  | 'local-not-loopback'
  | 'vm-ok'
  | 'vm-loopback'
  | 'vm-translated'
  | 'remote-ok'
  | 'remote-own'
  | 'classroom-client-only'
  | 'classroom-direct'
  | 'classroom-translated'
  | 'echo-server-ok'
  | 'echo-server-diff'
  | 'echo-client-ok'
  | 'echo-client-diff'
  | 'echo-pair-diff'
  | 'echo-open'
  | 'echo-open-conn'
  | 'chat-ok'
  | 'chat-missing'
  | 'chat-summarised'
  | 'chat-none-crossed'
  | 'stop-server-ok'
  | 'stop-server-missing'
  | 'stop-server-error'
  | 'stop-client-ok'
  | 'stop-client-missing'
  | 'stop-client-error'
  | 'chat-nobody-yet'
  | OwnFindingCode;

/** One check over the whole model: its status and every statement it made. */
export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  findings: Finding[];
}

/** How strict the checks are. */
export interface CheckOptions {
  /** Checks that fail instead of being "not applicable" when the logs lack what they check. */
  require?: readonly CheckId[];
}

/** Runs every check of the lab over the model. Pure: the same logs always give the same results. */
export function runChecks(model: LabModel, options: CheckOptions = {}): CheckResult[] {
  const results: CheckResult[] = [
    addressCheck(model, 'local'),
    addressCheck(model, 'vm'),
    addressCheck(model, 'remote'),
    echoCheck(model),
    chatCheck(model),
    stopCheck(model),
    // A student's own programs: shown when they ran (or --require asks for them), so a lab run
    // of ours alone keeps its six checks.
    // A program that ran but gave nothing to judge stays, n/a with its reasons.
    ...ownChecks(model.timeline.records, model.echo, model.ownEcho).filter(
      (c) => c.findings.some((f) => f.code !== 'na-own') || options.require?.includes(c.id),
    ),
  ];
  addImplausible(model, results);
  for (const r of results) {
    if (r.status === 'n/a' && options.require?.includes(r.id)) {
      r.status = 'fail';
      r.findings.unshift({ ok: false, code: 'required', params: { check: r.id }, evidence: [] });
    }
  }
  return results;
}

/** The largest pid Linux gives (PID_MAX_LIMIT, 2^22). */
const MAX_PID = 4_194_304;
/**
 * Numbers that are durations, percentages or strace's times (`at` of own.call: ms with the
 * microseconds as a fraction): finite, not negative, fractions allowed.
 */
const MEASURES = new Set(['durationMs', 'windowMs', 'delayMs', 'lossPercent', 'at', 'startedAt']);
/** Numbers that are ports. */
const PORTS = new Set(['port', 'tcpPort', 'udpPort']);
/** A system call's return value (own.call): a count or a descriptor, or -1 when it failed. */
const RETURNS = new Set(['result']);
/** Numbers that are pids of another process (the student's, as strace saw it). */
const PIDS = new Set(['ownPid']);
/** Strings that are endpoints ("address:port"). */
const ENDPOINTS = new Set(['local', 'remote', 'server']);
/** Most implausible lines named one by one per check; the rest are counted. */
const IMPLAUSIBLE_SHOWN = 20;

/**
 * Why a value of `r` cannot be what a socket did, or undefined when every value can: counts, byte
 * counts and ids are whole numbers from 0 up to 2^53 (1e308 bytes, -5 bytes or 2.5 portions come
 * from an editor, not from a kernel); ports 1 to 65535, also in endpoints; pids 1 to 2^22; times
 * after 1970; durations and percentages finite and not negative (percentages at most 100).
 * Values of nested objects (a server's configuration) are not counts and are not judged.
 */
export function implausible(r: LogRecord): { field: string; value: string; rule: string } | undefined {
  const show = (v: unknown) => String(v).slice(0, 40);
  if (r.pid !== undefined && !(Number.isInteger(r.pid) && r.pid >= 1 && r.pid <= MAX_PID))
    return { field: 'pid', value: show(r.pid), rule: `1..${MAX_PID}` };
  if (r.time < 0) return { field: 'time', value: new Date(r.time).toISOString(), rule: '≥ 1970-01-01' };
  for (const [k, v] of Object.entries(r.fields)) {
    if (typeof v === 'number') {
      if (PORTS.has(k)) {
        if (!(Number.isInteger(v) && v >= 1 && v <= 65535))
          return { field: k, value: show(v), rule: '1..65535' };
      } else if (RETURNS.has(k)) {
        if (!(Number.isSafeInteger(v) && v >= -1)) return { field: k, value: show(v), rule: '-1, 0, 1, …' };
      } else if (PIDS.has(k)) {
        if (!(Number.isInteger(v) && v >= 1 && v <= MAX_PID))
          return { field: k, value: show(v), rule: `1..${MAX_PID}` };
      } else if (MEASURES.has(k)) {
        if (!(Number.isFinite(v) && v >= 0 && v <= (k === 'lossPercent' ? 100 : 1e13)))
          return { field: k, value: show(v), rule: k === 'lossPercent' ? '0..100' : '≥ 0' };
      } else if (!(Number.isSafeInteger(v) && v >= 0)) {
        return { field: k, value: show(v), rule: '0, 1, 2, … ≤ 2^53' };
      }
    } else if (typeof v === 'string' && ENDPOINTS.has(k)) {
      const port = /:(\d+)$/.exec(v)?.[1];
      if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535))
        return { field: k, value: show(v), rule: ':1..65535' };
    }
  }
  return undefined;
}

/** The check that reads the lines of `event`. */
function checkOf(event: string): CheckId {
  if (event.startsWith('chat.') || event.startsWith('udp.')) return 'chat';
  if (event.startsWith('tcp.') || event.startsWith('client.')) return 'echo';
  return 'stopped';
}

/**
 * Every kept line with a value no socket can produce fails the check that reads it, with the line
 * as evidence; a line of a lab scenario with an impossible endpoint fails that scenario's check
 * too. A log edited to pass (byte counts made equal at 1e308) fails here instead.
 */
function addImplausible(model: LabModel, results: CheckResult[]): void {
  const shown = new Map<CheckId, number>();
  const more = new Map<CheckId, number>();
  const add = (id: CheckId, r: LogRecord, what: { field: string; value: string; rule: string }) => {
    const res = results.find((x) => x.id === id);
    if (!res) return;
    const n = shown.get(id) ?? 0;
    if (n >= IMPLAUSIBLE_SHOWN) {
      more.set(id, (more.get(id) ?? 0) + 1);
      return;
    }
    shown.set(id, n + 1);
    res.status = 'fail';
    res.findings.push({
      ok: false,
      code: 'implausible',
      params: { at: `${r.source}:${r.line}`, event: r.event, ...what },
      evidence: [r],
    });
  };
  for (const r of model.timeline.records) {
    const what = implausible(r);
    if (!what) continue;
    add(checkOf(r.event), r, what);
    const scenario = r.scenario as AddressRule | undefined;
    if (ENDPOINTS.has(what.field) && (scenario === 'local' || scenario === 'vm' || scenario === 'remote'))
      add(scenario, r, what);
  }
  for (const [id, n] of more) {
    results
      .find((x) => x.id === id)
      ?.findings.push({ ok: false, code: 'implausible-more', params: { n }, evidence: [] });
  }
}

function result(id: CheckId, findings: Finding[]): CheckResult {
  return { id, status: findings.every((f) => f.ok) ? 'pass' : 'fail', findings };
}

function na(id: CheckId, code: FindingCode, params: Finding['params'] = {}): CheckResult {
  return { id, status: 'n/a', findings: [{ ok: true, code, params, evidence: [] }] };
}

function clientName(s: EchoSession | ChatSession): string {
  const nick = 'nick' in s && s.nick ? ` (${s.nick})` : '';
  return `${s.program.label}${nick}`;
}

function memberName(s: ChatSession): string {
  return `${s.nick ?? '?'} (${s.program.label}, ${s.scenario})`;
}

/**
 * local: the server saw a loopback address. vm: the server saw the client's own address (and not
 * loopback: that would be a client on the server's machine). remote: the server saw an address that
 * is not the client's own, because a NAT gateway stood between them. TCP and chat clients alike.
 */
function addressCheck(model: LabModel, id: AddressRule, scenario: string = id): CheckResult {
  const view = model.scenarios.find((s) => s.name === scenario);
  // A student's own echo clients count as ours do (in the Docker lab they run in the same containers).
  const ownEcho = model.ownEcho.filter((s) => s.scenario === scenario);
  const sessions: Array<EchoSession | ChatSession> = [
    ...(view?.echo ?? []),
    ...ownEcho,
    ...(view?.chat ?? []),
  ];
  if (sessions.length === 0) return na(id, 'na-scenario', { scenario });
  const findings: Finding[] = [];
  // With a student's own echo server, its traced accept() is the server's view.
  const ownViews = ownServerViews(model.timeline.records, [...model.echo, ...model.ownEcho]);
  for (const s of sessions) {
    const start = 'connected' in s ? s.connected : s.joined;
    const ownView = 'connected' in s && !s.server ? ownViews.get(s) : undefined;
    const serverSide = 'connected' in s ? (s.server?.accepted ?? ownView) : s.member?.joined;
    const client = clientName(s);
    if (!start) {
      findings.push({
        ok: false,
        code: 'not-connected',
        params: { client, code: strField(s.error, 'code') ?? strField(s.error, 'errno') ?? '?' },
        evidence: s.error ? [s.error] : s.records.slice(0, 1),
      });
      continue;
    }
    const { own, seen: ourSeen } = addresses(s);
    const seen = ourSeen ?? strField(ownView, 'peer');
    if (!serverSide || !seen) {
      findings.push({
        ok: false,
        code: 'no-server-view',
        params: { client, own: own ?? '?' },
        evidence: [start],
      });
      continue;
    }
    const evidence = [start, serverSide];
    const params = { client, own: own ?? '?', seen };
    const sameAddress = own !== undefined && addressOf(own) === addressOf(seen);
    if (id === 'local') {
      findings.push({
        ok: isLoopback(seen),
        code: isLoopback(seen) ? 'local-ok' : 'local-not-loopback',
        params,
        evidence,
      });
    } else if (id === 'vm') {
      const code = !sameAddress ? 'vm-translated' : isLoopback(seen) ? 'vm-loopback' : 'vm-ok';
      findings.push({ ok: code === 'vm-ok', code, params, evidence });
    } else {
      findings.push({ ok: !sameAddress, code: sameAddress ? 'remote-own' : 'remote-ok', params, evidence });
    }
  }
  return result(id, findings);
}

/** Every echo is byte for byte as long as what was sent: on the server, on the client, and between them. */
function echoCheck(model: LabModel): CheckResult {
  const sessions = model.echo.filter((s) => s.connected);
  // Both echo programs the student's: their two traces, connection by connection.
  const ownPairs = ownPairFindings(model.timeline.records, model.echo, model.ownEcho);
  const judged = ownPairs.filter((f) => !f.na);
  if (sessions.length === 0 && model.conns.length === 0 && judged.length === 0) return na('echo', 'na-echo');
  const findings: Finding[] = [...ownPairs];
  for (const c of model.conns) {
    const conn = { program: c.program.label, conn: c.connId };
    if (!c.closed) {
      findings.push({ ok: false, code: 'echo-open-conn', params: conn, evidence: c.records.slice(0, 1) });
      continue;
    }
    const bytesIn = numField(c.closed, 'bytesIn') ?? -1;
    const bytesOut = numField(c.closed, 'bytesOut') ?? -1;
    findings.push({
      ok: bytesIn === bytesOut,
      code: bytesIn === bytesOut ? 'echo-server-ok' : 'echo-server-diff',
      params: { ...conn, bytesIn, bytesOut },
      evidence: [c.closed],
    });
  }
  for (const s of sessions) {
    const name = clientName(s);
    if (!s.disconnected) {
      findings.push({
        ok: false,
        code: 'echo-open',
        params: { what: name },
        evidence: s.connected ? [s.connected] : [],
      });
      continue;
    }
    const sent = numField(s.disconnected, 'bytesSent') ?? -1;
    const received = numField(s.disconnected, 'bytesReceived') ?? -1;
    findings.push({
      ok: sent === received,
      code: sent === received ? 'echo-client-ok' : 'echo-client-diff',
      params: { what: name, sent, received },
      evidence: [s.disconnected],
    });
    const serverIn = numField(s.server?.closed, 'bytesIn');
    if (s.server?.closed && serverIn !== sent) {
      findings.push({
        ok: false,
        code: 'echo-pair-diff',
        params: { what: name, sent, serverIn: serverIn ?? -1, conn: s.server.connId },
        evidence: [s.disconnected, s.server.closed],
      });
    }
  }
  return result('echo', findings);
}

/**
 * Every message a chat client sent while a logged member of another scenario (another network)
 * was in the chat reached that member; and at least one message crossed networks.
 */
function chatCheck(model: LabModel): CheckResult {
  const joined = model.chat.filter((s) => s.joined);
  const scenarios = [...new Set(joined.map((s) => s.scenario))];
  if (scenarios.length < 2) {
    // A student's own chat clients instead of ours: judged from their traced calls.
    const own = ownChatCheck(model);
    return own ?? na('chat', 'na-chat', { scenarios: scenarios.join(', ') });
  }
  const findings: Finding[] = [];
  const summaries = model.serverRecords.filter((r) => r.event === 'udp.relay.summary');
  // Each receiver's copies in queues by sender and size, so that a message costs a look-up per
  // receiver, not a scan of everything it received (130k messages made the scan quadratic).
  const inbox = new Map<ChatSession, RecordQueues>();
  for (const receiver of joined)
    inbox.set(
      receiver,
      new RecordQueues(
        receiver.records.filter((r) => r.event === 'chat.message.received'),
        (r) => `${strField(r, 'nick') ?? ''}\u0000${numField(r, 'bytes') ?? ''}`,
      ),
    );
  for (const sender of joined) {
    const relays = new RecordQueues(
      sender.member?.records.filter((r) => r.event === 'udp.message.relayed') ?? [],
      (r) => String(numField(r, 'bytes') ?? ''),
    );
    for (const sent of sender.records.filter((r) => r.event === 'chat.message.sent')) {
      const bytes = numField(sent, 'bytes');
      // The server's relay of this message: its time is when copies went out to the members.
      const relay = relays.take(String(bytes ?? ''), sent.time - 1000);
      const at = relay?.time ?? sent.time;
      for (const receiver of joined) {
        if (receiver.scenario === sender.scenario || receiver === sender) continue;
        if (!present(receiver, at)) continue;
        const got = inbox.get(receiver)?.take(`${sender.nick ?? ''}\u0000${bytes ?? ''}`, sent.time - 1000);
        const params = {
          from: memberName(sender),
          to: memberName(receiver),
          bytes: bytes ?? '?',
          fromScenario: sender.scenario,
          toScenario: receiver.scenario,
        };
        if (got) {
          findings.push({
            ok: true,
            code: 'chat-ok',
            params,
            evidence: [sent, ...(relay ? [relay] : []), got],
          });
          continue;
        }
        // Past its per-second line budget the server counts relays in a summary instead of lines;
        // only a relay with its own line is proof enough that a copy went to this member.
        const summarised = !relay && summaries.some((r) => r.time >= sent.time && r.time - sent.time <= 2000);
        findings.push({
          ok: summarised,
          code: summarised ? 'chat-summarised' : 'chat-missing',
          params,
          evidence: [sent, ...(relay ? [relay] : [])],
        });
      }
    }
  }
  if (!findings.some((f) => f.code === 'chat-ok')) {
    findings.push({
      ok: false,
      code: 'chat-none-crossed',
      params: { scenarios: scenarios.join(', ') },
      evidence: joined.map((s) => s.joined).filter((r): r is LogRecord => r !== undefined),
    });
  }
  const untested = untestedDirections(
    findings,
    joined.map((s) => ({
      scenario: s.scenario,
      name: memberName(s),
      sends: s.records.filter((r) => r.event === 'chat.message.sent'),
      joined: s.member?.joined ?? s.joined,
    })),
    'joined',
  );
  return result('chat', [...untested, ...findings]);
}

/**
 * Records in queues by a key, each in its order; `take` hands out the first not yet taken whose time
 * is at least `from`. Those earlier than `from` are passed over for good: the messages asking are
 * taken in time order, so no later one would accept them either (one clock stepping back can cost
 * a match, never a wrong one).
 */
class RecordQueues {
  private readonly queues = new Map<string, { list: LogRecord[]; next: number }>();
  constructor(records: readonly LogRecord[], key: (r: LogRecord) => string) {
    for (const r of records) {
      const k = key(r);
      const q = this.queues.get(k);
      if (q) q.list.push(r);
      else this.queues.set(k, { list: [r], next: 0 });
    }
  }

  take(key: string, from: number): LogRecord | undefined {
    const q = this.queues.get(key);
    if (!q) return undefined;
    while (q.next < q.list.length && (q.list[q.next] as LogRecord).time < from) q.next++;
    return q.list[q.next++];
  }
}

/** Was `s` in the chat at `t`? The server's view (its join and leave lines) when it has one. */
function present(s: ChatSession, t: number): boolean {
  const from = s.member?.joined.time ?? s.joined?.time ?? Infinity;
  const to = s.member?.left?.time ?? s.left?.time ?? Infinity;
  return from <= t && t <= to;
}

/** Every program logged how it ended: server.stopped, client.disconnected, chat.left. */
function stopCheck(model: LabModel): CheckResult {
  const own = ownRuns(model.timeline.records);
  if (model.programs.length === 0 && own.length === 0) return na('stopped', 'na-programs');
  const findings: Finding[] = [];
  // Sessions by program, gathered once (a scan per program is quadratic in a log of many pids).
  const sessionsOf = new Map<Program, Array<EchoSession | ChatSession>>();
  for (const s of [...model.echo, ...model.chat]) {
    const list = sessionsOf.get(s.program);
    if (list) list.push(s);
    else sessionsOf.set(s.program, [s]);
  }
  for (const p of model.programs) findings.push(stopFinding(p, sessionsOf.get(p) ?? []));
  for (const run of own) findings.push(ownStopFinding(run));
  return result('stopped', markRepeatedStops(findings));
}

/**
 * How a student's own program ended, from the runner's own.program.exited: by itself; after the
 * SIGTERM of the lab's runner, handling it (an exit status of its own); or killed by the signal
 * itself (the shell's status 128 + n, or SIGKILL after the grace period), printing nothing more.
 * A program killed so did not end by itself and said nothing of its stop: it fails, whatever its
 * role (the course asks the server to print a message when it stops, main task 2, and the client
 * one when it disconnects, main task 4; the chat programs are held to the same rule, and the text
 * says so). A last stderr line equal to the shell's message for that signal ("Terminated") is the
 * shell's, printed after the program died, not the program's.
 */
function ownStopFinding(run: ReturnType<typeof ownRuns>[number]): Finding {
  const role = run.role;
  const program = run.source;
  const exited = run.exited;
  const stdout = run.output.filter((r) => r.fields.stream === 'stdout');
  const lastOut = stdout[stdout.length - 1];
  const last = typeof lastOut?.fields.text === 'string' ? lastOut.fields.text.slice(0, 120) : '-';
  if (!exited) {
    const tail = [...run.calls, ...run.output].sort((a, b) => a.time - b.time).at(-1) ?? run.started;
    return { ok: false, code: 'own-stop-missing', params: { role, program }, evidence: [tail] };
  }
  const code = numField(exited, 'code');
  const reason = strField(exited, 'reason') ?? '?';
  const bySignal = signalNumber(exited);
  const signal = endSignal(exited);
  const params = {
    role,
    program,
    code: code ?? '-',
    last,
    python: /\bpython/.test(strField(run.started, 'command') ?? '') ? 'yes' : 'no',
  };
  // The stderr lines after the last stdout line, in the order the runner logged them; the shell's
  // own line about the signal (shellLine: "Terminated") is not the program's.
  const shellSaid = shellLine(run);
  const stderrAfter = run.output
    .slice(lastOut ? run.output.indexOf(lastOut) + 1 : 0)
    .filter((r) => r.fields.stream === 'stderr' && r !== run.output[shellSaid?.index ?? -1]);
  const shell = shellSaid?.text;
  const evidence = [...(lastOut ? [lastOut] : []), ...stderrAfter.slice(0, 2), exited];
  if (signal !== undefined) {
    // Main task 4: the echo client reports disconnecting from the server. One the signal ended
    // while its connection was open (no close() or shutdown() of its own in the trace) never did.
    const clientCut =
      role === 'echo-client' &&
      !run.calls.some((c) => ['close', 'shutdown'].includes(strField(c, 'call') ?? ''));
    return {
      ok: false,
      code: 'own-stop-killed',
      params: {
        ...params,
        signal,
        number: bySignal ?? (signal === 'SIGKILL' ? 9 : '-'),
        grace: reason === 'killed-after-grace' ? 'yes' : 'no',
        why:
          role === 'echo-server'
            ? 'server'
            : clientCut
              ? 'client-open'
              : role === 'echo-client'
                ? 'client-closed'
                : 'other',
        shell: shell ?? '-',
      },
      evidence,
    };
  }
  if (reason === 'stopped') return { ok: true, code: 'own-stop-handled', params, evidence };
  return { ok: true, code: 'own-stop-exited', params, evidence: [exited] };
}

function stopFinding(p: Program, sessions: ReadonlyArray<EchoSession | ChatSession>): Finding {
  const last = p.records[p.records.length - 1];
  const lastEvidence = last ? [last] : [];
  if (p.kind === 'server') {
    const stopped = p.records.find((r) => r.event === 'server.stopped');
    if (stopped)
      return { ok: true, code: 'stop-server-ok', params: { program: p.label }, evidence: [stopped] };
    // A server that could not start (port in use...) ends right after its server.error line.
    return last?.event === 'server.error'
      ? {
          ok: true,
          code: 'stop-server-error',
          params: { program: p.label, code: strField(last, 'code') ?? '?' },
          evidence: lastEvidence,
        }
      : {
          ok: false,
          code: 'stop-server-missing',
          params: { program: p.label, last: last?.event ?? '-' },
          evidence: lastEvidence,
        };
  }
  const end = p.kind === 'chat-client' ? 'chat.left' : 'client.disconnected';
  const open = sessions.find((s) => {
    const started = 'connected' in s ? s.connected : s.joined;
    const ended = 'connected' in s ? s.disconnected : s.left;
    return started && !ended;
  });
  if (open) {
    return {
      ok: false,
      code: 'stop-client-missing',
      params: { program: p.label, end, last: last?.event ?? '-' },
      evidence: lastEvidence,
    };
  }
  const ends = sessions
    .map((s) => ('connected' in s ? s.disconnected : s.left))
    .filter((r) => r !== undefined);
  if (ends.length > 0) {
    const lastEnd = ends[ends.length - 1] as LogRecord;
    return {
      ok: true,
      code: 'stop-client-ok',
      params: { program: p.label, end, reason: strField(lastEnd, 'reason') ?? '?' },
      evidence: [lastEnd],
    };
  }
  // It never connected: its error line is how it ended (e.g. connection refused).
  const error = sessions.map((s) => s.error).find((r) => r !== undefined);
  return error
    ? {
        ok: true,
        code: 'stop-client-error',
        params: { program: p.label, code: strField(error, 'code') ?? '?' },
        evidence: [error],
      }
    : {
        ok: false,
        code: 'stop-client-missing',
        params: { program: p.label, end, last: last?.event ?? '-' },
        evidence: lastEvidence,
      };
}

/** The three rules of what the server must have seen (see addressCheck). */
export type AddressRule = 'local' | 'vm' | 'remote';

/**
 * The address check `rule` applied to the clients of another scenario: the demo's `lan` clients
 * reach the server as a VM's would (the server sees their own address), so they get the `vm` rule.
 */
export function checkAddresses(model: LabModel, rule: AddressRule, scenario: string): CheckResult {
  return addressCheck(model, rule, scenario);
}

/**
 * A check that passed with parts this run did not test: a finding that is not applicable and not
 * a mere note. Shown as «пройдена частично», named in the summaries, counted in `partial`.
 */
export function passedInPart(r: {
  status: CheckStatus;
  findings: ReadonlyArray<{ na?: boolean; note?: boolean }>;
}): boolean {
  return r.status === 'pass' && r.findings.some((f) => f.na && !f.note);
}

/** The counts every summary of the checks says (the CLI's line, the report's lines): one computation. */
export interface CheckCounts {
  total: number;
  pass: number;
  /** Of `pass`: the checks with parts this run did not test (passedInPart). */
  partial: number;
  fail: number;
  na: number;
}
export function checkCounts(
  results: ReadonlyArray<{
    status: CheckStatus;
    findings: ReadonlyArray<{ na?: boolean; note?: boolean; ok: boolean }>;
  }>,
): CheckCounts {
  const pass = results.filter((r) => r.status === 'pass');
  return {
    total: results.length,
    pass: pass.length,
    partial: pass.filter(passedInPart).length,
    fail: results.filter((r) => r.status === 'fail').length,
    na: results.filter((r) => r.status === 'n/a').length,
  };
}

/**
 * One line for a terminal: the counts (checkCounts, the same as the report's), the checks that
 * passed with untested parts, the failed ones with their first failing finding, the n/a ones.
 * English names the checks by id (scripts and --require use them); Russian by a short name in
 * Russian, with the id in parentheses for the failed and n/a ones (what --require takes).
 * `extra` is a check the report shows elsewhere (the capture's, "wire"): counted like the others.
 */
export function checkSummary<F extends { ok: boolean; na?: boolean; note?: boolean } = Finding>(
  results: ReadonlyArray<{ id: string; status: CheckStatus; findings: readonly F[] }>,
  describe: (f: F) => string,
  lang: Lang = 'en',
  extra?: { id: string; status: CheckStatus; findings: readonly F[] },
): string {
  const w = SUMMARY_WORDS[lang];
  // The capture's check is shown in the report and counted there: counted here too.
  const c = checkCounts(extra ? [...results, extra] : results);
  const name = (id: string) => (lang === 'en' ? id : (w.names[id] ?? id));
  const named = (id: string) => (lang === 'en' ? id : w.names[id] ? `${w.names[id]} (${id})` : id);
  const partial = results.filter(passedInPart).map((r) => name(r.id));
  const na = [...results, ...(extra ? [extra] : [])]
    .filter((r) => r.status === 'n/a')
    .map((r) => named(r.id));
  const failed = [...results, ...(extra?.status === 'fail' ? [extra] : [])].filter(
    (r) => r.status === 'fail',
  );
  let line = w.counts(c, partial, na);
  if (failed.length > 0) {
    const parts = failed.map((r) => {
      const f = r.findings.find((x) => !x.ok);
      return f ? `${named(r.id)}: ${describe(f)}` : named(r.id);
    });
    line += `; ${w.failed}: ${parts.join('; ')}`;
  }
  return line;
}

/** The words of the one-line summary. */
const SUMMARY_WORDS: Record<
  Lang,
  {
    counts: (c: CheckCounts, partial: string[], na: string[]) => string;
    failed: string;
    names: Record<string, string>;
  }
> = {
  en: {
    counts: (c, partial, na) =>
      `checks: ${c.pass} of ${c.total} pass${partial.length > 0 ? ` (${partial.length} of them with parts not tested in this run: ${partial.join(', ')})` : ''}, ${c.fail} fail, ${c.na} not applicable${na.length > 0 ? ` (${na.join(', ')})` : ''}`,
    failed: 'failed',
    names: {},
  },
  ru: {
    counts: (c, partial, na) =>
      `проверки: пройдено ${c.pass} из ${c.total}${partial.length > 0 ? ` (у ${partial.length} из них есть части, не проверенные в этом запуске: ${partial.join(', ')})` : ''}, не пройдено ${c.fail}, неприменимо ${c.na}${na.length > 0 ? ` (${na.join(', ')})` : ''}`,
    failed: 'не пройдены',
    names: {
      local: 'локальный клиент',
      vm: 'клиент с ВМ',
      remote: 'удалённый клиент',
      echo: 'эхо байт в байт',
      chat: 'чат между сетями',
      stopped: 'остановка программ',
      'own-echo-server': 'ваш эхо-сервер',
      'own-echo-client': 'ваш эхо-клиент',
      'own-chat-server': 'ваш чат-сервер',
      'own-chat-client': 'ваш чат-клиент',
      wire: 'сверка журнала с захватом',
    },
  },
};

/**
 * The chat check from a student's own chat clients' traces (no client of ours joined): each
 * datagram a client wrote to its socket while a client of another scenario was a member (the
 * server had heard from it: the plain protocol knows a member by its first datagram) reached that
 * client: a datagram of the same size and text that it read within 5 s. Undefined when fewer than
 * two scenarios had an own chat client.
 */
function ownChatCheck(model: LabModel): CheckResult | undefined {
  const clients = ownChatFacts(model)
    .clients.filter((c) => c.run.scenario !== undefined && c.run.scenario !== 'mistake')
    .map((c) => ({ c, first: c.sends[0], last: c.run.calls.at(-1) }));
  const scenarios = [...new Set(clients.map((x) => x.c.run.scenario))];
  if (scenarios.length < 2) return undefined;
  const findings: Finding[] = [];
  const name = (x: (typeof clients)[number]) => `${x.c.run.source} (${x.c.run.scenario})`;
  const bytesOf = (r: LogRecord) => numField(r, 'result') ?? numField(r, 'bytes') ?? 0;
  // strace stamps a call when it returns, each process its own: a read can return before the
  // sendto that caused it does (the datagram was out before the sender was scheduled again), never
  // before that sendto began.
  const returned = (r: LogRecord) => numField(r, 'at') ?? r.time;
  const began = (r: LogRecord) => numField(r, 'startedAt') ?? returned(r);
  const taken = new Set<LogRecord>();
  // The notes come after the deliveries: the check's row shows its first finding.
  const notes: Finding[] = [];
  for (const sender of clients) {
    for (const sent of sender.c.sends) {
      // Sent before any client of another scenario joined (its first datagram): the server knew
      // nobody to send it to. A note, not a delivery: it reached no one.
      const others = clients.filter((x) => x.c.run.scenario !== sender.c.run.scenario && x.first && x.last);
      if (others.length > 0 && others.every((x) => sent.time < x.first!.time))
        notes.push({
          ok: true,
          na: true,
          note: true,
          code: 'chat-nobody-yet',
          params: {
            from: name(sender),
            bytes: bytesOf(sent),
            later: [...new Set(others.map((x) => name(x)))].join(', '),
          },
          evidence: [sent, ...others.map((x) => x.first!)],
        });
      for (const receiver of clients) {
        if (receiver.c.run.scenario === sender.c.run.scenario || !receiver.first || !receiver.last) continue;
        // A member from its first datagram on, until its last call.
        if (began(sent) < began(receiver.first) || began(sent) > returned(receiver.last)) continue;
        const params = {
          from: name(sender),
          to: name(receiver),
          bytes: bytesOf(sent),
          fromScenario: sender.c.run.scenario ?? '?',
          toScenario: receiver.c.run.scenario ?? '?',
        };
        const got = receiver.c.recvs.find(
          (r) =>
            !taken.has(r) &&
            returned(r) >= began(sent) &&
            returned(r) - began(sent) <= 5000 &&
            bytesOf(r) === bytesOf(sent) &&
            strField(r, 'data') === strField(sent, 'data'),
        );
        if (got) taken.add(got);
        findings.push({
          ok: got !== undefined,
          code: got ? 'chat-ok' : 'chat-missing',
          params,
          evidence: got ? [sent, got] : [sent],
        });
      }
    }
  }
  if (!findings.some((f) => f.code === 'chat-ok'))
    findings.push({
      ok: false,
      code: 'chat-none-crossed',
      params: { scenarios: scenarios.join(', ') },
      evidence: clients.map((x) => x.first).filter((r): r is LogRecord => r !== undefined),
    });
  const untested = untestedDirections(
    findings,
    clients.map((x) => ({
      scenario: x.c.run.scenario ?? '?',
      name: name(x),
      sends: x.c.sends,
      joined: x.first && x.last ? x.first : undefined,
    })),
    'datagram',
  );
  return result('chat', [...untested, ...findings, ...notes]);
}

/** A chat client as the directions see it: its scenario, name, messages sent, and when it joined. */
interface DirectionClient {
  scenario: string;
  name: string;
  sends: readonly LogRecord[];
  /** The line from which the server knew it: its first datagram (`datagram`) or its join (`joined`). */
  joined: LogRecord | undefined;
}

/**
 * Each direction between two scenarios (vm → remote) that no message showed and no missing one
 * failed, once the check has shown at least one: not tested in this run (a partial pass, said first
 * with why), so that the ✅ does not claim messages went both ways. Why: the senders sent nothing
 * (none); no receiver ever joined (silent); every message went out before the first receiver joined
 * (before); or while none was in the chat (absent). `join` says how a member joins: by its first
 * datagram (a plain chat, whose server learns an address only from a datagram) or by its join line.
 */
function untestedDirections(
  findings: readonly Finding[],
  clients: readonly DirectionClient[],
  join: 'datagram' | 'joined',
): Finding[] {
  const way = (f: Finding) => `${f.params.fromScenario} → ${f.params.toScenario}`;
  const shown = [...new Set(findings.filter((f) => f.code === 'chat-ok').map(way))];
  if (shown.length === 0) return [];
  const tried = new Set(findings.filter((f) => f.params.fromScenario !== undefined).map(way));
  const scenarios = [...new Set(clients.map((c) => c.scenario))];
  const untested: Finding[] = [];
  for (const from of scenarios)
    for (const to of scenarios) {
      if (from === to || tried.has(`${from} → ${to}`)) continue;
      const senders = clients.filter((c) => c.scenario === from);
      const receivers = clients.filter((c) => c.scenario === to);
      const joins = receivers.map((c) => c.joined).filter((r): r is LogRecord => r !== undefined);
      const sends = senders.flatMap((c) => c.sends);
      const firstJoin = Math.min(...joins.map((r) => r.time));
      const reason =
        sends.length === 0
          ? 'none'
          : joins.length === 0
            ? 'silent'
            : sends.every((r) => r.time < firstJoin)
              ? 'before'
              : 'absent';
      untested.push({
        ok: true,
        na: true,
        code: 'chat-direction-untested',
        params: {
          from,
          to,
          reason,
          join,
          senders: [...new Set(senders.map((c) => c.name))].join(', '),
          receivers: [...new Set(receivers.map((c) => c.name))].join(', '),
          messages: sends.length,
          shown: shown.join(', '),
        },
        evidence: [...sends.slice(0, 2), ...joins.slice(0, 2)],
      });
    }
  return untested;
}
