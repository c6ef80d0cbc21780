import pinoPretty from 'pino-pretty';
import { wrapLine } from './wrap.js';

/** What a pretty line shows besides time, source, event name and explanation. */
export interface PrettyOptions {
  /**
   * Also print the event's fields as JSON after the explanation. The explanation already says
   * what they hold, so by default an event stays one screen row; `--log-level debug` turns them on.
   */
  fields?: boolean;
  /**
   * Columns a screen row may take: a longer line goes on in indented rows, broken at spaces, so the
   * event and every number stay whole and readable (160 by default; 0: never break).
   */
  width?: number;
}

/** The default row width when the terminal's own is unknown (the lab's containers, pipes). */
export const SCREEN_WIDTH = 160;
/** Rows after the first start under the event name, past the clock. */
const INDENT = 13;

/** Everything pino writes that the pretty line shows in its own place, or not at all. */
const HIDDEN = 'pid,hostname,component,scenario,event,schema,level,time';

/** pino's numeric levels; info (30), the usual one, is not labelled, so the explanation has room. */
const LABELS: Record<number, { text: string; colour: string }> = {
  20: { text: 'DEBUG', colour: '\u001b[34m' },
  40: { text: 'WARN', colour: '\u001b[33m' },
  50: { text: 'ERROR', colour: '\u001b[31m' },
  60: { text: 'FATAL', colour: '\u001b[41m' },
};

/** "14:03:07.219", local time, from pino's ISO time (or epoch milliseconds). */
function clock(time: unknown): string {
  const d = new Date(typeof time === 'number' || typeof time === 'string' ? time : Number.NaN);
  if (Number.isNaN(d.getTime())) return '--:--:--.---';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Formats one JSON log line as the single pretty line a person reads. */
export function prettyLine(colorize: boolean, options: PrettyOptions = {}): (line: string) => string {
  const format = pinoPretty.prettyFactory({
    colorize,
    singleLine: true,
    ignore: HIDDEN,
    hideObject: !options.fields,
    messageFormat: (log, messageKey) => {
      const label = LABELS[Number(log.level)];
      const level = label ? `${colorize ? `${label.colour}${label.text}\u001b[0m` : label.text} ` : '';
      const where = [log.component, log.scenario].filter(Boolean).join('/');
      return `${clock(log.time)} ${level}${where ? `[${where}] ` : ''}${String(log.event ?? '')} · ${String(log[messageKey] ?? '')}`;
    },
  });
  // Without the object pino-pretty also leaves out the line end: every line must still end in one.
  const width = options.width ?? SCREEN_WIDTH;
  return (line) => {
    const out = format(line).replace(/\n$/, '');
    return `${wrapLine(out, width, INDENT).join('\n')}\n`;
  };
}
