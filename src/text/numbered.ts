/**
 * The numbered lines of a scripted comparison (`--count` on the echo and chat clients): with
 * loss on the wan link (LAB_WAN_LOSS), the numbers show which chat messages never arrived, while
 * the echo of the same lines comes back whole.
 */

/** The default template: `#07/50`. */
export const NUMBERED_TEMPLATE = '#{i}/{n}';

/**
 * The pause before each numbered line. The chat server lets a member send 20 messages a second
 * (bursts of 40); ten a second stays well inside that, so every missing number is the link's loss,
 * never the server's rate limit. On TCP it also makes each line its own segment.
 */
export const NUMBERED_INTERVAL_MS = 100;

/** `count` lines from `template`: `{i}` becomes the number (zero-padded to the width of `count`), `{n}` the count. */
export function numberedLines(template: string, count: number): string[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, k) =>
    template.replaceAll('{i}', String(k + 1).padStart(width, '0')).replaceAll('{n}', String(count)),
  );
}
