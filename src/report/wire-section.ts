/**
 * The report's packet view (issue 12): captures found beside the logs, one "On the wire" section
 * per scenario built with src/wire's explainWire, and the `wire` check (TCP payload bytes on the
 * wire against the server's socket counts). Kept apart from markdown.ts so the document can place
 * the sections where it wants (wireScenarioSection) while render() appends them when it does not.
 *
 * The `wire` check is a parallel check, not one of CHECK_IDS: runChecks is pure over the logs,
 * while this one needs capture files read from disk; and a classroom submission carries no
 * capture, so a grade sheet column for it would always be empty.
 */
import { readdir, stat } from 'node:fs/promises';
import { readNote } from '../wire/files.js';
import { join } from 'node:path';
import type { Lang } from '../text/lang.js';
import { count } from '../text/plural.js';
import {
  type AnalysedCapture,
  type CaptureInput,
  type CrossCheck,
  type Flows,
  type HopRelation,
  type SocketCount,
  type SocketPortions,
  analyseCaptureFile,
  crossCheckBytes,
  endpointString,
  explainCaptureProblem,
  relateCaptures,
  socketPortionsFromLog,
} from '../wire/index.js';
import { type ChatHandshake, type ExitClose, type Topic, lastPacketMs, wireBlocks } from '../wire/explain.js';
import { normaliseEndpoint } from '../wire/crosscheck.js';
import { plainAddress } from '../net/address.js';
import { type LabModel, NO_SCENARIO, numField, strField } from './aggregate.js';
import { ownParts } from './identity.js';
import { endSignal, ownRuns } from './own-checks.js';
import type { CheckStatus } from './check.js';
import { code, heading, list, prose, text } from './document/build.js';
import type { Block, Inline } from './document/model.js';

/** Which side of the lab a capture file watched, from its name (`<prefix>-capture-server.pcap`). */
export type CaptureSide = 'server' | 'remote';

/** The capture artefacts of the log directories: capture files and `.off` notes (capture was off). */
export interface CaptureFiles {
  files: Array<{ side: CaptureSide; path: string; name: string }>;
  /** `<prefix>-capture-<side>.off`: capture was off; its first line says why. */
  off: Array<{ side: CaptureSide; name: string; reason: string }>;
}

const CAPTURE_FILE = /\.(pcap|pcapng)$/;
const OFF_FILE = /capture-([a-z0-9]+)\.off$/;

const SIDE_RU: Record<CaptureSide, string> = { server: 'сервера', remote: 'удалённых клиентов' };

function sideOf(name: string): CaptureSide {
  return /capture-remote/.test(name) ? 'remote' : 'server';
}

/**
 * The captures beside the logs: `*.pcap` / `*.pcapng` and `*-capture-*.off` in every directory
 * among the report's arguments (files and standard input have no "beside"). Undefined when the
 * directories hold none of them: logs from before captures, nothing to say about packets.
 */
export async function findCaptures(args: readonly string[]): Promise<CaptureFiles | undefined> {
  const found: CaptureFiles = { files: [], off: [] };
  for (const arg of args) {
    if (arg === '-') continue;
    const info = await stat(arg).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    for (const name of (await readdir(arg)).sort()) {
      const path = join(arg, name);
      if (CAPTURE_FILE.test(name)) found.files.push({ side: sideOf(name), path, name });
      else if (OFF_FILE.test(name)) {
        // At most the note's first 4 KiB, and only from a regular file (see readNote).
        const reason = (await readNote(path))?.trim() || 'capture was off';
        found.off.push({ side: sideOf(name), name, reason });
      }
    }
  }
  return found.files.length + found.off.length > 0 ? found : undefined;
}

/** One statement of the wire check, already in both languages (the check's text lives here). */
export interface WireFinding {
  ok: boolean;
  en: string;
  ru: string;
}

/** The `wire` check: same shape as a CheckResult, its own id. */
export interface WireCheckResult {
  id: 'wire';
  status: CheckStatus;
  findings: WireFinding[];
}

/** One read capture, with how the report names it. */
interface ReadCapture {
  side: CaptureSide;
  name: string;
  read: AnalysedCapture | undefined;
  absentReason?: string;
}

/** Everything the report says about packets. */
export interface WireAnalysis {
  /** What was found beside the logs (also the `.off` notes). */
  files: CaptureFiles;
  captures: ReadCapture[];
  /** The server's TCP and UDP ports (from `server.listening`). */
  serverPorts: number[];
  /** The server's UDP ports alone (the chat's). */
  udpPorts: number[];
  /** Per scenario (the report's scenario names), the section body inputs. */
  scenarios: Map<string, ScenarioWire>;
  check: WireCheckResult;
  /** The server capture's flows (all of them), for control question 5. */
  serverFlows: Flows | undefined;
}

interface ScenarioWire {
  server: Flows | undefined;
  crossCheck: CrossCheck | undefined;
  hop: HopRelation | undefined;
  remote: boolean;
}

/** "::ffff:10.0.0.1:5000" -> "10.0.0.1:5000", as flows.ts writes endpoints. */
function endpoint(remote: string): string {
  const i = remote.lastIndexOf(':');
  if (i < 0) return remote;
  return endpointString(
    plainAddress(remote.slice(0, i).replace(/^\[|\]$/g, '')),
    Number(remote.slice(i + 1)),
  );
}

function usable(c: ReadCapture | undefined): Flows | undefined {
  return c?.read?.result.ok ? c.read.flows : undefined;
}

/** One clear line about a capture that is missing, off or unreadable; undefined when it was read. */
function captureLine(
  c: ReadCapture | undefined,
  side: CaptureSide,
  files: CaptureFiles,
  lang: Lang,
): string | undefined {
  if (!c) {
    const off = files.off.find((o) => o.side === side);
    if (off)
      return lang === 'en'
        ? `no ${side} capture: capture was off (${off.name}: ${off.reason})`
        : `захвата на стороне ${SIDE_RU[side]} нет: захват был выключен (${off.name}: ${off.reason})`;
    return lang === 'en'
      ? `no ${side} capture beside the logs (expected *-capture-${side}.pcap)`
      : `захвата на стороне ${SIDE_RU[side]} рядом с журналами нет (ожидался файл *-capture-${side}.pcap)`;
  }
  const r = c.read?.result;
  if (r && !r.ok) return explainCaptureProblem(c.name, r.problem, lang).replace(/\.$/, '');
  return undefined;
}

/**
 * Reads the captures (streaming, bounded memory) and relates them to the logs: each connection of
 * the server capture belongs to the scenario of the client whose connection the server logged
 * with that endpoint (`tcp.connection.accepted` remote = the 4-tuple the server's namespace saw).
 */
export async function analyseWire(model: LabModel, files: CaptureFiles): Promise<WireAnalysis> {
  const captures: ReadCapture[] = [];
  for (const side of ['server', 'remote'] as const) {
    const f = files.files.find((x) => x.side === side);
    if (!f) continue;
    // A capture that cannot be opened at all is a problem of that capture, not of the report.
    const read = await analyseCaptureFile(f.path).catch((err: NodeJS.ErrnoException) => {
      captures.push({ side, name: f.name, read: undefined, absentReason: err.code ?? String(err) });
      return undefined;
    });
    if (read) captures.push({ side, name: f.name, read });
  }
  const server = captures.find((c) => c.side === 'server');
  const remote = captures.find((c) => c.side === 'remote');
  const serverFlows = usable(server);
  const remoteFlows = usable(remote);

  // The ports the lab's servers served: ours (server.listening), or a student's own server in its
  // place (own.listening of its role; server.replaced names the port ours left to it).
  const served: Array<{ protocol: string | undefined; port: number | undefined }> = [
    ...model.servers
      .flatMap((s) => s.listening)
      .map((r) => ({ protocol: strField(r, 'protocol'), port: numField(r, 'port') })),
    ...model.timeline.records
      .filter((r) => r.event === 'own.listening' || r.event === 'server.replaced')
      .map((r) => ({
        protocol:
          r.event === 'server.replaced'
            ? strField(r, 'protocol')
            : strField(r, 'role') === 'chat-server'
              ? 'udp'
              : 'tcp',
        port: numField(r, 'port'),
      })),
  ];
  const portsOf = (protocol?: string) => [
    ...new Set(
      served
        .filter((s) => protocol === undefined || s.protocol === protocol)
        .map((s) => s.port)
        .filter((p): p is number => p !== undefined),
    ),
  ];
  const serverPorts = portsOf();
  const udpPorts = portsOf('udp');
  const tcpPort = portsOf('tcp')[0];

  // Which scenario each endpoint the server saw belongs to.
  const scenarioOf = new Map<string, string>();
  const countsOf = new Map<string, SocketCount[]>();
  for (const c of model.conns) {
    if (!c.remote) continue;
    const name = c.client?.scenario ?? NO_SCENARIO;
    scenarioOf.set(endpoint(c.remote), name);
    const bytesIn = numField(c.closed, 'bytesIn');
    const bytesOut = numField(c.closed, 'bytesOut');
    if (bytesIn === undefined || bytesOut === undefined) continue;
    countsOf.set(name, [
      ...(countsOf.get(name) ?? []),
      {
        remote: c.remote,
        bytesIn,
        bytesOut,
        connId: c.connId,
        ...(c.closed?.fields.reset === true ? { reset: true } : {}),
      },
    ]);
  }
  for (const m of model.members) scenarioOf.set(endpoint(m.remote), m.client?.scenario ?? NO_SCENARIO);
  // A student's own server logs no connection of ours: a client's scenario is then found by its
  // port, which every client (ours or theirs) logs and which the router keeps across its NAT.
  const byPort = new Map<string, string>();
  for (const c of [...model.echo, ...model.chat, ...ownParts(model.timeline.records).clients]) {
    const port = c.local?.slice(c.local.lastIndexOf(':') + 1);
    if (port && c.scenario) byPort.set(port, c.scenario);
  }
  // No closing line of ours: a student's traced echo server's own counts, per accepted connection
  // (the peer accept() returned; its reads and writes on that fd until its close()).
  const fromTrace = countsOf.size === 0;
  if (fromTrace)
    for (const c of ownServerCounts(model)) {
      const name = byPort.get(c.remote.slice(c.remote.lastIndexOf(':') + 1)) ?? NO_SCENARIO;
      countsOf.set(name, [...(countsOf.get(name) ?? []), c]);
    }
  const scenarioOfClient = (e: string) =>
    scenarioOf.get(e) ?? (scenarioOf.size === 0 ? byPort.get(e.slice(e.lastIndexOf(':') + 1)) : undefined);

  const scenarios = new Map<string, ScenarioWire>();
  const names = [...model.scenarios.map((s) => s.name), ...countsOf.keys()];
  const comparisons: CrossCheck['comparisons'] = [];
  for (const name of new Set(names)) {
    const isRemote = name === 'remote';
    const mine = serverFlows && {
      tcp: serverFlows.tcp.filter((c) => scenarioOfClient(c.client) === name),
      udp: serverFlows.udp.filter((u) => scenarioOfClient(u.a) === name || scenarioOfClient(u.b) === name),
      otherPackets: 0,
    };
    const counts = countsOf.get(name) ?? [];
    // The other scenarios' closing lines are logged too: their connections are theirs, not unlogged.
    const others = [...countsOf]
      .filter(([other]) => other !== name)
      .map(([other, c]) => ({ owner: other === NO_SCENARIO ? undefined : other, counts: c }));
    const crossCheck =
      serverFlows && counts.length > 0
        ? crossCheckBytes(serverFlows, counts, {
            others,
            ...(tcpPort !== undefined ? { serverPort: tcpPort } : {}),
          })
        : undefined;
    if (crossCheck) for (const x of crossCheck.comparisons) comparisons.push(x);
    const hop =
      isRemote && mine && remoteFlows ? relateCaptures(remoteFlows, mine, { serverPorts }) : undefined;
    if (mine && mine.tcp.length + mine.udp.length === 0 && !isRemote) continue;
    scenarios.set(name, { server: mine, crossCheck, hop, remote: isRemote });
  }

  const check = wireCheck(files, server, comparisons, countsOf.size > 0, fromTrace);
  return { files, captures, serverPorts, udpPorts, scenarios, check, serverFlows };
}

function wireCheck(
  files: CaptureFiles,
  server: ReadCapture | undefined,
  comparisons: CrossCheck['comparisons'],
  logged: boolean,
  fromTrace = false,
): WireCheckResult {
  const line = (lang: Lang) => captureLine(server, 'server', files, lang);
  const en = line('en');
  if (en !== undefined)
    return { id: 'wire', status: 'n/a', findings: [{ ok: true, en, ru: line('ru') ?? en }] };
  if (!logged || comparisons.length === 0) {
    return {
      id: 'wire',
      status: 'n/a',
      findings: [
        {
          ok: true,
          en: 'no closed TCP connection in the server log (nor a close() in a traced server of yours) to compare with the capture',
          ru: 'ни в журнале сервера, ни в трассировке вашего сервера (close()) нет закрытых TCP-соединений, которые можно сравнить с захватом',
        },
      ],
    };
  }
  const dirEn = (d: string) => (d === 'client-to-server' ? 'client → server' : 'server → client');
  const dirRu = (d: string) => (d === 'client-to-server' ? 'клиент → сервер' : 'сервер → клиент');
  const findings = comparisons.map((c): WireFinding => ({
    ok: c.ok,
    en: `${c.remote} ${dirEn(c.direction)}: ${fromTrace ? "your server's traced reads and writes" : 'socket log'} ${c.logged} bytes, on the wire ${c.onWire ?? 'none'}${c.ackedNotCaptured ? `, the other ${c.ackedNotCaptured} acknowledged by the peer (the capture dropped them)` : ''}${c.ok ? '' : ` (${c.reason ?? 'bytes-differ'})`}`,
    ru: `${c.remote} ${dirRu(c.direction)}: ${fromTrace ? 'по трассировке вашего сервера (чтения и записи)' : 'по журналу сокетов'} ${count('ru', c.logged, 'byte')}, в захвате ${c.onWire === undefined ? 'нет' : count('ru', c.onWire, 'byte')}${c.ackedNotCaptured ? `, остальные ${count('ru', c.ackedNotCaptured, 'byte')} подтверждены другой стороной (захват их пропустил)` : ''}${c.ok ? '' : ` (${c.reason ?? 'bytes-differ'})`}`,
  }));
  return { id: 'wire', status: findings.every((f) => f.ok) ? 'pass' : 'fail', findings };
}

const SECTION_TITLE = { en: 'On the wire', ru: 'В сети' } as const;

const WIRE_CHECK_TITLE = {
  en: 'Check: bytes on the wire equal the socket log',
  ru: 'Проверка: байты в сети равны счётчикам журнала сокетов',
} as const;

/** The capture's check's title (its heading, its row in the checks table). */
export function wireCheckTitle(lang: Lang): string {
  return WIRE_CHECK_TITLE[lang];
}

/**
 * The capture's check as the report counts it with the others (Ctx.extraChecks): its id, status,
 * title and first failing (else first) finding.
 */
export function wireCheckEntry(check: WireCheckResult): {
  id: string;
  status: WireCheckResult['status'];
  title: { en: string; ru: string };
  finding?: { en: string; ru: string };
} {
  const f = check.findings.find((x) => !x.ok) ?? check.findings[0];
  const more = check.findings.length - 1;
  return {
    id: check.id,
    status: check.status,
    title: { ...WIRE_CHECK_TITLE },
    ...(f
      ? {
          finding: {
            en:
              f.en +
              (more > 0
                ? ` (and ${count('en', more, { one: 'comparison', other: 'comparisons' })} more)`
                : ''),
            ru:
              f.ru +
              (more > 0
                ? ` (и ещё ${count('ru', more, { one: 'сравнение', few: 'сравнения', many: 'сравнений', other: 'сравнения' })})`
                : ''),
          },
        }
      : {}),
  };
}

/** The lab's chat logs its join exchange (server: cookie sent, member joined; client: joined). */
const HANDSHAKE_EVENTS = new Set(['udp.cookie.sent', 'udp.member.joined', 'chat.joined']);

const READ_CALLS = new Set(['read', 'recv', 'recvfrom', 'recvmsg', 'readv']);
const WRITE_CALLS = new Set(['write', 'send', 'sendto', 'sendmsg', 'writev']);

/**
 * A student's echo server's byte counts per connection, from its trace: each accept() opens one
 * (its new fd, the peer it returned), each read or write on that fd that returned bytes adds them,
 * its close() ends it. Only connections it closed are counted (a count is final only then).
 */
export function ownServerCounts(model: LabModel): SocketCount[] {
  const out: SocketCount[] = [];
  const open = new Map<string, { remote: string; bytesIn: number; bytesOut: number }>();
  for (const r of model.timeline.records) {
    if (r.event !== 'own.call' || strField(r, 'role') !== 'echo-server') continue;
    const call = strField(r, 'call') ?? '';
    const result = numField(r, 'result');
    const pid = `${r.source}/${numField(r, 'ownPid') ?? ''}`;
    if (call === 'accept' || call === 'accept4') {
      const fd = numField(r, 'newFd') ?? result;
      const peer = strField(r, 'peer');
      if (fd !== undefined && fd >= 0 && peer)
        open.set(`${pid}/${fd}`, { remote: peer, bytesIn: 0, bytesOut: 0 });
      continue;
    }
    const key = `${pid}/${numField(r, 'fd') ?? ''}`;
    const conn = open.get(key);
    if (!conn) continue;
    if (READ_CALLS.has(call) && result !== undefined && result > 0) conn.bytesIn += result;
    else if (WRITE_CALLS.has(call) && result !== undefined && result > 0) conn.bytesOut += result;
    else if (call === 'close' && result === 0) {
      out.push(conn);
      open.delete(key);
    }
  }
  return out;
}

/** The client endpoints (as the capture writes them) whose closing our server's log records. */
function closedInLogOf(model: LabModel): Set<string> {
  const out = new Set<string>();
  for (const r of model.timeline.records) {
    const remote = r.event === 'tcp.connection.closed' ? strField(r, 'remote') : undefined;
    if (remote) out.add(normaliseEndpoint(remote));
  }
  return out;
}

/**
 * Whether the chat's datagrams in this run include the lab protocol's join exchange; if not, whose
 * plain text chat it was (the student's programs', or the lab's with `--protocol plain`, whose
 * lines say `protocol: plain`); undefined when no chat program's lines say.
 */
export function chatHandshakeOf(model: LabModel): ChatHandshake | undefined {
  const records = model.timeline.records;
  if (records.some((r) => HANDSHAKE_EVENTS.has(r.event) && strField(r, 'protocol') !== 'plain')) return 'lab';
  if (ownChatRan(model)) return 'own';
  if (records.some((r) => HANDSHAKE_EVENTS.has(r.event))) return 'plain';
  return undefined;
}

/** Whether a student's own chat program (client or server) ran: the runner's `own.*` lines of that role. */
export function ownChatRan(model: LabModel): boolean {
  return model.timeline.records.some((r) => {
    if (!r.event.startsWith('own.')) return false;
    const role = strField(r, 'role');
    return role === 'chat-client' || role === 'chat-server';
  });
}

/** The name of a scenario's "On the wire" part, for a document that places it itself. */
export function wireSectionTitle(lang: Lang): string {
  return SECTION_TITLE[lang];
}

/**
 * The "On the wire" body of one scenario (without a heading), or undefined when the captures
 * hold nothing of it. `portions` come from the server's log (socketPortionsFromLog).
 */
export function wireScenarioSection(
  wire: WireAnalysis,
  model: LabModel,
  scenario: string,
  lang: Lang,
  said?: Map<Topic, string | undefined>,
): Block[] | undefined {
  const s = wire.scenarios.get(scenario);
  if (!s) return undefined;
  const server = wire.captures.find((c) => c.side === 'server');
  const remote = wire.captures.find((c) => c.side === 'remote');
  const inputs: CaptureInput[] = [];
  if (server?.read)
    inputs.push({
      name: server.name,
      result: server.read.result,
      ...(s.server ? { flows: s.server } : {}),
      lastMs: lastPacketMs(server.read.flows),
    });
  if (s.remote && remote?.read)
    inputs.push({ name: remote.name, result: remote.read.result, flows: remote.read.flows });
  if (inputs.length === 0) return undefined;
  const closedAtExit = closedAtExitOf(model, scenario, [
    ...(s.server?.tcp ?? []),
    ...(s.remote && remote?.read ? remote.read.flows.tcp : []),
  ]);
  return wireBlocks({
    lang,
    ...(said ? { said } : {}),
    place: scenario,
    portionsOf: ownEchoServerRan(model) ? 'own' : 'lab',
    ...(closedAtExit.size > 0 ? { closedAtExit } : {}),
    captures: inputs,
    chatHandshake: chatHandshakeOf(model),
    closedInLog: closedInLogOf(model),
    labCompose: true,
    serverPorts: wire.serverPorts,
    ...(s.crossCheck ? { crossCheck: s.crossCheck } : {}),
    ...(s.hop ? { hop: s.hop } : {}),
    portions: serverPortions(model),
  });
}

/** A student's echo server ran in our server's place (its portions are its own reads). */
function ownEchoServerRan(model: LabModel): boolean {
  return model.timeline.records.some(
    (r) => r.event === 'own.program.started' && strField(r, 'role') === 'echo-server',
  );
}

/**
 * The TCP connections of `scenario` (by the client endpoint each capture writes) whose client is a
 * student's traced echo client that never called close() or shutdown() on that socket and then
 * ended: the kernel closed the socket as the process exited. A capture's endpoint is matched to
 * the client's own end by its port (the router's NAT keeps it), among this scenario's clients.
 */
export function closedAtExitOf(
  model: LabModel,
  scenario: string,
  connections: ReadonlyArray<{ client: string }>,
): Map<string, ExitClose> {
  // Per run of an echo client: its sockets' own ends, open or closed, and how the program ended.
  interface Sock {
    local?: string;
    closed: boolean;
  }
  const runs: Array<{ socks: Map<string, Sock>; ended?: ExitClose }> = [];
  for (const own of ownRuns(model.timeline.records)) {
    if (own.role !== 'echo-client' || (own.scenario ?? NO_SCENARIO) !== scenario) continue;
    const run: { socks: Map<string, Sock>; ended?: ExitClose } = { socks: new Map() };
    if (own.exited) run.ended = { signal: endSignal(own.exited) !== undefined };
    runs.push(run);
    for (const r of own.calls) {
      const call = strField(r, 'call') ?? '';
      const fd = `${numField(r, 'ownPid') ?? ''}/${numField(r, 'fd') ?? ''}`;
      if (call === 'connect') {
        run.socks.set(fd, { closed: false });
        continue;
      }
      const sock = run.socks.get(fd);
      if (!sock) continue;
      sock.local ??= strField(r, 'local');
      // A close() or shutdown() of its own, whatever it returned: the program did close it.
      if (call === 'close' || call === 'shutdown') {
        sock.closed = true;
        run.socks.delete(fd);
        if (sock.local) run.socks.set(`closed/${sock.local}`, sock);
      }
    }
  }
  const byPort = new Map<string, ExitClose | null>();
  for (const run of runs)
    for (const sock of run.socks.values()) {
      const port = sock.local?.slice(sock.local.lastIndexOf(':') + 1);
      if (!port) continue;
      // Two clients on one port in one scenario: say nothing of either.
      const mark = run.ended && !sock.closed ? run.ended : null;
      byPort.set(port, byPort.has(port) ? null : mark);
    }
  const out = new Map<string, ExitClose>();
  for (const c of connections) {
    const mark = byPort.get(c.client.slice(c.client.lastIndexOf(':') + 1));
    if (mark) out.set(c.client, mark);
  }
  return out;
}

function serverPortions(model: LabModel): Map<string, SocketPortions> {
  const records = model.conns.flatMap((c) => c.records);
  return socketPortionsFromLog(records as unknown as Array<Record<string, unknown>>);
}

/** The check's line for a terminal, in English: what `summary` adds. */
export function describeWireFinding(f: WireFinding): string {
  return f.en;
}

/**
 * The whole packet part of the report: which captures were found, each scenario's section and the
 * wire check. The report places it after the course sections.
 */
export function wireSection(wire: WireAnalysis, model: LabModel, lang: Lang): Block[] {
  const en = lang === 'en';
  const out: Block[] = [heading(2, SECTION_TITLE[lang])];
  const found: Inline[][] = [];
  for (const side of ['server', 'remote'] as const) {
    const c = wire.captures.find((x) => x.side === side);
    // Off, absent, or unreadable: one line each, never a crash.
    const problem = captureLine(c, side, wire.files, lang);
    if (problem !== undefined) {
      if (c || side === 'server' || wire.files.off.some((o) => o.side === side))
        found.push([text(`${problem}.`)]);
      continue;
    }
    const packets = c?.read?.result.ok ? c.read.result.capture.packetCount : 0;
    found.push(
      en
        ? prose`${side} capture: ${code(c?.name ?? '?')}, ${packets} IP packets (open it in Wireshark).`
        : prose`захват на стороне ${SIDE_RU[side]}: ${code(c?.name ?? '?')}, IP-пакетов: ${packets} (его можно открыть в Wireshark).`,
    );
  }
  // AFS owns UDP 7000-7009: Wireshark and tcpdump decode datagrams on those ports as its RX
  // protocol, so a student who opens the capture would not see the chat without being told.
  const rx = wire.udpPorts.filter((p) => p >= 7000 && p <= 7009);
  if (found.length > 0 && rx.length > 0 && wire.captures.some((x) => x.read?.result.ok))
    found.push(
      en
        ? prose`Wireshark and tcpdump decode UDP on ports 7000–7009 as RX, the protocol of the AFS file system, so the chat’s datagrams to port ${rx.join(', ')} show as RX, not as chat text: in Wireshark turn RX off (Analyze › Enabled Protocols) or use Decode As; ${code('tcpdump -n -q -r <file>')} shows them as plain UDP. This report reads the files itself and is not affected.`
        : prose`Wireshark и tcpdump разбирают UDP на портах 7000–7009 как RX — протокол файловой системы AFS, поэтому дейтаграммы чата на порт ${rx.join(', ')} показываются как RX, а не как текст чата: в Wireshark отключите RX (Analyze › Enabled Protocols) или воспользуйтесь Decode As; ${code('tcpdump -n -q -r <файл>')} покажет их как обычный UDP. Этот отчёт читает файлы сам, его это не касается.`,
    );
  if (found.length > 0) out.push(list(found));
  const server = wire.captures.find((x) => x.side === 'server');
  if (server?.read?.result.ok) {
    // The general explanations (MSS, segments, UDP, the comparison) once, in the first scenario.
    const said = new Map<Topic, string | undefined>();
    for (const [name, s] of wire.scenarios) {
      // Skipped before it is made: a scenario not shown must not have said the explanations.
      if (!s.server && !s.remote) continue;
      const body = wireScenarioSection(wire, model, name, lang, said);
      if (!body) continue;
      out.push(heading(3, prose`${en ? 'Scenario' : 'Сценарий'} ${code(name)}`), ...body);
    }
  }
  const status = {
    pass: en ? '✅ pass' : '✅ пройдена',
    fail: en ? '❌ fail' : '❌ не пройдена',
    'n/a': en ? '➖ not applicable' : '➖ неприменима',
  };
  out.push(heading(3, `${wireCheckTitle(lang)}: ${status[wire.check.status]}`));
  if (wire.check.findings.length > 0)
    out.push(list(wire.check.findings.map((f) => `${f.ok ? '✅' : '❌'} ${en ? f.en : f.ru}`)));
  return out;
}
