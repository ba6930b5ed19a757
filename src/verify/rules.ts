// The comparison rules, pure: given what the registry serves and what the local build is, which
// rules hold? Each failed rule names itself and, where layers are involved, the first layer that
// differs (1-based, bottom layer first, as `docker history` reads upside down).

import type { LocalImage } from '../local/source.js';
import { blobChecks, configDifference } from './blob-rules.js';
import { formatPlatform, platformMatches } from '../oci/platform.js';
import type { ImageConfig, ImageManifest, Platform } from '../oci/types.js';

export type RuleName =
  | 'layer-count'
  | 'diff-ids'
  | 'image-id'
  | 'digest'
  | 'platform'
  // with a local source that holds blobs or names manifests (blob-rules.ts)
  | 'local-blobs'
  | 'manifest-digest'
  | 'layer-digests'
  // multi-platform runs (platforms.ts)
  | 'platforms'
  | 'index-digest'
  // deep verification (deep.ts)
  | 'layer-blobs'
  // opt-in gates on the pushed image (gates.ts; platforms above is shared)
  | 'efficiency';

export interface Check {
  rule: RuleName;
  ok: boolean;
  message: string;
  /** 1-based index of the first differing layer, when the rule is about layers. */
  layer?: number;
  expected?: string;
  actual?: string;
  /** The platform the check is about, in a run that verifies several. */
  platform?: string;
}

/** The pushed image as resolved for one platform. */
export interface RemoteImage {
  reference: string;
  /** Top-level digest when the tag is an index. */
  indexDigest?: string;
  manifestDigest: string;
  manifestMediaType: string;
  manifest: ImageManifest;
  configDigest: string;
  config: ImageConfig;
  platform: Platform;
}

export function checkLayerCount(remote: RemoteImage): Check {
  const layers = remote.manifest.layers.length;
  const diffIds = remote.config.rootfs.diff_ids.length;
  if (layers === diffIds) return { rule: 'layer-count', ok: true, message: `manifest and config agree on ${layers} layers` };
  return {
    rule: 'layer-count',
    ok: false,
    message: `the manifest lists ${layers} layers but the config has ${diffIds} diff_ids`,
    layer: Math.min(layers, diffIds) + 1,
    expected: String(diffIds),
    actual: String(layers),
  };
}

export function checkDiffIds(remote: RemoteImage, local: LocalImage): Check {
  const pushed = remote.config.rootfs.diff_ids;
  const built = local.diffIds;
  const first = firstDifference(pushed, built);
  if (first === undefined) {
    return { rule: 'diff-ids', ok: true, message: `all ${pushed.length} layers equal the local build's, in order` };
  }
  const layer = first + 1;
  if (first >= pushed.length || first >= built.length) {
    return {
      rule: 'diff-ids',
      ok: false,
      layer,
      message: `the registry image has ${pushed.length} layers, the local build ${built.length}; they first differ at layer ${layer}`,
      expected: built[first],
      actual: pushed[first],
    };
  }
  return {
    rule: 'diff-ids',
    ok: false,
    layer,
    message: `layer ${layer} differs: registry ${pushed[first]}, local build ${built[first]}`,
    expected: built[first],
    actual: pushed[first],
  };
}

export function checkImageId(remote: RemoteImage, local: LocalImage): Check {
  if (local.idKind === 'config') {
    const ok = local.id === remote.configDigest;
    return {
      rule: 'image-id',
      ok,
      message: ok
        ? `local image ID equals the registry's config digest`
        : `local image ID ${local.id} is not the registry's config digest ${remote.configDigest}`,
      expected: local.id,
      actual: remote.configDigest,
    };
  }
  const candidates = [remote.indexDigest, remote.manifestDigest].filter((d): d is string => Boolean(d));
  const ok = candidates.includes(local.id);
  return {
    rule: 'image-id',
    ok,
    message: ok
      ? `local image ID equals the registry's ${local.id === remote.indexDigest ? 'index' : 'manifest'} digest`
      : `local image ID ${local.id} is neither the registry's manifest digest ${remote.manifestDigest}${remote.indexDigest ? ` nor its index digest ${remote.indexDigest}` : ''}`,
    expected: local.id,
    actual: remote.indexDigest ?? remote.manifestDigest,
  };
}

export function checkDigest(remote: RemoteImage, expected: string): Check {
  const matched = expected === remote.indexDigest ? 'index' : expected === remote.manifestDigest ? 'manifest' : undefined;
  const served = remote.indexDigest ? `index ${remote.indexDigest}, platform manifest ${remote.manifestDigest}` : remote.manifestDigest;
  return {
    rule: 'digest',
    ok: matched !== undefined,
    message: matched
      ? `the registry's ${matched} digest equals the expected digest`
      : `the registry serves ${served}, not the expected digest ${expected}`,
    expected,
    actual: remote.indexDigest ?? remote.manifestDigest,
  };
}

export function checkPlatform(remote: RemoteImage, local: LocalImage): Check {
  const ok = platformMatches(remote.platform, local.platform) && platformMatches(local.platform, remote.platform);
  return {
    rule: 'platform',
    ok,
    message: ok
      ? `both are ${formatPlatform(remote.platform)}`
      : `the local build is ${formatPlatform(local.platform)} but the registry image compared is ${formatPlatform(remote.platform)}`,
    expected: formatPlatform(local.platform),
    actual: formatPlatform(remote.platform),
  };
}

/** Every rule that applies, in the order a reader wants them. */
export function compareImage(remote: RemoteImage, local: LocalImage | undefined, expectedDigest: string | undefined): Check[] {
  const checks = [checkLayerCount(remote)];
  if (local) {
    // Without diff_ids (the containerd store on API 1.48, other platforms) the manifest digest stands for them.
    checks.push(checkPlatform(remote, local), ...(local.diffIdsUnknown ? [] : [checkDiffIds(remote, local)]), explainImageId(checkImageId(remote, local), remote, local));
    checks.push(...blobChecks(remote, local));
  }
  if (expectedDigest) checks.push(checkDigest(remote, expectedDigest));
  return checks;
}

/** A failed image-id with both configs at hand says which fields differ (e.g. a config converted by skopeo). */
function explainImageId(check: Check, remote: RemoteImage, local: LocalImage): Check {
  if (check.ok || !local.config || local.idKind !== 'config') return check;
  const fields = configDifference(remote.config, local.config);
  if (fields.length === 0) return check;
  return { ...check, message: `${check.message}; the configs differ in ${fields.slice(0, 8).join(', ')}${fields.length > 8 ? ', …' : ''}` };
}

function firstDifference(a: readonly string[], b: readonly string[]): number | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return undefined;
}
