/**
 * The appendix: the evidence behind the course sections. Sources, the server, each scenario
 * (addresses, byte counts, sequence diagram, timeline), the chat across networks, every check with
 * the lines that show it, and what the reader skipped.
 */
import type { Lang } from '../../../log/events.js';
import {
  type ChatSession,
  type EchoSession,
  type LabModel,
  type ScenarioView,
  numField as num,
  strField as str,
} from '../../aggregate.js';
import { natGaps } from '../../chat-nat.js';
import { type Finding, checkCounts } from '../../check.js';
import type { SourceRef } from '../../own-source.js';
import { OWN_WHERE } from '../../own-texts.js';
import { sessionDiagramParts } from '../../diagram.js';
import { sequenceDiagram } from '../../mermaid.js';
import { DATA_EVENTS, type LogRecord, SKIP_CAUSES, weight } from '../../parse.js';
import { sequenceSvg } from '../../svg.js';
import { REPORT_TEXTS, TEXTS, type Texts, shownStatus } from '../../texts.js';
import { decodePreview } from '../../../own/strace.js';
import { code, figure, fill, heading, join, list, paragraph, prose, proseOf, table, text } from '../build.js';
import type { Block, Inline, ListItem } from '../model.js';
import { type Ctx, REPORT_REVISION, clock, explainRecord, own, runsOf, stamp, zoneOf } from './context.js';

/** Timeline runs of more data lines than this show their first and last few only. */
export const TIMELINE_RUN_LIMIT = 20;
const TIMELINE_RUN_KEEP = 6;

const HIDDEN_FIELDS = new Set(['preview', 'config', 'version']);
const OWN_CALL_HIDDEN = new Set([
  ...HIDDEN_FIELDS,
  'at',
  'startedAt',
  'durationMs',
  'ownPid',
  'family',
  'type',
  'role',
]);

/** One evidence line: where it is, the event, and its fields (each a code span). */
export function evidence(r: LogRecord): Inline[] {
  // A traced call reads best as strace writes it: the call, its fd, what it asked and returned;
  // the clock readings (`at`, `startedAt`: ms since 1970) are the timeline's, not a reader's.
  const hidden = r.event === 'own.call' ? OWN_CALL_HIDDEN : HIDDEN_FIELDS;
  const fields = Object.entries(r.fields)
    .filter(([k]) => !hidden.has(k))
    .map(
      ([k, v]) =>
        `${k}=${r.event === 'own.call' && k === 'data' && typeof v === 'string' ? ownData(v) : typeof v === 'string' ? v : JSON.stringify(v)}`,
    )
    .join(' ');
  const cut = fields.length > 160 ? `${fields.slice(0, 157)}...` : fields;
  return prose`${code(`${r.source}:${r.line}`)} ${code(r.event)}${cut ? prose` ${code(cut)}` : []}`;
}

/**
 * A traced call's data as its text: strace writes bytes as octal escapes (`\\320\\237`), which
 * no reader can read; decoded, then escaped for display as every logged text is (`\\n`, quotes).
 */
function ownData(v: string): string {
  const d = decodePreview(v);
  return `${JSON.stringify(d.text)}${d.truncated ? '…' : ''}`;
}

/** The line of the student's code a finding points at, and how sure that is. */
export function whereRuns(w: SourceRef, lang: Lang): Inline[] {
  return prose`${OWN_WHERE[lang][w.how]} ${code(`${w.path}:${w.line}`)} ${code(w.text)}`;
}

/** A finding's sentence, every value from the logs as text. */
/**
 * A check's title as runs: titles mark commands as code (`exit`), so they are read as prose; given
 * as a plain string, the renderer would escape the backticks and show them literally.
 */
export function titleRuns(t: Texts, id: keyof Texts['checkTitle']): Inline[] {
  return proseOf([t.checkTitle[id]], []);
}

export function findingRuns(f: Finding, t: Texts): Inline[] {
  return fill(t.finding[f.code], f.params);
}

/** The sequence diagram of some sessions: Mermaid for Markdown, SVG for the page. */
function diagramFigure(model: LabModel, sessions: ReadonlyArray<EchoSession | ChatSession>, t: Texts): Block {
  const { participants, steps } = sessionDiagramParts(model, sessions, t);
  const truncated = (n: number) => t.diagram.truncated({ n });
  return figure({
    mermaid: sequenceDiagram(participants, steps, { truncated }),
    svg: sequenceSvg(participants, steps, { truncated }),
  });
}

function chatTable(chatters: readonly ChatSession[], t: Texts): Block {
  return table(
    t.chatBytesHeader,
    chatters.map((s) => {
      const sent = s.records.filter((r) => r.event === 'chat.message.sent');
      const got = s.records.filter((r) => r.event === 'chat.message.received');
      const sum = (rs: LogRecord[]) => rs.reduce((n, r) => n + (num(r, 'bytes') ?? 0), 0);
      const copies = (s.member?.records ?? [])
        .filter((r) => r.event === 'udp.message.relayed')
        .reduce((n, r) => n + (num(r, 'recipients') ?? 0), 0);
      return [
        `${s.nick ?? '?'} · ${s.program.label} (${s.scenario})`,
        `${sent.length} (${sum(sent)})`,
        `${got.length} (${sum(got)})`,
        s.member ? String(copies) : '?',
      ];
    }),
  );
}

/**
 * A timeline: its heading, the note on its order before the first one of the report (rows are in
 * causal order, and a cause can be stamped later than its effect), and its table.
 */
function timelineBlocks(
  records: readonly LogRecord[],
  lang: Lang,
  t: Texts,
  first: { done: boolean },
): Block[] {
  const out: Block[] = [heading(4, t.timelineHeading)];
  if (!first.done) out.push(paragraph(runsOf(REPORT_TEXTS.timelineOrder[lang]({}))));
  first.done = true;
  out.push(timelineTable(records, lang, t));
  return out;
}

function timelineTable(records: readonly LogRecord[], lang: Lang, t: Texts): Block {
  const rows: Inline[][][] = [];
  const toRow = (r: LogRecord) => [
    // A traced call is stamped by strace when it happened (`at`); the runner logs it a moment later.
    [text(clock(typeof r.fields.at === 'number' && r.event === 'own.call' ? r.fields.at : r.time))],
    [code(r.source)],
    [code(r.event)],
    [text(explainRecord(r, lang))],
  ];
  let i = 0;
  while (i < records.length) {
    let j = i;
    // A run counts the lines the reader left out too, so that its size is the log's.
    let run = 0;
    for (; j < records.length && DATA_EVENTS.has((records[j] as LogRecord).event); j++)
      run += weight(records[j] as LogRecord);
    if (run > TIMELINE_RUN_LIMIT) {
      const keep = Math.min(TIMELINE_RUN_KEEP, Math.floor((j - i) / 2));
      for (const r of records.slice(i, i + keep)) rows.push(toRow(r));
      rows.push([[], [], [], [text(t.collapsedRows({ n: run - 2 * keep }))]]);
      for (const r of records.slice(j - keep, j)) rows.push(toRow(r));
      i = j;
      continue;
    }
    if (run > 0) {
      for (const r of records.slice(i, j)) rows.push(toRow(r));
      i = j;
      continue;
    }
    rows.push(toRow(records[i] as LogRecord));
    i++;
  }
  const [, ...rest] = t.timelineHeader;
  const zone = zoneOf(records[0]?.time ?? 0);
  return table([lang === 'ru' ? `время (${zone})` : `time (${zone})`, ...rest], rows);
}

/**
 * A student's own clients of a scenario in the hosts table: their addresses from their traced
 * calls (connect(), or the first datagram's sendto()), and what the student's server's accept()
 * or recvfrom() returned for them.
 */
function ownHostRows(c: Ctx, scenario: string, t: Texts): Array<Array<string | Inline[]>> {
  const { model } = c;
  const how = (local: string | undefined, seen: string | undefined) =>
    runsOf(!seen ? t.matchNone : seen === local ? t.matchEndpoint : t.matchNat);
  const rows: Array<Array<string | Inline[]>> = [];
  for (const s of model.ownEcho.filter((x) => x.scenario === scenario && x.connected)) {
    const seen = str(model.ownServer.get(s)?.[0], 'peer') ?? s.server?.remote;
    rows.push([
      s.program.label,
      s.program.hostname ? [code(s.program.hostname)] : '',
      s.local ? [code(s.local)] : '',
      s.remote ? [code(s.remote)] : '',
      seen ? [code(seen)] : '',
      how(s.local, seen),
    ]);
  }
  for (const x of own(c).chat.clients.filter((k) => k.run.scenario === scenario)) {
    const seen = str(x.seen, 'peer');
    rows.push([
      x.run.source,
      x.run.started.hostname ? [code(x.run.started.hostname)] : '',
      x.local ? [code(x.local)] : '',
      x.dialed ? [code(x.dialed)] : '',
      seen ? [code(seen)] : '',
      how(x.local, seen),
    ]);
  }
  return rows;
}

function scenarioSection(
  c: Ctx,
  model: LabModel,
  view: ScenarioView,
  lang: Lang,
  t: Texts,
  first: { done: boolean },
): Block[] {
  const out: Block[] = [
    heading(
      3,
      fill((p: { name: string }) => t.scenarioHeading(p.name), { name: view.name }),
    ),
  ];
  // Own keys only: a scenario name from a log may be "valueOf".
  const about = Object.hasOwn(t.scenarioAbout, view.name) ? t.scenarioAbout[view.name] : undefined;
  if (about) out.push(paragraph(runsOf(about)));

  out.push(heading(4, t.hostsHeading));
  const sessions: Array<EchoSession | ChatSession> = [...view.echo, ...view.chat];
  out.push(
    table(t.hostsHeader, [
      ...sessions.map((s) => {
        const isEcho = 'connected' in s;
        const started = isEcho ? s.connected : s.joined;
        const name = isEcho ? s.program.label : `${s.program.label} (${s.nick ?? '?'})`;
        const dialed = isEcho ? s.remote : s.server;
        const seen = isEcho ? s.server?.remote : s.member?.remote;
        const how = !started
          ? fill((p: { code: string }) => t.neverConnected(p.code), { code: str(s.error, 'code') ?? '?' })
          : isEcho
            ? s.match === 'endpoint'
              ? t.matchEndpoint
              : s.match === 'nat'
                ? t.matchNat
                : t.matchNone
            : s.member
              ? t.matchNick
              : t.matchNone;
        return [
          name,
          s.program.hostname ? code(s.program.hostname) : '',
          s.local ? code(s.local) : '',
          dialed ? code(dialed) : '',
          seen ? code(seen) : '',
          typeof how === 'string' ? runsOf(how) : how,
        ];
      }),
      ...ownHostRows(c, view.name, t),
    ]),
  );

  const withBytes = view.echo.filter((s) => s.connected);
  if (withBytes.length > 0 || view.chat.some((s) => s.joined)) {
    out.push(heading(4, t.bytesHeading));
    if (withBytes.length > 0) {
      out.push(
        table(
          t.echoBytesHeader,
          withBytes.map((s) => {
            const closed = s.server?.closed;
            const cell = (v: number | undefined) => (v === undefined ? '?' : String(v));
            return [
              s.server ? t.connLabel({ program: s.program.label, conn: s.server.connId }) : s.program.label,
              cell(num(s.disconnected, 'bytesSent')),
              cell(num(closed, 'bytesIn')),
              cell(num(closed, 'bytesOut')),
              cell(num(s.disconnected, 'bytesReceived')),
              closed ? `${cell(num(closed, 'portionsIn'))} / ${cell(num(closed, 'portionsOut'))}` : '?',
            ];
          }),
        ),
      );
    }
    const chatters = view.chat.filter((s) => s.joined);
    if (chatters.length > 0) out.push(chatTable(chatters, t));
    // A remote plain client silent for longer than the router keeps its UDP mapping.
    if (view.name === 'remote') {
      const nat = natGaps(model);
      for (const g of nat.gaps.filter((x) => view.chat.includes(x.session)))
        out.push(
          paragraph(
            text(
              t.natGap({
                client: `${g.session.nick ?? '?'} (${g.session.program.label})`,
                last: clock(g.last.time),
                expired: clock(g.expired),
                timeoutS: g.timeoutS,
                udp: nat.timeouts.udpTimeoutS,
                stream: nat.timeouts.udpStreamTimeoutS,
                logged: nat.logged,
                relayed: g.relayed.length,
                ...(g.next ? { next: clock(g.next.time) } : {}),
                ...(g.rejoined ? { rejoined: str(g.rejoined, 'remote') ?? '?' } : {}),
              }),
            ),
          ),
        );
    }
  }

  if (sessions.some((s) => s.records.length > 0))
    out.push(heading(4, t.diagramHeading), diagramFigure(model, sessions, t));
  out.push(...timelineBlocks(view.records, lang, t, first));
  return out;
}

export function appendix(c: Ctx): Block[] {
  const { model, checks, lang } = c;
  const t = TEXTS[lang];
  const first = { done: false };
  // With a student's own programs, the appendix promises only what it has for them.
  const runs = own(c).runs;
  const about = REPORT_TEXTS.appendixAboutOwn[lang]({
    // The lab's programs' lines in a scenario's timeline (the traced calls are `own.*`).
    lab: model.scenarios.some((v) => v.records.some((r) => !r.event.startsWith('own.'))),
    echo: runs.some((r) => r.role.startsWith('echo-')),
    // What scenarioSection draws byte tables and diagrams from: the lab's clients' sessions.
    labBytes: model.scenarios.some((v) =>
      [...v.echo, ...v.chat].some(
        (s) => ('connected' in s ? s.connected : s.joined) !== undefined || s.records.length > 0,
      ),
    ),
    chat: runs.some((r) => r.role.startsWith('chat-')),
    wire: (c.extraChecks ?? []).some((x) => x.id === 'wire') && runs.some((r) => r.role === 'echo-server'),
  });
  const out: Block[] = [
    heading(2, t.appendixHeading),
    paragraph(runsOf(runs.length > 0 ? about : t.appendixAbout)),
  ];
  const { timeline } = model;
  const records = timeline.records;
  const totalLines = timeline.sources.reduce((n, s) => n + s.lines, 0);

  if (records.length === 0) out.push(paragraph(runsOf(t.noRecords)));
  else
    out.push(
      paragraph(
        fill(t.generated, {
          lines: totalLines,
          used: timeline.used,
          sources: timeline.sources.length,
          from: stamp(records[0]?.time ?? 0),
          to: stamp(records[records.length - 1]?.time ?? 0),
        }),
      ),
    );
  const schemas = [...new Set(records.map((r) => r.schema).filter((x) => x !== undefined))].sort();
  out.push(paragraph(fill(t.provenance, { revision: REPORT_REVISION, schemas: schemas.join(', ') || '-' })));
  const earlier = timeline.skipped['earlier-run'].count;
  if (timeline.runStart !== undefined && earlier > 0)
    out.push(paragraph(fill(t.runNote, { start: stamp(timeline.runStart), earlier })));
  else if (timeline.runStart === undefined && records.some((r) => r.event === 'server.starting'))
    out.push(paragraph(runsOf(t.allRunsNote)));
  const counted = checkCounts([...checks, ...(c.extraChecks ?? []).map((x) => ({ ...x, findings: [] }))]);
  out.push(paragraph(fill(t.checksLine, { pass: counted.pass, fail: counted.fail, na: counted.na })));

  // ---- sources ---------------------------------------------------------------------------------
  out.push(
    heading(3, t.sourcesHeading),
    table(
      t.sourcesHeader,
      timeline.sources.map((s) => [
        code(s.source),
        String(s.lines),
        String(s.used),
        join(s.hostnames.map((x) => code(x))),
        join(s.scenarios.map((x) => code(x))),
        s.pids.join(', '),
      ]),
    ),
  );

  // ---- server ----------------------------------------------------------------------------------
  if (model.servers.length > 0 || model.serverRecords.length > 0) {
    out.push(heading(3, t.serverHeading));
    const items = model.servers.map((s) =>
      join(
        [
          fill(t.serverStarted, {
            program: s.program.label,
            host: s.program.hostname ?? '?',
            time: s.starting ? clock(s.starting.time) : '?',
          }),
          ...s.listening.map((l) =>
            fill(t.serverListens, {
              protocol: str(l, 'protocol') ?? '?',
              endpoint: `${str(l, 'address')}:${num(l, 'port')}`,
            }),
          ),
          s.stopped
            ? fill(t.serverStopped, { time: clock(s.stopped.time), signal: str(s.stopped, 'signal') ?? '?' })
            : runsOf(t.serverNotStopped),
        ],
        '; ',
      ),
    );
    if (items.length > 0) out.push(list(items));
    const orphans =
      model.conns.filter((x) => !x.client).length + model.members.filter((m) => !m.client).length;
    if (orphans > 0) out.push(paragraph(fill(t.serverOrphans, { n: orphans })));
    out.push(...timelineBlocks(model.serverRecords, lang, t, first));
  }

  // ---- scenarios -------------------------------------------------------------------------------
  for (const view of model.scenarios) out.push(...scenarioSection(c, model, view, lang, t, first));

  // ---- chat across networks --------------------------------------------------------------------
  const chatters = model.chat.filter((s) => s.joined);
  if (chatters.length > 1)
    out.push(
      heading(3, t.chatHeading),
      paragraph(runsOf(t.chatAbout)),
      chatTable(chatters, t),
      diagramFigure(model, chatters, t),
    );

  // ---- checks ----------------------------------------------------------------------------------
  out.push(
    heading(3, t.checksHeading),
    table(t.checksHeader, [
      ...checks.map((x) => {
        const firstBad = x.findings.find((f) => !f.ok) ?? x.findings[0];
        const more =
          x.findings.length > 1 ? REPORT_TEXTS.moreFindings[lang]({ n: x.findings.length - 1 }) : '';
        return [
          titleRuns(t, x.id),
          t.status[shownStatus(x)],
          firstBad ? [...findingRuns(firstBad, t), text(more)] : '',
        ];
      }),
      // The capture's check, shown in its own section after the appendix: a row here, counted above.
      ...(c.extraChecks ?? []).map((x) => [x.title[lang], t.status[x.status], x.finding?.[lang] ?? '']),
    ]),
    heading(4, t.evidenceHeading),
  );
  for (const x of checks) {
    out.push(heading(5, [...titleRuns(t, x.id), text(`: ${t.status[shownStatus(x)]}`)]));
    const items: ListItem[] = x.findings.map((f) => {
      const lines = [...(f.where ? [whereRuns(f.where, lang)] : []), ...f.evidence.map(evidence)];
      return {
        content: [text(`${f.na ? '➖' : f.ok ? '✅' : '❌'} `), ...findingRuns(f, t)],
        ...(lines.length > 0 ? { children: [list(lines)] } : {}),
      };
    });
    if (items.length > 0) out.push(list(items));
  }

  // ---- skipped ---------------------------------------------------------------------------------
  out.push(heading(3, t.skippedHeading));
  const skipped = SKIP_CAUSES.filter((cause) => timeline.skipped[cause].count > 0);
  if (skipped.length === 0) out.push(paragraph(runsOf(t.skippedNone)));
  else
    out.push(
      table(
        t.skippedHeader,
        skipped.map((cause) => {
          const s = timeline.skipped[cause];
          return [
            prose`${code(cause)}: ${runsOf(t.skipCause[cause])}`,
            String(s.count),
            join(s.examples.map((e) => code(`${e.source}:${e.line}`))),
          ];
        }),
      ),
    );
  return out;
}
