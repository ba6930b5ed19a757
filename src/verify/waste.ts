// Wasted bytes across layers, pure: file content that a later layer overwrites or deletes still
// ships in the image (dive calls it inefficiency). A regular file's bytes in layer i are wasted
// when some layer above i
//   - has an entry at the same path (a new version of the file, or something else in its place),
//   - has an entry at one of its parent directories that is not a directory,
//   - whites out the path or a parent directory (`.wh.NAME`), or
//   - marks a parent directory opaque (`.wh..wh..opq`).
// Layers are walked from the top down, so each lookup asks about the layers above only.

import type { LayerIndex } from './layer-index.js';

export interface WastedFile {
  path: string;
  /** Bytes of this path's hidden versions, summed over layers. */
  bytes: number;
  /** 1-based layers holding a hidden version, bottom first. */
  layers: number[];
  /** How the version in the lowest of those layers was hidden, and by which layer. */
  how: 'overwritten' | 'deleted';
  by: number;
}

export interface WasteAnalysis {
  totalBytes: number;
  /** Per layer (same order as the input): bytes of that layer later hidden. */
  perLayer: number[];
  /** Every path with hidden bytes, largest first. */
  files: WastedFile[];
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
      const known = byPath.get(path);
      if (known) {
        known.bytes += size;
        known.layers.unshift(i + 1);
        known.how = hidden.how;
        known.by = hidden.layer + 1;
      } else {
        byPath.set(path, { path, bytes: size, layers: [i + 1], how: hidden.how, by: hidden.layer + 1 });
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
