import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalImage } from '../../src/local/source.js';
import { layerRows } from '../../src/verify/layers.js';
import type { RemoteImage } from '../../src/model/image.js';
import { checkPlatformAgreement, compareImage } from '../../src/verify/rules.js';
import type { Platform } from '../../src/oci/types.js';

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
  { name: 'amd64/v2 is not amd64', remote: remote([d(1)], { platform: 'linux/amd64/v2' }), local: local([d(1)]), failed: ['platform@-'] },
  {
    name: "the registry's index entry disagrees with its config",
    remote: fromEntry(remote([d(1)]), 'linux/arm64/v8'),
    failed: ['platform@-'],
  },
  {
    name: "the registry's index entry agrees with its config after normalisation",
    remote: fromEntry(remote([d(1)], { platform: 'linux/aarch64/v8' }), 'linux/arm64'),
    failed: [],
  },
  {
    name: "the local layout's index entry disagrees with its config, the registry's agrees",
    remote: fromEntry(remote([d(1)], { platform: 'linux/arm64' }), 'linux/arm64'),
    local: { ...local([d(1)], { platform: 'linux/arm64/v8' }), configPlatform: { os: 'linux', architecture: 'amd64' }, platformFromEntry: true },
    failed: ['platform@-'],
  },
  {
    // issue 10: buildah manifest add --arch arm64 --variant v8 over an amd64 config, on both sides
    name: 'both entries say arm64 over an amd64 config: keyed alike, each disagreement reported',
    remote: fromEntry(remote([d(1)]), 'linux/arm64/v8'),
    local: { ...local([d(1)], { platform: 'linux/arm64/v8' }), configPlatform: { os: 'linux', architecture: 'amd64' }, platformFromEntry: true },
    failed: ['platform@-', 'platform@-'],
  },
];

/** The remote image as reached through an index entry for `platform`, its config unchanged. */
function fromEntry(image: RemoteImage, platform: string): RemoteImage {
  const [os = '', architecture = '', variant] = platform.split('/');
  const configPlatform: Platform = { os: image.config.os, architecture: image.config.architecture };
  if (image.config.variant) configPlatform.variant = image.config.variant;
  return { ...image, platform: variant ? { os, architecture, variant } : { os, architecture }, configPlatform, platformFromEntry: true };
}

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

const agreement: Array<[string, Platform, Platform, RegExp | undefined]> = [
  ['same', { os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'amd64' }, undefined],
  ['arm64/v8 and aarch64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'aarch64' }, undefined],
  ['arm and arm/v7', { os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }, undefined],
  ['arm64 over amd64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'amd64' }, /^the registry's index entry says linux\/arm64 but its config says linux\/amd64: a runtime would select this image for a platform it was not built for$/],
  ['amd64/v2 over amd64', { os: 'linux', architecture: 'amd64', variant: 'v2' }, { os: 'linux', architecture: 'amd64' }, /says linux\/amd64\/v2 but its config says linux\/amd64/],
  ['arm/v6 over arm/v7', { os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'arm' }, /says linux\/arm\/v6 but its config says linux\/arm\/v7/],
  ['config without os', { os: 'linux', architecture: 'amd64' }, { os: '', architecture: '' }, /but its config says \//],
  [
    'os.version set on the entry and differing',
    { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' },
    { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' },
    /os\.version 10\.0\.20348\.1 but its config says 10\.0\.17763\.1/,
  ],
  ['os.version only in the config', { os: 'windows', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' }, undefined],
  [
    'os.features set on the entry and differing',
    { os: 'windows', architecture: 'amd64', 'os.features': ['win32k'] },
    { os: 'windows', architecture: 'amd64' },
    /os\.features win32k but its config says none/,
  ],
];
for (const [name, entry, config, problem] of agreement) {
  test(`checkPlatformAgreement: ${name}`, () => {
    const check = checkPlatformAgreement('registry', entry, config);
    assert.equal(check.rule, 'platform');
    assert.equal(check.ok, problem === undefined);
    if (problem) assert.match(check.message, problem);
  });
}
