import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combinePlatformBases } from '../../src/base/platforms.js';
import type { BaseReport } from '../../src/model/base.js';
import type { PlatformReport } from '../../src/model/report.js';
import { baseOutputs } from '../../src/report/outputs.js';
import { blobsCompared } from '../../src/verify/compared.js';
import { renderText } from '../../src/report/text.js';
import type { VerifyReport } from '../../src/model/report.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function base(status: BaseReport['status'], extra: Partial<BaseReport> = {}): BaseReport {
  return {
    status,
    drift: status === 'drifted' ? 'true' : status === 'up-to-date' ? 'false' : 'unknown',
    source: 'label',
    from: 'config labels',
    reference: 'r/base:1@' + d(1),
    message: `${status} message`,
    layers: 1,
    builtOn: { digest: d(1) },
    current: { digest: status === 'drifted' ? d(2) : d(1) },
    ...extra,
  };
}

function platform(name: string, b: BaseReport | undefined): PlatformReport {
  return { platform: name, presence: 'both', status: 'verified', checks: [], layers: [], base: b };
}

function outputsOf(platforms: PlatformReport[]): Record<string, string> {
  const report: VerifyReport = { image: 'r/app:1', status: 'verified', verified: true, checks: [], layers: [], compared: [], durationMs: 0, platforms };
  report.base = combinePlatformBases(platforms);
  return baseOutputs([report]);
}

test('every platform up to date: drift false, shared facts kept', () => {
  const combined = combinePlatformBases([platform('linux/amd64', base('up-to-date')), platform('linux/arm64', base('up-to-date'))]);
  assert.equal(combined?.status, 'up-to-date');
  assert.equal(combined?.drift, 'false');
  assert.deepEqual(outputsOf([platform('linux/amd64', base('up-to-date')), platform('linux/arm64', base('up-to-date'))]), {
    'base-image': 'r/base:1@' + d(1),
    'base-digest': d(1),
    'base-current-digest': d(1),
    'base-layers': '1',
    'base-drift': 'false',
    'drifted-images': '[]',
  });
});

test('one platform drifted: drift true, the platform named, the largest age kept', () => {
  const combined = combinePlatformBases([
    platform('linux/amd64', base('up-to-date')),
    platform('linux/arm64', base('drifted', { driftAgeDays: 3, behindDays: 2 })),
  ]);
  assert.equal(combined?.status, 'drifted');
  assert.equal(combined?.drift, 'true');
  assert.match(combined?.message ?? '', /1 of 2 platforms \(linux\/arm64\): drifted message/);
  assert.equal(combined?.driftAgeDays, 3);
  // The tag's current digest differs between the two platforms' reports: not one value to give.
  assert.equal(combined?.current, undefined);
  assert.equal(outputsOf([platform('linux/amd64', base('up-to-date')), platform('linux/arm64', base('drifted'))])['base-drift'], 'true');
});

test('a platform not checked, or unknown, leaves drift unknown', () => {
  assert.equal(combinePlatformBases([platform('linux/amd64', base('up-to-date')), platform('linux/arm64', undefined)])?.drift, 'unknown');
  const unknown = combinePlatformBases([platform('linux/amd64', base('up-to-date')), platform('linux/arm64', base('unknown'))]);
  assert.equal(unknown?.drift, 'unknown');
  assert.equal(unknown?.status, 'unknown');
  assert.match(unknown?.message ?? '', /linux\/arm64: unknown message/);
  assert.equal(combinePlatformBases([platform('linux/amd64', undefined)]), undefined);
});

test('base layers only when every platform agrees', () => {
  const combined = combinePlatformBases([platform('linux/amd64', base('up-to-date', { layers: 1 })), platform('linux/arm64', base('up-to-date', { layers: 2 }))]);
  assert.equal(combined?.layers, undefined);
  assert.equal(outputsOf([platform('linux/amd64', base('up-to-date', { layers: 1 })), platform('linux/arm64', base('up-to-date', { layers: 2 }))])['base-layers'], '');
});

test('not built on the base wins over unknown; drifted wins over everything', () => {
  assert.equal(combinePlatformBases([platform('a', base('not-built-on')), platform('b', base('unknown'))])?.status, 'not-built-on');
  assert.equal(combinePlatformBases([platform('a', base('not-built-on')), platform('b', base('drifted'))])?.status, 'drifted');
});

test('what was compared says blobs were proved only when deep ran', () => {
  const remote = { reference: 'r', manifestDigest: d(1), manifestMediaType: 'm', configDigest: d(2), platform: 'linux/amd64' };
  const deep = {} as NonNullable<PlatformReport['deep']>;
  assert.match(blobsCompared([{ platform: 'linux/amd64', remote }]), /were not downloaded \(set deep: true/);
  assert.match(blobsCompared([{ platform: 'linux/amd64', remote, deep }, { platform: 'linux/arm64', remote, deep }]), /^every layer blob of 2 platform image\(s\) downloaded and hashed/);
  assert.match(blobsCompared([{ platform: 'linux/amd64', remote, deep }, { platform: 'linux/arm64', remote }]), /1 platform image\(s\) were not downloaded/);
});

test('the CLI text shows the combined base, then each platform base with its own layer count', () => {
  const platforms = [
    { ...platform('linux/amd64', base('up-to-date')), layers: [{ index: 1, status: 'match' as const, origin: 'base' as const }, { index: 2, status: 'match' as const, origin: 'image' as const }] },
    { ...platform('linux/arm64', base('drifted')), layers: [{ index: 1, status: 'match' as const }, { index: 2, status: 'match' as const }] },
  ];
  const report: VerifyReport = { image: 'r/app:1', status: 'verified', verified: true, checks: [], layers: [], compared: [], durationMs: 0, platforms };
  report.base = combinePlatformBases(platforms);
  const lines = renderText(report).split('\n');
  const combined = lines.findIndex((l) => /^ {2}base {6}r\/base:1@sha256:0+1 {2}DRIFTED/.test(l));
  assert.ok(combined > 0, lines.join('\n'));
  assert.ok(combined < lines.findIndex((l) => l.startsWith('  base of ')), 'the combined base comes first');
  assert.ok(lines.includes('  base layers 1 on every platform'), lines.join('\n'));
  assert.ok(lines.some((l) => /^ {2}base of linux\/arm64: r\/base:1@\S+ {2}DRIFTED/.test(l)), lines.join('\n'));
  assert.equal(lines.filter((l) => l === '  base layers 1 of 2').length, 2);
});
