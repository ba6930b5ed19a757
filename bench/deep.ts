// Issue 15, item 6: deep verification next to the tools people already trust, on one image and
// one registry, in paired rounds: each round runs our CLI on Node 20, on Node 24, on Node 24 with
// the per-layer pass on the main thread (VERIFY_IMAGE_HASH_THREADS=0), `skopeo copy` and
// `docker pull` one after the other, so that whatever else loads the machine hits them all
// alike; ratios to skopeo are taken within a round, then the median over the rounds.
// Beside them, two in-process references: the single-core ceiling (sha256 of the compressed
// bytes + gunzip + sha256 of the output, one after the other on one thread) and the network floor
// (every blob fetched at once and thrown away).
// Not a test: it prints numbers, it asserts nothing; a verification that fails stops the bench.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { removeImage } from '../test/helpers/docker.js';
import { blobDataPath } from '../test/helpers/registry-api.js';
import type { GeneratedImage } from './images.js';
import { MB, MiB, processCpuSeconds, timeCommand, timeOurs, type Measured } from './measure.js';
import { median, spread } from './stats.js';

export interface NodeRuntime {
  path: string;
  version: string;
  major: number;
}

export interface ToolFigure {
  key: string;
  label: string;
  /** For our runs: the Node to run and extra environment. */
  node?: NodeRuntime;
  env?: NodeJS.ProcessEnv;
  samples: Array<{ seconds: number; cpuPercent?: number; peakRssMiB?: number }>;
  /** This tool's wall time / skopeo's, one per round. */
  ratios: number[];
  note?: string;
}

export interface DeepFigure {
  tools: ToolFigure[];
  /** Per Node major version: where the profiled run's .cpuprofile files are, when --profile was given. */
  profiles: Map<number, string>;
  concurrency: number;
  uncompressed: number;
}

/** The pid of the daemon behind `docker` with no DOCKER_HOST (the default socket), if it can be read. */
function defaultDaemonPid(): number | undefined {
  const host = process.env.DOCKER_HOST;
  if (host && host !== 'unix:///var/run/docker.sock') return undefined;
  try {
    const pid = Number(readFileSync('/var/run/docker.pid', 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function skopeoCopy(ref: string): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-bench-skopeo-'));
  try {
    return await timeCommand('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `dir:${dir}/image`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `docker pull` after `docker rmi`. The work happens in dockerd, so the client's own CPU and RSS
 * say nothing: CPU % is the daemon's (its reaped children, which untar, included) plus the
 * client's over the pull's wall time; it counts whatever else the daemon did meanwhile.
 */
async function dockerPull(ref: string, daemon: number | undefined): Promise<{ seconds: number; cpuPercent?: number }> {
  await removeImage(ref);
  const before = daemon ? processCpuSeconds(daemon) : undefined;
  const measured = await timeCommand('docker', ['pull', '-q', ref]);
  const after = daemon ? processCpuSeconds(daemon) : undefined;
  const daemonCpu = before !== undefined && after !== undefined ? ((after - before) / measured.seconds) * 100 : undefined;
  return { seconds: measured.seconds, cpuPercent: daemonCpu === undefined ? undefined : daemonCpu + measured.cpuPercent };
}

/** sha256(compressed) + gunzip + sha256(uncompressed), one after the other on this thread. */
async function singleCoreCeiling(storageDir: string, digests: string[]): Promise<{ seconds: number; stages: Record<string, number> }> {
  const stages = { 'sha256 compressed': 0, gunzip: 0, 'sha256 uncompressed': 0 };
  for (const digest of digests) {
    const blob = await readFile(blobDataPath(storageDir, digest));
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

/** Every layer blob fetched at once over loopback and discarded: what the registry and network alone cost. */
async function networkFloor(ref: string, digests: string[]): Promise<number> {
  const [host, ...rest] = ref.split('/');
  const repo = rest.join('/').replace(/:[^:/]+$/, '');
  const started = process.hrtime.bigint();
  await Promise.all(
    digests.map(
      (digest) =>
        new Promise<void>((resolve, reject) => {
          // node:http and resume(): the bytes are read and dropped with no stream machinery of ours on top.
          get(`http://${host}/v2/${repo}/blobs/${digest}`, (res) => {
            if (res.statusCode !== 200) reject(new Error(`GET blob ${digest}: ${res.statusCode}`));
            res.on('end', resolve).on('error', reject).resume();
          }).on('error', reject);
        }),
    ),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export async function deepBench(
  image: GeneratedImage,
  storageDir: string,
  nodes: NodeRuntime[],
  opts: { rounds: number; concurrency?: string; profileDir?: string; description?: string },
): Promise<DeepFigure> {
  const daemon = defaultDaemonPid();
  const newest = nodes[nodes.length - 1];
  const tools: ToolFigure[] = [
    ...nodes.map((n): ToolFigure => ({ key: `ours${n.major}`, label: `verify-image --deep, Node ${n.version.replace(/^v/, '')}`, node: n, samples: [], ratios: [] })),
    // The same on the action's runtime with the per-layer pass kept on the main thread (no hash
    // workers): what the worker threads buy, measured in the same rounds.
    ...(newest
      ? [
          {
            key: `ours${newest.major}-main`,
            label: `  same, VERIFY_IMAGE_HASH_THREADS=0`,
            node: newest,
            env: { VERIFY_IMAGE_HASH_THREADS: '0' },
            samples: [],
            ratios: [],
            note: 'hashing, inflate feeding and the tar walk on the main thread, as before worker threads',
          },
        ]
      : []),
    { key: 'skopeo', label: 'skopeo copy docker://… dir:', samples: [], ratios: [] },
    {
      key: 'pull',
      label: 'docker pull (after docker rmi)',
      samples: [],
      ratios: [],
      note: daemon ? 'CPU % = dockerd (with its untar children) + client; peak RSS: in the daemon, not measured' : 'dockerd not found at /var/run/docker.pid: CPU % and peak RSS not measured',
    },
  ];
  const byKey = (key: string) => tools.find((t) => t.key === key) as ToolFigure;
  let concurrency = 0;
  let uncompressed = 0;
  for (let round = 1; round <= opts.rounds; round++) {
    process.stderr.write(`paired round ${round} of ${opts.rounds}…\n`);
    const seconds = new Map<string, number>();
    for (const tool of tools) {
      if (!tool.node) continue;
      const ours = await timeOurs(tool.node.path, image.ref, { concurrency: opts.concurrency, env: tool.env });
      concurrency = ours.concurrency;
      uncompressed = ours.uncompressed;
      tool.samples.push(ours);
      seconds.set(tool.key, ours.seconds);
    }
    const skopeo = await skopeoCopy(image.ref);
    byKey('skopeo').samples.push(skopeo);
    seconds.set('skopeo', skopeo.seconds);
    const pull = await dockerPull(image.ref, daemon);
    byKey('pull').samples.push(pull);
    seconds.set('pull', pull.seconds);
    for (const tool of tools) tool.ratios.push((seconds.get(tool.key) as number) / skopeo.seconds);
  }
  await removeImage(image.ref).catch(() => undefined);

  const profiles = new Map<number, string>();
  if (opts.profileDir) {
    for (const node of nodes) {
      const dir = join(opts.profileDir, `deep-node${node.major}`);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      process.stderr.write(`profiling a deep run on Node ${node.version} into ${dir}…\n`);
      await timeOurs(node.path, image.ref, { concurrency: opts.concurrency, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
      profiles.set(node.major, dir);
    }
  }

  const ceiling = await singleCoreCeiling(storageDir, image.digests);
  const floor = await networkFloor(image.ref, image.digests);

  console.log(
    `\nbench image: ${image.layers} layers, ${(image.compressed / MB).toFixed(0)} MB (${(image.compressed / MiB).toFixed(0)} MiB) compressed, ` +
      `${(uncompressed / MB).toFixed(0)} MB uncompressed; ${opts.rounds} paired rounds, each: ${tools.map((t) => t.key).join(', ')}`,
  );
  if (opts.description) console.log(opts.description);
  console.log(`our CLI: --deep --local none, ${concurrency} layers at a time; median (min..max) over the rounds; "vs skopeo" = wall / skopeo's wall in the same round`);
  const widths = [40, 20, 20, 16, 18, 7];
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(row(['', 'wall s', 'vs skopeo', 'CPU %', 'peak RSS MiB', 'MB/s']));
  for (const tool of tools) {
    const walls = tool.samples.map((s) => s.seconds);
    const cpu = tool.samples.map((s) => s.cpuPercent).filter((v): v is number => v !== undefined);
    const rss = tool.key === 'pull' ? [] : tool.samples.map((s) => s.peakRssMiB).filter((v): v is number => v !== undefined);
    console.log(
      row([
        tool.label,
        spread(walls, 2),
        tool.key === 'skopeo' ? '1.00x' : spread(tool.ratios, 2, 'x'),
        spread(cpu, 0),
        spread(rss, 0),
        (image.compressed / MB / median(walls)).toFixed(0),
      ]),
    );
  }
  const stages = Object.entries(ceiling.stages)
    .map(([k, v]) => `${k} ${(image.compressed / MB / v).toFixed(0)} MB/s`)
    .join(', ');
  console.log(row(['single-core ceiling, in-process', ceiling.seconds.toFixed(2), '', '', '', (image.compressed / MB / ceiling.seconds).toFixed(0)]));
  console.log(`  (${stages}; MB/s of compressed bytes)`);
  console.log(row(['all blobs fetched at once, discarded', floor.toFixed(2), '', '', '', (image.compressed / MB / floor).toFixed(0)]));
  for (const tool of tools) if (tool.note) console.log(`  ${tool.label.trim()}: ${tool.note}`);
  console.log('  MB/s = compressed megabytes (10^6) per second of median wall time; skopeo checks compressed digests only and writes to disk.');
  return { tools, profiles, concurrency, uncompressed };
}
