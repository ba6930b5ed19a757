import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { BlobDigester } from '../../src/local/blob-digest.js';
import type { LocalImage, LocalLayer } from '../../src/local/source.js';
import { checkLayerDigests, checkLocalBlobs, checkManifestDigest, configDifference } from '../../src/verify/blob-rules.js';
import type { RemoteImage } from '../../src/model/image.js';
import { compareImage } from '../../src/verify/rules.js';
import { sha256 } from '../helpers/oci.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
const TAR = 'application/vnd.oci.image.layer.v1.tar';

function remote(opts: { layers?: string[]; diffIds?: string[]; manifest?: string; config?: string; mediaType?: string } = {}): RemoteImage {
  const diffIds = opts.diffIds ?? [d(1), d(2)];
  const layers = opts.layers ?? [d(11), d(12)];
  return {
    reference: 'r/app:1',
    manifestDigest: opts.manifest ?? d(100),
    manifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    manifest: { schemaVersion: 2, config: { mediaType: 'c', digest: opts.config ?? d(200), size: 1 }, layers: layers.map((digest) => ({ mediaType: opts.mediaType ?? GZIP, digest, size: 10 })) },
    configDigest: opts.config ?? d(200),
    config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: diffIds } },
    platform: { os: 'linux', architecture: 'amd64' },
  };
}

function local(opts: { layers?: LocalLayer[]; diffIds?: string[]; manifest?: string; config?: string; withManifest?: boolean } = {}): LocalImage {
  const diffIds = opts.diffIds ?? [d(1), d(2)];
  const layers = opts.layers ?? [layer(d(11), GZIP, d(1)), layer(d(12), GZIP, d(2))];
  const image: LocalImage = {
    reference: 'oci-layout:out',
    source: 'test',
    id: opts.config ?? d(200),
    idKind: 'config',
    diffIds,
    platform: { os: 'linux', architecture: 'amd64' },
    repoDigests: [],
    configDigest: opts.config ?? d(200),
    config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: diffIds } },
    layers,
  };
  if (opts.withManifest !== false) {
    image.manifestDigest = opts.manifest ?? d(100);
    image.manifestMediaType = 'application/vnd.oci.image.manifest.v1+json';
    image.manifest = { schemaVersion: 2, config: { mediaType: 'c', digest: d(200), size: 1 }, layers: layers.map((l) => l.descriptor) };
  }
  return image;
}

function layer(digest: string, mediaType: string, diffId: string, measured: Partial<LocalLayer['measured']> = {}): LocalLayer {
  const compression = mediaType === TAR ? 'none' : mediaType === ZSTD ? 'zstd' : 'gzip';
  return {
    descriptor: { mediaType, digest, size: 10 },
    path: `blobs/sha256/${digest.slice(7)}`,
    claimed: true,
    measured: { digest, size: 10, compression, diffId, ...measured },
  };
}

test('manifest-digest: the same manifest proves everything under it', () => {
  const check = checkManifestDigest(remote(), local());
  assert.equal(check.ok, true);
  assert.match(check.message, /byte for byte/);
});

test('manifest-digest and layer-digests: recompressed on push, same content, says exactly that', () => {
  const r = remote({ manifest: d(101), layers: [d(21), d(22)], mediaType: ZSTD });
  const l = local();
  const manifest = checkManifestDigest(r, l);
  assert.equal(manifest.ok, true);
  assert.match(manifest.message, /is not the local .* but the config and every uncompressed layer are identical: 2 layers were compressed differently on push/);
  const layers = checkLayerDigests(r, l);
  assert.equal(layers.ok, true);
  assert.equal(layers.message, 'all 2 layers were recompressed on push (registry zstd, local gzip): the compressed digests differ but the uncompressed content is identical (the diff_ids match)');
});

test('layer-digests: uncompressed local layers (docker save, Docker 25+) were compressed on push', () => {
  const l = local({ layers: [layer(d(1), TAR, d(1)), layer(d(12), GZIP, d(2))] });
  const check = checkLayerDigests(remote(), l);
  assert.equal(check.ok, true);
  assert.match(check.message, /^layer 1 was compressed on push \(registry gzip, local uncompressed\).*; the other 1 are the same blobs$/);
});

test('layer-digests and manifest-digest fail when the content differs', () => {
  const r = remote({ manifest: d(101), layers: [d(11), d(99)], diffIds: [d(1), d(9)] });
  const layers = checkLayerDigests(r, local());
  assert.equal(layers.ok, false);
  assert.equal(layers.layer, 2);
  const manifest = checkManifestDigest(r, local());
  assert.equal(manifest.ok, false);
  assert.match(manifest.message, /and the layers differ/);
  const config = checkManifestDigest(remote({ manifest: d(101), config: d(201) }), local());
  assert.equal(config.ok, false);
  assert.match(config.message, /and the config differs/);
});

test('local-blobs: passes only when every blob hashes to its descriptor and diff_id', () => {
  assert.equal(checkLocalBlobs(local())?.ok, true);
  const altered = checkLocalBlobs(local({ layers: [layer(d(11), GZIP, d(1)), layer(d(12), GZIP, d(2), { digest: d(66) })] }));
  assert.equal(altered?.ok, false);
  assert.equal(altered?.layer, 2);
  assert.match(altered?.message ?? '', /hashes to .*0042, not the .* its manifest names/);
  const replaced = checkLocalBlobs(local({ layers: [layer(d(11), GZIP, d(7)), layer(d(12), GZIP, d(2))] }));
  assert.equal(replaced?.layer, 1);
  assert.match(replaced?.message ?? '', /decompresses to content hashing to .*, not the diff_id/);
  const wrongType = checkLocalBlobs(local({ layers: [layer(d(11), GZIP, d(1), { compression: 'zstd' }), layer(d(12), GZIP, d(2))] }));
  assert.match(wrongType?.message ?? '', /is zstd but its media type .* says gzip/);
  const corrupt = checkLocalBlobs(local({ layers: [layer(d(11), GZIP, d(1), { diffId: undefined, diffIdError: 'it does not decompress as gzip (bad)' }), layer(d(12), GZIP, d(2))] }));
  assert.equal(corrupt?.ok, false);
  // Only when no zstd decoder exists at all (Node 20 without the zstd command): the digester's words.
  const noDecoder = 'this layer is zstd-compressed and this Node.js has no zstd decoder: run on Node 24 or later, or install the zstd command (apt-get install zstd); the compressed digest was still checked';
  const noZstd = checkLocalBlobs(local({ layers: [layer(d(11), ZSTD, d(1), { diffId: undefined, diffIdError: noDecoder }), layer(d(12), GZIP, d(2))] }));
  assert.equal(noZstd?.ok, true);
  assert.match(noZstd?.message ?? '', /not checked: layer 1: this layer is zstd-compressed and this Node\.js has no zstd decoder/);
  assert.equal(checkLocalBlobs(local({ layers: [] })), undefined, 'no blobs, no rule');
});

test('compareImage adds the blob rules for a local source with blobs, and explains a config difference', () => {
  const r = remote();
  assert.deepEqual(
    compareImage(r, local(), undefined).map((c) => [c.rule, c.ok]),
    [
      ['layer-count', true],
      ['platform', true],
      ['diff-ids', true],
      ['image-id', true],
      ['local-blobs', true],
      ['manifest-digest', true],
      ['layer-digests', true],
    ],
  );
  const converted = local({ config: d(201), manifest: d(102) });
  converted.config = { ...converted.config!, config: { Env: ['PATH=/bin'] } };
  r.config = { ...r.config, config: { Env: ['PATH=/bin'], Hostname: '' }, docker_version: '20.10' } as RemoteImage['config'];
  const imageId = compareImage(r, converted, undefined).find((c) => c.rule === 'image-id');
  assert.equal(imageId?.ok, false);
  assert.match(imageId?.message ?? '', /the configs differ in docker_version, config\.Hostname$/);
  assert.deepEqual(configDifference({ os: 'a', architecture: 'b', rootfs: { type: 'layers', diff_ids: [] } }, { os: 'a', architecture: 'c', rootfs: { type: 'layers', diff_ids: [] } }), ['architecture']);
});

test('a daemon without diff_ids for a platform relies on the manifest digest', () => {
  const containerd: LocalImage = { ...local({ withManifest: false, layers: [] }), diffIds: [], diffIdsUnknown: true, idKind: 'manifest', id: d(100), manifestDigest: d(100) };
  delete containerd.layers;
  const checks = compareImage(remote(), containerd, undefined);
  assert.deepEqual(
    checks.map((c) => [c.rule, c.ok]),
    [
      ['layer-count', true],
      ['platform', true],
      ['image-id', true],
      ['manifest-digest', true],
    ],
  );
  const other = compareImage(remote({ manifest: d(101) }), { ...containerd, id: d(100) }, undefined).filter((c) => !c.ok);
  assert.deepEqual(
    other.map((c) => c.rule),
    ['image-id', 'manifest-digest'],
  );
});

test('BlobDigester: one read gives digest, size, compression, diff_id and small JSON', async () => {
  const run = async (bytes: Buffer, keepJsonUpTo = 0) => {
    const digester = new BlobDigester({ keepJsonUpTo });
    await new Promise<void>((resolve, reject) => {
      digester.once('finish', resolve).once('error', reject);
      // Fed in small pieces, as a stream would.
      for (let i = 0; i < bytes.length; i += 3) digester.write(bytes.subarray(i, i + 3));
      digester.end();
    });
    return digester.measure;
  };
  const tar = Buffer.alloc(5000, 7);
  const plain = await run(tar);
  assert.deepEqual([plain.digest, plain.size, plain.compression, plain.diffId], [sha256(tar), 5000, 'none', sha256(tar)]);
  const gz = gzipSync(tar);
  const gzipped = await run(gz);
  assert.deepEqual([gzipped.digest, gzipped.compression, gzipped.diffId], [sha256(gz), 'gzip', sha256(tar)]);
  const broken = Buffer.from(gz);
  broken[20] = (broken[20] ?? 0) ^ 0xff;
  const bad = await run(broken);
  assert.equal(bad.diffId, undefined);
  assert.match(bad.diffIdError ?? '', /does not decompress as gzip/);
  const json = Buffer.from(' {"schemaVersion":2}');
  assert.deepEqual((await run(json, 100)).json, json);
  assert.equal((await run(json, 10)).json, undefined, 'larger than the cap: not kept');
  assert.equal((await run(Buffer.from('{}'), 100)).json?.toString(), '{}', 'shorter than the sniff window');
});
