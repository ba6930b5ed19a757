import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalImage } from '../../src/local/source.js';
import { layerRows } from '../../src/report/model.js';
import { compareImage, type RemoteImage } from '../../src/verify/rules.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function remote(diffIds: string[], opts: { layers?: number; indexDigest?: string; platform?: string } = {}): RemoteImage {
  const [os = 'linux', architecture = 'amd64', variant] = (opts.platform ?? 'linux/amd64').split('/');
  const layerCount = opts.layers ?? diffIds.length;
  return {
    reference: '127.0.0.1:5000/app:1',
    indexDigest: opts.indexDigest,
    manifestDigest: d(1000),
    manifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    manifest: {
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: d(2000), size: 10 },
      layers: Array.from({ length: layerCount }, (_, i) => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        digest: d(3000 + i),
        size: 100 + i,
      })),
    },
    configDigest: d(2000),
    config: {
      os,
      architecture,
      variant,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        { created_by: '/bin/sh -c #(nop) COPY file:x in /' },
        { created_by: '/bin/sh -c #(nop) ENV A=1', empty_layer: true },
        { created_by: '/bin/sh -c echo hi' },
      ],
    },
    platform: { os, architecture, variant },
  };
}

function local(diffIds: string[], opts: { id?: string; idKind?: 'config' | 'manifest'; platform?: string } = {}): LocalImage {
  const [os = 'linux', architecture = 'amd64', variant] = (opts.platform ?? 'linux/amd64').split('/');
  return {
    reference: 'app:1',
    source: 'test',
    id: opts.id ?? d(2000),
    idKind: opts.idKind ?? 'config',
    diffIds,
    platform: { os, architecture, variant },
    repoDigests: [],
  };
}

const failed = (checks: ReturnType<typeof compareImage>) => checks.filter((c) => !c.ok).map((c) => `${c.rule}@${c.layer ?? '-'}`);

const cases: { name: string; remote: RemoteImage; local?: LocalImage; digest?: string; failed: string[] }[] = [
  { name: 'identical image verifies', remote: remote([d(1), d(2)]), local: local([d(1), d(2)]), failed: [] },
  { name: 'changed top layer names layer 2', remote: remote([d(1), d(2)]), local: local([d(1), d(9)]), failed: ['diff-ids@2'] },
  { name: 'changed bottom layer names layer 1', remote: remote([d(1), d(2)]), local: local([d(9), d(2)]), failed: ['diff-ids@1'] },
  { name: 'registry has an extra layer', remote: remote([d(1), d(2), d(3)]), local: local([d(1), d(2)]), failed: ['diff-ids@3'] },
  { name: 'local has an extra layer', remote: remote([d(1)]), local: local([d(1), d(2)]), failed: ['diff-ids@2'] },
  { name: 'same layers in another order', remote: remote([d(1), d(2)]), local: local([d(2), d(1)]), failed: ['diff-ids@1'] },
  { name: 'image id differs (classic store)', remote: remote([d(1)]), local: local([d(1)], { id: d(7) }), failed: ['image-id@-'] },
  {
    name: 'containerd store id equals the index digest',
    remote: remote([d(1)], { indexDigest: d(5000) }),
    local: local([d(1)], { id: d(5000), idKind: 'manifest' }),
    failed: [],
  },
  {
    name: 'containerd store id equals the manifest digest',
    remote: remote([d(1)]),
    local: local([d(1)], { id: d(1000), idKind: 'manifest' }),
    failed: [],
  },
  {
    name: 'containerd store id equals the config digest is not enough',
    remote: remote([d(1)]),
    local: local([d(1)], { id: d(2000), idKind: 'manifest' }),
    failed: ['image-id@-'],
  },
  { name: 'manifest and config disagree on layer count', remote: remote([d(1), d(2)], { layers: 1 }), local: local([d(1), d(2)]), failed: ['layer-count@2'] },
  { name: 'expected digest equals the manifest digest', remote: remote([d(1)]), local: local([d(1)]), digest: d(1000), failed: [] },
  { name: 'expected digest equals the index digest', remote: remote([d(1)], { indexDigest: d(5000) }), digest: d(5000), failed: [] },
  { name: 'wrong expected digest', remote: remote([d(1)]), local: local([d(1)]), digest: d(4), failed: ['digest@-'] },
  { name: 'the config digest is not an accepted digest', remote: remote([d(1)]), digest: d(2000), failed: ['digest@-'] },
  { name: 'no local image: registry side only', remote: remote([d(1)]), failed: [] },
  { name: 'platform differs', remote: remote([d(1)]), local: local([d(1)], { platform: 'linux/arm64' }), failed: ['platform@-'] },
  { name: 'arm64/v8 equals arm64', remote: remote([d(1)], { platform: 'linux/arm64' }), local: local([d(1)], { platform: 'linux/arm64/v8' }), failed: [] },
];

for (const c of cases) {
  test(`rules: ${c.name}`, () => {
    assert.deepEqual(failed(compareImage(c.remote, c.local, c.digest)), c.failed);
  });
}

test('rules: a differing layer message names both diff_ids', () => {
  const check = compareImage(remote([d(1), d(2)]), local([d(1), d(9)]), undefined).find((c) => c.rule === 'diff-ids');
  assert.ok(check && !check.ok);
  assert.match(check.message, /layer 2 differs/);
  assert.ok(check.message.includes(d(2)) && check.message.includes(d(9)));
});

test('layer rows pair history entries that made layers, skipping empty_layer', () => {
  const rows = layerRows(remote([d(1), d(2)]), local([d(1), d(9)]));
  assert.deepEqual(
    rows.map((r) => [r.index, r.instruction, r.status, r.digest, r.size]),
    [
      [1, '/bin/sh -c #(nop) COPY file:x in /', 'match', d(3000), 100],
      [2, '/bin/sh -c echo hi', 'differs', d(3001), 101],
    ],
  );
  assert.deepEqual(
    layerRows(remote([d(1)]), undefined).map((r) => r.status),
    ['not-compared'],
  );
});
