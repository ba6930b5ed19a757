// `npm run bench`: how fast deep verification is, next to the tools people already trust, on the
// same images, registry and machine. Not a test: it prints numbers, it asserts nothing.
//
// It builds two images with the daemon (a few large layers; many small ones), each layer half
// random bytes (incompressible) and half text (compressible), pushes them to a throwaway local
// registry, then times, per image:
//   - this action's deep verification (the bundled CLI, --deep --local none), with its peak RSS;
//   - `skopeo copy docker://… dir:` (downloads and checks compressed digests, writes to disk);
//   - `docker pull` after `docker rmi` (downloads, checks, decompresses and extracts);
// and the single-core ceiling: sha256 of the compressed bytes + gunzip + sha256 of the output,
// one after the other on one thread, in this process.
//
//   npm run bench                       # 100M in total
//   npm run bench -- --size 600M        # the README's numbers
//   npm run bench -- --memory           # peak RSS on Node 20 and 24: no --deep, one 10 MiB and 256 MiB layer, 8 layers in flight
//   npm run bench -- --memory --memory-sizes 10M,1G,3G
//   npm run bench -- --startup          # start-up only: node dist/index.js (deep: false) vs node -e 0
//   npm run bench -- --audit            # audit only: 1000 tags, requests per image, wall time, peak RSS

import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { BUSYBOX_PATH, docker, removeImage, requireDaemon, uniqueName } from '../test/helpers/docker.js';
import { repoRoot } from '../test/helpers/action.js';
import { blobDataPath, getManifest, type PushedManifest } from '../test/helpers/registry-api.js';
import { startRegistry, type TestRegistry } from '../test/helpers/registry.js';
import { auditBench } from './audit.js';
import { pushGeneratedImage } from './images.js';
import { nodeBinaries, startupBench } from './startup.js';

interface Timing {
  tool: string;
  seconds: number;
  peakRssMiB?: number;
  note?: string;
}

interface BenchImage {
  name: string;
  ref: string;
  manifest: PushedManifest;
  compressed: number;
}

const MB = 1e6;
const MiB = 1024 * 1024;

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) throw new Error(`--size ${text}: use a number with K, M or G, e.g. 600M`);
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[(m[2] ?? '').toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

function run(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 256 * MiB, env: opts.env ?? process.env, timeout: 3_600_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve({ stdout, stderr });
    });
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

/**
 * A Dockerfile whose layers each hold `bytesPerLayer`: half random, a quarter base64 text and a
 * quarter decimal numbers (compressible), on a busybox layer of its own (a nonce keeps it from
 * being shared with any other image on the daemon, so `docker pull` really pulls everything).
 */
function dockerfile(layers: number, bytesPerLayer: number): string {
  const random = Math.floor(bytesPerLayer / 2);
  const text = Math.floor(bytesPerLayer / 4);
  const lines = ['FROM scratch', 'COPY busybox nonce /bin/', 'RUN ["/bin/busybox", "--install", "-s", "/bin"]'];
  for (let i = 0; i < layers; i++) {
    lines.push(
      `RUN mkdir -p /data/${i} && head -c ${random} /dev/urandom > /data/${i}/random && ` +
        `head -c ${Math.floor((text * 3) / 4)} /dev/urandom | base64 > /data/${i}/base64 && ` +
        `seq 1 100000000 | head -c ${text} > /data/${i}/numbers`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function buildAndPush(registry: TestRegistry, name: string, layers: number, bytesPerLayer: number): Promise<BenchImage> {
  process.stderr.write(`building ${name}: ${layers} layers of ${(bytesPerLayer / MiB).toFixed(1)} MiB…\n`);
  return pushBenchImage(registry, name, `bench/${name}`, dockerfile(layers, bytesPerLayer));
}

/** Builds `dockerfile` over busybox and a nonce (so every run pushes new blobs), pushes it, reads its manifest. */
async function pushBenchImage(registry: TestRegistry, name: string, repoPrefix: string, dockerfileText: string): Promise<BenchImage> {
  const repo = uniqueName(repoPrefix);
  const ref = `${registry.host}/${repo}:1`;
  const context = await mkdtemp(join(tmpdir(), 'verify-image-bench-'));
  try {
    await copyFile(BUSYBOX_PATH, join(context, 'busybox'));
    await writeFile(join(context, 'nonce'), randomBytes(16).toString('hex'));
    await writeFile(join(context, 'Dockerfile'), dockerfileText);
    await docker(['build', '-q', '-t', ref, context]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  process.stderr.write(`pushing ${ref}…\n`);
  await docker(['push', ref]);
  const manifest = await getManifest(registry.host, repo, '1');
  return { name, ref, manifest, compressed: manifest.layers.reduce((n, l) => n + l.size, 0) };
}

/**
 * Our CLI in a child process; its own peak RSS comes back on stderr from a preloaded exit hook.
 * The hook reads VmHWM (the high-water mark of the process's own memory since exec) rather than
 * getrusage's maxrss, which on Linux starts from the parent's RSS at fork time.
 */
const PEAK_RSS_HOOK = [
  'data:text/javascript,',
  "import { readFileSync } from 'node:fs';",
  "process.on('exit', () => {",
  '  let kib = process.resourceUsage().maxRSS;',
  "  try { kib = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}",
  "  process.stderr.write('PEAK_RSS ' + kib + '\\n');",
  '});',
].join('');

async function timeOurs(ref: string, concurrency: string | undefined, deepRun = true): Promise<Timing & { bytes: number; uncompressed: number }> {
  const cli = join(repoRoot(), 'dist', 'cli', 'index.js');
  const args = ['--import', PEAK_RSS_HOOK, cli, ref, '--local', 'none', '--json', '--quiet'];
  if (deepRun) args.push('--deep');
  if (deepRun && concurrency) args.push('--concurrency', concurrency);
  const { seconds, value } = await timed(() => run(process.execPath, args));
  const report = JSON.parse(value.stdout) as { verified: boolean; images: { deep?: { verified: boolean; bytesDownloaded: number; concurrency: number; layers: { uncompressedSize?: number }[] } }[] };
  const deep = report.images[0]?.deep ?? { verified: !deepRun, bytesDownloaded: 0, concurrency: 0, layers: [] };
  if (!report.verified || !deep.verified) throw new Error(`verification of ${ref} did not pass: ${value.stdout.slice(0, 2000)}`);
  const rss = /PEAK_RSS (\d+)/.exec(value.stderr);
  return {
    tool: `verify-image --deep (node ${process.version}, ${deep.concurrency} layers at a time)`,
    seconds,
    peakRssMiB: rss ? Number(rss[1]) / 1024 : undefined,
    bytes: deep.bytesDownloaded,
    uncompressed: deep.layers.reduce((n, l) => n + (l.uncompressedSize ?? 0), 0),
  };
}

async function timeSkopeo(ref: string): Promise<Timing> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-bench-skopeo-'));
  try {
    const { seconds } = await timed(() => run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `dir:${dir}/image`]));
    return { tool: 'skopeo copy docker://… dir: (compressed digests, writes to disk)', seconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeDockerPull(ref: string): Promise<Timing> {
  await removeImage(ref);
  const { seconds } = await timed(() => docker(['pull', '-q', ref]));
  return { tool: 'docker pull after docker rmi (digests, decompress, extract)', seconds };
}

/** sha256(compressed) + gunzip + sha256(uncompressed), one after the other on this thread. */
async function singleCoreCeiling(registry: TestRegistry, image: BenchImage): Promise<{ seconds: number; stages: Record<string, number> }> {
  const stages = { 'sha256 compressed': 0, gunzip: 0, 'sha256 uncompressed': 0 };
  for (const layer of image.manifest.layers) {
    const blob = await readFile(blobDataPath(registry.storageDir, layer.digest));
    let t = process.hrtime.bigint();
    createHash('sha256').update(blob).digest();
    stages['sha256 compressed'] += Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    const tar = gunzipSync(blob, { chunkSize: 1024 * 1024 });
    stages.gunzip += Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    createHash('sha256').update(tar).digest();
    stages['sha256 uncompressed'] += Number(process.hrtime.bigint() - t) / 1e9;
  }
  return { seconds: Object.values(stages).reduce((a, b) => a + b, 0), stages };
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

async function benchImage(registry: TestRegistry, image: BenchImage, concurrency: string | undefined): Promise<void> {
  const ours = await timeOurs(image.ref, concurrency);
  const skopeo = await timeSkopeo(image.ref);
  const pull = await timeDockerPull(image.ref);
  const ceiling = await singleCoreCeiling(registry, image);
  const mbps = (seconds: number) => image.compressed / MB / seconds;
  console.log(
    `\n${image.name}: ${image.manifest.layers.length} layers, ${(image.compressed / MB).toFixed(0)} MB compressed, ${(ours.uncompressed / MB).toFixed(0)} MB uncompressed`,
  );
  const widths = [72, 9, 9, 12, 10];
  console.log(row(['', 'time', 'MB/s', 'vs ours', 'peak RSS'], widths));
  for (const t of [ours, skopeo, pull]) {
    console.log(
      row(
        [
          t.tool,
          `${t.seconds.toFixed(2)} s`,
          mbps(t.seconds).toFixed(0),
          t === ours ? '1.00x' : `${(t.seconds / ours.seconds).toFixed(2)}x time`,
          t.peakRssMiB ? `${t.peakRssMiB.toFixed(0)} MiB` : '',
        ],
        widths,
      ),
    );
  }
  const stages = Object.entries(ceiling.stages)
    .map(([k, v]) => `${k} ${(image.compressed / MB / v).toFixed(0)} MB/s`)
    .join(', ');
  console.log(
    row([`single-core ceiling in-process (${stages})`, `${ceiling.seconds.toFixed(2)} s`, mbps(ceiling.seconds).toFixed(0), `${(ours.seconds / ceiling.seconds).toFixed(2)}x`, ''], widths),
  );
  console.log(`(MB/s = compressed megabytes (10^6) per second of wall time; "vs ours" = its time / ours.)`);
}

/** The CLI under /usr/bin/time on `node`: its own peak RSS (%M, the child's high-water mark), wall time and CPU %. */
function timeCli(node: string, args: string[]): Promise<{ seconds: number; peakRssMiB: number; cpuPercent: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KIB %M CPU %P', node, join(repoRoot(), 'dist', 'cli', 'index.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /PEAK_RSS_KIB (\d+) CPU (\d+)%/.exec(stderr);
      if (code !== 0 || !m) return reject(new Error(`verify-image ${args.join(' ')} on ${node} exited ${code}: ${stderr.slice(-1000)} ${stdout.slice(0, 1000)}`));
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMiB: Number(m[1]) / 1024, cpuPercent: Number(m[2]), stdout });
    });
  });
}

const MEMORY_TARGET_MIB = 100;

/**
 * Peak RSS (/usr/bin/time %M) of the CLI on each Node: without --deep (the bundle and a metadata
 * check: the floor every run stands on), then deep runs of one random layer per size and of 8
 * layers in flight at once. Images are generated in-process (bench/images.ts), not built.
 */
async function memoryBench(registry: TestRegistry, sizes: number[], concurrency: string | undefined): Promise<void> {
  const nodes = nodeBinaries();
  const versions = await Promise.all(nodes.map((n) => run(n, ['--version']).then((r) => r.stdout.trim())));
  const tiny = await pushGeneratedImage(registry.host, uniqueName('bench/memory-tiny'), 1, 4096);
  const label = (i: number) => `node ${versions[i]}`.padEnd(16);
  console.log(`\npeak RSS (/usr/bin/time %M), target ≤ ${MEMORY_TARGET_MIB} MiB for a deep run:`);
  const worst: number[] = nodes.map(() => 0);
  const line = (i: number, what: string, t: { seconds: number; peakRssMiB: number; cpuPercent: number }, deep: boolean, mb?: number) => {
    if (deep) worst[i] = Math.max(worst[i] ?? 0, t.peakRssMiB);
    console.log(
      `  ${label(i)} ${what.padEnd(34)} peak RSS ${t.peakRssMiB.toFixed(0).padStart(4)} MiB, ${t.seconds.toFixed(2)} s, CPU ${t.cpuPercent} %${mb ? ` (${(mb / t.seconds).toFixed(0)} MB/s)` : ''}`,
    );
  };
  for (const [i, node] of nodes.entries()) line(i, 'no --deep (bundle + manifest, config)', await timeCli(node, [tiny.ref, '--local', 'none', '--json', '--quiet']), false);
  const cases: Array<{ what: string; layers: number; size: number }> = [
    ...sizes.map((size) => ({ what: `--deep, one ${(size / MiB).toFixed(0)} MiB layer`, layers: 1, size })),
    { what: '--deep, 8 layers of 32 MiB in flight', layers: 8, size: 32 * MiB },
  ];
  for (const c of cases) {
    process.stderr.write(`generating ${c.layers} layer(s) of ${(c.size / MiB).toFixed(0)} MiB…\n`);
    const image = await pushGeneratedImage(registry.host, uniqueName('bench/memory'), c.layers, c.size, c.layers === 1 ? 'random' : 'mixed');
    const args = [image.ref, '--local', 'none', '--json', '--quiet', '--deep', '--concurrency', c.layers > 1 ? String(c.layers) : (concurrency ?? '4')];
    for (const [i, node] of nodes.entries()) line(i, c.what, await timeCli(node, args), true, image.compressed / MB);
  }
  for (const [i] of nodes.entries()) {
    const peak = worst[i] ?? 0;
    console.log(
      `  target peak RSS ≤ ${MEMORY_TARGET_MIB} MiB on ${versions[i]}: ${peak <= MEMORY_TARGET_MIB ? 'met' : `missed by ${(peak - MEMORY_TARGET_MIB).toFixed(0)} MiB`} (worst deep run ${peak.toFixed(0)} MiB)`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '100M' },
      memory: { type: 'boolean', default: false },
      'memory-sizes': { type: 'string', default: '10M,256M' },
      concurrency: { type: 'string' },
      startup: { type: 'boolean', default: false },
      audit: { type: 'boolean', default: false },
      'audit-tags': { type: 'string', default: '1000' },
      /** Write V8 CPU profiles of our runs (node --cpu-prof) into this directory. */
      profile: { type: 'string' },
      'startup-runs': { type: 'string', default: '10' },
      /** Further bundles to time next to dist/index.js (e.g. a copy of an older build), comma-separated. */
      'startup-compare': { type: 'string', default: '' },
    },
  });
  const startupRuns = Number(values['startup-runs']);
  const nodeArgs = values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
  const auditTags = Number(values['audit-tags']);
  if (values.audit) {
    const registry = await startRegistry();
    try {
      await auditBench(registry, auditTags, nodeArgs);
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
  await requireDaemon();
  const total = parseSize(values.size);
  const [skopeoVersion, dockerVersion] = await Promise.all([
    run('skopeo', ['--version']).then((r) => r.stdout.trim()),
    docker(['version', '--format', '{{.Server.Version}}']).then((v) => v.trim()),
  ]);
  console.log(`verify-image benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${availableParallelism()} CPUs (${cpus()[0]?.model.trim()}), node ${process.version}, ${skopeoVersion}, docker ${dockerVersion}`);
  console.log('registry: local CNCF distribution (docker-registry) on 127.0.0.1, filesystem storage');
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine slows every tool alike)`);

  const registry = await startRegistry();
  const refs: string[] = [];
  try {
    if (values.memory) {
      await memoryBench(registry, values['memory-sizes'].split(',').map(parseSize), values.concurrency);
      return;
    }
    console.log(`total image size: ${(total / MiB).toFixed(0)} MiB of layer data (half random, half text)`);
    const large = await buildAndPush(registry, 'few large layers', 3, Math.floor((total * 3) / 4 / 3));
    refs.push(large.ref);
    const small = await buildAndPush(registry, 'many small layers', 24, Math.floor(total / 4 / 24));
    refs.push(small.ref);
    for (const image of [large, small]) await benchImage(registry, image, values.concurrency);
    await startupBench(registry, startupRuns);
    await auditBench(registry, auditTags);
    console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    for (const ref of refs) await removeImage(ref).catch(() => undefined);
    await registry.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
