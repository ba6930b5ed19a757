// Which history entry made which layer (src/report/history.ts), and what the layer table and the
// base attribution make of it. The squashed histories are what podman 4.3 (`podman build --squash`)
// and buildah 1.28 (`buildah bud`, its default) wrote here for FROM scratch + COPY + ENV + COPY + CMD.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeHistory } from '../../src/base/attribute.js';
import type { HistoryEntry } from '../../src/oci/types.js';
import { instructionOf } from '../../src/model/history.js';
import { layerOfEntries, layerSteps } from '../../src/model/history.js';
import { layerRows } from '../../src/verify/layers.js';
import type { RemoteImage } from '../../src/model/image.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

/** podman build --squash / buildah bud: every step kept, all but the last marked empty, one layer. */
const SQUASHED: HistoryEntry[] = [
  { created_by: `/bin/sh -c #(nop) COPY file:${'0'.repeat(64)} in /bin/busybox `, empty_layer: true },
  { created_by: '/bin/sh -c #(nop) ENV A=1', empty_layer: true },
  { created_by: `/bin/sh -c #(nop) COPY file:${'4'.repeat(64)} in /etc/built-from `, empty_layer: true },
  { created_by: '/bin/sh -c #(nop) CMD ["/bin/busybox","sh"]' },
];

/** BuildKit: one entry per instruction, config-only ones empty. */
const BUILDKIT: HistoryEntry[] = [
  { created_by: 'COPY busybox /bin/busybox # buildkit', created: 't1' },
  { created_by: 'ENV A=1', empty_layer: true },
  { created_by: 'COPY Dockerfile /etc/built-from # buildkit', created: 't2' },
  { created_by: 'CMD ["/bin/busybox" "sh"]', empty_layer: true },
];

function image(diffIds: string[], history: HistoryEntry[]): RemoteImage {
  return {
    reference: 'r',
    manifestDigest: d(9000),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    manifest: {
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(8000), size: 1 },
      layers: diffIds.map((_, i) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(7000 + i), size: 10 })),
    },
    configDigest: d(8000),
    config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: diffIds }, history },
    platform: { os: 'linux', architecture: 'amd64' },
  };
}

describe('history pairing', () => {
  const cases: { name: string; history: HistoryEntry[] | undefined; layers: number; steps: ReturnType<typeof layerSteps> }[] = [
    { name: 'BuildKit: each non-empty entry made the next layer', history: BUILDKIT, layers: 2, steps: [{ kind: 'step', entry: 0 }, { kind: 'step', entry: 2 }] },
    { name: 'squashed: one layer "made" by CMD folds all four steps', history: SQUASHED, layers: 1, steps: [{ kind: 'squashed', steps: 4 }] },
    {
      name: 'more non-empty entries than layers (docker --squash keeps them): unpaired',
      history: BUILDKIT,
      layers: 1,
      steps: [{ kind: 'squashed', steps: 4 }],
    },
    {
      name: 'fewer non-empty entries than layers: unpaired, every layer says so',
      history: [{ created_by: 'RUN a' }],
      layers: 2,
      steps: [
        { kind: 'squashed', steps: 1 },
        { kind: 'squashed', steps: 1 },
      ],
    },
    {
      name: 'a base paired, then a squashed build on top (buildah bud FROM base)',
      history: [{ created_by: '/bin/sh -c #(nop) ADD file:abc in / ' }, { created_by: '/bin/sh -c #(nop) CMD ["sh"]', empty_layer: true }, ...SQUASHED],
      layers: 2,
      steps: [
        { kind: 'step', entry: 0 },
        { kind: 'squashed', steps: 5 },
      ],
    },
    { name: 'no history: nothing to pair', history: undefined, layers: 3, steps: [] },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(layerSteps(c.history, c.layers), c.steps));
  }

  test('layerOfEntries numbers only the entries known to have made a layer', () => {
    assert.deepEqual(layerOfEntries(BUILDKIT, 2), [1, undefined, 2, undefined]);
    assert.deepEqual(layerOfEntries(SQUASHED, 1), [undefined, undefined, undefined, undefined]);
  });
});

describe('the layer table and the base attribution read the same pairing', () => {
  test('a squashed layer is "squashed (4 build steps)", not the final CMD', () => {
    const rows = layerRows(image([d(1)], SQUASHED), undefined);
    assert.deepEqual(
      rows.map((r) => [r.index, r.instruction, r.created]),
      [[1, 'squashed (4 build steps)', undefined]],
    );
    // The renderers show it as written, not as a RUN of "squashed".
    assert.equal(instructionOf(rows[0]?.instruction), 'squashed (4 build steps)');
    assert.equal(instructionOf('squashed (1 build step)'), 'squashed (1 build step)');
  });

  test('BuildKit layers keep their instructions and dates', () => {
    assert.deepEqual(
      layerRows(image([d(1), d(2)], BUILDKIT), undefined).map((r) => [instructionOf(r.instruction), r.created]),
      [
        ['COPY busybox /bin/busybox', 't1'],
        ['COPY Dockerfile /etc/built-from', 't2'],
      ],
    );
  });

  test('history rows of a squashed build claim no layer, and the base boundary is not guessed', () => {
    const rows = attributeHistory(image([d(1)], SQUASHED).config, undefined, 1, true);
    assert.deepEqual(
      rows.map((r) => [r.index, r.layer, r.origin]),
      [
        [1, undefined, undefined],
        [2, undefined, undefined],
        [3, undefined, undefined],
        [4, undefined, undefined],
      ],
    );
  });

  test('a base under a squashed build is still attributed by its paired layer', () => {
    const history = [{ created_by: 'ADD file:abc in /' }, { created_by: 'CMD ["sh"]', empty_layer: true }, ...SQUASHED];
    const rows = attributeHistory(image([d(1), d(2)], history).config, undefined, 1, true);
    assert.deepEqual(
      rows.map((r) => [r.index, r.layer, r.origin]),
      [
        [1, 1, 'base'],
        [2, undefined, 'image'],
        [3, undefined, 'image'],
        [4, undefined, 'image'],
        [5, undefined, 'image'],
        [6, undefined, 'image'],
      ],
    );
  });
});
