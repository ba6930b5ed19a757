// Base and drift on a multi-platform image end to end: a two-platform base and an app built on
// it (amd64 and arm64, assembled as OCI layouts and pushed byte for byte through the registry
// API to the real CNCF registry), verified by the bundled action with platform: all. Every
// platform goes through the base stage: before the base tag moves the drift gate passes with
// base-drift=false, after it moves it fails with base-drift=true and names the platforms. A deep
// run says in its compared list that the blobs were proved.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { uniqueName } from '../helpers/docker.js';
import { LayoutWriter, named, pushLayout, sha256, tarOf, withPlatform, type BuiltImage, type Desc } from '../helpers/oci.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const ARCHES = ['amd64', 'arm64'] as const;

interface BaseJson {
  status: string;
  drift: string;
  reference?: string;
  message: string;
  layers?: number;
  builtOn?: { digest?: string };
  current?: { digest?: string };
}
interface PlatformJson {
  platform: string;
  status: string;
  layers: { index: number; origin?: string }[];
  base?: BaseJson;
}
interface ImageJson {
  status: string;
  error?: string;
  compared: string[];
  base?: BaseJson;
  platforms?: PlatformJson[];
}

function imageOf(result: ActionRun): ImageJson {
  const images = (result.report as { images: ImageJson[] } | undefined)?.images;
  assert.equal(images?.length, 1, `one image in the report; stdout:\n${result.stdout}`);
  return images[0] as ImageJson;
}

function configOf(layers: Buffer[], architecture: string, labels: Record<string, string> = {}): BuiltImage {
  const diffIds = layers.map((l) => sha256(l));
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os: 'linux',
      config: { Env: ['PATH=/bin'], Labels: labels },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((_, i) => ({ created_by: `COPY layer${i + 1} /` })),
    }),
  );
  return { config, configDigest: sha256(config), layers, diffIds };
}

/** A two-platform image in its own layout directory, pushed under repo:tag; returns the index. */
async function pushIndex(host: string, repo: string, dir: string, tag: string, images: Record<(typeof ARCHES)[number], BuiltImage>): Promise<Desc> {
  const writer = new LayoutWriter(dir);
  const entries: Desc[] = [];
  for (const arch of ARCHES) entries.push(withPlatform((await writer.image(images[arch])).manifest, arch));
  const index = await writer.index(entries);
  await writer.finish([named(index, tag)]);
  await pushLayout(host, repo, dir, index, tag);
  return index;
}

describe('base and drift on every platform of a multi-platform image', () => {
  let registry: TestRegistry;
  let work: string;
  let baseV1: Desc;
  let appDir: string;
  let image: string;
  const baseRepo = uniqueName('mb-base');
  const appRepo = uniqueName('mb-app');

  before(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'vi-multi-base-'));
    const baseLayers = { amd64: await tarOf({ 'etc/base': 'base v1 amd64\n' }), arm64: await tarOf({ 'etc/base': 'base v1 arm64\n' }) };
    baseV1 = await pushIndex(registry.host, baseRepo, join(work, 'base-v1'), '1', {
      amd64: configOf([baseLayers.amd64], 'amd64'),
      arm64: configOf([baseLayers.arm64], 'arm64'),
    });
    // The app's own build, labelled with the base it was built on (as BuildKit's base labels would be).
    const labels = { 'org.opencontainers.image.base.name': `${registry.host}/${baseRepo}:1`, 'org.opencontainers.image.base.digest': baseV1.digest };
    const app = async (arch: (typeof ARCHES)[number]) => configOf([baseLayers[arch], await tarOf({ 'app/run': `app ${arch}\n` })], arch, labels);
    appDir = join(work, 'app');
    await pushIndex(registry.host, appRepo, appDir, '1', { amd64: await app('amd64'), arm64: await app('arm64') });
    image = `${registry.host}/${appRepo}:1`;
  });

  after(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const verify = (extra: Record<string, string> = {}) =>
    runAction({ image, 'local-image': `oci-layout:${appDir}:1`, platform: 'all', 'fail-on': 'mismatch,drift', ...extra });

  it('checks the base of every platform: up to date, drift false, layers attributed', async () => {
    const result = await verify();
    assert.equal(result.code, 0, result.stdout);
    assert.equal(result.outputs['verified'], 'true');
    assert.equal(result.outputs['base-drift'], 'false');
    assert.equal(result.outputs['base-image'], `${registry.host}/${baseRepo}:1@${baseV1.digest}`);
    assert.equal(result.outputs['base-digest'], baseV1.digest);
    assert.equal(result.outputs['base-current-digest'], baseV1.digest);
    assert.equal(result.outputs['base-layers'], '1');
    const report = imageOf(result);
    assert.equal(report.base?.status, 'up-to-date');
    assert.deepEqual(
      report.platforms?.map((p) => [p.platform, p.base?.status, p.base?.drift, p.layers.map((l) => l.origin)]),
      [
        ['linux/amd64', 'up-to-date', 'false', ['base', 'image']],
        ['linux/arm64', 'up-to-date', 'false', ['base', 'image']],
      ],
    );
    assert.match(result.summary, /Base image, linux\/amd64: ✅ up to date/);
    assert.match(result.summary, /Base image, linux\/arm64: ✅ up to date/);
    assert.match(result.summary, /<th>Origin<\/th>/, 'each platform layer table shows the origin');
    assert.ok(report.compared.some((c) => /layer blobs in the registry were not downloaded/.test(c)), 'without deep, the compared list says so');
  });

  it('says the blobs were proved when deep ran on every platform', async () => {
    const result = await verify({ deep: 'true' });
    assert.equal(result.code, 0, result.stdout);
    assert.equal(result.outputs['deep-verified'], 'true');
    const compared = imageOf(result).compared;
    assert.ok(compared.some((c) => /^every layer blob of 2 platform image\(s\) downloaded and hashed/.test(c)), compared.join('\n'));
    assert.ok(!compared.some((c) => /not downloaded/.test(c)), compared.join('\n'));
    assert.match(result.summary, /every layer blob of 2 platform image\(s\) downloaded and hashed/);
  });

  it('fails fail-on: drift once the base tag moves, naming the platforms', async () => {
    const moved = await pushIndex(registry.host, baseRepo, join(work, 'base-v2'), '1', {
      amd64: configOf([await tarOf({ 'etc/base': 'base v2 amd64\n' })], 'amd64'),
      arm64: configOf([await tarOf({ 'etc/base': 'base v2 arm64\n' })], 'arm64'),
    });
    const result = await verify();
    assert.equal(result.code, 1, result.stdout);
    assert.equal(result.outputs['verified'], 'true', 'the image still matches its build');
    assert.equal(result.outputs['base-drift'], 'true');
    assert.equal(result.outputs['base-digest'], baseV1.digest);
    assert.equal(result.outputs['base-current-digest'], moved.digest);
    assert.match(result.stdout, /::error::.*is built on an outdated base: the base drifted for 2 of 2 platforms \(linux\/amd64, linux\/arm64\)/);
    const report = imageOf(result);
    assert.equal(report.base?.status, 'drifted');
    assert.deepEqual(
      report.platforms?.map((p) => [p.platform, p.base?.status, p.base?.current?.digest]),
      [
        ['linux/amd64', 'drifted', moved.digest],
        ['linux/arm64', 'drifted', moved.digest],
      ],
    );
    assert.match(result.summary, /Base image: 🔄 drifted/);
    assert.match(result.summary, /Base image, linux\/arm64: 🔄 drifted/);

    // Without drift in fail-on, the same run warns and passes.
    const warned = await verify({ 'fail-on': 'mismatch' });
    assert.equal(warned.code, 0, warned.stdout);
    assert.equal(warned.outputs['base-drift'], 'true');
    assert.match(warned.stdout, /::warning::.*outdated base.*not failing: add drift to fail-on/);
  });
});
