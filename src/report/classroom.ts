import { stat } from 'node:fs/promises';
import type { ChatSession, EchoSession, LabModel } from './aggregate.js';
import type { CheckResult, Finding } from './check.js';
import { addressOf, isLoopback } from './endpoint.js';
import { type AnalyseOptions, type Analysis, type ReportInput, analyse } from './index.js';
import type { LineSource } from './parse.js';
import { labError } from '../errors.js';
import { lazyLines, sourceName } from './sources.js';

/**
 * The scenario label of a student's clients that dial the teacher's server on another machine
 * (`docker compose --profile classroom up`, or LAB_SCENARIO=classroom by hand).
 */
export const CLASSROOM_SCENARIO = 'classroom';

/** Server events that belong to the server itself, not to one client: always kept. */
const SERVER_LIFE = /^server\./;

/**
 * The student's report with the teacher's server log as one more input. The teacher's log holds
 * the whole class; the report keeps of it only the server's own lines (start, bound sockets, stop)
 * and the connections and chat memberships that are this student's clients' (as the report pairs
 * them: the same endpoints, or through NAT the nearest in time with equal byte counts). Other
 * students' lines are blanked, keeping the line numbers of the teacher's file as evidence; so
 * no classmate's name or message ends up in this student's report.
 *
 * The logs are read twice: once to pair, once to report. The student's own logs are kept in memory
 * in between (one run's logs: kilobytes); the teacher's file is read again from disk.
 */
export async function analyseWithServerLog(
  inputs: readonly ReportInput[],
  serverLog: { name: string; lines: () => LineSource } | undefined,
  options: AnalyseOptions = {},
): Promise<Analysis> {
  if (!serverLog) return judgeClassroom(await analyse(inputs, options), false);
  const kept = inputs.map((i) => ({ name: i.name, lines: [] as string[] }));
  const recording = inputs.map((input, n) => ({
    name: input.name,
    lines: record(input.lines, (kept[n] as { lines: string[] }).lines),
  }));
  const first = await analyse([...recording, { name: serverLog.name, lines: serverLog.lines() }], options);
  const keep = studentLines(first.model, serverLog.name);
  const second = await analyse(
    [...kept, { name: serverLog.name, lines: blankExcept(serverLog.lines(), keep) }],
    options,
  );
  return judgeClassroom(second, true);
}

/**
 * Judges the `classroom` clients: with the server's log, like the remote scenario across real
 * machines, except that the server may see either address (see classroomCheck); without it, the
 * client's side only (n/a, never a failure: what the server saw is on the teacher's machine).
 * Their findings join the `remote` check. Logs without a classroom client are left as they are.
 */
export function judgeClassroom(analysis: Analysis, serverLog: boolean): Analysis {
  const found = classroomCheck(analysis.model, serverLog);
  if (!found) return analysis;
  const checks = analysis.checks.map((c): CheckResult => {
    if (c.id !== 'remote') return c;
    if (c.status === 'n/a' && !c.findings.some((f) => f.code === 'required')) return found;
    const findings = [
      ...c.findings.filter((f) => f.code !== 'required' && f.code !== 'na-scenario'),
      ...found.findings,
    ];
    const status = findings.some((f) => !f.ok) ? 'fail' : c.status === 'n/a' ? found.status : c.status;
    return { id: 'remote', status, findings };
  });
  return {
    ...analysis,
    checks,
    failed: checks.some((c) => c.status === 'fail') || analysis.wire?.check.status === 'fail',
  };
}

/**
 * The remote scenario across real machines, one finding per classroom client. With the server's
 * view: `classroom-direct` when the server saw the client's own address (the student's machine
 * on the teacher's network, routed without translation), `classroom-translated` when it saw
 * another (a NAT on the way: the Docker host in front of a container, the classroom's router),
 * a failure when it saw loopback (the client ran on the server's machine) or nothing. Without it:
 * `classroom-client-only`, the client's own address and the one it dialed.
 */
export function classroomCheck(model: LabModel, serverLog: boolean): CheckResult | undefined {
  const view = model.scenarios.find((s) => s.name === CLASSROOM_SCENARIO);
  const sessions: Array<EchoSession | ChatSession> = [...(view?.echo ?? []), ...(view?.chat ?? [])];
  if (sessions.length === 0) return undefined;
  const findings: Finding[] = [];
  for (const s of sessions) {
    const echo = 'connected' in s;
    const start = echo ? s.connected : s.joined;
    const client = `${s.program.label}${!echo && s.nick ? ` (${s.nick})` : ''}`;
    if (!start) {
      const code = s.error?.fields['code'];
      findings.push({
        ok: false,
        code: 'not-connected',
        params: { client, code: typeof code === 'string' ? code : '?' },
        evidence: s.error ? [s.error] : s.records.slice(0, 1),
      });
      continue;
    }
    const own = s.local ?? '?';
    const dialed = (echo ? s.remote : s.server) ?? '?';
    if (!serverLog) {
      findings.push({
        ok: true,
        code: 'classroom-client-only',
        params: { client, own, dialed },
        evidence: [start],
      });
      continue;
    }
    const serverSide = echo ? s.server?.accepted : s.member?.joined;
    const seen = echo ? s.server?.remote : s.member?.remote;
    if (!serverSide || !seen) {
      findings.push({ ok: false, code: 'no-server-view', params: { client, own }, evidence: [start] });
      continue;
    }
    const params = { client, own, dialed, seen };
    const evidence = [start, serverSide];
    if (isLoopback(seen)) findings.push({ ok: false, code: 'vm-loopback', params, evidence });
    else if (own !== '?' && addressOf(own) === addressOf(seen))
      findings.push({ ok: true, code: 'classroom-direct', params, evidence });
    else findings.push({ ok: true, code: 'classroom-translated', params, evidence });
  }
  const failed = findings.some((f) => !f.ok);
  return { id: 'remote', status: failed ? 'fail' : serverLog ? 'pass' : 'n/a', findings };
}

/** What of the teacher's log to keep: line numbers, and connections by `pid:connId`. */
interface Keep {
  lines: Set<number>;
  conns: Set<string>;
}

/**
 * The lines of `source` that are the server's own or about one of the student's clients, and the
 * student's connections (the reader folds the middle of long data runs, whose lines are then found
 * by their connection).
 */
function studentLines(model: LabModel, source: string): Keep {
  const keep = new Set<number>();
  const conns = new Set<string>();
  const add = (records: readonly { source: string; line: number }[]) => {
    for (const r of records) if (r.source === source) keep.add(r.line);
  };
  for (const r of model.timeline.records)
    if (r.source === source && SERVER_LIFE.test(r.event)) keep.add(r.line);
  for (const c of model.conns) {
    if (!c.client || c.program.source !== source) continue;
    add(c.records);
    conns.add(`${c.program.pid ?? ''}:${c.connId}`);
  }
  for (const m of model.members) if (m.client) add(m.records);
  return { lines: keep, conns };
}

/** Passes the lines through, remembering them. */
async function* record(lines: LineSource, into: string[]): AsyncGenerator<string[]> {
  for await (const batch of lines) {
    const list = typeof batch === 'string' ? [batch] : [...batch];
    into.push(...list);
    yield list;
  }
}

/**
 * Every line not in `keep` (1-based numbers) becomes empty: the parser skips blank lines without
 * counting them, and the kept lines keep their numbers in the teacher's file.
 */
async function* blankExcept(lines: LineSource, keep: Keep): AsyncGenerator<string[]> {
  let n = 0;
  for await (const batch of lines) {
    const list = typeof batch === 'string' ? [batch] : batch;
    yield list.map((l) => (keep.lines.has(++n) || ofKeptConn(l, keep.conns) ? l : ''));
  }
}

function ofKeptConn(line: string, conns: ReadonlySet<string>): boolean {
  if (conns.size === 0 || !line.includes('"connId"')) return false;
  try {
    const o = JSON.parse(line) as { pid?: unknown; connId?: unknown };
    return conns.has(`${typeof o.pid === 'number' ? o.pid : ''}:${String(o.connId)}`);
  } catch {
    return false; // not JSON: not one of this student's lines either
  }
}

/**
 * The teacher's log as an input beside `inputs`: read lazily (twice), named after its file, with
 * ` (server log)` added when one of the student's own files has that name.
 */
export async function serverLogInput(
  file: string,
  inputs: readonly ReportInput[],
): Promise<{ name: string; lines: () => LineSource }> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT'
      ? labError('input-missing', { path: file }, { cause: err })
      : labError('input-unreadable', { path: file, reason: err.code ?? String(err) }, { cause: err });
  });
  if (!info.isFile()) throw labError('server-log-not-a-file', { file });
  let name = sourceName(file);
  if (inputs.some((i) => i.name === name)) name += ' (server log)';
  return { name, lines: () => lazyLines(file) };
}
