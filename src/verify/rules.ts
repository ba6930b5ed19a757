// The comparison rules, pure: given what the registry serves and what the local build is, which
// rules hold? Each failed rule names itself and, where layers are involved, the first layer that
// differs (1-based, bottom layer first, as `docker history` reads upside down).

import type { LocalImage } from '../local/source.js';
import type { Check } from '../model/check.js';
import type { RemoteImage } from '../model/image.js';
import { blobChecks, configDifference } from './blob-rules.js';
import { formatPlatform, normalizePlatform, samePlatform } from '../oci/platform.js';
import type { Platform } from '../oci/types.js';

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
      : remote.indexDigest
        ? `local image ID ${local.id} is neither the registry's manifest digest ${remote.manifestDigest} nor its index digest ${remote.indexDigest}`
        : `local image ID ${local.id} is not the registry's manifest digest ${remote.manifestDigest}`,
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
  const ok = samePlatform(remote.platform, local.platform);
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

/**
 * An index entry's platform is what a runtime selects by; its config says what the image was
 * built for. They must agree (after normalisation): os, architecture and variant, and the
 * entry's os.version and os.features where the entry sets them. `side` names whose entry it is.
 */
export function checkPlatformAgreement(side: 'registry' | 'local', entry: Platform, config: Platform): Check {
  const e = normalizePlatform(entry);
  const c = normalizePlatform(config);
  const differences: string[] = [];
  if (formatPlatform(e) !== formatPlatform(c)) differences.push(`${formatPlatform(e)} but its config says ${formatPlatform(c)}`);
  if (e['os.version'] !== undefined && e['os.version'] !== c['os.version']) {
    differences.push(`os.version ${e['os.version']} but its config says ${c['os.version'] ?? 'none'}`);
  }
  const features = (p: Platform) => (p['os.features'] ?? []).join('+');
  if (e['os.features'] !== undefined && features(e) !== features(c)) {
    differences.push(`os.features ${features(e)} but its config says ${features(c) || 'none'}`);
  }
  const whose = side === 'registry' ? "the registry's index entry" : "the local build's index entry";
  if (differences.length === 0) {
    return { rule: 'platform', ok: true, message: `${whose} and its config agree on ${formatPlatform(e)}` };
  }
  return {
    rule: 'platform',
    ok: false,
    message: `${whose} says ${differences.join('; and ')}: a runtime would select this image for a platform it was not built for`,
    expected: formatPlatform(c),
    actual: formatPlatform(e),
  };
}

/** The entry-versus-config checks for both sides, where an index entry named the platform. */
function platformAgreement(remote: RemoteImage, local: LocalImage | undefined): Check[] {
  const checks: Check[] = [];
  if (remote.platformFromEntry && remote.configPlatform) {
    const check = checkPlatformAgreement('registry', remote.platform, remote.configPlatform);
    if (!check.ok) checks.push(check);
  }
  if (local?.platformFromEntry && local.configPlatform) {
    const check = checkPlatformAgreement('local', local.platform, local.configPlatform);
    if (!check.ok) checks.push(check);
  }
  return checks;
}

/** Every rule that applies, in the order a reader wants them. */
export function compareImage(remote: RemoteImage, local: LocalImage | undefined, expectedDigest: string | undefined): Check[] {
  const checks = [checkLayerCount(remote), ...platformAgreement(remote, local)];
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
