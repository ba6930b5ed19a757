// Deep verification of a resolved image: every layer blob downloaded once and proved (digest and
// size of the compressed bytes, diff_id of the uncompressed bytes, a well-formed tar inside), in
// parallel with a bounded number of layers in flight, largest first so the longest download
// starts at once. Layers the verified-layer cache already proved are not downloaded again.
// Afterwards the layers' entry indexes are compared to find the bytes later layers hide.

import { availableParallelism } from 'node:os';
import { VerifyImageError } from '../errors.js';
import type { Logger } from '../log.js';
import { shortDigest } from '../oci/digest.js';
import type { Descriptor } from '../oci/types.js';
import { header, type HttpResponse } from '../registry/http.js';
import { humanSize } from '../report/format.js';
import { REPORTED_WASTED_FILES, type DeepLayer, type DeepReport } from '../report/model-deep.js';
import { verifyBlobStream, type BlobResult } from './blob.js';
import { CACHE_FORMAT, type LayerCache } from './cache.js';
import { zstdImplementation } from '../bytes/decompress.js';
import type { LayerIndex } from '../bytes/layer-index.js';
import { layerKind } from '../bytes/media-type.js';
import { Progress } from './progress.js';
import type { Check, RemoteImage } from './rules.js';
import { analyzeWaste, efficiencyScore } from './waste.js';

export interface BlobSource {
  openBlob(descriptor: Descriptor): Promise<HttpResponse>;
}

export interface DeepOptions {
  /** Layers in flight at once; defaults to defaultConcurrency(). */
  concurrency?: number;
  cache?: LayerCache;
  logger: Logger;
  /** How often a long layer reports progress. */
  progressIntervalMs?: number;
}

/** Downloads are I/O, decompression runs off the main thread: a few more layers than cores. */
export function defaultConcurrency(cpus = availableParallelism()): number {
  return Math.max(2, Math.min(8, cpus + 2));
}

export const MAX_CONCURRENCY = 32;

/** One layer's outcome plus its entry index, which the report does not carry. */
interface Outcome {
  layer: DeepLayer;
  index?: LayerIndex;
}

/** Attempts per layer when the connection fails mid-body (each attempt starts over). */
const BODY_ATTEMPTS = 2;

export async function verifyLayers(source: BlobSource, remote: RemoteImage, opts: DeepOptions): Promise<DeepReport> {
  const started = Date.now();
  const { logger, cache } = opts;
  const concurrency = Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(opts.concurrency ?? defaultConcurrency())));
  const layers = remote.manifest.layers;
  const diffIds = remote.config.rootfs.diff_ids;
  const total = layers.length;
  const progress = new Progress(logger, opts.progressIntervalMs ?? 5_000);
  const cacheStats = { hits: 0, writes: 0 };
  logger.info(
    `deep verification: ${total} layers (${humanSize(layers.reduce((n, l) => n + l.size, 0))} compressed), ${concurrency} at a time${cache ? `, verified-layer cache at ${cache.location}` : ''}`,
  );

  // The same blob listed twice (e.g. an empty layer) is read once.
  const shared = new Map<string, Promise<Outcome>>();
  const verifyAt = (i: number): Promise<Outcome> => {
    const descriptor = layers[i] as Descriptor;
    const key = `${descriptor.digest} ${descriptor.size} ${diffIds[i] ?? ''}`;
    let pending = shared.get(key);
    if (!pending) {
      pending = verifyLayer(i);
      shared.set(key, pending);
      return pending;
    }
    return pending.then((o) => ({ ...o, layer: { ...o.layer, index: i + 1, downloadedBytes: 0 } }));
  };

  const verifyLayer = async (i: number): Promise<Outcome> => {
    const descriptor = layers[i] as Descriptor;
    const diffId = diffIds[i];
    const label = `layer ${i + 1}/${total} ${shortDigest(descriptor.digest)}`;
    const base: DeepLayer = {
      index: i + 1,
      digest: descriptor.digest,
      mediaType: descriptor.mediaType,
      size: descriptor.size,
      diffId,
      status: 'error',
    };
    const kind = layerKind(descriptor.mediaType);
    if (!kind.readable) {
      const message =
        kind.reason === 'foreign'
          ? 'a foreign (non-distributable) layer: registries do not serve it, so its bytes were not downloaded or verified'
          : `media type ${descriptor.mediaType} is not a layer type this action can read, so its bytes were not verified`;
      logger.warning(`${label}: not verified: ${message}`);
      return { layer: { ...base, status: 'not-verified', message } };
    }
    base.compression = kind.compression;
    if (!Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
      return { layer: { ...base, status: 'failed', failure: 'size-overrun', message: `the manifest gives no valid size for this layer (${String(descriptor.size)})` } };
    }

    if (cache && diffId) {
      const hit = await cache.get(descriptor.digest);
      // The same digest is the same bytes, but the media type is the manifest's claim about
      // them: a blob proved as gzip says nothing about whether it is valid zstd.
      const hitKind = hit && layerKind(hit.mediaType);
      if (hit && hit.size === descriptor.size && hit.diffId === diffId && hitKind?.readable && hitKind.compression === kind.compression) {
        cacheStats.hits++;
        logger.info(`${label}: cached — proved by an earlier run to be ${humanSize(hit.size)} decompressing to ${shortDigest(hit.diffId)}; not downloaded`);
        return {
          layer: { ...base, status: 'cached', uncompressedSize: hit.uncompressedSize, counts: hit.counts, downloadedBytes: 0, durationMs: 0 },
          index: hit.index,
        };
      }
      if (hit) logger.info(`${label}: the cache's entry disagrees with this manifest or config; verifying the blob again`);
    }

    const layerStarted = Date.now();
    logger.info(`${label}: downloading ${humanSize(descriptor.size)} (${kind.compression === 'none' ? 'uncompressed' : kind.compression})`);
    let result: BlobResult | undefined;
    let downloaded = 0;
    for (let attempt = 1; !result; attempt++) {
      const meter = progress.start(label, descriptor.size);
      try {
        const res = await source.openBlob(descriptor);
        const announced = Number(header(res, 'content-length'));
        if (header(res, 'content-length') !== undefined && Number.isSafeInteger(announced) && announced !== descriptor.size) {
          // Known wrong before a byte is read: say so without downloading it.
          res.body.on('error', () => undefined).destroy();
          result = {
            compressedBytes: 0,
            failure:
              announced > descriptor.size
                ? { reason: 'size-overrun', message: `the registry announces ${announced} bytes but the manifest declares ${descriptor.size}; not downloaded` }
                : { reason: 'truncated', message: `the registry announces ${announced} bytes but the manifest declares ${descriptor.size}: the blob is truncated; not downloaded` },
          };
          break;
        }
        result = await verifyBlobStream(res.body, { digest: descriptor.digest, size: descriptor.size, compression: kind.compression, diffId }, (n) => meter.add(n));
        downloaded += result.compressedBytes;
      } catch (err) {
        downloaded += meter.bytes;
        const message = err instanceof VerifyImageError ? err.message : `${err instanceof Error ? err.message : String(err)}`;
        if (err instanceof VerifyImageError || attempt >= BODY_ATTEMPTS) {
          logger.warning(`${label}: could not be read: ${message}`);
          return { layer: { ...base, status: 'error', message, downloadedBytes: downloaded, durationMs: Date.now() - layerStarted } };
        }
        logger.info(`${label}: the download broke off (${message}); starting it again`);
      } finally {
        meter.stop();
      }
    }
    const durationMs = Date.now() - layerStarted;
    if (result.failure) {
      logger.warning(`${label}: FAILED: ${result.failure.message}`);
      return { layer: { ...base, status: 'failed', failure: result.failure.reason, message: result.failure.message, downloadedBytes: downloaded, durationMs } };
    }
    const contents = result.contents;
    const c = contents?.counts;
    logger.info(
      `${label}: verified ${humanSize(result.compressedBytes)} in ${(durationMs / 1000).toFixed(1)} s${result.compressedBytes >= 1024 * 1024 ? ` (${rate(result.compressedBytes, durationMs)})` : ''}, ` +
        `${humanSize(result.uncompressedBytes)} uncompressed, ${c?.files ?? 0} files, ${c?.whiteouts ?? 0} deletions` +
        (c?.bytesAfterEnd ? `, ${humanSize(c.bytesAfterEnd)} after the tar end (in the diff_id; never unpacked)` : ''),
    );
    if (cache && contents && diffId) {
      try {
        await cache.put({
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
        cacheStats.writes++;
      } catch (err) {
        logger.warning(`${label}: verified, but could not be written to the cache: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return {
      layer: { ...base, status: 'verified', uncompressedSize: result.uncompressedBytes, counts: contents?.counts, downloadedBytes: downloaded, durationMs },
      index: contents?.index,
    };
  };

  const outcomes: Outcome[] = new Array(total);
  const queue = layers.map((_, i) => i).sort((a, b) => (layers[b]?.size ?? 0) - (layers[a]?.size ?? 0) || a - b);
  const worker = async (): Promise<void> => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) outcomes[i] = await verifyAt(i);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  } finally {
    progress.close();
  }

  const known = outcomes.map((o) => (o.layer.status === 'verified' || o.layer.status === 'cached' ? o.index : undefined));
  const waste = analyzeWaste(known);
  const reportLayers = outcomes.map((o, i) => (o.index ? { ...o.layer, wastedBytes: waste.perLayer[i] ?? 0 } : o.layer));
  const proved = reportLayers.filter((l) => l.status === 'verified' || l.status === 'cached');
  const report: DeepReport = {
    verified: proved.length === total,
    bytesVerified: remote.manifest.config.size + proved.reduce((n, l) => n + l.size, 0),
    bytesDownloaded: reportLayers.reduce((n, l) => n + (l.downloadedBytes ?? 0), 0),
    config: { digest: remote.configDigest, size: remote.manifest.config.size },
    layers: reportLayers,
    wastedBytes: waste.totalBytes,
    wasteComplete: proved.length === total,
    wastedFiles: waste.files.slice(0, REPORTED_WASTED_FILES),
    wastedFileCount: waste.files.length,
    efficiency: efficiencyScore(known),
    concurrency,
    durationMs: Date.now() - started,
  };
  if (cache) report.cache = { location: cache.location, ...cacheStats };
  if (reportLayers.some((l) => l.compression === 'zstd')) report.zstdDecoder = zstdImplementation();
  logger.info(
    `deep verification: ${proved.length} of ${total} layers proved, ${humanSize(report.bytesDownloaded)} downloaded in ${(report.durationMs / 1000).toFixed(1)} s (${rate(report.bytesDownloaded, report.durationMs)}); ` +
      `wasted ${humanSize(report.wastedBytes)}${report.wasteComplete ? '' : ' (at least: some layers were not read)'}`,
  );
  return report;
}

/** The rule deep verification adds to the report's checks. */
export function deepChecks(deep: DeepReport): Check[] {
  const total = deep.layers.length;
  const failed = deep.layers.filter((l) => l.status === 'failed');
  if (failed.length > 0) {
    return [
      {
        rule: 'layer-blobs',
        ok: false,
        layer: failed[0]?.index,
        message: failed.map((l) => `layer ${l.index} (${shortDigest(l.digest)}): ${l.message ?? l.failure}`).join('; '),
        expected: failed[0]?.failure === 'diff-id' ? failed[0].diffId : failed[0]?.digest,
      },
    ];
  }
  const cached = deep.layers.filter((l) => l.status === 'cached').length;
  const skipped = deep.layers.filter((l) => l.status === 'not-verified');
  const proved = deep.layers.filter((l) => l.status === 'verified' || l.status === 'cached').length;
  let message = `${proved} of ${total} layers' bytes match their digests, sizes and diff_ids (${humanSize(deep.bytesDownloaded)} downloaded${cached ? `, ${cached} from the verified-layer cache` : ''})`;
  if (skipped.length) message += `; not verified: ${skipped.map((l) => `layer ${l.index} (${l.message})`).join('; ')}`;
  return [{ rule: 'layer-blobs', ok: true, message }];
}

/** Layers that could not be fetched make the run inconclusive, unless another layer already failed. */
export function deepError(deep: DeepReport): VerifyImageError | undefined {
  if (deep.layers.some((l) => l.status === 'failed')) return undefined;
  const broken = deep.layers.find((l) => l.status === 'error');
  if (!broken) return undefined;
  return new VerifyImageError('unreachable', `could not deep-verify layer ${broken.index} (${shortDigest(broken.digest)}): ${broken.message}`);
}

function rate(bytes: number, ms: number): string {
  if (ms <= 0) return '— MB/s';
  return `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
}
