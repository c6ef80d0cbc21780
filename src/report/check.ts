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
import { addressOf } from './endpoint.js';
import type { LogRecord } from './parse.js';
import {
  OWN_CHECK_IDS,
  type OwnCheckId,
  type OwnFindingCode,
  ownChecks,
  ownServerViews,
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
  code: FindingCode;
  params: Record<string, string | number>;
  evidence: LogRecord[];
}

/** Which sentence of texts.ts a finding is. */
export type FindingCode =
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
  const results = [
    addressCheck(model, 'local'),
    addressCheck(model, 'vm'),
    addressCheck(model, 'remote'),
    echoCheck(model),
    chatCheck(model),
    stopCheck(model),
    // A student's own programs: shown when they ran (or --require asks for them), so a lab run
    // of ours alone keeps its six checks.
    ...ownChecks(model.timeline.records, model.echo).filter(
      (c) => c.status !== 'n/a' || options.require?.includes(c.id),
    ),
  ];
  for (const r of results) {
    if (r.status === 'n/a' && options.require?.includes(r.id)) {
      r.status = 'fail';
      r.findings.unshift({ ok: false, code: 'required', params: { check: r.id }, evidence: [] });
    }
  }
  return results;
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
  const sessions: Array<EchoSession | ChatSession> = [...(view?.echo ?? []), ...(view?.chat ?? [])];
  if (sessions.length === 0) return na(id, 'na-scenario', { scenario });
  const findings: Finding[] = [];
  // With a student's own echo server, its traced accept() is the server's view.
  const ownViews = ownServerViews(model.timeline.records, model.echo);
  for (const s of sessions) {
    const start = 'connected' in s ? s.connected : s.joined;
    const ownView = 'connected' in s && !s.server ? ownViews.get(s) : undefined;
    const serverSide = 'connected' in s ? (s.server?.accepted ?? ownView) : s.member?.joined;
    const client = clientName(s);
    if (!start) {
      findings.push({
        ok: false,
        code: 'not-connected',
        params: { client, code: strField(s.error, 'code') ?? '?' },
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
  if (sessions.length === 0 && model.conns.length === 0) return na('echo', 'na-echo');
  const findings: Finding[] = [];
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
  if (scenarios.length < 2) return na('chat', 'na-chat', { scenarios: scenarios.join(', ') || '-' });
  const findings: Finding[] = [];
  const used = new Set<LogRecord>();
  const summaries = model.serverRecords.filter((r) => r.event === 'udp.relay.summary');
  for (const sender of joined) {
    const relays = sender.member?.records.filter((r) => r.event === 'udp.message.relayed') ?? [];
    const relayUsed = new Set<LogRecord>();
    for (const sent of sender.records.filter((r) => r.event === 'chat.message.sent')) {
      const bytes = numField(sent, 'bytes');
      // The server's relay of this message: its time is when copies went out to the members.
      const relay = relays.find(
        (r) => !relayUsed.has(r) && numField(r, 'bytes') === bytes && r.time >= sent.time - 1000,
      );
      if (relay) relayUsed.add(relay);
      const at = relay?.time ?? sent.time;
      for (const receiver of joined) {
        if (receiver.scenario === sender.scenario || receiver === sender) continue;
        if (!present(receiver, at)) continue;
        const got = receiver.records.find(
          (r) =>
            r.event === 'chat.message.received' &&
            !used.has(r) &&
            strField(r, 'nick') === sender.nick &&
            numField(r, 'bytes') === bytes &&
            r.time >= sent.time - 1000,
        );
        const params = { from: memberName(sender), to: memberName(receiver), bytes: bytes ?? '?' };
        if (got) {
          used.add(got);
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
  return result('chat', findings);
}

/** Was `s` in the chat at `t`? The server's view (its join and leave lines) when it has one. */
function present(s: ChatSession, t: number): boolean {
  const from = s.member?.joined.time ?? s.joined?.time ?? Infinity;
  const to = s.member?.left?.time ?? s.left?.time ?? Infinity;
  return from <= t && t <= to;
}

/** Every program logged how it ended: server.stopped, client.disconnected, chat.left. */
function stopCheck(model: LabModel): CheckResult {
  if (model.programs.length === 0) return na('stopped', 'na-programs');
  const findings: Finding[] = [];
  for (const p of model.programs) findings.push(stopFinding(model, p));
  return result('stopped', findings);
}

function stopFinding(model: LabModel, p: Program): Finding {
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
  const sessions: Array<EchoSession | ChatSession> = [
    ...model.echo.filter((s) => s.program === p),
    ...model.chat.filter((s) => s.program === p),
  ];
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

/** One line for a terminal: which checks failed (with their first failing finding), or that all pass. */
export function checkSummary<F extends { ok: boolean } = Finding>(
  results: ReadonlyArray<{ id: string; status: CheckStatus; findings: readonly F[] }>,
  describe: (f: F) => string,
): string {
  const failed = results.filter((r) => r.status === 'fail');
  const na = results.filter((r) => r.status === 'n/a').map((r) => r.id);
  const naText = na.length > 0 ? `; not applicable: ${na.join(', ')}` : '';
  if (failed.length === 0) {
    const passed = results.filter((r) => r.status === 'pass').map((r) => r.id);
    return `all checks pass (${passed.join(', ') || 'none applicable'})${naText}`;
  }
  const parts = failed.map((r) => {
    const f = r.findings.find((x) => !x.ok);
    return f ? `${r.id}: ${describe(f)}` : r.id;
  });
  return `${failed.length} of ${results.length} checks failed: ${parts.join('; ')}${naText}`;
}
