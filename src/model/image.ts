// One platform's image, wherever it came from. The registry reader and every local source build
// their images with the functions here, so "which platform is this", "is this an image config"
// and "which layer has which diff_id" are each decided once, the same way on both sides.
//
// The platform a runtime selects an image by is its index entry's when an index names it, else
// its config's; the config's own platform is kept beside it, and rule `platform` (verify/rules.ts)
// fails when the two disagree.

import { diffIdsProblem } from '../oci/descriptor.js';
import { configPlatform, normalizePlatform } from '../oci/platform.js';
import type { Descriptor, HistoryEntry, ImageConfig, ImageManifest, Platform } from '../oci/types.js';
import { layerSteps, squashedLabel } from './history.js';

/** How one image is known by platform, on either side. */
export interface PlatformView {
  /** The platform a runtime knows the image by: its index entry's, or its config's for an image not in an index. */
  platform: Platform;
  /** The config's own platform, normalised; checked against `platform` when an index entry set it. */
  configPlatform?: Platform;
  /** True when `platform` came from an index entry (then it must agree with the config). */
  platformFromEntry?: boolean;
}

/** The pushed image for one platform: manifest and config, each hashed against its digest by the registry client. */
export interface RemoteImage extends PlatformView {
  reference: string;
  /** Top-level digest when the tag is an index. */
  indexDigest?: string;
  /** The index's own annotations (registry-controlled), when the tag is an index: base detection reads them. */
  indexAnnotations?: Record<string, unknown>;
  manifestDigest: string;
  manifestMediaType: string;
  manifest: ImageManifest;
  configDigest: string;
  config: ImageConfig;
}

/** One layer of an image: its descriptor from the manifest, its diff_id from the config, and the build step that made it. */
export interface ImageLayer {
  /** 1-based, bottom layer first. */
  index: number;
  descriptor?: Descriptor;
  diffId?: string;
  /** The history entry that made the layer, when the history pairs with the layers (history.ts). */
  history?: HistoryEntry;
  /** The instruction that made it: the entry's `created_by`, or `squashed (N build steps)` when it folds several. */
  instruction?: string;
}

/**
 * An image's layers, manifest and config side by side: as many as the longer of the two lists (a
 * manifest and config that disagree in count fail rule layer-count, and the extra rows show it).
 */
export function imageLayers(manifest: ImageManifest, config: ImageConfig): ImageLayer[] {
  const history = config.history ?? [];
  const diffIds = config.rootfs.diff_ids;
  const steps = layerSteps(history, diffIds.length);
  const count = Math.max(diffIds.length, manifest.layers.length);
  return Array.from({ length: count }, (_, i) => {
    const step = steps[i];
    const entry = step?.kind === 'step' ? history[step.entry] : undefined;
    return {
      index: i + 1,
      ...(manifest.layers[i] ? { descriptor: manifest.layers[i] } : {}),
      ...(diffIds[i] !== undefined ? { diffId: diffIds[i] } : {}),
      ...(entry ? { history: entry } : {}),
      ...(step?.kind === 'squashed' ? { instruction: squashedLabel(step.steps) } : entry?.created_by !== undefined ? { instruction: entry.created_by } : {}),
    };
  });
}

/**
 * The platform view of an image from its config (or, for a daemon that has no config to give,
 * the config fields it reports) and the index entry that named it, if any. A config without an
 * os/architecture is known as unknown/unknown unless an entry names it.
 */
export function platformView(config: Parameters<typeof configPlatform>[0], entry?: Pick<Descriptor, 'platform'>): PlatformView {
  const fromConfig = configPlatform(config);
  const known = fromConfig.os !== '' && fromConfig.architecture !== '';
  if (entry?.platform) return { platform: normalizePlatform(entry.platform), configPlatform: fromConfig, platformFromEntry: true };
  return { platform: known ? fromConfig : { os: 'unknown', architecture: 'unknown' }, configPlatform: fromConfig, platformFromEntry: false };
}

/**
 * Why a decoded config cannot be used, or undefined: `not-image` when it is no container image
 * config at all (no rootfs.diff_ids list), `bad-diff-ids` when a diff_id is not a valid digest.
 * Every source refuses such a config, each with its own context and error code.
 */
export function imageConfigProblem(config: unknown): { kind: 'not-image' | 'bad-diff-ids'; message: string } | undefined {
  const rootfs: unknown = config !== null && typeof config === 'object' && !Array.isArray(config) ? (config as ImageConfig).rootfs : undefined;
  const diffIds: unknown = rootfs !== null && typeof rootfs === 'object' ? (rootfs as { diff_ids?: unknown }).diff_ids : undefined;
  if (!Array.isArray(diffIds)) return { kind: 'not-image', message: 'has no rootfs.diff_ids: it is not a container image config' };
  const problem = diffIdsProblem(diffIds);
  return problem ? { kind: 'bad-diff-ids', message: problem } : undefined;
}

/** The registry's image for one platform, from the manifest and config the client fetched and hashed. */
export function remoteImage(fields: {
  reference: string;
  indexDigest?: string;
  indexAnnotations?: Record<string, unknown>;
  manifest: { digest: string; mediaType: string; body: ImageManifest };
  config: ImageConfig;
  entry?: Descriptor;
}): RemoteImage {
  const view = platformView(fields.config, fields.entry);
  return {
    reference: fields.reference,
    ...(fields.indexDigest ? { indexDigest: fields.indexDigest } : {}),
    ...(fields.indexAnnotations ? { indexAnnotations: fields.indexAnnotations } : {}),
    manifestDigest: fields.manifest.digest,
    manifestMediaType: fields.manifest.mediaType,
    manifest: fields.manifest.body,
    configDigest: fields.manifest.body.config.digest,
    config: fields.config,
    // A single image keeps its config's platform as is (unknown os stays empty, and the platform
    // check against the local build says so), as runtimes read it.
    platform: fields.entry?.platform ? view.platform : (view.configPlatform ?? view.platform),
    configPlatform: view.configPlatform,
    platformFromEntry: view.platformFromEntry,
  };
}
