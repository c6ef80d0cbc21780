/**
 * Terminal-safe rendering of untrusted text (chat messages, echoed data, log previews).
 *
 * Anything a terminal could act on is shown as a visible escape instead: C0 controls (ESC, BEL,
 * bare CR, backspace...), DEL, the C1 range (U+0080-U+009F, where U+009B is a one-byte CSI), and the
 * bidirectional overrides and isolates that can make text display in a different order than it is
 * stored (the "Trojan Source" trick), and the line and paragraph separators U+2028/U+2029 (which
 * Python's `splitlines()` and some editors take as line breaks, splitting a log line). Tab is kept: it cannot move the cursor anywhere harmful.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code === 0x1b) return '\\e';
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/** Returns `text` with every character a terminal could interpret replaced by a visible escape. */
export function visible(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * Decodes at most `maxBytes` of `bytes` as UTF-8 and makes it terminal-safe, marking truncation
 * with `…`. A cut never falls inside a character: it moves back to the start of the character the
 * limit would split (a student's «Павловна» must not end as «Па�…»). A slice that itself starts
 * inside a character (a portion boundary) still shows that as U+FFFD: that is what was received.
 */
export function preview(bytes: Uint8Array, maxBytes = 64): string {
  const cut = bytes.length > maxBytes;
  let end = Math.min(bytes.length, maxBytes);
  // 0b10xxxxxx is a continuation byte: the character at `end` began before it. Back off at most
  // 3 bytes (the longest UTF-8 character is 4), so invalid input cannot empty the preview.
  if (cut) for (let i = 0; i < 3 && end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80; i++) end--;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8');
  return visible(text) + (cut ? '…' : '');
}

/** The first `maxChars` characters (code points) of `text`, terminal-safe, with `…` when cut. */
export function textPreview(text: string, maxChars = 64): string {
  const chars = [...text];
  return chars.length > maxChars ? `${visible(chars.slice(0, maxChars).join(''))}…` : visible(text);
}
