// The opt-in gates on the pushed image: platforms-expected (and its input parsing).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlatform } from '../../src/oci/platform.js';
import { parsePlatformsExpected } from '../../src/options.js';
import { checkExpectedPlatforms, type ServedPlatforms } from '../../src/verify/gates.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

function index(...platforms: string[]): ServedPlatforms {
  return {
    reference: 'registry.test/app:1',
    index: true,
    images: platforms.map((p, i) => {
      const [os = '', architecture = '', variant] = p.split('/');
      return { digest: digest(i), platform: { os, architecture, ...(variant ? { variant } : {}) } };
    }),
    others: [],
  };
}
const expect = (list: string) => list.split(',').map(parsePlatform);

describe('platforms-expected', () => {
  const cases: { name: string; served: ServedPlatforms; expected: string; ok: boolean; message: RegExp }[] = [
    { name: 'exactly the list, in any order', served: index('linux/arm64', 'linux/amd64'), expected: 'linux/amd64,linux/arm64', ok: true, message: /serves exactly the expected platforms linux\/amd64, linux\/arm64, once each \(attestations aside\)/ },
    { name: 'spellings normalised as containerd does', served: index('linux/aarch64/v8', 'linux/x86_64', 'linux/arm'), expected: 'linux/amd64,linux/arm64,linux/arm/v7', ok: true, message: /exactly/ },
    { name: 'a missing platform', served: index('linux/amd64'), expected: 'linux/amd64,linux/arm64', ok: false, message: /serves linux\/amd64: missing linux\/arm64$/ },
    { name: 'an extra platform', served: index('linux/amd64', 'linux/arm64', 'linux/arm/v7'), expected: 'linux/amd64,linux/arm64', ok: false, message: /: extra linux\/arm\/v7$/ },
    { name: 'a platform served twice', served: index('linux/amd64', 'linux/arm64', 'linux/amd64'), expected: 'linux/amd64,linux/arm64', ok: false, message: /: duplicate linux\/amd64 \(2 entries\)$/ },
    { name: 'all three at once', served: index('linux/amd64', 'linux/amd64', 'linux/s390x'), expected: 'linux/amd64,linux/arm64', ok: false, message: /missing linux\/arm64; extra linux\/s390x; duplicate linux\/amd64 \(2 entries\)/ },
    { name: 'variants are platforms of their own', served: index('linux/arm/v6', 'linux/arm/v7'), expected: 'linux/arm/v7', ok: false, message: /extra linux\/arm\/v6/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const check = checkExpectedPlatforms(c.served, expect(c.expected));
      assert.equal(check.rule, 'platforms');
      assert.equal(check.ok, c.ok, check.message);
      assert.match(check.message, c.message);
    });
  }

  test('an image or index entry without a platform is extra: a runtime may pull it; other artifacts are not platforms', () => {
    const served = index('linux/amd64');
    served.others = [
      { digest: digest(7), mediaType: OCI_MANIFEST },
      { digest: digest(8), mediaType: OCI_INDEX, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: digest(9), mediaType: 'application/vnd.example.sbom+json' },
    ];
    const check = checkExpectedPlatforms(served, expect('linux/amd64'));
    assert.equal(check.ok, false);
    assert.match(check.message, new RegExp(`extra ${digest(7)} \\(an image without a platform\\), ${digest(8)} \\(a nested index\\)$`));
    assert.doesNotMatch(check.message, new RegExp(digest(9)));
  });

  test('a single image serves its config platform', () => {
    const single: ServedPlatforms = { reference: 'r/app:1', index: false, images: [{ digest: digest(1), platform: { os: 'linux', architecture: 'arm64' } }], others: [] };
    assert.equal(checkExpectedPlatforms(single, expect('linux/arm64')).ok, true);
    const check = checkExpectedPlatforms(single, expect('linux/amd64,linux/arm64'));
    assert.equal(check.ok, false);
    assert.match(check.message, /the single image r\/app:1 serves linux\/arm64: missing linux\/amd64/);
  });

  test('the input: a comma or newline list, normalised; bad or repeated entries are one-line errors', () => {
    assert.equal(parsePlatformsExpected('platforms-expected', ''), undefined);
    assert.deepEqual(parsePlatformsExpected('platforms-expected', 'linux/amd64,\nlinux/arm64/v8'), [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    assert.throws(() => parsePlatformsExpected('platforms-expected', 'linux/amd64,amd64'), /^VerifyImageError: platforms-expected "amd64" is not os\/architecture\[\/variant\]: list every platform the tag must serve, e\.g\. linux\/amd64,linux\/arm64$/);
    assert.throws(() => parsePlatformsExpected('--platforms-expected', 'linux/arm64,linux/aarch64'), /--platforms-expected lists linux\/arm64 twice: name each platform once/);
  });
});
