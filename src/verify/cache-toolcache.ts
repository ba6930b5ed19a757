// The verified-layer cache in the runner's tool cache ($RUNNER_TOOL_CACHE), through
// @actions/tool-cache: one "tool" (verify-image-layers) whose "versions" are blob digests, so
// entries persist across jobs on self-hosted runners and are cleaned up with the tool cache.
// Only the action uses this; the CLI uses DirectoryLayerCache with the same entry format.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidDigest } from '../oci/reference.js';
import { CACHE_FORMAT, digestKey, parseCachedLayer, type CachedLayer, type LayerCache } from './cache.js';

export const TOOL_NAME = 'verify-image-layers';
/** Layers are the same on every architecture; one directory name for all. */
const ARCH = 'any';
const ENTRY_FILE = 'layer.json';

/**
 * @actions/tool-cache, loaded on first use: it brings @actions/core, @actions/http-client and a
 * second undici (1 MB of the bundle), which a run without `cache: true` never needs (issue 15).
 */
let toolCacheModule: Promise<typeof import('@actions/tool-cache')> | undefined;
const toolCache = (): Promise<typeof import('@actions/tool-cache')> => (toolCacheModule ??= import('@actions/tool-cache'));

/** The tool-cache version for a digest: semver, with the entry format as the major version. */
export function cacheVersion(digest: string): string {
  return `${CACHE_FORMAT}.0.0-${digestKey(digest)}`;
}

export class ToolCacheLayerCache implements LayerCache {
  constructor(readonly location: string) {}

  async get(digest: string): Promise<CachedLayer | undefined> {
    if (!isValidDigest(digest)) return undefined;
    try {
      const tc = await toolCache();
      const dir = tc.find(TOOL_NAME, cacheVersion(digest), ARCH);
      if (!dir) return undefined;
      return parseCachedLayer(await readFile(join(dir, ENTRY_FILE), 'utf8'), digest);
    } catch {
      return undefined;
    }
  }

  async put(entry: CachedLayer): Promise<void> {
    const staging = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'verify-image-layer-'));
    try {
      await writeFile(join(staging, ENTRY_FILE), JSON.stringify(entry));
      await (await toolCache()).cacheDir(staging, TOOL_NAME, cacheVersion(entry.digest), ARCH);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

/**
 * The runner's tool cache, or the reason there is none: outside a runner RUNNER_TOOL_CACHE is
 * usually unset, and then the action verifies every layer without a cache (and says so).
 */
export function openToolCache(env: NodeJS.ProcessEnv = process.env): LayerCache | { unavailable: string } {
  const root = env.RUNNER_TOOL_CACHE;
  if (!root) return { unavailable: 'RUNNER_TOOL_CACHE is not set (not on a GitHub Actions runner?)' };
  return new ToolCacheLayerCache(join(root, TOOL_NAME));
}
