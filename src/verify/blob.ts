// One layer blob, proved in one pass as it streams in: the compressed bytes are counted and
// hashed (they must be the manifest's size and digest), and the same chunks flow into the
// decompressor, whose output is hashed (it must be the config's diff_id) and parsed as a tar.
// Nothing is buffered beyond the streams' own high-water marks, so memory does not grow with the
// layer; a blob that runs past its declared size is cut off at once.

import type { Readable } from 'node:stream';
import type { Compression } from '../bytes/compression.js';
import { TrailingDataError } from '../bytes/decompress.js';
import { localPass, type BlobPass, type HashPool } from '../bytes/hash-pool.js';
import type { LayerContents } from '../bytes/layer-index.js';
import { digestAlgorithm } from '../oci/digest.js';

export interface BlobExpectation {
  digest: string;
  size: number;
  compression: Compression;
  /** The config's diff_id for this layer; undefined when the config has none for it. */
  diffId: string | undefined;
}

export type BlobFailureReason = 'size-overrun' | 'truncated' | 'digest' | 'decompress' | 'diff-id' | 'tar';

export interface BlobFailure {
  reason: BlobFailureReason;
  message: string;
}

export interface BlobResult {
  /** Undefined when every property held. */
  failure?: BlobFailure;
  compressedBytes: number;
  /** The digest of what we read; undefined when we stopped early. */
  digest?: string;
  uncompressedBytes?: number;
  diffId?: string;
  contents?: LayerContents;
}

/**
 * Reads `body` to its end (or until it overruns `expect.size`) and says what it proved.
 * `onBytes` is told every compressed chunk's length, for progress. With `pool`, the pass runs on
 * its worker threads; without, on this thread.
 */
export async function verifyBlobStream(
  body: Readable,
  expect: BlobExpectation,
  onBytes: (n: number) => void = () => undefined,
  pool?: HashPool,
): Promise<BlobResult> {
  const options = {
    compression: expect.compression,
    digestAlgorithm: digestAlgorithm(expect.digest),
    diffIdAlgorithm: digestAlgorithm(expect.diffId ?? 'sha256:'),
    indexTar: true,
  };
  let pass: BlobPass;
  try {
    pass = pool ? pool.open(options) : localPass(options);
  } catch (err) {
    body.on('error', () => undefined).destroy();
    throw err;
  }
  let compressedBytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      compressedBytes += chunk.length;
      if (compressedBytes > expect.size) {
        body.on('error', () => undefined).destroy();
        await pass.abort();
        return {
          compressedBytes,
          failure: {
            reason: 'size-overrun',
            message: `the registry sent more than the ${expect.size} bytes the manifest declares; stopped reading`,
          },
        };
      }
      onBytes(chunk.length);
      await pass.write(chunk);
    }
  } catch (err) {
    body.on('error', () => undefined).destroy();
    await pass.abort();
    throw err;
  }
  const hashes = await pass.finish();
  const result: BlobResult = {
    compressedBytes,
    digest: hashes.digest,
    uncompressedBytes: hashes.decodedBytes,
    diffId: hashes.diffId,
    contents: hashes.contents,
  };
  result.failure = firstFailure(expect, result, hashes.decodeError, hashes.tarError);
  if (result.failure) result.contents = undefined;
  return result;
}

function firstFailure(expect: BlobExpectation, got: BlobResult, decodeError: Error | undefined, tarError: string | undefined): BlobFailure | undefined {
  if (got.compressedBytes < expect.size) {
    return {
      reason: 'truncated',
      message: `the registry sent ${got.compressedBytes} bytes but the manifest declares ${expect.size}: the blob is truncated`,
    };
  }
  if (got.digest !== expect.digest) {
    return { reason: 'digest', message: `the blob's bytes hash to ${got.digest}, not to the manifest's digest ${expect.digest}` };
  }
  if (decodeError instanceof TrailingDataError) {
    return { reason: 'decompress', message: `the blob matches its digest, but ${decodeError.message}` };
  }
  if (decodeError) {
    return {
      reason: 'decompress',
      message: `the blob matches its digest but is not valid ${expect.compression} (${decodeError.message})`,
    };
  }
  if (expect.diffId === undefined) {
    return { reason: 'diff-id', message: `the config has no diff_id for this layer (uncompressed it hashes to ${got.diffId})` };
  }
  if (got.diffId !== expect.diffId) {
    return {
      reason: 'diff-id',
      message:
        expect.compression === 'none'
          ? `the layer is uncompressed, so its digest must equal its diff_id, but the config says ${expect.diffId}`
          : `uncompressed, the blob hashes to ${got.diffId}, not to the config's diff_id ${expect.diffId}`,
    };
  }
  if (tarError) return { reason: 'tar', message: `the layer's content is not a well-formed tar archive: ${tarError}` };
  return undefined;
}
