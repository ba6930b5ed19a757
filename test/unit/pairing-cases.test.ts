// Pairing edges (issue 16): one platform asked for, entries without a platform, two local images
// for one platform (the first wins, as a runtime's stable choice), and attestation pairing with a
// side missing or an attestation without annotations. Each one used to pass the suite mutated.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalAttestation, LocalImage } from '../../src/local/source.js';
import type { Descriptor } from '../../src/oci/types.js';
import { pairAttestation, pairPlatforms } from '../../src/verify/pairing.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function localImage(os: string, architecture: string, manifest: number): LocalImage {
  return { reference: 'oci-layout:out', source: 'test', id: d(manifest + 1000), idKind: 'config', diffIds: [], platform: { os, architecture }, repoDigests: [], manifestDigest: d(manifest) };
}
const entry = (os: string, architecture: string, manifest: number): Descriptor => ({ mediaType: MANIFEST, digest: d(manifest), size: 1, platform: { os, architecture } });

test('one platform asked for: exactly that pair, each side chosen by the matcher', () => {
  const pairs = pairPlatforms([localImage('linux', 'amd64', 1), localImage('linux', 'arm64', 2)], [entry('linux', 'arm64', 12), entry('linux', 'amd64', 11)], {
    kind: 'one',
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  });
  assert.deepEqual(
    pairs.map((p) => [p.platform, p.local?.manifestDigest, p.remote?.digest]),
    [['linux/arm64', d(2), d(12)]],
  );
});

test('all: registry entries without a platform are not paired (and do not throw)', () => {
  const noPlatform: Descriptor = { mediaType: MANIFEST, digest: d(50), size: 1 };
  const pairs = pairPlatforms([localImage('linux', 'amd64', 1)], [noPlatform, entry('linux', 'amd64', 11)], { kind: 'all' });
  assert.deepEqual(
    pairs.map((p) => [p.platform, p.local?.manifestDigest, p.remote?.digest]),
    [['linux/amd64', d(1), d(11)]],
  );
});

test('all: two local images for one platform: the first is paired, as with registry entries', () => {
  const pairs = pairPlatforms([localImage('linux', 'amd64', 1), localImage('linux', 'amd64', 2)], [entry('linux', 'amd64', 11)], { kind: 'all' });
  assert.deepEqual(
    pairs.map((p) => [p.platform, p.local?.manifestDigest]),
    [['linux/amd64', d(1)]],
  );
  const localOnly = pairPlatforms([localImage('linux', 'arm64', 3), localImage('linux', 'arm64', 4)], [], { kind: 'all' });
  assert.deepEqual(
    localOnly.map((p) => [p.platform, p.local?.manifestDigest]),
    [['linux/arm64', d(3)]],
  );
});

test('pairAttestation: a platform only in the registry, and attestations without annotations', () => {
  const attestations: Descriptor[] = [
    { mediaType: MANIFEST, digest: d(90), size: 1 },
    { mediaType: MANIFEST, digest: d(91), size: 1, annotations: { 'vnd.docker.reference.digest': d(11) } },
  ];
  assert.deepEqual(pairAttestation(undefined, [], entry('linux', 'amd64', 11), attestations), { status: 'registry-only', registry: d(91) });
  const local: LocalAttestation[] = [{ digest: d(80), subject: d(1) }];
  assert.deepEqual(pairAttestation(localImage('linux', 'amd64', 1), local, undefined, attestations), { status: 'local-only', local: d(80) });
  assert.equal(pairAttestation(undefined, local, undefined, attestations), undefined);
});
