// The deep-verification part of the report: per layer what was proved about its bytes and what
// is inside it, and across layers the bytes that later layers hide. Plain data, filled in by
// src/verify/deep.ts and rendered by summary-deep.ts and text-deep.ts.

/** What one layer's tar holds, by kind (bytes/layer-index.ts counts it). */
export interface LayerCounts {
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  others: number;
  /** `.wh.NAME` entries: paths this layer deletes from the layers below. */
  whiteouts: number;
  /** `.wh..wh..opq` entries: directories whose lower contents this layer hides. */
  opaqueDirs: number;
  /** Sum of regular file sizes. */
  fileBytes: number;
  /** Bytes after the tar's end-of-archive marker: in the diff_id, ignored by every unpacker. Absent when none. */
  bytesAfterEnd?: number;
}

/** A path whose bytes a later layer hides (verify/waste.ts). */
export interface WastedFile {
  path: string;
  /** Bytes of this path's hidden versions, summed over layers. */
  bytes: number;
  /** 1-based layers holding a hidden version, bottom first. */
  layers: number[];
  /** Each hidden version, bottom first: every copy names the layer that hid it, which differs from copy to copy. */
  copies: WastedCopy[];
}

/** One layer's hidden version of a path: its bytes, and the nearest layer above that overwrote or deleted it. */
export interface WastedCopy {
  layer: number;
  bytes: number;
  how: 'overwritten' | 'deleted';
  by: number;
}

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
