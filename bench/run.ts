// `npm run bench`: every figure of issue 15 in one run, on one image, one registry and one
// machine, ending with one line per target: met, or missed by how much. Not a test: it prints
// numbers, it asserts nothing; but a verification that fails stops it with the error, and a
// figure it could not measure says so.
//
// The parts, in order (each prints how long it took, and the end lists them all):
//   1. the bench image (bench/images.ts): 9 layers, ~440 MB uncompressed, ~256 MiB compressed,
//      half random and half text, generated in-process and pushed to a throwaway local registry;
//   2. paired rounds (bench/deep.ts): our CLI (--deep --local none) on Node 20 and Node 24 (and
//      on Node 24 without hash workers), `skopeo copy docker://… dir:`, `docker pull` after
//      `docker rmi`; wall, CPU %, peak RSS
//      (/usr/bin/time), median (min..max) of 5 rounds, ratios to skopeo;
//   3. the tar index (bench/tar.ts): our header walker against the `tar` package's Parser;
//   4. the memory sweep (bench/memory.ts): no --deep, one layer of 10 MiB, 256 MiB, 1 GiB (and
//      3 GiB with --full), 8 layers in flight, on both Nodes;
//   5. start-up (bench/startup.ts): the action with deep: false against `node -e 0`;
//   6. the audit of 1000 tags (bench/audit.ts): requests per image, wall time, peak RSS;
//   7. the targets.
//
//   npm run bench                             # all of it (about 7 minutes on the shared 2-vCPU dev machine)
//   npm run bench -- --full                   # the memory sweep up to a 3 GiB layer (about 5 minutes more)
//   npm run bench -- --size 64M --runs 1      # a small bench image, one round (for development)
//   npm run bench -- --profile DIR            # also profile one deep run per Node (not timed); a missed
//                                             # speed target prints where the time went
//   npm run bench -- --memory [--memory-sizes 10M,1G,3G]   # the memory sweep only
//   npm run bench -- --startup                # start-up only: node dist/index.js (deep: false) vs node -e 0
//   npm run bench -- --audit                  # audit only: 1000 tags, requests per image, wall time, peak RSS
//   npm run bench -- --tar                    # tar index only, on a generated layer of 20,000 small files

import { cpus, availableParallelism, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { docker, removeImage, requireDaemon, uniqueName } from '../test/helpers/docker.js';
import { repoRoot } from '../test/helpers/action.js';
import { startRegistry, type TestRegistry } from '../test/helpers/registry.js';
import { auditBench, type AuditFigure } from './audit.js';
import { deepBench, type DeepFigure, type NodeRuntime } from './deep.js';
import { benchImageLayers, describeLayers, pushImageOf } from './images.js';
import { MiB, parseSize, run, sizeName } from './measure.js';
import { MEMORY_TARGET_MIB, memoryBench, memoryVerdict, type MemoryFigure } from './memory.js';
import { summarizeProfiles } from './profile.js';
import { PartClock, median } from './stats.js';
import { measureStartup, nodeBinaries, pushTinyImage, startupBench, type StartupFigure } from './startup.js';
import { imageCorpus, smallFilesCorpus, tarBench } from './tar.js';

/** Uncompressed bytes of the bench image at scale 1. */
const BENCH_IMAGE_BYTES = 440e6;
const DEEP_TARGET = 0.8;
const STARTUP_TARGET_MS = 80;
const AUDIT_REQUESTS_TARGET = 3;
const AUDIT_SECONDS_TARGET = 30;
/** How much the peak may rise from the smallest to the largest single layer and still be "flat". */
const FLAT_TOLERANCE_MIB = 10;

async function runtimes(): Promise<NodeRuntime[]> {
  const nodes: NodeRuntime[] = [];
  for (const path of nodeBinaries()) {
    const version = (await run(path, ['--version'])).stdout.trim();
    nodes.push({ path, version, major: Number(/^v(\d+)/.exec(version)?.[1] ?? 0) });
  }
  return nodes.sort((a, b) => a.major - b.major);
}

async function startupFigures(registry: TestRegistry, nodes: NodeRuntime[], runs: number): Promise<Map<number, StartupFigure>> {
  const ref = await pushTinyImage(registry.host, 'bench/startup');
  console.log(`\nstart-up: node dist/index.js, deep: false, local-image: none (manifest and config of a 1-layer image), median of ${runs}, interleaved with node -e 0:`);
  const figures = new Map<number, StartupFigure>();
  for (const node of nodes) {
    const f = await measureStartup(ref, node.path, runs);
    figures.set(node.major, f);
    console.log(
      `  node ${f.version}: node -e 0 ${f.bareMs.toFixed(0)} ms (CPU ${f.bareCpuMs.toFixed(0)} ms, ${f.bareRssMiB.toFixed(0)} MiB), ` +
        `action ${f.actionMs.toFixed(0)} ms (CPU ${f.actionCpuMs.toFixed(0)} ms, ${f.actionRssMiB.toFixed(0)} MiB): ` +
        `+${(f.actionMs - f.bareMs).toFixed(0)} ms (goal: +${STARTUP_TARGET_MS} ms)`,
    );
  }
  return figures;
}

interface Figures {
  nodes: NodeRuntime[];
  deep?: DeepFigure;
  memory?: MemoryFigure;
  startup?: Map<number, StartupFigure>;
  audit?: AuditFigure;
}

function verdict(met: boolean, missedBy: string): string {
  return met ? 'met' : `missed by ${missedBy}`;
}

/** One line per target: what was measured, and "met" or "missed by X". */
function targetLines(f: Figures): { lines: string[]; deepMissed: boolean } {
  const lines: string[] = [];
  const name = (major: number) => f.nodes.find((n) => n.major === major)?.version ?? `Node ${major}`;
  const newest = f.nodes[f.nodes.length - 1]?.major ?? 24;
  const others = f.nodes.filter((n) => n.major !== newest);
  let deepMissed = false;

  if (f.deep) {
    const ratio = (major: number) => median(f.deep?.tools.find((t) => t.key === `ours${major}`)?.ratios ?? []);
    const r = ratio(newest);
    deepMissed = !(r <= DEEP_TARGET);
    const beside = others.map((n) => `${n.version}: ${ratio(n.major).toFixed(2)}x`).join(', ');
    lines.push(
      `deep ≤ ${DEEP_TARGET}x skopeo's wall time (${name(newest)}): ${r.toFixed(2)}x: ${verdict(!deepMissed, `${(r - DEEP_TARGET).toFixed(2)}x (${((r / DEEP_TARGET - 1) * 100).toFixed(0)} % slower than the target)`)}${beside ? `  [${beside}]` : ''}`,
    );
  } else lines.push('deep ≤ 0.8x skopeo: not measured in this run');

  for (const node of f.nodes) {
    if (!f.memory) {
      lines.push(`peak RSS ≤ ${MEMORY_TARGET_MIB} MiB, flat (${node.version}): not measured in this run`);
      continue;
    }
    const m = memoryVerdict(f.memory, node.major);
    const benchRss = median(f.deep?.tools.find((t) => t.key === `ours${node.major}`)?.samples.map((s) => s.peakRssMiB ?? NaN) ?? []);
    const worst = Number.isFinite(benchRss) ? Math.max(m.worst, benchRss) : m.worst;
    const under = worst <= MEMORY_TARGET_MIB;
    const flat = m.rise === undefined ? undefined : m.rise <= FLAT_TOLERANCE_MIB;
    const range = m.smallest && m.largest && m.rise !== undefined ? ` ${sizeName(m.smallest.layerBytes as number)}..${sizeName(m.largest.layerBytes as number)}` : '';
    const parts = [`worst deep run ${worst.toFixed(0)} MiB: ${verdict(under, `${(worst - MEMORY_TARGET_MIB).toFixed(0)} MiB`)}`];
    if (flat === undefined) parts.push('flatness not measured (needs two single-layer sizes)');
    else parts.push(`rise${range} ${Math.round(m.rise!) >= 0 ? '+' : '-'}${Math.abs(Math.round(m.rise!))} MiB (flat: ≤ +${FLAT_TOLERANCE_MIB}): ${verdict(flat, `${(m.rise! - FLAT_TOLERANCE_MIB).toFixed(0)} MiB`)}`);
    lines.push(`peak RSS ≤ ${MEMORY_TARGET_MIB} MiB, flat${range} (${node.version}): ${parts.join('; ')}`);
  }

  if (f.startup) {
    const over = (major: number) => {
      const s = f.startup?.get(major);
      return s ? s.actionMs - s.bareMs : NaN;
    };
    const d = over(newest);
    const beside = others.map((n) => `${n.version}: +${over(n.major).toFixed(0)} ms`).join(', ');
    lines.push(
      `start-up ≤ node -e 0 + ${STARTUP_TARGET_MS} ms (${name(newest)}): +${d.toFixed(0)} ms: ${verdict(d <= STARTUP_TARGET_MS, `${(d - STARTUP_TARGET_MS).toFixed(0)} ms`)}${beside ? `  [${beside}]` : ''}`,
    );
  } else lines.push(`start-up ≤ node -e 0 + ${STARTUP_TARGET_MS} ms: not measured in this run`);

  if (f.audit) {
    const a = f.audit;
    const requests = a.perImage <= AUDIT_REQUESTS_TARGET;
    const fast = a.seconds < AUDIT_SECONDS_TARGET;
    lines.push(
      `audit of ${a.tags} images ≤ ${AUDIT_REQUESTS_TARGET} requests/image: ${a.perImage.toFixed(3)} (${a.allPerImage.toFixed(3)} with the ${a.once} made once per audit): ` +
        `${verdict(requests, `${(a.perImage - AUDIT_REQUESTS_TARGET).toFixed(3)} requests/image`)}; < ${AUDIT_SECONDS_TARGET} s: ${a.seconds.toFixed(1)} s: ${verdict(fast, `${(a.seconds - AUDIT_SECONDS_TARGET).toFixed(1)} s`)}`,
    );
  } else lines.push('audit of 1000 images: not measured in this run');
  return { lines, deepMissed };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      /** Uncompressed size of the bench image (default 440 MB: issue 15's image). */
      size: { type: 'string' },
      runs: { type: 'string', default: '5' },
      full: { type: 'boolean', default: false },
      memory: { type: 'boolean', default: false },
      'memory-sizes': { type: 'string' },
      concurrency: { type: 'string' },
      startup: { type: 'boolean', default: false },
      audit: { type: 'boolean', default: false },
      tar: { type: 'boolean', default: false },
      'audit-tags': { type: 'string', default: '1000' },
      /** Write V8 CPU profiles (node --cpu-prof) of one deep run per Node, and of the audit, into this directory. */
      profile: { type: 'string' },
      'startup-runs': { type: 'string', default: '10' },
      /** Further bundles to time next to dist/index.js (e.g. a copy of an older build), comma-separated; --startup only. */
      'startup-compare': { type: 'string', default: '' },
    },
  });
  const rounds = Number(values.runs);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--runs ${values.runs}: use a whole number ≥ 1`);
  const startupRuns = Number(values['startup-runs']);
  const auditTags = Number(values['audit-tags']);
  const memorySizes = (values['memory-sizes'] ?? (values.full ? '10M,256M,1G,3G' : '10M,256M,1G')).split(',').map(parseSize);
  const auditArgs = (sub: string) => (values.profile ? ['--cpu-prof', '--cpu-prof-dir', join(values.profile, sub)] : []);

  if (values.audit) {
    const registry = await startRegistry();
    try {
      await auditBench(registry, auditTags, auditArgs('audit'));
    } finally {
      await registry.stop();
    }
    return;
  }
  if (values.startup) {
    const registry = await startRegistry();
    try {
      const others = values['startup-compare'].split(',').filter(Boolean);
      await startupBench(registry, startupRuns, [join(repoRoot(), 'dist', 'index.js'), ...others]);
    } finally {
      await registry.stop();
    }
    return;
  }
  if (values.tar) {
    await tarBench([smallFilesCorpus()]);
    return;
  }

  const clock = new PartClock();
  const nodes = await runtimes();
  const figures: Figures = { nodes };
  const registry = await startRegistry();
  let benchRef: string | undefined;
  try {
    if (values.memory) {
      figures.memory = await memoryBench(registry, nodes, memorySizes, values.concurrency);
      console.log(`\n${targetLines(figures).lines.filter((l) => l.startsWith('peak RSS')).join('\n')}`);
      return;
    }
    await requireDaemon();
    const [skopeoVersion, dockerVersion] = await Promise.all([
      run('skopeo', ['--version']).then((r) => r.stdout.trim()),
      docker(['version', '--format', '{{.Server.Version}}']).then((v) => v.trim()),
    ]);
    console.log(`verify-image benchmark — ${new Date().toISOString()}`);
    console.log(
      `machine: ${availableParallelism()} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 1024 / MiB).toFixed(0)} GiB RAM, Linux ${release()}; ` +
        `${nodes.map((n) => `node ${n.version}`).join(', ')}; ${skopeoVersion}; docker ${dockerVersion}`,
    );
    console.log('registry: local CNCF distribution (docker-registry) on 127.0.0.1, filesystem storage; our CLI: the bundled dist/cli/index.js');
    console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine slows every tool alike)`);

    const scale = values.size ? parseSize(values.size) / BENCH_IMAGE_BYTES : 1;
    const layers = benchImageLayers(scale);
    const image = await clock.time('bench image: generate and push', () => pushImageOf(registry.host, uniqueName('bench/image'), layers));
    benchRef = image.ref;
    figures.deep = await clock.time(`paired rounds (${rounds})${values.profile ? ' + profiled runs' : ''}`, () =>
      deepBench(image, registry.storageDir, nodes, { rounds, concurrency: values.concurrency, profileDir: values.profile, description: describeLayers(layers) }),
    );
    await clock.time('tar index', async () => tarBench([await imageCorpus('bench image, all 9 layers', registry.storageDir, image.digests), smallFilesCorpus()]));
    figures.memory = await clock.time(`memory sweep (${memorySizes.map(sizeName).join(', ')}, 8 in flight)`, () => memoryBench(registry, nodes, memorySizes, values.concurrency));
    figures.startup = await clock.time('start-up', () => startupFigures(registry, nodes, startupRuns));
    figures.audit = await clock.time(`audit (${auditTags} tags)`, () => auditBench(registry, auditTags, auditArgs('audit')));

    const { lines, deepMissed } = targetLines(figures);
    console.log('\ntargets (issue 15):');
    for (const line of lines) console.log(`  ${line}`);
    if (values.profile && figures.deep) {
      if (deepMissed) {
        for (const [major, dir] of figures.deep.profiles) {
          console.log(`\nwhere the deep run's time goes on Node ${major} (one profiled run, not among the timed ones; ${dir}):`);
          for (const line of await summarizeProfiles(dir)) console.log(line);
        }
      } else console.log(`\nprofiles of the deep runs: ${[...figures.deep.profiles.values()].join(', ')}`);
    } else if (deepMissed) console.log('  (run with --profile DIR to see where the deep run spends its time)');
    console.log(`\ntime taken, per part:\n${clock.summary()}`);
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    if (benchRef) await removeImage(benchRef).catch(() => undefined);
    await registry.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
