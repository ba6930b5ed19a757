// Owns: deciding which of an image's layers and history entries are its base image's. Pure.
// An image is built on a base exactly when the base's diff_ids are an ordered prefix of the
// image's. diff_ids hash the uncompressed layers, so a base re-pushed with other compression
// still matches, and order matters: sharing layers in another order is not being built on it.

import type { HistoryEntry, ImageConfig } from '../oci/types.js';
import type { HistoryRow, Origin } from '../model/base.js';
import { layerOfEntries } from '../model/history.js';
import type { LayerRow } from '../model/report.js';

/** How many leading diff_ids the two lists share. */
export function leadingMatch(base: readonly string[], image: readonly string[]): number {
  const n = Math.min(base.length, image.length);
  let i = 0;
  while (i < n && base[i] === image[i]) i++;
  return i;
}

/** True when `base` is an ordered prefix of `image` (an image may add no layers of its own). */
export function isPrefix(base: readonly string[], image: readonly string[]): boolean {
  return base.length <= image.length && leadingMatch(base, image) === base.length;
}

/**
 * True when the image's history starts with the same instructions as the base's, content hashes
 * aside (`ADD file:<hash> in /` is the same step with new content). Used only when no built-on
 * digest is known and no layer matches: it tells "built on an older build of this base" (a new
 * root filesystem, say) from "not built on this base at all".
 */
export function sameRecipe(baseHistory: readonly HistoryEntry[] | undefined, imageHistory: readonly HistoryEntry[] | undefined): boolean {
  const base = baseHistory ?? [];
  const image = imageHistory ?? [];
  if (base.length === 0 || base.length > image.length) return false;
  return base.every((entry, i) => recipeOf(entry) === recipeOf(image[i]));
}

function recipeOf(entry: HistoryEntry | undefined): string {
  return (entry?.created_by ?? '')
    .replace(/\b(file|dir|multi):[0-9a-f]{64}\b/g, '$1:')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Sets each layer row's origin. With an exact count, rows up to it are the base's and the rest the
 * image's; with only a lower bound (a drifted base whose old version is unknown), rows past it are
 * left unattributed rather than guessed.
 */
export function attributeLayers(rows: LayerRow[], baseLayers: number, exact: boolean): void {
  for (const row of rows) {
    if (row.index <= baseLayers) row.origin = 'base';
    else if (exact) row.origin = 'image';
  }
}

/**
 * Attributes history entries. When the base's config is known and the image's history starts with
 * the base's entries (the builder copies them), exactly those are the base's — including its
 * trailing empty_layer entries such as CMD. Otherwise the entries up to the one that made the last
 * base layer are.
 */
export function attributeHistory(image: ImageConfig, base: ImageConfig | undefined, baseLayers: number, exact: boolean): HistoryRow[] {
  const entries = image.history ?? [];
  // Which entry made which layer, as the layer table reads it: nothing for a squashed history.
  const layerOf = layerOfEntries(entries, image.rootfs?.diff_ids?.length ?? 0);
  let boundary = entriesForLayers(layerOf, baseLayers);
  const baseHistory = base?.history ?? [];
  if (exact && baseHistory.length > 0 && baseHistory.length <= entries.length && baseHistory.every((h, i) => sameEntry(h, entries[i]))) {
    boundary = baseHistory.length;
  }
  return entries.map((entry, i) => {
    const emptyLayer = entry.empty_layer === true;
    const origin: Origin | undefined = boundary === undefined ? undefined : i < boundary ? 'base' : exact ? 'image' : undefined;
    const row: HistoryRow = { index: i + 1, emptyLayer };
    const layer = layerOf[i];
    if (layer !== undefined) row.layer = layer;
    if (entry.created_by !== undefined) row.instruction = entry.created_by;
    if (entry.created !== undefined) row.created = entry.created;
    if (origin) row.origin = origin;
    return row;
  });
}

/**
 * The number of leading history entries up to and including the one that made layer `layers`;
 * undefined when no entry is known to have made it (a squashed history).
 */
function entriesForLayers(layerOf: readonly (number | undefined)[], layers: number): number | undefined {
  if (layers <= 0) return 0;
  const at = layerOf.indexOf(layers);
  return at < 0 ? undefined : at + 1;
}

function sameEntry(a: HistoryEntry, b: HistoryEntry | undefined): boolean {
  return b !== undefined && a.created_by === b.created_by && a.created === b.created && Boolean(a.empty_layer) === Boolean(b.empty_layer);
}
