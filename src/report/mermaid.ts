/**
 * A Mermaid sequence diagram that renders on GitHub whatever the logs hold. Participants get
 * generated ids (S, E1, M1...) and their names go into aliases; every label is reduced to letters,
 * digits and a few safe marks, because in Mermaid `;` ends a statement, `#` starts a comment or an
 * entity, `%%` starts a comment, and `<`/`>` are read as HTML.
 */

export interface Participant {
  id: string;
  /** Lines of the participant's box (joined with a line break). */
  lines: string[];
}

/** Which conversation and direction a data step belongs to, so that long runs can be folded. */
export interface DataMark {
  key: string;
  /** `out`: client to server; `back`: the echo; `both`: a summary that counts both. */
  dir: 'out' | 'back' | 'both';
  portions: number;
  bytes: number;
  /** The two participants a folded note spans. */
  over: [string, string];
}

export type Step =
  | { kind: 'arrow'; from: string; to: string; dotted: boolean; text: string; data?: DataMark }
  | { kind: 'note'; over: string[]; text: string; data?: DataMark };

const MAX_LABEL = 64;

/**
 * A label Mermaid cannot misread: unsafe characters become `_`, whitespace one space, at most 64
 * characters. A longer label is cut after a whole word (never «ядро» as «яд...»), unless its last
 * word would take more than half of it.
 */
export function mermaidText(text: string): string {
  const safe = text
    .replace(/\s+/g, ' ')
    .replace(/[^\p{L}\p{N} .,:()[\]/=+@'’_→-]/gu, '_')
    .trim();
  if (safe.length <= MAX_LABEL) return safe === '' ? '_' : safe;
  const head = safe.slice(0, MAX_LABEL - 3);
  // The cut falls inside a word unless the next character is a space.
  const space = safe[MAX_LABEL - 3] === ' ' ? head.length : head.lastIndexOf(' ');
  const whole = space > MAX_LABEL / 2 ? head.slice(0, space).replace(/[ ,:;(]+$/, '') : head;
  return `${whole}...`;
}

/**
 * Folds every run of more than `threshold` data steps of one conversation (not interrupted by
 * another step of that conversation) into one note with the counts, placed where the run began.
 */
export function foldRuns(
  steps: readonly Step[],
  threshold: number,
  describe: (c: { sent: number; sentBytes: number; echoed: number; echoedBytes: number }) => string,
): Step[] {
  // Runs per conversation: indexes of consecutive data steps of that conversation.
  const runs: number[][] = [];
  const open = new Map<string, number[]>();
  steps.forEach((s, i) => {
    if (s.data) {
      let run = open.get(s.data.key);
      if (!run) {
        open.set(s.data.key, (run = []));
        runs.push(run);
      }
      run.push(i);
      return;
    }
    // A non-data step of a conversation ends that conversation's run.
    for (const [key, run] of open) {
      const [a, b] = steps[run[0] ?? 0]?.data?.over ?? [];
      const involved = s.kind === 'arrow' ? [s.from, s.to] : s.over;
      if (involved.includes(a ?? '') && involved.includes(b ?? '')) open.delete(key);
    }
  });
  const replace = new Map<number, Step>();
  const drop = new Set<number>();
  for (const run of runs) {
    const marks = run.map((i) => steps[i]?.data).filter((d): d is DataMark => d !== undefined);
    const outs = marks.filter((d) => d.dir !== 'back').reduce((n, d) => n + d.portions, 0);
    const backs = marks.filter((d) => d.dir !== 'out').reduce((n, d) => n + d.portions, 0);
    if (Math.max(outs, backs) <= threshold || marks.length <= 2) continue;
    const first = marks[0] as DataMark;
    const counts = {
      sent: outs,
      sentBytes: marks.filter((d) => d.dir !== 'back').reduce((n, d) => n + d.bytes, 0),
      echoed: backs,
      echoedBytes: marks.filter((d) => d.dir !== 'out').reduce((n, d) => n + d.bytes, 0),
    };
    replace.set(run[0] as number, { kind: 'note', over: first.over, text: describe(counts) });
    for (const i of run.slice(1)) drop.add(i);
  }
  const out: Step[] = [];
  steps.forEach((s, i) => {
    if (drop.has(i)) return;
    out.push(replace.get(i) ?? s);
  });
  return out;
}

/** The diagram's source (without the ``` fence). At most `maxSteps` steps; the rest become one note. */
export function sequenceDiagram(
  participants: readonly Participant[],
  steps: readonly Step[],
  options: { maxSteps?: number; truncated?: (n: number) => string } = {},
): string {
  const max = options.maxSteps ?? 150;
  const lines = ['sequenceDiagram'];
  for (const p of participants) {
    lines.push(`  participant ${p.id} as ${p.lines.map(mermaidText).join('<br/>')}`);
  }
  const shown = steps.slice(0, max);
  for (const s of shown) {
    if (s.kind === 'arrow') {
      lines.push(`  ${s.from}${s.dotted ? '-->>' : '->>'}${s.to}: ${mermaidText(s.text)}`);
    } else {
      lines.push(`  Note over ${s.over.join(',')}: ${mermaidText(s.text)}`);
    }
  }
  if (steps.length > max && participants.length > 0) {
    const all = participants.map((p) => p.id);
    const span = all.length > 1 ? `${all[0]},${all[all.length - 1]}` : `${all[0]}`;
    const text = options.truncated?.(steps.length - max) ?? `${steps.length - max} more steps`;
    lines.push(`  Note over ${span}: ${mermaidText(text)}`);
  }
  return lines.join('\n');
}
