/**
 * Bytes to lines with a bound on each line: a program that prints megabytes without a newline (or
 * a trace line longer than anything strace writes) cannot make the runner buffer it all. A line
 * past `maxBytes` is handed on cut, and the rest of it, up to its newline, is counted and dropped.
 */
export interface SplitLine {
  text: string;
  /** The line was longer than the bound; `text` is its start. */
  cut: boolean;
  /** The line's full length in bytes (newline excluded), counted even when cut. */
  bytes: number;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  private dropping = false;
  private dropped = 0;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): SplitLine[] {
    const out: SplitLine[] = [];
    let at = 0;
    while (at < chunk.length) {
      const nl = chunk.indexOf(0x0a, at);
      const end = nl < 0 ? chunk.length : nl;
      if (this.dropping) {
        this.dropped += end - at;
      } else {
        const room = this.maxBytes - this.held;
        const take = Math.min(room, end - at);
        if (take > 0) {
          this.parts.push(chunk.subarray(at, at + take));
          this.held += take;
        }
        if (end - at > take) {
          // Over the bound: hand on what we have now, count the rest until its newline.
          this.dropping = true;
          this.dropped = end - at - take;
        }
      }
      if (nl < 0) break;
      out.push(this.take());
      at = nl + 1;
    }
    return out;
  }

  /** The last line when the stream ended without a newline. */
  end(): SplitLine[] {
    return this.held > 0 || this.dropping ? [this.take()] : [];
  }

  private take(): SplitLine {
    let raw = Buffer.concat(this.parts, this.held);
    if (raw.length > 0 && raw[raw.length - 1] === 0x0d) raw = raw.subarray(0, raw.length - 1);
    const line: SplitLine = {
      text: this.decoder.decode(raw),
      cut: this.dropping,
      bytes: this.held + this.dropped,
    };
    this.parts = [];
    this.held = 0;
    this.dropping = false;
    this.dropped = 0;
    return line;
  }
}
