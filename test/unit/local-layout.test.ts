// OCI image layout directories: picking the image (:TAG, @DIGEST, the pushed name, index.json
// as the index), reading a multi-platform index with attestations, and refusing damaged layouts.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { zstdImplementation } from '../../src/bytes/decompress.js';
import { OciLayoutSource } from '../../src/local/oci.js';
import { parseLocalSpec } from '../../src/local/open.js';
import { imagesOf } from '../../src/local/source.js';
import { checkLocalBlobs } from '../../src/verify/blob-rules.js';
import { buildTestImage, LayoutWriter, named, withPlatform, type BuiltImage, type Desc } from '../helpers/oci.js';

let root: string;
let amd64: BuiltImage;
let arm64: BuiltImage;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'vi-layout-test-'));
  amd64 = await buildTestImage([{ 'bin/tool': 'tool\n' }, { 'app/x': 'x\n' }], 'amd64');
  arm64 = await buildTestImage([{ 'bin/tool': 'tool\n' }, { 'app/x': 'x\n' }], 'arm64');
});
after(() => rm(root, { recursive: true, force: true }));

async function multiLayout(name: string): Promise<{ dir: string; index: Desc; a: Desc; b: Desc; attestation: Desc }> {
  const dir = join(root, name);
  const w = new LayoutWriter(dir);
  const a = withPlatform((await w.image(amd64)).manifest, 'amd64');
  const b = withPlatform((await w.image(arm64)).manifest, 'arm64');
  const attestation = await w.attestation(a, 'https://slsa.dev/provenance/v0.2');
  const index = await w.index([a, b, attestation]);
  await w.finish([named(index, 'v1'), named((await w.image(amd64, { compress: false })).manifest, 'plain')]);
  return { dir, index, a, b, attestation };
}

describe('oci-layout', () => {
  test(':TAG picks the nested index: two platforms, one attestation tied to its subject', async () => {
    const { dir, index, a, b, attestation } = await multiLayout('multi');
    const source = new OciLayoutSource(`oci-layout:${dir}:v1`, dir, { name: 'v1' });
    const target = await source.load({});
    assert.equal(target.kind, 'index');
    if (target.kind !== 'index') return;
    assert.equal(target.index.digest, index.digest);
    assert.deepEqual(
      target.index.images.map((i) => [i.platform.architecture, i.manifestDigest, i.idKind]),
      [
        ['amd64', a.digest, 'config'],
        ['arm64', b.digest, 'config'],
      ],
    );
    assert.deepEqual(target.index.attestations, [{ digest: attestation.digest, subject: a.digest }]);
    for (const image of target.index.images) {
      await source.measure(image);
      assert.equal(checkLocalBlobs(image)?.ok, true);
    }
  });

  test(`zstd layers are decompressed to their diff_ids on every runtime (here by ${zstdImplementation()})`, async () => {
    // The local side reads zstd as deep verification does: node:zlib on Node 24, `zstd -dc` on
    // Node 20, where it used to skip the layer ("needs Node 22.15").
    const dir = join(root, 'zstd');
    const w = new LayoutWriter(dir);
    const { manifest } = await w.image(amd64, { compress: 'zstd' });
    await w.finish([named(manifest, 'v1')]);
    const source = new OciLayoutSource(`oci-layout:${dir}:v1`, dir, { name: 'v1' });
    const [image] = imagesOf(await source.load({}));
    await source.measure(image!);
    assert.deepEqual(
      image!.layers?.map((l) => [l.descriptor.mediaType, l.measured?.compression, l.measured?.diffId, l.measured?.diffIdError]),
      amd64.diffIds.map((d) => ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd', d, undefined]),
    );
    const check = checkLocalBlobs(image!);
    assert.equal(check?.ok, true, check?.message);
    assert.doesNotMatch(check?.message ?? '', /not checked|not computed|Node/);
  });

  test('a platform whose manifest is not in the layout is known by its digest only', async () => {
    const { dir, b } = await multiLayout('partial');
    await rm(join(dir, 'blobs', 'sha256', b.digest.slice(7)));
    const target = await new OciLayoutSource('x', dir, { name: 'v1' }).load({});
    const arm = imagesOf(target).find((i) => i.platform.architecture === 'arm64');
    assert.deepEqual([arm?.id, arm?.idKind, arm?.manifestDigest, arm?.diffIdsUnknown, arm?.layers], [b.digest, 'manifest', b.digest, true, undefined]);
    assert.match(arm?.source ?? '', /the linux\/arm64 manifest is not in it, only its digest/);
  });

  test('@DIGEST picks a platform manifest inside the index; :TAG an image entry', async () => {
    const { dir, b } = await multiLayout('by-digest');
    const byDigest = await new OciLayoutSource('x', dir, { digest: b.digest }).load({});
    assert.equal(byDigest.kind, 'image');
    assert.equal(imagesOf(byDigest)[0]?.platform.architecture, 'arm64');
    const plain = await new OciLayoutSource('x', dir, { name: 'plain' }).load({});
    assert.equal(imagesOf(plain)[0]?.layers?.[0]?.descriptor.mediaType, 'application/vnd.oci.image.layer.v1.tar');
  });

  test('without a selector: one entry is the image; several are an error that lists them', async () => {
    const { dir } = await multiLayout('ambiguous');
    await assert.rejects(new OciLayoutSource('x', dir, {}).load({}), /holds 2 images \(v1, plain\): pick one by appending :TAG or @DIGEST/);
    const single = join(root, 'single');
    const w = new LayoutWriter(single);
    await w.finish([named((await w.image(amd64)).manifest, 'latest')]);
    assert.equal(imagesOf(await new OciLayoutSource('x', single, {}).load({}))[0]?.configDigest, amd64.configDigest);
  });

  test('an index.json that lists platform manifests directly is read as the index', async () => {
    const dir = join(root, 'flat');
    const w = new LayoutWriter(dir);
    await w.finish([withPlatform((await w.image(amd64)).manifest, 'amd64'), withPlatform((await w.image(arm64)).manifest, 'arm64')]);
    const target = await new OciLayoutSource('x', dir, {}).load({});
    assert.equal(target.kind, 'index');
    assert.equal(target.kind === 'index' ? target.index.digest : 'x', undefined, 'index.json is no blob: no digest');
    assert.equal(imagesOf(target).length, 2);
  });

  test("an index entry's platform is the image's platform; its config's is kept for the cross-check (issue 10)", async () => {
    // buildah manifest add --arch arm64 --variant v8 over an amd64 image
    const dir = join(root, 'entry-platform');
    const w = new LayoutWriter(dir);
    const entry = { ...(await w.image(amd64)).manifest, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } };
    await w.finish([named(await w.index([entry]), 'v1')]);
    const [image] = imagesOf(await new OciLayoutSource('x', dir, { name: 'v1' }).load({}));
    assert.deepEqual(image?.platform, { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(image?.configPlatform, { os: 'linux', architecture: 'amd64' });
  });

  test('a manifest Docker would read differently (key case) or with a bad descriptor is refused', async () => {
    const dir = join(root, 'ambiguous-json');
    const w = new LayoutWriter(dir);
    const { config, layers } = await w.image(amd64);
    const twin = await w.blob(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers, Layers: [] }), 'application/vnd.oci.image.manifest.v1+json');
    const badSize = await w.blob(JSON.stringify({ schemaVersion: 2, config, layers: [{ ...layers[0], size: -1 }] }), 'application/vnd.oci.image.manifest.v1+json');
    await w.finish([named(twin, 'twin'), named(badSize, 'bad-size')]);
    await assert.rejects(new OciLayoutSource('x', dir, { name: 'twin' }).load({}), /ambiguous manifest: both "layers" and "Layers": Docker would read the second; export or save it again/);
    await assert.rejects(new OciLayoutSource('x', dir, { name: 'bad-size' }).load({}), /layer 1 has size "-1", not a non-negative whole number of bytes: the layout is damaged or was altered/);
  });

  test('damaged layouts are refused with what to do', async () => {
    const dir = join(root, 'damaged');
    const w = new LayoutWriter(dir);
    const { manifest, layers } = await w.image(amd64);
    await w.finish([named(manifest, 'v1')]);
    // A layer blob replaced by other bytes: the hash no longer matches its name.
    await writeFile(join(dir, 'blobs', 'sha256', layers[1]!.digest.slice(7)), 'not the layer');
    const source = new OciLayoutSource('x', dir, {});
    const [image] = imagesOf(await source.load({}));
    await source.measure(image!);
    const check = checkLocalBlobs(image!);
    assert.equal(check?.ok, false);
    assert.equal(check?.layer, 2);
    // The manifest itself altered: refused on load.
    await writeFile(join(dir, 'blobs', 'sha256', manifest.digest.slice(7)), '{"schemaVersion":2}');
    await assert.rejects(new OciLayoutSource('x', dir, {}).load({}), /: manifest blobs\/sha256\/[0-9a-f]{64} hashes to sha256:.*not sha256:.*the blob was altered or damaged/);
    await assert.rejects(new OciLayoutSource('x', join(root, 'nope'), {}).load({}), /OCI layout .*nope is not a directory/);
    await assert.rejects(new OciLayoutSource('x', root, {}).load({}), /has no index\.json: it is not an OCI image layout/);
  });
});

describe('parseLocalSpec', () => {
  const exists = (paths: string[]) => (p: string) => paths.includes(p);
  const cases: [string, string[], ReturnType<typeof parseLocalSpec>][] = [
    ['app:1', [], { kind: 'daemon', target: 'app:1', selector: {} }],
    ['localhost:5000/app:1', [], { kind: 'daemon', target: 'localhost:5000/app:1', selector: {} }],
    ['docker-daemon:app:1', [], { kind: 'daemon', target: 'app:1', selector: {} }],
    ['docker-archive:/tmp/a.tar', ['/tmp/a.tar'], { kind: 'docker-archive', target: '/tmp/a.tar', selector: {} }],
    ['docker-archive:/tmp/a.tar:acme/app:1', ['/tmp/a.tar'], { kind: 'docker-archive', target: '/tmp/a.tar', selector: { name: 'acme/app:1' } }],
    ['oci-layout:out:v1', ['out'], { kind: 'oci-layout', target: 'out', selector: { name: 'v1' } }],
    ['oci-layout:odd:name', ['odd:name'], { kind: 'oci-layout', target: 'odd:name', selector: {} }],
    [`oci-archive:img.tar@sha256:${'a'.repeat(64)}`, ['img.tar'], { kind: 'oci-archive', target: 'img.tar', selector: { digest: `sha256:${'a'.repeat(64)}` } }],
    ['oci-archive:missing.tar', [], { kind: 'oci-archive', target: 'missing.tar', selector: {} }],
  ];
  for (const [spec, paths, expected] of cases) {
    test(spec, () => assert.deepEqual(parseLocalSpec(spec, exists(paths)), expected));
  }
  test('a prefix without a path is an input error', () => {
    assert.throws(() => parseLocalSpec('oci-layout:'), /local-image "oci-layout:" names no path: write oci-layout:PATH/);
  });
});
