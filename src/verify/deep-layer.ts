// One layer's proof in deep verification: can it be read at all (media type, size), did an earlier
// run already prove it (the verified-layer cache), else download it once, proving digest, size,
// diff_id and tar as it streams (blob.ts), starting over once when the connection breaks mid-body.
// Every outcome is a report row; nothing here throws for a bad layer.

import type { LayerIndex } from '../bytes/layer-index.js';
import { layerKind } from '../bytes/media-type.js';
import type { Compression } from '../bytes/compression.js';
import { HashThreadError, type HashPool } from '../bytes/hash-pool.js';
import { VerifyImageError } from '../errors.js';
import type { Logger } from '../log.js';
import { shortDigest } from '../oci/digest.js';
import type { Descriptor } from '../oci/types.js';
import { header, type HttpResponse } from '../registry/http.js';
import { humanSize } from '../model/units.js';
import type { DeepLayer } from '../model/deep.js';
import { verifyBlobStream, type BlobResult } from './blob.js';
import { CACHE_FORMAT, type LayerCache } from './cache.js';
import type { Meter, Progress } from './progress.js';

export interface BlobSource {
  openBlob(descriptor: Descriptor): Promise<HttpResponse>;
}

/** One layer's outcome plus its entry index, which the report does not carry. */
export interface Outcome {
  layer: DeepLayer;
  index?: LayerIndex;
}

/** What every layer's proof shares within one run. */
export interface ProofContext {
  source: BlobSource;
  logger: Logger;
  cache?: LayerCache;
  progress: Progress;
  /** Cache hits and writes, for the report. */
  cacheStats: { hits: number; writes: number };
  /** Worker threads for the byte pass; without, it runs on this thread. */
  pool?: HashPool;
}

/** A layer as the manifest and config name it: `number` counts from 1, bottom first. */
export interface LayerClaim {
  number: number;
  total: number;
  descriptor: Descriptor;
  /** The config's diff_id for it; undefined when the config has none. */
  diffId: string | undefined;
}

/** Attempts per layer when the connection fails mid-body (each attempt starts over). */
const BODY_ATTEMPTS = 2;

export async function proveLayer(claim: LayerClaim, ctx: ProofContext): Promise<Outcome> {
  const { descriptor } = claim;
  const label = `layer ${claim.number}/${claim.total} ${shortDigest(descriptor.digest)}`;
  const row: DeepLayer = {
    index: claim.number,
    digest: descriptor.digest,
    mediaType: descriptor.mediaType,
    size: descriptor.size,
    diffId: claim.diffId,
    status: 'error',
  };
  const kind = layerKind(descriptor.mediaType);
  if (!kind.readable) {
    const message =
      kind.reason === 'foreign'
        ? 'a foreign (non-distributable) layer: registries do not serve it, so its bytes were not downloaded or verified'
        : `media type ${descriptor.mediaType} is not a layer type this action can read, so its bytes were not verified`;
    ctx.logger.warning(`${label}: not verified: ${message}`);
    return { layer: { ...row, status: 'not-verified', message } };
  }
  row.compression = kind.compression;
  if (!Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
    return { layer: { ...row, status: 'failed', failure: 'size-overrun', message: `the manifest gives no valid size for this layer (${String(descriptor.size)})` } };
  }
  return (await fromCache(claim, kind.compression, row, label, ctx)) ?? (await downloadAndProve(claim, kind.compression, row, label, ctx));
}

/** The cache's proof of this layer, when it proved these very bytes as this very compression. */
async function fromCache(claim: LayerClaim, compression: Compression, row: DeepLayer, label: string, ctx: ProofContext): Promise<Outcome | undefined> {
  const { descriptor, diffId } = claim;
  if (!ctx.cache || !diffId) return undefined;
  const hit = await ctx.cache.get(descriptor.digest);
  if (!hit) return undefined;
  // The same digest is the same bytes, but the media type is the manifest's claim about
  // them: a blob proved as gzip says nothing about whether it is valid zstd.
  const hitKind = layerKind(hit.mediaType);
  if (hit.size === descriptor.size && hit.diffId === diffId && hitKind.readable && hitKind.compression === compression) {
    ctx.cacheStats.hits++;
    ctx.logger.info(`${label}: cached — proved by an earlier run to be ${humanSize(hit.size)} decompressing to ${shortDigest(hit.diffId)}; not downloaded`);
    return {
      layer: { ...row, status: 'cached', uncompressedSize: hit.uncompressedSize, counts: hit.counts, downloadedBytes: 0, durationMs: 0 },
      index: hit.index,
    };
  }
  ctx.logger.info(`${label}: the cache's entry disagrees with this manifest or config; verifying the blob again`);
  return undefined;
}

async function downloadAndProve(claim: LayerClaim, compression: Compression, row: DeepLayer, label: string, ctx: ProofContext): Promise<Outcome> {
  const started = Date.now();
  ctx.logger.info(`${label}: downloading ${humanSize(claim.descriptor.size)} (${compression === 'none' ? 'uncompressed' : compression})`);
  const read = await readWithRetry(claim, compression, label, ctx);
  const durationMs = Date.now() - started;
  if ('error' in read) return { layer: { ...row, status: 'error', message: read.error, downloadedBytes: read.downloaded, durationMs } };
  const { result, downloaded } = read;
  if (result.failure) {
    ctx.logger.warning(`${label}: FAILED: ${result.failure.message}`);
    return { layer: { ...row, status: 'failed', failure: result.failure.reason, message: result.failure.message, downloadedBytes: downloaded, durationMs } };
  }
  const contents = result.contents;
  const c = contents?.counts;
  ctx.logger.info(
    `${label}: verified ${humanSize(result.compressedBytes)} in ${(durationMs / 1000).toFixed(1)} s${result.compressedBytes >= 1024 * 1024 ? ` (${rate(result.compressedBytes, durationMs)})` : ''}, ` +
      `${humanSize(result.uncompressedBytes)} uncompressed, ${c?.files ?? 0} files, ${c?.whiteouts ?? 0} deletions` +
      (c?.bytesAfterEnd ? `, ${humanSize(c.bytesAfterEnd)} after the tar end (in the diff_id; never unpacked)` : ''),
  );
  await remember(claim, result, label, ctx);
  return {
    layer: { ...row, status: 'verified', uncompressedSize: result.uncompressedBytes, counts: contents?.counts, downloadedBytes: downloaded, durationMs },
    index: contents?.index,
  };
}

type Read = { result: BlobResult; downloaded: number } | { error: string; downloaded: number };

/** Reads the blob, starting over once if the connection breaks mid-body; our own errors are final. */
async function readWithRetry(claim: LayerClaim, compression: Compression, label: string, ctx: ProofContext): Promise<Read> {
  let downloaded = 0;
  for (let attempt = 1; ; attempt++) {
    const meter = ctx.progress.start(label, claim.descriptor.size);
    try {
      const result = await readOnce(claim, compression, meter, ctx);
      return { result, downloaded: downloaded + result.compressedBytes };
    } catch (err) {
      downloaded += meter.bytes;
      const message = err instanceof VerifyImageError ? err.message : `${err instanceof Error ? err.message : String(err)}`;
      if (err instanceof VerifyImageError || attempt >= BODY_ATTEMPTS) {
        ctx.logger.warning(`${label}: could not be read: ${message}`);
        return { error: message, downloaded };
      }
      ctx.logger.info(
        err instanceof HashThreadError ? `${label}: the hashing thread stopped (${message}); starting the layer again` : `${label}: the download broke off (${message}); starting it again`,
      );
    } finally {
      meter.stop();
    }
  }
}

async function readOnce(claim: LayerClaim, compression: Compression, meter: Meter, ctx: ProofContext): Promise<BlobResult> {
  const { descriptor, diffId } = claim;
  const res = await ctx.source.openBlob(descriptor);
  return (
    refuseAnnouncedSize(res, descriptor.size) ??
    (await verifyBlobStream(res.body, { digest: descriptor.digest, size: descriptor.size, compression, diffId }, (n) => meter.add(n), ctx.pool))
  );
}

/** A Content-Length other than the manifest's size is known wrong before a byte is read: say so without downloading it. */
function refuseAnnouncedSize(res: HttpResponse, size: number): BlobResult | undefined {
  const length = header(res, 'content-length');
  const announced = Number(length);
  if (length === undefined || !Number.isSafeInteger(announced) || announced === size) return undefined;
  res.body.on('error', () => undefined).destroy();
  return {
    compressedBytes: 0,
    failure:
      announced > size
        ? { reason: 'size-overrun', message: `the registry announces ${announced} bytes but the manifest declares ${size}; not downloaded` }
        : { reason: 'truncated', message: `the registry announces ${announced} bytes but the manifest declares ${size}: the blob is truncated; not downloaded` },
  };
}

/** Keeps a proved layer's facts for later runs; a cache that cannot be written is a warning only. */
async function remember(claim: LayerClaim, result: BlobResult, label: string, ctx: ProofContext): Promise<void> {
  const { descriptor, diffId } = claim;
  const contents = result.contents;
  if (!ctx.cache || !contents || !diffId) return;
  try {
    await ctx.cache.put({
      format: CACHE_FORMAT,
      digest: descriptor.digest,
      size: descriptor.size,
      mediaType: descriptor.mediaType,
      diffId,
      uncompressedSize: result.uncompressedBytes ?? 0,
      counts: contents.counts,
      index: contents.index,
      verifiedAt: new Date().toISOString(),
    });
    ctx.cacheStats.writes++;
  } catch (err) {
    ctx.logger.warning(`${label}: verified, but could not be written to the cache: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function rate(bytes: number, ms: number): string {
  if (ms <= 0) return '— MB/s';
  return `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
}
