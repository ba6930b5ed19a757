// The daemon source against a containerd-image-store daemon, played by a tiny Engine API server on
// a unix socket answering recorded responses (test/fixtures/engine-containerd). The real daemon
// here uses the classic store; this is a test of the logic that reads the responses.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonSource } from '../../src/local/daemon.js';
import { DockerEngine } from '../../src/local/engine.js';
import { pickLocalImage } from '../../src/local/pick.js';
import { imagesOf } from '../../src/local/source.js';
import type { RemoteImage } from '../../src/model/image.js';
import { compareImage } from '../../src/verify/rules.js';
import { repoRoot } from '../helpers/action.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(repoRoot(), 'test', 'fixtures', 'engine-containerd', name), 'utf8')) as Record<string, unknown>;

const AMD64 = 'sha256:77cd300ffdf16f18318d6059f680f509a8b4572bfd4bfff182497390575a108e';
const ARM64 = 'sha256:fa30a4448bf43e08976add9c5977940c874718b2b519827baa75d412e86886e3';
const INDEX = 'sha256:1bc04b5291c26a46d918139138b992d2de976d6851d0893b0476b85bfbdfc6e6';

interface FakeDaemon {
  api: string;
  classic: boolean;
  requests: string[];
}

let dir: string;
let server: Server;
let socket: string;
const daemon: FakeDaemon = { api: '1.52', classic: false, requests: [] };

/** Answers like the Engine: versioned paths, 404 for unknown images, 400 for both manifests and platform. */
function answer(url: URL): { status: number; body: unknown } {
  const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
  if (path === '/version') return { status: 200, body: { ...fixture('version.json'), ApiVersion: daemon.api } };
  if (path === '/info') return { status: 200, body: fixture(daemon.classic ? 'info-classic.json' : 'info.json') };
  const image = /^\/images\/(.+)\/json$/.exec(path);
  if (!image) return { status: 404, body: { message: 'page not found' } };
  if (decodeURIComponent(image[1] ?? '') !== 'registry.example/acme/app:1.4.0') return { status: 404, body: { message: 'No such image' } };
  const manifests = url.searchParams.get('manifests');
  const platform = url.searchParams.get('platform');
  if (manifests && platform) return { status: 400, body: { message: 'conflicting options: manifests and platform options cannot both be set' } };
  const version = Number(daemon.api.split('.')[1]);
  // An older daemon ignores query parameters it does not know, as the real one does.
  if (platform && version >= 49) {
    const arch = (JSON.parse(platform) as { architecture: string }).architecture;
    return { status: 200, body: fixture(`image-platform-${arch}.json`) };
  }
  if (manifests === '1' && version >= 48) return { status: 200, body: fixture('image-manifests.json') };
  return { status: 200, body: fixture('image.json') };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-engine-'));
  socket = join(dir, 'docker.sock');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    daemon.requests.push(`${url.pathname}${url.search}`);
    const { status, body } = answer(url);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function source(): DaemonSource {
  daemon.requests = [];
  return new DaemonSource('registry.example/acme/app:1.4.0', DockerEngine.fromEnv({ DOCKER_HOST: `unix://${socket}` }));
}

describe('containerd image store', () => {
  test('API 1.52: the index, each platform with its diff_ids, attestations tied to their images', async () => {
    daemon.api = '1.52';
    const s = source();
    const target = await s.load({});
    await s.close();
    assert.equal(target.kind, 'index');
    if (target.kind !== 'index') return;
    assert.equal(target.index.digest, INDEX);
    assert.match(target.index.source, /containerd image store, API 1\.52, 2 platforms/);
    assert.deepEqual(
      target.index.images.map((i) => [i.platform.architecture, i.id, i.idKind, i.manifestDigest, i.diffIds.length, i.diffIdsUnknown ?? false]),
      [
        ['amd64', AMD64, 'manifest', AMD64, 2, false],
        ['arm64', ARM64, 'manifest', ARM64, 2, false],
      ],
    );
    assert.deepEqual(
      target.index.attestations.map((a) => a.subject),
      [AMD64, ARM64],
    );
    assert.ok(daemon.requests.some((r) => r.includes('manifests=1')), 'listed the manifests');
    assert.equal(daemon.requests.filter((r) => r.includes('platform=')).length, 2, 'asked once per platform');
  });

  test('API 1.48: manifests listed, diff_ids only for the platform the plain inspect describes', async () => {
    daemon.api = '1.48';
    const s = source();
    const images = imagesOf(await s.load({}));
    assert.deepEqual(
      images.map((i) => [i.platform.architecture, i.diffIds.length, i.diffIdsUnknown ?? false]),
      [
        ['amd64', 2, false],
        ['arm64', 0, true],
      ],
    );
    assert.ok(!daemon.requests.some((r) => r.includes('platform=')), 'platform= needs API 1.49');
  });

  test('API 1.47: one image whose ID is the index digest, as docker inspect shows it', async () => {
    daemon.api = '1.47';
    const s = source();
    const target = await s.load({});
    assert.equal(target.kind, 'image');
    const [image] = imagesOf(target);
    assert.equal(image?.id, INDEX);
    assert.equal(image?.idKind, 'manifest');
    assert.equal(image?.manifestDigest, undefined, 'an index is not an image manifest');
    assert.ok(!daemon.requests.some((r) => r.includes('manifests=')));
  });

  test('an explicit platform asks for exactly that platform (API 1.49+)', async () => {
    daemon.api = '1.49';
    const s = source();
    const [image] = imagesOf(await s.load({ platform: { os: 'linux', architecture: 'arm64' } }));
    assert.equal(image?.id, ARM64);
    assert.equal(image?.manifestDigest, ARM64);
    assert.deepEqual(image?.platform, { os: 'linux', architecture: 'arm64' });
  });

  test('API 1.48 with a platform asked for: the manifests listing, from which the run picks it', async () => {
    daemon.api = '1.48';
    const s = source();
    const target = await s.load({ platform: { os: 'linux', architecture: 'arm64' } });
    await s.close();
    assert.equal(target.kind, 'index', 'platform= needs API 1.49; the listing still names the arm64 manifest');
    const arm64 = pickLocalImage(target, { os: 'linux', architecture: 'arm64' });
    assert.equal(arm64.manifestDigest, ARM64);
    assert.equal(arm64.diffIdsUnknown, true);
    assert.ok(!daemon.requests.some((r) => r.includes('platform=')));
  });

  test('compared accordingly: the containerd Id matches the pushed platform manifest, not the config', async () => {
    daemon.api = '1.52';
    const [amd64] = imagesOf(await source().load({}));
    const remote: RemoteImage = {
      reference: 'registry.example/acme/app:1.4.0',
      indexDigest: INDEX,
      manifestDigest: AMD64,
      manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      manifest: { schemaVersion: 2, config: { mediaType: 'c', digest: 'sha256:' + 'c'.repeat(64), size: 1 }, layers: amd64!.diffIds.map((digest) => ({ mediaType: 'l', digest, size: 1 })) },
      configDigest: 'sha256:' + 'c'.repeat(64),
      config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: amd64!.diffIds } },
      platform: { os: 'linux', architecture: 'amd64' },
    };
    assert.deepEqual(
      compareImage(remote, amd64, undefined).map((c) => [c.rule, c.ok]),
      [
        ['layer-count', true],
        ['platform', true],
        ['diff-ids', true],
        ['image-id', true],
        ['manifest-digest', true],
      ],
    );
    const repushed = compareImage({ ...remote, manifestDigest: 'sha256:' + 'e'.repeat(64), indexDigest: 'sha256:' + 'f'.repeat(64) }, amd64, undefined);
    assert.deepEqual(
      repushed.filter((c) => !c.ok).map((c) => c.rule),
      ['image-id', 'manifest-digest'],
    );
  });

  test('the classic store is one image whose ID is the config digest', async () => {
    daemon.api = '1.41';
    daemon.classic = true;
    try {
      const [image] = imagesOf(await source().load({}));
      assert.equal(image?.idKind, 'config');
      assert.match(image?.source ?? '', /classic image store/);
    } finally {
      daemon.classic = false;
    }
  });
});
