import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalImage } from '../../src/local/source.js';
import type { Descriptor } from '../../src/oci/types.js';
import { parsePlatformSelection } from '../../src/options.js';
import { pairAttestation, pairPlatforms } from '../../src/verify/pairing.js';
import { isMultiPlatformRun } from '../../src/verify/platforms.js';

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
  const index = { kind: 'index' as const, index: { reference: 'x', source: 'x', images: [], attestations: [] } };
  const image = { kind: 'image' as const, image: localImage('linux/amd64', 1) };
  assert.equal(isMultiPlatformRun({ kind: 'default' }, index), true);
  assert.equal(isMultiPlatformRun({ kind: 'default' }, image), false);
  assert.equal(isMultiPlatformRun({ kind: 'default' }, undefined), false);
  assert.equal(isMultiPlatformRun({ kind: 'all' }, image), true);
  assert.equal(isMultiPlatformRun({ kind: 'one', platform: { os: 'linux', architecture: 'amd64' } }, index), false);
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
