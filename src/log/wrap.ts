/** ANSI colour sequences take no column on a terminal. */
const ANSI = /\u001b\[[0-9;]*m/g;

/** Columns a string takes on a terminal: code points, without colour sequences. */
export function columns(text: string): number {
  let n = 0;
  for (const _ of text.replace(ANSI, '')) n++;
  return n;
}

/**
 * Breaks one screen line at spaces so that each row takes at most `width` columns; rows after the
 * first start with `indent` spaces. A word longer than a row stays whole on a row of its own (an
 * address or a number is never cut). `width` 0 or less: the line as it is.
 */
export function wrapLine(line: string, width: number, indent: number): string[] {
  if (width <= 0 || columns(line) <= width) return [line];
  const pad = ' '.repeat(Math.max(0, Math.min(indent, width - 20)));
  const rows: string[] = [];
  let row = '';
  let used = 0;
  for (const word of line.split(' ')) {
    const w = columns(word);
    if (row !== '' && used + 1 + w > width) {
      rows.push(row);
      row = pad + word;
      used = pad.length + w;
    } else if (row === '' && rows.length === 0) {
      row = word;
      used = w;
    } else {
      row += ` ${word}`;
      used += 1 + w;
    }
  }
  rows.push(row);
  return rows;
}
