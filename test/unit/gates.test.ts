// The opt-in gates on the pushed image: platforms-expected and efficiency (and their inputs).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePlatform } from '../../src/oci/platform.js';
import { parseByteSize, parseEfficiencyGate, parsePercent, parsePlatformsExpected, parseRatio } from '../../src/options.js';
import type { DeepReport } from '../../src/model/deep.js';
import { checkEfficiency, checkExpectedPlatforms, type ServedPlatforms } from '../../src/verify/gates.js';
import type { LayerIndex } from '../../src/bytes/layer-index.js';
import { analyzeWaste, efficiencyScore } from '../../src/verify/waste.js';

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

/** A layer from `path kind size` triples; kind as in LayerIndex (f d l h o w q). */
function layer(...entries: [string, string, number?][]): LayerIndex {
  return { paths: entries.map((e) => e[0]), kinds: entries.map((e) => e[1]).join(''), sizes: entries.map((e) => e[2] ?? 0) };
}

describe("efficiency score: dive's definition", () => {
  const cases: { name: string; layers: (LayerIndex | undefined)[]; score: number }[] = [
    { name: 'no bytes at all scores 1', layers: [layer(['etc', 'd'])], score: 1 },
    { name: 'nothing repeated scores 1', layers: [layer(['a', 'f', 10]), layer(['b', 'f', 30])], score: 1 },
    // /a: versions 100 and 40 → needs 40 of 140; /b: 60 of 60.
    { name: 'an overwritten file: the smallest version over all versions', layers: [layer(['a', 'f', 100], ['b', 'f', 60]), layer(['a', 'f', 40])], score: 100 / 200 },
    // A deleted file: its versions are 100 and the whiteout's 0 → needs 0 of 100.
    { name: 'a deleted file needs nothing', layers: [layer(['tmp/x', 'f', 100], ['keep', 'f', 100]), layer(['tmp/x', 'w'])], score: 100 / 200 },
    // A deleted directory: the whiteout counts what it deletes (8 + 2) once at the directory's own path,
    // where nothing else was a leaf: needed and shipped alike, so it dilutes rather than lowers the score.
    { name: 'a deleted directory counts its contents at its own path', layers: [layer(['d', 'd'], ['d/a', 'f', 8], ['d/s/b', 'f', 2]), layer(['d', 'w'])], score: 20 / 20 },
    // Only leaves count: a directory with entries below it in the same layer is not a node of its own.
    { name: 'directories with children are not leaves; empty ones weigh 0', layers: [layer(['d', 'd'], ['d/a', 'f', 5], ['e', 'd']), layer(['d', 'd'], ['d/a', 'f', 5])], score: 5 / 10 },
    { name: 'opaque markers are ignored, as dive does', layers: [layer(['app/old', 'f', 50]), layer(['app', 'd'], ['app', 'q'], ['app/new', 'f', 50])], score: 1 },
    { name: 'a path twice in one layer is one node (the last wins)', layers: [layer(['a', 'f', 10], ['a', 'f', 30])], score: 1 },
    { name: 'unknown layers are left out', layers: [layer(['a', 'f', 10]), undefined, layer(['a', 'f', 10])], score: 0.5 },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(efficiencyScore(c.layers), c.score));
  }
});

function deepReport(layers: (LayerIndex | undefined)[], uncompressed: number[]): DeepReport {
  const waste = analyzeWaste(layers);
  return {
    verified: true,
    bytesVerified: 1,
    bytesDownloaded: 1,
    config: { digest: digest(0), size: 1 },
    layers: uncompressed.map((size, i) => ({ index: i + 1, digest: digest(i + 1), mediaType: OCI_MANIFEST, size, status: 'verified', uncompressedSize: size })),
    wastedBytes: waste.totalBytes,
    wasteComplete: true,
    wastedFiles: waste.files,
    wastedFileCount: waste.files.length,
    efficiency: efficiencyScore(layers),
    concurrency: 1,
    durationMs: 1,
  };
}

describe('efficiency gate', () => {
  // 1000 bytes of tmp/big shipped in layer 1 and deleted by layer 2; 9000 bytes kept.
  const wasteful = deepReport([layer(['tmp/big', 'f', 1000], ['app', 'f', 9000]), layer(['tmp/big', 'w'])], [10240, 1024]);
  const figures = /^wasted 1000 bytes \(8\.88 % of 11264 bytes uncompressed\), efficiency 90\.00 %/;

  test('no limit, no check', () => assert.equal(checkEfficiency(wasteful, {}), undefined));

  const cases: { name: string; gate: Parameters<typeof checkEfficiency>[1]; ok: boolean; message: RegExp }[] = [
    { name: 'under max-wasted-bytes', gate: { maxWastedBytes: 1000 }, ok: true, message: /within the limits$/ },
    { name: 'over max-wasted-bytes, naming the offender', gate: { maxWastedBytes: 999 }, ok: false, message: /: more than max-wasted-bytes 999; worst: "tmp\/big" 1000 bytes, shipped in layer 1, deleted by layer 2$/ },
    { name: 'over max-wasted-percent', gate: { maxWastedPercent: 5 }, ok: false, message: /more than max-wasted-percent 5 %;/ },
    { name: 'max-wasted-percent not applied under min-wasted-bytes', gate: { maxWastedPercent: 5, minWastedBytes: 1001 }, ok: true, message: /the percentage limit does not apply under min-wasted-bytes 1001$/ },
    { name: 'max-wasted-percent applied from min-wasted-bytes on', gate: { maxWastedPercent: 5, minWastedBytes: 1000 }, ok: false, message: /more than max-wasted-percent 5 % \(applied from min-wasted-bytes 1000\)/ },
    { name: 'below min-efficiency', gate: { minEfficiency: 0.95 }, ok: false, message: /below min-efficiency 0\.95/ },
    { name: 'at min-efficiency', gate: { minEfficiency: 0.9 }, ok: true, message: /within the limits/ },
    { name: 'every broken limit is named', gate: { maxWastedBytes: 10, maxWastedPercent: 1, minEfficiency: 0.99 }, ok: false, message: /more than max-wasted-bytes 10; more than max-wasted-percent 1 %; below min-efficiency 0\.99; worst:/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const check = checkEfficiency(wasteful, c.gate);
      assert.equal(check?.rule, 'efficiency');
      assert.equal(check?.ok, c.ok, check?.message);
      assert.match(check?.message ?? '', figures);
      assert.match(check?.message ?? '', c.message);
    });
  }

  test('offenders: the five largest, then how many more; paths quoted', () => {
    const files = Array.from({ length: 7 }, (_, i) => [`f${i}\nEVIL`, 'f', 100 + i] as [string, string, number]);
    const report = deepReport([layer(...files), layer(...files.map(([p]) => [p, 'w'] as [string, string]))], [2000, 10]);
    const check = checkEfficiency(report, { maxWastedBytes: 0 });
    assert.match(check?.message ?? '', /worst: "f6\\nEVIL" 106 bytes, shipped in layer 1, deleted by layer 2; .*"f2\\nEVIL" 102 bytes.* and 2 more$/);
    assert.doesNotMatch(check?.message ?? '', /\n/);
  });
});

describe('efficiency inputs', () => {
  test('sizes: bytes, K/M/G as powers of 1000 (as dive reads them), KiB/MiB/GiB of 1024', () => {
    const table: [string, number | undefined][] = [['', undefined], ['0', 0], ['512', 512], ['20MB', 20_000_000], ['20M', 20_000_000], ['1.5 GiB', 1.5 * 1024 ** 3], ['4k', 4000], ['4KiB', 4096], ['10b', 10]];
    for (const [value, bytes] of table) assert.equal(parseByteSize('max-wasted-bytes', value), bytes, value);
    for (const bad of ['-1', '20 parsecs', 'MB', '1e9', '0x10']) {
      assert.throws(() => parseByteSize('max-wasted-bytes', bad), /^VerifyImageError: max-wasted-bytes ".*" is not a size: give bytes, optionally with K, M or G \(powers of 1000\) or KiB, MiB, GiB, e\.g\. 20MB$/, bad);
    }
  });

  test('percentages 0–100 and ratios 0–1', () => {
    assert.equal(parsePercent('p', '10'), 10);
    assert.equal(parsePercent('p', '2.5%'), 2.5);
    assert.throws(() => parsePercent('max-wasted-percent', '101'), /max-wasted-percent "101" is not a percentage: give a number from 0 to 100/);
    assert.throws(() => parsePercent('max-wasted-percent', '0.1x'), /is not a percentage/);
    assert.equal(parseRatio('r', '0.95'), 0.95);
    assert.equal(parseRatio('r', '1'), 1);
    assert.throws(() => parseRatio('min-efficiency', '95'), /min-efficiency "95" is not a ratio: give a number from 0 to 1, e\.g\. 0\.95/);
  });

  const values = { maxWastedBytes: '', maxWastedPercent: '', minWastedBytes: '', minEfficiency: '' };
  test('the gate needs deep; one line says which inputs and what to add', () => {
    assert.equal(parseEfficiencyGate(values, false, (n) => n, 'deep: true'), undefined);
    assert.deepEqual(parseEfficiencyGate({ ...values, maxWastedBytes: '1K', minEfficiency: '0.9' }, true, (n) => n, 'deep: true'), {
      maxWastedBytes: 1000,
      maxWastedPercent: undefined,
      minWastedBytes: undefined,
      minEfficiency: 0.9,
    });
    assert.throws(
      () => parseEfficiencyGate({ ...values, maxWastedBytes: '1K', minEfficiency: '0.9' }, false, (n) => n, 'deep: true'),
      /^VerifyImageError: max-wasted-bytes, min-efficiency need deep: true \(wasted bytes and efficiency are counted from every layer's files\): add deep: true$/,
    );
    assert.throws(() => parseEfficiencyGate({ ...values, minEfficiency: '0.9' }, false, (n) => `--${n}`, '--deep'), /--min-efficiency needs --deep .*: add --deep$/);
    assert.throws(() => parseEfficiencyGate({ ...values, minWastedBytes: '1M' }, true, (n) => n, 'deep: true'), /min-wasted-bytes is the floor under which max-wasted-percent does not apply: set max-wasted-percent too/);
  });
});
