import { explain } from '../log/events.js';
import type { Lang } from '../text/lang.js';
import {
  type ChatSession,
  type EchoSession,
  type LabModel,
  type ScenarioView,
  numField as num,
  strField as str,
} from './aggregate.js';
import type { CheckResult, Finding } from './check.js';
import { type CourseKit, courseSections } from './course.js';
import { sessionDiagram, sessionDiagramParts } from './diagram.js';
import { sequenceSvg, topologySvg } from './svg.js';
import { topologyMermaid } from './topology.js';
import { DATA_EVENTS, type LogRecord, SKIP_CAUSES, weight } from './parse.js';
import { TEXTS, type Texts } from './texts.js';

/** Timeline runs of more data lines than this show their first and last few only. */
export const TIMELINE_RUN_LIMIT = 20;
const TIMELINE_RUN_KEEP = 6;

/** Text that Markdown shows as is: no emphasis, links, HTML or table breaks from log content. */
export function mdText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|]/g, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : `\\${ch}`));
}

/**
 * An inline code span that survives any content (GitHub shows HTML in it as text). In a table
 * cell a `|` still ends the cell unless escaped; elsewhere the escape would show.
 */
export function mdCode(text: string, inTable = true): string {
  const body = text.replace(/[\r\n]+/g, ' ').replace(/`/g, 'ˋ');
  return `\`${inTable ? body.replace(/\|/g, '\\|') : body}\``;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [row(header.map(mdText)), row(header.map(() => '---')), ...rows.map(row)];
}

/** HH:MM:SS.mmm in UTC. */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** The explanation of a record, regenerated from the catalogue in `lang` (not the logged `msg`). */
export function explainRecord(r: LogRecord, lang: Lang): string {
  try {
    return explain(r.event, r.fields as never, lang);
  } catch {
    return r.msg ?? '';
  }
}

const HIDDEN_FIELDS = new Set(['preview', 'config', 'version']);

/** One evidence line: where it is, the event, and its fields. */
export function evidence(r: LogRecord): string {
  const fields = Object.entries(r.fields)
    .filter(([k]) => !HIDDEN_FIELDS.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const cut = fields.length > 160 ? `${fields.slice(0, 157)}...` : fields;
  const code = (text: string) => mdCode(text, false);
  return `${code(`${r.source}:${r.line}`)} ${code(r.event)}${cut ? ` ${code(cut)}` : ''}`;
}

/** A finding's sentence with every value from the logs made safe for Markdown. */
function findingText(f: Finding, t: Texts): string {
  const params = Object.fromEntries(
    Object.entries(f.params).map(([k, v]) => [k, typeof v === 'string' ? mdText(v) : v]),
  );
  return t.finding[f.code](params);
}

/** A section another part of the lab adds to a scenario (e.g. what the packets showed). */
export interface Section {
  heading: string;
  /** Markdown lines, without the heading. */
  lines: string[];
}

/** Extra sections per scenario: called once per scenario of the report, in its language. */
export type ExtraSections = (view: ScenarioView, lang: Lang) => readonly Section[];

export interface RenderOptions {
  lang: Lang;
  /** Title block: the student's name and group (marked placeholders when unset). */
  student?: string | undefined;
  group?: string | undefined;
  /** More sections per scenario, after its addresses and topology. */
  extraSections?: ExtraSections | undefined;
  /** Diagrams as inline SVG (for the HTML page) instead of Mermaid. */
  html?: boolean;
  /** Markdown added under a control question (by number), e.g. Q5's loss figures from the captures. */
  questionExtras?: Readonly<Record<number, string>> | undefined;
}

/** A diagram: Mermaid text for Markdown, inline SVG for HTML. */
function figure(mermaid: string, svg: () => string, html: boolean): string[] {
  return html ? [`<figure class="diagram">${svg()}</figure>`] : ['```mermaid', mermaid, '```'];
}

/** The whole report as Markdown. */
export function renderMarkdown(
  model: LabModel,
  checks: readonly CheckResult[],
  options: RenderOptions,
): string {
  const { lang } = options;
  const html = options.html ?? false;
  const t = TEXTS[lang];
  const out: string[] = [`# ${t.title}`, ''];
  const kit: CourseKit = {
    lang,
    text: mdText,
    code: mdCode,
    clock,
    explain: (r) => explainRecord(r, lang),
    table,
    topologyFigure: (topo) => figure(topologyMermaid(topo), () => topologySvg(topo), html),
    extra: (view) =>
      (options.extraSections?.(view, lang) ?? []).flatMap((x) => [
        `##### ${mdText(x.heading)}`,
        '',
        ...x.lines,
        '',
      ]),
    checkTitle: (c) => t.checkTitle[c.id],
    status: (c) => t.status[c.status],
  };
  out.push(
    ...courseSections(
      model,
      checks,
      { student: options.student, group: options.group },
      kit,
      options.questionExtras ?? {},
    ),
  );
  out.push(`## ${t.appendixHeading}`, '', t.appendixAbout, '');
  const { timeline } = model;
  const records = timeline.records;
  const totalLines = timeline.sources.reduce((n, s) => n + s.lines, 0);

  if (records.length === 0) {
    out.push(t.noRecords, '');
  } else {
    out.push(
      t.generated({
        lines: totalLines,
        used: timeline.used,
        sources: timeline.sources.length,
        from: stamp(records[0]?.time ?? 0),
        to: stamp(records[records.length - 1]?.time ?? 0),
      }),
      '',
    );
  }
  const earlier = timeline.skipped['earlier-run'].count;
  if (timeline.runStart !== undefined && earlier > 0) {
    out.push(t.runNote({ start: stamp(timeline.runStart), earlier }), '');
  } else if (timeline.runStart === undefined && records.some((r) => r.event === 'server.starting')) {
    out.push(t.allRunsNote, '');
  }
  const count = (s: string) => checks.filter((c) => c.status === s).length;
  out.push(t.checksLine({ pass: count('pass'), fail: count('fail'), na: count('n/a') }), '');

  // ---- sources ---------------------------------------------------------------------------------
  out.push(`### ${t.sourcesHeading}`, '');
  out.push(
    ...table(
      t.sourcesHeader,
      timeline.sources.map((s) => [
        mdCode(s.source),
        String(s.lines),
        String(s.used),
        s.hostnames.map((x) => mdCode(x)).join(', '),
        s.scenarios.map((x) => mdCode(x)).join(', '),
        s.pids.join(', '),
      ]),
    ),
    '',
  );

  // ---- server ----------------------------------------------------------------------------------
  if (model.servers.length > 0 || model.serverRecords.length > 0) {
    out.push(`### ${t.serverHeading}`, '');
    for (const s of model.servers) {
      const parts = [
        t.serverStarted({
          program: mdText(s.program.label),
          host: (s.program.hostname ?? '?').replace(/`/g, ''),
          time: s.starting ? clock(s.starting.time) : '?',
        }),
        ...s.listening.map((l) =>
          t.serverListens({
            protocol: str(l, 'protocol') ?? '?',
            endpoint: mdText(`${str(l, 'address')}:${num(l, 'port')}`),
          }),
        ),
        s.stopped
          ? t.serverStopped({ time: clock(s.stopped.time), signal: mdText(str(s.stopped, 'signal') ?? '?') })
          : t.serverNotStopped,
      ];
      out.push(`- ${parts.join('; ')}`);
    }
    const orphans =
      model.conns.filter((c) => !c.client).length + model.members.filter((m) => !m.client).length;
    if (orphans > 0) out.push('', t.serverOrphans({ n: orphans }));
    out.push('', `#### ${t.timelineHeading}`, '', ...timelineTable(model.serverRecords, lang, t), '');
  }

  // ---- scenarios -------------------------------------------------------------------------------
  for (const view of model.scenarios) out.push(...scenarioSection(model, view, lang, t, html));

  // ---- chat across networks --------------------------------------------------------------------
  const chatters = model.chat.filter((s) => s.joined);
  if (chatters.length > 1) {
    out.push(`### ${t.chatHeading}`, '', t.chatAbout, '');
    out.push(...chatTable(chatters, t), '');
    out.push(...diagramFigure(model, chatters, t, html), '');
  }

  // ---- checks ----------------------------------------------------------------------------------
  out.push(`### ${t.checksHeading}`, '');
  out.push(
    ...table(
      t.checksHeader,
      checks.map((c) => {
        const first = c.findings.find((f) => !f.ok) ?? c.findings[0];
        const more =
          c.findings.length > 1
            ? lang === 'ru'
              ? ` (и ещё ${c.findings.length - 1})`
              : ` (and ${c.findings.length - 1} more)`
            : '';
        return [
          mdText(t.checkTitle[c.id]),
          t.status[c.status],
          first ? `${findingText(first, t)}${more}` : '',
        ];
      }),
    ),
    '',
    `#### ${t.evidenceHeading}`,
    '',
  );
  for (const c of checks) {
    out.push(`##### ${mdText(t.checkTitle[c.id])}: ${t.status[c.status]}`, '');
    for (const f of c.findings) {
      out.push(`- ${f.ok ? '✅' : '❌'} ${findingText(f, t)}`);
      for (const r of f.evidence) out.push(`  - ${evidence(r)}`);
    }
    out.push('');
  }

  // ---- skipped ---------------------------------------------------------------------------------
  out.push(`### ${t.skippedHeading}`, '');
  const skipped = SKIP_CAUSES.filter((c) => timeline.skipped[c].count > 0);
  if (skipped.length === 0) out.push(t.skippedNone, '');
  else {
    out.push(
      ...table(
        t.skippedHeader,
        skipped.map((c) => {
          const s = timeline.skipped[c];
          return [
            `${t.skipCause[c]} (${mdCode(c)})`,
            String(s.count),
            s.examples.map((e) => mdCode(`${e.source}:${e.line}`)).join(', '),
          ];
        }),
      ),
      '',
    );
  }
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function diagramFigure(
  model: LabModel,
  sessions: ReadonlyArray<EchoSession | ChatSession>,
  t: Texts,
  html: boolean,
): string[] {
  if (!html) return figure(sessionDiagram(model, sessions, t), () => '', false);
  const { participants, steps } = sessionDiagramParts(model, sessions, t);
  return figure(
    '',
    () => sequenceSvg(participants, steps, { truncated: (n) => t.diagram.truncated({ n }) }),
    true,
  );
}

function scenarioSection(model: LabModel, view: ScenarioView, lang: Lang, t: Texts, html: boolean): string[] {
  const out = [`### ${t.scenarioHeading(view.name.replace(/`/g, ''))}`, ''];
  const about = t.scenarioAbout[view.name];
  if (about) out.push(about, '');

  out.push(`#### ${t.hostsHeading}`, '');
  const sessions: Array<EchoSession | ChatSession> = [...view.echo, ...view.chat];
  out.push(
    ...table(
      t.hostsHeader,
      sessions.map((s) => {
        const isEcho = 'connected' in s;
        const started = isEcho ? s.connected : s.joined;
        const name = isEcho ? s.program.label : `${s.program.label} (${s.nick ?? '?'})`;
        const dialed = isEcho ? s.remote : s.server;
        const seen = isEcho ? s.server?.remote : s.member?.remote;
        const how = !started
          ? t.neverConnected(str(s.error, 'code') ?? '?')
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
          mdText(name),
          s.program.hostname ? mdCode(s.program.hostname) : '',
          s.local ? mdCode(s.local) : '',
          dialed ? mdCode(dialed) : '',
          seen ? mdCode(seen) : '',
          mdText(how),
        ];
      }),
    ),
    '',
  );

  const withBytes = view.echo.filter((s) => s.connected);
  if (withBytes.length > 0 || view.chat.some((s) => s.joined)) {
    out.push(`#### ${t.bytesHeading}`, '');
    if (withBytes.length > 0) {
      out.push(
        ...table(
          t.echoBytesHeader,
          withBytes.map((s) => {
            const closed = s.server?.closed;
            const cell = (v: number | undefined) => (v === undefined ? '?' : String(v));
            return [
              mdText(
                s.server ? t.connLabel({ program: s.program.label, conn: s.server.connId }) : s.program.label,
              ),
              cell(num(s.disconnected, 'bytesSent')),
              cell(num(closed, 'bytesIn')),
              cell(num(closed, 'bytesOut')),
              cell(num(s.disconnected, 'bytesReceived')),
              closed ? `${cell(num(closed, 'portionsIn'))} / ${cell(num(closed, 'portionsOut'))}` : '?',
            ];
          }),
        ),
        '',
      );
    }
    const chatters = view.chat.filter((s) => s.joined);
    if (chatters.length > 0) out.push(...chatTable(chatters, t), '');
  }

  if (sessions.some((s) => s.records.length > 0)) {
    out.push(`#### ${t.diagramHeading}`, '', ...diagramFigure(model, sessions, t, html), '');
  }
  out.push(`#### ${t.timelineHeading}`, '', ...timelineTable(view.records, lang, t), '');
  return out;
}

function chatTable(chatters: readonly ChatSession[], t: Texts): string[] {
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
        mdText(`${s.nick ?? '?'} · ${s.program.label} (${s.scenario})`),
        `${sent.length} (${sum(sent)})`,
        `${got.length} (${sum(got)})`,
        s.member ? String(copies) : '?',
      ];
    }),
  );
}

function timelineTable(records: readonly LogRecord[], lang: Lang, t: Texts): string[] {
  const rows: string[][] = [];
  const toRow = (r: LogRecord) => [
    clock(r.time),
    mdCode(r.source),
    mdCode(r.event),
    mdText(explainRecord(r, lang)),
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
      rows.push(['', '', '', mdText(t.collapsedRows({ n: run - 2 * keep }))]);
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
  return table(t.timelineHeader, rows);
}
