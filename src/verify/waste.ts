// Wasted bytes across layers, pure: file content that a later layer overwrites or deletes still
// ships in the image (dive calls it inefficiency). A regular file's bytes in layer i are wasted
// when some layer above i
//   - has an entry at the same path (a new version of the file, or something else in its place),
//   - has an entry at one of its parent directories that is not a directory,
//   - whites out the path or a parent directory (`.wh.NAME`), or
//   - marks a parent directory opaque (`.wh..wh..opq`).
// Layers are walked from the top down, so each lookup asks about the layers above only.

import type { WastedCopy, WastedFile } from '../model/deep.js';
import type { LayerIndex } from '../bytes/layer-index.js';



export interface WasteAnalysis {
  totalBytes: number;
  /** Per layer (same order as the input): bytes of that layer later hidden. */
  perLayer: number[];
  /** Every path with hidden bytes, largest first. */
  files: WastedFile[];
}

/**
 * Where a path's hidden copies were and what hid each, in words, to follow "in" or "shipped in":
 * `layer 3, deleted by layer 5`, or `layer 4, overwritten by layer 5, and in layer 5, deleted by layer 10`.
 */
export function copiesText(file: Pick<WastedFile, 'copies'>): string {
  const each = file.copies.map((c) => `layer ${c.layer}, ${c.how} by layer ${c.by}`);
  return each.length <= 1 ? (each[0] ?? '') : `${each.slice(0, -1).join(', in ')}, and in ${each.at(-1)}`;
}

/** `layers[i]` is layer i+1's index, or undefined when its contents are unknown (not read). */
export function analyzeWaste(layers: readonly (LayerIndex | undefined)[]): WasteAnalysis {
  // Nearest layer above (smallest index) that has each kind of entry at a path.
  const present = new Map<string, { layer: number; dir: boolean }>();
  const deleted = new Map<string, number>();
  const opaque = new Map<string, number>();
  const perLayer = layers.map(() => 0);
  const byPath = new Map<string, WastedFile>();

  for (let i = layers.length - 1; i >= 0; i--) {
    const index = layers[i];
    if (!index) continue;
    const n = index.paths.length;
    for (let e = 0; e < n; e++) {
      if (index.kinds[e] !== 'f') continue;
      const size = index.sizes[e] ?? 0;
      if (size === 0) continue;
      const path = index.paths[e] as string;
      const hidden = hiddenBy(path, present, deleted, opaque);
      if (!hidden) continue;
      perLayer[i] = (perLayer[i] ?? 0) + size;
      // Walking down, each copy is met below the ones already recorded: it goes first.
      const copy: WastedCopy = { layer: i + 1, bytes: size, how: hidden.how, by: hidden.layer + 1 };
      const known = byPath.get(path);
      if (known) {
        known.bytes += size;
        known.layers.unshift(i + 1);
        known.copies.unshift(copy);
      } else {
        byPath.set(path, { path, bytes: size, layers: [i + 1], copies: [copy] });
      }
    }
    // Only now does layer i become one of "the layers above" for the layers below it.
    for (let e = 0; e < n; e++) {
      const path = index.paths[e] as string;
      switch (index.kinds[e]) {
        case 'w':
          deleted.set(path, i);
          break;
        case 'q':
          opaque.set(path, i);
          break;
        default:
          present.set(path, { layer: i, dir: index.kinds[e] === 'd' });
      }
    }
  }

  const files = [...byPath.values()].sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
  return { totalBytes: perLayer.reduce((a, b) => a + b, 0), perLayer, files };
}

function hiddenBy(
  path: string,
  present: Map<string, { layer: number; dir: boolean }>,
  deleted: Map<string, number>,
  opaque: Map<string, number>,
): { layer: number; how: 'overwritten' | 'deleted' } | undefined {
  let best: { layer: number; how: 'overwritten' | 'deleted' } | undefined;
  const consider = (layer: number | undefined, how: 'overwritten' | 'deleted') => {
    if (layer !== undefined && (!best || layer < best.layer)) best = { layer, how };
  };
  const same = present.get(path);
  if (same) consider(same.layer, 'overwritten');
  consider(deleted.get(path), 'deleted');
  for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    const parent = path.slice(0, slash);
    const entry = present.get(parent);
    if (entry && !entry.dir) consider(entry.layer, 'overwritten');
    consider(deleted.get(parent), 'deleted');
    consider(opaque.get(parent), 'deleted');
  }
  // An opaque root hides everything below it.
  consider(opaque.get(''), 'deleted');
  return best;
}

/**
 * dive's efficiency score (wagoodman/dive `filetree/efficiency.go`), so a `min-efficiency` taken
 * from a `.dive-ci` file means the same here. Each layer contributes its leaf entries (a path no
 * other entry of that layer lies under): a file its size, a whiteout the size of the directory it
 * deletes as the lower layers stacked it (a deleted file counts 0). Per path, the smallest
 * contribution is what the image needs and the sum is what it ships; the score is
 * Σ smallest / Σ sum over all paths, 1 for an image with no bytes. Like dive, opaque-directory
 * markers are ignored; unlike dive, a whiteout of a path that does not exist counts 0 instead of
 * abandoning the rest of that layer. Unknown layers (not read) are left out.
 */
export function efficiencyScore(layers: readonly (LayerIndex | undefined)[]): number {
  const stacked = new Map<string, { dir: boolean; size: number }>();
  const perPath = new Map<string, { sum: number; min: number }>();
  for (const index of layers) {
    if (!index) continue;
    // One node per path and kind in dive's tree: the last entry of a path wins.
    const entries = new Map<string, { path: string; kind: string; size: number }>();
    for (let e = 0; e < index.paths.length; e++) {
      const kind = index.kinds[e] as string;
      if (kind === 'q') continue;
      const path = index.paths[e] as string;
      if (path === '') continue;
      entries.set(`${kind === 'w' ? 'w' : 'n'}:${path}`, { path, kind, size: index.sizes[e] ?? 0 });
    }
    const parents = new Set<string>();
    for (const { path } of entries.values()) {
      for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) parents.add(path.slice(0, slash));
    }
    for (const { path, kind, size } of entries.values()) {
      if (kind !== 'w' && parents.has(path)) continue;
      const bytes = kind === 'w' ? deletedDirectoryBytes(stacked, path) : size;
      const known = perPath.get(path);
      if (known) {
        known.sum += bytes;
        known.min = Math.min(known.min, bytes);
      } else {
        perPath.set(path, { sum: bytes, min: bytes });
      }
    }
    // Only now is this layer part of "the layers below" for the next one.
    for (const { path, kind, size } of entries.values()) {
      if (kind === 'w') {
        for (const key of [...stacked.keys()]) if (key === path || key.startsWith(`${path}/`)) stacked.delete(key);
      } else {
        stacked.set(path, { dir: kind === 'd', size });
      }
    }
  }
  let needed = 0;
  let shipped = 0;
  for (const { sum, min } of perPath.values()) {
    needed += min;
    shipped += sum;
  }
  return shipped === 0 ? 1 : needed / shipped;
}

/** What a whiteout removes as dive sizes it: a directory's own entry and everything under it; a file, nothing. */
function deletedDirectoryBytes(stacked: Map<string, { dir: boolean; size: number }>, path: string): number {
  if (!stacked.get(path)?.dir) return 0;
  let bytes = 0;
  for (const [key, entry] of stacked) if (key === path || key.startsWith(`${path}/`)) bytes += entry.size;
  return bytes;
}
