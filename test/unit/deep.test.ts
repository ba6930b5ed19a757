// Deep verification's orchestration on a fake registry (in-memory blobs): parallelism bound,
// duplicate layers read once, the cache used only when it agrees, foreign layers reported, and
// the rule, outputs and options built from the result.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as tc from '@actions/tool-cache';
import { silentLogger } from '../../src/log.js';
import type { Descriptor } from '../../src/oci/types.js';
import { parseConcurrency } from '../../src/options.js';
import type { HttpResponse } from '../../src/registry/http.js';
import { deepOutputs } from '../../src/report/outputs.js';
import { CACHE_FORMAT, DirectoryLayerCache, parseCachedLayer, type CachedLayer, type LayerCache } from '../../src/verify/cache.js';
import { cacheVersion, openToolCache } from '../../src/verify/cache-toolcache.js';
import { zstdCommand } from '../../src/bytes/decompress.js';
import { deepChecks, deepError, defaultConcurrency, verifyLayers, type BlobSource } from '../../src/verify/deep.js';
import { layerKind } from '../../src/bytes/media-type.js';
import { Progress } from '../../src/verify/progress.js';
import type { RemoteImage } from '../../src/model/image.js';
import { makeTar, sha256 } from '../helpers/registry-api.js';

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

interface FakeLayer {
  tar: Buffer;
  blob: Buffer;
  descriptor: Descriptor;
}

function gzLayer(name: string, size = 10): FakeLayer {
  const tar = makeTar([{ path: name, content: Buffer.alloc(size, 1) }]);
  const blob = gzipSync(tar);
  return { tar, blob, descriptor: { mediaType: GZIP, digest: sha256(blob), size: blob.length } };
}

function image(layers: { descriptor: Descriptor; diffId: string | undefined }[]): RemoteImage {
  const config = Buffer.from('{}');
  return {
    reference: 'registry.test/app:1',
    manifestDigest: sha256('manifest'),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    manifest: { schemaVersion: 2, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length }, layers: layers.map((l) => l.descriptor) },
    configDigest: sha256(config),
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId).filter((d): d is string => d !== undefined) } },
    platform: { os: 'linux', architecture: 'amd64' },
  };
}

/** Serves blobs from memory, slowly enough that parallel downloads overlap, and counts them. */
class FakeRegistry implements BlobSource {
  opened: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly blobs: Map<string, Buffer>) {}
  async openBlob(descriptor: Descriptor): Promise<HttpResponse> {
    this.opened.push(descriptor.digest);
    const blob = this.blobs.get(descriptor.digest);
    if (!blob) throw new Error(`no blob ${descriptor.digest}`);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = () => this.inFlight--;
    const body = Readable.from(
      (async function* () {
        try {
          for (let i = 0; i < blob.length; i += 64) {
            await new Promise((r) => setTimeout(r, 1));
            yield blob.subarray(i, i + 64);
          }
        } finally {
          done();
        }
      })(),
    );
    return { status: 200, headers: {}, url: `https://registry.test/v2/app/blobs/${descriptor.digest}`, idleTimeoutMs: 60_000, body: body as unknown as HttpResponse['body'] };
  }
}

class MemoryCache implements LayerCache {
  readonly location = 'memory';
  entries = new Map<string, CachedLayer>();
  async get(digest: string) {
    return this.entries.get(digest);
  }
  async put(entry: CachedLayer) {
    this.entries.set(entry.digest, entry);
  }
}

test('verifyLayers proves every layer, at most `concurrency` at a time, largest first', async () => {
  const layers = [gzLayer('a', 100), gzLayer('b', 5000), gzLayer('c', 50_000), gzLayer('d', 10), gzLayer('e', 20)];
  const registry = new FakeRegistry(new Map(layers.map((l) => [l.descriptor.digest, l.blob])));
  const deep = await verifyLayers(registry, image(layers.map((l) => ({ descriptor: l.descriptor, diffId: sha256(l.tar) }))), { concurrency: 2, logger: silentLogger });
  assert.equal(deep.verified, true);
  assert.ok(deep.layers.every((l) => l.status === 'verified'));
  assert.equal(registry.maxInFlight, 2);
  assert.deepEqual(registry.opened.slice(0, 2), [layers[2]?.descriptor.digest, layers[1]?.descriptor.digest], 'largest first');
  assert.equal(deep.bytesDownloaded, layers.reduce((n, l) => n + l.blob.length, 0));
  assert.equal(deep.bytesVerified, 2 + deep.bytesDownloaded);
  assert.deepEqual(deepChecks(deep).map((c) => c.ok), [true]);
  assert.deepEqual(deepOutputs({ deep } as never), { 'deep-verified': 'true', 'bytes-verified': String(deep.bytesVerified), 'wasted-bytes': '0', efficiency: '1' });
});

test('verifyLayers reads a blob listed twice only once', async () => {
  const a = gzLayer('a');
  const registry = new FakeRegistry(new Map([[a.descriptor.digest, a.blob]]));
  const deep = await verifyLayers(registry, image([{ descriptor: a.descriptor, diffId: sha256(a.tar) }, { descriptor: a.descriptor, diffId: sha256(a.tar) }]), { logger: silentLogger });
  assert.deepEqual(registry.opened, [a.descriptor.digest]);
  assert.deepEqual(deep.layers.map((l) => [l.index, l.status]), [[1, 'verified'], [2, 'verified']]);
  assert.equal(deep.bytesDownloaded, a.blob.length);
  // The second copy of the same file hides the first.
  assert.equal(deep.wastedBytes, 10);
});

test('verifyLayers uses the cache only when it agrees, and writes it only after a full proof', async () => {
  const a = gzLayer('a');
  const b = gzLayer('b');
  const bad = gzLayer('c');
  const relabelled = gzLayer('d');
  const cache = new MemoryCache();
  const entry = (l: FakeLayer, diffId: string): CachedLayer => ({
    format: CACHE_FORMAT,
    digest: l.descriptor.digest,
    size: l.descriptor.size,
    mediaType: GZIP,
    diffId,
    uncompressedSize: l.tar.length,
    counts: { files: 1, directories: 0, symlinks: 0, hardlinks: 0, others: 0, whiteouts: 0, opaqueDirs: 0, fileBytes: 10 },
    index: { paths: ['a'], kinds: 'f', sizes: [10] },
    verifiedAt: '2026-01-01T00:00:00Z',
  });
  cache.entries.set(a.descriptor.digest, entry(a, sha256(a.tar))); // agrees
  cache.entries.set(b.descriptor.digest, entry(b, sha256('another diff_id'))); // disagrees: re-verify
  // Proved when it was listed as zstd: says nothing about it as gzip.
  cache.entries.set(relabelled.descriptor.digest, { ...entry(relabelled, sha256(relabelled.tar)), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' });
  const registry = new FakeRegistry(new Map([a, b, bad, relabelled].map((l) => [l.descriptor.digest, l.blob])));
  const deep = await verifyLayers(
    registry,
    image([
      { descriptor: a.descriptor, diffId: sha256(a.tar) },
      { descriptor: b.descriptor, diffId: sha256(b.tar) },
      { descriptor: bad.descriptor, diffId: sha256('not what it decompresses to') },
      { descriptor: relabelled.descriptor, diffId: sha256(relabelled.tar) },
    ]),
    { cache, logger: silentLogger },
  );
  assert.deepEqual(deep.layers.map((l) => l.status), ['cached', 'verified', 'failed', 'verified']);
  assert.deepEqual(registry.opened.sort(), [b.descriptor.digest, bad.descriptor.digest, relabelled.descriptor.digest].sort(), 'the agreeing entry saved a download');
  assert.equal(cache.entries.get(b.descriptor.digest)?.diffId, sha256(b.tar), 'the disagreeing entry was replaced by the proof');
  assert.equal(cache.entries.has(bad.descriptor.digest), false, 'a failed layer is never cached');
  assert.deepEqual(deep.cache, { location: 'memory', hits: 1, writes: 2 });
  const [check] = deepChecks(deep);
  assert.equal(check?.ok, false);
  assert.equal(check?.layer, 3);
  assert.match(check?.message ?? '', /^layer 3 \(sha256:[0-9a-f]{12}\): uncompressed, the blob hashes to/);
  assert.equal(deepError(deep), undefined, 'a failed layer is a mismatch, not an error');
});

test('verifyLayers reports foreign layers as not verified, and fetch errors as errors', async () => {
  const a = gzLayer('a');
  const foreign: Descriptor = { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: sha256('windows base'), size: 1000, urls: ['https://example.test/base'] };
  const missing = gzLayer('m');
  const registry = new FakeRegistry(new Map([[a.descriptor.digest, a.blob]]));
  const deep = await verifyLayers(
    registry,
    image([
      { descriptor: foreign, diffId: sha256('x') },
      { descriptor: a.descriptor, diffId: sha256(a.tar) },
    ]),
    { logger: silentLogger },
  );
  assert.deepEqual(deep.layers.map((l) => l.status), ['not-verified', 'verified']);
  assert.equal(deep.verified, false, 'a layer that was not downloaded is not proved');
  assert.equal(deep.wasteComplete, false);
  assert.ok(!registry.opened.includes(foreign.digest));
  const [check] = deepChecks(deep);
  assert.equal(check?.ok, true);
  assert.match(check?.message ?? '', /1 of 2 layers' bytes match.*not verified: layer 1 \(a foreign \(non-distributable\) layer/);
  assert.equal(deepOutputs({ deep } as never)['deep-verified'], 'false');

  const broken = await verifyLayers(registry, image([{ descriptor: missing.descriptor, diffId: sha256(missing.tar) }]), { logger: silentLogger });
  assert.equal(broken.layers[0]?.status, 'error');
  assert.match(deepError(broken)?.message ?? '', /^could not deep-verify layer 1 \(sha256:[0-9a-f]{12}\): no blob/);
});

test('DirectoryLayerCache round-trips an entry and refuses a tampered or foreign one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-cache-test-'));
  try {
    const cache = new DirectoryLayerCache(dir);
    const digest = sha256('blob');
    const entry: CachedLayer = {
      format: CACHE_FORMAT,
      digest,
      size: 4,
      mediaType: GZIP,
      diffId: sha256('tar'),
      uncompressedSize: 3,
      counts: { files: 0, directories: 0, symlinks: 0, hardlinks: 0, others: 0, whiteouts: 0, opaqueDirs: 0, fileBytes: 0 },
      index: { paths: [], kinds: '', sizes: [] },
      verifiedAt: '2026-01-01T00:00:00Z',
    };
    assert.equal(await cache.get(digest), undefined);
    await cache.put(entry);
    assert.deepEqual(await cache.get(digest), entry);
    // An entry filed under another digest is not this blob's.
    await writeFile(join(dir, `${sha256('other').replace(':', '-')}.json`), JSON.stringify(entry));
    assert.equal(await cache.get(sha256('other')), undefined);
    assert.equal(parseCachedLayer('not json', digest), undefined);
    assert.equal(parseCachedLayer(JSON.stringify({ ...entry, diffId: 'sha256:short' }), digest), undefined);
    assert.equal(parseCachedLayer(JSON.stringify({ ...entry, format: 2 }), digest), undefined);
    assert.equal(parseCachedLayer(JSON.stringify({ ...entry, index: { paths: ['a'], kinds: '', sizes: [] } }), digest), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the tool-cache version of a digest is an explicit semver, and the cache needs RUNNER_TOOL_CACHE', () => {
  const version = cacheVersion(sha256('x'));
  assert.match(version, /^1\.0\.0-sha256-[0-9a-f]{64}$/);
  assert.equal(tc.isExplicitVersion(version), true);
  assert.deepEqual(openToolCache({}), { unavailable: 'RUNNER_TOOL_CACHE is not set (not on a GitHub Actions runner?)' });
  const opened = openToolCache({ RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' });
  assert.equal('location' in opened && opened.location, '/opt/hostedtoolcache/verify-image-layers');
});

test('layerKind', () => {
  assert.deepEqual(layerKind('application/vnd.docker.image.rootfs.diff.tar.gzip'), { readable: true, compression: 'gzip', foreign: false });
  assert.deepEqual(layerKind('application/vnd.docker.image.rootfs.diff.tar.zstd'), { readable: true, compression: 'zstd', foreign: false });
  assert.deepEqual(layerKind('application/vnd.oci.image.layer.v1.tar+zstd'), { readable: true, compression: 'zstd', foreign: false });
  assert.deepEqual(layerKind('application/vnd.oci.image.layer.v1.tar'), { readable: true, compression: 'none', foreign: false });
  assert.deepEqual(layerKind('application/vnd.docker.image.rootfs.diff.tar'), { readable: true, compression: 'none', foreign: false });
  assert.deepEqual(layerKind('application/vnd.oci.image.layer.nondistributable.v1.tar+gzip'), { readable: false, reason: 'foreign', foreign: true });
  assert.deepEqual(layerKind('application/vnd.in-toto+json'), { readable: false, reason: 'unknown-media-type', foreign: false });
});

test('parseConcurrency and defaultConcurrency', () => {
  assert.equal(parseConcurrency('deep-concurrency', '', 32), undefined);
  assert.equal(parseConcurrency('deep-concurrency', 'auto', 32), undefined);
  assert.equal(parseConcurrency('deep-concurrency', ' 6 ', 32), 6);
  for (const bad of ['0', '-1', '1.5', 'many', '33']) {
    assert.throws(() => parseConcurrency('deep-concurrency', bad, 32), /use a whole number from 1 to 32/);
  }
  assert.equal(defaultConcurrency(1), 3);
  assert.equal(defaultConcurrency(2), 4);
  assert.equal(defaultConcurrency(64), 8);
});

test('the zstd command decoder decodes zstd and refuses gzip, like node:zlib would', async () => {
  const tar = makeTar([{ path: 'x', content: 'zstd' }]);
  const zst = execFileSync('zstd', ['-c', '-q'], { input: tar });
  const decode = async (input: Buffer) => {
    const decoder = zstdCommand();
    const out: Buffer[] = [];
    decoder.on('data', (c: Buffer) => out.push(c));
    decoder.end(input);
    await new Promise<void>((resolve, reject) => {
      decoder.once('end', resolve);
      decoder.once('error', reject);
    });
    return Buffer.concat(out);
  };
  assert.deepEqual(await decode(zst), tar);
  await assert.rejects(decode(gzipSync(tar)), /not in zstd format/);
  await assert.rejects(decode(zst.subarray(0, zst.length - 5)), /zstd: /);
});

test('without node:zlib zstd and without the zstd command, a zstd layer says what to install', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    const decoder = zstdCommand();
    const failed = new Promise<Error>((resolve) => decoder.once('error', resolve));
    decoder.resume();
    decoder.end(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
    assert.match((await failed).message, /no zstd decoder: run on Node 24 or later, or install the zstd command/);
  } finally {
    process.env.PATH = path;
  }
});

test('Progress logs long layers every interval, as plain lines', async () => {
  const lines: string[] = [];
  const progress = new Progress({ ...silentLogger, info: (m) => lines.push(m) }, 20);
  const meter = progress.start('layer 1/1 sha256:abc', 4 * 1024 * 1024);
  meter.add(1024 * 1024);
  await new Promise((r) => setTimeout(r, 70));
  meter.stop();
  const count = lines.length;
  assert.ok(count >= 1, 'at least one progress line');
  assert.match(lines[0] ?? '', /^layer 1\/1 sha256:abc: 1\.0 MiB of 4\.0 MiB \(25%\), \d+\.\d MB\/s$/);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(lines.length, count, 'silent once the layer is done');
});
