// Waste and dive's efficiency score on the cases that tell the rules apart (issue 16): an opaque
// root, a path both overwritten and under an opaque directory in the same layer, sizes on entries
// that are not files, a whiteout and an entry at one path in one layer, a directory deleted,
// re-added and deleted again, a whiteout of a path nothing ever had. Scores are exact fractions
// worked out by hand in each case's comment; a second path with two versions keeps every score
// below 1, so a rule that drops a contribution changes the number.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerIndex } from '../../src/bytes/layer-index.js';
import { analyzeWaste, copiesText, efficiencyScore } from '../../src/verify/waste.js';

/** A layer from `path kind size` triples; kind as in LayerIndex (f d l h o w q). */
function layer(...entries: [string, string, number?][]): LayerIndex {
  return { paths: entries.map((e) => e[0]), kinds: entries.map((e) => e[1]).join(''), sizes: entries.map((e) => e[2] ?? 0) };
}

type Copy = [layer: number, bytes: number, how: string, by: number];
const wasteCases: { name: string; layers: (LayerIndex | undefined)[]; total: number; perLayer: number[]; files: [string, number, Copy[]][] }[] = [
  {
    name: 'an opaque marker at the root hides every lower file',
    layers: [layer(['etc/f', 'f', 10], ['top', 'f', 2]), layer(['', 'q'])],
    total: 12,
    perLayer: [12, 0],
    files: [
      ['etc/f', 10, [[1, 10, 'deleted', 2]]],
      ['top', 2, [[1, 2, 'deleted', 2]]],
    ],
  },
  {
    // One layer both writes a/f and marks a opaque: the same layer, so the first reason found stands.
    name: 'overwritten and under an opaque directory in the same layer: overwritten',
    layers: [layer(['a/f', 'f', 10]), layer(['a', 'd'], ['a', 'q'], ['a/f', 'f', 3])],
    total: 10,
    perLayer: [10, 0],
    files: [['a/f', 10, [[1, 10, 'overwritten', 2]]]],
  },
  {
    name: 'only regular files carry bytes: a size on a directory or symlink is not waste',
    layers: [layer(['d', 'd', 5], ['l', 'l', 7], ['h', 'h', 9]), layer(['d', 'w'], ['l', 'w'], ['h', 'w'])],
    total: 0,
    perLayer: [0, 0],
    files: [],
  },
  {
    name: 'an empty file hidden is not listed',
    layers: [layer(['empty', 'f', 0], ['full', 'f', 1]), layer(['empty', 'w'], ['full', 'w'])],
    total: 1,
    perLayer: [1, 0],
    files: [['full', 1, [[1, 1, 'deleted', 2]]]],
  },
  {
    name: 'the nearest layer above is blamed, whichever rule it matched',
    layers: [layer(['p/q/f', 'f', 6]), layer(['p', 'w']), layer(['p/q', 'f', 1]), layer(['p/q/f', 'f', 2])],
    total: 6,
    perLayer: [6, 0, 0, 0],
    files: [['p/q/f', 6, [[1, 6, 'deleted', 2]]]],
  },
];

for (const c of wasteCases) {
  test(`analyzeWaste: ${c.name}`, () => {
    const waste = analyzeWaste(c.layers);
    assert.equal(waste.totalBytes, c.total);
    assert.deepEqual(waste.perLayer, c.perLayer);
    assert.deepEqual(
      waste.files.map((f) => [f.path, f.bytes, f.copies.map((x) => [x.layer, x.bytes, x.how, x.by])]),
      c.files,
    );
  });
}

test('copiesText lists three copies in order, the last after "and in"', () => {
  const [file] = analyzeWaste([layer(['f', 'f', 1]), layer(['f', 'f', 2]), layer(['f', 'f', 3]), layer(['f', 'w'])]).files;
  assert.equal(copiesText(file!), 'layer 1, overwritten by layer 2, in layer 2, overwritten by layer 3, and in layer 3, deleted by layer 4');
  assert.equal(copiesText({ copies: [] }), '');
});

const scoreCases: { name: string; layers: LayerIndex[]; score: number }[] = [
  {
    // x/a 10/10, y 4/4, b 10 of 40, and the whiteout of x counts what it deletes: x (0) + x/a (10).
    name: 'a deleted directory counts its own subtree only',
    layers: [layer(['x', 'd'], ['x/a', 'f', 10], ['y', 'f', 4], ['b', 'f', 10]), layer(['x', 'w'], ['b', 'f', 30])],
    score: (10 + 4 + 10 + 10) / (10 + 4 + 40 + 10),
  },
  {
    // Layer 2 deletes x (x/a with it); layer 3 adds x/c; layer 4 deletes x again: 3, not 13. y is
    // untouched until layer 4 deletes it: 7.
    // x/a 10/10, b 10 of 40, y/z 7/7, x: 10 then 3 (3 of 13), x/c 3/3, y 7/7.
    name: 'a directory deleted, re-added and deleted again: the second whiteout counts only the re-added contents',
    layers: [
      layer(['x', 'd'], ['x/a', 'f', 10], ['b', 'f', 10], ['y', 'd'], ['y/z', 'f', 7]),
      layer(['x', 'w']),
      layer(['x', 'd'], ['x/c', 'f', 3], ['b', 'f', 30]),
      layer(['x', 'w'], ['y', 'w']),
    ],
    score: (10 + 10 + 7 + 3 + 3 + 7) / (10 + 40 + 7 + 13 + 3 + 7),
  },
  {
    // The opaque marker alone in layer 2 changes nothing in dive's tree: layer 3's whiteout of app
    // still counts app/x (10). app/x 10/10, b 10 of 40, app 10/10.
    name: 'an opaque marker is no node of its own',
    layers: [layer(['app', 'd'], ['app/x', 'f', 10], ['b', 'f', 10]), layer(['app', 'q']), layer(['app', 'w'], ['b', 'f', 30])],
    score: (10 + 10 + 10) / (10 + 40 + 10),
  },
  {
    // Layer 2 deletes x and puts a file there: two nodes, the whiteout (10) and the file (5).
    // x/a 10/10, b 10 of 40, x 5 of 15.
    name: 'a whiteout and an entry at one path in one layer are two nodes',
    layers: [layer(['x', 'd'], ['x/a', 'f', 10], ['b', 'f', 10]), layer(['x', 'w'], ['x', 'f', 5], ['b', 'f', 30])],
    score: (10 + 10 + 5) / (10 + 40 + 15),
  },
  {
    // The whiteout of x is a leaf although x/new lies under it in the same layer.
    // x/a 10/10, b 10 of 40, x 10/10, x/new 5/5.
    name: 'a whiteout with new entries below it in the same layer is still counted',
    layers: [layer(['x', 'd'], ['x/a', 'f', 10], ['b', 'f', 10]), layer(['x', 'w'], ['x/new', 'f', 5], ['b', 'f', 30])],
    score: (10 + 10 + 10 + 5) / (10 + 40 + 10 + 5),
  },
  {
    // Layer 2 deletes x itself, not only what is below it: layer 3 adds x/c without an entry for x,
    // so layer 4's whiteout of x finds no directory x and counts 0 (dive: a whiteout of a
    // non-directory weighs nothing). x/a 10/10, b 10 of 40, x: 10 then 0 (0 of 10), x/c 3/3.
    name: 'a whiteout deletes the directory entry itself',
    layers: [layer(['x', 'd'], ['x/a', 'f', 10], ['b', 'f', 10]), layer(['x', 'w']), layer(['x/c', 'f', 3], ['b', 'f', 30]), layer(['x', 'w'])],
    score: (10 + 10 + 0 + 3) / (10 + 40 + 10 + 3),
  },
  {
    name: 'a whiteout of a path nothing had counts 0',
    layers: [layer(['b', 'f', 10]), layer(['ghost', 'w'], ['ghost/deeper', 'w'], ['b', 'f', 30])],
    score: 10 / 40,
  },
  {
    // A file deleted is needed 0: it counts its size where it was shipped, 0 at the whiteout.
    name: 'a deleted file: the whiteout weighs nothing',
    layers: [layer(['f', 'f', 8], ['b', 'f', 10]), layer(['f', 'w'], ['b', 'f', 30])],
    score: (0 + 10) / (8 + 40),
  },
];

for (const c of scoreCases) {
  test(`efficiencyScore: ${c.name}`, () => assert.equal(efficiencyScore(c.layers), c.score));
}
