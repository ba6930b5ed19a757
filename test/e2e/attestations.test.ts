// BuildKit attestations bound to the push: real `docker buildx build --push --load` on the Docker 26
// containerd-store daemon (the only store where BuildKit attaches provenance) with
// --provenance=mode=min, mode=max and false, pushed to a real registry, verified by the bundled
// action; then crafted negatives made through the registry API as someone with push access would:
// an attestation re-attached to the other platform's manifest, one attached to a manifest not in
// the index, and a statement whose stored bytes no longer hash to its descriptor.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { appDockerfile, BUSYBOX_BASE_DOCKERFILE, MULTI_PLATFORM_DOCKERFILE, buildxBuild, engineRemove, ENGINES, requireEngine, stampFiles } from '../helpers/buildx.js';
import { uniqueName } from '../helpers/docker.js';
import { blobDataPath, getBlob, getServedManifest, pushManifest, sha256, uploadBlob } from '../helpers/registry-api.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const host = ENGINES.containerd;
const verify = (inputs: Record<string, string>) => runAction(inputs, { DOCKER_HOST: host });
const SLSA02 = 'https://slsa.dev/provenance/v0.2';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const REF_DIGEST = 'vnd.docker.reference.digest';
const SPDX_JSON = 'application/spdx+json';
const COSIGN_SIMPLESIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const digestOf = (body: object) => sha256(JSON.stringify(body));

interface Entry {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}
interface Index {
  schemaVersion: number;
  mediaType: string;
  manifests: Entry[];
}
interface ReferrerOutput {
  artifactType?: string;
  digest: string;
  subject: string;
  refersTo?: 'manifest' | 'index';
  foundBy: 'api' | 'fallback-tag' | 'cosign-tag';
  tag?: string;
}
interface AttestationOutput {
  platform: string;
  provenance: boolean;
  sbom: boolean;
  predicateTypes: string[];
  builder?: string;
  source?: string;
  revision?: string;
  referrers?: {
    signatures: ReferrerOutput[];
    sboms: ReferrerOutput[];
    attestations: ReferrerOutput[];
    other: ReferrerOutput[];
    listedBy: { subject: string; via: 'api' | 'fallback-tag' }[];
    problems: string[];
  };
}
interface Mismatch {
  rule: string;
  message: string;
  platform?: string;
}

const attestationsOf = (run: ActionRun) => JSON.parse(run.outputs.attestations ?? 'null') as AttestationOutput[];
const mismatchesOf = (run: ActionRun) => JSON.parse(run.outputs.mismatches ?? '[]') as Mismatch[];

function assertVerified(run: ActionRun): void {
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.equal(run.outputs.verified, 'true', run.stdout);
  assert.equal(run.outputs.mismatches, '[]');
}

/** Fails with exactly rule attestations; every message must match `message`. */
function assertAttestationsFail(run: ActionRun, message: RegExp): Mismatch[] {
  assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
  assert.equal(run.outputs.verified, 'false');
  const mismatches = mismatchesOf(run);
  assert.ok(mismatches.length > 0, run.stdout);
  assert.deepEqual([...new Set(mismatches.map((m) => m.rule))], ['attestations'], run.outputs.mismatches);
  assert.ok(mismatches.some((m) => message.test(m.message)), `${message} in ${run.outputs.mismatches}`);
  return mismatches;
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('attestations: BuildKit provenance on Docker 26 (containerd store), bound to the push', () => {
  let registry: TestRegistry;
  let repo: string;
  const ref = (tag: string) => `${registry.host}/${repo}:${tag}`;
  /** The multi-platform push the crafted negatives start from. */
  let multi: { index: Index; digest: string };

  before(async () => {
    await requireEngine('containerd');
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    repo = uniqueName('attest/app');
  });

  async function build(tag: string, provenance: string) {
    const tagRef = ref(tag);
    cleanups.push(() => engineRemove(host, tagRef));
    return buildxBuild(host, { tags: [tagRef], dockerfile: appDockerfile(), files: stampFiles(tag), provenance });
  }

  for (const mode of ['mode=min', 'mode=max']) {
    it(`--provenance=${mode}: verified, the statement names the platform manifest, the output lists SLSA provenance`, async () => {
      const tag = mode.replace('=', '-');
      const built = await build(tag, mode);
      const run = await verify({ image: ref(tag), digest: built.digest, 'require-attestations': 'provenance' });
      assertVerified(run);
      const attestations = attestationsOf(run);
      assert.equal(attestations.length, 1, run.outputs.attestations);
      const [only] = attestations;
      assert.equal(only?.platform, JSON.parse(run.outputs.platforms ?? '[]')[0]?.platform);
      assert.equal(only?.provenance, true);
      assert.equal(only?.sbom, false);
      assert.deepEqual(only?.predicateTypes, [SLSA02]);
      const check = (run.report as { images: { checks: { rule: string; ok: boolean; message: string }[] }[] }).images[0]?.checks.find((c) => c.rule === 'attestations');
      assert.ok(check?.ok, 'rule attestations ran and held');
      assert.ok(check.message.includes(run.outputs.digest ?? 'none'), `the subject is the platform manifest ${run.outputs.digest}: ${check.message}`);
      assert.match(run.summary, /Supply chain/);
      assert.ok(run.summary.includes(SLSA02));

      // Provenance is not an SBOM: requiring one fails the rule, naming the platform.
      const sbom = await verify({ image: ref(tag), digest: built.digest, 'require-attestations': 'provenance,sbom' });
      const failed = assertAttestationsFail(sbom, /carries no sbom attestation/);
      assert.equal(failed[0]?.platform, only?.platform);
    });
  }

  it('--provenance=false with require-attestations: provenance fails rule attestations; without it the push verifies', async () => {
    const built = await build('no-provenance', 'false');
    assertVerified(await verify({ image: ref('no-provenance'), digest: built.digest }));
    const run = await verify({ image: ref('no-provenance'), digest: built.digest, 'require-attestations': 'provenance' });
    assertAttestationsFail(run, /carries no provenance attestation whose subject is its manifest/);
    assert.deepEqual(
      attestationsOf(run).map((a) => [a.provenance, a.sbom, a.predicateTypes.length]),
      [[false, false, 0]],
    );
  });

  it('a multi-platform push (amd64 + arm64, mode=min): every platform carries provenance bound to its own manifest', async () => {
    const multiRef = ref('multi');
    cleanups.push(() => engineRemove(host, multiRef));
    const built = await buildxBuild(host, {
      tags: [multiRef],
      dockerfile: MULTI_PLATFORM_DOCKERFILE,
      files: { ...stampFiles('multi'), 'arch-amd64.txt': 'amd64\n', 'arch-arm64.txt': 'arm64\n' },
      platforms: ['linux/amd64', 'linux/arm64'],
      provenance: 'mode=min',
    });
    const served = await getServedManifest(registry.host, repo, 'multi');
    assert.equal(served.digest, built.digest);
    multi = { index: JSON.parse(served.bytes.toString('utf8')) as Index, digest: served.digest };
    const run = await verify({ image: multiRef, digest: built.digest, platform: 'all', 'require-attestations': 'provenance' });
    assertVerified(run);
    assert.deepEqual(
      attestationsOf(run)
        .map((a) => [a.platform, a.provenance])
        .sort(),
      [
        ['linux/amd64', true],
        ['linux/arm64', true],
      ],
    );
  });

  it('takes the built-on base from provenance materials with no base input: a multi-stage build\'s tool image is not the base', async () => {
    const baseRef = ref('base');
    const toolRef = ref('tool');
    cleanups.push(() => engineRemove(host, baseRef), () => engineRemove(host, toolRef));
    const base = await buildxBuild(host, { tags: [baseRef], dockerfile: BUSYBOX_BASE_DOCKERFILE, load: false, provenance: 'false' });
    // The tool image starts with the base's two layers and adds one: more layers, but not a prefix of the app.
    const stamped = `${BUSYBOX_BASE_DOCKERFILE}COPY stamp.txt /stamp.txt\n`;
    await buildxBuild(host, { tags: [toolRef], dockerfile: stamped, files: stampFiles('tool'), load: false, provenance: 'false' });
    const dockerfile = [`FROM ${toolRef} AS tools`, 'RUN ["/bin/sh", "-c", "echo tool > /tool"]', `FROM ${baseRef}`, 'COPY --from=tools /tool /usr/local/bin/tool', 'COPY stamp.txt /stamp.txt', ''].join('\n');
    const appRef = ref('on-base');
    cleanups.push(() => engineRemove(host, appRef));
    const built = await buildxBuild(host, { tags: [appRef], dockerfile, files: stampFiles('on-base'), provenance: 'mode=min' });
    const run = await verify({ image: appRef, digest: built.digest });
    assertVerified(run);
    assert.equal(run.outputs['base-digest'], base.digest, 'the digest BuildKit resolved for the base');
    assert.ok(run.outputs['base-image']?.startsWith(baseRef), run.outputs['base-image']);
    assert.equal(run.outputs['base-layers'], '2', 'the busybox base makes the first two layers');
    assert.equal(run.outputs['base-drift'], 'false');
    assert.match(run.summary, /provenance \(materials\)/);

    // The base moves on: the same image now drifted, still with exact layers from the recorded digest.
    await buildxBuild(host, { tags: [baseRef], dockerfile: stamped, files: stampFiles('base moved'), load: false, provenance: 'false' });
    const drifted = await verify({ image: appRef, digest: built.digest });
    assert.equal(drifted.outputs.verified, 'true', drifted.stdout);
    assert.equal(drifted.outputs['base-drift'], 'true', drifted.stdout);
    assert.equal(drifted.outputs['base-digest'], base.digest);
    assert.equal(drifted.outputs['base-layers'], '2');

    // An audit with no base inputs: the provenance names the base, and exactly the drifted image is listed.
    cleanups.push(() => engineRemove(host, ref('on-current')));
    const current = await buildxBuild(host, { tags: [ref('on-current')], dockerfile: `FROM ${baseRef}\nCOPY stamp.txt /stamp.txt\n`, files: stampFiles('on-current'), load: false, provenance: 'mode=min' });
    assert.match(current.digest, /^sha256:/);
    const audit = await verify({ image: `${appRef}\n${ref('on-current')}`, 'local-image': 'none' });
    assert.equal(audit.outputs['base-drift'], 'true', audit.stdout);
    assert.deepEqual(JSON.parse(audit.outputs['drifted-images'] ?? '[]'), [appRef]);
  });

  /** The multi-platform index with its entries changed, pushed under `tag` (blobs are all in the repository already). */
  async function pushIndex(tag: string, change: (manifests: Entry[]) => Entry[]): Promise<string> {
    assert.ok(multi, 'the multi-platform push ran first');
    const manifests = change(structuredClone(multi.index.manifests));
    return pushManifest(registry.host, repo, tag, { ...multi.index, manifests }, OCI_INDEX);
  }
  const images = () => multi.index.manifests.filter((m) => m.platform?.os === 'linux');
  const attestationEntries = () => multi.index.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');

  it("an attestation re-attached to the other platform's manifest fails rule attestations (subject mismatch), multi- and single-platform", async () => {
    const [amd, arm] = [images().find((m) => m.platform?.architecture === 'amd64'), images().find((m) => m.platform?.architecture === 'arm64')];
    assert.ok(amd && arm);
    // Swap: amd64's provenance now claims to describe arm64 and the other way round.
    await pushIndex('swapped', (manifests) =>
      manifests.map((m) => {
        const to = m.annotations?.[REF_DIGEST];
        if (!to) return m;
        return { ...m, annotations: { ...m.annotations, [REF_DIGEST]: to === amd.digest ? arm.digest : amd.digest } };
      }),
    );
    const all = await verify({ image: ref('swapped'), 'local-image': 'none', platform: 'all' });
    const failed = assertAttestationsFail(all, new RegExp(`attached to ${arm.digest} but its subject names ${amd.digest}`));
    assert.deepEqual([...new Set(failed.map((m) => m.platform))].sort(), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(
      attestationsOf(all).map((a) => a.provenance),
      [false, false],
      'a statement about another image is not provenance for this one',
    );
    assert.match(all.summary, /Supply chain/);

    const one = await verify({ image: ref('swapped'), 'local-image': 'none', platform: 'linux/arm64' });
    assertAttestationsFail(one, new RegExp(`for linux/arm64 is attached to ${arm.digest} but its subject names ${amd.digest}`));
  });

  it('a crafted SPDX SBOM and SLSA v1 provenance in BuildKit\'s storage format satisfy require-attestations; registry text is escaped', async () => {
    const amd = images().find((m) => m.platform?.architecture === 'amd64');
    const amdAttestation = attestationEntries().find((m) => m.annotations?.[REF_DIGEST] === amd?.digest);
    assert.ok(amd && amdAttestation);
    const original = JSON.parse((await getServedManifest(registry.host, repo, amdAttestation.digest)).bytes.toString('utf8')) as { config: Entry; layers: Entry[] };
    const subject = [{ name: 'pkg:docker/app@sbom', digest: { sha256: amd.digest.slice('sha256:'.length) } }];
    const hostile = '<script>alert(1)</script>|*x*';
    const spdx = { _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document', subject, predicate: { spdxVersion: 'SPDX-2.3', name: 'app' } };
    const slsa1 = {
      _type: 'https://in-toto.io/Statement/v1',
      predicateType: 'https://slsa.dev/provenance/v1',
      subject,
      predicate: {
        buildDefinition: { buildType: 'https://mobyproject.org/buildkit@v1', externalParameters: { configSource: { uri: 'https://git.example/app.git', digest: { sha1: 'c0ffee' } } } },
        runDetails: { builder: { id: hostile } },
      },
    };
    const layers: Entry[] = [];
    for (const statement of [spdx, slsa1]) {
      const uploaded = await uploadBlob(registry.host, repo, Buffer.from(JSON.stringify(statement)));
      layers.push({ mediaType: 'application/vnd.in-toto+json', ...uploaded, annotations: { 'in-toto.io/predicate-type': statement.predicateType } });
    }
    const crafted = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: original.config, layers };
    const craftedDigest = await pushManifest(registry.host, repo, 'crafted-sbom', crafted, OCI_MANIFEST);
    const craftedSize = Buffer.byteLength(JSON.stringify(crafted));
    await pushIndex('sbom', (manifests) => manifests.map((m) => (m.digest === amdAttestation.digest ? { ...m, digest: craftedDigest, size: craftedSize } : m)));

    const run = await verify({ image: ref('sbom'), 'local-image': 'none', platform: 'linux/amd64', 'require-attestations': 'provenance,sbom' });
    assertVerified(run);
    assert.deepEqual(
      attestationsOf(run).map(({ referrers, ...rest }) => {
        assert.deepEqual([referrers?.signatures, referrers?.sboms, referrers?.other], [[], [], []], 'nothing refers to this push');
        return rest;
      }),
      [
      {
        platform: 'linux/amd64',
        provenance: true,
        sbom: true,
        predicateTypes: ['https://spdx.dev/Document', 'https://slsa.dev/provenance/v1'],
        builder: hostile,
        source: 'https://git.example/app.git',
        revision: 'c0ffee',
      },
      ],
    );
    assert.ok(!run.summary.includes('<script>'), 'registry text cannot inject HTML');
    assert.match(run.summary, /&lt;script&gt;/);
    // arm64 kept BuildKit's provenance only: requiring an SBOM there fails.
    const arm = await verify({ image: ref('sbom'), 'local-image': 'none', platform: 'linux/arm64', 'require-attestations': 'sbom' });
    assertAttestationsFail(arm, /linux\/arm64 \(sha256:[0-9a-f]{64}\) carries no sbom attestation/);
  });

  it('an attestation attached to a manifest not in the index (dangling) fails rule attestations', async () => {
    const [first] = attestationEntries();
    assert.ok(first);
    const elsewhere = `sha256:${'e'.repeat(64)}`;
    await pushIndex('dangling', (manifests) =>
      manifests.map((m) => (m.digest === first.digest ? { ...m, annotations: { ...m.annotations, [REF_DIGEST]: elsewhere } } : m)),
    );
    const run = await verify({ image: ref('dangling'), 'local-image': 'none', platform: 'all' });
    assertAttestationsFail(run, new RegExp(`attestation ${first.digest} is attached to ${elsewhere}, which is not a platform image in this index`));
  });

  it('a statement whose stored bytes do not hash to its descriptor fails rule attestations, never passes', async () => {
    const [first] = attestationEntries();
    assert.ok(first);
    const attestation = JSON.parse((await getServedManifest(registry.host, repo, first.digest)).bytes.toString('utf8')) as { layers: Entry[] };
    const layer = attestation.layers.find((l) => l.mediaType === 'application/vnd.in-toto+json');
    assert.ok(layer, 'BuildKit attached an in-toto statement');
    // A statement of our own (the same one plus a newline), so corrupting it touches no other tag.
    const statement = Buffer.concat([await getBlob(registry.host, repo, layer.digest), Buffer.from('\n')]);
    const uploaded = await uploadBlob(registry.host, repo, statement);
    const crafted = { ...attestation, layers: attestation.layers.map((l) => (l === layer ? { ...l, ...uploaded } : l)) };
    const craftedDigest = await pushManifest(registry.host, repo, 'crafted-attestation', crafted, OCI_MANIFEST);
    const craftedSize = Buffer.byteLength(JSON.stringify(crafted));
    await pushIndex('tampered', (manifests) => manifests.map((m) => (m.digest === first.digest ? { ...m, digest: craftedDigest, size: craftedSize } : m)));

    // Before the bytes change, the crafted statement is still a faithful one: verified.
    assertVerified(await verify({ image: ref('tampered'), 'local-image': 'none', platform: 'all' }));

    // The registry's storage now serves other bytes of the same length for that digest.
    const altered = Buffer.from(statement);
    altered[altered.length - 1] = 0x20;
    await writeFile(blobDataPath(registry.storageDir, uploaded.digest), altered);
    const run = await verify({ image: ref('tampered'), 'local-image': 'none', platform: 'all' });
    assertAttestationsFail(run, new RegExp(`in-toto statement blob ${uploaded.digest} of .* does not match its descriptor`));
  });

  it('referrers (OCI 1.1) on a registry without the referrers API: an SPDX SBOM through the sha256-<hex> tag and a cosign .sig tag are reported, a wrong subject is not', async () => {
    const amd = images().find((m) => m.platform?.architecture === 'amd64');
    const arm = images().find((m) => m.platform?.architecture === 'arm64');
    assert.ok(amd && arm);
    // Debian's distribution 2.8 has no referrers API: its router answers a plain-text 404, the case the client falls back on.
    const probe = await fetch(`http://${registry.host}/v2/${repo}/referrers/${amd.digest}`);
    assert.equal(probe.status, 404);
    assert.match(await probe.text(), /404 page not found/);

    const empty = { mediaType: 'application/vnd.oci.empty.v1+json', ...(await uploadBlob(registry.host, repo, Buffer.from('{}'))) };
    /** An SPDX SBOM artifact (OCI 1.1 image manifest with artifactType) whose subject is `subject`. */
    async function sbomFor(subject: Entry, name: string): Promise<Entry & { artifactType: string }> {
      const document = Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name }));
      const layer = { mediaType: SPDX_JSON, ...(await uploadBlob(registry.host, repo, document)) };
      const manifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: SPDX_JSON,
        config: empty,
        layers: [layer],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      };
      const digest = await pushManifest(registry.host, repo, digestOf(manifest), manifest, OCI_MANIFEST);
      return { mediaType: OCI_MANIFEST, digest, size: Buffer.byteLength(JSON.stringify(manifest)), artifactType: SPDX_JSON };
    }
    const sbom = await sbomFor(amd, 'app');
    const fallbackTag = `sha256-${amd.digest.slice('sha256:'.length)}`;
    await pushManifest(registry.host, repo, fallbackTag, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [sbom] }, OCI_INDEX);
    // cosign's tag scheme before OCI 1.1, on the index digest (cosign sign IMAGE@INDEX-DIGEST).
    const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': `${registry.host}/${repo}` }, image: { 'docker-manifest-digest': multi.digest }, type: 'cosign container image signature' }, optional: null }));
    const signatureLayer = { mediaType: COSIGN_SIMPLESIGNING, ...(await uploadBlob(registry.host, repo, payload)), annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ==' } };
    const cosignConfig = { mediaType: 'application/vnd.oci.image.config.v1+json', ...(await uploadBlob(registry.host, repo, Buffer.from('{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]}}'))) };
    const sigTag = `sha256-${multi.digest.slice('sha256:'.length)}.sig`;
    const sigDigest = await pushManifest(registry.host, repo, sigTag, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: cosignConfig, layers: [signatureLayer] }, OCI_MANIFEST);

    const all = await verify({ image: ref('multi'), digest: multi.digest, 'local-image': 'none', platform: 'all' });
    assertVerified(all);
    const byPlatform = new Map(attestationsOf(all).map((a) => [a.platform, a]));
    const amdOut = byPlatform.get('linux/amd64')?.referrers;
    const armOut = byPlatform.get('linux/arm64')?.referrers;
    assert.ok(amdOut && armOut, all.outputs.attestations);
    assert.deepEqual(amdOut.sboms, [{ artifactType: SPDX_JSON, digest: sbom.digest, subject: amd.digest, refersTo: 'manifest', foundBy: 'fallback-tag', tag: fallbackTag }]);
    assert.deepEqual(armOut.sboms, [], 'the SBOM is about amd64 only');
    const signature = { artifactType: COSIGN_SIMPLESIGNING, digest: sigDigest, subject: multi.digest, refersTo: 'index', foundBy: 'cosign-tag', tag: sigTag };
    assert.deepEqual(amdOut.signatures, [signature], 'the index signature covers every platform it lists');
    assert.deepEqual(armOut.signatures, [signature]);
    assert.deepEqual(amdOut.listedBy, [
      { subject: amd.digest, via: 'fallback-tag' },
      { subject: multi.digest, via: 'fallback-tag' },
    ]);
    assert.deepEqual(amdOut.problems, []);
    assert.equal(byPlatform.get('linux/amd64')?.provenance, true, 'next to the BuildKit provenance');
    assert.match(all.summary, /Referrers \(OCI 1\.1\), listed through the referrers tag \(no referrers API\)/);
    assert.ok(all.summary.includes(SPDX_JSON) && all.summary.includes(COSIGN_SIMPLESIGNING), 'the summary names both');
    assert.match(all.summary, /presence only, signatures are not verified/);
    assert.match(all.summary, new RegExp(`cosign tag ${sigTag}`));

    // The one-platform path reports the same for its platform.
    const one = await verify({ image: ref('multi'), digest: multi.digest, 'local-image': 'none', platform: 'linux/amd64' });
    assertVerified(one);
    const [oneOut] = attestationsOf(one);
    assert.deepEqual(oneOut?.referrers?.sboms.map((r) => r.digest), [sbom.digest]);
    assert.deepEqual(oneOut?.referrers?.signatures.map((r) => r.digest), [sigDigest]);

    // The referrers tag now also lists an SBOM about arm64: listed for amd64, its own subject says otherwise, so not counted.
    const stranger = await sbomFor(arm, 'other');
    await pushManifest(registry.host, repo, fallbackTag, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [sbom, stranger] }, OCI_INDEX);
    const mixed = await verify({ image: ref('multi'), digest: multi.digest, 'local-image': 'none', platform: 'linux/amd64' });
    assertVerified(mixed);
    const [mixedOut] = attestationsOf(mixed);
    assert.deepEqual(mixedOut?.referrers?.sboms.map((r) => r.digest), [sbom.digest], 'only the referrer whose subject is amd64 counts');
    assert.ok(!JSON.stringify(mixedOut?.referrers?.sboms).includes(stranger.digest));
    assert.ok(
      mixedOut?.referrers?.problems.some((p) => p.includes(`referrer ${stranger.digest} is listed for ${amd.digest} but its subject is ${arm.digest}: not counted`)),
      JSON.stringify(mixedOut?.referrers?.problems),
    );
    assert.match(mixed.summary, /Not counted:/);
  });
});
