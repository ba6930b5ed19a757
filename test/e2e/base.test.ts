// Base images end to end: real bases and apps built by the daemon, pushed to a real registry,
// re-pushed, recompressed by skopeo and re-indexed through the registry API, then checked by the
// bundled action and CLI: attribution, drift, detection from labels and Dockerfiles, and audits.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, runCli } from '../helpers/action.js';
import { buildImage, busyboxBase, pushImage, removeImage, requireDaemon, tagImage, uniqueName } from '../helpers/docker.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { getServedManifest, pushManifest, uploadBlob } from '../helpers/registry-api.js';
import { dockerLogin, startRegistry, type TestRegistry } from '../helpers/registry.js';

const cleanups: Array<() => Promise<void>> = [];
const BASE_LABELS = (name: string, digest?: string) =>
  `LABEL org.opencontainers.image.base.name="${name}"${digest ? ` org.opencontainers.image.base.digest="${digest}"` : ''}`;

interface BaseJson {
  status: string;
  drift: string;
  source: string;
  from: string;
  reference?: string;
  message: string;
  layers?: number;
  matchingLayers?: number;
  behindDays?: number;
  driftAgeDays?: number;
  builtOn?: { digest?: string; manifestDigest?: string; created?: string };
  current?: { digest?: string; indexDigest?: string; manifestDigest?: string; created?: string; layers?: number };
  history?: { origin?: string; instruction?: string }[];
  error?: string;
  namedByRegistry?: boolean;
}
interface ImageJson {
  image: string;
  status: string;
  error?: string;
  layers: { index: number; origin?: string; instruction?: string }[];
  base?: BaseJson;
}
interface ReportJson {
  images: ImageJson[];
}

function only(report: unknown): ImageJson {
  const images = (report as ReportJson).images;
  assert.equal(images.length, 1);
  return images[0] as ImageJson;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

/** The registry requests made since `marker` was requested, as "METHOD /path" lines. */
function requestsSince(registry: TestRegistry, marker: string): string[] {
  const log = registry.logs();
  const at = log.lastIndexOf(marker);
  assert.ok(at !== -1, 'the marker request is still in the registry log');
  return [...log.slice(at + marker.length).matchAll(/"(GET|HEAD|PUT|POST) (\/v2\/[^ ]*) HTTP/g)].map((m) => `${m[1]} ${m[2]}`);
}

async function markLog(registry: TestRegistry): Promise<string> {
  const marker = `/v2/${uniqueName('marker')}/tags/list`;
  await (await fetch(`http://${registry.host}${marker}`)).arrayBuffer();
  return marker;
}

describe('base image attribution and drift', () => {
  let registry: TestRegistry;
  let busybox: string;

  /** Builds a base on busybox with one layer of its own and pushes it; returns the manifest digest. */
  async function pushBase(ref: string, marker: string, from = busybox): Promise<string> {
    await buildImage(ref, `FROM ${from}\nRUN echo ${marker} > /base-${marker}\n`);
    cleanups.push(() => removeImage(ref));
    return pushImage(ref);
  }

  async function pushApp(ref: string, dockerfile: string, buildArgs: Record<string, string> = {}): Promise<string> {
    await buildImage(ref, dockerfile, {}, buildArgs);
    cleanups.push(() => removeImage(ref));
    return pushImage(ref);
  }

  before(async () => {
    await requireDaemon();
    registry = await startRegistry({ accessLog: true });
    cleanups.push(() => registry.stop());
    busybox = `${uniqueName('vi-busybox')}:1`;
    await busyboxBase(busybox);
    cleanups.push(() => removeImage(busybox));
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('attributes the base layers and reports no drift for an app built on the current base', async () => {
    const baseRef = `${registry.host}/${uniqueName('base')}:v1`;
    const baseDigest = await pushBase(baseRef, 'v1');
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    await pushApp(appRef, `FROM ${baseRef}\nRUN echo app > /app\n`);

    const run = await runAction({ image: appRef, 'base-image': baseRef });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verified, 'true');
    assert.equal(run.outputs['base-image'], baseRef);
    assert.equal(run.outputs['base-drift'], 'false');
    assert.equal(run.outputs['base-layers'], '3');
    assert.equal(run.outputs['base-current-digest'], baseDigest);
    assert.equal(run.outputs['base-digest'], '', 'not pinned: the built-on digest is not known');
    assert.equal(run.outputs['drifted-images'], '[]');
    const image = only(run.report);
    assert.deepEqual(
      image.layers.map((l) => l.origin),
      ['base', 'base', 'base', 'image'],
    );
    assert.equal(image.base?.status, 'up-to-date');
    assert.equal(image.base?.source, 'input');
    assert.deepEqual(
      image.base?.history?.map((h) => h.origin),
      ['base', 'base', 'base', 'image'],
    );
    assert.match(run.summary, /Base image: ✅ up to date/);
    assert.match(run.summary, /<th>Origin<\/th>/);
    assert.ok(run.summary.includes(baseDigest), 'the summary shows the current base digest');

    const cli = await runCli([appRef, '--base', baseRef]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /base {6}127\.0\.0\.1:\d+\/base-[^ ]+:v1 {2}UP TO DATE/);
    assert.match(cli.stdout, /base {3}RUN echo v1 > \/base-v1/);
    assert.match(cli.stdout, /image {2}RUN echo app > \/app/);
  });

  it('finds the pinned base from labels and confirms the tag by hashing its manifest, not by a HEAD', async () => {
    const baseRepo = uniqueName('base');
    const baseRef = `${registry.host}/${baseRepo}:v1`;
    const baseDigest = await pushBase(baseRef, 'v1');
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    await pushApp(appRef, `FROM ${baseRef}\n${BASE_LABELS(baseRef, baseDigest)}\nRUN echo app > /app\n`);

    const marker = await markLog(registry);
    const run = await runAction({ image: appRef });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['base-drift'], 'false');
    assert.equal(run.outputs['base-digest'], baseDigest);
    assert.equal(run.outputs['base-image'], `${baseRef}@${baseDigest}`);
    const image = only(run.report);
    assert.equal(image.base?.source, 'label');
    assert.match(image.base?.from ?? '', /config labels org\.opencontainers\.image\.base\.name and org\.opencontainers\.image\.base\.digest/);
    // LABEL adds an empty history entry; it is the image's, after the base's three.
    assert.deepEqual(
      image.base?.history?.map((h) => h.origin),
      ['base', 'base', 'base', 'image', 'image'],
    );
    const baseRequests = requestsSince(registry, marker).filter((r) => r.includes(`/v2/${baseRepo}/manifests/`));
    assert.deepEqual(baseRequests, [`GET /v2/${baseRepo}/manifests/${baseDigest}`, `GET /v2/${baseRepo}/manifests/v1`], 'the tag is fetched and hashed, never only HEADed');
    assert.equal(image.base?.source, 'label');
    assert.equal(image.base?.namedByRegistry, undefined, 'labels of a config proved against the local build are the build’s word');
  });

  it('reports drift when the base tag moves on, fails only under fail-on: drift', async () => {
    const baseRepo = uniqueName('base');
    const baseRef = `${registry.host}/${baseRepo}:v1`;
    const v1 = await pushBase(baseRef, 'v1');
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    const pinnedRef = `${registry.host}/${uniqueName('app')}:pinned`;
    await pushApp(appRef, `FROM ${baseRef}\nRUN echo app > /app\n`);
    await pushApp(pinnedRef, `FROM ${baseRef}\n${BASE_LABELS(baseRef, v1)}\nRUN echo app > /app\n`);
    // v2: one more layer, pushed under the same tag.
    const v2 = await pushBase(baseRef, 'v2', baseRef);
    assert.notEqual(v1, v2);

    const lenient = await runAction({ image: appRef, 'base-image': baseRef });
    assert.equal(lenient.code, 0, 'the default fail-on (mismatch) does not fail on drift');
    assert.equal(lenient.outputs.verified, 'true');
    assert.equal(lenient.outputs['base-drift'], 'true');
    assert.equal(lenient.outputs['base-current-digest'], v2);
    assert.equal(lenient.outputs['drifted-images'], JSON.stringify([appRef]));
    assert.match(lenient.stdout, /::warning::.* is built on an outdated base: .*has moved on.*3 of its 4 linux\/amd64 layers still match.*\(not failing: add drift to fail-on\)/);
    assert.match(lenient.summary, /Base image: 🔄 drifted/);
    const lenientBase = only(lenient.report).base;
    assert.equal(lenientBase?.matchingLayers, 3);
    assert.equal(lenientBase?.current?.layers, 4);
    assert.equal(typeof lenientBase?.driftAgeDays, 'number');

    const strict = await runAction({ image: appRef, 'base-image': baseRef, 'fail-on': 'mismatch,drift' });
    assert.equal(strict.code, 1);
    assert.equal(strict.outputs.verified, 'true', 'the image itself still verifies');
    assert.match(strict.stdout, /::error::.* is built on an outdated base: /);

    const pinned = await runAction({ image: pinnedRef, 'fail-on': 'drift' });
    assert.equal(pinned.code, 1);
    assert.equal(pinned.outputs['base-digest'], v1);
    assert.equal(pinned.outputs['base-current-digest'], v2);
    assert.equal(pinned.outputs['base-layers'], '3', 'attribution from the built-on base is exact');
    const pinnedBase = only(pinned.report).base;
    assert.equal(pinnedBase?.status, 'drifted');
    assert.equal(pinnedBase?.behindDays, 0);
    assert.ok(pinned.summary.includes(v1) && pinned.summary.includes(v2), 'the summary shows both digests');

    const cli = await runCli(['audit', appRef, '--base', baseRef]);
    assert.equal(cli.code, 1, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /DRIFTED/);
  });

  it('reports drift when the base changes a layer rather than adding one', async () => {
    const baseRepo = uniqueName('base');
    const baseRef = `${registry.host}/${baseRepo}:v1`;
    await pushBase(baseRef, 'first');
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    await pushApp(appRef, `FROM ${baseRef}\nRUN echo app > /app\n`);
    await pushBase(baseRef, 'second'); // same recipe, other content in the top layer

    const cli = await runCli(['audit', appRef, '--base', baseRef, '--json']);
    assert.equal(cli.code, 1, cli.stderr);
    const base = (JSON.parse(cli.stdout) as ReportJson).images[0]?.base;
    assert.equal(base?.status, 'drifted');
    assert.equal(base?.matchingLayers, 2);
  });

  it('does not call a recompressed base drift: diff_ids did not change', async () => {
    const baseRepo = uniqueName('base');
    const baseRef = `${registry.host}/${baseRepo}:v1`;
    const gzipDigest = await pushBase(baseRef, 'v1');
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    await pushApp(appRef, `FROM ${baseRef}\n${BASE_LABELS(baseRef, gzipDigest)}\nRUN echo app > /app\n`);

    // The daemon cannot pull zstd, so the app was built first; now re-push the base as zstd.
    // skopeo reuses blobs already in the destination, so recompress through a directory.
    const dir = await mkdtemp(join(tmpdir(), 'verify-image-zstd-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const layout = join(dir, 'image');
    await run('skopeo', ['copy', '-q', '--src-tls-verify=false', '--format', 'oci', '--dest-compress', '--dest-compress-format', 'zstd', `docker://${baseRef}`, `dir:${layout}`]);
    await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', '--format', 'oci', `dir:${layout}`, `docker://${baseRef}`]);
    const zstd = await getServedManifest(registry.host, baseRepo, 'v1');
    assert.notEqual(zstd.digest, gzipDigest, 'the tag now points to another manifest');
    assert.deepEqual(
      (JSON.parse(zstd.bytes.toString('utf8')) as { layers?: { mediaType: string }[] }).layers?.map((l) => l.mediaType),
      Array(3).fill('application/vnd.oci.image.layer.v1.tar+zstd'),
      'the base layers are zstd now',
    );

    const pinned = await runAction({ image: appRef });
    assert.equal(pinned.code, 0, pinned.stdout);
    assert.equal(pinned.outputs['base-drift'], 'false');
    assert.equal(pinned.outputs['base-digest'], gzipDigest);
    assert.equal(pinned.outputs['base-current-digest'], zstd.digest);
    assert.match(only(pinned.report).base?.message ?? '', /the tag now points to sha256:[0-9a-f]+, not sha256:[0-9a-f]+, but with the same layers/);

    const unpinned = await runAction({ image: appRef, 'base-image': baseRef, 'fail-on': 'drift' });
    assert.equal(unpinned.code, 0, unpinned.stdout);
    assert.equal(unpinned.outputs['base-drift'], 'false');
    assert.equal(unpinned.outputs['base-layers'], '3');
  });

  it('resolves a multi-platform base index to the image platform and ignores attestations', async () => {
    const baseRepo = uniqueName('base');
    const baseRef = `${registry.host}/${baseRepo}:v1`;
    const amd64 = await pushBase(baseRef, 'amd64');
    const other = await pushBase(`${registry.host}/${baseRepo}:other`, 'other');
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    await pushApp(appRef, `FROM ${baseRef}\n${BASE_LABELS(baseRef, amd64)}\nRUN echo app > /app\n`);

    const amd64Manifest = await getServedManifest(registry.host, baseRepo, amd64);
    const otherManifest = await getServedManifest(registry.host, baseRepo, other);
    const emptyConfig = (await uploadBlob(registry.host, baseRepo, Buffer.from('{}'))).digest;
    const attestationBody = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyConfig, size: 2 }, layers: [] };
    const attestation = await pushManifest(registry.host, baseRepo, 'attestation', attestationBody, 'application/vnd.oci.image.manifest.v1+json');
    // Attestation first and another platform before ours: neither may be picked.
    const index = await pushManifest(
      registry.host,
      baseRepo,
      'v1',
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: attestation, size: JSON.stringify(attestationBody).length, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd64 } },
          { mediaType: otherManifest.mediaType, digest: other, size: otherManifest.size, platform: { os: 'linux', architecture: 'arm64' } },
          { mediaType: amd64Manifest.mediaType, digest: amd64, size: amd64Manifest.size, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      },
      'application/vnd.oci.image.index.v1+json',
    );

    const run = await runAction({ image: appRef, 'fail-on': 'drift' });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['base-drift'], 'false');
    assert.equal(run.outputs['base-current-digest'], index, 'the tag now names the index');
    const base = only(run.report).base;
    assert.equal(base?.current?.manifestDigest, amd64, 'resolved to the linux/amd64 entry');
    assert.equal(base?.layers, 3);

    const unpinned = await runCli([appRef, '--local', 'none', '--base', baseRef, '--json']);
    assert.equal(unpinned.code, 0, unpinned.stderr);
    assert.equal((JSON.parse(unpinned.stdout) as ReportJson).images[0]?.base?.current?.manifestDigest, amd64);
  });

  it('finds the base in a multi-stage Dockerfile with ARGs in FROM; FROM scratch has none', async () => {
    const baseRepo = uniqueName('base');
    const baseRef = `${registry.host}/${baseRepo}:v7`;
    await pushBase(baseRef, 'v7');
    const dockerfile = [
      '# the base comes from build args',
      `ARG BASE_REPO=${registry.host}/${baseRepo}`,
      'ARG BASE_TAG=wrong',
      `FROM ${busybox} AS build`,
      'RUN echo built > /built',
      '',
      'FROM ${BASE_REPO}:${BASE_TAG} \\',
      '    AS runtime',
      'FROM runtime',
      'COPY --from=build /built /built',
      '',
    ].join('\n');
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    await pushApp(appRef, dockerfile, { BASE_TAG: 'v7' });
    const dir = await mkdtemp(join(tmpdir(), 'verify-image-dockerfile-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'Dockerfile');
    await writeFile(path, dockerfile);

    const run = await runAction({ image: appRef, dockerfile: path, 'build-args': 'BASE_TAG=v7\nUNUSED=1' });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['base-image'], baseRef);
    assert.equal(run.outputs['base-drift'], 'false');
    assert.equal(run.outputs['base-layers'], '3');
    const base = only(run.report).base;
    assert.equal(base?.source, 'dockerfile');
    assert.match(base?.from ?? '', /Dockerfile .*, FROM on line 7 \(final stage → runtime\)/);

    const wrongArg = await runAction({ image: appRef, dockerfile: path });
    assert.equal(wrongArg.code, 0, 'an unreachable base is reported, not failed');
    assert.equal(wrongArg.outputs['base-drift'], 'unknown');
    assert.match(only(wrongArg.report).base?.error ?? '', /:wrong could not be fetched: .*not found/);

    const scratchFile = join(dir, 'Dockerfile.scratch');
    const scratchDockerfile = `FROM ${busybox} AS build\nRUN echo x > /x\nFROM scratch\nCOPY --from=build /x /x\n`;
    await writeFile(scratchFile, scratchDockerfile);
    const scratchRef = `${registry.host}/${uniqueName('app')}:scratch`;
    await pushApp(scratchRef, scratchDockerfile);
    const scratch = await runAction({ image: scratchRef, dockerfile: scratchFile });
    assert.equal(scratch.code, 0, scratch.stdout);
    assert.equal(scratch.outputs['base-drift'], 'false');
    assert.equal(scratch.outputs['base-image'], '');
    assert.equal(scratch.outputs['base-layers'], '0');
    assert.match(scratch.summary, /FROM scratch: the image has no base image/);
    assert.deepEqual(
      only(scratch.report).layers.map((l) => l.origin),
      ['image'],
    );

    const missing = await runAction({ image: appRef, dockerfile: join(dir, 'nope') });
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /::error::cannot read the dockerfile .*nope \(ENOENT\): give the path/);
  });

  it('says when no base is known and how to give one', async () => {
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    await pushApp(appRef, `FROM ${busybox}\nRUN echo app > /app\n`);
    const run = await runAction({ image: appRef });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['base-drift'], 'unknown');
    assert.match(run.summary, /<summary><sub>Base: unknown — how to enable<\/sub><\/summary>/);
    assert.match(run.summary, /no base image is known: set the base-image input/);
    const off = await runAction({ image: appRef, 'base-image': 'none' });
    assert.equal(only(off.report).base, undefined);
    assert.doesNotMatch(off.summary, /Base image/);
  });

  it('says plainly when the declared base is not a prefix of the image', async () => {
    const baseRef = `${registry.host}/${uniqueName('base')}:v1`;
    await pushBase(baseRef, 'v1');
    const otherRepo = uniqueName('unrelated');
    const otherRef = `${registry.host}/${otherRepo}:1`;
    await buildImage(otherRef, 'FROM scratch\nCOPY marker /marker\n', { marker: `unrelated ${otherRepo}\n` });
    cleanups.push(() => removeImage(otherRef));
    const otherDigest = await pushImage(otherRef);
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    await pushApp(appRef, `FROM ${baseRef}\nRUN echo app > /app\n`);

    const run = await runAction({ image: appRef, 'base-image': otherRef, 'fail-on': 'drift' });
    assert.equal(run.code, 0, 'not being built on the declared base is not drift');
    assert.equal(run.outputs['base-drift'], 'unknown');
    assert.match(run.stdout, /::warning::the image was not built on 127\.0\.0\.1:\d+\/unrelated-[^:]+:1: none of the base's 1 linux\/amd64 layers or build steps start the image/);
    assert.match(run.summary, /Base image: ❌ not built on this base/);
    assert.ok(only(run.report).layers.every((l) => l.origin === undefined), 'no layer is attributed to it');

    const pinned = await runAction({ image: appRef, 'base-image': `${otherRef}@${otherDigest}` });
    assert.equal(only(pinned.report).base?.status, 'not-built-on');
    assert.match(only(pinned.report).base?.message ?? '', /was not built on .*@sha256:[0-9a-f]{64}: that base's 1 linux\/amd64 layers are not the first 1 of the image's 4 \(0 match\)/);
  });

  it('audits several images: one drifted, two current on a shared base, one missing', async () => {
    const movingRepo = uniqueName('base-moving');
    const movingRef = `${registry.host}/${movingRepo}:v1`;
    const sharedRepo = uniqueName('base-shared');
    const sharedRef = `${registry.host}/${sharedRepo}:v1`;
    await pushBase(movingRef, 'moving');
    const sharedDigest = await pushBase(sharedRef, 'shared');
    const drifted = `${registry.host}/${uniqueName('app-drifted')}:1`;
    const current1 = `${registry.host}/${uniqueName('app-current')}:1`;
    const current2 = `${registry.host}/${uniqueName('app-current')}:2`;
    const missing = `${registry.host}/${uniqueName('app-missing')}:1`;
    await pushApp(drifted, `FROM ${movingRef}\n${BASE_LABELS(movingRef)}\nRUN echo d > /d\n`);
    await pushApp(current1, `FROM ${sharedRef}\n${BASE_LABELS(sharedRef, sharedDigest)}\nRUN echo 1 > /1\n`);
    await pushApp(current2, `FROM ${sharedRef}\n${BASE_LABELS(sharedRef, sharedDigest)}\nRUN echo 2 > /2\n`);
    await pushBase(movingRef, 'moved', movingRef);

    const marker = await markLog(registry);
    const run = await runAction({ image: [drifted, current1, missing, current2].join('\n'), 'local-image': 'none' });
    assert.equal(run.code, 1, 'an image that could not be checked fails the step');
    assert.equal(run.outputs.verified, 'false');
    assert.equal(run.outputs['base-drift'], 'true');
    assert.equal(run.outputs['drifted-images'], JSON.stringify([drifted]));
    assert.equal(run.outputs.digest, '');
    assert.equal(run.outputs['base-image'], '');
    assert.match(run.stdout, /::error::.*app-missing.*not found/);

    const images = (run.report as ReportJson).images;
    assert.deepEqual(
      images.map((i) => [i.image, i.status, i.base?.status]),
      [
        [drifted, 'verified', 'drifted'],
        [current1, 'verified', 'up-to-date'],
        [missing, 'error', undefined],
        [current2, 'verified', 'up-to-date'],
      ],
    );
    assert.match(run.summary, /Base image audit: 4 images, 1 drifted, 1 could not be checked/);
    const auditTable = run.summary.slice(0, run.summary.indexOf('</table>'));
    assert.equal(auditTable.split('<tr>').length - 2, 4, 'one audit row per image');

    // The shared base is looked up once for both images: one GET of its tag (hashed), one of its digest.
    const sharedRequests = requestsSince(registry, marker).filter((r) => r.includes(`/v2/${sharedRepo}/manifests/`));
    assert.deepEqual(sharedRequests.sort(), [`GET /v2/${sharedRepo}/manifests/${sharedDigest}`, `GET /v2/${sharedRepo}/manifests/v1`]);
    assert.match(run.stdout, /audited 4 images with 3 base lookups/);

    // Fleet scale (issue 15), counted at the registry: one ping for the whole audit, and an image
    // whose base has not moved costs its manifest, its config and one referrers lookup. The
    // registry has no referrers API: asked once, then only the referrers tag; no cosign tags.
    const all = requestsSince(registry, marker);
    assert.equal(all.filter((r) => r === 'GET /v2/').length, 1, all.join('\n'));
    assert.equal(all.filter((r) => r.includes('/referrers/')).length, 1, all.join('\n'));
    assert.ok(!all.some((r) => /\.(sig|att|sbom)$/.test(r)), 'no cosign tag probe in an audit without require-attestations');
    for (const image of [current1, current2]) {
      const [repo, tag] = image.slice(registry.host.length + 1).split(':') as [string, string];
      const own = all.filter((r) => r.startsWith(`GET /v2/${repo}/`) || r.startsWith(`HEAD /v2/${repo}/`)).filter((r) => !r.includes('/referrers/'));
      assert.deepEqual(
        own.map((r) => r.replace(/sha256:[0-9a-f]{64}/, 'DIGEST').replace(/sha256-[0-9a-f]{64}/, 'sha256-HEX')),
        [`GET /v2/${repo}/manifests/${tag}`, `GET /v2/${repo}/blobs/DIGEST`, `HEAD /v2/${repo}/manifests/sha256-HEX`],
        `three requests for ${image}`,
      );
    }

    const cli = await runCli(['audit', current1, current2]);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /^IMAGE +BASE +BUILT ON +CURRENT +STATUS +AGE/);
    const cliMissing = await runCli(['audit', current1, missing]);
    assert.equal(cliMissing.code, 2);
    const cliDrift = await runCli(['audit', drifted, missing, '--json']);
    assert.equal(cliDrift.code, 1, 'drift found wins over an image that could not be checked');
    assert.equal((JSON.parse(cliDrift.stdout) as ReportJson).images.length, 2);
  });

  it('sends input credentials only to the image registry, never to a base on another one', async () => {
    const imageRegistry = await startRegistry({ htpasswd: { username: 'app', password: 'app-secret-1' } });
    cleanups.push(() => imageRegistry.stop());
    const baseRegistry = await startRegistry({ htpasswd: { username: 'base', password: 'base-secret-2' } });
    cleanups.push(() => baseRegistry.stop());
    const appConfig = await dockerLogin(imageRegistry.host, 'app', 'app-secret-1');
    const baseConfig = await dockerLogin(baseRegistry.host, 'base', 'base-secret-2');
    cleanups.push(() => rm(appConfig, { recursive: true, force: true }), () => rm(baseConfig, { recursive: true, force: true }));
    const baseRef = `${baseRegistry.host}/${uniqueName('base')}:v1`;
    await buildImage(baseRef, `FROM ${busybox}\nRUN echo private > /private\n`);
    cleanups.push(() => removeImage(baseRef));
    await pushImage(baseRef, { env: { DOCKER_CONFIG: baseConfig } });
    const appRef = `${imageRegistry.host}/${uniqueName('app')}:1`;
    await buildImage(appRef, `FROM ${baseRef}\nRUN echo app > /app\n`);
    cleanups.push(() => removeImage(appRef));
    await pushImage(appRef, { env: { DOCKER_CONFIG: appConfig } });

    const inputs = { image: appRef, username: 'app', password: 'app-secret-1', 'base-image': baseRef };
    const anonymousBase = await runAction(inputs, { DOCKER_CONFIG: '/nonexistent' });
    assert.equal(anonymousBase.code, 0, anonymousBase.stdout);
    assert.equal(anonymousBase.outputs.verified, 'true', 'the image registry took the input credentials');
    const error = only(anonymousBase.report).base?.error ?? '';
    assert.match(error, /requires authentication to pull/, 'the base registry was asked anonymously');
    assert.doesNotMatch(error, /rejected the credentials from inputs/);

    const storedBase = await runAction(inputs, { DOCKER_CONFIG: baseConfig });
    assert.equal(storedBase.outputs['base-drift'], 'false', storedBase.stdout);
    assert.ok(storedBase.stdout.includes(`credentials for ${baseRegistry.host} (base `), storedBase.stdout);
    assert.match(storedBase.stdout, /\(base [^)]+\): from .*config\.json/);
  });

  it('a base named by the registry’s annotations on another registry is looked up anonymously, never with stored credentials', async () => {
    // The base lives on a second registry with htpasswd auth, behind a proxy that records whether
    // Authorization arrived; config.json (and DOCKER_AUTH_CONFIG) hold credentials for it.
    const privateRegistry = await startRegistry({ htpasswd: { username: 'base', password: 'base-secret-3' } });
    cleanups.push(() => privateRegistry.stop());
    const proxy = await startFaultProxy({ upstream: `http://${privateRegistry.host}` });
    cleanups.push(() => proxy.stop());
    const storedConfig = await dockerLogin(proxy.host, 'base', 'base-secret-3');
    cleanups.push(() => rm(storedConfig, { recursive: true, force: true }));
    const baseRepo = uniqueName('base');
    const baseRef = `${proxy.host}/${baseRepo}:v1`;
    await buildImage(baseRef, `FROM ${busybox}\nRUN echo private > /private\n`);
    cleanups.push(() => removeImage(baseRef));
    // Pushed to the registry directly: its upload URLs name its own address, not the proxy's.
    const pushConfig = await dockerLogin(privateRegistry.host, 'base', 'base-secret-3');
    cleanups.push(() => rm(pushConfig, { recursive: true, force: true }));
    const directRef = `${privateRegistry.host}/${baseRepo}:v1`;
    await tagImage(baseRef, directRef);
    cleanups.push(() => removeImage(directRef));
    const baseDigest = await pushImage(directRef, { env: { DOCKER_CONFIG: pushConfig } });
    const appRepo = uniqueName('app');
    const appRef = `${registry.host}/${appRepo}:1`;
    await pushApp(appRef, `FROM ${baseRef}\nRUN echo app > /app\n`);

    // The registry (anyone who can push) annotates the image: on the manifest, and on an index
    // whose manifest annotation names another tag, so the index's must win.
    const served = await getServedManifest(registry.host, appRepo, '1');
    const manifest = JSON.parse(served.bytes.toString('utf8')) as Record<string, unknown>;
    const annotate = (name: string) => ({ 'org.opencontainers.image.base.name': name, 'org.opencontainers.image.base.digest': baseDigest });
    const onManifest = { ...manifest, annotations: annotate(baseRef) };
    await pushManifest(registry.host, appRepo, 'on-manifest', onManifest, served.mediaType);
    const decoy = { ...manifest, annotations: annotate(`${proxy.host}/${baseRepo}:decoy`) };
    const decoyBytes = JSON.stringify(decoy);
    const decoyDigest = await pushManifest(registry.host, appRepo, 'decoy', decoy, served.mediaType);
    await pushManifest(
      registry.host,
      appRepo,
      'on-index',
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ mediaType: served.mediaType, digest: decoyDigest, size: Buffer.byteLength(decoyBytes), platform: { os: 'linux', architecture: 'amd64' } }],
        annotations: annotate(baseRef),
      },
      'application/vnd.oci.image.index.v1+json',
    );

    const authAuths = JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from('base:base-secret-3').toString('base64') } } });
    const runs: [string, string, NodeJS.ProcessEnv, RegExp][] = [
      ['on-manifest', 'config.json', { DOCKER_CONFIG: storedConfig }, /on the manifest$/],
      ['on-index', 'config.json', { DOCKER_CONFIG: storedConfig }, /on the index$/],
      ['on-manifest', 'DOCKER_AUTH_CONFIG', { DOCKER_CONFIG: '/nonexistent', DOCKER_AUTH_CONFIG: authAuths }, /on the manifest$/],
    ];
    for (const [tag, store, env, where] of runs) {
      proxy.setRules([]);
      const run = await runAction({ image: `${registry.host}/${appRepo}:${tag}`, 'local-image': 'none' }, env);
      const what = `${tag} with credentials in ${store}`;
      assert.equal(run.code, 0, `${what}: ${run.stdout}`);
      assert.equal(run.outputs.verified, 'true', what);
      const baseHits = proxy.hits.filter((h) => h.path.startsWith(`/v2/${baseRepo}/`));
      assert.ok(baseHits.length > 0, `${what}: the base registry was asked`);
      assert.deepEqual(proxy.hits.filter((h) => h.authorization), [], `${what}: no Authorization ever reached the base registry`);
      const base = only(run.report).base;
      assert.equal(base?.source, 'annotation', what);
      assert.equal(base?.reference, `${baseRef}@${baseDigest}`, `${what}: the index's annotation wins over the manifest's decoy`);
      assert.match(base?.from ?? '', /^the registry's annotations org\.opencontainers\.image\.base\.name and org\.opencontainers\.image\.base\.digest/, what);
      assert.match(base?.from ?? '', where, what);
      assert.equal(base?.namedByRegistry, true, what);
      assert.equal(base?.status, 'unknown', what);
      assert.match(base?.error ?? '', /requires authentication to pull/, `${what}: the private registry was asked anonymously`);
      assert.ok(run.stdout.includes(`credentials for ${proxy.host} (base ${baseRepo}): none (anonymous: the registry's own data named this base`), what);
      assert.ok(!run.stdout.includes('base-secret-3') && !run.summary.includes('base-secret-3'), what);
      assert.match(run.summary, /from the registry(&#39;|')s annotations/, what);
      assert.match(run.summary, /Named by the registry<\/strong> looked up without credentials on any other registry/, what);
    }

    // Control: the same base named by the user gets the stored credentials, and they work.
    proxy.setRules([]);
    const byUser = await runAction({ image: `${registry.host}/${appRepo}:on-manifest`, 'local-image': 'none', 'base-image': `${baseRef}@${baseDigest}` }, { DOCKER_CONFIG: storedConfig });
    assert.equal(byUser.outputs['base-drift'], 'false', byUser.stdout);
    assert.equal(only(byUser.report).base?.namedByRegistry, undefined);
    assert.ok(proxy.hits.some((h) => h.authorization), 'the stored credentials would have been sent had the user named the base');
  });

  it('does not take a HEAD’s Docker-Content-Digest for the tag: a lying header cannot hide drift', async () => {
    const baseRepo = uniqueName('base');
    const lying = await startFaultProxy({ upstream: `http://${registry.host}` });
    cleanups.push(() => lying.stop());
    const baseRef = `${registry.host}/${baseRepo}:v1`;
    const v1 = await pushBase(baseRef, 'v1');
    const appRef = `${registry.host}/${uniqueName('app')}:1`;
    // The label names the base through the lying proxy; the build pulled it directly.
    await pushApp(appRef, `FROM ${baseRef}\n${BASE_LABELS(`${lying.host}/${baseRepo}:v1`, v1)}\nRUN echo app > /app\n`);
    const v2 = await pushBase(baseRef, 'v2', baseRef);
    assert.notEqual(v1, v2);

    lying.setRules([{ method: 'HEAD', path: new RegExp(`^/v2/${baseRepo}/manifests/v1$`), times: Infinity, fault: { kind: 'headers', headers: { 'docker-content-digest': v1 } } }]);
    // The attack is real: a HEAD through the proxy says the tag still points to v1.
    const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
    const head = await fetch(`${lying.url}/v2/${baseRepo}/manifests/v1`, { method: 'HEAD', headers: { accept } });
    assert.equal(head.headers.get('docker-content-digest'), v1, 'the proxy lies on HEAD');
    assert.equal((await getServedManifest(lying.host, baseRepo, 'v1')).digest, v2, 'the bytes say v2');

    lying.setRules([{ method: 'HEAD', path: new RegExp(`^/v2/${baseRepo}/manifests/v1$`), times: Infinity, fault: { kind: 'headers', headers: { 'docker-content-digest': v1 } } }]);
    const run = await runAction({ image: appRef, 'fail-on': 'drift' });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verified, 'true');
    assert.equal(run.outputs['base-drift'], 'true');
    assert.equal(run.outputs['base-digest'], v1);
    assert.equal(run.outputs['base-current-digest'], v2, 'the current digest is the hash of the bytes');
    const manifestHits = lying.hits.filter((h) => h.path.startsWith(`/v2/${baseRepo}/manifests/`)).map((h) => `${h.method} ${h.path}`);
    assert.ok(manifestHits.includes(`GET /v2/${baseRepo}/manifests/v1`), manifestHits.join(', '));
    assert.ok(!manifestHits.some((h) => h.startsWith('HEAD')), `no HEAD decided anything: ${manifestHits.join(', ')}`);
  });

  it('refuses several images without local-image: none', async () => {
    const run = await runAction({ image: `${registry.host}/a:1\n${registry.host}/b:1` });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error::the image input lists 2 images, which audits them from the registry only: set local-image: none/);
    const bad = await runAction({ image: `${registry.host}/a:1`, 'fail-on': 'drfit' });
    assert.match(bad.stdout, /::error::fail-on "drfit" is not understood/);
  });
});
