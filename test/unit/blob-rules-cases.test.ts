// The blob rules edge by edge (issue 16): blob and diff_id counts that disagree, a size or a
// compression that is not what the manifest claims, legacy archives whose descriptors are ours,
// layer lists of different lengths on the two sides, the per-layer intact test the layer table
// uses, and which config fields differ. Several of these passed the suite with the check removed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalImage, LocalLayer } from '../../src/local/source.js';
import type { RemoteImage } from '../../src/model/image.js';
import type { ImageConfig } from '../../src/oci/types.js';
import { blobChecks, checkLayerDigests, checkLocalBlobs, checkManifestDigest, configDifference, localLayerIntact } from '../../src/verify/blob-rules.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
const TAR = 'application/vnd.oci.image.layer.v1.tar';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const NO_ZSTD = 'this layer is zstd-compressed and this Node.js has no zstd decoder';

function remote(opts: { layers?: string[]; diffIds?: string[]; manifest?: string; config?: string; mediaType?: string; manifestMediaType?: string } = {}): RemoteImage {
  const diffIds = opts.diffIds ?? [d(1), d(2)];
  const layers = opts.layers ?? [d(11), d(12)];
  return {
    reference: 'r/app:1',
    manifestDigest: opts.manifest ?? d(100),
    manifestMediaType: opts.manifestMediaType ?? OCI_MANIFEST,
    manifest: { schemaVersion: 2, config: { mediaType: 'c', digest: opts.config ?? d(200), size: 1 }, layers: layers.map((digest) => ({ mediaType: opts.mediaType ?? GZIP, digest, size: 10 })) },
    configDigest: opts.config ?? d(200),
    config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: diffIds } },
    platform: { os: 'linux', architecture: 'amd64' },
  };
}

function local(opts: { layers?: LocalLayer[] | null; diffIds?: string[]; manifest?: string; config?: string | null; withManifest?: boolean; manifestMediaType?: string | null } = {}): LocalImage {
  const diffIds = opts.diffIds ?? [d(1), d(2)];
  const layers = opts.layers === null ? undefined : (opts.layers ?? [layer(d(11), GZIP, d(1)), layer(d(12), GZIP, d(2))]);
  const image: LocalImage = {
    reference: 'oci-layout:out',
    source: 'test',
    id: d(200),
    idKind: 'config',
    diffIds,
    platform: { os: 'linux', architecture: 'amd64' },
    repoDigests: [],
    ...(opts.config === null ? {} : { configDigest: opts.config ?? d(200) }),
    config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: diffIds } },
    ...(layers ? { layers } : {}),
  };
  if (opts.withManifest !== false) {
    image.manifestDigest = opts.manifest ?? d(100);
    if (opts.manifestMediaType !== null) image.manifestMediaType = opts.manifestMediaType ?? OCI_MANIFEST;
    image.manifest = { schemaVersion: 2, config: { mediaType: 'c', digest: d(200), size: 1 }, layers: (layers ?? []).map((l) => l.descriptor) };
  }
  return image;
}

function layer(digest: string, mediaType: string, diffId: string | undefined, measured: Partial<NonNullable<LocalLayer['measured']>> | null = {}, claimed = true): LocalLayer {
  const compression = mediaType === TAR ? 'none' : mediaType === ZSTD ? 'zstd' : 'gzip';
  return {
    descriptor: { mediaType, digest, size: 10 },
    path: `blobs/sha256/${digest.slice(7)}`,
    claimed,
    ...(measured === null ? {} : { measured: { digest, size: 10, compression, ...(diffId ? { diffId } : {}), ...measured } }),
  };
}

test('local-blobs: counts, sizes, compression and diff_ids, each way it can fail', () => {
  const cases: { name: string; image: LocalImage; ok: boolean | undefined; layer?: number; expected?: string; actual?: string; message?: RegExp }[] = [
    { name: 'every blob matches', image: local(), ok: true, message: /^all 2 local layer blobs were hashed: each matches its manifest digest and size, and each uncompressed layer matches its diff_id in the local config$/ },
    // Fewer blobs than diff_ids: the blobs there all match, the missing one must still fail.
    { name: 'fewer blobs than diff_ids', image: local({ diffIds: [d(1), d(2), d(3)] }), ok: false, layer: 3, message: /lists 2 layer blobs but its config has 3 diff_ids/ },
    { name: 'more blobs than diff_ids', image: local({ diffIds: [d(1)] }), ok: false, layer: 2, message: /lists 2 layer blobs but its config has 1 diff_ids/ },
    { name: 'a blob not measured: no rule', image: local({ layers: [layer(d(11), GZIP, d(1)), layer(d(12), GZIP, d(2), null)] }), ok: undefined },
    { name: 'no blobs listed: no rule', image: local({ layers: null }), ok: undefined },
    { name: 'size differs from the manifest', image: local({ layers: [layer(d(11), GZIP, d(1)), layer(d(12), GZIP, d(2), { size: 11 })] }), ok: false, layer: 2, expected: '10', actual: '11', message: /is 11 bytes, not the 10 its manifest says$/ },
    { name: 'compression differs from the media type', image: local({ layers: [layer(d(11), GZIP, d(1), { compression: 'none' }), layer(d(12), GZIP, d(2))] }), ok: false, layer: 1, message: /is uncompressed but its media type .* says gzip$/ },
    { name: 'an uncompressed blob replaced', image: local({ layers: [layer(d(11), TAR, d(7)), layer(d(12), GZIP, d(2))] }), ok: false, layer: 1, expected: d(1), actual: d(7), message: / hashes to sha256:0+7, not the diff_id sha256:0+1 in the local config/ },
    { name: 'a gzip blob replaced', image: local({ layers: [layer(d(11), GZIP, d(1)), layer(d(12), GZIP, d(8))] }), ok: false, layer: 2, expected: d(2), actual: d(8), message: / decompresses to content hashing to sha256:0+8/ },
    { name: 'a blob that does not decompress', image: local({ layers: [layer(d(11), GZIP, undefined, { diffIdError: 'it does not decompress as gzip (bad)' }), layer(d(12), GZIP, d(2))] }), ok: false, layer: 1, message: /: it does not decompress as gzip \(bad\)$/ },
    { name: 'a zstd blob with no decoder: noted, not failed', image: local({ layers: [layer(d(11), ZSTD, undefined, { diffIdError: NO_ZSTD }), layer(d(12), GZIP, d(2))] }), ok: true, message: /\(not checked: layer 1: this layer is zstd/ },
    { name: 'no diff_id and no reason', image: local({ layers: [layer(d(11), GZIP, undefined), layer(d(12), GZIP, d(2))] }), ok: true, message: /\(not checked: layer 1: its uncompressed digest was not computed\)$/ },
    // A legacy `docker save` (no manifest): the descriptors are made from the bytes, only the diff_ids are claims.
    { name: 'legacy archive: descriptors are not claims', image: local({ withManifest: false, layers: [layer(d(11), GZIP, d(1), { digest: d(66), size: 99, compression: 'zstd' }, false), layer(d(12), TAR, d(2), { compression: 'none' }, false)] }), ok: true, message: /^all 2 local layer blobs were hashed: each uncompressed layer matches its diff_id/ },
    { name: 'legacy archive: a replaced layer still fails', image: local({ withManifest: false, layers: [layer(d(11), GZIP, d(1), {}, false), layer(d(12), GZIP, d(9), {}, false)] }), ok: false, layer: 2, expected: d(2), actual: d(9) },
    { name: 'one claimed, one not', image: local({ layers: [layer(d(11), GZIP, d(1), {}, false), layer(d(12), GZIP, d(2))] }), ok: true, message: /each matches its manifest digest and size, and each uncompressed/ },
  ];
  for (const c of cases) {
    const check = checkLocalBlobs(c.image);
    if (c.ok === undefined) {
      assert.equal(check, undefined, c.name);
      continue;
    }
    assert.equal(check?.rule, 'local-blobs', c.name);
    assert.equal(check?.ok, c.ok, `${c.name}: ${check?.message}`);
    assert.equal(check?.layer, c.layer, c.name);
    if (c.expected !== undefined || !c.ok) assert.equal(check?.expected, c.expected, c.name);
    if (c.actual !== undefined || !c.ok) assert.equal(check?.actual, c.actual, c.name);
    if (c.message) assert.match(check?.message ?? '', c.message, c.name);
  }
});

test('a descriptor without a size: the size is not compared', () => {
  const noSize = layer(d(11), GZIP, d(1), { size: 42 });
  delete (noSize.descriptor as { size?: number }).size;
  const image = local({ layers: [noSize, layer(d(12), GZIP, d(2))] });
  assert.equal(checkLocalBlobs(image)?.ok, true);
  assert.equal(localLayerIntact(image, 0), true);
});

test('localLayerIntact: false exactly when a measured blob is not what the manifest and config say', () => {
  const cases: { name: string; layers: LocalLayer[] | null; i: number; intact: boolean }[] = [
    { name: 'matches', layers: [layer(d(11), GZIP, d(1))], i: 0, intact: true },
    { name: 'no such layer', layers: [layer(d(11), GZIP, d(1))], i: 1, intact: true },
    { name: 'no layers listed', layers: null, i: 0, intact: true },
    { name: 'not measured', layers: [layer(d(11), GZIP, d(1), null)], i: 0, intact: true },
    { name: 'digest differs from the manifest', layers: [layer(d(11), GZIP, d(1), { digest: d(66) })], i: 0, intact: false },
    { name: 'size differs from the manifest', layers: [layer(d(11), GZIP, d(1), { size: 11 })], i: 0, intact: false },
    { name: 'legacy: digest and size are ours, not claims', layers: [layer(d(11), GZIP, d(1), { digest: d(66), size: 11 }, false)], i: 0, intact: true },
    { name: 'does not decompress', layers: [layer(d(11), GZIP, undefined, { diffIdError: 'it does not decompress as gzip (bad)' })], i: 0, intact: false },
    { name: 'no zstd decoder', layers: [layer(d(11), ZSTD, undefined, { diffIdError: NO_ZSTD })], i: 0, intact: true },
    { name: 'diff_id differs', layers: [layer(d(11), GZIP, d(9))], i: 0, intact: false },
    { name: 'second layer differs', layers: [layer(d(11), GZIP, d(1)), layer(d(12), GZIP, d(9))], i: 1, intact: false },
  ];
  for (const c of cases) {
    assert.equal(localLayerIntact(local({ layers: c.layers, diffIds: [d(1), d(2)] }), c.i), c.intact, c.name);
  }
});

test('layer-digests: layer lists of different lengths fail, whichever side is longer', () => {
  const cases: { name: string; remote: RemoteImage; local: LocalImage; layer: number; expected: string | undefined; actual: string | undefined }[] = [
    { name: 'the registry has a layer more', remote: remote({ layers: [d(11), d(12), d(13)], diffIds: [d(1), d(2), d(3)] }), local: local(), layer: 3, expected: undefined, actual: d(13) },
    { name: 'the local build has a layer more', remote: remote({ layers: [d(11)], diffIds: [d(1)] }), local: local(), layer: 2, expected: d(12), actual: undefined },
    // The registry's config lists the diff_id of a layer its manifest lacks.
    { name: 'the registry manifest lacks a layer its config lists', remote: remote({ layers: [d(11)], diffIds: [d(1), d(2)] }), local: local(), layer: 2, expected: d(12), actual: undefined },
    // The local config lists a diff_id for which the local build has no blob.
    { name: 'the local build lacks a blob its config lists', remote: remote({ layers: [d(11), d(22)] }), local: local({ layers: [layer(d(11), GZIP, d(1))] }), layer: 2, expected: undefined, actual: d(22) },
    // Both configs list one diff_id for two layers: the second layer's blobs differ and no diff_id vouches for it.
    { name: 'blobs differ where neither config lists a diff_id', remote: remote({ layers: [d(11), d(22)], diffIds: [d(1)] }), local: local({ diffIds: [d(1)] }), layer: 2, expected: d(12), actual: d(22) },
    { name: 'the local source lists no blobs', remote: remote(), local: local({ layers: null }), layer: 1, expected: undefined, actual: d(11) },
    { name: 'a recompressed layer, then another content', remote: remote({ layers: [d(21), d(22)], diffIds: [d(1), d(9)] }), local: local(), layer: 2, expected: d(12), actual: d(22) },
  ];
  for (const c of cases) {
    const check = checkLayerDigests(c.remote, c.local);
    assert.deepEqual([check.rule, check.ok, check.layer, check.expected, check.actual], ['layer-digests', false, c.layer, c.expected, c.actual], c.name);
  }
});

test('layer-digests: what a pass says (the same blobs, or which layers were recompressed)', () => {
  const three = [layer(d(11), GZIP, d(1)), layer(d(12), GZIP, d(2)), layer(d(13), GZIP, d(3)), layer(d(14), GZIP, d(4))];
  const diffIds = [d(1), d(2), d(3), d(4)];
  const cases: { name: string; remote: RemoteImage; local: LocalImage; layer: number | undefined; message: string }[] = [
    { name: 'the same blobs', remote: remote(), local: local(), layer: undefined, message: "all 2 compressed layer digests equal the local blobs'" },
    {
      name: 'two of four',
      remote: remote({ layers: [d(21), d(12), d(23), d(14)], diffIds, mediaType: ZSTD }),
      local: local({ layers: three, diffIds }),
      layer: 1,
      message: 'layers 1 and 3 were recompressed on push (registry zstd, local gzip): the compressed digests differ but the uncompressed content is identical (the diff_ids match); the other 2 are the same blobs',
    },
    {
      name: 'three of four',
      remote: remote({ layers: [d(21), d(22), d(13), d(24)], diffIds, mediaType: ZSTD }),
      local: local({ layers: three, diffIds }),
      layer: 1,
      message: 'layers 1, 2 and 4 were recompressed on push (registry zstd, local gzip): the compressed digests differ but the uncompressed content is identical (the diff_ids match); the other 1 are the same blobs',
    },
    {
      name: 'one of two, local blob not measured: its media type says',
      remote: remote({ layers: [d(11), d(22)] }),
      local: local({ layers: [layer(d(11), GZIP, d(1)), layer(d(12), TAR, d(2), null)] }),
      layer: 2,
      message: 'layer 2 was compressed on push (registry gzip, local uncompressed): the compressed digests differ but the uncompressed content is identical (the diff_ids match); the other 1 are the same blobs',
    },
    {
      name: 'measured compression wins over the media type',
      remote: remote({ layers: [d(21), d(22)], mediaType: ZSTD }),
      local: local({ layers: [layer(d(11), ZSTD, d(1), { compression: 'gzip' }), layer(d(12), ZSTD, d(2), { compression: 'gzip' })] }),
      layer: 1,
      message: 'all 2 layers were recompressed on push (registry zstd, local gzip): the compressed digests differ but the uncompressed content is identical (the diff_ids match)',
    },
  ];
  for (const c of cases) {
    const check = checkLayerDigests(c.remote, c.local);
    assert.deepEqual([check.rule, check.ok, check.layer], ['layer-digests', true, c.layer], c.name);
    assert.equal(check.message, c.message, c.name);
  }
});

test('manifest-digest: another manifest passes only with the same config and the same diff_ids, in full', () => {
  const cases: { name: string; remote: RemoteImage; local: LocalImage; ok: boolean; message: RegExp }[] = [
    // A false pass if only a prefix of the lists were compared.
    { name: 'the registry has a diff_id more', remote: remote({ manifest: d(101), layers: [d(11), d(12), d(13)], diffIds: [d(1), d(2), d(3)] }), local: local(), ok: false, message: /, and the layers differ \(see diff-ids\)$/ },
    { name: 'the local build has a diff_id more', remote: remote({ manifest: d(101), layers: [d(11)], diffIds: [d(1)] }), local: local(), ok: false, message: /, and the layers differ \(see diff-ids\)$/ },
    { name: 'no local config digest', remote: remote({ manifest: d(101) }), local: local({ config: null }), ok: false, message: /, and the local source does not name its config to compare$/ },
    { name: 'another config', remote: remote({ manifest: d(101), config: d(201) }), local: local(), ok: false, message: /, and the config differs \(registry sha256:0+c9, local sha256:0+c8\)$/ },
    { name: 'diff_ids unknown', remote: remote({ manifest: d(101) }), local: { ...local(), diffIdsUnknown: true }, ok: false, message: /cannot list this platform's layers/ },
    { name: 'one layer recompressed', remote: remote({ manifest: d(101), layers: [d(11), d(22)] }), local: local(), ok: true, message: /identical: 1 layer was compressed differently on push$/ },
    { name: 'converted media type', remote: remote({ manifest: d(101), manifestMediaType: DOCKER_MANIFEST }), local: local(), ok: true, message: /identical: the manifest was converted from application\/vnd\.oci\.image\.manifest\.v1\+json to application\/vnd\.docker\.distribution\.manifest\.v2\+json$/ },
    { name: 'converted, local media type unknown', remote: remote({ manifest: d(101), manifestMediaType: DOCKER_MANIFEST }), local: local({ manifestMediaType: null }), ok: true, message: /identical: the manifest was converted from its local format to application\/vnd\.docker/ },
    { name: 'annotations only', remote: remote({ manifest: d(101) }), local: local(), ok: true, message: /identical: the manifests differ only in annotations or media types$/ },
    { name: 'no local layer blobs', remote: remote({ manifest: d(101), layers: [d(21), d(22)] }), local: local({ layers: null }), ok: true, message: /identical: the local source names the manifest but not its layer blobs$/ },
  ];
  for (const c of cases) {
    const check = checkManifestDigest(c.remote, c.local);
    assert.deepEqual([check.rule, check.ok, check.expected, check.actual], ['manifest-digest', c.ok, c.local.manifestDigest, c.remote.manifestDigest], c.name);
    assert.match(check.message, c.message, c.name);
  }
});

test('blobChecks: which blob rules apply to which local source', () => {
  const rules = (image: LocalImage) => blobChecks(remote(), image).map((c) => [c.rule, c.ok]);
  assert.deepEqual(rules(local()), [
    ['local-blobs', true],
    ['manifest-digest', true],
    ['layer-digests', true],
  ]);
  // A legacy archive: blobs but no manifest, so no manifest digest and no compressed digests to compare.
  assert.deepEqual(rules(local({ withManifest: false })), [['local-blobs', true]]);
  // The containerd store: a manifest digest, no blobs.
  const store = local({ layers: null });
  delete store.manifest;
  assert.deepEqual(rules(store), [['manifest-digest', true]]);
  assert.deepEqual(rules({ ...local(), diffIdsUnknown: true }), [
    ['local-blobs', true],
    ['manifest-digest', true],
  ]);
});

test('configDifference: sorted field names, config.* when both configs are objects, else config itself', () => {
  const base: ImageConfig = { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } };
  const withConfig = (config: unknown, extra: Record<string, unknown> = {}) => ({ ...base, ...extra, config }) as unknown as ImageConfig;
  const cases: { name: string; remote: ImageConfig; local: ImageConfig; fields: string[] }[] = [
    { name: 'sorted, not in key order', remote: { ...base, os: 'windows', architecture: 'arm64' }, local: base, fields: ['architecture', 'os'] },
    { name: 'inner fields, and a top-level one', remote: withConfig({ Env: ['A=1'], User: 'x' }, { author: 'a' }), local: withConfig({ Env: ['A=2'], User: 'x' }), fields: ['author', 'config.Env'] },
    { name: 'config on one side only', remote: withConfig({ Env: [] }), local: base, fields: ['config'] },
    { name: 'config on the other side only', remote: base, local: withConfig({ Env: [] }), fields: ['config'] },
    { name: 'configs that are not objects', remote: withConfig('ab'), local: withConfig('cd'), fields: ['config'] },
    { name: 'an object and a string', remote: withConfig({ Env: [] }), local: withConfig('cd'), fields: ['config'] },
    { name: 'a string and an object', remote: withConfig('ab'), local: withConfig({ Env: [] }), fields: ['config'] },
    { name: 'null and an object', remote: withConfig(null), local: withConfig({ Env: [] }), fields: ['config'] },
    { name: 'an object and null', remote: withConfig({ Env: [] }), local: withConfig(null), fields: ['config'] },
    { name: 'null on both sides differs from nothing', remote: withConfig(null), local: withConfig(null), fields: [] },
    { name: 'the same', remote: withConfig({ Env: [] }), local: withConfig({ Env: [] }), fields: [] },
  ];
  for (const c of cases) assert.deepEqual(configDifference(c.remote, c.local), c.fields, c.name);
});
