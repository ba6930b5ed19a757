// Deep verification of a resolved image: every layer blob downloaded once and proved (digest and
// size of the compressed bytes, diff_id of the uncompressed bytes, a well-formed tar inside), in
// parallel with a bounded number of layers in flight, largest first so the longest download
// starts at once. Layers the verified-layer cache already proved are not downloaded again.
// Afterwards the layers' entry indexes are compared to find the bytes later layers hide.
// The pieces: pool.ts runs the layers, deep-layer.ts proves one (cache lookup, download, retry),
// this file orders them, reads a blob listed twice once, and sums the outcomes into the report.

import { availableParallelism } from 'node:os';
import { VerifyImageError } from '../errors.js';
import { MAX_CONCURRENCY } from '../options.js';
import type { Logger } from '../log.js';
import { shortDigest } from '../oci/digest.js';
import type { Descriptor } from '../oci/types.js';
import { humanSize } from '../model/units.js';
import { REPORTED_WASTED_FILES, type DeepReport } from '../model/deep.js';
import { zstdImplementation } from '../bytes/decompress.js';
import { HashPool } from '../bytes/hash-pool.js';
import type { LayerCache } from './cache.js';
import { proveLayer, rate, type BlobSource, type Outcome, type ProofContext } from './deep-layer.js';
import { inPool } from './pool.js';
import { Progress } from './progress.js';
import type { Check } from '../model/check.js';
import type { RemoteImage } from '../model/image.js';
import { analyzeWaste, efficiencyScore } from './waste.js';

export type { BlobSource };

export interface DeepOptions {
  /** Layers in flight at once; defaults to defaultConcurrency(). */
  concurrency?: number;
  cache?: LayerCache;
  logger: Logger;
  /** How often a long layer reports progress. */
  progressIntervalMs?: number;
  /** Worker threads that hash and walk the layers (0: all on this thread); defaults to defaultHashThreads(). */
  hashThreads?: number;
}

/** Downloads are I/O, decompression runs off the main thread: a few more layers than cores. */
export function defaultConcurrency(cpus = availableParallelism()): number {
  return Math.max(2, Math.min(8, cpus + 2));
}

/**
 * The byte pass of each layer (two sha256, the tar walk) runs on worker threads so that the main
 * thread only downloads; inflating runs on libuv's pool either way. One thread per core but the
 * one the main thread keeps busy, at least one, at most one per layer in flight: on two cores a
 * second worker was no faster (3.94 vs 3.84 s, median of three paired runs, 9 layers, 346 MB) and
 * cost 20 MB of peak RSS (its isolate and malloc arena).
 */
export function defaultHashThreads(concurrency: number, cpus = availableParallelism()): number {
  const fromEnv = Number(process.env.VERIFY_IMAGE_HASH_THREADS);
  if (process.env.VERIFY_IMAGE_HASH_THREADS && Number.isInteger(fromEnv) && fromEnv >= 0) return Math.min(fromEnv, concurrency);
  return Math.max(1, Math.min(cpus - 1, concurrency));
}

export async function verifyLayers(source: BlobSource, remote: RemoteImage, opts: DeepOptions): Promise<DeepReport> {
  const started = Date.now();
  const { logger, cache } = opts;
  const concurrency = Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(opts.concurrency ?? defaultConcurrency())));
  const layers = remote.manifest.layers;
  const diffIds = remote.config.rootfs.diff_ids;
  logger.info(
    `deep verification: ${layers.length} layers (${humanSize(layers.reduce((n, l) => n + l.size, 0))} compressed), ${concurrency} at a time${cache ? `, verified-layer cache at ${cache.location}` : ''}`,
  );
  const threads = Math.max(0, Math.floor(opts.hashThreads ?? defaultHashThreads(concurrency)));
  const pool = threads > 0 ? new HashPool(threads) : undefined;
  pool?.prepare();
  const ctx: ProofContext = { source, logger, cache, progress: new Progress(logger, opts.progressIntervalMs ?? 5_000), cacheStats: { hits: 0, writes: 0 }, pool };
  const prove = oncePerBlob(layers, diffIds, (i) => proveLayer({ number: i + 1, total: layers.length, descriptor: layers[i] as Descriptor, diffId: diffIds[i] }, ctx));
  let outcomes: Outcome[];
  try {
    outcomes = await inPool(largestFirst(layers), concurrency, prove);
  } finally {
    ctx.progress.close();
    await pool?.close();
  }
  const report = summarise(remote, outcomes, concurrency, started);
  if (cache) report.cache = { location: cache.location, ...ctx.cacheStats };
  if (report.layers.some((l) => l.compression === 'zstd')) report.zstdDecoder = zstdImplementation();
  const proved = report.layers.filter((l) => l.status === 'verified' || l.status === 'cached').length;
  logger.info(
    `deep verification: ${proved} of ${layers.length} layers proved, ${humanSize(report.bytesDownloaded)} downloaded in ${(report.durationMs / 1000).toFixed(1)} s (${rate(report.bytesDownloaded, report.durationMs)}); ` +
      `wasted ${humanSize(report.wastedBytes)}${report.wasteComplete ? '' : ' (at least: some layers were not read)'}`,
  );
  return report;
}

/** The longest download starts first, so it does not begin last and hold up the run. */
function largestFirst(layers: readonly Descriptor[]): number[] {
  return layers.map((_, i) => i).sort((a, b) => (layers[b]?.size ?? 0) - (layers[a]?.size ?? 0) || a - b);
}

/** The same blob listed twice (e.g. an empty layer) is read once; the repeat downloads nothing. */
function oncePerBlob(layers: readonly Descriptor[], diffIds: readonly string[], prove: (i: number) => Promise<Outcome>): (i: number) => Promise<Outcome> {
  const shared = new Map<string, Promise<Outcome>>();
  return (i) => {
    const descriptor = layers[i] as Descriptor;
    const key = `${descriptor.digest} ${descriptor.size} ${diffIds[i] ?? ''}`;
    const first = shared.get(key);
    if (first) return first.then((o) => ({ ...o, layer: { ...o.layer, index: i + 1, downloadedBytes: 0 } }));
    const pending = prove(i);
    shared.set(key, pending);
    return pending;
  };
}

/** The report from the layers' outcomes: what was proved and downloaded, and what later layers hide. */
function summarise(remote: RemoteImage, outcomes: Outcome[], concurrency: number, started: number): DeepReport {
  const total = outcomes.length;
  const known = outcomes.map((o) => (o.layer.status === 'verified' || o.layer.status === 'cached' ? o.index : undefined));
  const waste = analyzeWaste(known);
  const reportLayers = outcomes.map((o, i) => (o.index ? { ...o.layer, wastedBytes: waste.perLayer[i] ?? 0 } : o.layer));
  const proved = reportLayers.filter((l) => l.status === 'verified' || l.status === 'cached');
  return {
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
