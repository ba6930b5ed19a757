import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerIndex } from '../../src/bytes/layer-index.js';
import { analyzeWaste, copiesText } from '../../src/verify/waste.js';

/** A layer from `path kind size` triples; kind as in LayerIndex (f d l h o w q). */
function layer(...entries: [string, string, number?][]): LayerIndex {
  return { paths: entries.map((e) => e[0]), kinds: entries.map((e) => e[1]).join(''), sizes: entries.map((e) => e[2] ?? 0) };
}

const cases: { name: string; layers: (LayerIndex | undefined)[]; total: number; perLayer: number[]; files?: [string, number, number[], [number, number, string, number][]][] }[] = [
  {
    name: 'nothing hidden',
    layers: [layer(['a', 'f', 10], ['d', 'd']), layer(['d', 'd'], ['d/x', 'f', 5])],
    total: 0,
    perLayer: [0, 0],
  },
  {
    name: 'a file overwritten by a later layer',
    layers: [layer(['etc/conf', 'f', 100]), layer(['etc', 'd'], ['etc/conf', 'f', 40])],
    total: 100,
    perLayer: [100, 0],
    files: [['etc/conf', 100, [1], [[1, 100, 'overwritten', 2]]]],
  },
  {
    name: 'a file deleted by a whiteout',
    layers: [layer(['tmp/big', 'f', 1000]), layer(['tmp/big', 'w'])],
    total: 1000,
    perLayer: [1000, 0],
    files: [['tmp/big', 1000, [1], [[1, 1000, 'deleted', 2]]]],
  },
  {
    name: 'a directory deleted: every file below it',
    layers: [layer(['var/cache', 'd'], ['var/cache/a', 'f', 7], ['var/cache/sub/b', 'f', 3]), layer(['var/cache', 'w'])],
    total: 10,
    perLayer: [10, 0],
  },
  {
    name: 'an opaque directory hides the lower contents only',
    layers: [layer(['app/old', 'f', 50]), layer(['app', 'd'], ['app', 'q'], ['app/new', 'f', 20])],
    total: 50,
    perLayer: [50, 0],
    files: [['app/old', 50, [1], [[1, 50, 'deleted', 2]]]],
  },
  {
    name: 'a parent directory replaced by a file',
    layers: [layer(['opt/tool/bin', 'f', 30]), layer(['opt/tool', 'f', 1])],
    total: 30,
    perLayer: [30, 0],
  },
  {
    name: 'a symlink in place of a file',
    layers: [layer(['usr/lib/x.so', 'f', 8]), layer(['usr/lib/x.so', 'l'])],
    total: 8,
    perLayer: [8, 0],
  },
  {
    name: 'three versions: the two lower ones are waste, each blamed on the nearest layer above it',
    layers: [layer(['f', 'f', 1]), layer(['f', 'f', 2]), layer(['f', 'f', 4])],
    total: 3,
    perLayer: [1, 2, 0],
    files: [['f', 3, [1, 2], [[1, 1, 'overwritten', 2], [2, 2, 'overwritten', 3]]]],
  },
  {
    // dive's test image: root/example/somefile1.txt in layers 4 and 5, root/example deleted by layer 10.
    name: 'copied in 1, replaced in 5, deleted in 10: each copy names what hid it',
    layers: [
      layer(['a/f', 'f', 10]),
      ...[2, 3, 4].map((n) => layer([`other${n}`, 'f', 1])),
      layer(['a', 'd'], ['a/f', 'f', 20]),
      ...[6, 7, 8, 9].map((n) => layer([`other${n}`, 'f', 1])),
      layer(['a', 'w']),
    ],
    total: 30,
    perLayer: [10, 0, 0, 0, 20, 0, 0, 0, 0, 0],
    files: [['a/f', 30, [1, 5], [[1, 10, 'overwritten', 5], [5, 20, 'deleted', 10]]]],
  },
  {
    name: 'deleted, then re-added: the original is still waste',
    layers: [layer(['x', 'f', 9]), layer(['x', 'w']), layer(['x', 'f', 9])],
    total: 9,
    perLayer: [9, 0, 0],
    files: [['x', 9, [1], [[1, 9, 'deleted', 2]]]],
  },
  {
    name: 'a layer whose contents are unknown hides nothing it cannot show',
    layers: [layer(['a', 'f', 5]), undefined, layer(['b', 'f', 1])],
    total: 0,
    perLayer: [0, 0, 0],
  },
  {
    name: 'an empty file costs nothing',
    layers: [layer(['empty', 'f', 0]), layer(['empty', 'w'])],
    total: 0,
    perLayer: [0, 0],
  },
  {
    name: 'a sibling with a common prefix is not a child',
    layers: [layer(['lib64', 'f', 6]), layer(['lib', 'w'])],
    total: 0,
    perLayer: [0, 0],
  },
];

for (const c of cases) {
  test(`analyzeWaste: ${c.name}`, () => {
    const waste = analyzeWaste(c.layers);
    assert.equal(waste.totalBytes, c.total);
    assert.deepEqual(waste.perLayer, c.perLayer);
    if (c.files) {
      assert.deepEqual(
        waste.files.map((f) => [f.path, f.bytes, f.layers, f.copies.map((c) => [c.layer, c.bytes, c.how, c.by])]),
        c.files,
      );
    }
  });
}

test('analyzeWaste sorts files largest first', () => {
  const waste = analyzeWaste([layer(['small', 'f', 1], ['large', 'f', 100], ['mid', 'f', 10]), layer(['small', 'w'], ['large', 'w'], ['mid', 'w'])]);
  assert.deepEqual(
    waste.files.map((f) => f.path),
    ['large', 'mid', 'small'],
  );
});

test('copiesText names what hid each copy', () => {
  const [file] = analyzeWaste([layer(['f', 'f', 1]), layer(['f', 'f', 2]), layer(['f', 'w'])]).files;
  assert.equal(copiesText(file!), 'layer 1, overwritten by layer 2, and in layer 2, deleted by layer 3');
  assert.equal(copiesText({ copies: [{ layer: 3, bytes: 1, how: 'deleted', by: 5 }] }), 'layer 3, deleted by layer 5');
});
