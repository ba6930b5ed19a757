import { test } from 'node:test';
import assert from 'node:assert/strict';

import { VerifyImageError } from '../../src/errors.js';
import {
  availablePlatforms,
  bestMatch,
  configPlatform,
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  onlyPlatform,
  parsePlatform,
  samePlatform,
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
  // containerd's table and nothing more: only arm gains a "v" on a bare number, only amd64 "v1" goes.
  [{ os: 'linux', architecture: 'amd64', variant: '2' }, { os: 'linux', architecture: 'amd64', variant: '2' }],
  [{ os: 'linux', architecture: 'amd64', variant: 'V3' }, { os: 'linux', architecture: 'amd64', variant: 'v3' }],
  [{ os: 'linux', architecture: 'arm', variant: '7' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
  [{ os: 'linux', architecture: 'arm', variant: '8' }, { os: 'linux', architecture: 'arm', variant: 'v8' }],
  [{ os: 'linux', architecture: 'arm', variant: '4' }, { os: 'linux', architecture: 'arm', variant: '4' }],
  [{ os: 'linux', architecture: 'arm64', variant: 'v8.0' }, { os: 'linux', architecture: 'arm64' }],
  [{ os: 'linux', architecture: 'arm64', variant: '9' }, { os: 'linux', architecture: 'arm64', variant: 'v9' }],
  [{ os: 'linux', architecture: 'arm64', variant: 'v9.0' }, { os: 'linux', architecture: 'arm64', variant: 'v9' }],
  [{ os: 'linux', architecture: 'arm64', variant: 'v8.2' }, { os: 'linux', architecture: 'arm64', variant: 'v8.2' }],
  [{ os: 'linux', architecture: 'i386', variant: 'v2' }, { os: 'linux', architecture: '386' }],
  [{ os: 'macos', architecture: 'arm64' }, { os: 'darwin', architecture: 'arm64' }],
  [
    { os: 'linux', architecture: 'amd64', 'os.features': ['zf', 'af', 'zf'] },
    { os: 'linux', architecture: 'amd64', 'os.features': ['af', 'zf'] },
  ],
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

/**
 * containerd's platform specifiers as its tests write them: os[(version[+feature…])]/arch[/variant].
 * Test input only; parsePlatform (the action input) takes no os options.
 */
function spec(s: string): Platform {
  const m = /^([a-z0-9_-]+)(?:\(([^+)]*)((?:\+[^+)]+)*)\))?\/(.+)$/.exec(s);
  if (!m) throw new Error(`bad test platform ${s}`);
  const [, os = '', version = '', features = '', rest = ''] = m;
  const [architecture = '', variant] = rest.split('/');
  const p: Platform = { os, architecture };
  if (variant !== undefined) p.variant = variant;
  if (version) p['os.version'] = version;
  if (features) p['os.features'] = features.slice(1).split('+');
  return p;
}

/** containerd compare_test.go TestOnly, case by case: what Only(platform) accepts and refuses. */
const only: Array<[string, string[], string[]]> = [
  ['linux/amd64', ['linux/amd64', 'linux/386'], ['linux/amd64/v2', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  [
    'linux/amd64/v2',
    ['linux/amd64', 'linux/amd64/v1', 'linux/amd64/v2', 'linux/386'],
    ['linux/amd64/v3', 'linux/amd64/v4', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm'],
  ],
  ['linux/386', ['linux/386'], ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  ['windows/amd64', ['windows/amd64', 'windows(10.0.17763)/amd64'], ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm']],
  ['linux/arm/v8', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8'], ['linux/amd64', 'linux/arm/v4', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  ['linux/arm/v7', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7'], ['linux/amd64', 'linux/arm/v4', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  ['linux/arm/v6', ['linux/arm/v5', 'linux/arm/v6'], ['linux/amd64', 'linux/arm', 'linux/arm/v4', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  ['linux/arm/v5', ['linux/arm/v5'], ['linux/amd64', 'linux/arm', 'linux/arm/v4', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  ['linux/arm/v4', ['linux/arm/v4'], ['linux/amd64', 'linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
  [
    'linux/arm64/v9.6',
    [
      'linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8',
      'linux/arm64/v8.1', 'linux/arm64/v8.2', 'linux/arm64/v8.3', 'linux/arm64/v8.4', 'linux/arm64/v8.5', 'linux/arm64/v8.6',
      'linux/arm64/v8.7', 'linux/arm64/v8.8', 'linux/arm64/v8.9', 'linux/arm64/v9', 'linux/arm64/v9.0', 'linux/arm64/v9.1',
      'linux/arm64/v9.2', 'linux/arm64/v9.3', 'linux/arm64/v9.4', 'linux/arm64/v9.5', 'linux/arm64/v9.6',
    ],
    ['linux/amd64', 'linux/arm/v4', 'windows/amd64', 'windows/arm', 'linux/arm64/v8.10'],
  ],
  [
    'linux/arm64/v9',
    [
      'linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8',
      'linux/arm64/v8.1', 'linux/arm64/v8.2', 'linux/arm64/v8.3', 'linux/arm64/v8.4', 'linux/arm64/v8.5', 'linux/arm64/v9', 'linux/arm64/v9.0',
    ],
    ['linux/amd64', 'linux/arm/v4', 'windows/amd64', 'windows/arm', 'linux/arm64/v8.6'],
  ],
  [
    'linux/arm64/v8.1',
    ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8', 'linux/arm64/v8.1'],
    ['linux/amd64', 'linux/arm/v4', 'linux/arm/v9', 'linux/arm64/v9', 'windows/amd64', 'windows/arm'],
  ],
  [
    'linux/arm64',
    ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8'],
    ['linux/amd64', 'linux/arm/v4', 'linux/arm/v9', 'linux/arm64/v9', 'windows/amd64', 'windows/arm'],
  ],
  // Beyond containerd's table: spellings that normalise, and an arm64 variant containerd does not know.
  ['linux/aarch64', ['linux/arm64/v8', 'linux/arm64/8', 'linux/arm64/v8.0'], ['linux/arm64/v8.1', 'linux/amd64']],
  ['linux/x86_64', ['linux/amd64', 'linux/amd64/v1', 'linux/i386'], ['linux/amd64/v2', 'linux/amd64/2']],
  ['linux/arm64/v7', [], ['linux/arm64', 'linux/arm/v7']],
  ['windows(10.0.20348)/amd64', ['windows/amd64', 'windows(10.0.20348.2113)/amd64', 'windows(+win32k)/amd64'], ['windows(10.0.17763.1)/amd64', 'windows(10.0.26100.1)/amd64']],
  ['windows(10.0.17763)/amd64', ['windows(10.0.17763.5)/amd64'], ['windows(10.0.20348.1)/amd64']],
  ['linux/amd64', [], ['linux(+gpu)/amd64']],
];
for (const [platform, accepted, refused] of only) {
  test(`onlyPlatform(${platform}) is containerd's platforms.Only`, () => {
    const matcher = onlyPlatform(spec(platform));
    for (const p of accepted) assert.equal(matcher.match(spec(p)), true, `${platform} should take ${p}`);
    for (const p of refused) assert.equal(matcher.match(spec(p)), false, `${platform} should not take ${p}`);
  });
}

/** containerd compare_test.go TestCompareOSFeatures, plus the platform vectors' order; sorted stably, as containerd's LimitManifests does. */
const orders: Array<[string, string[], string[]]> = [
  ['linux/amd64', ['windows/amd64', 'linux/amd64', 'linux(+other)/amd64', 'linux/arm64'], ['linux/amd64', 'linux(+other)/amd64', 'windows/amd64', 'linux/arm64']],
  ['linux(+none)/amd64', ['windows/amd64', 'linux/amd64', 'linux/arm64', 'linux(+other)/amd64'], ['linux/amd64', 'linux(+other)/amd64', 'windows/amd64', 'linux/arm64']],
  ['linux(+other)/amd64', ['windows/amd64', 'linux/amd64', 'linux/arm64', 'linux(+other)/amd64'], ['linux(+other)/amd64', 'linux/amd64', 'windows/amd64', 'linux/arm64']],
  ['linux(+af+other+zf)/amd64', ['windows/amd64', 'linux/amd64', 'linux/arm64', 'linux(+other)/amd64'], ['linux(+other)/amd64', 'linux/amd64', 'windows/amd64', 'linux/arm64']],
  ['linux(+f1+f2)/amd64', ['linux/amd64', 'linux(+f2)/amd64', 'linux(+f1)/amd64', 'linux(+f1+f2)/amd64'], ['linux(+f1+f2)/amd64', 'linux(+f2)/amd64', 'linux(+f1)/amd64', 'linux/amd64']],
  ['linux(7.2+other)/amd64', ['linux/amd64', 'linux(+other)/amd64', 'linux(7.1)/amd64', 'linux(7.2+other)/amd64'], ['linux(+other)/amd64', 'linux(7.2+other)/amd64', 'linux/amd64', 'linux(7.1)/amd64']],
  ['linux/amd64/v3', ['linux/386', 'linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/amd64/v4'], ['linux/amd64/v3', 'linux/amd64/v2', 'linux/amd64', 'linux/386', 'linux/amd64/v4']],
  ['linux/arm/v7', ['linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8'], ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5', 'linux/arm/v8']],
  ['linux/arm64/v8.2', ['linux/arm/v7', 'linux/arm64', 'linux/arm64/v8.1', 'linux/arm64/v8.2', 'linux/arm/v8'], ['linux/arm64/v8.2', 'linux/arm64/v8.1', 'linux/arm64', 'linux/arm/v8', 'linux/arm/v7']],
];
for (const [platform, input, expected] of orders) {
  test(`onlyPlatform(${platform}).less orders candidates as containerd does`, () => {
    const matcher = onlyPlatform(spec(platform));
    const sorted = input.map((p) => ({ p, platform: spec(p) })).sort((a, b) => (matcher.less(a.platform, b.platform) ? -1 : matcher.less(b.platform, a.platform) ? 1 : 0));
    assert.deepEqual(
      sorted.map((x) => x.p),
      expected,
    );
  });
}

test('bestMatch takes the most preferred match, and the first among equals', () => {
  const items = ['linux/386', 'linux/amd64#a', 'linux/amd64#b', 'linux/arm64'];
  const platformOf = (item: string) => spec(item.split('#')[0]!);
  assert.equal(bestMatch(items, platformOf, onlyPlatform(spec('linux/amd64'))), 'linux/amd64#a');
  assert.equal(bestMatch(['linux/386', 'linux/arm64'], platformOf, onlyPlatform(spec('linux/amd64'))), 'linux/386');
  assert.equal(bestMatch(['linux/arm64'], platformOf, onlyPlatform(spec('linux/amd64'))), undefined);
  assert.equal(bestMatch(['linux/amd64'], () => undefined, onlyPlatform(spec('linux/amd64'))), undefined);
});

const same: Array<[string, string, boolean]> = [
  ['linux/arm64', 'linux/arm64/v8', true],
  ['linux/aarch64', 'linux/arm64', true],
  ['linux/arm', 'linux/arm/v7', true],
  ['linux/amd64', 'linux/amd64/v2', false],
  ['linux/amd64', 'linux/386', false],
  ['linux/arm/v6', 'linux/arm/v7', false],
];
for (const [a, b, expected] of same) {
  test(`samePlatform(${a}, ${b}) is ${expected}`, () => {
    assert.equal(samePlatform(spec(a), spec(b)), expected);
    assert.equal(samePlatform(spec(b), spec(a)), expected);
  });
}

test('configPlatform reads os, architecture, variant, os.version and os.features, normalised', () => {
  assert.deepEqual(configPlatform({ os: 'linux', architecture: 'aarch64', variant: 'v8' }), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(configPlatform({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1', 'os.features': ['win32k'] }), {
    os: 'windows',
    architecture: 'amd64',
    'os.version': '10.0.20348.1',
    'os.features': ['win32k'],
  });
  assert.deepEqual(configPlatform({ os: 7, architecture: null }), { os: '', architecture: '' });
});

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
const amd64v2 = entry('a', { os: 'linux', architecture: 'amd64', variant: 'v2' });
const i386 = entry('b', { os: 'linux', architecture: '386' });
const armv5 = entry('c', { os: 'linux', architecture: 'arm', variant: 'v5' });
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
  // The variant trick: containerd's amd64 matcher never takes amd64/v2, so the plain entry is what Docker pulls.
  ['plain amd64 skips an earlier amd64/v2', { schemaVersion: 2, manifests: [amd64v2, amd64Again] }, { os: 'linux', architecture: 'amd64' }, amd64Again],
  ['amd64/v2 only: nothing for plain amd64', { schemaVersion: 2, manifests: [amd64v2] }, { os: 'linux', architecture: 'amd64' }, undefined],
  ['amd64/v3 wanted takes v2 before plain amd64', { schemaVersion: 2, manifests: [amd64, amd64v2] }, { os: 'linux', architecture: 'amd64', variant: 'v3' }, amd64v2],
  ['amd64 prefers amd64 to an earlier 386', { schemaVersion: 2, manifests: [i386, amd64] }, { os: 'linux', architecture: 'amd64' }, amd64],
  ['amd64 falls back to 386', { schemaVersion: 2, manifests: [arm64, i386] }, { os: 'linux', architecture: 'amd64' }, i386],
  ['arm/v7 falls back to the best lower variant', { schemaVersion: 2, manifests: [armv5, armv6] }, { os: 'linux', architecture: 'arm', variant: 'v7' }, armv6],
  ['arm64 falls back to arm/v7', { schemaVersion: 2, manifests: [armv6, armv7] }, { os: 'linux', architecture: 'arm64' }, armv7],
  ['entries without a platform are never chosen', { schemaVersion: 2, manifests: [noPlatform] }, { os: 'linux', architecture: 'amd64' }, undefined],
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
