// Local sources beyond the daemon and multi-platform images, end to end: images built by the real
// daemon, exported with `docker save` and Debian's skopeo, a second platform assembled by hand,
// pushed to a real registry, and verified by the bundled action and CLI.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { runAction, runCli } from '../helpers/action.js';
import { buildImage, busyboxBase, docker, pushImage, removeImage, requireDaemon, uniqueName } from '../helpers/docker.js';
import { LayoutWriter, named, OCI_CONFIG, OCI_MANIFEST, pushLayout, skopeo, tarOf, withPlatform, type Desc } from '../helpers/oci.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const run = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];

interface Check {
  rule: string;
  ok: boolean;
  message: string;
  layer?: number;
  platform?: string;
}
interface Report {
  images: {
    status: string;
    checks: Check[];
    local?: { source: string };
    compared: string[];
    index?: { digest: string; localDigest?: string };
    platforms?: { platform: string; presence: string; status: string; attestation?: { status: string } }[];
  }[];
}
const reportOf = (r: { report?: unknown }) => (r.report as Report).images[0]!;
const rules = (checks: Check[]) => checks.map((c) => [c.rule, c.ok]);
const mismatches = (outputs: Record<string, string>) => JSON.parse(outputs.mismatches ?? '[]') as Check[];

describe('local sources: docker save, OCI layouts and multi-platform indexes', () => {
  let registry: TestRegistry;
  let work: string;
  let repo: string;
  let appRef: string;
  let appDigest: string;
  let ociDir: string;

  before(async () => {
    await requireDaemon();
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    work = await mkdtemp(join(tmpdir(), 'vi-local-sources-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    const base = `${uniqueName('vi-src-base')}:1`;
    await busyboxBase(base);
    cleanups.push(() => removeImage(base));
    repo = uniqueName('acme/sources');
    appRef = `${registry.host}/${repo}:1.0`;
    await buildImage(appRef, `FROM ${base}\nRUN echo one > /one\n`);
    cleanups.push(() => removeImage(appRef));
    appDigest = await pushImage(appRef);
    // The same build as an OCI layout, written by skopeo from the daemon (gzip layers, OCI config).
    ociDir = join(work, 'oci');
    await skopeo(['copy', '-q', `docker-daemon:${appRef}`, `oci:${ociDir}:v1`]);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('verifies a docker save archive of the build, hashing every layer in it', async () => {
    const archive = join(work, 'save.tar');
    await docker(['save', '-o', archive, appRef]);
    const result = await runAction({ image: appRef, 'local-image': `docker-archive:${archive}`, digest: appDigest });
    assert.equal(result.code, 0, result.stdout);
    assert.equal(result.outputs.verified, 'true');
    const report = reportOf(result);
    assert.deepEqual(rules(report.checks), [
      ['layer-count', true],
      ['platform', true],
      ['diff-ids', true],
      ['image-id', true],
      ['local-blobs', true],
      ['digest', true],
    ]);
    assert.match(report.local?.source ?? '', /docker save archive .*save\.tar \(legacy layout; .* read once as a stream\)/);
    assert.ok(report.compared.some((c) => c.includes('every local layer blob hashed')));
    assert.match(result.summary, /✅ Verified/);
  });

  it('fails a docker save archive with one layer replaced, naming the layer', async () => {
    const archive = join(work, 'save.tar');
    const unpacked = join(work, 'unpacked');
    await run('mkdir', ['-p', unpacked]);
    await run('tar', ['-xf', archive, '-C', unpacked]);
    const manifest = JSON.parse(await readFile(join(unpacked, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    const last = manifest[0]!.Layers.at(-1)!;
    await writeFile(join(unpacked, last), await tarOf({ one: 'not what was built\n' }));
    const tampered = join(work, 'tampered.tar');
    await run('tar', ['-cf', tampered, '-C', unpacked, '.']);

    const result = await runAction({ image: appRef, 'local-image': `docker-archive:${tampered}` });
    assert.equal(result.code, 1);
    assert.equal(result.outputs.verified, 'false');
    assert.deepEqual(
      mismatches(result.outputs).map((m) => [m.rule, m.layer]),
      [['local-blobs', 3]],
    );
    assert.match(result.stdout, /::error::.*local-blobs: local layer 3 \(.*layer\.tar\) hashes to sha256:[0-9a-f]{64}, not the diff_id sha256:[0-9a-f]{64} in the local config: the layer was replaced or damaged/);
    // The layer table marks the replaced layer, not only the rule.
    const layerTable = /<summary>✗ linux\/\w+: 3 layers<\/summary>(<table>.*?<\/table>)/.exec(result.summary)?.[1] ?? '';
    const rows = layerTable.split('<tr>').slice(2).filter((row) => !row.includes('<strong>'));
    assert.equal(rows.length, 3);
    assert.deepEqual(
      rows.map((row) => (row.includes('✗') ? '✗' : '✓')),
      ['✓', '✓', '✗'],
    );
    const cli = await runCli([appRef, '--local', `docker-archive:${tampered}`]);
    assert.equal(cli.code, 1);
  });

  it('verifies an OCI layout byte for byte after pushing it, and recompression on push as the same content', async () => {
    const same = `${registry.host}/${repo}:oci`;
    await skopeo(['copy', '-q', '--dest-tls-verify=false', `oci:${ociDir}:v1`, `docker://${same}`]);
    const result = await runAction({ image: same, 'local-image': `oci-layout:${ociDir}:v1` });
    assert.equal(result.code, 0, result.stdout);
    const checks = reportOf(result).checks;
    assert.match(checks.find((c) => c.rule === 'manifest-digest')?.message ?? '', /the registry serves the local manifest sha256:[0-9a-f]{64} byte for byte/);
    assert.match(checks.find((c) => c.rule === 'local-blobs')?.message ?? '', /all 3 local layer blobs were hashed: each matches its manifest digest and size/);

    // A fresh registry: skopeo would otherwise reuse (or mount) the gzip blobs it knows are there.
    const fresh = await startRegistry();
    cleanups.push(() => fresh.stop());
    const zstd = `${fresh.host}/${repo}:zstd`;
    await skopeo(['copy', '-q', '--dest-tls-verify=false', '--dest-compress', '--dest-compress-format', 'zstd', `oci:${ociDir}:v1`, `docker://${zstd}`]);
    const recompressed = await runAction({ image: zstd, 'local-image': `oci-layout:${ociDir}:v1` });
    assert.equal(recompressed.code, 0, recompressed.stdout);
    const byRule = new Map(reportOf(recompressed).checks.map((c) => [c.rule, c]));
    assert.equal(
      byRule.get('layer-digests')?.message,
      'all 3 layers were recompressed on push (registry zstd, local gzip): the compressed digests differ but the uncompressed content is identical (the diff_ids match)',
    );
    assert.match(byRule.get('manifest-digest')?.message ?? '', /is not the local .* but the config and every uncompressed layer are identical: 3 layers were compressed differently on push/);
  });

  it('verifies a local OCI layout with zstd layers on every runtime: each local layer decompressed to its diff_id, deep as well', async () => {
    // The local side reads zstd with deep verification's decoders: node:zlib on Node 24, `zstd -dc`
    // on Node 20, where a local zstd layer used to be skipped ("needs Node 22.15").
    const zstdDir = join(work, 'oci-zstd');
    await skopeo(['copy', '-q', '--dest-compress', '--dest-compress-format', 'zstd', `oci:${ociDir}:v1`, `oci:${zstdDir}:v1`]);
    const index = JSON.parse(await readFile(join(zstdDir, 'index.json'), 'utf8')) as { manifests: Desc[] };
    const manifest = JSON.parse(await readFile(join(zstdDir, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: Desc[] };
    assert.deepEqual(
      manifest.layers.map((l) => l.mediaType),
      manifest.layers.map(() => 'application/vnd.oci.image.layer.v1.tar+zstd'),
    );
    const fresh = await startRegistry();
    cleanups.push(() => fresh.stop());
    const pushed = `${fresh.host}/${repo}:zstd-local`;
    await pushLayout(fresh.host, repo, zstdDir, index.manifests[0]!, 'zstd-local');
    const result = await runAction({ image: pushed, 'local-image': `oci-layout:${zstdDir}:v1`, deep: 'true' });
    assert.equal(result.code, 0, result.stdout);
    const byRule = new Map(reportOf(result).checks.map((c) => [c.rule, c]));
    assert.match(byRule.get('manifest-digest')?.message ?? '', /the registry serves the local manifest sha256:[0-9a-f]{64} byte for byte/);
    assert.match(byRule.get('local-blobs')?.message ?? '', /all 3 local layer blobs were hashed: each matches its manifest digest and size/);
    assert.doesNotMatch(byRule.get('local-blobs')?.message ?? '', /not checked|not computed|zstd decoder|Node/);
    assert.equal(byRule.get('layer-blobs')?.ok, true);
    assert.match(byRule.get('layer-blobs')?.message ?? '', /^3 of 3 layers' bytes match their digests, sizes and diff_ids/);
  });

  it('verifies an oci-archive copied from the registry in OCI format, and reports a config that skopeo converted', async () => {
    const ociFormat = `${registry.host}/${repo}:ocifmt`;
    await skopeo(['copy', '-q', '--dest-tls-verify=false', '--format', 'oci', `docker-daemon:${appRef}`, `docker://${ociFormat}`]);
    const archive = join(work, 'pulled.tar');
    await skopeo(['copy', '-q', '--src-tls-verify=false', `docker://${ociFormat}`, `oci-archive:${archive}:v1`]);
    const ok = await runAction({ image: ociFormat, 'local-image': `oci-archive:${archive}` });
    assert.equal(ok.code, 0, ok.stdout);
    assert.ok(reportOf(ok).checks.some((c) => c.rule === 'manifest-digest' && /byte for byte/.test(c.message)));

    // Docker's own push keeps Docker's config; skopeo's copy to OCI rewrote it: same layers, different config.
    const converted = join(work, 'converted.tar');
    await skopeo(['copy', '-q', '--src-tls-verify=false', `docker://${appRef}`, `oci-archive:${converted}:v1`]);
    const result = await runAction({ image: appRef, 'local-image': `oci-archive:${converted}:v1` });
    assert.equal(result.code, 1);
    assert.deepEqual(
      mismatches(result.outputs).map((m) => m.rule),
      ['image-id', 'manifest-digest'],
    );
    const checks = reportOf(result).checks;
    assert.match(checks.find((c) => c.rule === 'image-id')?.message ?? '', /the configs differ in .*container_config.*docker_version/);
    assert.equal(checks.find((c) => c.rule === 'layer-digests')?.message, 'all 3 compressed layer digests equal the local blobs\'');
  });

  describe('a two-platform layout pushed as an index', () => {
    let multiDir: string;
    let index: Desc;
    let amd64: Desc;
    let arm64: Desc;
    let attestation: Desc;
    let multiRef: string;

    /** Copies the skopeo layout's amd64 image into `dir` and adds an arm64 image with the same layers. */
    async function assemble(dir: string): Promise<{ writer: LayoutWriter; amd64: Desc; arm64: Desc }> {
      await cp(ociDir, dir, { recursive: true });
      const writer = new LayoutWriter(dir);
      const top = (JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Desc[] }).manifests[0]!;
      const manifest = JSON.parse((await writer.read(top.digest)).toString()) as { config: Desc; layers: Desc[] };
      const config = JSON.parse((await writer.read(manifest.config.digest)).toString()) as Record<string, unknown>;
      const armConfig = await writer.blob(JSON.stringify({ ...config, architecture: 'arm64' }), OCI_CONFIG);
      const armManifest = await writer.blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: armConfig, layers: manifest.layers }), OCI_MANIFEST);
      return { writer, amd64: withPlatform({ mediaType: OCI_MANIFEST, digest: top.digest, size: top.size }, 'amd64'), arm64: withPlatform(armManifest, 'arm64') };
    }

    before(async () => {
      multiDir = join(work, 'multi');
      const built = await assemble(multiDir);
      amd64 = built.amd64;
      arm64 = built.arm64;
      attestation = await built.writer.attestation(amd64, 'https://slsa.dev/provenance/v0.2');
      index = await built.writer.index([amd64, arm64, attestation]);
      await built.writer.finish([named(index, 'v1')]);
      multiRef = `${registry.host}/${repo}:multi`;
      await pushLayout(registry.host, repo, multiDir, index, 'multi');
    });

    it('verifies every platform with platform: all, attestations matched on both sides', async () => {
      const result = await runAction({ image: multiRef, 'local-image': `oci-layout:${multiDir}:v1`, platform: 'all', digest: index.digest });
      assert.equal(result.code, 0, result.stdout);
      assert.equal(result.outputs.digest, index.digest, 'several platforms: digest is the index');
      assert.equal(result.outputs['index-digest'], index.digest);
      const platforms = JSON.parse(result.outputs.platforms ?? '[]') as { platform: string; verified: boolean; digest: string; attestation?: string }[];
      assert.deepEqual(
        platforms.map((p) => [p.platform, p.verified, p.digest, p.attestation]),
        [
          ['linux/amd64', true, amd64.digest, 'same'],
          ['linux/arm64', true, arm64.digest, undefined],
        ],
      );
      const report = reportOf(result);
      assert.ok(report.checks.some((c) => c.rule === 'index-digest' && c.ok && /byte for byte/.test(c.message)));
      assert.ok(report.checks.filter((c) => c.rule === 'manifest-digest').every((c) => c.ok && c.platform));
      // The summary: an overview table on top and one collapsible layer table per platform.
      assert.match(result.summary, /<th>Platform<\/th><th>Registry manifest<\/th>/);
      assert.equal((result.summary.match(/<details>/g) ?? []).length + (result.summary.match(/<details /g) ?? []).length, 6, 'two platforms and their full digests + the base how-to (no base known) + what was checked');
      assert.equal((result.summary.match(/<summary><sub>Base: unknown — how to enable<\/sub><\/summary>/g) ?? []).length, 1, 'one base line for the tag, none per platform');
      assert.match(result.summary, /<summary>✓ linux\/arm64: 3 layers<\/summary>/);
      assert.match(result.summary, /same \(sha256:/);
      assert.match(result.stdout, /verified: .*:multi: all 2 platforms match the local build/);
    });

    it('fails platform: all when the index also lists an image without a platform, which a runtime may pull', async () => {
      const pushedIndex = JSON.parse(await readFile(join(multiDir, 'blobs', 'sha256', index.digest.slice('sha256:'.length)), 'utf8')) as {
        manifests: Desc[];
      };
      const platformless: Desc = { mediaType: arm64.mediaType, digest: arm64.digest, size: arm64.size };
      const withExtra = { ...pushedIndex, manifests: [...pushedIndex.manifests, platformless] };
      const res = await fetch(`http://${registry.host}/v2/${repo}/manifests/extra`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
        body: JSON.stringify(withExtra),
      });
      assert.equal(res.status, 201, await res.text());
      const result = await runAction({ image: `${registry.host}/${repo}:extra`, 'local-image': `oci-layout:${multiDir}:v1`, platform: 'all' });
      assert.equal(result.code, 1, result.stdout);
      const failed = reportOf(result).checks.filter((c) => !c.ok);
      assert.deepEqual(failed.map((c) => c.rule), ['platforms']);
      assert.match(failed[0]?.message ?? '', new RegExp(`lists ${arm64.digest} \\(.*, no platform\\) which is neither a platform image nor an attestation`));
    });

    it('deep-verifies the layers of every platform in a multi-platform run', async () => {
      const result = await runAction({ image: multiRef, 'local-image': `oci-layout:${multiDir}:v1`, platform: 'all', deep: 'true' });
      assert.equal(result.code, 0, result.stdout);
      assert.equal(result.outputs['deep-verified'], 'true');
      const report = result.report as { images: { platforms?: { deep?: { verified: boolean; layers: { status: string }[] } }[] }[] };
      const deeps = (report.images[0]?.platforms ?? []).map((p) => p.deep);
      assert.equal(deeps.length, 2);
      for (const deep of deeps) {
        assert.equal(deep?.verified, true);
        assert.ok((deep?.layers.length ?? 0) > 0 && deep?.layers.every((l) => l.status === 'verified'), JSON.stringify(deep?.layers));
      }
      assert.ok(Number(result.outputs['bytes-verified']) > 0);
    });

    it('verifies every platform by default when the local build is an index, one platform when asked, a list from the CLI', async () => {
      const byDefault = await runAction({ image: multiRef, 'local-image': `oci-layout:${multiDir}:v1` });
      assert.equal(byDefault.code, 0, byDefault.stdout);
      assert.equal(reportOf(byDefault).platforms?.length, 2);

      const arm = await runAction({ image: multiRef, 'local-image': `oci-layout:${multiDir}:v1`, platform: 'linux/arm64' });
      assert.equal(arm.code, 0, arm.stdout);
      assert.equal(arm.outputs.digest, arm64.digest);
      assert.equal(arm.outputs['index-digest'], index.digest);

      const cli = await runCli([multiRef, '--local', `oci-layout:${multiDir}:v1`, '--platform', 'linux/amd64,linux/arm64']);
      assert.equal(cli.code, 0, cli.stdout + cli.stderr);
      assert.match(cli.stdout, /\nVERIFIED {2}[^\n]+\n$/, 'the verdict is the last line');
      assert.match(cli.stdout, /linux\/arm64 +✓/);
    });

    it('reports a platform the local layout lacks, and one the registry lacks', async () => {
      const oneDir = join(work, 'one-platform');
      const built = await assemble(oneDir);
      const att = await built.writer.attestation(built.amd64, 'https://slsa.dev/provenance/v0.2');
      const oneIndex = await built.writer.index([built.amd64, att]);
      await built.writer.finish([named(oneIndex, 'v1')]);

      const missingLocally = await runAction({ image: multiRef, 'local-image': `oci-layout:${oneDir}:v1`, platform: 'all' });
      assert.equal(missingLocally.code, 1);
      const failed = mismatches(missingLocally.outputs);
      assert.deepEqual(
        failed.map((m) => [m.rule, m.platform]),
        [
          ['index-digest', undefined],
          ['platforms', 'linux/arm64'],
        ],
      );
      assert.match(failed[1]?.message ?? '', /linux\/arm64 is in .*:multi \(sha256:[0-9a-f]{64}\) but not in the local build/);
      assert.match(missingLocally.summary, /registry only/);

      await pushLayout(registry.host, repo, oneDir, oneIndex, 'amd64-only');
      const notPushed = await runAction({ image: `${registry.host}/${repo}:amd64-only`, 'local-image': `oci-layout:${multiDir}:v1` });
      assert.equal(notPushed.code, 1);
      assert.match(
        mismatches(notPushed.outputs).find((m) => m.rule === 'platforms')?.message ?? '',
        /linux\/arm64 is in the local build \(sha256:[0-9a-f]{64}\) but not in .*:amd64-only: it was not pushed/,
      );
    });

    it('reports a different attestation without failing: attestations are not required', async () => {
      const other = new LayoutWriter(multiDir);
      const otherAttestation = await other.attestation(amd64, 'https://spdx.dev/Document');
      const otherIndex = await other.index([amd64, arm64, otherAttestation]);
      await pushLayout(registry.host, repo, multiDir, otherIndex, 'other-attestation');
      const result = await runAction({ image: `${registry.host}/${repo}:other-attestation`, 'local-image': `oci-layout:${multiDir}:v1` });
      assert.equal(result.code, 0, result.stdout);
      const report = reportOf(result);
      assert.equal(report.platforms?.[0]?.attestation?.status, 'differs');
      assert.match(report.checks.find((c) => c.rule === 'index-digest')?.message ?? '', /is not the local .* but every platform image matches; 1 attestation\(s\) differ/);
      assert.match(result.summary, /differs \(registry sha256:/);
    });
  });
});
