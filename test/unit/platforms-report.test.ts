import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlatformReport, VerifyReport } from '../../src/model/report.js';
import { ruleName } from '../../src/report/format.js';
import { platformsOutput } from '../../src/report/outputs.js';
import { renderText } from '../../src/report/text.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function platform(name: string, presence: PlatformReport['presence'], ok: boolean): PlatformReport {
  return {
    platform: name,
    presence,
    status: ok ? 'verified' : 'mismatch',
    remote: presence === 'local' ? undefined : { reference: 'r/app:1', indexDigest: d(1), manifestDigest: d(10), manifestMediaType: 'm', configDigest: d(20), platform: name },
    local: presence === 'registry' ? undefined : { reference: 'oci-layout:out', source: 's', id: d(20), idKind: 'config', platform: name, manifestDigest: d(10) },
    checks: ok ? [{ rule: 'diff-ids', ok: true, message: 'same', platform: name }] : [{ rule: 'platforms', ok: false, message: `${name} missing`, platform: name }],
    layers: [],
    attestation: presence === 'both' ? { status: 'same', registry: d(30), local: d(30) } : undefined,
  };
}

const multi: VerifyReport = {
  image: 'r/app:1',
  status: 'mismatch',
  verified: false,
  checks: [],
  layers: [],
  compared: [],
  durationMs: 1,
  index: { reference: 'r/app:1', digest: d(1), mediaType: 'application/vnd.oci.image.index.v1+json' },
  platforms: [platform('linux/amd64', 'both', true), platform('linux/arm64', 'registry', false)],
};
multi.checks = multi.platforms!.flatMap((p) => p.checks);

test('the platforms output: one entry per platform, presence and attestation included', () => {
  assert.deepEqual(platformsOutput(multi), [
    { platform: 'linux/amd64', presence: 'both', verified: true, digest: d(10), 'config-digest': d(20), 'local-digest': d(10), attestation: 'same' },
    { platform: 'linux/arm64', presence: 'registry', verified: false, digest: d(10), 'config-digest': d(20) },
  ]);
  const single: VerifyReport = { ...multi, platforms: undefined, index: undefined, verified: true, remote: multi.platforms![0]!.remote };
  assert.deepEqual(platformsOutput(single), [{ platform: 'linux/amd64', presence: 'registry', verified: true, digest: d(10), 'config-digest': d(20) }]);
  assert.deepEqual(platformsOutput({ ...single, remote: undefined }), []);
});

test('text: failed checks name their platform, and an overview line per platform', () => {
  assert.equal(ruleName({ rule: 'diff-ids' }), 'diff-ids');
  assert.equal(ruleName({ rule: 'diff-ids', platform: 'linux/arm64' }), 'diff-ids (linux/arm64)');
  const text = renderText(multi);
  assert.match(text, /^MISMATCH {2}r\/app:1$/m);
  assert.match(text, /✗ platforms \(linux\/arm64\): linux\/arm64 missing/);
  assert.match(text, /linux\/amd64 +✓ +sha256:000000000000 +sha256:000000000000 +same \(sha256:000000000000\)/);
  assert.match(text, /linux\/arm64 +✗ +sha256:0{12} +— +none +\[registry only\]/);
  // No platform known (no platforms, no registry or local image): no platform table.
  assert.doesNotMatch(renderText({ ...multi, platforms: undefined }), /platform +ok +registry manifest/);
});

test('no local build: platforms are not called "registry only" one by one (the verdict says it once); with one, a platform missing locally is', async () => {
  const { summaryHtml } = await import('../../src/report/summary.js');
  const ok = (name: string): PlatformReport => ({ ...platform(name, 'registry', true), checks: [{ rule: 'index-digest', ok: true, message: 'same', platform: name }] });
  const registryOnly: VerifyReport = { ...multi, status: 'verified', verified: true, platforms: [ok('linux/amd64'), ok('linux/arm64')] };
  registryOnly.checks = registryOnly.platforms!.flatMap((p) => p.checks);
  const text = renderText(registryOnly);
  assert.match(text, /CONSISTENT \(registry only\)/);
  assert.doesNotMatch(text, /\[registry only\]/);
  const html = summaryHtml([registryOnly]);
  assert.match(html, /Consistent \(registry only\)/);
  assert.doesNotMatch(html, /— registry only|<br>registry only/);
  // With a local build, the platform it lacks still says so, in text and summary.
  assert.match(renderText(multi), /\[registry only\]/);
  assert.match(summaryHtml([multi]), /registry only/);
});
