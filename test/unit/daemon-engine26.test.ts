// The daemon source against Docker 26 (containerd image store, Engine API 1.45, no `manifests=1`)
// and against podman's Docker-compatible API, played by a small Engine API server on a unix socket
// that answers with responses recorded from the real daemons (test/fixtures/engine-26,
// test/fixtures/engine-podman; their READMEs say how). The e2e test containerd-store.test.ts runs
// the same paths against the live daemons.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Parser, type ReadEntry } from 'tar';
import { VerifyImageError } from '../../src/errors.js';
import { DaemonSource, taggedName } from '../../src/local/daemon.js';
import { DockerEngine } from '../../src/local/engine.js';
import { imagesOf, type LocalTarget, type PushedTop } from '../../src/local/source.js';
import type { ImageIndex } from '../../src/oci/types.js';
import { repoRoot } from '../helpers/action.js';
import { makeTar, type TarEntry } from '../helpers/registry-api.js';

const fixtureDir = (engine: string) => join(repoRoot(), 'test', 'fixtures', engine);
const bytesOf = (engine: string, name: string) => readFileSync(join(fixtureDir(engine), name));
const json = (engine: string, name: string) => JSON.parse(bytesOf(engine, name).toString('utf8')) as Record<string, unknown>;
const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const NAME = '127.0.0.1:5977/acme/app:1';
const INDEX = 'sha256:5bef13e6bb5019ba0dc7aa427e86c8d90fd98fc5a78885ce07707de1e2eee42a';
const AMD64 = 'sha256:f7b7e2d7717adae25e0ff90024f2c47a298c2327a5a101069ea3a0778af3d19d';
const ARM64 = 'sha256:408504b7d3b2a3725ae672549ee5da47ab7303d636f2c8db95cdce51c7a5cbc3';
const REGISTRY_INDEX = bytesOf('engine-26', 'registry-index.json');

const POD = '127.0.0.1:5977/e2/pod:1';
const POD_PUSHED = 'sha256:5e289bc4d8d34fa5c515e9f56631059bc9b798f3d66b67e85d0a2b0d7d37e42b';

interface Engine {
  kind: 'docker26' | 'podman';
  /** The image inspect body (Docker 26); rewritten by tests that play another image. */
  image: Record<string, unknown>;
  exportTar: Buffer;
  requests: string[];
}

let dir: string;
let server: Server;
let socket: string;
const engine: Engine = { kind: 'docker26', image: {}, exportTar: Buffer.alloc(0), requests: [] };

function answer(url: URL): { status: number; body: Buffer | object } {
  const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
  const fixtures = engine.kind === 'docker26' ? 'engine-26' : 'engine-podman';
  if (path === '/version') return { status: 200, body: json(fixtures, 'version.json') };
  if (path === '/info') return { status: 200, body: json(fixtures, 'info.json') };
  const match = /^\/images\/(.+)\/(json|get)$/.exec(path);
  if (!match) return { status: 404, body: { message: 'page not found' } };
  const name = decodeURIComponent(match[1] ?? '');
  if (engine.kind === 'podman') {
    if (name === POD && match[2] === 'json') return { status: 200, body: json('engine-podman', 'image.json') };
    return { status: 404, body: json('engine-podman', 'image-with-digest-404.json') };
  }
  if (name !== NAME) return { status: 404, body: { message: `No such image: ${name}` } };
  // API 1.45 ignores manifests= and platform=, as the recorded daemon did.
  return match[2] === 'get' ? { status: 200, body: engine.exportTar } : { status: 200, body: engine.image };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vi-engine26-'));
  socket = join(dir, 'docker.sock');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    engine.requests.push(`${url.pathname}${url.search}`);
    const { status, body } = answer(url);
    const raw = Buffer.isBuffer(body);
    res.writeHead(status, { 'content-type': raw ? 'application/x-tar' : 'application/json' });
    res.end(raw ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function play(kind: Engine['kind'], changes: { image?: Record<string, unknown>; exportTar?: Buffer } = {}): void {
  engine.kind = kind;
  engine.image = changes.image ?? json('engine-26', 'image.json');
  engine.exportTar = changes.exportTar ?? bytesOf('engine-26', 'export.tar');
  engine.requests = [];
}

function source(name = NAME): DaemonSource {
  return new DaemonSource(name, DockerEngine.fromEnv({ DOCKER_HOST: `unix://${socket}` }));
}

function pushedIndex(bytes: Buffer = REGISTRY_INDEX): () => Promise<PushedTop> {
  return async () => ({ reference: NAME, digest: sha256(bytes), mediaType: 'application/vnd.oci.image.index.v1+json', index: JSON.parse(bytes.toString('utf8')) as ImageIndex });
}

async function loadAndComplete(s: DaemonSource, pushed: () => Promise<PushedTop>): Promise<LocalTarget> {
  try {
    const loaded = await s.load({});
    return s.complete ? await s.complete(loaded, pushed) : loaded;
  } finally {
    await s.close();
  }
}

/** The recorded export with some members left out, re-packed. */
async function exportWithout(...digests: string[]): Promise<Buffer> {
  const entries: TarEntry[] = [];
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      const item: TarEntry = { path: entry.path, type: entry.type === 'Directory' ? 'dir' : 'file' };
      entries.push(item);
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => (item.content = Buffer.concat(chunks)));
    },
  });
  await new Promise<void>((resolve) => {
    parser.on('end', () => resolve());
    parser.end(bytesOf('engine-26', 'export.tar'));
  });
  const gone = new Set(digests.map((d) => `blobs/sha256/${d.slice('sha256:'.length)}`));
  return makeTar(entries.filter((e) => !gone.has(e.path)));
}

describe('Docker 26, containerd image store, API 1.45', () => {
  test('the recorded index hashes to the recorded image ID', () => {
    assert.equal(sha256(REGISTRY_INDEX), INDEX);
    assert.equal(json('engine-26', 'image.json').Id, INDEX);
  });

  test('load alone: one image whose ID is the index digest, as inspect shows it', async () => {
    play('docker26');
    const s = source();
    const target = await s.load({});
    await s.close();
    assert.equal(target.kind, 'image');
    assert.equal(imagesOf(target)[0]?.id, INDEX);
    assert.ok(!engine.requests.some((r) => r.endsWith('/get')), 'nothing exported before the registry is asked');
  });

  test('ID = the pushed index: every platform from the export, with its manifest, config and layers', async () => {
    play('docker26');
    const s = source();
    const target = await loadAndComplete(s, pushedIndex());
    assert.equal(target.kind, 'index');
    if (target.kind !== 'index') return;
    assert.equal(target.index.digest, INDEX);
    assert.match(target.index.source, /API 1\.45: platforms read from the image export, .* streamed; its ID is the pushed index/);
    assert.deepEqual(
      target.index.images.map((i) => [`${i.platform.os}/${i.platform.architecture}`, i.manifestDigest, i.diffIds.length, i.diffIdsUnknown ?? false, i.layers?.length]),
      [
        ['linux/amd64', AMD64, 1, false, 1],
        ['linux/arm64', ARM64, 1, false, 1],
      ],
    );
    assert.deepEqual(
      target.index.attestations.map((a) => a.subject),
      [AMD64, ARM64],
    );
    assert.deepEqual(
      engine.requests.filter((r) => r.includes('/images/')).map((r) => r.replace(/^\/v1\.45/, '')),
      [`/images/${NAME}/json`, `/images/${NAME}/get`],
    );
    // The export's layer blobs were hashed on the way: measure() fills them in without another read.
    const [amd64] = target.index.images;
    await s.measure(amd64!);
    assert.equal(amd64?.layers?.[0]?.measured?.diffId, amd64?.diffIds[0]);
  });

  test('a platform whose content is not in the store is listed by its digest and says so', async () => {
    play('docker26', { exportTar: await exportWithout(ARM64) });
    const target = await loadAndComplete(source(), pushedIndex());
    assert.equal(target.kind, 'index');
    const arm64 = imagesOf(target).find((i) => i.platform.architecture === 'arm64');
    assert.equal(arm64?.manifestDigest, ARM64);
    assert.equal(arm64?.diffIdsUnknown, true);
    assert.match(arm64?.source ?? '', /linux\/arm64 manifest is not in it, only its digest/);
    assert.equal(imagesOf(target).find((i) => i.platform.architecture === 'amd64')?.diffIdsUnknown, undefined);
  });

  test('ID ≠ what the tag serves: the local index still comes from the export, with its own digest', async () => {
    play('docker26');
    const other = Buffer.from(REGISTRY_INDEX.toString('utf8').replace(AMD64, `sha256:${'e'.repeat(64)}`));
    const target = await loadAndComplete(source(), pushedIndex(other));
    assert.equal(target.kind, 'index');
    if (target.kind !== 'index') return;
    assert.equal(target.index.digest, INDEX);
    assert.doesNotMatch(target.index.source, /pushed index/);
  });

  test('ID = a one-platform pushed index: proved by its digest, no export', async () => {
    const index = JSON.parse(REGISTRY_INDEX.toString('utf8')) as ImageIndex;
    const onePlatform = Buffer.from(JSON.stringify({ ...index, manifests: [index.manifests[0], index.manifests[2]] }));
    play('docker26', { image: { ...json('engine-26', 'image.json'), Id: sha256(onePlatform) } });
    const target = await loadAndComplete(source(), pushedIndex(onePlatform));
    assert.equal(target.kind, 'image');
    const [image] = imagesOf(target);
    assert.equal(image?.id, sha256(onePlatform));
    assert.equal(image?.manifestDigest, AMD64);
    assert.equal(image?.diffIds.length, 1);
    assert.ok(!engine.requests.some((r) => r.endsWith('/get')), 'no export needed');
  });

  test('ID = a pushed single manifest: that manifest, no export', async () => {
    play('docker26', { image: { ...json('engine-26', 'image.json'), Id: AMD64 } });
    const s = source();
    const loaded = await s.load({});
    const target = await s.complete!(loaded, async () => ({ reference: NAME, digest: AMD64, mediaType: 'application/vnd.oci.image.manifest.v1+json' }));
    await s.close();
    assert.equal(imagesOf(target)[0]?.manifestDigest, AMD64);
    assert.ok(!engine.requests.some((r) => r.endsWith('/get')));
  });

  test('an export of another image than the one inspected is refused (the tag moved meanwhile)', async () => {
    play('docker26', { image: { ...json('engine-26', 'image.json'), Id: `sha256:${'a'.repeat(64)}` } });
    await assert.rejects(loadAndComplete(source(), pushedIndex()), (err: unknown) => {
      assert.ok(err instanceof VerifyImageError);
      assert.match(err.message, /exported sha256:5bef13e6.* but its image ID is sha256:aaaa.*the tag moved while it was read; run again/);
      return true;
    });
  });

  // A cut inside a header, inside a body, at a block boundary, and just before the end-of-archive blocks.
  for (const cut of [3000, 2600, 2560, 20992]) {
    test(`an export cut after ${cut} bytes is a one-line error, not a pass`, async () => {
      play('docker26', { exportTar: bytesOf('engine-26', 'export.tar').subarray(0, cut) });
      await assert.rejects(loadAndComplete(source(), pushedIndex()), (err: unknown) => {
        assert.ok(err instanceof VerifyImageError);
        assert.match(err.message, /^the Docker image export of 127\.0\.0\.1:5977\/acme\/app:1 .*the daemon stopped sending it; try again$/);
        return true;
      });
    });
  }
});

describe("podman's Docker-compatible API", () => {
  test('name:tag@digest that podman does not know falls back to name:tag, and says so', async () => {
    play('podman');
    const s = source(`${POD}@${POD_PUSHED}`);
    const loaded = await s.load({});
    // Not a containerd store: load() knew everything, and the registry is not asked.
    const target = await s.complete!(loaded, () => Promise.reject(new Error('asked the registry')));
    await s.close();
    assert.equal(target, loaded);
    const [image] = imagesOf(target);
    assert.equal(image?.foundAs, POD);
    assert.equal(image?.idKind, 'config');
    assert.match(image?.source ?? '', /found as 127\.0\.0\.1:5977\/e2\/pod:1, as no image is named 127\.0\.0\.1:5977\/e2\/pod:1@sha256:5e289bc4/);
    assert.deepEqual(
      engine.requests.filter((r) => r.includes('/images/')).map((r) => decodeURIComponent(r.replace(/^\/v1\.41/, ''))),
      // Then the history of the image found, by its ID (it names each local layer's instruction in a mismatch).
      [`/images/${POD}@${POD_PUSHED}/json`, `/images/${POD}/json`, `/images/${image?.id ?? ''}/history`],
    );
  });

  test('name@digest without a tag has nothing to fall back to: not found', async () => {
    play('podman');
    const s = source(`127.0.0.1:5977/e2/pod@${POD_PUSHED}`);
    await assert.rejects(s.load({}), (err: unknown) => err instanceof VerifyImageError && err.code === 'not-found');
    await s.close();
  });

  const names: [string, string | undefined][] = [
    [`${POD}@${POD_PUSHED}`, POD],
    [`localhost:5000/app@${POD_PUSHED}`, undefined],
    [`app:1@${POD_PUSHED}`, 'app:1'],
    ['app:1', undefined],
    [`registry:5000/team/app:v1.2@${POD_PUSHED}`, 'registry:5000/team/app:v1.2'],
  ];
  for (const [name, tagged] of names) {
    test(`taggedName(${name.replace(POD_PUSHED, 'sha256:…')}) = ${tagged}`, () => assert.equal(taggedName(name), tagged));
  }
});
