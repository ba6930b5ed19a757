// Deep verification, end to end: real images built by the daemon, pushed to a real registry,
// re-pushed by skopeo with zstd and without compression, blobs tampered with on the registry's
// disk or crafted through its API, and the bundled action and CLI downloading and proving them.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import { runAction, runCli, type ActionRun } from '../helpers/action.js';
import { buildImage, busyboxBase, docker, pushImage, removeImage, requireDaemon, uniqueName } from '../helpers/docker.js';
import { blobDataPath, getBlob, getManifest, makeTar, putManifest, sha256, uploadBlob, type PushedManifest } from '../helpers/registry-api.js';
import { startCountingProxy } from '../helpers/proxy.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

interface DeepLayer {
  index: number;
  digest: string;
  diffId?: string;
  status: string;
  failure?: string;
  message?: string;
  compression?: string;
  uncompressedSize?: number;
  counts?: { files: number; directories: number; symlinks: number; whiteouts: number; opaqueDirs: number; fileBytes: number };
  wastedBytes?: number;
  downloadedBytes?: number;
}
interface DeepReport {
  verified: boolean;
  bytesVerified: number;
  bytesDownloaded: number;
  layers: DeepLayer[];
  wastedBytes: number;
  wastedFiles: { path: string; bytes: number; layers: number[]; copies: { layer: number; bytes: number; how: string; by: number }[] }[];
  cache?: { hits: number; writes: number };
  zstdDecoder?: string;
}
interface Report {
  images: { status: string; checks: { rule: string; ok: boolean; layer?: number; message: string }[]; deep?: DeepReport }[];
}

const cleanups: Array<() => Promise<void>> = [];
const deepOf = (run: ActionRun): DeepReport => {
  const deep = (run.report as Report | undefined)?.images[0]?.deep;
  assert.ok(deep, `the report has a deep section; exit ${run.code}; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  return deep;
};
const mismatches = (run: ActionRun) => JSON.parse(run.outputs.mismatches ?? '[]') as { rule: string; layer?: number; message: string }[];
const hasNativeZstd = typeof (zlib as unknown as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';

function skopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('skopeo', args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`skopeo ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Compressed bytes a deep run must prove for a manifest: its config plus every layer. */
const manifestBytes = (m: PushedManifest) => m.config.size + m.layers.reduce((n, l) => n + l.size, 0);

describe('deep verification', () => {
  let registry: TestRegistry;
  let base: string;
  let repo: string;
  let appRef: string;
  let app: PushedManifest;

  before(async () => {
    await requireDaemon();
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    base = `${uniqueName('vi-deep-base')}:1`;
    await busyboxBase(base);
    cleanups.push(() => removeImage(base));
    repo = uniqueName('acme/deep');
    appRef = `${registry.host}/${repo}:1.0`;
    // Random bytes (incompressible) and repetitive text (very compressible) in separate layers.
    await buildImage(
      appRef,
      `FROM ${base}\nRUN mkdir /data && head -c 300000 /dev/urandom > /data/random\nRUN yes "the same line again" | head -c 2000000 > /data/text && ln -s text /data/link\n`,
    );
    cleanups.push(() => removeImage(appRef));
    await pushImage(appRef);
    app = await getManifest(registry.host, repo, '1.0');
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('proves every layer of a daemon-built gzip image, with outputs, summary and report', async () => {
    const run = await runAction({ image: appRef, deep: 'true' });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.verified, 'true');
    assert.equal(run.outputs['deep-verified'], 'true');
    assert.equal(run.outputs['bytes-verified'], String(manifestBytes(app)));
    assert.equal(run.outputs['wasted-bytes'], '0');
    const deep = deepOf(run);
    assert.equal(deep.layers.length, 4);
    assert.ok(deep.layers.every((l) => l.status === 'verified' && l.compression === 'gzip'), JSON.stringify(deep.layers));
    assert.equal(deep.bytesDownloaded, app.layers.reduce((n, l) => n + l.size, 0));
    // What is inside: busybox, its applet symlinks, then our two data layers.
    assert.equal(deep.layers[0]?.counts?.files, 1);
    assert.ok((deep.layers[1]?.counts?.symlinks ?? 0) > 100, 'busybox --install made symlinks');
    assert.deepEqual(deep.layers[2]?.counts && { files: deep.layers[2].counts.files, bytes: deep.layers[2].counts.fileBytes }, { files: 1, bytes: 300000 });
    assert.equal(deep.layers[3]?.counts?.symlinks, 1);
    assert.ok((deep.layers[3]?.uncompressedSize ?? 0) > 2_000_000 && (app.layers[3]?.size ?? 0) < 100_000, 'text compresses well');
    const checks = (run.report as Report).images[0]?.checks ?? [];
    assert.ok(checks.some((c) => c.rule === 'layer-blobs' && c.ok));
    // A line per layer when it starts and when it is proved.
    assert.equal(run.stdout.match(/layer \d\/4 sha256:\w+: downloading/g)?.length, 4, run.stdout);
    assert.equal(run.stdout.match(/layer \d\/4 sha256:\w+: verified .* in \d+\.\d s/g)?.length, 4, run.stdout);
    assert.match(run.stdout, /layer 1\/4 sha256:\w+: verified 1\.0 MiB in \d+\.\d s \(\d+\.\d MB\/s\)/);
    assert.match(run.summary, /Deep verification/);
    assert.match(run.summary, /all 4 layers proved/);
    assert.equal(run.summary.match(/✓ verified/g)?.length, 4);
    assert.match(run.summary, /✓ verified \(\d+\.\d MB\/s\)/, 'the MiB-sized layer shows its rate');
  });

  it('proves the same image re-pushed by skopeo with zstd and with uncompressed layers', async () => {
    // zstd goes to a registry of its own: skopeo would otherwise reuse the gzip blobs the
    // registry already has for the same content instead of recompressing them. A docker://
    // destination always compresses, so the uncompressed copy goes through dir: and is pushed
    // from there byte for byte (--preserve-digests).
    const zstdRegistry = await startRegistry();
    cleanups.push(() => zstdRegistry.stop());
    const plainRegistry = registry;
    const dir = await mkdtemp(join(tmpdir(), 'verify-image-skopeo-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const src = `docker://${appRef}`;
    const common = ['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false'];
    await skopeo([...common, '--format', 'oci', '--dest-compress-format', 'zstd', src, `docker://${zstdRegistry.host}/${repo}:1.0`]);
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', '--dest-decompress', src, `dir:${dir}/plain`]);
    await skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--preserve-digests', `dir:${dir}/plain`, `docker://${plainRegistry.host}/${repo}:plain`]);
    const zstdManifest = await getManifest(zstdRegistry.host, repo, '1.0');
    const plainManifest = await getManifest(plainRegistry.host, repo, 'plain');
    assert.ok(zstdManifest.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd'), JSON.stringify(zstdManifest.layers));
    assert.ok(plainManifest.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar'), JSON.stringify(plainManifest.layers));

    // The uncompressed copy keeps the config byte for byte, so it is still exactly the local
    // build; the zstd copy is OCI, whose config differs (media types), so it is checked on its own.
    for (const [image, local, manifest, compression] of [
      [`${zstdRegistry.host}/${repo}:1.0`, 'none', zstdManifest, 'zstd'],
      [`${plainRegistry.host}/${repo}:plain`, appRef, plainManifest, 'none'],
    ] as const) {
      const run = await runAction({ image, 'local-image': local, deep: 'true' });
      assert.equal(run.code, 0, `${compression}: ${run.stdout}${run.stderr}`);
      assert.equal(run.outputs['deep-verified'], 'true', compression);
      assert.equal(run.outputs['bytes-verified'], String(manifestBytes(manifest)), compression);
      const deep = deepOf(run);
      assert.ok(deep.layers.every((l) => l.status === 'verified' && l.compression === compression), `${compression}: ${JSON.stringify(deep.layers)}`);
      assert.deepEqual(
        deep.layers.map((l) => l.counts?.files),
        [1, 0, 1, 1],
        compression,
      );
      // Same uncompressed layers as the local build, whatever the compression.
      assert.deepEqual(
        deep.layers.map((l) => l.diffId),
        JSON.parse(await docker(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', appRef])),
        compression,
      );
      if (compression === 'zstd') assert.equal(deep.zstdDecoder, hasNativeZstd ? 'node:zlib' : 'zstd command');
    }
  });

  describe('blobs that do not match their descriptions', () => {
    let ref: string;
    let pushed: PushedManifest;
    let top: { digest: string; size: number; mediaType: string };

    before(async () => {
      // A layer nobody else has, so damaging it in storage touches this image only.
      ref = `${registry.host}/${repo}:tampered`;
      await buildImage(ref, `FROM ${base}\nRUN head -c 200000 /dev/urandom > /unique && echo ${uniqueName('n')} > /nonce\n`);
      cleanups.push(() => removeImage(ref));
      await pushImage(ref);
      pushed = await getManifest(registry.host, repo, 'tampered');
      top = pushed.layers[2] as typeof top;
    });

    it('fails a blob changed on the registry disk, naming the layer, while the shallow check passes', async () => {
      const path = blobDataPath(registry.storageDir, top.digest);
      const file = await open(path, 'r+');
      try {
        // Same path, same size, different bytes: the registry serves them as if nothing happened.
        const middle = Math.floor(top.size / 2);
        const byte = Buffer.alloc(1);
        await file.read(byte, 0, 1, middle);
        byte[0] = (byte[0] ?? 0) ^ 0xff;
        await file.write(byte, 0, 1, middle);
      } finally {
        await file.close();
      }
      assert.equal((await stat(path)).size, top.size);

      const shallow = await runAction({ image: ref });
      assert.equal(shallow.code, 0, shallow.stdout);
      assert.equal(shallow.outputs.verified, 'true');
      assert.equal(shallow.outputs['deep-verified'], 'false');

      const run = await runAction({ image: ref, deep: 'true' });
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verified, 'false');
      assert.equal(run.outputs['deep-verified'], 'false');
      const failed = mismatches(run).find((m) => m.rule === 'layer-blobs');
      assert.ok(failed, run.outputs.mismatches);
      assert.equal(failed.layer, 3);
      assert.ok(failed.message.includes(`layer 3 (${top.digest.slice(0, 19)})`), failed.message);
      assert.match(failed.message, /hash to sha256:[0-9a-f]{64}, not to the manifest's digest/);
      const deep = deepOf(run);
      assert.deepEqual(
        deep.layers.map((l) => l.status),
        ['verified', 'verified', 'failed', 'verified'].slice(0, deep.layers.length),
      );
      assert.match(run.stdout, /::error::.*layer-blobs: layer 3/);
      assert.match(run.summary, /❌ Mismatch/);
      assert.match(run.summary, /✗ FAILED: the blob's bytes hash to/);
    });

    it('fails a truncated blob and an oversized blob', async () => {
      // Crafted through the API: the blob is intact, the manifest claims another size.
      const layers = app.layers;
      const last = layers.length - 1;
      for (const [tag, delta, reason] of [
        ['claims-more', 100, 'truncated'],
        ['claims-less', -100, 'size-overrun'],
      ] as const) {
        const body = {
          schemaVersion: 2,
          mediaType: app.mediaType,
          config: app.config,
          layers: layers.map((l, i) => (i === last ? { ...l, size: l.size + delta } : l)),
        };
        const put = await putManifest(registry.host, repo, tag, body, app.mediaType);
        assert.equal(put.status, 201, put.text);
        const run = await runAction({ image: `${registry.host}/${repo}:${tag}`, 'local-image': 'none', deep: 'true' });
        assert.equal(run.code, 1, run.stdout);
        const deep = deepOf(run);
        const bad = deep.layers[last];
        assert.equal(bad?.status, 'failed', JSON.stringify(bad));
        assert.equal(bad?.failure, reason);
        assert.equal(bad?.downloadedBytes, 0, 'known from Content-Length, not downloaded');
        assert.equal(mismatches(run).find((m) => m.rule === 'layer-blobs')?.layer, last + 1);
      }
    });

    it('fails a gzip layer that decompresses to something other than its diff_id', async () => {
      const claimed = makeTar([{ path: 'etc/motd', content: 'hello\n' }]);
      const served = makeTar([{ path: 'etc/motd', content: 'owned\n' }]);
      const layer = await uploadBlob(registry.host, repo, zlib.gzipSync(served));
      const config = Buffer.from(
        JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(claimed)] }, config: {} }),
      );
      const configBlob = await uploadBlob(registry.host, repo, config);
      const mediaType = 'application/vnd.oci.image.manifest.v1+json';
      const put = await putManifest(
        registry.host,
        repo,
        'swapped',
        {
          schemaVersion: 2,
          mediaType,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
        },
        mediaType,
      );
      assert.equal(put.status, 201, put.text);
      const ref = `${registry.host}/${repo}:swapped`;

      const shallow = await runAction({ image: ref, 'local-image': 'none', platform: 'linux/amd64' });
      assert.equal(shallow.code, 0, shallow.stdout);
      const run = await runAction({ image: ref, 'local-image': 'none', platform: 'linux/amd64', deep: 'true' });
      assert.equal(run.code, 1, run.stdout);
      const deep = deepOf(run);
      assert.equal(deep.layers[0]?.failure, 'diff-id');
      assert.ok(deep.layers[0]?.message?.includes(`hashes to ${sha256(served)}, not to the config's diff_id ${sha256(claimed)}`), deep.layers[0]?.message);
    });
  });

  describe('layers read as Go reads them (what docker pull unpacks)', () => {
    /** Pushes a one-layer image whose layer is `blob` (gzip) and whose config names `diffId`. */
    const pushOneLayer = async (tag: string, blob: Buffer, diffId: string): Promise<string> => {
      const layer = await uploadBlob(registry.host, repo, blob);
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] }, config: {} }));
      const configBlob = await uploadBlob(registry.host, repo, config);
      const mediaType = 'application/vnd.oci.image.manifest.v1+json';
      const put = await putManifest(
        registry.host,
        repo,
        tag,
        {
          schemaVersion: 2,
          mediaType,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
        },
        mediaType,
      );
      assert.equal(put.status, 201, put.text);
      return `${registry.host}/${repo}:${tag}`;
    };

    it('fails a gzip layer followed by zeros, which Go refuses, though digest and diff_id hold', async () => {
      const tar = makeTar([{ path: 'etc/motd', content: 'hello\n' }]);
      const blob = Buffer.concat([zlib.gzipSync(tar), Buffer.alloc(4096)]);
      const ref = await pushOneLayer('gzip-trailing-zeros', blob, sha256(tar));

      const shallow = await runAction({ image: ref, 'local-image': 'none', platform: 'linux/amd64' });
      assert.equal(shallow.code, 0, shallow.stdout);
      const run = await runAction({ image: ref, 'local-image': 'none', platform: 'linux/amd64', deep: 'true' });
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verified, 'false');
      assert.equal(run.outputs['deep-verified'], 'false');
      const failed = mismatches(run).find((m) => m.rule === 'layer-blobs');
      assert.ok(failed, run.outputs.mismatches);
      assert.equal(failed.layer, 1);
      assert.match(failed.message, /4096 bytes after the last gzip member are not another member: Go's gzip reader fails on them with "gzip: invalid header"/);
      const layer = deepOf(run).layers[0];
      assert.equal(layer?.status, 'failed');
      assert.equal(layer?.failure, 'decompress');
      // The attack matters: the daemon (Docker 20.10 here, as the containerd image store) cannot pull it.
      await assert.rejects(docker(['pull', '-q', ref]), /gzip: invalid header/);
    });

    it('proves a layer with 128 MiB of zeros after its tar end marker, and says they are there', async () => {
      const tar = makeTar([{ path: 'etc/motd', content: 'hello\n' }]);
      const zeros = Buffer.alloc(1024 * 1024);
      const gzip = zlib.createGzip();
      const parts: Buffer[] = [];
      gzip.on('data', (c: Buffer) => parts.push(c));
      const done = new Promise((resolve) => gzip.once('end', resolve));
      const plain = createHash('sha256').update(tar);
      gzip.write(tar);
      for (let i = 0; i < 128; i++) {
        plain.update(zeros);
        if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
      }
      gzip.end();
      await done;
      const blob = Buffer.concat(parts);
      assert.ok(blob.length < 300_000, `${blob.length} bytes compressed`);
      const ref = await pushOneLayer('after-tar-end', blob, `sha256:${plain.digest('hex')}`);

      const run = await runAction({ image: ref, 'local-image': 'none', platform: 'linux/amd64', deep: 'true' });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.verified, 'true');
      assert.equal(run.outputs['deep-verified'], 'true');
      const layer = deepOf(run).layers[0];
      assert.equal(layer?.status, 'verified');
      assert.equal(layer?.uncompressedSize, tar.length + 128 * 1024 * 1024);
      assert.equal((layer?.counts as { bytesAfterEnd?: number } | undefined)?.bytesAfterEnd, 128 * 1024 * 1024);
      assert.equal(layer?.counts?.files, 1);
      assert.match(run.stdout, /layer 1\/1 sha256:\w+: verified .*, 128 MiB after the tar end \(in the diff_id; never unpacked\)/);
      // And the runtime agrees: the daemon pulls it, its diff_id (over every byte) matching the config's.
      cleanups.push(() => removeImage(ref));
      await docker(['pull', '-q', ref]);
    });
  });

  it('counts files, deletions and the bytes later layers hide, on a hand-built image', async () => {
    const ref = `${registry.host}/${repo}:stats`;
    await buildImage(
      ref,
      [
        `FROM ${base}`,
        'RUN mkdir /data && head -c 1000 /dev/zero > /data/a && head -c 2000 /dev/zero > /data/b && head -c 500 /dev/zero > /data/keep',
        'RUN head -c 300 /dev/zero > /data/a',
        'RUN rm /data/b',
        '',
      ].join('\n'),
    );
    cleanups.push(() => removeImage(ref));
    await pushImage(ref);
    const run = await runAction({ image: ref, deep: 'true' });
    assert.equal(run.code, 0, run.stdout);
    const deep = deepOf(run);
    const counts = deep.layers.slice(2).map((l) => l.counts && { files: l.counts.files, dirs: l.counts.directories, deleted: l.counts.whiteouts, bytes: l.counts.fileBytes });
    assert.deepEqual(counts, [
      { files: 3, dirs: 1, deleted: 0, bytes: 3500 },
      { files: 1, dirs: 1, deleted: 0, bytes: 300 },
      { files: 0, dirs: 1, deleted: 1, bytes: 0 },
    ]);
    // /data/a (1000 bytes) is overwritten by layer 4, /data/b (2000 bytes) deleted by layer 5.
    assert.equal(deep.wastedBytes, 3000);
    assert.equal(run.outputs['wasted-bytes'], '3000');
    assert.deepEqual(
      deep.layers.map((l) => l.wastedBytes),
      [0, 0, 3000, 0, 0],
    );
    assert.deepEqual(deep.wastedFiles, [
      { path: 'data/b', bytes: 2000, layers: [3], copies: [{ layer: 3, bytes: 2000, how: 'deleted', by: 5 }] },
      { path: 'data/a', bytes: 1000, layers: [3], copies: [{ layer: 3, bytes: 1000, how: 'overwritten', by: 4 }] },
    ]);
    assert.match(run.summary, /2\.9 KiB wasted: 2 files shipped in a layer and overwritten or deleted by a later one/);
    assert.match(run.summary, /<code>data\/b<\/code> 2\.0 KiB — in layer 3, deleted by layer 5/);
  });

  it('remembers proved layers in the tool cache and downloads none of them the second time', async () => {
    const proxy = await startCountingProxy(registry.host);
    cleanups.push(() => proxy.stop());
    const toolCache = await mkdtemp(join(tmpdir(), 'verify-image-toolcache-'));
    cleanups.push(() => rm(toolCache, { recursive: true, force: true }));
    const ref = `${proxy.host}/${repo}:1.0`;
    const layerDigests = app.layers.map((l) => l.digest);

    const first = await runAction({ image: ref, 'local-image': 'none', deep: 'true', cache: 'true' }, { RUNNER_TOOL_CACHE: toolCache });
    assert.equal(first.code, 0, first.stdout);
    assert.deepEqual(proxy.blobGets().filter((d) => layerDigests.includes(d)).sort(), [...layerDigests].sort(), 'first run downloads every layer');
    assert.deepEqual({ ...deepOf(first).cache, location: undefined }, { hits: 0, writes: 4, location: undefined });
    for (const digest of layerDigests) {
      const entry = join(toolCache, 'verify-image-layers', `1.0.0-${digest.replace(':', '-')}`, 'any');
      assert.ok(existsSync(`${entry}.complete`), `tool-cache entry for ${digest}`);
      const cached = JSON.parse(await readFile(join(entry, 'layer.json'), 'utf8')) as { diffId: string };
      assert.match(cached.diffId, /^sha256:[0-9a-f]{64}$/);
    }

    proxy.reset();
    const second = await runAction({ image: ref, 'local-image': 'none', deep: 'true', cache: 'true' }, { RUNNER_TOOL_CACHE: toolCache });
    assert.equal(second.code, 0, second.stdout);
    assert.deepEqual(proxy.blobGets().filter((d) => layerDigests.includes(d)), [], `no layer downloaded; requests: ${proxy.requests.join(', ')}`);
    assert.ok(proxy.requests.length > 0, 'the run did go through the proxy');
    const deep = deepOf(second);
    assert.deepEqual({ ...deep.cache, location: undefined }, { hits: 4, writes: 0, location: undefined });
    assert.ok(deep.layers.every((l) => l.status === 'cached'));
    assert.equal(deep.bytesDownloaded, 0);
    assert.equal(second.outputs['deep-verified'], 'true');
    assert.equal(second.outputs['bytes-verified'], String(manifestBytes(app)));
    assert.equal(second.summary.match(/✓ cached/g)?.length, 4);
    assert.match(second.summary, /4 layers from the cache/);

    // Without RUNNER_TOOL_CACHE (not a runner) the action says so and verifies without a cache.
    const bare = await runAction({ image: ref, 'local-image': 'none', deep: 'true', cache: 'true' }, { RUNNER_TOOL_CACHE: undefined });
    assert.equal(bare.code, 0, bare.stdout);
    assert.match(bare.stdout, /::warning::cache: true, but RUNNER_TOOL_CACHE is not set/);
    assert.equal(deepOf(bare).cache, undefined);
  });

  it('deep-verifies from the CLI, with a cache directory', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'verify-image-clicache-'));
    cleanups.push(() => rm(cacheDir, { recursive: true, force: true }));
    const first = await runCli([appRef, '--deep', '--cache-dir', cacheDir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /deep: all 4 layers proved/);
    const second = await runCli([appRef, '--deep', '--cache-dir', cacheDir, '--json']);
    assert.equal(second.code, 0, second.stderr);
    const deep = (JSON.parse(second.stdout) as Report).images[0]?.deep;
    assert.deepEqual({ ...deep?.cache, location: undefined }, { hits: 4, writes: 0, location: undefined });
    const bad = await runCli([appRef, '--cache']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /only apply with --deep/);
  });

  it('reads the blob it was given, not another one (sanity check of the helpers)', async () => {
    const bytes = await getBlob(registry.host, repo, app.config.digest);
    assert.equal(sha256(bytes), app.config.digest);
  });
});
