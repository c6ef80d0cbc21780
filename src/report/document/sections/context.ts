/**
 * What every section of the report gets: the model of the run, the checks, the language, and the
 * few helpers they all use (times, byte counts, citing a log line, a paragraph in two languages).
 */
import { type Lang, explain } from '../../../log/events.js';
import { count } from '../../../text/plural.js';
import type { LabModel, ScenarioView, EchoSession } from '../../aggregate.js';
import type { CheckResult } from '../../check.js';
import type { SentLine } from '../../lines.js';
import type { LogRecord } from '../../parse.js';
import { OWN_READ_LIMIT } from '../../own-checks.js';
import { type OwnFacts, callText, ownFacts } from '../../own-facts.js';
import { code, paragraph, proseOf, text } from '../build.js';
import type { Block, Inline, Paragraph } from '../model.js';

/**
 * The report's revision: raise it whenever the report's texts or structure change in a way a reader
 * would notice. Every report names it (and the log schema of its input) in the appendix, and
 * test/report-examples.test.ts fails while a committed example under docs/examples/ names another
 * one: regenerate them (docs/report.md, "Examples").
 */
export const REPORT_REVISION = 16;

/** A section another part of the lab adds to a scenario (e.g. what the packets showed). */
export interface Section {
  heading: string;
  blocks: readonly Block[];
}

/** Extra sections per scenario: called once per scenario of the report, in its language. */
export type ExtraSections = (view: ScenarioView, lang: Lang) => readonly Section[];

/** Everything a section reads. */
export interface Ctx {
  model: LabModel;
  checks: readonly CheckResult[];
  /**
   * Checks the report shows elsewhere (the capture's, "wire"), counted with `checks` in every
   * count the report says (checkCounts): a check shown is a check counted.
   */
  extraChecks?: ReadonlyArray<{
    id: string;
    status: CheckResult['status'];
    title: { en: string; ru: string };
    /** Its first failing finding, or its first one, in both languages. */
    finding?: { en: string; ru: string };
  }>;
  lang: Lang;
  /** The server's chunk size (its `--chunk-size`). */
  chunk: number;
  /** Each echo session's lines as sent (undefined when its data lines were summarised). */
  lines: Map<EchoSession, SentLine[] | undefined>;
  /** Blocks others add under a question (by number), e.g. Q5's loss figures from the captures. */
  extras: Readonly<Record<number, readonly Block[]>>;
  /** More sections per scenario, after its addresses and topology. */
  extraSections?: ExtraSections | undefined;
}

/** One of two values by language. */
export const L = <T>(lang: Lang, en: T, ru: T): T => (lang === 'ru' ? ru : en);

/**
 * Our own sentence: runs already made with `prose`, or a string literal of this program read as
 * prose (its marks become runs). Never a string from a log: pass those as template values.
 */
export type Prose = string | readonly Inline[];

export function runsOf(p: Prose): Inline[] {
  return typeof p === 'string' ? proseOf([p], []) : [...p];
}

/** A paragraph in the reader's language. */
export function P(lang: Lang, en: Prose, ru: Prose): Paragraph {
  return paragraph(runsOf(L(lang, en, ru)));
}

export const bytes = (lang: Lang, n: number) => count(lang, n, 'byte');

/** "1024 байт" after «до», «не больше», «длиннее»: the genitive those words ask for. */
export const bytesGen = (lang: Lang, n: number) => count(lang, n, 'byte', 'gen');

/** "1034 байта", or "1024 + 10 = 1034 байта": the noun agrees with the number it follows. */
export const sumBytes = (lang: Lang, parts: readonly number[]) =>
  parts.length === 1
    ? bytes(lang, parts[0] ?? 0)
    : `${parts.join(' + ')} = ${bytes(
        lang,
        parts.reduce((a, b) => a + b, 0),
      )}`;

export const ms = (lang: Lang, n: number) => `${Math.max(0, Math.round(n))} ${L(lang, 'ms', 'мс')}`;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Times are the run's local time: the report process's time zone (its TZ; in the Docker lab the
 * report container's), named beside them as `UTC` or `UTC+03:00`, so a student in Moscow reads the
 * hours of their own clock and a reader elsewhere can still convert.
 */
export function zoneOf(ms: number): string {
  const off = -new Date(ms).getTimezoneOffset();
  if (off === 0) return 'UTC';
  const a = Math.abs(off);
  return `UTC${off > 0 ? '+' : '-'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** HH:MM:SS.mmm in the local time zone (see zoneOf). */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** YYYY-MM-DD in the local time zone. */
export function day(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** YYYY-MM-DD HH:MM:SS.mmm and the zone, e.g. `2026-12-02 05:03:20.906 UTC+03:00`. */
export function stamp(ms: number): string {
  return `${day(ms)} ${clock(ms)} ${zoneOf(ms)}`;
}

/** A table header "time (UTC+03:00)": the zone of the run's first line. */
export function timeHeader(c: Pick<Ctx, 'lang' | 'model'>): string {
  const zone = zoneOf(c.model.timeline.records[0]?.time ?? 0);
  return L(c.lang, `time (${zone})`, `время (${zone})`);
}

/** The explanation of a record, regenerated from the catalogue in `lang` (not the logged `msg`). */
export function explainRecord(r: LogRecord, lang: Lang): string {
  try {
    return explain(r.event, r.fields as never, lang);
  } catch {
    return r.msg ?? '';
  }
}

/** Where a line is: `source:line` as code (empty when there is no record). */
export function cite(r: LogRecord | undefined): Inline[] {
  return r ? [code(`${r.source}:${r.line}`)] : [];
}

/** The chunk size the server was started with (its `server.starting` config), or the default. */
export function chunkSizeOf(model: LabModel): number {
  const config = model.servers[0]?.starting?.fields.config;
  const v = config && typeof config === 'object' ? (config as Record<string, unknown>).chunkSize : undefined;
  return typeof v === 'number' && v > 0 ? v : 1024;
}

const OWN_FACTS = new WeakMap<LabModel, OwnFacts>();

/** The student's own programs' facts of this run (own-facts.ts), computed once per model. */
export function own(c: Pick<Ctx, 'model'>): OwnFacts {
  let f = OWN_FACTS.get(c.model);
  if (!f) {
    f = ownFacts(c.model, OWN_READ_LIMIT);
    OWN_FACTS.set(c.model, f);
  }
  return f;
}

/** A traced call as strace shows it, e.g. `recvfrom(5, …, 1024) = 1024`, with its log line. */
export function callRef(r: LogRecord | undefined): Inline[] {
  return r ? [code(callText(r)), text(' ('), ...cite(r), text(')')] : [];
}
