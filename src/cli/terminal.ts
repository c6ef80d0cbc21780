import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface Terminal {
  /** True when a person types at a terminal (prompt shown, output redrawn around the input line). */
  readonly interactive: boolean;
  /** Prints a line above the input line, then redraws the prompt and what was typed so far. */
  print(text: string): void;
  /** The lines typed or piped in, without their line endings; ends at end of input. */
  lines(): AsyncIterableIterator<string>;
  close(): void;
}

/**
 * The clients' screen. Incoming messages and log lines arrive at any moment, possibly while the
 * user is half-way through typing; they are printed above the input line, which is then redrawn,
 * so nothing typed is lost or garbled.
 */
export function createTerminal(
  input: Readable & { isTTY?: boolean },
  output: Writable & { isTTY?: boolean; on?: Writable['on'] },
  prompt = '> ',
): Terminal {
  const interactive = Boolean(input.isTTY && output.isTTY);
  const rl = readline.createInterface({ input, output, terminal: interactive, prompt });
  // Start buffering lines now: piped input may be read completely before anyone asks for a line.
  const it = rl[Symbol.asyncIterator]();
  let closed = false;
  rl.on('close', () => {
    closed = true;
  });
  if (interactive) rl.prompt();
  return {
    interactive,
    print(text) {
      // After close, prompt() would resume stdin and keep the process alive: print plainly.
      if (!interactive || closed) {
        output.write(`${text}\n`);
        return;
      }
      readline.clearLine(output, 0);
      readline.cursorTo(output, 0);
      output.write(`${text}\n`);
      rl.prompt(true);
    },
    lines() {
      const wrapped: AsyncIterableIterator<string> = {
        next: async () => {
          const r = await it.next();
          if (!r.done && interactive) rl.prompt();
          return r;
        },
        [Symbol.asyncIterator]() {
          return wrapped;
        },
      };
      return wrapped;
    },
    close() {
      rl.close();
    },
  };
}

/** The hint printed when a client starts and whenever a terminal attaches (it resizes the tty). */
export function attachHint(what: string): string {
  return `${what}. Type a line and press Enter; "exit" ends the session. In Docker, detach with Ctrl-P Ctrl-Q (the client keeps running).`;
}
