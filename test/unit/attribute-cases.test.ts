// Which leading history entries belong to the base (issue 16): the base's own history copied at
// the start of the image's, entry by entry (instruction, date and empty_layer all count), else the
// entries up to the one that made the last base layer; and when two histories share a recipe.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeHistory, sameRecipe } from '../../src/base/attribute.js';
import type { HistoryRow } from '../../src/model/base.js';
import type { HistoryEntry, ImageConfig } from '../../src/oci/types.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function config(history: HistoryEntry[] | undefined, layers: number): ImageConfig {
  return { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: Array.from({ length: layers }, (_, i) => d(i + 1)) }, history } as ImageConfig;
}

const ADD = { created_by: 'ADD rootfs.tar /', created: '2026-01-01T00:00:00Z' };
const CMD = { created_by: 'CMD ["sh"]', created: '2026-01-01T00:00:01Z', empty_layer: true };
const RUN = { created_by: 'RUN make', created: '2026-02-01T00:00:00Z' };

const row = (index: number, fields: Partial<HistoryRow>): HistoryRow => ({ index, emptyLayer: false, ...fields });

const historyCases: { name: string; image: ImageConfig; base: ImageConfig | undefined; baseLayers: number; exact: boolean; want: HistoryRow[] }[] = [
  {
    name: 'the base history copied: its trailing CMD is the base\'s; every field of every row',
    image: config([ADD, CMD, RUN], 2),
    base: config([ADD, CMD], 1),
    baseLayers: 1,
    exact: true,
    want: [
      row(1, { layer: 1, instruction: ADD.created_by, created: ADD.created, origin: 'base' }),
      row(2, { emptyLayer: true, instruction: CMD.created_by, created: CMD.created, origin: 'base' }),
      row(3, { layer: 2, instruction: RUN.created_by, created: RUN.created, origin: 'image' }),
    ],
  },
  {
    name: 'an image that adds nothing: its whole history is the base\'s',
    image: config([ADD, CMD], 1),
    base: config([ADD, CMD], 1),
    baseLayers: 1,
    exact: true,
    want: [
      row(1, { layer: 1, instruction: ADD.created_by, created: ADD.created, origin: 'base' }),
      row(2, { emptyLayer: true, instruction: CMD.created_by, created: CMD.created, origin: 'base' }),
    ],
  },
  {
    name: 'the CMD differs in date: the base ends at its last layer',
    image: config([ADD, { ...CMD, created: '2026-03-01T00:00:00Z' }, RUN], 2),
    base: config([ADD, CMD], 1),
    baseLayers: 1,
    exact: true,
    want: [
      row(1, { layer: 1, instruction: ADD.created_by, created: ADD.created, origin: 'base' }),
      row(2, { emptyLayer: true, instruction: CMD.created_by, created: '2026-03-01T00:00:00Z', origin: 'image' }),
      row(3, { layer: 2, instruction: RUN.created_by, created: RUN.created, origin: 'image' }),
    ],
  },
  {
    name: 'the CMD differs in instruction: the base ends at its last layer',
    image: config([ADD, { ...CMD, created_by: 'CMD ["bash"]' }, RUN], 2),
    base: config([ADD, CMD], 1),
    baseLayers: 1,
    exact: true,
    want: [
      row(1, { layer: 1, instruction: ADD.created_by, created: ADD.created, origin: 'base' }),
      row(2, { emptyLayer: true, instruction: 'CMD ["bash"]', created: CMD.created, origin: 'image' }),
      row(3, { layer: 2, instruction: RUN.created_by, created: RUN.created, origin: 'image' }),
    ],
  },
  {
    name: 'an entry that differs only in empty_layer is another entry',
    image: config([ADD, { created_by: 'RUN setup', created: CMD.created }, RUN], 3),
    base: config([ADD, { created_by: 'RUN setup', created: CMD.created, empty_layer: true }], 1),
    baseLayers: 1,
    exact: true,
    want: [
      row(1, { layer: 1, instruction: ADD.created_by, created: ADD.created, origin: 'base' }),
      row(2, { layer: 2, instruction: 'RUN setup', created: CMD.created, origin: 'image' }),
      row(3, { layer: 3, instruction: RUN.created_by, created: RUN.created, origin: 'image' }),
    ],
  },
  {
    name: 'only the first entry shared: the base ends at its last layer',
    image: config([ADD, { ...RUN, created_by: 'RUN other' }, RUN], 3),
    base: config([ADD, CMD], 1),
    baseLayers: 1,
    exact: true,
    want: [
      row(1, { layer: 1, instruction: ADD.created_by, created: ADD.created, origin: 'base' }),
      row(2, { layer: 2, instruction: 'RUN other', created: RUN.created, origin: 'image' }),
      row(3, { layer: 3, instruction: RUN.created_by, created: RUN.created, origin: 'image' }),
    ],
  },
  {
    name: 'a base config without history, entries without instruction or date',
    image: config([{}, { empty_layer: false }], 2),
    base: config(undefined, 0),
    baseLayers: 0,
    exact: true,
    want: [row(1, { layer: 1, origin: 'image' }), row(2, { layer: 2, origin: 'image' })],
  },
  {
    name: 'no base layers (FROM scratch): every entry is the image\'s',
    image: config([ADD, CMD], 1),
    base: undefined,
    baseLayers: 0,
    exact: true,
    want: [
      row(1, { layer: 1, instruction: ADD.created_by, created: ADD.created, origin: 'image' }),
      row(2, { emptyLayer: true, instruction: CMD.created_by, created: CMD.created, origin: 'image' }),
    ],
  },
  {
    name: 'a lower bound only: past it nothing is guessed',
    image: config([ADD, CMD, RUN], 2),
    base: config([ADD, CMD], 1),
    baseLayers: 1,
    exact: false,
    want: [
      row(1, { layer: 1, instruction: ADD.created_by, created: ADD.created, origin: 'base' }),
      row(2, { emptyLayer: true, instruction: CMD.created_by, created: CMD.created }),
      row(3, { layer: 2, instruction: RUN.created_by, created: RUN.created }),
    ],
  },
];

for (const c of historyCases) {
  test(`attributeHistory: ${c.name}`, () => {
    assert.deepEqual(attributeHistory(c.image, c.base, c.baseLayers, c.exact), c.want);
  });
}

test('attributeHistory: a config without rootfs has no layer column, and does not throw', () => {
  const rows = attributeHistory({ history: [ADD] } as unknown as ImageConfig, undefined, 0, true);
  assert.deepEqual(rows, [row(1, { instruction: ADD.created_by, created: ADD.created, origin: 'image' })]);
  const noDiffIds = attributeHistory({ rootfs: { type: 'layers' }, history: [ADD] } as unknown as ImageConfig, undefined, 0, true);
  assert.deepEqual(noDiffIds, rows);
});

const recipeCases: { name: string; base: HistoryEntry[]; image: HistoryEntry[]; want: boolean }[] = [
  { name: 'the same steps, same length', base: [ADD, CMD], image: [ADD, CMD], want: true },
  { name: 'the same steps with other whitespace around them', base: [{ created_by: '  ADD  rootfs.tar /  ' }], image: [{ created_by: 'ADD rootfs.tar /' }, RUN], want: true },
  { name: 'the first step shared, the second not', base: [ADD, CMD], image: [ADD, { created_by: 'CMD ["bash"]' }, RUN], want: false },
  { name: 'a base longer than the image, even when its extra entry is blank', base: [ADD, {}], image: [ADD], want: false },
];
for (const c of recipeCases) {
  test(`sameRecipe: ${c.name}`, () => {
    assert.equal(sameRecipe(c.base, c.image), c.want);
  });
}

test('no history on either side: no rows, no shared recipe', () => {
  assert.deepEqual(attributeHistory(config(undefined, 1), undefined, 1, true), []);
  assert.equal(sameRecipe(undefined, [{}]), false);
  assert.equal(sameRecipe([{}], undefined), false);
});
