// The verified-layer cache: blob digest → the diff_id its bytes were proved to decompress to,
// with the layer's statistics and entry index (so wasted bytes can still be computed on a hit).
// An entry is written only after a layer passed every check, and is used only when the
// manifest's size and the config's diff_id agree with it. Entries live on the machine's own
// disk: the cache is as trustworthy as the runner it is on.
//
// Two stores share the entry format: a plain directory (the CLI, tests) and the runner's tool
// cache (the action, src/verify/cache-toolcache.ts), so @actions/tool-cache stays out of the CLI.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidDigest } from '../oci/reference.js';
import type { LayerIndex } from '../bytes/layer-index.js';
import type { LayerCounts } from '../model/deep.js';

export const CACHE_FORMAT = 1;

export interface CachedLayer {
  format: typeof CACHE_FORMAT;
  digest: string;
  size: number;
  mediaType: string;
  diffId: string;
  uncompressedSize: number;
  counts: LayerCounts;
  index: LayerIndex;
  verifiedAt: string;
}

export interface LayerCache {
  /** Where entries live, for logs and the report. */
  readonly location: string;
  /** The entry for a blob digest, or undefined when there is none or it is unreadable. */
  get(digest: string): Promise<CachedLayer | undefined>;
  put(entry: CachedLayer): Promise<void>;
}

/** Parses an entry, refusing anything that is not exactly what `put` writes for `digest`. */
export function parseCachedLayer(text: string, digest: string): CachedLayer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const e = value as Partial<CachedLayer> | null;
  if (!e || typeof e !== 'object' || e.format !== CACHE_FORMAT || e.digest !== digest) return undefined;
  if (typeof e.diffId !== 'string' || !isValidDigest(e.diffId) || typeof e.mediaType !== 'string') return undefined;
  if (!isCount(e.size) || !isCount(e.uncompressedSize) || !e.counts || typeof e.counts !== 'object') return undefined;
  const index = e.index;
  if (!index || !Array.isArray(index.paths) || !Array.isArray(index.sizes) || typeof index.kinds !== 'string') return undefined;
  if (index.paths.length !== index.kinds.length || index.paths.length !== index.sizes.length) return undefined;
  if (!/^[fdlhowq]*$/.test(index.kinds)) return undefined;
  return e as CachedLayer;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** `sha256:abc…` → `sha256-abc…`, safe as a file or version name. */
export function digestKey(digest: string): string {
  return digest.replace(':', '-');
}

/** A cache in a plain directory: `<dir>/<algorithm>-<hex>.json`, written atomically. */
export class DirectoryLayerCache implements LayerCache {
  constructor(readonly location: string) {}

  async get(digest: string): Promise<CachedLayer | undefined> {
    if (!isValidDigest(digest)) return undefined;
    try {
      return parseCachedLayer(await readFile(this.file(digest), 'utf8'), digest);
    } catch {
      return undefined;
    }
  }

  async put(entry: CachedLayer): Promise<void> {
    await mkdir(this.location, { recursive: true });
    const target = this.file(entry.digest);
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify(entry));
    await rename(temp, target);
  }

  private file(digest: string): string {
    return join(this.location, `${digestKey(digest)}.json`);
  }
}
