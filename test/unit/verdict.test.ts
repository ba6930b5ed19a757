// The verdict and its one sentence: every word from a check that ran. A case table of reports,
// from a full local comparison to a registry-only run, a mismatch at a base or image layer, and
// an error; then the summary and the CLI put the sentence first and (CLI) the verdict last.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Check } from '../../src/model/check.js';
import type { BaseReport } from '../../src/model/base.js';
import type { LayerRow, PlatformReport, VerifyReport } from '../../src/model/report.js';
import { summaryHtml } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import { verdictLabel, verdictOf } from '../../src/report/verdict.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const ok = (rule: Check['rule']): Check => ({ rule, ok: true, message: 'fine' });
const rows = (n: number, differs?: { at: number; origin: 'base' | 'image' }): LayerRow[] =>
  Array.from({ length: n }, (_, i) => ({
    index: i + 1,
    instruction: `RUN step ${i + 1}`,
    diffId: d(i + 1),
    status: differs && i + 1 >= differs.at ? 'differs' : 'match',
    origin: differs && i + 1 <= 2 ? 'base' : differs ? 'image' : undefined,
  }));

function report(opts: { checks: Check[]; local?: 'config' | 'manifest'; layers?: LayerRow[]; status?: VerifyReport['status']; base?: BaseReport['status']; platforms?: string[] }): VerifyReport {
  const names = opts.platforms ?? ['linux/amd64'];
  const platforms: PlatformReport[] = names.map((platform) => ({
    platform,
    presence: opts.local ? 'both' : 'registry',
    status: 'verified',
    remote: { reference: 'r/app:1', manifestDigest: d(10), manifestMediaType: 'm', configDigest: d(20), platform },
    ...(opts.local ? { local: { reference: 'app', source: 'docker', id: d(20), idKind: opts.local, platform } } : {}),
    checks: opts.checks,
    layers: opts.layers ?? rows(5),
  }));
  const status = opts.status ?? (opts.checks.every((c) => c.ok) ? 'verified' : 'mismatch');
  return {
    image: 'r/app:1',
    status,
    verified: status === 'verified',
    checks: opts.checks,
    layers: platforms[0]!.layers,
    compared: [],
    durationMs: 1,
    platforms,
    ...(names.length === 1 ? { remote: platforms[0]!.remote, local: platforms[0]!.local } : {}),
    ...(opts.base ? { base: { status: opts.base, drift: 'unknown', source: 'input', from: 'the base-image input', message: 'm', reference: 'b:1' } as BaseReport } : {}),
  };
}

const cases: Array<[string, VerifyReport, string, string, boolean]> = [
  [
    'a local build, classic store: layers and image ID, the digest not tied',
    report({ checks: [ok('layer-count'), ok('platform'), ok('diff-ids'), ok('image-id')], local: 'config' }),
    '✅ Verified',
    'Registry serves exactly your local build: 5 layers and image ID match',
    true,
  ],
  [
    'a local build with the expected digest and a drifted base',
    report({ checks: [ok('layer-count'), ok('diff-ids'), ok('image-id'), ok('digest')], local: 'config', base: 'drifted' }),
    '✅ Verified · 🔄 base drifted',
    'Registry serves exactly your local build: 5 layers, image ID and the expected digest match',
    false,
  ],
  [
    'the containerd store: the image ID is the manifest digest',
    report({ checks: [ok('diff-ids'), ok('image-id')], local: 'manifest' }),
    '✅ Verified',
    'Registry serves exactly your local build: 5 layers and image ID match',
    false,
  ],
  [
    'no local image: consistent, never "verified"',
    report({ checks: [ok('layer-count')] }),
    '✅ Consistent (registry only)',
    'Registry image is consistent: manifest and config agree on 5 layers; not compared with a local build',
    true,
  ],
  [
    'no local image, deep, the expected digest',
    report({ checks: [ok('layer-count'), ok('layer-blobs'), ok('digest')] }),
    '✅ Consistent (registry only)',
    "Registry image is consistent: manifest and config agree on 5 layers, and it is the expected digest; every layer's bytes downloaded and hashed; not compared with a local build",
    false,
  ],
  [
    'two platforms',
    report({ checks: [ok('diff-ids'), ok('image-id'), ok('index-digest')], local: 'config', layers: rows(3), platforms: ['linux/amd64', 'linux/arm64'] }),
    '✅ Verified',
    'Registry serves exactly your local build on 2 platforms (linux/amd64, linux/arm64): 6 layers, image IDs and index digest match',
    false,
  ],
  [
    'an image layer differs above matching ones',
    report({ checks: [ok('layer-count'), { rule: 'diff-ids', ok: false, layer: 4, message: 'x' }, { rule: 'image-id', ok: false, message: 'y' }], local: 'config', layers: rows(5, { at: 4, origin: 'image' }) }),
    '❌ Mismatch',
    'Registry does not serve your local build: layer 4 of 5 differs (registry: RUN step 4), the 3 layers below it match: a different build from layer 4 on (1 more failed rule below)',
    false,
  ],
  [
    'a base layer differs',
    report({ checks: [{ rule: 'diff-ids', ok: false, layer: 2, message: 'x' }], local: 'config', layers: rows(5, { at: 2, origin: 'base' }) }),
    '❌ Mismatch',
    'Registry does not serve your local build: layer 2 of 5 differs (registry: RUN step 2), the layer below it matches: a different base (layer 2 belongs to the base image)',
    false,
  ],
  [
    'same layers, another config',
    report({ checks: [ok('diff-ids'), { rule: 'image-id', ok: false, message: 'y' }], local: 'config' }),
    '❌ Mismatch',
    'Registry does not serve your local build: same layers, different config: the image was rebuilt with other metadata (labels, environment, created time) or converted',
    false,
  ],
];

for (const [what, r, label, sentence, digestUnchecked] of cases) {
  test(`verdictOf: ${what}`, () => {
    const verdict = verdictOf(r);
    assert.equal(verdictLabel(verdict), label);
    assert.equal(verdict.sentence, sentence);
    assert.equal(verdict.digestUnchecked, digestUnchecked);
  });
}

test('verdictOf: an error verifies nothing', () => {
  const verdict = verdictOf({ ...report({ checks: [] }), status: 'error', verified: false, error: 'the registry answered 500' });
  assert.equal(verdictLabel(verdict), '⚠️ Could not verify');
  assert.equal(verdict.sentence, 'Nothing was verified: the registry answered 500');
});

test('the summary puts the sentence under the heading; the CLI puts it first and the verdict last', () => {
  const r = report({ checks: [ok('layer-count')] });
  const html = summaryHtml([r]).split('\n');
  assert.equal(html[0], '<h2>✅ Consistent (registry only): r/app:1</h2>');
  assert.match(html[1] ?? '', /^<p><strong>Registry image is consistent: .*\.<\/strong> <em>Digest not checked — pass <code>digest<\/code>/);
  const text = renderText(r).split('\n');
  assert.match(text[0] ?? '', /^Registry image is consistent: .*\. Digest not checked: pass --digest\.$/);
  assert.equal(text.at(-1), 'CONSISTENT (registry only)  r/app:1');
  const drifted = renderText(report({ checks: [ok('diff-ids')], local: 'config', base: 'drifted' })).split('\n');
  assert.equal(drifted.at(-1), 'VERIFIED  r/app:1  · base drifted');
});

test('no base known: one muted line with the how-to collapsed; FROM scratch: one muted line', () => {
  const none = { ...report({ checks: [ok('layer-count')] }), base: { status: 'none', drift: 'unknown', source: 'none', from: 'nothing', message: 'no base image is known: set it' } as BaseReport };
  const html = summaryHtml([none]);
  assert.match(html, /^<details><summary><sub>Base: unknown — how to enable<\/sub><\/summary><p>no base image is known: set it<\/p><p>Looked at: nothing\.<\/p><\/details>$/m);
  assert.doesNotMatch(html, /<h3>Base/);
  const scratch = summaryHtml([{ ...none, base: { ...none.base!, layers: 0, message: 'FROM scratch' } }]);
  assert.match(scratch, /^<p><sub>Base: none — FROM scratch<\/sub><\/p>$/m);
});
