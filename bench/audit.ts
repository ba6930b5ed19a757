// Audits at fleet scale (issue 15, item 5): `verify-image audit` over 1000 tags on a loopback
// registry, counting the requests it makes through a counting proxy, with wall time and peak RSS.
// The tags are cheap: 5 base images, 10 application images each built on one of them (the base's
// layer plus one of its own, the base named by annotations), and every application manifest
// re-tagged 100 times. No base has moved, so every image should come out current.
// Not a test: it prints numbers, it asserts nothing.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers/action.js';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, buildTestImage } from '../test/helpers/oci.js';
import { startCountingProxy } from '../test/helpers/proxy.js';
import { pushManifest, uploadBlob } from '../test/helpers/registry-api.js';
import type { TestRegistry } from '../test/helpers/registry.js';

const BASES = 5;
const APPS = 10;

interface Blob {
  digest: string;
  size: number;
}

async function pushImage(host: string, repo: string, tags: string[], config: Buffer, layers: Buffer[], annotations?: Record<string, string>): Promise<string> {
  const configBlob: Blob = await uploadBlob(host, repo, config);
  const layerBlobs: Blob[] = [];
  for (const layer of layers) layerBlobs.push(await uploadBlob(host, repo, layer));
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, ...configBlob },
    layers: layerBlobs.map((b) => ({ mediaType: OCI_LAYER, ...b })),
    ...(annotations ? { annotations } : {}),
  };
  let digest = '';
  for (const tag of tags) digest = await pushManifest(host, repo, tag, manifest, OCI_MANIFEST);
  return digest;
}

/** Pushes the fleet to `host` (directly, not through the proxy) and returns the `tags` references, named through `named`. */
export async function pushFleet(host: string, tags: number, named: string): Promise<string[]> {
  const bases: { repo: string; digest: string; layer: Buffer; diffId: string }[] = [];
  for (let b = 0; b < BASES; b++) {
    const image = await buildTestImage([{ [`etc/base-${b}`]: `base ${b}\n` }]);
    const repo = `fleet/base-${b}`;
    const digest = await pushImage(host, repo, ['latest'], image.config, image.layers);
    bases.push({ repo, digest, layer: image.layers[0] as Buffer, diffId: image.diffIds[0] as string });
  }
  const perApp = Math.ceil(tags / APPS);
  const refs: string[] = [];
  for (let a = 0; a < APPS; a++) {
    const base = bases[a % BASES] as (typeof bases)[number];
    const image = await buildTestImage([{ [`etc/base-${a % BASES}`]: `base ${a % BASES}\n` }, { [`app/${a}`]: `app ${a}\n` }]);
    if (image.diffIds[0] !== base.diffId) throw new Error('the application image does not start with its base layer');
    const repo = `fleet/app-${a}`;
    const names = Array.from({ length: Math.min(perApp, tags - refs.length) }, (_, t) => `v${t}`);
    await pushImage(host, repo, names, image.config, image.layers, {
      'org.opencontainers.image.base.name': `${named}/${base.repo}:latest`,
      'org.opencontainers.image.base.digest': base.digest,
    });
    refs.push(...names.map((t) => `${named}/${repo}:${t}`));
  }
  return refs;
}

interface AuditReport {
  images: { status: string; base?: { status: string } }[];
}

/** What the audit figure says, for the targets table (bench/run.ts). */
export interface AuditFigure {
  tags: number;
  seconds: number;
  peakRssMiB: number | undefined;
  /** Requests about the audited images themselves (their repositories, but for a single referrers-API probe), per image. */
  perImage: number;
  /** Everything the registry saw, per image: with the pings and base lookups made once per audit. */
  allPerImage: number;
  /** Requests made once for the whole audit (pings, base lookups, the referrers-API probe), in total. */
  once: number;
  exit: number | null;
}

export async function auditBench(registry: TestRegistry, tags: number, nodeArgs: string[] = []): Promise<AuditFigure> {
  process.stderr.write(`pushing ${tags} tags over ${BASES} bases…\n`);
  const proxy = await startCountingProxy(registry.host);
  try {
    const refs = await pushFleet(registry.host, tags, proxy.host);
    proxy.reset();
    const cli = join(repoRoot(), 'dist', 'cli', 'index.js');
    const started = process.hrtime.bigint();
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KIB %M', process.execPath, ...nodeArgs, cli, 'audit', ...refs, '--json', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ stdout: out, stderr: err, code: exit }));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Nothing moved, so anything but exit 0 is a failed audit: no figure, the bench stops.
    if (code !== 0) throw new Error(`the audit of ${refs.length} tags exited ${code}: ${stderr.trim().slice(-1500)} ${stdout.slice(0, 500)}`);
    const report = JSON.parse(stdout) as AuditReport;
    const statuses = new Map<string, number>();
    for (const image of report.images) {
      const key = `${image.status}, base ${image.base?.status ?? 'none'}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    const kinds = new Map<string, number>();
    for (const request of proxy.requests) {
      const kind = request
        .replace(/^(\w+) \/v2\/$/, '$1 /v2/ (ping)')
        .replace(/^(\w+) \/v2\/fleet\/base-\d+\/manifests\/.*/, '$1 base manifest')
        .replace(/^(\w+) \/v2\/fleet\/base-\d+\/blobs\/.*/, '$1 base blob')
        .replace(/^(\w+) \/v2\/fleet\/app-\d+\/manifests\/sha256-.*/, '$1 referrers tag (sha256-…)')
        .replace(/^(\w+) \/v2\/fleet\/app-\d+\/manifests\/.*/, '$1 manifest')
        .replace(/^(\w+) \/v2\/fleet\/app-\d+\/referrers\/.*/, '$1 referrers API')
        .replace(/^(\w+) \/v2\/fleet\/app-\d+\/blobs\/.*/, '$1 config blob');
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const rss = /PEAK_RSS_KIB (\d+)/.exec(stderr);
    const peakRssMiB = rss ? Number(rss[1]) / 1024 : undefined;
    // The referrers API is asked once per registry (a capability probe: the CNCF registry answers
    // 404, and from then on only the referrers tag is looked up); made once, it is a cost of the
    // audit, not of an image. Asked more often than that, every ask counts against the images.
    const referrersApi = proxy.requests.filter((r) => /^\w+ \/v2\/fleet\/app-\d+\/referrers\//.test(r)).length;
    const imageRequests = proxy.requests.filter((r) => /^\w+ \/v2\/fleet\/app-\d+\//.test(r)).length - (referrersApi === 1 ? 1 : 0);
    const figure: AuditFigure = {
      tags: refs.length,
      seconds,
      peakRssMiB,
      perImage: imageRequests / refs.length,
      allPerImage: proxy.requests.length / refs.length,
      once: proxy.requests.length - imageRequests,
      exit: code,
    };
    console.log(`\naudit of ${refs.length} tags (${APPS} images re-tagged, ${BASES} bases, nothing moved), CLI on node ${process.version}, exit ${code}:`);
    console.log(`  wall ${seconds.toFixed(1)} s (${(refs.length / seconds).toFixed(0)} images/s, ${((refs.length / seconds) * 60).toFixed(0)} per minute), peak RSS ${peakRssMiB?.toFixed(0) ?? '?'} MiB`);
    console.log(
      `  ${proxy.requests.length} requests counted at the proxy: ${figure.perImage.toFixed(3)} per image to the images' own repositories (goal: ≤ 3), ` +
        `${figure.once} for the whole audit (pings, bases, the referrers-API probe); ${figure.allPerImage.toFixed(3)} per image in all:`,
    );
    for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`    ${String(n).padStart(6)}  ${kind}`);
    console.log(`  connections opened to the registry: ${proxy.connections()}`);
    console.log(`  results: ${[...statuses].map(([k, n]) => `${n} ${k}`).join('; ')}`);
    return figure;
  } finally {
    await proxy.stop();
  }
}
