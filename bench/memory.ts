// Issue 15, item 3: peak RSS (/usr/bin/time %M) of the CLI on each Node: without --deep first (the
// bundle and a metadata check: the floor every run stands on), then deep runs of one random layer
// per size and of 8 layers in flight at once. Images are generated in-process (bench/images.ts),
// not built. Not a test: it prints numbers, it asserts nothing.

import { uniqueName } from '../test/helpers/docker.js';
import type { TestRegistry } from '../test/helpers/registry.js';
import type { NodeRuntime } from './deep.js';
import { pushGeneratedImage } from './images.js';
import { MB, MiB, sizeName, timeOurs, type Measured } from './measure.js';

export const MEMORY_TARGET_MIB = 100;

export interface MemoryCase {
  what: string;
  /** One layer of this many bytes; undefined for the 8-layer case. */
  layerBytes?: number;
  /** Peak RSS per Node major version. */
  peakRssMiB: Map<number, number>;
}

export interface MemoryFigure {
  floor: Map<number, number>;
  cases: MemoryCase[];
}

export async function memoryBench(registry: TestRegistry, nodes: NodeRuntime[], sizes: number[], concurrency: string | undefined): Promise<MemoryFigure> {
  const tiny = await pushGeneratedImage(registry.host, uniqueName('bench/memory-tiny'), 1, 4096);
  console.log(`\npeak RSS (/usr/bin/time %M), target ≤ ${MEMORY_TARGET_MIB} MiB for a deep run; layers of random bytes (8 in flight: half random, half text):`);
  const line = (node: NodeRuntime, what: string, t: Measured, mb?: number) =>
    console.log(
      `  node ${node.version.padEnd(9)} ${what.padEnd(40)} peak RSS ${t.peakRssMiB.toFixed(0).padStart(4)} MiB, ${t.seconds.toFixed(2).padStart(6)} s, CPU ${String(t.cpuPercent).padStart(3)} %${mb ? ` (${(mb / t.seconds).toFixed(0)} MB/s)` : ''}`,
    );
  const floor = new Map<number, number>();
  for (const node of nodes) {
    const t = await timeOurs(node.path, tiny.ref, { deep: false });
    floor.set(node.major, t.peakRssMiB);
    line(node, 'no --deep (bundle + manifest, config)', t);
  }
  const cases: Array<{ what: string; layers: number; size: number }> = [
    ...sizes.map((size) => ({ what: `--deep, one ${sizeName(size)} layer`, layers: 1, size })),
    { what: '--deep, 8 layers of 32 MiB in flight', layers: 8, size: 32 * MiB },
  ];
  const results: MemoryCase[] = [];
  for (const c of cases) {
    process.stderr.write(`generating ${c.layers} layer(s) of ${sizeName(c.size)}…\n`);
    const image = await pushGeneratedImage(registry.host, uniqueName('bench/memory'), c.layers, c.size, c.layers === 1 ? 'random' : 'mixed');
    const result: MemoryCase = { what: c.what, layerBytes: c.layers === 1 ? c.size : undefined, peakRssMiB: new Map() };
    for (const node of nodes) {
      const t = await timeOurs(node.path, image.ref, { concurrency: c.layers > 1 ? String(c.layers) : (concurrency ?? '4') });
      result.peakRssMiB.set(node.major, t.peakRssMiB);
      line(node, c.what, t, image.compressed / MB);
    }
    results.push(result);
  }
  return { floor, cases: results };
}

/** The worst deep peak and the rise from the smallest to the largest single layer, for one Node. */
export function memoryVerdict(figure: MemoryFigure, major: number): { worst: number; smallest?: MemoryCase; largest?: MemoryCase; rise?: number } {
  const worst = Math.max(...figure.cases.map((c) => c.peakRssMiB.get(major) ?? NaN));
  const single = figure.cases.filter((c) => c.layerBytes !== undefined).sort((a, b) => (a.layerBytes as number) - (b.layerBytes as number));
  const smallest = single[0];
  const largest = single[single.length - 1];
  const rise = smallest && largest && smallest !== largest ? (largest.peakRssMiB.get(major) ?? NaN) - (smallest.peakRssMiB.get(major) ?? NaN) : undefined;
  return { worst, smallest, largest, rise };
}
