import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalImage } from '../../src/local/source.js';
import type { Descriptor, ImageIndex } from '../../src/oci/types.js';
import { parsePlatformSelection } from '../../src/options.js';
import { indexEntries, type RemoteTop } from '../../src/registry/resolve.js';
import { pairAttestation, pairPlatforms, planPairs } from '../../src/verify/pairing.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function localImage(platform: string, manifest: number): LocalImage {
  const [os = '', architecture = '', variant] = platform.split('/');
  return {
    reference: 'oci-layout:out',
    source: 'test',
    id: d(manifest + 1000),
    idKind: 'config',
    diffIds: [],
    platform: variant ? { os, architecture, variant } : { os, architecture },
    repoDigests: [],
    manifestDigest: d(manifest),
  };
}

function entry(platform: string, manifest: number): Descriptor {
  const [os = '', architecture = '', variant] = platform.split('/');
  return { mediaType: MANIFEST, digest: d(manifest), size: 1, platform: variant ? { os, architecture, variant } : { os, architecture } };
}

const summary = (pairs: ReturnType<typeof pairPlatforms>) =>
  pairs.map((p) => `${p.platform}:${p.local ? 'L' : '-'}${p.remote ? 'R' : '-'}`);

test('all: every platform on either side, registry order first, normalised spellings paired', () => {
  const local = [localImage('linux/amd64', 1), localImage('linux/arm64', 2), localImage('linux/s390x', 3)];
  const remote = [entry('linux/arm64/v8', 12), entry('linux/amd64', 11), entry('linux/arm/v7', 13)];
  assert.deepEqual(summary(pairPlatforms(local, remote, { kind: 'all' })), ['linux/arm64:LR', 'linux/amd64:LR', 'linux/arm/v7:-R', 'linux/s390x:L-']);
  assert.deepEqual(summary(pairPlatforms(local, remote, { kind: 'default' })), summary(pairPlatforms(local, remote, { kind: 'all' })));
});

test('a list: exactly those platforms, missing ones on either side reported', () => {
  const local = [localImage('linux/amd64', 1)];
  const remote = [entry('linux/amd64', 11), entry('linux/arm64', 12)];
  const selection = parsePlatformSelection('linux/amd64, linux/arm64,linux/ppc64le');
  assert.deepEqual(summary(pairPlatforms(local, remote, selection)), ['linux/amd64:LR', 'linux/arm64:-R', 'linux/ppc64le:--']);
});

test('the first registry entry for a platform wins, as runtimes pick it', () => {
  const pairs = pairPlatforms([], [entry('linux/amd64', 11), entry('linux/amd64', 99)], { kind: 'all' });
  assert.equal(pairs.length, 1);
  assert.equal(pairs[0]?.remote?.digest, d(11));
});

test('attestations are matched by their subject digest on each side', () => {
  const image = localImage('linux/amd64', 1);
  const remoteEntry = entry('linux/amd64', 1);
  const att = (digest: number, subject: number): Descriptor => ({
    mediaType: MANIFEST,
    digest: d(digest),
    size: 1,
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d(subject) },
  });
  assert.deepEqual(pairAttestation(image, [{ digest: d(50), subject: d(1) }], remoteEntry, [att(50, 1)]), { status: 'same', local: d(50), registry: d(50) });
  assert.deepEqual(pairAttestation(image, [{ digest: d(50), subject: d(1) }], remoteEntry, [att(51, 1)]), { status: 'differs', local: d(50), registry: d(51) });
  assert.deepEqual(pairAttestation(image, [], remoteEntry, [att(51, 1), att(52, 7)]), { status: 'registry-only', registry: d(51) });
  assert.deepEqual(pairAttestation(image, [{ digest: d(50), subject: d(1) }], undefined, []), { status: 'local-only', local: d(50) });
  assert.equal(pairAttestation(image, [{ digest: d(50), subject: d(9) }], remoteEntry, [att(52, 7)]), undefined, 'attestations of other images do not count');
});

test('parsePlatformSelection and when a run is multi-platform', () => {
  assert.deepEqual(parsePlatformSelection(''), { kind: 'default' });
  assert.deepEqual(parsePlatformSelection(' ALL '), { kind: 'all' });
  assert.deepEqual(parsePlatformSelection('linux/arm64/v8'), { kind: 'one', platform: { os: 'linux', architecture: 'arm64' } });
  assert.deepEqual(parsePlatformSelection('linux/amd64,linux/amd64'), { kind: 'one', platform: { os: 'linux', architecture: 'amd64' } });
  assert.equal(parsePlatformSelection('linux/amd64\nlinux/arm64').kind, 'list');
  assert.throws(() => parsePlatformSelection('all,linux/amd64'), /mixes all with single platforms/);
  assert.throws(() => parsePlatformSelection('linux'), /platform "linux" is not os\/architecture\[\/variant\]: use e\.g\. linux\/amd64, a comma-separated list .* or all/);
});

const HOST = { os: 'linux', architecture: 'amd64' };
const INDEX = 'application/vnd.oci.image.index.v1+json';

function indexTop(entries: Descriptor[]): RemoteTop {
  const body: ImageIndex = { schemaVersion: 2, manifests: entries };
  // The entries classified by the same function the registry reader uses.
  return { reference: 'r/app:1', top: { digest: d(9000), mediaType: INDEX, size: 1, body, bytes: Buffer.alloc(0) }, ...indexEntries(body) };
}

function singleTop(platform: string, manifest: number): RemoteTop {
  const [os = '', architecture = ''] = platform.split('/');
  return {
    reference: 'r/app:1',
    top: { digest: d(manifest), mediaType: MANIFEST, size: 1, body: { schemaVersion: 2, config: entry(platform, manifest), layers: [] }, bytes: Buffer.alloc(0) },
    images: [entry(platform, manifest)],
    attestations: [],
    others: [],
    entries: [],
    single: {
      reference: 'r/app:1',
      manifestDigest: d(manifest),
      manifestMediaType: MANIFEST,
      manifest: { schemaVersion: 2, config: entry(platform, manifest), layers: [] },
      configDigest: d(manifest + 1),
      config: { os, architecture, rootfs: { type: 'layers', diff_ids: [] } },
      platform: { os, architecture },
    },
  };
}

const attestation = (subject: number, n: number): Descriptor => ({
  mediaType: MANIFEST,
  digest: d(n),
  size: 1,
  platform: { os: 'unknown', architecture: 'unknown' },
  annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d(subject) },
});

const asKeys = (plan: ReturnType<typeof planPairs>) => plan.pairs.map((p) => [p.platform, p.local?.manifestDigest, p.remote?.digest]);

test('planPairs: one platform or many, from the selection and what each side holds', () => {
  const remote = indexTop([entry('linux/amd64', 1), attestation(1, 11), entry('linux/arm64', 2), attestation(2, 12)]);
  const localIndex = { kind: 'index' as const, index: { reference: 'x', source: 'x', images: [localImage('linux/amd64', 1), localImage('linux/arm64', 2)], attestations: [] } };
  const localOne = { kind: 'image' as const, image: localImage('linux/arm64', 2) };
  const cases: { name: string; selection: string; target?: typeof localIndex | typeof localOne; want: unknown[]; wholeIndex: boolean; several: boolean }[] = [
    // A local index by default answers for the whole tag: every platform on either side, attestations never a platform.
    { name: 'local index, default', selection: '', target: localIndex, want: [['linux/amd64', d(1), d(1)], ['linux/arm64', d(2), d(2)]], wholeIndex: true, several: true },
    // One local image by default: the registry entry a runtime pulls for its platform, one pair.
    { name: 'local image, default', selection: '', target: localOne, want: [['linux/arm64', d(2), d(2)]], wholeIndex: false, several: false },
    // No local image, no platform: the runner's platform.
    { name: 'no local image', selection: '', want: [['linux/amd64', undefined, d(1)]], wholeIndex: false, several: false },
    // all without a local build: every registry platform, registry side only.
    { name: 'all, registry only', selection: 'all', want: [['linux/amd64', undefined, d(1)], ['linux/arm64', undefined, d(2)]], wholeIndex: true, several: true },
    // A list verifies exactly those; one asked for and on neither side is still a pair (it fails later).
    { name: 'list', selection: 'linux/arm64,linux/s390x', target: localIndex, want: [['linux/arm64', d(2), d(2)], ['linux/s390x', undefined, undefined]], wholeIndex: false, several: true },
    // One platform picks it out of a local index.
    { name: 'one out of a local index', selection: 'linux/amd64', target: localIndex, want: [['linux/amd64', d(1), d(1)]], wholeIndex: false, several: false },
  ];
  for (const c of cases) {
    const plan = planPairs(parsePlatformSelection(c.selection), c.target, remote, HOST);
    assert.deepEqual(asKeys(plan), c.want, c.name);
    assert.equal(plan.wholeIndex, c.wholeIndex, `${c.name}: wholeIndex`);
    assert.equal(plan.several, c.several, `${c.name}: several`);
  }
});

test('planPairs: a local platform only on one side is a pair with one side missing', () => {
  const remote = indexTop([entry('linux/amd64', 1)]);
  const local = { kind: 'index' as const, index: { reference: 'x', source: 'x', images: [localImage('linux/amd64', 1), localImage('linux/arm64', 2)], attestations: [] } };
  assert.deepEqual(asKeys(planPairs(parsePlatformSelection(''), local, remote, HOST)), [
    ['linux/amd64', d(1), d(1)],
    ['linux/arm64', d(2), undefined],
  ]);
});

test('planPairs: a single-platform tag, and the errors that say what to set', () => {
  const single = singleTop('linux/amd64', 1);
  assert.deepEqual(asKeys(planPairs(parsePlatformSelection(''), { kind: 'image', image: localImage('linux/amd64', 1) }, single, HOST)), [['linux/amd64', d(1), d(1)]]);
  // The local build is another platform than the single image pushed: a platform mismatch, said as such.
  assert.throws(
    () => planPairs(parsePlatformSelection(''), { kind: 'image', image: localImage('linux/arm64', 2) }, single, HOST),
    /r\/app:1 is a linux\/amd64 image but the local build oci-layout:out is linux\/arm64: compare builds of one platform/,
  );
  assert.throws(() => planPairs(parsePlatformSelection('linux/s390x'), undefined, single, HOST), /is a single-platform linux\/amd64 image, not linux\/s390x: set the platform input to linux\/amd64/);
  // An index without the platform names what it offers; a nested index for it is refused.
  const remote = indexTop([entry('linux/amd64', 1), attestation(1, 11)]);
  assert.throws(() => planPairs(parsePlatformSelection('linux/arm64'), undefined, remote, HOST), /has no linux\/arm64 image \(it offers linux\/amd64\): set the platform input/);
  const nested = indexTop([{ ...entry('linux/amd64', 3), mediaType: INDEX }, entry('linux/amd64', 1)]);
  assert.throws(() => planPairs(parsePlatformSelection(''), undefined, nested, HOST), /nests an index inside an index for linux\/amd64/);
  // A local index without the platform asked for.
  const localIndex = { kind: 'index' as const, index: { reference: 'x', source: 'x', images: [localImage('linux/amd64', 1)], attestations: [] } };
  assert.throws(() => planPairs(parsePlatformSelection('linux/arm64'), localIndex, remote, HOST), /the local build x has no linux\/arm64 image \(it has linux\/amd64\)/);
});

test('pairPlatforms with a list picks each side as containerd does: plain amd64 never takes amd64/v2', () => {
  const remote = [entry('linux/amd64/v2', 1), entry('linux/amd64', 2), entry('linux/386', 3)];
  const local = [localImage('linux/amd64/v2', 1), localImage('linux/amd64', 2)];
  const pairs = pairPlatforms(local, remote, parsePlatformSelection('linux/amd64,linux/386'));
  assert.deepEqual(
    pairs.map((p) => [p.platform, p.local?.manifestDigest, p.remote?.digest]),
    [
      ['linux/amd64', d(2), d(2)],
      ['linux/386', undefined, d(3)],
    ],
  );
  // amd64 falls back to 386 when no amd64 entry exists, as docker pull --platform linux/amd64 does
  const fallback = pairPlatforms([localImage('linux/amd64', 2)], [entry('linux/386', 3), entry('linux/amd64/v3', 4)], parsePlatformSelection('linux/amd64,linux/arm64'));
  assert.deepEqual(
    fallback.map((p) => [p.platform, p.remote?.digest]),
    [
      ['linux/amd64', d(3)],
      ['linux/arm64', undefined],
    ],
  );
});
