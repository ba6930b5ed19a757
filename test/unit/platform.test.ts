import { test } from 'node:test';
import assert from 'node:assert/strict';

import { VerifyImageError } from '../../src/errors.js';
import {
  availablePlatforms,
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
  platformMatches,
  selectManifest,
} from '../../src/oci/platform.js';
import { MediaType, type Descriptor, type ImageIndex, type Platform } from '../../src/oci/types.js';

const parsed: Array<[string, Platform]> = [
  ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
  ['linux/arm64', { os: 'linux', architecture: 'arm64' }],
  ['linux/arm64/v8', { os: 'linux', architecture: 'arm64' }],
  ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
  ['linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
  ['linux/arm', { os: 'linux', architecture: 'arm', variant: 'v7' }],
  ['Linux/X86_64', { os: 'linux', architecture: 'amd64' }],
  ['linux/amd64/v3', { os: 'linux', architecture: 'amd64', variant: 'v3' }],
  ['linux/386', { os: 'linux', architecture: '386' }],
  ['windows/amd64', { os: 'windows', architecture: 'amd64' }],
  [' linux/s390x ', { os: 'linux', architecture: 's390x' }],
];
for (const [input, expected] of parsed) {
  test(`parsePlatform(${JSON.stringify(input)})`, () => {
    assert.deepEqual(parsePlatform(input), expected);
  });
}

const malformed = ['', 'linux', 'linux/', '/amd64', 'linux//amd64', 'linux/arm/v7/extra', 'linux/amd 64', 'linux/amd64/'];
for (const input of malformed) {
  test(`parsePlatform rejects ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parsePlatform(input),
      (err: unknown) => {
        assert.ok(err instanceof VerifyImageError);
        assert.equal(err.code, 'input');
        assert.match(err.message, /^invalid platform ".*": use os\/architecture\[\/variant\] \(e\.g\. linux\/amd64/);
        return true;
      },
    );
  });
}

const normalised: Array<[Platform, Platform]> = [
  [{ os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'arm64' }],
  [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'arm64' }],
  [{ os: 'linux', architecture: 'arm64', variant: '8' }, { os: 'linux', architecture: 'arm64' }],
  [{ os: 'linux', architecture: 'aarch64', variant: 'v8' }, { os: 'linux', architecture: 'arm64' }],
  [{ os: 'linux', architecture: 'arm64', variant: 'v9' }, { os: 'linux', architecture: 'arm64', variant: 'v9' }],
  [{ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
  [{ os: 'linux', architecture: 'arm', variant: '6' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
  [{ os: 'linux', architecture: 'arm', variant: 'v5' }, { os: 'linux', architecture: 'arm', variant: 'v5' }],
  [{ os: 'linux', architecture: 'armhf' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
  [{ os: 'linux', architecture: 'armel' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
  [{ os: 'linux', architecture: 'x86_64' }, { os: 'linux', architecture: 'amd64' }],
  [{ os: 'linux', architecture: 'x86-64' }, { os: 'linux', architecture: 'amd64' }],
  [{ os: 'linux', architecture: 'amd64', variant: 'v1' }, { os: 'linux', architecture: 'amd64' }],
  [{ os: 'linux', architecture: 'i386' }, { os: 'linux', architecture: '386' }],
  [{ os: 'linux', architecture: '386' }, { os: 'linux', architecture: '386' }],
  [{ os: 'LINUX', architecture: 'AMD64' }, { os: 'linux', architecture: 'amd64' }],
  [{ os: 'linux', architecture: 'riscv64' }, { os: 'linux', architecture: 'riscv64' }],
  [
    { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2113', 'os.features': ['win32k'] },
    { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2113', 'os.features': ['win32k'] },
  ],
];
for (const [input, expected] of normalised) {
  test(`normalizePlatform(${formatPlatform(input)})`, () => {
    const before = structuredClone(input);
    assert.deepEqual(normalizePlatform(input), expected);
    assert.deepEqual(input, before, 'the input is not modified');
  });
}

const formats: Array<[Platform, string]> = [
  [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
  [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
  [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64/v8'],
  [{ os: 'linux', architecture: 'amd64', variant: '' }, 'linux/amd64'],
];
for (const [input, expected] of formats) {
  test(`formatPlatform → ${expected}`, () => {
    assert.equal(formatPlatform(input), expected);
  });
}

const matches: Array<[string, Platform, Platform, boolean]> = [
  ['same', { os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64' }, true],
  ['other arch', { os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }, false],
  ['other os', { os: 'linux', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64' }, false],
  ['aarch64 vs arm64/v8', { os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }, true],
  ['arm64/v8 vs arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'arm64' }, true],
  ['x86_64 vs amd64', { os: 'linux', architecture: 'x86_64' }, { os: 'linux', architecture: 'amd64' }, true],
  ['want without variant takes any', { os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64', variant: 'v3' }, true],
  ['want variant needs it', { os: 'linux', architecture: 'amd64', variant: 'v3' }, { os: 'linux', architecture: 'amd64' }, false],
  ['arm defaults to v7 on both sides', { os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }, true],
  ['arm/v7 vs variantless arm', { os: 'linux', architecture: 'arm', variant: 'v7' }, { os: 'linux', architecture: 'arm' }, true],
  ['arm (v7) vs arm/v6', { os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v6' }, false],
  ['arm/v6 vs armel', { os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'armel' }, true],
  ['os.version ignored when not wanted', { os: 'windows', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.1' }, true],
  ['os.version must match when wanted', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.2' }, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.1' }, false],
  ['os.version equal', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.1' }, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.1' }, true],
];
for (const [name, want, have, expected] of matches) {
  test(`platformMatches: ${name}`, () => {
    assert.equal(platformMatches(want, have), expected);
  });
}

function entry(tag: string, platform?: Platform, annotations?: Record<string, string>): Descriptor {
  const d: Descriptor = { mediaType: MediaType.OciManifest, digest: `sha256:${tag.repeat(64).slice(0, 64)}`, size: 100 };
  if (platform) d.platform = platform;
  if (annotations) d.annotations = annotations;
  return d;
}

const amd64 = entry('1', { os: 'linux', architecture: 'amd64' });
const arm64 = entry('2', { os: 'linux', architecture: 'arm64', variant: 'v8' });
const armv7 = entry('3', { os: 'linux', architecture: 'arm', variant: 'v7' });
const armv6 = entry('4', { os: 'linux', architecture: 'arm', variant: 'v6' });
const amd64Again = entry('5', { os: 'linux', architecture: 'amd64' });
const noPlatform = entry('6');
const attestation = (subject: Descriptor, tag: string): Descriptor =>
  entry(tag, { os: 'unknown', architecture: 'unknown' }, {
    'vnd.docker.reference.type': 'attestation-manifest',
    'vnd.docker.reference.digest': subject.digest,
  });

const buildkitIndex: ImageIndex = {
  schemaVersion: 2,
  mediaType: MediaType.OciIndex,
  manifests: [noPlatform, amd64, arm64, armv6, armv7, amd64Again, attestation(amd64, '7'), attestation(arm64, '8')],
};

const annotatedAmd64 = entry('9', { os: 'linux', architecture: 'amd64' }, { 'vnd.docker.reference.type': 'attestation-manifest' });
const selections: Array<[string, ImageIndex, Platform, Descriptor | undefined]> = [
  ['linux/amd64, first match wins', buildkitIndex, { os: 'linux', architecture: 'amd64' }, amd64],
  ['arm64 via aarch64', buildkitIndex, { os: 'linux', architecture: 'aarch64' }, arm64],
  ['arm64/v8 wanted', buildkitIndex, { os: 'linux', architecture: 'arm64', variant: 'v8' }, arm64],
  ['arm defaults to v7, skipping v6', buildkitIndex, { os: 'linux', architecture: 'arm' }, armv7],
  ['arm/v6', buildkitIndex, { os: 'linux', architecture: 'arm', variant: 'v6' }, armv6],
  ['no match', buildkitIndex, { os: 'linux', architecture: 's390x' }, undefined],
  ['unknown/unknown never selects an attestation', buildkitIndex, { os: 'unknown', architecture: 'unknown' }, undefined],
  ['empty index', { schemaVersion: 2, manifests: [] }, { os: 'linux', architecture: 'amd64' }, undefined],
  [
    // Docker pulls by platform and ignores annotations: this entry is what `docker pull` gets.
    'an entry annotated as an attestation but with a real platform is an image, and is selected',
    {
      schemaVersion: 2,
      manifests: [annotatedAmd64, amd64Again],
    },
    { os: 'linux', architecture: 'amd64' },
    annotatedAmd64,
  ],
];
for (const [name, index, want, expected] of selections) {
  test(`selectManifest: ${name}`, () => {
    assert.equal(selectManifest(index, want), expected);
  });
}

test('selectManifest skips malformed entries from the network instead of throwing', () => {
  const index = {
    schemaVersion: 2,
    manifests: [null, { mediaType: MediaType.OciManifest, digest: 'x', size: 1, platform: null }, { platform: { os: 'linux' } }, amd64],
  } as unknown as ImageIndex;
  assert.equal(selectManifest(index, { os: 'linux', architecture: 'amd64' }), amd64);
  assert.deepEqual(availablePlatforms(index), ['linux/amd64']);
  assert.equal(selectManifest({ schemaVersion: 2 } as unknown as ImageIndex, { os: 'linux', architecture: 'amd64' }), undefined);
});

test('availablePlatforms lists image platforms once each, without attestations', () => {
  assert.deepEqual(availablePlatforms(buildkitIndex), ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v6', 'linux/arm/v7']);
});

test('availablePlatforms of an index holding only attestations is empty', () => {
  assert.deepEqual(availablePlatforms({ schemaVersion: 2, manifests: [attestation(amd64, 'a')] }), []);
});

test('hostPlatform describes this machine in OCI terms', () => {
  const expectedArch: Partial<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };
  const host = hostPlatform();
  assert.equal(host.os, process.platform === 'win32' ? 'windows' : 'linux');
  const arch = expectedArch[process.arch];
  if (arch !== undefined) assert.equal(host.architecture, arch);
  if (process.arch === 'x64') assert.deepEqual(host, { os: host.os, architecture: 'amd64' });
  assert.deepEqual(normalizePlatform(host), host, 'hostPlatform is already normalised');
});
