import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SCREEN_TEXTS } from '../text/screen.js';
import { say } from '../text/catalogue.js';

export interface Terminal {
  /** True when a person types at a terminal (prompt shown, output redrawn around the input line). */
  readonly interactive: boolean;
  /** True once the user pressed Ctrl-C (which ends `lines()` like the end of input). */
  readonly interrupted: boolean;
  /** Prints a line above the input line, then redraws the prompt and what was typed so far. */
  print(text: string): void;
  /** The lines typed or piped in, without their line endings; ends at end of input or Ctrl-C. */
  lines(): AsyncIterableIterator<string>;
  close(): void;
}

export interface TerminalOptions {
  prompt?: string;
  /**
   * Show the prompt only once a person is there: when a terminal attaches (it resizes the tty) or a
   * key is pressed. Default: LAB_PROMPT=on-attach, which compose sets for every client.
   */
  promptOnAttach?: boolean;
  /** Printed whenever a terminal attaches (`docker attach` resizes the tty, often twice). */
  attachHint?: () => string;
}

/**
 * The clients' screen. Incoming messages and log lines arrive at any moment, possibly while the
 * user is half-way through typing; they are printed above the input line, which is then redrawn,
 * so nothing typed is lost or garbled.
 */
export function createTerminal(
  input: Readable & { isTTY?: boolean },
  output: Writable & { isTTY?: boolean; on?: Writable['on'] },
  options: TerminalOptions = {},
): Terminal {
  const interactive = Boolean(input.isTTY && output.isTTY);
  const promptOnAttach = options.promptOnAttach ?? process.env.LAB_PROMPT === 'on-attach';
  const rl = readline.createInterface({
    input,
    output,
    terminal: interactive,
    prompt: options.prompt ?? '> ',
  });
  // Start buffering lines now: piped input may be read completely before anyone asks for a line.
  const it = rl[Symbol.asyncIterator]();
  let closed = false;
  let interrupted = false;
  rl.on('close', () => {
    closed = true;
  });
  // Ctrl-C on a raw-mode terminal reaches readline as a key, not as a signal to the process.
  rl.on('SIGINT', () => {
    interrupted = true;
    output.write('\n');
    rl.close();
  });
  // A Docker client has its terminal from the start, but a person only once they attach (which
  // resizes the terminal) or type. Until then (LAB_PROMPT=on-attach) lines are printed plainly:
  // the prompt's cursor moves would erase the container name `docker compose up` puts before them.
  let present = interactive && !promptOnAttach;
  const arrive = () => {
    if (present || closed) return;
    present = true;
    // preserveCursor: when a keypress is what brings the person here, readline has already put
    // that character in the line; prompt() alone would move the cursor back before it.
    rl.prompt(true);
  };
  let hintTimer: NodeJS.Timeout | undefined;
  if (interactive) {
    output.on?.('resize', () => {
      arrive();
      const hint = options.attachHint;
      if (!hint) return;
      // One attach resizes the terminal more than once: print the hint once it has settled.
      clearTimeout(hintTimer);
      hintTimer = setTimeout(() => terminal.print(hint()), 400);
      hintTimer.unref();
    });
    if (promptOnAttach) input.on('keypress', arrive);
  }
  if (present) rl.prompt();
  const terminal: Terminal = {
    interactive,
    get interrupted() {
      return interrupted;
    },
    print(text) {
      // After close, prompt() would resume stdin and keep the process alive: print plainly.
      if (!present || closed) {
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
          if (!r.done && interactive) {
            present = true;
            rl.prompt();
          }
          return r;
        },
        [Symbol.asyncIterator]() {
          return wrapped;
        },
      };
      return wrapped;
    },
    close() {
      clearTimeout(hintTimer);
      rl.close();
    },
  };
  return terminal;
}

/** The hint printed when a client starts and whenever a terminal attaches (it resizes the tty). */
export function attachHint(what: string, lang: 'en' | 'ru' = 'en'): string {
  return say(SCREEN_TEXTS, 'attach-hint', { what }, lang);
}
