/**
 * Piped input for the echo client, taken as bytes: it is sent exactly as it arrives (binary data,
 * invalid UTF-8, CRLF and a missing final newline included), like `nc`. Lines are found by the
 * newline byte, never by decoding, and only to honour one rule: a line that reads `exit` (spaces,
 * tabs and a CR around it allowed) ends the session and is not sent, nor is anything after it.
 *
 * Bytes are held back only while the current line could still turn out to be `exit` (at most a
 * few dozen bytes), so memory stays bounded and everything else goes out at once.
 */
export class ExitLineScanner {
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** The current line already holds something that is not `exit`: pass bytes until its newline. */
  private plain = false;
  private done = false;

  /** Longest line still examined as a possible `exit` line. */
  static readonly MAX_HOLD = 64;

  /** True once an `exit` line was seen: everything after it is ignored. */
  get exited(): boolean {
    return this.done;
  }

  /** Takes the next chunk of input; returns the bytes to send now (possibly none). */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let start = 0;
    while (!this.done && start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl + 1;
      const piece = chunk.subarray(start, end);
      start = end;
      if (this.plain) {
        out.push(piece);
      } else {
        this.held.push(piece);
        this.heldBytes += piece.length;
        const line = Buffer.concat(this.held, this.heldBytes);
        if (nl !== -1 && isExit(line)) {
          this.done = true;
        } else if (nl !== -1 || !mayBecomeExit(line)) {
          out.push(line);
          this.plain = nl === -1;
        } else {
          continue; // still undecided: keep holding
        }
        this.held = [];
        this.heldBytes = 0;
      }
      if (nl !== -1) this.plain = false;
    }
    return out;
  }

  /** At the end of input: what is still held (a last line without a newline), unless it is `exit`. */
  end(): Buffer[] {
    if (this.done || this.heldBytes === 0) return [];
    const line = Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    if (isExit(line)) {
      this.done = true;
      return [];
    }
    return [line];
  }
}

const EXIT = /^[ \t]*exit[ \t\r]*\n?$/;
const EXIT_PREFIX = /^[ \t]*(e|ex|exi|exit[ \t\r]*)?$/;

function isExit(line: Buffer): boolean {
  return line.length <= ExitLineScanner.MAX_HOLD + 1 && EXIT.test(line.toString('latin1'));
}

function mayBecomeExit(partial: Buffer): boolean {
  return partial.length <= ExitLineScanner.MAX_HOLD && EXIT_PREFIX.test(partial.toString('latin1'));
}
