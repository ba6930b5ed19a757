// Attestation binding and the opt-in gates, edge by edge (issue 16): which platform gets a passing
// attestations check (never one with a failure), which statements count as bound, what the summary
// says per platform, the efficiency limits at their boundaries and the platforms gate's fields.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Check } from '../../src/model/check.js';
import type { DeepReport } from '../../src/model/deep.js';
import { predicateKind, type StatementSummary } from '../../src/oci/in-toto.js';
import type { Descriptor, ImageIndex } from '../../src/oci/types.js';
import type { AttestationRead } from '../../src/registry/attestations.js';
import { indexEntries, type RemoteTop } from '../../src/registry/resolve.js';
import { boundStatements, checkAttestations, summarizeAttestations } from '../../src/verify/attestations.js';
import { checkEfficiency, checkExpectedPlatforms, servedByTop } from '../../src/verify/gates.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const SLSA1 = 'https://slsa.dev/provenance/v1';
const SPDX = 'https://spdx.dev/Document';
const AMD = d(1);
const ARM = d(2);
const images: Descriptor[] = [
  { mediaType: MANIFEST, digest: AMD, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
  { mediaType: MANIFEST, digest: ARM, size: 1, platform: { os: 'linux', architecture: 'arm64' } },
];
const amd = { platform: 'linux/amd64', manifestDigest: AMD };
const arm = { platform: 'linux/arm64', manifestDigest: ARM };

function statement(predicateType: string, subjects: string[], extra: Partial<StatementSummary> = {}): StatementSummary {
  return { predicateType, kind: predicateKind(predicateType), subjects, materials: [], ...extra };
}
function read(n: number, attachedTo: string | undefined, statements: StatementSummary[], problem?: string): AttestationRead {
  return { digest: d(100 + n), ...(attachedTo ? { attachedTo } : {}), statements, ...(problem ? { problem } : {}) };
}
const verdicts = (checks: Check[]) => checks.map((c) => [c.ok, c.platform ?? null]);

test('attestations: a platform with a failure gets no passing check; the others still do', () => {
  const reads = [
    read(1, AMD, [statement(SLSA1, [AMD]), statement(SPDX, [AMD])]),
    // arm64's statement names amd64: it describes another image.
    read(2, ARM, [statement(SLSA1, [AMD])]),
  ];
  const checks = checkAttestations(reads, images, [amd, arm], []);
  assert.deepEqual(verdicts(checks), [
    [false, 'linux/arm64'],
    [true, 'linux/amd64'],
  ]);
  assert.equal(checks[1]?.message, `2 statement(s) (${SLSA1}, ${SPDX}) name ${AMD} as their subject`);
  // In the other order the passing platform is judged first and the failing one after it.
  const reversed = checkAttestations(reads, images, [arm, amd], []);
  assert.deepEqual(verdicts(reversed), [
    [false, 'linux/arm64'],
    [true, 'linux/amd64'],
  ]);
  // A failure with no passing check of its own: required provenance missing on arm64.
  const missing = checkAttestations([read(1, AMD, [statement(SLSA1, [AMD])])], images, [arm, amd], ['provenance']);
  assert.deepEqual(verdicts(missing), [
    [false, 'linux/arm64'],
    [true, 'linux/amd64'],
  ]);
});

test('attestations: a passing check when statements are bound or required, none otherwise', () => {
  // Bound statements, nothing required: reported as passing.
  const bound = checkAttestations([read(1, AMD, [statement(SPDX, [AMD]), statement(SPDX, [AMD])])], images, [amd], []);
  assert.deepEqual(verdicts(bound), [[true, 'linux/amd64']]);
  assert.equal(bound[0]?.message, `2 statement(s) (${SPDX}) name ${AMD} as their subject`);
  // Required and present.
  assert.deepEqual(verdicts(checkAttestations([read(1, AMD, [statement(SLSA1, [AMD])])], images, [amd], ['provenance'])), [[true, 'linux/amd64']]);
  // Nothing bound, nothing required: nothing to say.
  assert.deepEqual(checkAttestations([], images, [amd], []), []);
});

test('attestations: an unattached attestation fails once, and its statements are not read', () => {
  const checks = checkAttestations([read(1, undefined, [statement(SLSA1, [AMD]), statement(SPDX, [ARM])])], images, [], []);
  assert.equal(checks.length, 1);
  assert.deepEqual(verdicts(checks), [[false, null]]);
  assert.match(checks[0]?.message ?? '', /has no vnd\.docker\.reference\.digest annotation/);
});

test('attestations: an image entry without a platform is no platform image', () => {
  const bare: Descriptor = { mediaType: MANIFEST, digest: d(3), size: 1 };
  const checks = checkAttestations([read(1, d(3), [statement(SLSA1, [d(3)])])], [...images, bare], [], []);
  assert.deepEqual(verdicts(checks), [[false, null]]);
  assert.equal(checks[0]?.actual, d(3));
  assert.match(checks[0]?.message ?? '', /which is not a platform image in this index/);
});

test('boundStatements: attached to the image, readable, and naming it', () => {
  const reads = [
    read(1, AMD, [statement(SLSA1, [AMD]), statement(SPDX, [ARM])]),
    read(2, AMD, [statement(SPDX, [AMD])], 'its layer does not hash to its digest'),
    read(3, ARM, [statement(SPDX, [AMD])]),
    read(4, undefined, [statement(SPDX, [AMD])]),
  ];
  assert.deepEqual(boundStatements(reads, AMD).map((s) => s.predicateType), [SLSA1]);
  assert.deepEqual(boundStatements(reads, ARM), []);
});

test('summarizeAttestations: provenance, SBOM, builder, source, revision and subjectsOk per platform', () => {
  const reads = [
    read(1, AMD, [statement(SLSA1, [AMD], { builder: 'https://github.com/acme/app/actions/runs/1', source: 'https://github.com/acme/app', revision: 'abc123' })]),
    read(2, ARM, [statement(SPDX, [ARM])]),
  ];
  const failedArm: Check = { rule: 'attestations', ok: false, message: 'x', platform: 'linux/arm64' };
  const summary = summarizeAttestations(reads, [amd, arm], [failedArm]);
  assert.deepEqual(summary, [
    { platform: 'linux/amd64', provenance: true, sbom: false, predicateTypes: [SLSA1], builder: 'https://github.com/acme/app/actions/runs/1', source: 'https://github.com/acme/app', revision: 'abc123', subjectsOk: true },
    { platform: 'linux/arm64', provenance: false, sbom: true, predicateTypes: [SPDX], subjectsOk: false },
  ]);
  // Only a failed attestations check of that platform makes its subjects not ok.
  const others: Check[] = [
    { rule: 'attestations', ok: true, message: 'x', platform: 'linux/arm64' },
    { rule: 'diff-ids', ok: false, message: 'x', platform: 'linux/arm64' },
    { rule: 'attestations', ok: false, message: 'x', platform: 'linux/amd64' },
  ];
  assert.deepEqual(summarizeAttestations(reads, [arm], others).map((s) => s.subjectsOk), [true]);
  // A provenance without builder, source or revision: those fields are absent, not empty.
  const plain = summarizeAttestations([read(1, AMD, [statement(SLSA1, [AMD])])], [amd], []);
  assert.deepEqual(plain, [{ platform: 'linux/amd64', provenance: true, sbom: false, predicateTypes: [SLSA1], subjectsOk: true }]);
});

function deep(wastedBytes: number, uncompressed: (number | undefined)[], efficiency: number): DeepReport {
  return {
    verified: true,
    bytesVerified: 1,
    bytesDownloaded: 1,
    config: { digest: d(0), size: 1 },
    layers: uncompressed.map((size, i) => ({ index: i + 1, digest: d(i + 1), mediaType: MANIFEST, size: 1, status: 'verified', ...(size === undefined ? {} : { uncompressedSize: size }) })),
    wastedBytes,
    wasteComplete: true,
    wastedFiles: [],
    wastedFileCount: 0,
    efficiency,
    concurrency: 1,
    durationMs: 1,
  };
}

test('efficiency: each limit at its boundary, and the min-wasted-bytes note only where it applies', () => {
  const tenPercent = deep(1000, [6000, 4000], 0.9); // 1000 of 10000 bytes: exactly 10 %
  const cases: { name: string; report: DeepReport; gate: Parameters<typeof checkEfficiency>[1]; ok: boolean; tail: RegExp }[] = [
    { name: 'percent at the limit', report: tenPercent, gate: { maxWastedPercent: 10 }, ok: true, tail: /: within the limits$/ },
    { name: 'percent under the limit', report: tenPercent, gate: { maxWastedPercent: 11 }, ok: true, tail: /: within the limits$/ },
    { name: 'percent over the limit', report: tenPercent, gate: { maxWastedPercent: 9 }, ok: false, tail: /: more than max-wasted-percent 9 %$/ },
    { name: 'no uncompressed sizes known: 0 %', report: deep(1000, [undefined, undefined], 0.9), gate: { maxWastedPercent: 1 }, ok: true, tail: /\(0\.00 % of 0 bytes uncompressed\).*: within the limits$/ },
    { name: 'bytes limit only, min-wasted-bytes set: no note', report: tenPercent, gate: { maxWastedBytes: 5000, minWastedBytes: 2000 }, ok: true, tail: /: within the limits$/ },
    { name: 'percent under, wasted above min-wasted-bytes: no note', report: tenPercent, gate: { maxWastedPercent: 50, minWastedBytes: 500 }, ok: true, tail: /: within the limits$/ },
    { name: 'percent under, wasted at min-wasted-bytes: no note', report: tenPercent, gate: { maxWastedPercent: 50, minWastedBytes: 1000 }, ok: true, tail: /: within the limits$/ },
    { name: 'percent over, wasted under min-wasted-bytes: the note', report: tenPercent, gate: { maxWastedPercent: 5, minWastedBytes: 1001 }, ok: true, tail: /: within the limits; the percentage limit does not apply under min-wasted-bytes 1001$/ },
    { name: 'efficiency at the limit', report: tenPercent, gate: { minEfficiency: 0.9 }, ok: true, tail: /efficiency 90\.00 %: within the limits$/ },
    { name: 'efficiency only, under', report: tenPercent, gate: { minEfficiency: 0.91 }, ok: false, tail: /: below min-efficiency 0\.91$/ },
  ];
  for (const c of cases) {
    const check = checkEfficiency(c.report, c.gate);
    assert.deepEqual([check?.rule, check?.ok, check?.actual], ['efficiency', c.ok, String(c.report.wastedBytes)], c.name);
    assert.match(check?.message ?? '', c.tail, `${c.name}: ${check?.message}`);
  }
});

test('platforms-expected: expected and actual name the platforms; servedByTop reads the tag', () => {
  const body: ImageIndex = {
    schemaVersion: 2,
    manifests: [...images, { mediaType: INDEX, digest: d(5), size: 1, platform: { os: 'linux', architecture: 's390x' } }],
  };
  const remote: RemoteTop = { reference: 'r/app:1', top: { digest: d(9000), mediaType: INDEX, size: 1, body, bytes: Buffer.alloc(0) }, ...indexEntries(body) };
  const served = servedByTop(remote);
  assert.deepEqual(served, { reference: 'r/app:1', index: true, images, others: [body.manifests[2]] });
  const check = checkExpectedPlatforms(served, [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ]);
  assert.deepEqual([check.rule, check.ok, check.expected, check.actual], ['platforms', false, 'linux/amd64,linux/arm64', 'linux/amd64,linux/arm64']);
  assert.match(check.message, /extra sha256:0+5 \(a nested index\)$/);
  const single: RemoteTop = { ...remote, top: { ...remote.top, mediaType: MANIFEST }, images: [images[0]!], others: [], entries: [images[0]!] };
  assert.equal(servedByTop(single).index, false);
  const one = checkExpectedPlatforms(servedByTop(single), [{ os: 'linux', architecture: 'amd64' }]);
  assert.deepEqual([one.ok, one.actual], [true, 'linux/amd64']);
  assert.equal(one.message, 'the single image serves exactly the expected platforms linux/amd64');
});
