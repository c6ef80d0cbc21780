/** Reads V8 CPU profiles (`node --cpu-prof`) and lists the functions that used the most time. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type CpuProfile = {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples: number[];
  timeDeltas: number[];
};

/** `frame`: "function (file:line)", the file shortened to what follows node_modules/, dist/ or file://. */
export type Frame = { frame: string; selfPct: number };

/** Self time per function, largest first. */
function topFrames(profile: CpuProfile, count: number): Frame[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const f = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!f) return;
    const file = f.url.replace(/^.*\/(node_modules|dist)\//, '$1/').replace(/^file:\/\//, '');
    const name = `${f.functionName || '(anonymous)'}${f.url ? ` (${file}:${f.lineNumber + 1})` : ''}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([frame, t]) => ({ frame, selfPct: Math.round((1000 * t) / Math.max(1, total)) / 10 }));
}

/** Top frames of every profile in `dir`, by file name. */
export function summariseProfiles(dir: string, count = 12): Record<string, Frame[]> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return {};
  }
  const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
  return Object.fromEntries(files.sort().map((f) => [f, topFrames(read(f), count)]));
}
