// The deep-verification part of the report: per layer what was proved about its bytes and what
// is inside it, and across layers the bytes that later layers hide. Plain data, filled in by
// src/verify/deep.ts and rendered by summary-deep.ts and text-deep.ts.

import type { LayerCounts } from '../bytes/layer-index.js';
import type { WastedFile } from '../verify/waste.js';

/**
 * verified: hashed in this run; cached: proved by an earlier run (verified-layer cache);
 * failed: the bytes disprove the manifest or config; not-verified: foreign or unknown type, not
 * downloaded; error: could not be fetched.
 */
export type DeepLayerStatus = 'verified' | 'cached' | 'failed' | 'not-verified' | 'error';

export interface DeepLayer {
  /** 1-based, bottom layer first, as in the layer table. */
  index: number;
  digest: string;
  mediaType: string;
  /** Compressed size from the manifest. */
  size: number;
  diffId?: string;
  compression?: 'gzip' | 'zstd' | 'none';
  status: DeepLayerStatus;
  /** Why it failed, was not verified or could not be fetched; one line. */
  message?: string;
  /** For failed: which property broke. */
  failure?: 'size-overrun' | 'truncated' | 'digest' | 'decompress' | 'diff-id' | 'tar';
  uncompressedSize?: number;
  counts?: LayerCounts;
  /** Bytes of this layer's files that later layers overwrite or delete. */
  wastedBytes?: number;
  /** Compressed bytes read from the registry for this layer in this run. */
  downloadedBytes?: number;
  durationMs?: number;
}

export interface DeepReport {
  /** Every layer's bytes proved (in this run or by the cache) and the config hashed. */
  verified: boolean;
  /** Compressed bytes proved: the config plus every verified or cached layer. */
  bytesVerified: number;
  /** Bytes downloaded for layers in this run (cache hits download nothing). */
  bytesDownloaded: number;
  config: { digest: string; size: number };
  layers: DeepLayer[];
  /** Bytes of files hidden by later layers, over the layers whose contents are known. */
  wastedBytes: number;
  /** False when some layer's contents are unknown, so wastedBytes may be an undercount. */
  wasteComplete: boolean;
  /** The largest hidden files, largest first (at most REPORTED_WASTED_FILES). */
  wastedFiles: WastedFile[];
  /** How many paths have hidden bytes in all. */
  wastedFileCount: number;
  /** dive's efficiency score, 0–1 (verify/waste.ts), over the layers whose contents are known. */
  efficiency: number;
  concurrency: number;
  /** Where the verified-layer cache lives, when one was used. */
  cache?: { location: string; hits: number; writes: number };
  /** Which zstd decoder this runtime uses, when a zstd layer was read. */
  zstdDecoder?: string;
  durationMs: number;
}

export const REPORTED_WASTED_FILES = 100;
