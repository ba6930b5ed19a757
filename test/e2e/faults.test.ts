// Fault injection, end to end: a proxy in front of the real registry breaks requests the way
// registries and CDNs break on bad days (429, 5xx, resets, truncation, stalls, flipped bytes,
// lying headers, redirects, oversized bodies), and the bundled action must either recover and
// verify, or fail with one clear line — never verified=true with tampered content. The table of
// cases is also written to build/fault-matrix.md, the source of the README's fault matrix.
// Layer blobs are not read by a default run, so the blob faults are also driven through the
// registry client's openBlob stream, which deep verification consumes.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log.js';
import { parseReference } from '../../src/oci/reference.js';
import type { Descriptor, ImageManifest } from '../../src/oci/types.js';
import { RegistryClient } from '../../src/registry/client.js';
import { timeoutsFor } from '../../src/registry/http.js';
import { repoRoot, runAction, type ActionRun } from '../helpers/action.js';
import { buildImage, busyboxBase, pushImage, removeImage, requireDaemon, tagImage, uniqueName } from '../helpers/docker.js';
import { startFaultProxy, startRecordingOrigin, type FaultProxy, type FaultRule, type ProxyHit } from '../helpers/fault-proxy.js';
import { dockerLogin, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { makeCertificate, nonLoopbackAddress } from '../helpers/tls.js';

const sha = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const errorLines = (run: ActionRun) => run.stdout.split('\n').filter((l) => l.startsWith('::error::'));

interface MatrixRow {
  fault: string;
  where: string;
  outcome: 'recovered' | 'refused';
  result: string;
}

interface FaultCase {
  /** The fault, as the README matrix names it. */
  fault: string;
  /** Which request it hits. */
  where: string;
  rules: () => FaultRule[];
  inputs?: () => Record<string, string>;
  expect: 'recovered' | 'refused';
  /** For refused: the whole ::error:: line, as a pattern. */
  error?: () => RegExp;
  check?: (run: ActionRun, hits: ProxyHit[]) => void;
  /** What the matrix says the action did, when more than "verified". */
  note?: string;
}

describe('a flaky and hostile registry', () => {
  const cleanups: Array<() => Promise<void>> = [];
  const matrix: MatrixRow[] = [];
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let repo: string;
  let appRef: string;
  let appDigest: string;
  let manifest: ImageManifest;
  let configPath: string;
  let layer: Descriptor;

  before(async () => {
    await requireDaemon();
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    proxy = await startFaultProxy({ upstream: `http://${registry.host}` });
    cleanups.push(() => proxy.stop());
    const base = `${uniqueName('vi-faults-base')}:1`;
    await busyboxBase(base);
    cleanups.push(() => removeImage(base));
    repo = uniqueName('faults/app');
    appRef = `${registry.host}/${repo}:1.0`;
    await buildImage(appRef, `FROM ${base}\nRUN echo faults > /which\n`);
    cleanups.push(() => removeImage(appRef));
    appDigest = await pushImage(appRef);
    const res = await fetch(`http://${registry.host}/v2/${repo}/manifests/1.0`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    manifest = (await res.json()) as ImageManifest;
    configPath = `/v2/${repo}/blobs/${manifest.config.digest}`;
    layer = [...manifest.layers].sort((a, b) => b.size - a.size)[0]!;
  });

  after(async () => {
    await mkdir(join(repoRoot(), 'build'), { recursive: true });
    const lines = ['| Fault | Where | Outcome | What the action did |', '|---|---|---|---|'];
    for (const r of matrix) lines.push(`| ${r.fault} | ${r.where} | ${r.outcome} | ${r.result.replace(/\|/g, '\\|')} |`);
    await writeFile(join(repoRoot(), 'build', 'fault-matrix.md'), `${lines.join('\n')}\n`).catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  const proxied = () => `${proxy.host}/${repo}:1.0`;
  const host = () => esc(proxy.host);
  const name = () => `${host()}/${esc(repo)}`;
  const manifests = /^\/v2\/.+\/manifests\//;
  const config = () => new RegExp(`^${esc(configPath)}$`);
  const hitsOn = (hits: ProxyHit[], path: RegExp, method = 'GET') => hits.filter((h) => h.method === method && path.test(h.path));

  async function attempt(c: FaultCase, target: FaultProxy = proxy, image = proxied()): Promise<void> {
    target.setRules(c.rules());
    const run = await runAction({ image, 'local-image': appRef, ...c.inputs?.() });
    const hits = [...target.hits];
    const lines = errorLines(run);
    if (c.expect === 'recovered') {
      assert.equal(run.code, 0, `expected a recovery:\n${run.stdout}`);
      assert.equal(run.outputs.verified, 'true');
      assert.equal(run.outputs.digest, appDigest);
      assert.deepEqual(lines, []);
    } else {
      assert.equal(run.code, 1, `expected a refusal:\n${run.stdout}`);
      assert.equal(run.outputs.verified, 'false');
      assert.equal(lines.length, 1, run.stdout);
      assert.match(lines[0] ?? '', c.error!());
      assert.equal((run.report as { images: { status: string }[] }).images[0]?.status, 'error');
    }
    assert.ok(hits.some((h) => h.fault !== undefined), 'the fault was injected');
    assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
    c.check?.(run, hits);
    matrix.push({ fault: c.fault, where: c.where, outcome: c.expect, result: c.expect === 'recovered' ? (c.note ?? 'verified after retrying') : (lines[0] ?? '').replace('::error::', '') });
  }

  const recovered: FaultCase[] = [
    {
      fault: '429 with `Retry-After: 1`',
      where: 'manifest',
      rules: () => [{ method: 'GET', path: manifests, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } }],
      expect: 'recovered',
      check: (run, hits) => {
        assert.equal(hitsOn(hits, manifests).length, 2);
        assert.ok((run.report as { images: { durationMs: number }[] }).images[0]!.durationMs >= 1000, 'waited as asked');
      },
    },
    {
      fault: '429 with `Retry-After` as an HTTP date',
      where: 'config blob',
      rules: () => [{ method: 'GET', path: config(), fault: { kind: 'status', status: 429, headers: { 'retry-after': new Date(Date.now() + 5000).toUTCString() } } }],
      expect: 'recovered',
      check: (run, hits) => {
        assert.equal(hitsOn(hits, config()).length, 2);
        // The date is whole seconds, set 5 s ahead when the rule was made: well over 1 s remains
        // once the action has started and reached the config.
        assert.ok((run.report as { images: { durationMs: number }[] }).images[0]!.durationMs >= 1000, 'waited until the date');
      },
    },
    ...[500, 502, 503, 504].map(
      (status): FaultCase => ({
        fault: `${status} (twice)`,
        where: 'manifest',
        rules: () => [{ method: 'GET', path: manifests, times: 2, fault: { kind: 'status', status } }],
        expect: 'recovered',
        check: (_run, hits) => assert.equal(hitsOn(hits, manifests).length, 3),
      }),
    ),
    {
      fault: '503 on the ping',
      where: '`/v2/`',
      rules: () => [{ path: /^\/v2\/$/, fault: { kind: 'status', status: 503 } }],
      expect: 'recovered',
    },
    {
      fault: 'connection reset mid-body',
      where: 'manifest',
      rules: () => [{ method: 'GET', path: manifests, fault: { kind: 'reset-mid-body' } }],
      expect: 'recovered',
      check: (_run, hits) => assert.equal(hitsOn(hits, manifests).length, 2, 'fetched again, whole'),
    },
    {
      fault: 'connection reset mid-body',
      where: 'config blob',
      rules: () => [{ method: 'GET', path: config(), fault: { kind: 'reset-mid-body' } }],
      expect: 'recovered',
      check: (_run, hits) => {
        const blob = hitsOn(hits, config());
        assert.equal(blob.length, 2);
        assert.match(blob[1]?.range ?? '', /^bytes=[1-9]\d*-$/, 'resumed where it broke off');
        assert.ok(Number(/\d+/.exec(blob[1]?.range ?? '')?.[0]) <= Math.floor(manifest.config.size / 2), 'never past what was sent');
      },
    },
    {
      fault: 'truncated body (connection closed early)',
      where: 'manifest',
      rules: () => [{ method: 'GET', path: manifests, fault: { kind: 'truncate' } }],
      expect: 'recovered',
      check: (_run, hits) => assert.equal(hitsOn(hits, manifests).length, 2),
    },
    {
      fault: 'truncated body (connection closed early)',
      where: 'config blob',
      rules: () => [{ method: 'GET', path: config(), fault: { kind: 'truncate' } }],
      expect: 'recovered',
      check: (_run, hits) => assert.match(hitsOn(hits, config())[1]?.range ?? '', /^bytes=[1-9]\d*-$/),
    },
    {
      fault: 'stalled body (registry-timeout: 2)',
      where: 'manifest',
      rules: () => [{ method: 'GET', path: manifests, fault: { kind: 'stall' } }],
      inputs: () => ({ 'registry-timeout': '2' }),
      expect: 'recovered',
      check: (_run, hits) => assert.equal(hitsOn(hits, manifests).length, 2),
    },
    {
      fault: 'stalled body (registry-timeout: 2)',
      where: 'config blob',
      rules: () => [{ method: 'GET', path: config(), fault: { kind: 'stall' } }],
      inputs: () => ({ 'registry-timeout': '2' }),
      expect: 'recovered',
      check: (_run, hits) => assert.match(hitsOn(hits, config())[1]?.range ?? '', /^bytes=[1-9]\d*-$/),
    },
    {
      fault: 'redirects (3 hops, same origin)',
      where: 'config blob',
      note: 'verified, following the redirects',
      rules: () => [{ method: 'GET', path: config(), times: 3, fault: { kind: 'redirect', location: (p) => p } }],
      expect: 'recovered',
    },
    {
      fault: 'Docker Hub rate-limit headers, quota low',
      where: 'manifest',
      note: 'verified, with the warning `… pull rate limit is running low: 7 of 100 pulls left per 6 h: log in (docker/login-action) for a higher limit, or pull less often`',
      rules: () => [
        { method: 'GET', path: manifests, fault: { kind: 'headers', headers: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '7;w=21600' } } },
      ],
      expect: 'recovered',
      check: (run) =>
        assert.ok(
          run.stdout.includes(`::warning::${proxy.host} pull rate limit is running low: 7 of 100 pulls left per 6 h: log in (docker/login-action) for a higher limit, or pull less often`),
          run.stdout,
        ),
    },
  ];

  const refused: FaultCase[] = [
    {
      fault: '429 with `Retry-After: 3600`',
      where: 'manifest',
      rules: () => [
        {
          method: 'GET',
          path: manifests,
          times: Infinity,
          fault: { kind: 'status', status: 429, headers: { 'retry-after': '3600', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' } },
        },
      ],
      expect: 'refused',
      error: () => new RegExp(`^::error::${host()} is rate limiting us \\(INJECTED: injected HTTP 429; it asks to wait 3600 s; 0 of 100 pulls left per 6 h\\): try again later, or log in for a higher limit$`),
      check: (run, hits) => {
        assert.equal(hitsOn(hits, manifests).length, 1, 'did not hammer a registry that said wait an hour');
        assert.ok((run.report as { images: { durationMs: number }[] }).images[0]!.durationMs < 10_000);
      },
    },
    {
      fault: '503 on every try',
      where: 'manifest',
      rules: () => [{ method: 'GET', path: manifests, times: Infinity, fault: { kind: 'status', status: 503 } }],
      expect: 'refused',
      error: () => new RegExp(`^::error::${host()} answered 503 for http://${host()}/v2/${esc(repo)}/manifests/1\\.0 \\(INJECTED: injected HTTP 503\\): try again later$`),
      check: (_run, hits) => assert.equal(hitsOn(hits, manifests).length, 4, 'four tries'),
    },
    {
      fault: 'connection reset on every try',
      where: 'manifest',
      rules: () => [{ method: 'GET', path: manifests, times: Infinity, fault: { kind: 'reset-mid-body' } }],
      expect: 'refused',
      error: () => new RegExp(`^::error::the connection to ${host()} broke while sending manifest 1\\.0 of ${name()} \\(.+\\): try again later$`),
      check: (_run, hits) => assert.equal(hitsOn(hits, manifests).length, 3, 'three whole fetches'),
    },
    {
      fault: 'stalled body on every try (registry-timeout: 1)',
      where: 'manifest',
      rules: () => [{ method: 'GET', path: manifests, times: Infinity, fault: { kind: 'stall' } }],
      inputs: () => ({ 'registry-timeout': '1' }),
      expect: 'refused',
      error: () =>
        new RegExp(`^::error::${host()} stopped sending manifest 1\\.0 of ${name()} \\(nothing for 1 s\\): try again later, or raise registry-timeout if the registry is that slow$`),
    },
    {
      fault: 'flipped byte',
      where: 'manifest (by tag)',
      rules: () => [{ method: 'GET', path: manifests, times: Infinity, fault: { kind: 'flip' } }],
      expect: 'refused',
      error: () =>
        new RegExp(
          `^::error::${host()}'s Docker-Content-Digest ${appDigest} for ${name()}:1\\.0 does not match the bytes it served \\(sha256:[0-9a-f]{64}\\): the registry or something between us altered the manifest; do not trust this pull, and check the registry$`,
        ),
      check: (_run, hits) => assert.equal(hitsOn(hits, manifests).length, 1, 'a content mismatch is never retried'),
    },
    {
      fault: 'flipped byte',
      where: 'manifest (by digest)',
      rules: () => [{ method: 'GET', path: manifests, times: Infinity, fault: { kind: 'flip' } }],
      inputs: () => ({ image: `${proxy.host}/${repo}@${appDigest}` }),
      expect: 'refused',
      error: () => new RegExp(`^::error::${host()} served bytes for ${name()}@${appDigest} that hash to sha256:[0-9a-f]{64}: the registry or something between us altered the manifest`),
    },
    {
      fault: 'flipped byte',
      where: 'config blob',
      rules: () => [{ method: 'GET', path: config(), times: Infinity, fault: { kind: 'flip' } }],
      expect: 'refused',
      error: () =>
        new RegExp(
          `^::error::config blob ${manifest.config.digest} of ${name()} does not match its descriptor \\(served ${manifest.config.size} bytes hashing to sha256:[0-9a-f]{64}, expected ${manifest.config.size} bytes\\): the registry or something between us altered it; do not trust this pull$`,
        ),
      check: (_run, hits) => assert.equal(hitsOn(hits, config()).length, 1, 'a content mismatch is never retried'),
    },
    {
      fault: 'wrong `Docker-Content-Digest`',
      where: 'manifest',
      rules: () => [{ method: 'GET', path: manifests, times: Infinity, fault: { kind: 'headers', headers: { 'docker-content-digest': sha('another manifest') } } }],
      expect: 'refused',
      error: () => new RegExp(`^::error::${host()}'s Docker-Content-Digest ${sha('another manifest')} for ${name()}:1\\.0 does not match the bytes it served \\(${appDigest}\\)`),
    },
    {
      fault: 'short body sent as complete',
      where: 'manifest',
      rules: () => [{ method: 'GET', path: manifests, times: Infinity, fault: { kind: 'short-body' } }],
      expect: 'refused',
      error: () => new RegExp(`^::error::${host()}'s Docker-Content-Digest ${appDigest} for ${name()}:1\\.0 does not match the bytes it served`),
    },
    {
      fault: 'short body sent as complete',
      where: 'config blob',
      rules: () => [{ method: 'GET', path: config(), times: Infinity, fault: { kind: 'short-body' } }],
      expect: 'refused',
      error: () => new RegExp(`^::error::config blob ${manifest.config.digest} of ${name()} does not match its descriptor \\(served ${Math.floor(manifest.config.size / 2)} bytes`),
    },
    {
      fault: 'oversized manifest (5 MiB)',
      where: 'manifest',
      rules: () => [
        {
          method: 'GET',
          path: manifests,
          times: Infinity,
          fault: { kind: 'body', body: Buffer.alloc(5 * 1024 * 1024, 0x20), contentType: 'application/vnd.docker.distribution.manifest.v2+json' },
        },
      ],
      expect: 'refused',
      error: () => new RegExp(`^::error::manifest 1\\.0 of ${name()} is larger than 4194304 bytes; refusing to read it: check that ${host()} serves what the reference names$`),
    },
    {
      fault: '`mediaType` disagrees with `Content-Type`',
      where: 'manifest',
      rules: () => [
        { method: 'GET', path: manifests, times: Infinity, fault: { kind: 'headers', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } } },
      ],
      expect: 'refused',
      error: () =>
        new RegExp(
          `^::error::manifest of ${name()}:1\\.0 says mediaType application/vnd\\.docker\\.distribution\\.manifest\\.v2\\+json but was served as application/vnd\\.oci\\.image\\.manifest\\.v1\\+json; refusing an ambiguous manifest$`,
        ),
    },
    {
      fault: 'redirect loop',
      where: 'config blob',
      rules: () => [{ method: 'GET', path: config(), times: Infinity, fault: { kind: 'redirect', location: (p) => p } }],
      expect: 'refused',
      error: () => new RegExp(`^::error::too many redirects \\(over 10\\) fetching http://${host()}${esc(configPath)}: the registry or its CDN is misconfigured$`),
    },
  ];

  for (const c of recovered) it(`recovers from ${c.fault} on the ${c.where}`, () => attempt(c));
  for (const c of refused) it(`refuses ${c.fault} on the ${c.where}, with one clear line`, () => attempt(c));

  it('refuses an index whose entry disagrees with the manifest it names (size, media type)', async () => {
    const real = await fetch(`http://${registry.host}/v2/${repo}/manifests/${appDigest}`, { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    const realSize = (await real.arrayBuffer()).byteLength;
    assert.ok(realSize > 0);
    for (const [tag, entry, says] of [
      ['bad-size', { size: realSize + 1, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }, `is ${realSize} bytes but its index entry says ${realSize + 1}`],
      ['bad-type', { size: realSize, mediaType: 'application/vnd.oci.image.manifest.v1+json' }, 'is application/vnd.docker.distribution.manifest.v2+json but its index entry says application/vnd.oci.image.manifest.v1+json'],
    ] as const) {
      const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ ...entry, digest: appDigest, platform: { os: 'linux', architecture: 'amd64' } }],
      });
      const put = await fetch(`http://${registry.host}/v2/${repo}/manifests/${tag}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
        body: index,
      });
      assert.equal(put.status, 201, await put.text());
      const run = await runAction({ image: `${registry.host}/${repo}:${tag}`, 'local-image': appRef });
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verified, 'false');
      assert.deepEqual(errorLines(run), [
        `::error::manifest ${appDigest} of ${registry.host}/${repo} ${says}: the index is inconsistent; rebuild and push it`,
      ]);
      matrix.push({ fault: `index entry with the wrong ${tag === 'bad-size' ? 'size' : 'media type'}`, where: 'index', outcome: 'refused', result: errorLines(run)[0]!.replace('::error::', '') });
    }
  });

  describe('redirects to another origin', () => {
    let secure: TestRegistry;
    let front: FaultProxy;
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const basic = `Basic ${Buffer.from(`ci:${password}`).toString('base64')}`;

    before(async () => {
      secure = await startRegistry({ htpasswd: { username: 'ci', password } });
      cleanups.push(() => secure.stop());
      const ref = `${secure.host}/${repo}:1.0`;
      await tagImage(appRef, ref);
      cleanups.push(() => removeImage(ref));
      const login = await dockerLogin(secure.host, 'ci', password);
      await pushImage(ref, { env: { DOCKER_CONFIG: login } });
      front = await startFaultProxy({ upstream: `http://${secure.host}` });
      cleanups.push(() => front.stop());
    });

    it('follows a blob redirect to a CDN without sending it the Authorization header', async () => {
      // The "CDN" fetches from the registry with its own access, as a presigned URL would carry it.
      const cdn = await startRecordingOrigin(`http://${secure.host}`, basic);
      cleanups.push(() => cdn.stop());
      const c: FaultCase = {
        fault: 'redirect to another origin (CDN)',
        where: 'config blob',
        note: 'verified; the other origin never received the Authorization header',
        rules: () => [{ method: 'GET', path: config(), times: Infinity, fault: { kind: 'redirect', location: (p) => `${cdn.url}${p}?X-Signature=presigned` } }],
        inputs: () => ({ username: 'ci', password }),
        expect: 'recovered',
        check: (_run, hits) => {
          assert.ok(hitsOn(hits, manifests).every((h) => h.authorization), 'the registry itself got credentials');
          assert.ok(cdn.requests.length >= 1, 'the CDN was asked');
          assert.deepEqual(
            cdn.requests.map((r) => r.authorization),
            cdn.requests.map(() => undefined),
            'Authorization never reached the other origin',
          );
        },
      };
      await attempt(c, front, `${front.host}/${repo}:1.0`);
    });
  });

  describe('an https registry', () => {
    let front: FaultProxy;
    let certPath: string;

    before(async () => {
      const ip = nonLoopbackAddress();
      const cert = await makeCertificate('verify-image faults registry', [ip]);
      cleanups.push(() => cert.remove());
      certPath = cert.certPath;
      front = await startFaultProxy({ upstream: `http://${registry.host}`, tls: cert, listenHost: ip });
      cleanups.push(() => front.stop());
    });

    it('verifies through the https front when nothing is wrong', async () => {
      front.setRules([]);
      const run = await runAction({ image: `${front.host}/${repo}:1.0`, 'local-image': appRef }, { NODE_EXTRA_CA_CERTS: certPath });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.verified, 'true');
    });

    it('refuses a redirect from https to plain http', async () => {
      front.setRules([{ method: 'GET', path: config(), times: Infinity, fault: { kind: 'redirect', location: (p) => `http://${registry.host}${p}` } }]);
      const run = await runAction({ image: `${front.host}/${repo}:1.0`, 'local-image': appRef }, { NODE_EXTRA_CA_CERTS: certPath });
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verified, 'false');
      const lines = errorLines(run);
      assert.deepEqual(lines, [
        `::error::refusing a redirect from https to plain http (${registry.host}) fetching https://${front.host}${configPath}: the registry must keep its downloads on https`,
      ]);
      matrix.push({ fault: 'redirect from https to http', where: 'config blob', outcome: 'refused', result: lines[0]!.replace('::error::', '') });
    });
  });

  describe('layer blob streams (what deep verification reads)', () => {
    let client: RegistryClient;

    before(async () => {
      client = await RegistryClient.create(parseReference(proxied()), { insecureRegistries: [], logger: silentLogger, timeouts: timeoutsFor(1_000) });
    });

    async function hashBlob(d: Descriptor): Promise<{ digest: string; size: number }> {
      const res = await client.openBlob(d);
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of res.body) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      return { digest: `sha256:${hash.digest('hex')}`, size };
    }
    const layerPath = () => new RegExp(`^/v2/${esc(repo)}/blobs/${layer.digest}$`);
    const row = (fault: string, outcome: MatrixRow['outcome'], result: string) => matrix.push({ fault, where: 'layer blob (openBlob stream)', outcome, result });

    it('is big enough to break in the middle', () => assert.ok(layer.size > 100_000, `largest layer is ${layer.size} bytes`));

    for (const kind of ['reset-mid-body', 'truncate', 'stall'] as const) {
      it(`resumes a layer by Range after a ${kind}, delivering exactly the blob`, async () => {
        proxy.setRules([{ method: 'GET', path: layerPath(), fault: { kind } }]);
        assert.deepEqual(await hashBlob(layer), { digest: layer.digest, size: layer.size });
        const hits = hitsOn(proxy.hits, layerPath());
        assert.equal(hits.length, 2);
        const offset = Number(/^bytes=(\d+)-$/.exec(hits[1]?.range ?? '')?.[1]);
        // A reset may drop bytes the client had not read yet; a close or a stall loses nothing.
        if (kind === 'reset-mid-body') assert.ok(offset > 0 && offset <= Math.floor(layer.size / 2), `resumed at ${offset}`);
        else assert.equal(offset, Math.floor(layer.size / 2));
        row(kind === 'stall' ? 'stalled body (1 s timeout)' : kind === 'truncate' ? 'truncated body' : 'connection reset mid-body', 'recovered', 'resumed with `Range: bytes=N-`; exact bytes');
      });
    }

    it('restarts and skips what it already had when the server ignores Range', async () => {
      proxy.setRules([
        { method: 'GET', path: layerPath(), fault: { kind: 'reset-mid-body' } },
        { method: 'GET', path: layerPath(), fault: { kind: 'drop-range' } },
      ]);
      assert.deepEqual(await hashBlob(layer), { digest: layer.digest, size: layer.size });
      row('reset, then a server that ignores Range (200)', 'recovered', 'skipped the bytes already read; exact bytes');
    });

    it('refuses a resume that starts at the wrong byte', async () => {
      proxy.setRules([
        { method: 'GET', path: layerPath(), fault: { kind: 'reset-mid-body' } },
        { method: 'GET', path: layerPath(), fault: { kind: 'status', status: 206, headers: { 'content-range': `bytes 0-9/${layer.size}` }, body: '0123456789' } },
      ]);
      await assert.rejects(hashBlob(layer), (err: Error) => {
        assert.match(err.message, new RegExp(`^${host()} resumed blob ${layer.digest} of ${name()} at the wrong place \\(asked for byte \\d+, got "bytes 0-9/${layer.size}"\\): try again later$`));
        row('resume at the wrong offset (206)', 'refused', err.message);
        return true;
      });
    });

    it('gives up with one line when the connection keeps breaking', async () => {
      proxy.setRules([{ method: 'GET', path: layerPath(), times: Infinity, fault: { kind: 'reset-mid-body' } }]);
      await assert.rejects(hashBlob(layer), (err: Error) => {
        assert.match(err.message, new RegExp(`^the connection to ${host()} broke while sending blob ${layer.digest} of ${name()} \\(.+\\): try again later$`));
        row('connection reset on every try', 'refused', err.message);
        return true;
      });
      assert.equal(hitsOn(proxy.hits, layerPath()).length, 4, 'the first try and three resumptions');
    });

    it('passes flipped bytes on unchanged, so the digest check that reads them must fail', async () => {
      proxy.setRules([{ method: 'GET', path: layerPath(), fault: { kind: 'flip' } }]);
      const got = await hashBlob(layer);
      assert.equal(got.size, layer.size);
      assert.notEqual(got.digest, layer.digest);
      row('flipped byte', 'refused', 'bytes reach the verifier unchanged; their digest differs from the descriptor, so deep verification fails');
    });
  });
});
