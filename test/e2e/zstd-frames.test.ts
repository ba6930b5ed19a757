// zstd layers of several frames, end to end: a zstd:chunked image as skopeo (containers/image,
// the library of podman and buildah) pushes it, and crafted layers (two frames, a skippable frame
// after or before the frame, zeros after it). The bundled action's deep verdict on each must be
// the verdict of Docker 26 on the containerd image store pulling the same image (Go's klauspost
// reader, drained to the end): frames and skippable frames pass, anything else fails.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction } from '../helpers/action.js';
import { engine, ENGINES, requireEngine } from '../helpers/buildx.js';
import { buildTestImage, LayoutWriter, named, OCI_CONFIG, OCI_LAYER_ZSTD, OCI_MANIFEST, pushLayout, skopeo, zstdSync, type BuiltImage } from '../helpers/oci.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const cleanups: Array<() => Promise<void>> = [];
let registry: TestRegistry;
let image: BuiltImage;

/** Does the containerd-store daemon pull `ref`? Its error when not. */
async function containerdPulls(ref: string): Promise<true | string> {
  try {
    await engine(ENGINES.containerd, ['pull', '-q', ref]);
    await engine(ENGINES.containerd, ['rmi', ref]);
    return true;
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function layoutDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-zstd-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Pushes `image` with `blob` as its one layer, claimed as zstd, to `repo:tag`. */
async function pushWithLayer(tag: string, blob: Buffer): Promise<string> {
  const w = new LayoutWriter(await layoutDir());
  const config = await w.blob(image.config, OCI_CONFIG);
  const layer = await w.blob(blob, OCI_LAYER_ZSTD);
  const manifest = await w.blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }), OCI_MANIFEST);
  await w.finish([named(manifest, tag)]);
  await pushLayout(registry.host, 'zstd/frames', w.dir, manifest, tag);
  return `${registry.host}/zstd/frames:${tag}`;
}

describe('zstd layers of several frames', () => {
  before(async () => {
    await requireEngine('containerd');
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    image = await buildTestImage([{ 'a.txt': 'hello\n'.repeat(50_000), 'b.txt': 'bye\n'.repeat(40_000) }]);
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('proves a zstd:chunked image pushed by skopeo, which containerd pulls', async () => {
    const w = new LayoutWriter(await layoutDir());
    const { manifest } = await w.image(image, { compress: false });
    await w.finish([named(manifest, '1.0')]);
    const ref = `${registry.host}/zstd/chunked:1.0`;
    await skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--dest-compress', '--dest-compress-format', 'zstd:chunked', `oci:${w.dir}:1.0`, `docker://${ref}`]);
    const pushed = (await (await fetch(`http://${registry.host}/v2/zstd/chunked/manifests/1.0`, { headers: { accept: OCI_MANIFEST } })).json()) as {
      layers: { mediaType: string; digest: string; annotations?: Record<string, string> }[];
    };
    assert.equal(pushed.layers.length, 1);
    assert.equal(pushed.layers[0].mediaType, OCI_LAYER_ZSTD);
    assert.ok(pushed.layers[0].annotations?.['io.containers.zstd-chunked.manifest-position'], 'skopeo wrote zstd:chunked');
    const blob = Buffer.from(await (await fetch(`http://${registry.host}/v2/zstd/chunked/blobs/${pushed.layers[0].digest}`)).arrayBuffer());
    assert.ok(blob.indexOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 4) > 0, 'a second frame magic');

    assert.equal(await containerdPulls(ref), true);
    const run = await runAction({ image: ref, 'local-image': 'none', deep: 'true' });
    assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
    assert.equal(run.outputs['deep-verified'], 'true');
  });

  const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]);
  const variants: [string, string, (tar: Buffer) => Buffer, boolean][] = [
    ['two-frames', 'two frames', (tar) => Buffer.concat([zstdSync(tar.subarray(0, 100_000)), zstdSync(tar.subarray(100_000))]), true],
    ['frame-skippable', 'a frame then a skippable frame', (tar) => Buffer.concat([zstdSync(tar), skippable]), true],
    ['skippable-frame', 'a skippable frame then a frame', (tar) => Buffer.concat([skippable, zstdSync(tar)]), true],
    ['frame-zeros', 'a frame then 8 zero bytes', (tar) => Buffer.concat([zstdSync(tar), Buffer.alloc(8)]), false],
  ];
  for (const [tag, what, make, valid] of variants) {
    it(`${valid ? 'proves' : 'refuses'} a layer of ${what}, as containerd ${valid ? 'pulls' : 'refuses'} it`, async () => {
      const ref = await pushWithLayer(tag, make(image.layers[0]));
      const pulled = await containerdPulls(ref);
      if (valid) assert.equal(pulled, true);
      else assert.match(String(pulled), /magic number mismatch/);
      const run = await runAction({ image: ref, 'local-image': 'none', deep: 'true' });
      assert.equal(run.outputs['deep-verified'], String(valid), `${run.stdout}${run.stderr}`);
      if (valid) assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
      else assert.match(run.stdout + run.stderr, /8 bytes after the last zstd frame are not another frame/);
    });
  }
});
