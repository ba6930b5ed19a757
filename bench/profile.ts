// Where a profiled run spent its time: V8 .cpuprofile files (node --cpu-prof) summarised as the
// functions with the most self time. Each sample's time (its timeDeltas entry) goes to the node it
// landed in; nodes are grouped by function name and the basename of their script, so the same
// function reached by different call paths adds up. V8's pseudo-frames `(idle)`,
// `(garbage collector)` and `(program)` are kept as they are: they say what the thread did when no
// JavaScript ran. A run with worker threads writes one profile per thread; main and workers are
// summarised apart.

import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
}

/** Self time per function (name + script basename), most first, and the profile's total. */
export function selfTimes(profile: CpuProfile): { totalMs: number; functions: SelfTime[] } {
  const groupOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const fn = node.callFrame.functionName || '(anonymous)';
    const file = node.callFrame.url ? basename(node.callFrame.url) : '';
    groupOf.set(node.id, fn.startsWith('(') && !file ? fn : `${fn}  [${file || 'native'}]`);
  }
  const totals = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i] ?? 0;
    const group = groupOf.get(profile.samples[i] as number) ?? '(unknown)';
    totals.set(group, (totals.get(group) ?? 0) + us);
    total += us;
  }
  return {
    totalMs: total / 1000,
    functions: [...totals].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms),
  };
}

/**
 * The top `top` self-time functions of every .cpuprofile in `dir` (one profiled run), as printable
 * lines: the main thread's, then all worker threads' together. Node names a profile
 * CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread.
 */
export async function summarizeProfiles(dir: string, top = 12): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return [`    no .cpuprofile in ${dir}`];
  const groups = new Map<string, { threads: number; totalMs: number; by: Map<string, number> }>();
  for (const file of files) {
    const thread = /\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1];
    const key = thread === undefined || thread === '0' ? 'main thread' : 'worker threads';
    const summary = selfTimes(JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile);
    const group = groups.get(key) ?? { threads: 0, totalMs: 0, by: new Map<string, number>() };
    group.threads++;
    group.totalMs += summary.totalMs;
    for (const f of summary.functions) group.by.set(f.name, (group.by.get(f.name) ?? 0) + f.ms);
    groups.set(key, group);
  }
  const lines: string[] = [];
  for (const key of ['main thread', 'worker threads']) {
    const group = groups.get(key);
    if (!group) continue;
    lines.push(`    ${key}${key === 'worker threads' ? ` (${group.threads})` : ''}: ${group.totalMs.toFixed(0)} ms sampled; top ${top} by self time:`);
    const sorted = [...group.by].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [name, ms] of sorted) {
      lines.push(`      ${ms.toFixed(0).padStart(7)} ms ${((ms / group.totalMs) * 100).toFixed(1).padStart(5)} %  ${name}`);
    }
  }
  return lines;
}
