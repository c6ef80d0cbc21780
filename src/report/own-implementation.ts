/**
 * The data of the report's Implementation section (issue #18, item 6): for each own program, its
 * source files as recorded in the run (path, SHA-256, numbered lines, bounded), the socket calls it
 * made in order with repeats folded (`recvfrom x3: 1024 + 1024 + 453`), and the check each call
 * serves. Without own programs, our server's honest version: the lines of our server that read and
 * write, and the read our Node server really makes. Pure: records and texts in, values out; a
 * renderer (the report's document model) turns it into Markdown and HTML.
 */
import type { Lang } from '../log/events.js';
import type { LogRecord } from './parse.js';
import { count } from '../text/plural.js';
import { type OwnCheckId, type OwnRun, READS, WRITES, num, ownRuns, str } from './own-checks.js';
import { chatCallServes } from './own-checks-chat.js';
import { type CallDatagrams, type CapturedFlows, chatDatagrams } from './own-wire.js';
import { namedByCommand } from './own-source.js';

export { namedByCommand };

/** Lines of one file shown at most; files of students are small, a pasted data file is cut. */
export const MAX_SOURCE_LINES = 400;
/** Longest line shown (a minified line would widen the page without bound). */
export const MAX_SOURCE_LINE = 200;
/** Folded call rows shown per program; the rest are counted. */
export const MAX_CALL_ROWS = 200;
/** Lines of the program's own output shown (its "service messages", task 2 of the assignment). */
export const MAX_OUTPUT_LINES = 100;
/** Values listed in one folded row (`1024 + 1024 + ...`); the rest are summed. */
const MAX_VALUES = 8;

/**
 * A line the program printed without a newline (a prompt such as `> `): the runner could log it
 * only when the stream ended, so it stands after lines printed later. The runner marks it
 * (`unfinished`); logs from before it did are read by its shape: the last line of its stream, and
 * ending in a space, as a prompt does and a line print() ended does not.
 */
export function unfinishedLine(output: readonly LogRecord[], r: LogRecord): boolean {
  if (r.fields.unfinished === true) return true;
  if (output.some((x) => 'unfinished' in x.fields)) return false;
  const stream = str(r, 'stream');
  const last = [...output].reverse().find((x) => str(x, 'stream') === stream);
  return last === r && /\s$/.test(str(r, 'text') ?? '');
}

export interface NumberedLine {
  n: number;
  text: string;
}

export interface SourceView {
  path: string;
  sha256: string;
  bytes: number;
  /** The numbered lines (empty when the text was not recorded: too big or not UTF-8). */
  lines: NumberedLine[];
  /** Lines left out at the end (over MAX_SOURCE_LINES), or lines cut at MAX_SOURCE_LINE. */
  linesLeft: number;
  /** The program's command names this file (`python3 server.py` -> server.py): the code that ran. */
  ran: boolean;
}

/** One row of the calls: a single call, or a run of the same call on the same socket folded. */
export interface CallRow {
  call: string;
  fd?: number;
  count: number;
  /** `recvfrom x3: 1024 + 1024 + 453` (bytes returned), `accept4: fd 4 for 10.0.0.2:40000`, ... */
  text: string;
  /** The largest size asked for (reads): the 1 KB check reads it. */
  maxSize?: number;
  /** The checks this call is evidence for. */
  serves: OwnCheckId[];
  /** The first record of the row: the evidence line. */
  first: LogRecord;
}

export interface ProgramView {
  role: string;
  scenario: string | undefined;
  command: string;
  files: SourceView[];
  filesSkipped: number;
  calls: CallRow[];
  callsLeft: number;
  /** What it printed, in order (stdout and stderr, already escaped by the runner), bounded. */
  output: Array<{ stream: string; text: string; unfinished?: true }>;
  outputLeft: number;
  traced: boolean;
  /** A chat program's first few datagram calls beside the captures' datagrams (none without captures). */
  datagrams: CallDatagrams[];
}

/** The few words of a call row, in each language (the call itself stays as strace names it). */
const W = {
  en: {
    for: 'for',
    backlog: 'backlog',
    asked: (n: number) => `asked for at most ${count('en', n, 'byte')}`,
    closed: 'the peer closed its side: its FIN arrived',
    empty: 'an empty datagram',
    unfinished: 'did not return: the program ended while it waited',
    stopped: 'interrupted by the signal that stops the program: a normal end',
    more: (n: number, b: number) => `${n} more, ${count('en', b, 'byte')}`,
  },
  ru: {
    for: 'для',
    backlog: 'очередь (backlog)',
    asked: (n: number) => `запрошено не больше ${count('ru', n, 'byte', 'gen')}`,
    closed: 'собеседник закрыл свою сторону: пришёл его FIN',
    empty: 'пустая дейтаграмма',
    unfinished: 'не вернулся: программа завершилась, пока он ждал',
    stopped: 'прерван сигналом, которым программу останавливают: обычное завершение',
    more: (n: number, b: number) => `ещё ${n}, всего ${count('ru', b, 'byte')}`,
  },
};

/** Numbered lines of `text`, bounded in count and width. */
export function numberLines(text: string): { lines: NumberedLine[]; left: number } {
  const all = text.split('\n');
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  const lines: NumberedLine[] = [];
  let left = 0;
  for (let i = 0; i < all.length; i++) {
    if (i >= MAX_SOURCE_LINES) {
      left += all.length - i;
      break;
    }
    const line = all[i] ?? '';
    if (line.length > MAX_SOURCE_LINE) left++;
    lines.push({
      n: i + 1,
      text: line.length > MAX_SOURCE_LINE ? `${line.slice(0, MAX_SOURCE_LINE)}…` : line,
    });
  }
  return { lines, left };
}

function servesOf(role: string, call: string, r: LogRecord): OwnCheckId[] {
  if (role.startsWith('chat-')) return chatCallServes(role, call);
  const id: OwnCheckId = role === 'echo-client' ? 'own-echo-client' : 'own-echo-server';
  if (!role.startsWith('echo-')) return [];
  if (READS.has(call) || WRITES.has(call) || call === 'close' || call === 'shutdown') return [id];
  if (call === 'bind' || call === 'listen' || call.startsWith('accept') || call === 'connect') return [id];
  return num(r, 'result') !== undefined ? [id] : [];
}

function values(list: number[], lang: Lang): string {
  const shown = list.slice(0, MAX_VALUES).join(' + ');
  if (list.length <= MAX_VALUES) return shown;
  const rest = list.slice(MAX_VALUES).reduce((a, b) => a + b, 0);
  return `${shown} + … (${W[lang].more(list.length - MAX_VALUES, rest)})`;
}

function single(r: LogRecord, lang: Lang): string {
  const w = W[lang];
  const call = str(r, 'call') ?? '?';
  const fd = num(r, 'fd');
  const errno = str(r, 'errno');
  const result = num(r, 'result');
  const head = fd === undefined ? `${call}` : `${call}(${fd})`;
  if (errno && /^ERESTART/.test(errno)) return `${head} = ? ${errno} (${w.stopped})`;
  if (errno) return `${head} = -1 ${errno}${str(r, 'peer') ? ` (${str(r, 'peer')})` : ''}`;
  if (r.fields.unfinished === true) return `${head} (${w.unfinished})`;
  switch (call) {
    case 'socket':
      return `${call} = fd ${result ?? '?'} (${str(r, 'type') ?? '?'})`;
    case 'bind':
      return `${head}: ${str(r, 'local') ?? '?'}`;
    case 'listen':
      return `${head}, ${w.backlog} ${num(r, 'backlog') ?? '?'}${str(r, 'local') ? `: ${str(r, 'local')}` : ''}`;
    case 'accept':
    case 'accept4':
      return `${head}: fd ${num(r, 'newFd') ?? result ?? '?'} ${w.for} ${str(r, 'peer') ?? '?'}`;
    case 'connect':
      return `${head}: ${str(r, 'peer') ?? '?'}`;
    case 'shutdown':
      return `${head}, ${str(r, 'how') ?? '?'}`;
    default:
      return `${head} = ${result ?? '?'}`;
  }
}

/**
 * A call that moved data: a read or write that returned more than 0. A failed, interrupted or
 * unfinished call (-1, `?`) is its own row with its errno or note, never added into a byte sum.
 */
function isData(r: LogRecord): boolean {
  const call = str(r, 'call') ?? '';
  return (
    (READS.has(call) || WRITES.has(call)) &&
    !str(r, 'errno') &&
    r.fields.unfinished !== true &&
    (num(r, 'result') ?? 0) > 0
  );
}

/**
 * The calls of a run in their real order, folded: consecutive successful data calls of the same
 * name on one socket become one row (`recvfrom x3: 1024 + 1024 + 453`); any other call between
 * them starts a new row, so a relay's recv, send, recv, send stays in that order.
 */
export function foldCalls(run: OwnRun, lang: Lang = 'en'): { rows: CallRow[]; left: number } {
  const rows: CallRow[] = [];
  let left = 0;
  const calls = run.calls;
  let i = 0;
  const push = (row: CallRow) => {
    if (rows.length < MAX_CALL_ROWS) rows.push(row);
    else left++;
  };
  while (i < calls.length) {
    const r = calls[i] as LogRecord;
    const call = str(r, 'call') ?? '?';
    const fd = num(r, 'fd');
    const data = isData(r);
    if (!data) {
      push({
        call,
        ...(fd !== undefined ? { fd } : {}),
        count: 1,
        text:
          READS.has(call) && num(r, 'result') === 0
            ? `${call}(${fd ?? '?'}) = 0 (${str(r, 'type') === 'udp' ? W[lang].empty : W[lang].closed})`
            : single(r, lang),
        serves: servesOf(run.role, call, r),
        first: r,
      });
      i++;
      continue;
    }
    // The block: consecutive successful calls of the same name on the same socket of the same
    // process. Any other call between them starts a new row: a relay's recv, send, recv, send
    // stays in that order.
    const pid = num(r, 'ownPid');
    let j = i;
    while (j < calls.length) {
      const c = calls[j] as LogRecord;
      if (!isData(c) || num(c, 'fd') !== fd || num(c, 'ownPid') !== pid || str(c, 'call') !== call) break;
      j++;
    }
    const list = calls.slice(i, j) as LogRecord[];
    const bytes = list.map((c) => num(c, 'bytes') ?? num(c, 'result') ?? 0);
    const sizes = list.map((c) => num(c, 'size') ?? 0);
    // "Asked for at most N" only when every call of the row says what it asked for.
    const known = sizes.every((s) => s > 0);
    const asked = READS.has(call) && known ? `, ${W[lang].asked(Math.max(...sizes))}` : '';
    const times = list.length > 1 ? ` x${list.length}` : '';
    const row: CallRow = {
      call,
      ...(fd !== undefined ? { fd } : {}),
      count: list.length,
      text: `${call}(${fd ?? '?'})${times}: ${values(bytes, lang)}${asked}`,
      serves: servesOf(run.role, call, r),
      first: r,
    };
    if (READS.has(call) && known) row.maxSize = Math.max(...sizes);
    push(row);
    i = j;
  }
  return { rows, left };
}

/**
 * The Implementation section's data for every own program that ran, in the order they started;
 * `captures`: the run's readable captures, for the chat programs' datagrams.
 */
export function implementationData(
  records: readonly LogRecord[],
  lang: Lang = 'en',
  captures: readonly CapturedFlows[] = [],
): ProgramView[] {
  return ownRuns(records).map((run) => {
    const files: SourceView[] = [];
    const recorded = run.sources?.fields.files;
    const command = str(run.started, 'command') ?? '';
    if (Array.isArray(recorded)) {
      for (const f of recorded as Array<Record<string, unknown>>) {
        if (typeof f.path !== 'string' || typeof f.sha256 !== 'string') continue;
        const { lines, left } = typeof f.text === 'string' ? numberLines(f.text) : { lines: [], left: 0 };
        files.push({
          path: f.path,
          sha256: f.sha256,
          bytes: typeof f.bytes === 'number' ? f.bytes : 0,
          lines,
          linesLeft: left,
          ran: namedByCommand(command, f.path),
        });
      }
    }
    // The files that ran first, in the folder's order otherwise.
    files.sort((a, b) => Number(b.ran) - Number(a.ran));
    const { rows, left } = foldCalls(run, lang);
    return {
      role: run.role,
      scenario: run.scenario,
      command,
      files,
      filesSkipped: num(run.sources, 'skipped') ?? 0,
      calls: rows,
      callsLeft: left,
      output: run.output.slice(0, MAX_OUTPUT_LINES).map((r) => ({
        stream: str(r, 'stream') ?? '?',
        text: str(r, 'text') ?? '',
        ...(unfinishedLine(run.output, r) ? { unfinished: true as const } : {}),
      })),
      outputLeft: Math.max(0, run.output.length - MAX_OUTPUT_LINES),
      traced: run.traced,
      datagrams: chatDatagrams(run, captures),
    };
  });
}

/** Our server, honestly: the lines that read and write, and the read its runtime really makes. */
export interface OursView {
  lines: NumberedLine[];
  /** The system call our Node server makes per read, as strace shows it. */
  read: string;
}

/**
 * The lines of our echo server's source (src/tcp/echo-server.ts, passed in by the caller) that
 * read from and write to a connection. `readSize` is what strace shows our server ask for: libuv
 * reads into a 64 KiB buffer unless the server passes its own (`onread`).
 */
export function oursView(serverSource: string, readSize = 65536): OursView {
  const all = serverSource.split('\n');
  const lines: NumberedLine[] = [];
  for (let i = 0; i < all.length && lines.length < 60; i++) {
    const text = all[i] ?? '';
    if (/\.on\('data'|onread|\.write\(|\.end\(|\.read\(|\.resume\(|\.pause\(/.test(text)) {
      lines.push({
        n: i + 1,
        text: text.length > MAX_SOURCE_LINE ? `${text.slice(0, MAX_SOURCE_LINE)}…` : text,
      });
    }
  }
  return { lines, read: `read(fd, ..., ${readSize})` };
}
