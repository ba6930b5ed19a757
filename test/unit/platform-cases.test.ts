// containerd's platform matcher, case by case, beyond the tables of platform.test.ts (issue 16):
// Windows os.version compatibility at every boundary of containerd's checkWindowsHostAndContainerCompat
// (exact build before ltsc2022, the stable ABI window after it, versions Go cannot parse), win32k and
// other os.features, os.version ignored off Windows, variants containerd's strconv.Atoi refuses,
// malformed index entries from the network, and the platform this machine builds for by default.
// Expected values come from containerd/platforms' code and tests, never from our implementation.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { availablePlatforms, configPlatform, hostPlatform, normalizePlatform, onlyPlatform, selectManifest } from '../../src/oci/platform.js';
import { MediaType, type Descriptor, type ImageIndex, type Platform } from '../../src/oci/types.js';

/** containerd's test notation: os[(version[+feature…])]/arch[/variant]. */
function spec(s: string): Platform {
  const m = /^([a-z0-9_-]*)(?:\(([^+)]*)((?:\+[^+)]+)*)\))?\/(.*)$/.exec(s);
  if (!m) throw new Error(`bad test platform ${s}`);
  const [, os = '', version = '', features = '', rest = ''] = m;
  const [architecture = '', variant] = rest.split('/');
  const p: Platform = { os, architecture };
  if (variant !== undefined) p.variant = variant;
  if (version) p['os.version'] = version;
  if (features) p['os.features'] = features.slice(1).split('+');
  return p;
}

/** onlyPlatform(spec): what it accepts and what it refuses. */
const only: Array<[string, string, string[], string[]]> = [
  // Windows hosts from ltsc2022 on run every container from the latest LTSC before them up to themselves.
  [
    'a host after ltsc2025 runs ltsc2025 and later builds up to its own',
    'windows(10.0.26200)/amd64',
    ['windows/amd64', 'windows(10.0.26100.1)/amd64', 'windows(10.0.26150.3)/amd64', 'windows(10.0.26200.7)/amd64'],
    ['windows(10.0.20348.1)/amd64', 'windows(10.0.26099.1)/amd64', 'windows(10.0.26201.1)/amd64', 'windows(10.0.17763.1)/amd64'],
  ],
  [
    'ltsc2025 itself runs ltsc2022 up to ltsc2025',
    'windows(10.0.26100)/amd64',
    ['windows(10.0.20348.1)/amd64', 'windows(10.0.22621.1)/amd64', 'windows(10.0.26100.9)/amd64'],
    ['windows(10.0.20347.1)/amd64', 'windows(10.0.17763.1)/amd64', 'windows(10.0.26101.1)/amd64'],
  ],
  [
    'Windows 11 22H2 runs ltsc2022 up to itself',
    'windows(10.0.22621)/amd64',
    ['windows(10.0.20348.1)/amd64', 'windows(10.0.22000.1)/amd64', 'windows(10.0.22621.1)/amd64'],
    ['windows(10.0.17763.1)/amd64', 'windows(10.0.22622.1)/amd64'],
  ],
  ['ltsc2022 runs only ltsc2022', 'windows(10.0.20348)/amd64', ['windows(10.0.20348.5)/amd64'], ['windows(10.0.20347.1)/amd64', 'windows(10.0.20349.1)/amd64']],
  ['a host before ltsc2022 needs the exact build', 'windows(10.0.20347)/amd64', ['windows(10.0.20347.1)/amd64'], ['windows(10.0.20346.1)/amd64', 'windows(10.0.20348.1)/amd64']],
  ['a build of 0 is a build like any other', 'windows(10.0.0)/amd64', ['windows(10.0.0.5)/amd64'], ['windows(10.0.17763.1)/amd64', 'windows(10.0.1.1)/amd64']],
  ['major 0 with a build is a version', 'windows(0.0.17763)/amd64', ['windows(0.0.17763.1)/amd64'], ['windows(10.0.17763.1)/amd64']],
  ['minor 5 with major and build 0 is a version', 'windows(0.5.0)/amd64', ['windows(0.5.0.1)/amd64'], ['windows(0.0.0.1)/amd64', 'windows(10.0.17763.1)/amd64']],
  // major and minor must be equal
  [
    'another major or minor version is refused',
    'windows(10.0.20348)/amd64',
    ['windows(10.0.20348.1)/amd64'],
    ['windows(11.0.20348.1)/amd64', 'windows(10.1.20348.1)/amd64', 'windows(9.0.20348.1)/amd64', 'windows(11.1.20348.1)/amd64'],
  ],
  // a candidate version Go cannot parse reads as 0.0.0, which no host is
  ['an unparsable candidate version is refused', 'windows(10.0.20348)/amd64', [], ['windows(abc)/amd64', 'windows(10.0)/amd64', 'windows(10.0.70000.1)/amd64', 'windows(10.0.x.1)/amd64']],
  // the largest versions Go's uint8/uint8/uint16 hold are versions
  ['major 255 is a version', 'windows(255.0.17763)/amd64', ['windows(255.0.17763.1)/amd64'], ['windows(10.0.17763.1)/amd64']],
  ['minor 255 is a version', 'windows(10.255.17763)/amd64', ['windows(10.255.17763.1)/amd64'], ['windows(10.0.17763.1)/amd64']],
  ['build 65535 is a version', 'windows(10.0.65535)/amd64', ['windows(10.0.26100.1)/amd64', 'windows(10.0.65535.1)/amd64'], ['windows(10.0.17763.1)/amd64', 'windows(10.0.20348.1)/amd64']],
  // a host version Go cannot parse, or 0.0.0, constrains nothing
  ['a host major above 255 constrains nothing', 'windows(256.0.17763)/amd64', ['windows(10.0.17763.1)/amd64', 'windows(11.0.1.1)/amd64'], ['linux/amd64']],
  ['a host minor above 255 constrains nothing', 'windows(10.256.17763)/amd64', ['windows(10.0.17763.1)/amd64'], []],
  ['a host build above 65535 constrains nothing', 'windows(10.0.65536)/amd64', ['windows(10.0.17763.1)/amd64'], []],
  ['host 0.0.0 constrains nothing', 'windows(0.0.0)/amd64', ['windows(10.0.17763.1)/amd64', 'windows(1.2.3.4)/amd64'], []],
  ['a host version with two parts constrains nothing', 'windows(10.0)/amd64', ['windows(10.0.17763.1)/amd64'], []],
  // os.features on Windows: win32k is ignored, any other must be in the spec
  ['Windows ignores win32k, not other features', 'windows/amd64', ['windows(+win32k)/amd64'], ['windows(+other)/amd64', 'windows(+other+win32k)/amd64', 'windows(+win32k+win32k)/amd64']],
  ['Windows takes features the spec lists', 'windows(+other)/amd64', ['windows(+other)/amd64', 'windows(+other+win32k)/amd64'], ['windows(+third)/amd64']],
  // off Windows, os.version plays no part and win32k is a feature like any other
  ['Linux ignores os.version', 'linux(10.0.17763)/amd64', ['linux(10.0.20348.1)/amd64', 'linux/amd64', 'linux(abc)/amd64'], ['linux(+win32k)/amd64']],
  ['Linux does not ignore win32k', 'linux/amd64', ['linux/amd64'], ['linux(+win32k)/amd64', 'linux(+gpu)/amd64']],
  // variants containerd's strconv.Atoi does not read: no fallback to lower variants
  ['amd64/v3.0 takes no lower amd64 variant', 'linux/amd64/v3.0', ['linux/amd64/v3.0', 'linux/386'], ['linux/amd64/v2', 'linux/amd64', 'linux/amd64/v3']],
  ['arm/v7.0 takes no lower arm variant', 'linux/arm/v7.0', ['linux/arm/v7.0'], ['linux/arm/v6', 'linux/arm/v5', 'linux/arm/v7']],
  ['amd64/v3x takes no lower amd64 variant', 'linux/amd64/v3x', ['linux/amd64/v3x', 'linux/386'], ['linux/amd64/v2', 'linux/amd64']],
  // a platform with an empty os and architecture is nothing a runtime pulls
  ['arm64 takes no empty platform', 'linux/arm64', ['linux/arm64'], ['/']],
  ['an unknown arm64 variant takes nothing, not even an empty platform', 'linux/arm64/v7', [], ['/', 'linux/arm64']],
  ['amd64 takes no empty platform', 'linux/amd64', ['linux/amd64'], ['/']],
];
for (const [name, platform, accepted, refused] of only) {
  test(`onlyPlatform(${platform}): ${name}`, () => {
    const matcher = onlyPlatform(spec(platform));
    for (const p of accepted) assert.equal(matcher.match(spec(p)), true, `${platform} should take ${p}`);
    for (const p of refused) assert.equal(matcher.match(spec(p)), false, `${platform} should not take ${p}`);
  });
}

const normalised: Array<[Platform, Platform]> = [
  [{ os: 'linux', architecture: 'arm64', variant: '9.0' }, { os: 'linux', architecture: 'arm64', variant: 'v9' }],
  [{ os: 'linux', architecture: 'arm64', variant: '8' }, { os: 'linux', architecture: 'arm64' }],
  [{ os: 'linux', architecture: 'arm', variant: '5' }, { os: 'linux', architecture: 'arm', variant: 'v5' }],
  [{ os: 'windows', architecture: 'amd64', 'os.version': '' }, { os: 'windows', architecture: 'amd64' }],
  [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' }, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' }],
  [{ os: 'linux', architecture: 'amd64', 'os.features': [] }, { os: 'linux', architecture: 'amd64' }],
];
for (const [input, expected] of normalised) {
  test(`normalizePlatform(${JSON.stringify(input)})`, () => {
    assert.deepEqual(normalizePlatform(input), expected);
  });
}

const configs: Array<[string, Record<string, unknown>, Platform]> = [
  ['keeps a variant', { os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
  ['keeps an amd64 variant', { os: 'linux', architecture: 'amd64', variant: 'v3' }, { os: 'linux', architecture: 'amd64', variant: 'v3' }],
  ['reads an arm image without a variant as v7', { os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
  ['reads a variant of another type as none', { os: 'linux', architecture: 'arm', variant: 6 }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
  ['reads os.features holding a number as none', { os: 'windows', architecture: 'amd64', 'os.features': [1, 'win32k'] }, { os: 'windows', architecture: 'amd64' }],
  ['reads os.features that are not a list as none', { os: 'windows', architecture: 'amd64', 'os.features': 'win32k' }, { os: 'windows', architecture: 'amd64' }],
  ['reads an empty os.features list as none', { os: 'windows', architecture: 'amd64', 'os.features': [] }, { os: 'windows', architecture: 'amd64' }],
  ['sorts os.features', { os: 'windows', architecture: 'amd64', 'os.features': ['z', 'a'] }, { os: 'windows', architecture: 'amd64', 'os.features': ['a', 'z'] }],
  ['reads an os.version of another type as none', { os: 'windows', architecture: 'amd64', 'os.version': 10 }, { os: 'windows', architecture: 'amd64' }],
];
for (const [name, config, expected] of configs) {
  test(`configPlatform ${name}`, () => {
    assert.deepEqual(configPlatform(config), expected);
  });
}

function entry(tag: string, platform: unknown): Descriptor {
  return { mediaType: MediaType.OciManifest, digest: `sha256:${tag.repeat(64)}`, size: 1, platform } as Descriptor;
}

test('index entries with a platform missing os or architecture, or of the wrong type, are skipped', () => {
  const amd64 = entry('a', { os: 'linux', architecture: 'amd64' });
  const index = {
    schemaVersion: 2,
    manifests: [entry('1', { architecture: 'amd64' }), entry('2', { os: 'linux' }), entry('3', { os: 5, architecture: 'amd64' }), entry('4', { os: 'linux', architecture: ['amd64'] }), 'x', 7, amd64],
  } as unknown as ImageIndex;
  assert.deepEqual(availablePlatforms(index), ['linux/amd64']);
  assert.equal(selectManifest(index, { os: 'linux', architecture: 'amd64' }), amd64);
});

test('an index whose manifests is not a list offers no platform', () => {
  for (const manifests of [undefined, null, {}, 'linux/amd64', { length: 1, 0: { platform: { os: 'linux', architecture: 'amd64' } } }]) {
    const index = { schemaVersion: 2, manifests } as unknown as ImageIndex;
    assert.deepEqual(availablePlatforms(index), []);
    assert.equal(selectManifest(index, { os: 'linux', architecture: 'amd64' }), undefined);
  }
});

test('an entry with an empty os and architecture is never selected', () => {
  const empty = entry('e', { os: '', architecture: '' });
  for (const want of [{ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'arm64', variant: 'v7' }, { os: 'linux', architecture: 'amd64' }]) {
    assert.equal(selectManifest({ schemaVersion: 2, manifests: [empty] }, want), undefined, JSON.stringify(want));
  }
});

test('Windows: an entry that lists win32k twice is not the plain windows/amd64 image containerd pulls', () => {
  // containerd strips one win32k, then finds the other: the entry does not match windows/amd64.
  const doubled = entry('d', { os: 'windows', architecture: 'amd64', 'os.features': ['win32k', 'win32k'] });
  const plain = entry('p', { os: 'windows', architecture: 'amd64' });
  assert.equal(selectManifest({ schemaVersion: 2, manifests: [doubled, plain] }, { os: 'windows', architecture: 'amd64' }), plain);
  const single = entry('s', { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] });
  assert.equal(selectManifest({ schemaVersion: 2, manifests: [plain, single] }, { os: 'windows', architecture: 'amd64' }), single, 'more os.features is preferred');
});

/** Runs `fn` as if on a machine with this process.platform, process.arch and arm_version. */
function onHost<T>(platform: string, arch: string, armVersion: string | undefined, fn: () => T): T {
  const saved = (['platform', 'arch', 'config'] as const).map((key) => [key, Object.getOwnPropertyDescriptor(process, key)!] as const);
  try {
    Object.defineProperty(process, 'platform', { value: platform, configurable: true, enumerable: true });
    Object.defineProperty(process, 'arch', { value: arch, configurable: true, enumerable: true });
    Object.defineProperty(process, 'config', { value: { target_defaults: {}, variables: armVersion === undefined ? {} : { arm_version: armVersion } }, configurable: true, enumerable: true });
    return fn();
  } finally {
    for (const [key, descriptor] of saved) Object.defineProperty(process, key, descriptor);
  }
}

const hosts: Array<[string, string, string | undefined, Platform]> = [
  ['linux', 'x64', undefined, { os: 'linux', architecture: 'amd64' }],
  ['win32', 'x64', undefined, { os: 'windows', architecture: 'amd64' }],
  ['win32', 'arm64', undefined, { os: 'windows', architecture: 'arm64' }],
  ['darwin', 'arm64', undefined, { os: 'linux', architecture: 'arm64' }],
  ['linux', 'ia32', undefined, { os: 'linux', architecture: '386' }],
  ['linux', 'arm', '6', { os: 'linux', architecture: 'arm', variant: 'v6' }],
  ['linux', 'arm', '7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
  ['linux', 'arm', undefined, { os: 'linux', architecture: 'arm', variant: 'v7' }],
  ['linux', 'ppc64', undefined, { os: 'linux', architecture: 'ppc64le' }],
  ['linux', 'mipsel', undefined, { os: 'linux', architecture: 'mipsle' }],
  ['linux', 'riscv64', undefined, { os: 'linux', architecture: 'riscv64' }],
  ['linux', 's390x', undefined, { os: 'linux', architecture: 's390x' }],
  ['freebsd', 'loong64', undefined, { os: 'linux', architecture: 'loong64' }],
];
for (const [platform, arch, armVersion, expected] of hosts) {
  test(`hostPlatform on ${platform}/${arch}${armVersion ? ` (arm_version ${armVersion})` : ''} is ${JSON.stringify(expected)}`, () => {
    assert.deepEqual(
      onHost(platform, arch, armVersion, () => hostPlatform()),
      expected,
    );
  });
}

test('onHost restores this machine afterwards', () => {
  const before = hostPlatform();
  onHost('win32', 'ia32', undefined, () => hostPlatform());
  assert.deepEqual(hostPlatform(), before);
});
