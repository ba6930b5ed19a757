// The combined base verdict of a multi-platform run, field by field (issue 16): which values all
// platforms share (kept), which differ (left out), the largest lag among drifted platforms, every
// platform's error, and the message naming the platforms that were not up to date or not checked.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combinePlatformBases } from '../../src/base/platforms.js';
import type { BaseReport } from '../../src/model/base.js';
import type { PlatformReport } from '../../src/model/report.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function base(status: BaseReport['status'], extra: Partial<BaseReport> = {}): BaseReport {
  return {
    status,
    drift: status === 'drifted' ? 'true' : status === 'up-to-date' || status === 'none' ? 'false' : 'unknown',
    source: 'label',
    from: 'config labels',
    message: `${status} message`,
    ...extra,
  };
}

const platform = (name: string, b: BaseReport | undefined): PlatformReport => ({ platform: name, presence: 'both', status: 'verified', checks: [], layers: [], base: b });

const cases: { name: string; platforms: PlatformReport[]; want: BaseReport | undefined }[] = [
  {
    name: 'FROM scratch on every platform: none, drift false',
    platforms: [platform('a', base('none', { source: 'none', from: 'no base', message: 'FROM scratch' })), platform('b', base('none', { source: 'none', from: 'no base', message: 'FROM scratch' }))],
    want: { status: 'none', drift: 'false', source: 'none', from: 'no base', message: 'every platform (a, b): FROM scratch' },
  },
  {
    name: 'one platform FROM scratch, one up to date: up to date, the differing messages left out',
    platforms: [platform('a', base('none')), platform('b', base('up-to-date'))],
    want: { status: 'up-to-date', drift: 'false', source: 'label', from: 'config labels', message: 'every platform (a, b): up to date' },
  },
  {
    name: 'every shared fact kept; registry-named when any platform base was',
    platforms: [
      platform('a', base('up-to-date', { reference: 'r/base:1', namedByRegistry: true, layers: 2, builtOn: { digest: d(1), indexDigest: d(9), created: '2026-01-01T00:00:00Z', layers: 2 }, current: { digest: d(1), indexDigest: d(9), created: '2026-01-01T00:00:00Z' } })),
      platform('b', base('up-to-date', { reference: 'r/base:1', layers: 2, builtOn: { digest: d(1), indexDigest: d(9), created: '2026-01-01T00:00:00Z', layers: 3 }, current: { digest: d(1), indexDigest: d(9), created: '2026-01-01T00:00:00Z' } })),
    ],
    want: {
      status: 'up-to-date',
      drift: 'false',
      source: 'label',
      from: 'config labels',
      message: 'every platform (a, b): up-to-date message',
      reference: 'r/base:1',
      namedByRegistry: true,
      layers: 2,
      builtOn: { digest: d(1), indexDigest: d(9), created: '2026-01-01T00:00:00Z' },
      current: { digest: d(1), indexDigest: d(9), created: '2026-01-01T00:00:00Z' },
    },
  },
  {
    name: 'facts that differ are left out: reference, from, index digest, created, layers',
    platforms: [
      platform('a', base('up-to-date', { reference: 'r/base:1', from: 'Dockerfile line 1', layers: 1, builtOn: { digest: d(1), indexDigest: d(8), created: '2026-01-01T00:00:00Z' } })),
      platform('b', base('up-to-date', { reference: 'r/base:2', from: 'Dockerfile line 2', layers: 2, builtOn: { digest: d(1), indexDigest: d(9), created: '2026-01-02T00:00:00Z' } })),
    ],
    want: { status: 'up-to-date', drift: 'false', source: 'label', from: 'per platform (see each platform)', message: 'every platform (a, b): up-to-date message', builtOn: { digest: d(1) } },
  },
  {
    name: 'a fact only one platform has is not shared',
    platforms: [
      platform('a', base('up-to-date', { reference: 'r/base:1', builtOn: { digest: d(1), created: '2026-01-01T00:00:00Z' }, current: { digest: d(1) } })),
      platform('b', base('up-to-date', { builtOn: { digest: d(1) } })),
    ],
    want: { status: 'up-to-date', drift: 'false', source: 'label', from: 'config labels', message: 'every platform (a, b): up-to-date message', builtOn: { digest: d(1) } },
  },
  {
    name: 'drifted: the largest lag among the drifted platforms, every error named by platform',
    platforms: [
      platform('a', base('drifted', { message: 'a drifted', behindDays: 2, driftAgeDays: 9 })),
      platform('b', base('up-to-date', { behindDays: 50, driftAgeDays: 50 })),
      platform('c', base('drifted', { message: 'c drifted', behindDays: 5, driftAgeDays: undefined, error: 'c failed' })),
      platform('d', base('drifted', { message: 'd drifted', error: 'd failed' })),
    ],
    want: {
      status: 'drifted',
      drift: 'true',
      source: 'label',
      from: 'config labels',
      message: 'the base drifted for 3 of 4 platforms (a, c, d): a drifted',
      behindDays: 5,
      driftAgeDays: 9,
      error: 'c: c failed; d: d failed',
    },
  },
  {
    name: 'drifted, no lag known',
    platforms: [platform('a', base('drifted')), platform('b', base('drifted'))],
    want: { status: 'drifted', drift: 'true', source: 'label', from: 'config labels', message: 'the base drifted for 2 of 2 platforms (a, b): drifted message' },
  },
  {
    name: 'up to date and unknown: only the unknown named, and the unchecked platform',
    platforms: [platform('a', base('up-to-date', { layers: 1 })), platform('b', base('unknown', { layers: 1, error: 'lookup failed' })), platform('c', undefined)],
    want: {
      status: 'unknown',
      drift: 'unknown',
      source: 'label',
      from: 'config labels',
      message: 'b: unknown message; c: no base checked (no image in the registry)',
      error: 'b: lookup failed',
    },
  },
  {
    name: 'every platform up to date but one not checked: unknown, the unchecked one named',
    platforms: [platform('a', base('up-to-date')), platform('b', undefined)],
    want: { status: 'unknown', drift: 'unknown', source: 'label', from: 'config labels', message: 'b: no base checked (no image in the registry)' },
  },
  {
    name: 'not built on: named with its message',
    platforms: [platform('a', base('not-built-on')), platform('b', base('up-to-date'))],
    want: { status: 'not-built-on', drift: 'unknown', source: 'label', from: 'config labels', message: 'a: not-built-on message' },
  },
  { name: 'no platform has a base report', platforms: [platform('a', undefined), platform('b', undefined)], want: undefined },
];

for (const c of cases) {
  test(`combinePlatformBases: ${c.name}`, () => {
    assert.deepEqual(combinePlatformBases(c.platforms), c.want);
  });
}
