// The index-level rules of a multi-platform run, case by case (issue 16): the expected digest
// (the tag's, or one platform's only when one platform is verified), the local index digest, every
// platform on one side only, entries a runtime may pull that nobody verified, and the runtime's
// choice per platform. Each case used to pass the suite with a rule dropped or inverted: a false pass.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalImage } from '../../src/local/source.js';
import type { Check } from '../../src/model/check.js';
import type { PlatformReport } from '../../src/model/report.js';
import type { Descriptor, ImageIndex, Platform } from '../../src/oci/types.js';
import { parsePlatformSelection } from '../../src/options.js';
import { indexEntries, type RemoteTop } from '../../src/registry/resolve.js';
import { planPairs, type PlatformPair } from '../../src/verify/pairing.js';
import { checkIndexDigest, checkTopDigest, indexChecks, presenceChecks } from '../../src/verify/platforms.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const ARTIFACT = 'application/vnd.example.sbom.v1+json';
const HOST = { os: 'linux', architecture: 'amd64' };
const TOP = d(9000);

function platformOf(spec: string): Platform {
  const [os = '', architecture = '', variant] = spec.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}
function entry(platform: string | undefined, n: number, mediaType = MANIFEST, extra: Partial<Platform> = {}): Descriptor {
  return { mediaType, digest: d(n), size: 1, ...(platform ? { platform: { ...platformOf(platform), ...extra } } : {}) };
}
function indexTop(entries: Descriptor[]): RemoteTop {
  const body: ImageIndex = { schemaVersion: 2, manifests: entries };
  return { reference: 'r/app:1', top: { digest: TOP, mediaType: INDEX, size: 1, body, bytes: Buffer.alloc(0) }, ...indexEntries(body) };
}
/** A tag that is one image manifest (its one entry made from its config, as the registry reader does). */
function singleTop(n: number): RemoteTop {
  const image = entry('linux/amd64', n);
  return {
    reference: 'r/app:1',
    top: { digest: d(n), mediaType: MANIFEST, size: 1, body: { schemaVersion: 2, config: { mediaType: 'c', digest: d(1), size: 1 }, layers: [] }, bytes: Buffer.alloc(0) },
    images: [image],
    attestations: [],
    others: [],
    entries: [image],
  };
}
function localImage(platform: string, n: number): LocalImage {
  return { reference: 'app', source: 'test', id: d(n + 1000), idKind: 'config', diffIds: [], platform: platformOf(platform), repoDigests: [], manifestDigest: d(n) };
}
function report(platform: string, presence: PlatformReport['presence'], status: PlatformReport['status'], manifest?: number, attestation?: PlatformReport['attestation']): PlatformReport {
  return {
    platform,
    presence,
    status,
    ...(manifest !== undefined
      ? { remote: { reference: 'r/app:1', indexDigest: TOP, manifestDigest: d(manifest), manifestMediaType: MANIFEST, configDigest: d(manifest + 500), platform } }
      : {}),
    checks: [],
    layers: [],
    ...(attestation ? { attestation } : {}),
  };
}
const verdicts = (checks: Check[]) => checks.map((c) => [c.rule, c.ok]);

test('digest: the tag digest, or one platform manifest only when one platform was verified', () => {
  const amd = report('linux/amd64', 'both', 'verified', 1);
  const arm = report('linux/arm64', 'both', 'verified', 2);
  const cases: { name: string; remote: RemoteTop; expected: string; platforms: PlatformReport[]; ok: boolean; message: RegExp }[] = [
    { name: 'the index digest', remote: indexTop([]), expected: TOP, platforms: [amd, arm], ok: true, message: /^the registry's index digest equals the expected digest$/ },
    { name: 'a single manifest digest', remote: singleTop(1), expected: d(1), platforms: [amd], ok: true, message: /^the registry's manifest digest equals the expected digest$/ },
    { name: 'the one platform verified', remote: indexTop([]), expected: d(1), platforms: [amd], ok: true, message: /^the registry's platform manifest digest equals the expected digest$/ },
    // A false pass: one platform's manifest is not the digest of a run over several.
    { name: 'one platform of two', remote: indexTop([]), expected: d(1), platforms: [amd, arm], ok: false, message: /serves index sha256:0+2328, not the expected digest sha256:0+1$/ },
    { name: 'another digest, one platform', remote: indexTop([]), expected: d(3), platforms: [amd], ok: false, message: /serves index sha256:0+2328, platform manifest sha256:0+1, not the expected/ },
    { name: 'another digest, single manifest', remote: singleTop(1), expected: d(3), platforms: [amd], ok: false, message: /^the registry serves manifest sha256:0+1, not the expected digest sha256:0+3$/ },
    // The one platform was not pushed: there is no platform manifest to accept.
    { name: 'one platform, on the local side only', remote: indexTop([]), expected: d(3), platforms: [report('linux/amd64', 'local', 'mismatch')], ok: false, message: /serves index sha256:0+2328, not the expected/ },
  ];
  for (const c of cases) {
    const check = checkTopDigest(c.remote, c.expected, c.platforms);
    assert.equal(check.rule, 'digest', c.name);
    assert.equal(check.ok, c.ok, c.name);
    assert.equal(check.expected, c.expected, c.name);
    assert.equal(check.actual, c.remote.top.digest, c.name);
    assert.match(check.message, c.message, c.name);
  }
});

test('index-digest: the same index proves all; another passes only when every platform is on both sides and verified', () => {
  const both = (p: string, n: number, a?: PlatformReport['attestation']) => report(p, 'both', 'verified', n, a);
  const cases: { name: string; local: string; platforms: PlatformReport[]; ok: boolean; message: RegExp }[] = [
    { name: 'the same index', local: TOP, platforms: [], ok: true, message: /serves the local index .* byte for byte/ },
    { name: 'another index, every platform verified', local: d(8000), platforms: [both('linux/amd64', 1), both('linux/arm64', 2, { status: 'same', local: d(30), registry: d(30) })], ok: true, message: /every platform image matches: the indexes differ in annotations or entry order$/ },
    { name: 'another index, an attestation differs', local: d(8000), platforms: [both('linux/amd64', 1, { status: 'differs', local: d(30), registry: d(31) }), both('linux/arm64', 2, { status: 'same', local: d(32), registry: d(32) })], ok: true, message: /every platform image matches; 1 attestation\(s\) differ$/ },
    { name: 'another index, no platform at all', local: d(8000), platforms: [], ok: false, message: /and the platform images differ/ },
    { name: 'another index, one platform a mismatch', local: d(8000), platforms: [both('linux/amd64', 1), report('linux/arm64', 'both', 'mismatch', 2)], ok: false, message: /and the platform images differ/ },
    { name: 'another index, one platform only in the registry', local: d(8000), platforms: [both('linux/amd64', 1), report('linux/arm64', 'registry', 'verified', 2)], ok: false, message: /and the platform images differ/ },
    { name: 'another index, one platform only in the local build', local: d(8000), platforms: [report('linux/arm64', 'local', 'verified')], ok: false, message: /and the platform images differ/ },
  ];
  for (const c of cases) {
    const check = checkIndexDigest(indexTop([]), c.local, c.platforms);
    assert.deepEqual([check.rule, check.ok, check.expected, check.actual], ['index-digest', c.ok, c.local, TOP], c.name);
    assert.match(check.message, c.message, c.name);
  }
});

test('indexChecks: the digest and index-digest rules run exactly when their input is given', () => {
  const remote = indexTop([entry('linux/amd64', 1), entry('linux/arm64', 2)]);
  const plan = planPairs(parsePlatformSelection('all'), undefined, remote, HOST);
  const mismatch = [report('linux/amd64', 'both', 'verified', 1), report('linux/arm64', 'both', 'mismatch', 2)];
  assert.deepEqual(verdicts(indexChecks(remote, plan.pairs, mismatch, { wholeIndex: true })), []);
  assert.deepEqual(verdicts(indexChecks(remote, plan.pairs, mismatch, { wholeIndex: true, expectedDigest: d(1) })), [['digest', false]]);
  assert.deepEqual(verdicts(indexChecks(remote, plan.pairs, mismatch, { wholeIndex: true, expectedDigest: TOP })), [['digest', true]]);
  assert.deepEqual(verdicts(indexChecks(remote, plan.pairs, mismatch, { wholeIndex: true, localIndexDigest: d(8000) })), [['index-digest', false]]);
  assert.deepEqual(verdicts(indexChecks(remote, plan.pairs, mismatch, { wholeIndex: true, localIndexDigest: TOP })), [['index-digest', true]]);
  // A tag that is one manifest has no index to compare with the local one.
  const single = singleTop(1);
  const one = planPairs(parsePlatformSelection('all'), undefined, single, HOST);
  assert.deepEqual(verdicts(indexChecks(single, one.pairs, [report('linux/amd64', 'both', 'verified', 1)], { wholeIndex: true, localIndexDigest: d(8000) })), []);
});

test('presence: a platform on one side only, or on neither, is a failed check', () => {
  const cases: { name: string; pair: PlatformPair; haveLocal: boolean; failed: RegExp | undefined }[] = [
    { name: 'local only', pair: { platform: 'linux/arm64', local: localImage('linux/arm64', 2) }, haveLocal: true, failed: /^linux\/arm64 is in the local build \(sha256:0+2\) but not in r\/app:1: it was not pushed$/ },
    { name: 'registry only, with a local build', pair: { platform: 'linux/arm64', remote: entry('linux/arm64', 2) }, haveLocal: true, failed: /^linux\/arm64 is in r\/app:1 \(sha256:0+2\) but not in the local build/ },
    { name: 'registry only, no local build', pair: { platform: 'linux/arm64', remote: entry('linux/arm64', 2) }, haveLocal: false, failed: undefined },
    { name: 'neither side', pair: { platform: 'linux/s390x' }, haveLocal: true, failed: /^linux\/s390x was asked for but is neither in r\/app:1 nor in the local build$/ },
    { name: 'neither side, no local build', pair: { platform: 'linux/s390x' }, haveLocal: false, failed: /was asked for but is neither/ },
    { name: 'both sides', pair: { platform: 'linux/arm64', local: localImage('linux/arm64', 2), remote: entry('linux/arm64', 2) }, haveLocal: true, failed: undefined },
  ];
  for (const c of cases) {
    const checks = presenceChecks(c.pair, 'r/app:1', c.haveLocal);
    if (!c.failed) {
      assert.deepEqual(checks, [], c.name);
      continue;
    }
    assert.deepEqual(verdicts(checks), [['platforms', false]], c.name);
    assert.match(checks[0]?.message ?? '', c.failed, c.name);
  }
});

test('whole index: every pullable entry must be verified; artifacts are reported, not failed', () => {
  const remote = indexTop([
    entry('linux/amd64', 1),
    entry(undefined, 3), // an image without a platform: containerd falls back to it
    entry('linux/arm64', 4, INDEX), // a nested index
    entry(undefined, 5, ARTIFACT),
  ]);
  const plan = planPairs(parsePlatformSelection('all'), undefined, remote, HOST);
  assert.deepEqual(plan.pairs.map((p) => p.remote?.digest), [d(1)]);
  const whole = indexChecks(remote, plan.pairs, [], { wholeIndex: true });
  assert.deepEqual(
    whole.filter((c) => !/runtime pulling/.test(c.message)).map((c) => [c.ok, /(sha256:0+\d)/.exec(c.message)?.[1]]),
    [
      [false, d(3)],
      [false, d(4)],
      [true, d(5)],
    ],
  );
  assert.match(whole[0]?.message ?? '', /no platform\) which is neither a platform image nor an attestation: a runtime may pull it/);
  assert.match(whole[2]?.message ?? '', /not an image: not verified, not pulled by runtimes$/);
  // Without wholeIndex (a list of platforms) the other entries are not this run's question.
  assert.deepEqual(
    indexChecks(remote, plan.pairs, [], { wholeIndex: false }).filter((c) => !/runtime pulling/.test(c.message)),
    [],
  );
});

test('whole index: a second image entry for a platform already paired fails (another os.version)', () => {
  const remote = indexTop([
    entry('windows/amd64', 1, MANIFEST, { 'os.version': '10.0.17763.1' }),
    entry('windows/amd64', 2, MANIFEST, { 'os.version': '10.0.20348.1' }),
    entry('linux/arm64', 3),
  ]);
  const local = { kind: 'index' as const, index: { reference: 'oci-layout:out', source: 'test', images: [localImage('linux/arm64', 3), localImage('windows/amd64', 1)], attestations: [] } };
  const plan = planPairs(parsePlatformSelection('all'), local, remote, HOST);
  assert.deepEqual(plan.pairs.map((p) => [p.platform, p.remote?.digest]), [
    ['windows/amd64', d(1)],
    ['linux/arm64', d(3)],
  ]);
  const checks = indexChecks(remote, plan.pairs, [], { wholeIndex: true });
  assert.deepEqual(verdicts(checks), [['platforms', false]]);
  assert.match(checks[0]?.message ?? '', /^r\/app:1 lists sha256:0+2 for windows\/amd64 after another entry for the same platform: some hosts pull it/);
  // Every entry paired: nothing to say.
  const paired = indexTop([entry('linux/amd64', 1), entry('linux/arm64', 3)]);
  const both = planPairs(parsePlatformSelection('all'), undefined, paired, HOST);
  assert.deepEqual(indexChecks(paired, both.pairs, [], { wholeIndex: true }), []);
  // A platform on the local side only is no registry entry verified, and lists no entry as unpaired.
  const withLocal: PlatformPair[] = [...both.pairs, { platform: 'linux/s390x', local: localImage('linux/s390x', 9) }];
  assert.deepEqual(indexChecks(paired, withLocal, [], { wholeIndex: true }), []);
});

test('runtime choice: the entry a runtime pulls for each platform must be the one verified', () => {
  // The arm64 nested index is listed after the arm/v7 image the list pairs with arm64 (its fallback): preferred to it.
  const preferred = indexTop([entry('linux/arm/v7', 6), entry('linux/arm64', 5, INDEX)]);
  const plan = planPairs(parsePlatformSelection('linux/arm64,linux/arm/v7'), undefined, preferred, HOST);
  assert.deepEqual(plan.pairs.map((p) => [p.platform, p.remote?.digest]), [
    ['linux/arm64', d(6)],
    ['linux/arm/v7', d(6)],
  ]);
  const checks = indexChecks(preferred, plan.pairs, [], { wholeIndex: plan.wholeIndex });
  assert.deepEqual(verdicts(checks), [['platforms', false]]);
  assert.equal(checks[0]?.platform, 'linux/arm64');
  assert.match(checks[0]?.message ?? '', /takes sha256:0+5 \(application\/vnd\.oci\.image\.index\.v1\+json\), preferred to the verified sha256:0+6/);
  // Without a platform asked for, the verified entry's own platform is the one a runtime asks for.
  const listed = indexTop([entry('linux/amd64', 7, INDEX), entry('linux/amd64', 8)]);
  const own = indexChecks(listed, [{ platform: 'linux/amd64', remote: listed.images[0] }], [], { wholeIndex: false });
  assert.deepEqual(verdicts(own), [['platforms', false]]);
  assert.match(own[0]?.message ?? '', /takes sha256:0+7 .*, listed before the verified sha256:0+8/);
});

test('runtime choice: nothing to judge without a verified entry or a platform (and no throw)', () => {
  // arm64 asked for: no arm64 image, only a nested index a runtime would take; not verified, so not judged here.
  const nested = indexTop([entry('linux/amd64', 1), entry('linux/arm64', 5, INDEX)]);
  const plan = planPairs(parsePlatformSelection('linux/amd64,linux/arm64'), undefined, nested, HOST);
  assert.deepEqual(plan.pairs.map((p) => [p.platform, p.remote?.digest]), [
    ['linux/amd64', d(1)],
    ['linux/arm64', undefined],
  ]);
  assert.deepEqual(indexChecks(nested, plan.pairs, [], { wholeIndex: plan.wholeIndex }), []);
  // An entry without a platform, nothing asked for: no platform to match by.
  const bare = indexTop([entry(undefined, 3), entry('linux/amd64', 1)]);
  const noWant: PlatformPair[] = [{ platform: 'linux/amd64', remote: bare.images[0] }, { platform: '(none)', remote: bare.others[0] }];
  assert.deepEqual(indexChecks(bare, noWant, [], { wholeIndex: false }), []);
  // A local-only pair (no entry, no platform asked for).
  assert.deepEqual(indexChecks(bare, [...noWant, { platform: 'linux/s390x', local: localImage('linux/s390x', 9) }], [], { wholeIndex: false }), []);
});

test('one platform asked for: the pair is named by the entry a runtime takes, a fallback included', () => {
  const remote = indexTop([entry('linux/arm/v7', 6)]);
  const plan = planPairs(parsePlatformSelection('linux/arm64'), undefined, remote, HOST);
  assert.deepEqual(plan.pairs.map((p) => [p.platform, p.remote?.digest]), [['linux/arm/v7', d(6)]]);
  assert.deepEqual(plan.pairs[0]?.want, platformOf('linux/arm64'));
});
