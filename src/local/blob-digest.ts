// What the local sources learn by reading a blob once: its digest and size, its compression as its
// magic bytes say, its diff_id, and for small JSON blobs (manifests, configs) the bytes themselves.
// The pass is deep verification's (src/bytes/hasher.ts): the same decoders, so the same zstd
// fallback on Node 20 and the same refusal of bytes after the last gzip member that Go's reader
// would fail on. Here a decoding failure becomes the measure's `diffIdError`, in the local side's words.

import { BlobHasher, type BlobHashes } from '../bytes/hasher.js';
import { VerifyImageError } from '../errors.js';
import type { BlobMeasure } from './source.js';

export interface BlobDigestOptions {
  /** Keep the bytes when the blob looks like JSON and is at most this long (0: never). */
  keepJsonUpTo?: number;
}

export interface BlobDigestResult extends BlobMeasure {
  /** The bytes, when they looked like JSON and fit `keepJsonUpTo`. */
  json?: Buffer;
}

/** A Writable: pipe a file or a tar entry in; read `measure` once it has finished. */
export class BlobDigester extends BlobHasher {
  constructor(options: BlobDigestOptions = {}) {
    // The compression is sniffed: a local blob is read as what its bytes are, and blob-rules
    // compares that with what its media type claims.
    super({ keepJsonUpTo: options.keepJsonUpTo });
  }

  /** The measurement; available once the stream has finished. */
  get measure(): BlobDigestResult {
    return toMeasure(this.hashes);
  }
}

function toMeasure(hashes: BlobHashes): BlobDigestResult {
  const result: BlobDigestResult = { digest: hashes.digest, size: hashes.size, compression: hashes.compression };
  if (hashes.diffId !== undefined) result.diffId = hashes.diffId;
  else if (hashes.decodeError) result.diffIdError = diffIdError(hashes.decodeError, hashes.compression);
  if (hashes.json) result.json = hashes.json;
  return result;
}

function diffIdError(error: Error, compression: BlobHashes['compression']): string {
  // No zstd decoder at all (Node 20 without the zstd command) is a note, not a verdict on the blob.
  if (error instanceof VerifyImageError && error.code === 'unsupported') return `${error.message}; the compressed digest was still checked`;
  return `it does not decompress as ${compression} (${error.message})`;
}

/** The measurement without the kept JSON bytes, for storing beside a layer. */
export function measureOnly(result: BlobDigestResult): BlobMeasure {
  const measure: BlobMeasure = { digest: result.digest, size: result.size, compression: result.compression };
  if (result.diffId !== undefined) measure.diffId = result.diffId;
  if (result.diffIdError !== undefined) measure.diffIdError = result.diffIdError;
  return measure;
}
