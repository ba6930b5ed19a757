// The pure parts of the job summary (issue 14): the mismatch diagnosis and side-by-side rows, the
// share-of-pull bars, times without nanoseconds and "ago" from a given instant, which base layer
// changed, and the audit's severity order and heading, which never reads as all-clear when
// nothing was checked.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percent, shareBar } from '../../src/report/bars.js';
import { comparisonOf, diagnose, diagnosisText, layerCount, sameSteps, type MismatchFacts } from '../../src/report/mismatch.js';
import { auditHeading, auditRows, auditSentence } from '../../src/report/summary-audit.js';
import { changedLayerText, summaryHtml } from '../../src/report/summary.js';
import { ago, dateAgo, span, utcMinute, utcSecond } from '../../src/report/time.js';
import type { BaseReport, BaseStatus } from '../../src/model/base.js';
import type { LayerRow, PlatformReport, VerifyReport } from '../../src/model/report.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

/** Layers 1..n; from `at` on the diff_ids differ; the first `base` are the base's; instructions per side. */
function layers(n: number, at: number | undefined, base: number, local: (i: number) => string | undefined = (i) => `RUN step ${i}`): LayerRow[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    const differs = at !== undefined && i >= at;
    return {
      index: i,
      instruction: `RUN step ${i}`,
      localInstruction: local(i),
      diffId: d(i),
      localDiffId: differs ? d(100 + i) : d(i),
      status: differs ? 'differs' : 'match',
      origin: i <= base ? 'base' : 'image',
    };
  });
}

const T0 = '2026-11-29T12:54:03.123456789Z';
const T9 = '2026-11-29T12:54:12.987654321Z';

const DIAGNOSES: Array<[string, MismatchFacts, number | undefined, string]> = [
  ['a base layer differs', { layers: layers(5, 2, 3) }, 2, 'a different base (layer 2 belongs to the base image)'],
  ['the base count says so even without origins', { layers: layers(5, 3, 0), baseLayers: 3 }, 3, 'a different base (layer 3 belongs to the base image)'],
  ['same steps, other layers', { layers: layers(5, 4, 3) }, 4, 'a different build of the same Dockerfile (the same steps made other layers)'],
  ['other steps', { layers: layers(5, 4, 3, (i) => (i === 4 ? 'RUN other' : `RUN step ${i}`)) }, 4, 'different build steps from layer 4 on: another image'],
  ['the local build has one layer fewer', { layers: [...layers(4, undefined, 2), { index: 5, instruction: 'RUN step 5', diffId: d(5), status: 'differs' }] }, 5, 'different build steps from layer 5 on: another image'],
  ['no local history: no guess about steps', { layers: layers(5, 4, 3, () => undefined) }, 4, 'a different build from layer 4 on'],
  ['registry built later: overwritten', { layers: layers(5, 4, 3), registryCreated: T9, localCreated: T0 }, 4, "a different build of the same Dockerfile (the same steps made other layers); the registry's image was built 9 s after yours: another job likely overwrote the tag"],
  ['local built later: rebuilt after the push', { layers: layers(5, 4, 3), registryCreated: T0, localCreated: '2026-11-29T15:54:03Z' }, 4, 'a different build of the same Dockerfile (the same steps made other layers); your build is 2 h newer than the registry\'s image: the tag holds an older build (another job pushed it, or yours was never pushed)'],
  ['within a second: the times say nothing', { layers: layers(5, 4, 3), registryCreated: T0, localCreated: '2026-11-29T12:54:03.9Z' }, 4, 'a different build of the same Dockerfile (the same steps made other layers)'],
  ['same layers, another config', { layers: layers(3, undefined, 1), configDiffers: true }, undefined, 'the same layers with a different config: rebuilt with other metadata (labels, environment, created time) or converted'],
  ['an unreadable time is no clue', { layers: layers(3, 3, 1), registryCreated: 'yesterday', localCreated: T0 }, 3, 'a different build of the same Dockerfile (the same steps made other layers)'],
];

for (const [name, facts, first, text] of DIAGNOSES) {
  test(`diagnose: ${name}`, () => {
    const diagnosis = diagnose(facts);
    assert.equal(diagnosis.firstDiffering, first);
    assert.equal(diagnosisText(diagnosis), text);
  });
}

test('sameSteps: known only when every instruction on both sides is', () => {
  assert.equal(sameSteps(layers(3, 3, 1)), true);
  assert.equal(sameSteps(layers(3, 3, 1, (i) => (i === 2 ? 'RUN x' : `RUN step ${i}`))), false);
  assert.equal(sameSteps(layers(3, 3, 1, (i) => (i === 2 ? undefined : `RUN step ${i}`))), undefined);
  // The builder's wrapper is not a different step.
  assert.equal(sameSteps(layers(2, 2, 0, (i) => `/bin/sh -c step ${i}`).map((r) => ({ ...r, instruction: `RUN /bin/sh -c step ${r.index} # buildkit` }))), true);
});

test('layerCount: the base share only when it is known and fits', () => {
  assert.equal(layerCount(5, 3), '5 (3 base + 2 own)');
  assert.equal(layerCount(5, undefined), '5');
  assert.equal(layerCount(5, 0), '5');
  assert.equal(layerCount(2, 3), '2');
});

function platform(rows: LayerRow[], fields: Partial<PlatformReport> = {}): PlatformReport {
  return {
    platform: 'linux/amd64',
    presence: 'both',
    status: 'mismatch',
    remote: { reference: 'r/app:1', manifestDigest: d(30), manifestMediaType: 'application/vnd.oci.image.manifest.v1+json', configDigest: d(31), platform: 'linux/amd64', created: T9 },
    local: { reference: 'app:1', source: 'Docker daemon', id: d(41), idKind: 'config', platform: 'linux/amd64', created: T0 },
    checks: [{ rule: 'diff-ids', ok: false, layer: 4, message: 'layer 4 differs' }],
    layers: rows,
    ...fields,
  };
}

test('comparisonOf: both sides, the identical leading layers as a range, the first differing layer on each side', () => {
  const rows = layers(5, 4, 3, (i) => (i === 4 ? 'RUN echo one > /one' : `RUN step ${i}`));
  rows.pop(); // the local build has 4 layers
  rows.push({ index: 5, instruction: 'RUN step 5', diffId: d(5), status: 'differs', origin: 'image' });
  const comparison = comparisonOf(platform(rows));
  assert.ok(comparison);
  assert.deepEqual(
    comparison.rows.map((r) => [r.label, r.registry, r.local]),
    [
      ['Digest', 'sha256:000000000000', '—'],
      ['Image ID', 'sha256:000000000000', 'sha256:000000000000'],
      ['Created', '2026-11-29 12:54:12 UTC', '2026-11-29 12:54:03 UTC'],
      ['Layers', '5 (3 base + 2 own)', '4 (3 base + 1 own)'],
    ],
  );
  assert.equal(comparison.rows[1]?.fullLocal, d(41));
  assert.deepEqual(comparison.identical, { from: 1, to: 3, base: true });
  assert.deepEqual(
    comparison.differing.map((r) => [r.label, r.registry, r.local]),
    [
      ['Layer 4', 'RUN step 4', 'RUN echo one > /one'],
      ['diff_id 4', 'sha256:000000000000', 'sha256:000000000000'],
    ],
  );
  assert.equal(comparison.differing[1]?.fullLocal, d(104));
  assert.match(diagnosisText(comparison.diagnosis), /^different build steps from layer 4 on: another image; the registry's image was built 9 s after yours/);
  assert.equal(comparisonOf(platform(rows, { local: undefined })), undefined, 'no local build, nothing to set beside');
});

test('the summary of a mismatch: the comparison right under the sentence, the base after it, no nanoseconds', () => {
  const rows = layers(5, 4, 3);
  const base: BaseReport = { status: 'up-to-date', drift: 'false', source: 'input', from: 'the base-image input', reference: 'r/base:1', message: 'built on the current r/base:1', layers: 3 };
  const report: VerifyReport = { image: 'r/app:1', verified: false, compared: [], durationMs: 1, ...platform(rows), status: 'mismatch', base };
  const html = summaryHtml([report], new Date('2026-11-29T15:00:00Z'));
  const lines = html.split('\n');
  assert.match(lines[0] ?? '', /^<h2>❌ Mismatch: /);
  assert.match(lines[1] ?? '', /^<p><strong>Registry does not serve your local build: layer 4 of 5 differs/);
  assert.match(lines[2] ?? '', /^<table><tr><th><\/th><th>Registry<\/th><th>Your local build<\/th><\/tr>/);
  assert.ok(lines[2]?.includes('<td colspan="3">Layers 1–3 identical (base <code>r/base:1</code>, ✅ up to date)</td>'), lines[2]);
  assert.match(lines[3] ?? '', /^<p><strong>Diagnosis:<\/strong> a different build of the same Dockerfile/);
  assert.ok(html.indexOf('Base image: ✅ up to date') > html.indexOf('Diagnosis:'), 'the green base section comes after the comparison');
  assert.doesNotMatch(html, /\d{2}:\d{2}:\d{2}\.\d/, 'no fractions of a second');
  assert.match(html, /<details><summary>Full digests and instructions<\/summary><pre>Digest: registry sha256:0+1e<br>/);
});

test('shareBar and percent: eighth blocks, a sliver for a share above zero, nothing for an unknown whole', () => {
  assert.equal(shareBar(1, 1), '████████ 100%');
  assert.equal(shareBar(1, 2), '████ 50%');
  assert.equal(shareBar(1, 16), '▌ 6%');
  assert.equal(shareBar(3, 8, 4), '█▌ 38%');
  assert.equal(shareBar(1, 10_000), '▏ <1%');
  assert.equal(shareBar(0, 10), '0%');
  assert.equal(shareBar(5, 0), '');
  assert.equal(shareBar(2, 1), '████████ 100%', 'never past a full bar');
  assert.equal(percent(1, 3), '33%');
  assert.equal(percent(1, 0), '');
});

test('times: minutes or seconds in UTC, no nanoseconds, "ago" from the instant given', () => {
  const now = new Date('2026-11-29T15:54:30Z');
  assert.equal(utcMinute(T0), '2026-11-29 12:54 UTC');
  assert.equal(utcSecond(T0), '2026-11-29 12:54:03 UTC');
  assert.equal(utcMinute('2026-11-29T14:54:03+02:00'), '2026-11-29 12:54 UTC');
  assert.equal(dateAgo(T0, now), '2026-11-29 12:54 UTC, 3 h ago');
  assert.equal(ago('2026-11-26T15:54:30Z', now), '3 days ago');
  assert.equal(ago('2026-11-29T15:54:30.2Z', now), 'after this run started (clock skew)');
  assert.equal(ago('2026-11-29T15:54:29.5Z', now), 'just now');
  assert.equal(dateAgo(undefined, now), '');
  assert.equal(dateAgo('not a date', now), '');
  assert.deepEqual([0, 9_999, 60_000, 3_600_000 * 47, 86_400_000 * 2].map(span), ['0 s', '9 s', '1 min', '47 h', '2 days']);
});

test('changedLayerText: which base layer changed, from the layers that still match', () => {
  const drifted = (matchingLayers: number | undefined, layers: number | undefined, builtOnLayers?: number): BaseReport => ({
    status: 'drifted',
    drift: 'true',
    source: 'input',
    from: 'x',
    message: 'm',
    matchingLayers,
    current: { digest: d(1), layers },
    ...(builtOnLayers !== undefined ? { builtOn: { digest: d(2), layers: builtOnLayers } } : {}),
  });
  assert.equal(changedLayerText(drifted(2, 3)), 'base layer 3 of 3 changed; its first 2 layers still match the image');
  assert.equal(changedLayerText(drifted(0, 3)), 'base layer 1 of 3 changed; none of its layers still start the image');
  assert.equal(changedLayerText(drifted(3, 4, 3)), 'the current base adds layer 4 on top of the 3 layers the image was built on');
  assert.equal(changedLayerText(drifted(3, 5, 3)), 'the current base adds layers 4–5 on top of the 3 layers the image was built on');
  assert.equal(changedLayerText(drifted(2, 3, 3)), 'base layer 3 of 3 changed; its first 2 layers still match the image');
  assert.equal(changedLayerText(drifted(3, 3, 3)), 'no layer: the tag points to another manifest with the same layers');
  assert.equal(changedLayerText(drifted(undefined, 3)), undefined);
});

function audited(image: string, status: VerifyReport['status'], base?: BaseStatus): VerifyReport {
  return {
    image,
    status,
    verified: status === 'verified',
    ...(status === 'error' ? { error: `${image} not found` } : {}),
    checks: [],
    layers: [],
    compared: [],
    durationMs: 1,
    ...(base ? { base: { status: base, drift: base === 'drifted' ? 'true' : 'unknown', source: 'label', from: 'labels', message: 'm', reference: 'r/base:1' } } : {}),
  } as VerifyReport;
}

test('auditRows: most urgent first, input order among equals', () => {
  const reports = [
    audited('ok1', 'verified', 'up-to-date'),
    audited('none', 'verified', 'none'),
    audited('drift', 'verified', 'drifted'),
    audited('gone', 'error'),
    audited('off', 'verified'),
    audited('ok2', 'verified', 'up-to-date'),
    audited('bad', 'mismatch', 'up-to-date'),
    audited('other', 'verified', 'not-built-on'),
    audited('unknown', 'verified', 'unknown'),
  ];
  assert.deepEqual(
    auditRows(reports).map((r) => [r.report.image, r.status]),
    [
      ['bad', '❌ mismatch'],
      ['gone', '⚠️ could not check'],
      ['other', '❌ not built on its base'],
      ['drift', '🔄 drifted'],
      ['unknown', '❔ base unknown'],
      ['none', '➖ no base known'],
      ['off', '➖ base not checked'],
      ['ok1', '✅ up to date'],
      ['ok2', '✅ up to date'],
    ],
  );
  assert.ok(auditRows(reports).every((r) => r.next.length > 0));
});

test('auditHeading: counts by status; never "0 drifted" when no base could be checked', () => {
  assert.equal(
    auditHeading([audited('a', 'verified', 'drifted'), audited('b', 'verified', 'up-to-date'), audited('c', 'error'), audited('d', 'verified', 'up-to-date')]),
    'Base image audit: 4 images, 1 drifted, 1 could not be checked, 2 up to date',
  );
  assert.equal(auditHeading([audited('a', 'verified', 'up-to-date'), audited('b', 'verified', 'up-to-date')]), 'Base image audit: 2 images, 0 drifted, 2 up to date');
  const nothing = auditHeading([audited('a', 'verified', 'none'), audited('b', 'error'), audited('c', 'verified', 'unknown')]);
  assert.equal(nothing, 'Base image audit: 3 images, 1 could not be checked, 1 base unknown, 1 no base known, no base could be checked');
  assert.doesNotMatch(nothing, /0 drifted/);
});

test('auditSentence: what to do, most urgent first; all-clear only when every base is current', () => {
  assert.equal(auditSentence([audited('a', 'verified', 'drifted'), audited('b', 'error'), audited('c', 'verified', 'up-to-date')]), '1 image could not be checked (why is below); rebuild 1 image on the current base');
  assert.equal(auditSentence([audited('a', 'verified', 'up-to-date'), audited('b', 'verified', 'up-to-date')]), 'Every image is built on the current version of its base (2 images checked)');
  assert.equal(auditSentence([audited('a', 'verified', 'none'), audited('b', 'verified', 'none')]), '2 images with no base known');
});

test('the audit summary: one table by severity, shared columns stated once, errors and each image collapsed', () => {
  const html = summaryHtml([audited('ok', 'verified', 'up-to-date'), audited('gone', 'error'), audited('drift', 'verified', 'drifted')], new Date('2026-11-29T15:00:00Z'));
  const lines = html.split('\n').filter(Boolean);
  assert.match(lines[0] ?? '', /^<h2>Base image audit: 3 images, 1 drifted, 1 could not be checked, 1 up to date<\/h2>$/);
  assert.match(lines[1] ?? '', /^<p><strong>1 image could not be checked \(why is below\); rebuild 1 image on the current base\.<\/strong><\/p>$/);
  const table = lines.find((l) => l.startsWith('<table>')) ?? '';
  assert.match(table, /<th>Image<\/th><th>Status<\/th>.*<th>Next step<\/th>/);
  assert.deepEqual([...table.matchAll(/<tr><td><code>([a-z]+)<\/code>/g)].map((m) => m[1]), ['gone', 'drift', 'ok']);
  assert.doesNotMatch(table, /not found/, 'the long error is not in the table');
  assert.match(html, /<details><summary>Why 1 image could not be checked<\/summary><ul><li><code>gone<\/code>: gone not found<\/li><\/ul><\/details>/);
  assert.equal(lines.filter((l) => l.startsWith('<details><summary>') && /<code>(ok|gone|drift)<\/code><\/summary>/.test(l)).length, 3, 'each image collapsed');
  assert.ok(lines.every((l) => /^<(h\d|p|ul|table|details)>/.test(l)), 'every line one element of ours');
});
