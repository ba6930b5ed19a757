// Rules that need the local side's blobs (archives and layouts hold the real manifest and layer
// blobs) or its manifest digest (the containerd store names it): manifest digests, compressed
// layer digests, and whether the local blobs are what their manifest and config say. Pure.
//
// Recompression is not a difference in content: a registry (or `docker push`) may store a layer
// compressed differently from the local blob. When the diff_ids match we say exactly that.

import type { Compression } from '../bytes/compression.js';
import { compressionOfMediaType } from '../bytes/media-type.js';
import type { LocalImage } from '../local/source.js';
import type { ImageConfig } from '../oci/types.js';
import type { Check } from '../model/check.js';
import type { RemoteImage } from '../model/image.js';

/** Every blob rule that applies to this local image. */
export function blobChecks(remote: RemoteImage, local: LocalImage): Check[] {
  const checks: Check[] = [];
  const blobs = checkLocalBlobs(local);
  if (blobs) checks.push(blobs);
  if (local.manifestDigest) checks.push(checkManifestDigest(remote, local));
  if (local.manifest && local.layers && !local.diffIdsUnknown) checks.push(checkLayerDigests(remote, local));
  return checks;
}

/** Do the local blobs hash to what the local manifest and config say? A tampered archive fails here. */
export function checkLocalBlobs(local: LocalImage): Check | undefined {
  const layers = local.layers ?? [];
  if (layers.length === 0 || layers.some((l) => !l.measured)) return undefined;
  const notes: string[] = [];
  if (layers.length !== local.diffIds.length) {
    return {
      rule: 'local-blobs',
      ok: false,
      layer: Math.min(layers.length, local.diffIds.length) + 1,
      message: `the local build lists ${layers.length} layer blobs but its config has ${local.diffIds.length} diff_ids: the local image is inconsistent`,
    };
  }
  for (const [i, layer] of layers.entries()) {
    const measured = layer.measured!;
    const n = i + 1;
    const at = `local layer ${n} (${layer.path})`;
    if (layer.claimed && measured.digest !== layer.descriptor.digest) {
      return fail(n, `${at} hashes to ${measured.digest}, not the ${layer.descriptor.digest} its manifest names: the local blob was altered or damaged`, layer.descriptor.digest, measured.digest);
    }
    if (layer.claimed && typeof layer.descriptor.size === 'number' && measured.size !== layer.descriptor.size) {
      return fail(n, `${at} is ${measured.size} bytes, not the ${layer.descriptor.size} its manifest says`, String(layer.descriptor.size), String(measured.size));
    }
    const declared = compressionOfMediaType(layer.descriptor.mediaType);
    if (layer.claimed && declared && declared !== measured.compression) {
      return fail(n, `${at} is ${describeCompression(measured.compression)} but its media type ${layer.descriptor.mediaType} says ${describeCompression(declared)}`);
    }
    const diffId = local.diffIds[i];
    if (measured.diffId === undefined) {
      if (measured.diffIdError && /decompress as/.test(measured.diffIdError)) return fail(n, `${at}: ${measured.diffIdError}`);
      notes.push(`layer ${n}: ${measured.diffIdError ?? 'its uncompressed digest was not computed'}`);
      continue;
    }
    if (measured.diffId !== diffId) {
      const what = measured.compression === 'none' ? 'hashes to' : 'decompresses to content hashing to';
      return fail(n, `${at} ${what} ${measured.diffId}, not the diff_id ${diffId} in the local config: the layer was replaced or damaged`, diffId, measured.diffId);
    }
  }
  const claimed = layers.some((l) => l.claimed);
  return {
    rule: 'local-blobs',
    ok: true,
    message:
      `all ${layers.length} local layer blobs were hashed: ${claimed ? 'each matches its manifest digest and size, and ' : ''}each uncompressed layer matches its diff_id in the local config` +
      (notes.length ? ` (not checked: ${notes.join('; ')})` : ''),
  };

  function fail(layer: number, message: string, expected?: string, actual?: string): Check {
    return { rule: 'local-blobs', ok: false, layer, message, expected, actual };
  }
}

/** False when layer `i`'s local blob was measured and is not what the local manifest and config say. */
export function localLayerIntact(local: LocalImage, i: number): boolean {
  const layer = local.layers?.[i];
  const measured = layer?.measured;
  if (!layer || !measured) return true;
  if (layer.claimed && measured.digest !== layer.descriptor.digest) return false;
  if (layer.claimed && typeof layer.descriptor.size === 'number' && measured.size !== layer.descriptor.size) return false;
  if (measured.diffIdError && /decompress as/.test(measured.diffIdError)) return false;
  return measured.diffId === undefined || measured.diffId === local.diffIds[i];
}

/**
 * The same manifest digest proves everything under it. A different one is fine when the config
 * and every uncompressed layer are still the same (layers recompressed, media types converted).
 */
export function checkManifestDigest(remote: RemoteImage, local: LocalImage): Check {
  const localDigest = local.manifestDigest as string;
  if (localDigest === remote.manifestDigest) {
    return {
      rule: 'manifest-digest',
      ok: true,
      message: `the registry serves the local manifest ${localDigest} byte for byte: config and every layer blob are the same`,
      expected: localDigest,
      actual: remote.manifestDigest,
    };
  }
  const sameConfig = local.configDigest !== undefined && local.configDigest === remote.configDigest;
  const sameLayers = !local.diffIdsUnknown && sameList(local.diffIds, remote.config.rootfs.diff_ids);
  const differs = `the registry's manifest ${remote.manifestDigest} is not the local ${localDigest}`;
  if (sameConfig && sameLayers) {
    return {
      rule: 'manifest-digest',
      ok: true,
      message: `${differs}, but the config and every uncompressed layer are identical: ${manifestDifference(remote, local)}`,
      expected: localDigest,
      actual: remote.manifestDigest,
    };
  }
  const why = local.diffIdsUnknown
    ? 'and the daemon cannot list this platform\'s layers to compare them (it needs API 1.49)'
    : !sameLayers
      ? 'and the layers differ (see diff-ids)'
      : local.configDigest === undefined
        ? 'and the local source does not name its config to compare'
        : `and the config differs (registry ${remote.configDigest}, local ${local.configDigest})`;
  return { rule: 'manifest-digest', ok: false, message: `${differs}, ${why}`, expected: localDigest, actual: remote.manifestDigest };
}

/** Compressed digests, layer by layer: equal, recompressed (same diff_id), or different content. */
export function checkLayerDigests(remote: RemoteImage, local: LocalImage): Check {
  const localLayers = local.layers ?? [];
  const pushed = remote.manifest.layers;
  const recompressed: number[] = [];
  for (let i = 0; i < Math.max(pushed.length, localLayers.length); i++) {
    const r = pushed[i];
    const l = localLayers[i];
    if (r && l && r.digest === l.descriptor.digest) continue;
    if (r && l && remote.config.rootfs.diff_ids[i] !== undefined && remote.config.rootfs.diff_ids[i] === local.diffIds[i]) {
      recompressed.push(i + 1);
      continue;
    }
    return {
      rule: 'layer-digests',
      ok: false,
      layer: i + 1,
      message: `layer ${i + 1}: the registry's blob ${r?.digest ?? '(none)'} is not the local ${l?.descriptor.digest ?? '(none)'} and the uncompressed content differs too`,
      expected: l?.descriptor.digest,
      actual: r?.digest,
    };
  }
  if (recompressed.length === 0) {
    return { rule: 'layer-digests', ok: true, message: `all ${pushed.length} compressed layer digests equal the local blobs'` };
  }
  const first = recompressed[0]! - 1;
  const how = describeCompression(compressionOf(pushed[first]?.mediaType));
  const was = describeCompression(localLayers[first]?.measured?.compression ?? compressionOf(localLayers[first]?.descriptor.mediaType));
  const verb = was === 'uncompressed' ? 'compressed' : 'recompressed';
  const all = recompressed.length === pushed.length;
  return {
    rule: 'layer-digests',
    ok: true,
    layer: recompressed[0],
    message:
      `${all ? `all ${pushed.length} layers were` : `${recompressed.length === 1 ? 'layer' : 'layers'} ${list(recompressed)} ${recompressed.length === 1 ? 'was' : 'were'}`} ${verb} on push ` +
      `(registry ${how}, local ${was}): the compressed digests differ but the uncompressed content is identical (the diff_ids match)` +
      (all ? '' : `; the other ${pushed.length - recompressed.length} are the same blobs`),
  };
}

/** When image-id fails and both configs are at hand, which fields differ: top-level ones first, then `config.*`. */
export function configDifference(remote: ImageConfig, local: ImageConfig): string[] {
  const a = remote as unknown as Record<string, unknown>;
  const b = local as unknown as Record<string, unknown>;
  const differ = (x: Record<string, unknown>, y: Record<string, unknown>) =>
    [...new Set([...Object.keys(x), ...Object.keys(y)])].sort().filter((key) => JSON.stringify(x[key]) !== JSON.stringify(y[key]));
  const top = differ(a, b);
  const inner = a.config && b.config && typeof a.config === 'object' && typeof b.config === 'object'
    ? differ(a.config as Record<string, unknown>, b.config as Record<string, unknown>).map((key) => `config.${key}`)
    : [];
  return [...top.filter((key) => key !== 'config' || inner.length === 0), ...inner];
}

function manifestDifference(remote: RemoteImage, local: LocalImage): string {
  const layers = local.layers;
  if (!layers) return 'the local source names the manifest but not its layer blobs';
  const recompressed = remote.manifest.layers.filter((r, i) => layers[i] && r.digest !== layers[i]!.descriptor.digest).length;
  if (recompressed > 0) return `${plural(recompressed, 'layer')} ${recompressed === 1 ? 'was' : 'were'} compressed differently on push`;
  if (remote.manifestMediaType !== local.manifestMediaType) {
    return `the manifest was converted from ${local.manifestMediaType ?? 'its local format'} to ${remote.manifestMediaType}`;
  }
  return 'the manifests differ only in annotations or media types';
}

function compressionOf(mediaType: string | undefined): Compression | undefined {
  return mediaType ? compressionOfMediaType(mediaType) : undefined;
}

function describeCompression(c: Compression | undefined): string {
  if (c === 'none') return 'uncompressed';
  return c ?? 'unknown compression';
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function list(numbers: number[]): string {
  if (numbers.length <= 1) return String(numbers[0] ?? '');
  return `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
}
