// `docker save` tarballs in both layouts, built here from small hand-made images: read as a
// stream, the right image picked, every layer measured, and a replaced layer caught.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DockerArchiveSource } from '../../src/local/archive.js';
import { OciArchiveSource } from '../../src/local/oci.js';
import { imagesOf, type LocalImage } from '../../src/local/source.js';
import { checkLocalBlobs, localLayerIntact } from '../../src/verify/blob-rules.js';
import { archiveOf, buildTestImage, legacySaveMembers, ociSaveMembers, sha256, tarOf, zstdSync, type BuiltImage } from '../helpers/oci.js';

let dir: string;
let image: BuiltImage;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-archive-test-'));
  image = await buildTestImage([{ 'bin/tool': 'tool v1\n' }, { 'etc/app.conf': 'mode=prod\n' }, { 'app/run': '#!/bin/sh\necho hi\n' }]);
});
after(() => rm(dir, { recursive: true, force: true }));

async function load(file: string, spec = `docker-archive:${file}`, hint = {}): Promise<LocalImage> {
  const source = new DockerArchiveSource(spec, file, {});
  const target = await source.load(hint);
  const [local] = imagesOf(target);
  assert.ok(local);
  await source.measure(local);
  return local;
}

describe('legacy docker save (Docker < 25)', () => {
  test('reads config and layers, image ID is the config digest, every layer hashes to its diff_id', async () => {
    const file = join(dir, 'legacy.tar');
    await archiveOf(file, legacySaveMembers(image, ['acme/app:1']));
    const local = await load(file);
    assert.equal(local.id, image.configDigest);
    assert.equal(local.idKind, 'config');
    assert.deepEqual(local.diffIds, image.diffIds);
    assert.deepEqual(local.platform, { os: 'linux', architecture: 'amd64' });
    assert.equal(local.manifestDigest, undefined, 'the legacy layout has no manifest');
    assert.match(local.source, /legacy layout/);
    assert.deepEqual(
      local.layers?.map((l) => [l.measured?.digest, l.measured?.compression, l.claimed]),
      image.diffIds.map((d) => [d, 'none', false]),
    );
    const check = checkLocalBlobs(local);
    assert.equal(check?.ok, true, check?.message);
  });

  test('a replaced layer.tar fails local-blobs naming the layer', async () => {
    const file = join(dir, 'tampered.tar');
    const members = legacySaveMembers(image, ['acme/app:1']);
    const layerPath = Object.keys(members).filter((k) => k.endsWith('layer.tar'))[1]!;
    members[layerPath] = await tarOf({ 'etc/app.conf': 'mode=evil\n' });
    await archiveOf(file, members);
    const local = await load(file);
    const check = checkLocalBlobs(local);
    assert.equal(check?.ok, false);
    assert.equal(check?.layer, 2);
    assert.deepEqual(
      [0, 1, 2].map((i) => localLayerIntact(local, i)),
      [true, false, true],
    );
    assert.match(check?.message ?? '', /local layer 2 \(.*layer\.tar\) hashes to sha256:[0-9a-f]{64}, not the diff_id .* the layer was replaced or damaged/);
  });

  test('an edited config is refused: its name is its digest', async () => {
    const file = join(dir, 'config-edited.tar');
    const members = legacySaveMembers(image, ['acme/app:1']);
    const configName = `${image.configDigest.slice(7)}.json`;
    members[configName] = Buffer.from(image.config.toString().replace('PATH=/bin', 'PATH=/evil'));
    await archiveOf(file, members);
    await assert.rejects(load(file), /config .*\.json hashes to sha256:.*not the image ID its name says: the archive was altered/);
  });

  test('a layer stored once and linked from another directory (docker save dedup) is followed', async () => {
    const file = join(dir, 'linked.tar');
    const twice = await buildTestImage([{ a: '1' }, { a: '1' }]);
    const members = legacySaveMembers(twice, ['acme/app:1']);
    const [first, second] = Object.keys(members).filter((k) => k.endsWith('layer.tar'));
    members[second!] = { link: `../${first!.split('/')[0]}/layer.tar` };
    await archiveOf(file, members);
    const local = await load(file);
    assert.equal(checkLocalBlobs(local)?.ok, true);
  });

  test('a gzip-compressed docker save is read as well', async () => {
    const file = join(dir, 'legacy.tar.gz');
    await archiveOf(file, legacySaveMembers(image, ['acme/app:1']), { gzip: true });
    const local = await load(file);
    assert.equal(local.id, image.configDigest);
    assert.equal(checkLocalBlobs(local)?.ok, true);
  });

  test('several images: picked by the pushed reference or :REF, else a clear error', async () => {
    const other = await buildTestImage([{ x: 'other' }]);
    const a = legacySaveMembers(image, ['127.0.0.1:5000/acme/app:1']);
    const b = legacySaveMembers(other, ['acme/other:2']);
    const manifest = [...JSON.parse(a['manifest.json'] as string), ...JSON.parse(b['manifest.json'] as string)];
    const file = join(dir, 'two.tar');
    await archiveOf(file, { ...a, ...b, 'manifest.json': JSON.stringify(manifest) });
    assert.equal((await load(file, `docker-archive:${file}`, { image: '127.0.0.1:5000/acme/app:1' })).id, image.configDigest);
    const byRef = new DockerArchiveSource(`docker-archive:${file}:acme/other:2`, file, { name: 'acme/other:2' });
    assert.equal(imagesOf(await byRef.load({}))[0]?.id, other.configDigest);
    await assert.rejects(load(file, `docker-archive:${file}`, { image: 'example.com/x:1' }), /holds 2 images \(127\.0\.0\.1:5000\/acme\/app:1, acme\/other:2\): name one/);
  });

  test('a RepoTags name without a tag (bazel-era archives) is NAME:latest', async () => {
    const other = await buildTestImage([{ x: 'other' }]);
    const a = legacySaveMembers(image, ['test_image_1']);
    const b = legacySaveMembers(other, ['test_image_2']);
    const manifest = [...JSON.parse(a['manifest.json'] as string), ...JSON.parse(b['manifest.json'] as string)];
    const file = join(dir, 'untagged.tar');
    await archiveOf(file, { ...a, ...b, 'manifest.json': JSON.stringify(manifest) });
    const pick = async (name: string) => imagesOf(await new DockerArchiveSource(`docker-archive:${file}:${name}`, file, { name }).load({}))[0]?.id;
    assert.equal(await pick('test_image_1:latest'), image.configDigest);
    assert.equal(await pick('test_image_1'), image.configDigest);
    assert.equal(await pick('docker.io/library/test_image_2:latest'), other.configDigest);
    await assert.rejects(pick('test_image_1:v2'), /has no image tagged "test_image_1:v2" \(it holds test_image_1, test_image_2\)/);
    // The pushed reference picks it too, whatever registry it was pushed to... only when the name is the same.
    assert.equal((await load(file, `docker-archive:${file}`, { image: 'test_image_2:latest' })).id, other.configDigest);
    await assert.rejects(load(file, `docker-archive:${file}`, { image: '127.0.0.1:5000/test_image_2:latest' }), /holds 2 images/);
  });

  test('not a tarball, or missing: one line that says what to do', async () => {
    const junk = join(dir, 'junk.tar');
    await writeFile(junk, 'this is not a tar archive, just some text that is long enough to need a header block'.repeat(20));
    await assert.rejects(load(junk), /docker-archive .*junk\.tar is not a readable tar archive/);
    await assert.rejects(load(join(dir, 'absent.tar')), /docker-archive .*absent\.tar cannot be read \(ENOENT\): check the path/);
  });
});

describe('Docker 25+ docker save (OCI layout inside the tar)', () => {
  test('reads the layout: manifest digest known, uncompressed layers hashed against the manifest and diff_ids', async () => {
    const file = join(dir, 'oci-save.tar');
    const { members, manifestDigest } = ociSaveMembers(image, 'acme/app:1');
    await archiveOf(file, members);
    const local = await load(file);
    assert.equal(local.manifestDigest, manifestDigest);
    assert.equal(local.configDigest, image.configDigest);
    assert.equal(local.id, image.configDigest);
    assert.match(local.source, /OCI layout, Docker 25\+/);
    assert.deepEqual(
      local.layers?.map((l) => [l.descriptor.digest, l.measured?.digest, l.claimed]),
      image.diffIds.map((d) => [d, d, true]),
    );
    assert.equal(checkLocalBlobs(local)?.ok, true);
  });

  test('Docker 25.0.0–25.0.2: index.json with "manifests": null falls back to manifest.json (moby#47210)', async () => {
    for (const manifests of [null, []]) {
      const file = join(dir, `oci-save-v25-${manifests === null ? 'null' : 'empty'}.tar`);
      const { members } = ociSaveMembers(image, 'acme/app:1');
      members['index.json'] = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
      await archiveOf(file, members);
      const local = await load(file);
      assert.equal(local.id, image.configDigest);
      assert.deepEqual(local.diffIds, image.diffIds);
      assert.match(local.source, /index\.json lists no manifests, as Docker 25\.0\.0–25\.0\.2 wrote it/);
      assert.deepEqual(
        local.layers?.map((l) => l.measured?.diffId),
        image.diffIds,
      );
      assert.equal(checkLocalBlobs(local)?.ok, true);
    }
    // Without manifest.json there is nothing to fall back to: the layout's own complaint stands.
    const bare = join(dir, 'oci-save-v25-bare.tar');
    const { members } = ociSaveMembers(image, 'acme/app:1');
    members['index.json'] = JSON.stringify({ schemaVersion: 2, manifests: null });
    delete members['manifest.json'];
    await archiveOf(bare, members);
    await assert.rejects(load(bare), /index\.json has no manifests list/);
  });

  test('a replaced blob is caught: it no longer hashes to the name the manifest uses', async () => {
    const file = join(dir, 'oci-save-tampered.tar');
    const { members } = ociSaveMembers(image, 'acme/app:1');
    members[`blobs/sha256/${image.diffIds[2]!.slice(7)}`] = await tarOf({ 'app/run': 'evil' });
    await archiveOf(file, members);
    const check = checkLocalBlobs(await load(file));
    assert.equal(check?.ok, false);
    assert.equal(check?.layer, 3);
    assert.match(check?.message ?? '', /local layer 3 .* hashes to .*, not the sha256:.* its manifest names/);
  });

  test('oci-archive reads the same tarball, and gzip layers are decompressed to their diff_ids', async () => {
    const file = join(dir, 'oci-gzip.tar');
    const members: Record<string, string | Buffer> = {};
    const blob = (bytes: Buffer, mediaType: string) => {
      const digest = sha256(bytes);
      members[`blobs/sha256/${digest.slice(7)}`] = bytes;
      return { mediaType, digest, size: bytes.length };
    };
    const layers = image.layers.map((l) => blob(gzipSync(l), 'application/vnd.oci.image.layer.v1.tar+gzip'));
    const config = blob(image.config, 'application/vnd.oci.image.config.v1+json');
    const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, config, layers })), 'application/vnd.oci.image.manifest.v1+json');
    members['index.json'] = JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] });
    members['oci-layout'] = '{"imageLayoutVersion":"1.0.0"}';
    await archiveOf(file, members);
    const source = new OciArchiveSource(`oci-archive:${file}:v1`, file, { name: 'v1' });
    const [local] = imagesOf(await source.load({}));
    await source.measure(local!);
    assert.deepEqual(
      local!.layers?.map((l) => [l.measured?.compression, l.measured?.diffId]),
      image.diffIds.map((d) => ['gzip', d]),
    );
    assert.equal(checkLocalBlobs(local!)?.ok, true);
    await assert.rejects(new OciArchiveSource('x', file, { name: 'v2' }).load({}), /has no image named "v2" \(it holds v1\)/);
  });

  test('oci-archive: zstd layers are decompressed to their diff_ids in the one pass, on every runtime', async () => {
    // The tar scan measures each member with deep verification's decoders: `zstd -dc` on Node 20.
    const file = join(dir, 'oci-zstd.tar');
    const members: Record<string, string | Buffer> = {};
    const blob = (bytes: Buffer, mediaType: string) => {
      const digest = sha256(bytes);
      members[`blobs/sha256/${digest.slice(7)}`] = bytes;
      return { mediaType, digest, size: bytes.length };
    };
    const layers = image.layers.map((l) => blob(zstdSync(l), 'application/vnd.oci.image.layer.v1.tar+zstd'));
    const config = blob(image.config, 'application/vnd.oci.image.config.v1+json');
    const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, config, layers })), 'application/vnd.oci.image.manifest.v1+json');
    members['index.json'] = JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] });
    members['oci-layout'] = '{"imageLayoutVersion":"1.0.0"}';
    await archiveOf(file, members);
    const source = new OciArchiveSource(`oci-archive:${file}:v1`, file, { name: 'v1' });
    const [local] = imagesOf(await source.load({}));
    await source.measure(local!);
    assert.deepEqual(
      local!.layers?.map((l) => [l.measured?.compression, l.measured?.diffId, l.measured?.diffIdError]),
      image.diffIds.map((d) => ['zstd', d, undefined]),
    );
    const check = checkLocalBlobs(local!);
    assert.equal(check?.ok, true, check?.message);
  });
});
