/** Reads V8 CPU profiles (`node --cpu-prof`) and lists the functions that used the most time. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Frame {
  /** "function (file:line)", with the file shortened to what follows node_modules/, dist/ or node:. */
  frame: string;
  selfPct: number;
}

function where(url: string, line: number): string {
  if (!url) return '';
  const short = url.replace(/^.*\/(node_modules|dist)\//, '$1/').replace(/^file:\/\//, '');
  return ` (${short}:${line + 1})`;
}

/** Self time per function, largest first. */
export function topFrames(profile: CpuProfile, count = 12): Frame[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const name = `${node.callFrame.functionName || '(anonymous)'}${where(node.callFrame.url, node.callFrame.lineNumber)}`;
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
  const out: Record<string, Frame[]> = {};
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return out;
  }
  for (const f of files.sort()) {
    out[f] = topFrames(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, count);
  }
  return out;
}
