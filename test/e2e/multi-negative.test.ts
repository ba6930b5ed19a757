// Multi-platform runs that must fail, end to end (issue 16): the e2e suite had only passing
// multi-platform cases, so a verdict that ignored one platform's content, the `digest` input, a
// platform asked for and missing, or a corrupted layer of one platform would have passed. Each
// case builds a real amd64 + arm64 index with buildx on the containerd-store daemon (FROM scratch
// and COPY only: no emulation), pushes it to a real registry, changes one thing, and runs the
// bundled action; each asserts the run fails and names the platform at fault, and that the other
// platform still verifies (so the failure is about that platform, not the whole run).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { buildxBuild, ENGINES, engineRemove, requireEngine } from '../helpers/buildx.js';
import { uniqueName } from '../helpers/docker.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { pushManifest, sha256 } from '../helpers/registry-api.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const CONTAINERD = ENGINES.containerd;
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

interface Check {
  rule: string;
  ok: boolean;
  message: string;
  platform?: string;
}
interface ImageReport {
  status: string;
  checks: Check[];
  platforms?: { platform: string; status: string; presence?: string }[];
}
interface IndexEntry {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
}
interface IndexDoc {
  manifests: IndexEntry[];
  [key: string]: unknown;
}

const reportOf = (run: ActionRun): ImageReport => {
  const report = (run.report as { images?: ImageReport[] } | undefined)?.images?.[0];
  assert.ok(report, `the run wrote a report:\n${run.stdout}\n${run.stderr}`);
  return report;
};
const failed = (report: ImageReport) => report.checks.filter((c) => !c.ok);
const failedRules = (report: ImageReport) => [...new Set(failed(report).map((c) => c.rule))].sort();
const statuses = (report: ImageReport) => (report.platforms ?? []).map((p) => [p.platform, p.status]);
const entryFor = (index: IndexDoc, arch: string): IndexEntry => {
  const entry = index.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch);
  assert.ok(entry, `the index has a linux/${arch} entry: ${JSON.stringify(index.manifests)}`);
  return entry;
};

/**
 * A tag's index as served, asked for with every index type: with --provenance=false BuildKit pushes a
 * Docker manifest list, which registries reduce to one platform for a client that does not accept it.
 */
async function servedIndex(host: string, repo: string, reference: string): Promise<{ digest: string; mediaType: string; index: IndexDoc }> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { headers: { accept: [LIST, OCI_INDEX, 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ') } });
  assert.equal(res.status, 200, `GET manifest ${repo}:${reference}: ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0] ?? '';
  assert.ok([LIST, OCI_INDEX].includes(mediaType), `${repo}:${reference} is an index (${mediaType})`);
  return { digest: sha256(bytes), mediaType, index: JSON.parse(bytes.toString('utf8')) as IndexDoc };
}
async function servedManifestLayers(host: string, repo: string, digest: string): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${digest}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(res.status, 200, `GET manifest ${repo}@${digest}: ${res.status}`);
  return ((await res.json()) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
}

/** Every platform gets its own last layer (arch-*.txt), so a fault can hit one platform's blob only. */
const dockerfile = (stampFile: string) => ['FROM scratch', 'COPY busybox /bin/busybox', 'ARG TARGETARCH', `COPY ${stampFile} arch-\${TARGETARCH}.txt /`, ''].join('\n');

describe('multi-platform runs that must fail (buildx amd64 + arm64, containerd store)', () => {
  let registry: TestRegistry;
  let repo: string;
  /** The local build, pushed: `REPO:1` on the registry and in the containerd store. */
  let ref: string;
  let indexDigest: string;
  let index: IndexDoc;
  let indexMediaType: string;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    await requireEngine('containerd');
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    repo = uniqueName('acme/multi-negative');
    ref = `${registry.host}/${repo}:1`;
    const files = { 'stamp.txt': `${uniqueName('stamp')}\n`, 'arch-amd64.txt': 'amd64\n', 'arch-arm64.txt': 'arm64\n' };
    await buildxBuild(CONTAINERD, { tags: [ref], dockerfile: dockerfile('stamp.txt'), files, platforms: PLATFORMS, provenance: 'false', load: false });
    cleanups.push(() => engineRemove(CONTAINERD, ref));
    // What the registry serves now: on the containerd store dockerd pushes again after BuildKit
    // (buildx.ts), so the tag's index need not be the one in buildx's metadata.
    ({ digest: indexDigest, mediaType: indexMediaType, index } = await servedIndex(registry.host, repo, '1'));
    assert.equal(index.manifests.length, 2, 'no attestations (--provenance=false): two platform images');
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('fails when one platform in the registry is not the local build, naming that platform only', async () => {
    // Another build's arm64 image spliced into the local build's index: amd64 is still the local build's.
    const otherRef = `${registry.host}/${repo}:other`;
    const otherFiles = { 'other.txt': `${uniqueName('other')}\n`, 'arch-amd64.txt': 'amd64\n', 'arch-arm64.txt': 'arm64 from another build\n' };
    await buildxBuild(CONTAINERD, { tags: [otherRef], dockerfile: dockerfile('other.txt'), files: otherFiles, platforms: PLATFORMS, provenance: 'false', load: false });
    cleanups.push(() => engineRemove(CONTAINERD, otherRef));
    const other = (await servedIndex(registry.host, repo, 'other')).index;
    const spliced: IndexDoc = { ...index, manifests: index.manifests.map((m) => (m === entryFor(index, 'arm64') ? entryFor(other, 'arm64') : m)) };
    assert.notEqual(entryFor(spliced, 'arm64').digest, entryFor(index, 'arm64').digest);
    await pushManifest(registry.host, repo, 'spliced', spliced, indexMediaType);

    const run = await runAction({ image: `${registry.host}/${repo}:spliced`, 'local-image': ref, platform: 'all' }, { DOCKER_HOST: CONTAINERD });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verified, 'false');
    const report = reportOf(run);
    assert.equal(report.status, 'mismatch');
    assert.deepEqual(statuses(report), [
      ['linux/amd64', 'verified'],
      ['linux/arm64', 'mismatch'],
    ]);
    // The content rules fail for arm64, and only for arm64; the index differs as a consequence.
    const platformFailures = failed(report).filter((c) => c.rule !== 'index-digest');
    assert.ok(platformFailures.some((c) => c.rule === 'diff-ids'), JSON.stringify(report.checks));
    assert.deepEqual([...new Set(platformFailures.map((c) => c.platform))], ['linux/arm64'], JSON.stringify(platformFailures));
    assert.deepEqual(failedRules(report), ['diff-ids', 'image-id', 'index-digest', 'layer-digests', 'manifest-digest']);
    assert.match(run.stdout, /linux\/arm64: mismatch/);
    // The `platforms` output says the same per platform.
    const outputs = JSON.parse(run.outputs.platforms ?? '[]') as { platform: string; verified: boolean }[];
    assert.deepEqual(
      outputs.map((p) => [p.platform, p.verified]),
      [
        ['linux/amd64', true],
        ['linux/arm64', false],
      ],
    );
  });

  it('fails a wrong digest with several platforms, one platform manifest digest included', async () => {
    const amd64 = entryFor(index, 'amd64').digest;
    for (const digest of [amd64, `sha256:${'0'.repeat(64)}`]) {
      const run = await runAction({ image: ref, platform: 'all', digest }, { DOCKER_HOST: CONTAINERD });
      assert.equal(run.code, 1, `digest ${digest}: ${run.stdout}`);
      const report = reportOf(run);
      assert.deepEqual(failedRules(report), ['digest'], JSON.stringify(report.checks));
      const check = report.checks.find((c) => c.rule === 'digest');
      assert.ok(check && !check.ok && check.message.includes(indexDigest), JSON.stringify(check));
      // The platforms themselves are the local build's: only the digest is wrong.
      assert.deepEqual(statuses(report), [
        ['linux/amd64', 'verified'],
        ['linux/arm64', 'verified'],
      ]);
    }
    // The control: the index digest passes, so the failures above are the digest's.
    const good = await runAction({ image: ref, platform: 'all', digest: indexDigest }, { DOCKER_HOST: CONTAINERD });
    assert.equal(good.code, 0, good.stdout);
    assert.ok(reportOf(good).checks.some((c) => c.rule === 'digest' && c.ok));
  });

  it('fails a platform asked for that neither side has, and still verifies the one that is there', async () => {
    const run = await runAction({ image: ref, platform: 'linux/amd64,linux/s390x' }, { DOCKER_HOST: CONTAINERD });
    assert.equal(run.code, 1, run.stdout);
    const report = reportOf(run);
    assert.deepEqual(statuses(report), [
      ['linux/amd64', 'verified'],
      ['linux/s390x', 'mismatch'],
    ]);
    assert.deepEqual(failedRules(report), ['platforms']);
    assert.deepEqual(
      failed(report).map((c) => c.platform),
      ['linux/s390x'],
    );
    assert.match(run.stdout, /linux\/s390x: mismatch/);
  });

  describe('deep: true through a proxy that flips one byte of the arm64 layer blob', () => {
    let proxy: FaultProxy;
    let arm64Layer: string;

    before(async () => {
      proxy = await startFaultProxy({ upstream: `http://${registry.host}` });
      cleanups.push(() => proxy.stop());
      const amd64Layers = await servedManifestLayers(registry.host, repo, entryFor(index, 'amd64').digest);
      const arm64Layers = await servedManifestLayers(registry.host, repo, entryFor(index, 'arm64').digest);
      arm64Layer = arm64Layers.at(-1)!;
      assert.ok(!amd64Layers.includes(arm64Layer), 'the arm64 image has a layer of its own (arch-arm64.txt)');
    });

    it('fails layer-blobs for linux/arm64 and proves linux/amd64', async () => {
      proxy.setRules([{ method: 'GET', path: new RegExp(`/blobs/${arm64Layer}$`), times: Infinity, fault: { kind: 'flip' } }]);
      const run = await runAction({ image: `${proxy.host}/${repo}:1`, 'local-image': ref, platform: 'all', deep: 'true' }, { DOCKER_HOST: CONTAINERD });
      assert.ok(
        proxy.hits.some((h) => h.fault === 'flip'),
        'the arm64 layer blob was downloaded through the proxy and flipped',
      );
      assert.equal(run.code, 1, run.stdout);
      const report = reportOf(run);
      assert.deepEqual(failedRules(report), ['layer-blobs'], JSON.stringify(report.checks));
      assert.deepEqual(
        report.checks.filter((c) => c.rule === 'layer-blobs').map((c) => [c.platform, c.ok]),
        [
          ['linux/amd64', true],
          ['linux/arm64', false],
        ],
      );
      assert.deepEqual(statuses(report), [
        ['linux/amd64', 'verified'],
        ['linux/arm64', 'mismatch'],
      ]);
      assert.match(run.stdout, /linux\/arm64: mismatch/);
    });
  });
});
