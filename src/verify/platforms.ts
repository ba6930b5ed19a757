// The index-level rules of a run, pure: what the tag serves beyond the pairs verified. Every
// entry a runtime may pull must be an image that was verified (the runtime's choice per platform,
// a second entry for a platform, entries that are neither images nor attestations), the expected
// digest must be the tag's, and a local index's digest is compared with the registry's.

import type { PlatformPair } from './pairing.js';
import type { Check } from '../model/check.js';
import type { PlatformReport } from '../model/report.js';
import { bestMatch, formatPlatform, onlyPlatform } from '../oci/platform.js';
import { isImageManifest, isIndex } from '../oci/types.js';
import type { RemoteTop } from '../registry/resolve.js';

/**
 * Every index-level check: with `wholeIndex` (platform all, or a local index) every pullable entry
 * must be paired; always, each pair's entry must be the one a runtime pulls for its platform; the
 * expected digest and the local index digest where given.
 */
export function indexChecks(
  remote: RemoteTop,
  pairs: readonly PlatformPair[],
  platforms: readonly PlatformReport[],
  opts: { wholeIndex: boolean; expectedDigest?: string; localIndexDigest?: string },
): Check[] {
  const checks: Check[] = opts.wholeIndex ? [...otherEntryChecks(remote), ...unpairedEntryChecks(remote, pairs)] : [];
  // A pass must rest on at least one image hashed: a tag with no platform image verified proves nothing.
  if (!pairs.some((pair) => pair.remote)) {
    checks.push({ rule: 'platforms', ok: false, message: `${remote.reference} serves no platform image that was verified: nothing a runtime would run was checked` });
  }
  checks.push(...runtimeChoiceChecks(remote, pairs));
  if (opts.expectedDigest) checks.push(checkTopDigest(remote, opts.expectedDigest, platforms));
  if (opts.localIndexDigest && isIndex(remote.top.mediaType)) checks.push(checkIndexDigest(remote, opts.localIndexDigest, platforms));
  return checks;
}

/**
 * A platform on one side only: the tag serves, or lacks, an image nobody verified. With a local
 * build, a registry platform it lacks fails whatever the selection (all, a list); without one, the
 * registry side alone is what was asked for.
 */
export function presenceChecks(pair: PlatformPair, reference: string, haveLocal: boolean): Check[] {
  if (pair.local && !pair.remote) {
    return [{ rule: 'platforms', ok: false, message: `${pair.platform} is in the local build (${pair.local.manifestDigest ?? pair.local.id}) but not in ${reference}: it was not pushed` }];
  }
  if (!pair.local && pair.remote && haveLocal) {
    return [
      {
        rule: 'platforms',
        ok: false,
        message: `${pair.platform} is in ${reference} (${pair.remote.digest}) but not in the local build: the tag serves an image this build did not make (to verify only some platforms, list them in platform)`,
      },
    ];
  }
  if (!pair.local && !pair.remote) return [{ rule: 'platforms', ok: false, message: `${pair.platform} was asked for but is neither in ${reference} nor in the local build` }];
  return [];
}

/**
 * For each platform verified, the entry a runtime would pull for it: containerd's matcher over every
 * entry but attestations (nested indexes and unknown media types included), the preferred match,
 * the first of equals. When that is not the entry verified (a nested index or another manifest for
 * the same platform listed first), the verdict would be about an image nobody pulls: fail.
 */
function runtimeChoiceChecks(remote: RemoteTop, pairs: readonly PlatformPair[]): Check[] {
  const checks: Check[] = [];
  for (const pair of pairs) {
    const verified = pair.remote;
    const want = pair.want ?? verified?.platform;
    if (!verified || !want || remote.entries.length === 0) continue;
    const chosen = bestMatch(remote.entries, (entry) => entry.platform, onlyPlatform(want));
    if (!chosen || chosen.digest === verified.digest) continue;
    const where = remote.entries.indexOf(chosen) < remote.entries.indexOf(verified) ? 'listed before' : 'preferred to';
    checks.push({
      rule: 'platforms',
      ok: false,
      platform: pair.platform,
      message: `a runtime pulling ${pair.platform} from ${remote.reference} takes ${chosen.digest} (${chosen.mediaType}), ${where} the verified ${verified.digest}: that is not the image verified`,
    });
  }
  return checks;
}

/**
 * With every platform verified, each image entry must be one of them: a second entry for a platform
 * already paired (another os.version or os.features) is what some hosts pull, and was not verified.
 */
function unpairedEntryChecks(remote: RemoteTop, pairs: readonly PlatformPair[]): Check[] {
  const paired = new Set(pairs.flatMap((pair) => (pair.remote ? [pair.remote.digest] : [])));
  return remote.images
    .filter((entry) => !paired.has(entry.digest))
    .map((entry) => ({
      rule: 'platforms' as const,
      ok: false,
      message: `${remote.reference} lists ${entry.digest} for ${entry.platform ? formatPlatform(entry.platform) : 'no platform'} after another entry for the same platform: some hosts pull it (os.version, os.features), and it was not verified`,
    }));
}

/**
 * Index entries that are neither a platform image nor an attestation. One that is an image or an
 * index (no platform, or nested) is something a runtime may still pull — containerd falls back to
 * entries without a platform — and nothing here verified it, so it fails. Artifacts are reported.
 */
function otherEntryChecks(remote: RemoteTop): Check[] {
  return remote.others.map((d) => {
    const pullable = isImageManifest(d.mediaType) || isIndex(d.mediaType);
    return {
      rule: 'platforms' as const,
      ok: !pullable,
      message: pullable
        ? `${remote.reference} lists ${d.digest} (${d.mediaType}${d.platform ? '' : ', no platform'}) which is neither a platform image nor an attestation: a runtime may pull it, and it was not verified`
        : `${remote.reference} lists ${d.digest} (${d.mediaType}), not an image: not verified, not pulled by runtimes`,
    };
  });
}

/** The expected digest is the tag's top-level digest, or, when one platform is verified, its manifest digest. */
export function checkTopDigest(remote: RemoteTop, expected: string, platforms: readonly PlatformReport[]): Check {
  const kind = isIndex(remote.top.mediaType) ? 'index' : 'manifest';
  const only = platforms.length === 1 ? platforms[0]?.remote?.manifestDigest : undefined;
  const ok = expected === remote.top.digest || expected === only;
  const matched = expected === remote.top.digest ? kind : 'platform manifest';
  return {
    rule: 'digest',
    ok,
    message: ok
      ? `the registry's ${matched} digest equals the expected digest`
      : `the registry serves ${kind} ${remote.top.digest}${kind === 'index' && only ? `, platform manifest ${only}` : ''}, not the expected digest ${expected}`,
    expected,
    actual: remote.top.digest,
  };
}

/** The same index digest proves every platform and attestation; a different one is fine when every platform image matched. */
export function checkIndexDigest(remote: RemoteTop, local: string, platforms: readonly PlatformReport[]): Check {
  const base = { rule: 'index-digest' as const, expected: local, actual: remote.top.digest };
  if (local === remote.top.digest) {
    return { ...base, ok: true, message: `the registry serves the local index ${local} byte for byte: every platform and attestation is the same` };
  }
  const allMatch = platforms.length > 0 && platforms.every((p) => p.presence === 'both' && p.status === 'verified');
  const attestations = platforms.filter((p) => p.attestation && p.attestation.status !== 'same').length;
  return {
    ...base,
    ok: allMatch,
    message: allMatch
      ? `the registry's index ${remote.top.digest} is not the local ${local}, but every platform image matches${attestations ? `; ${attestations} attestation(s) differ` : ': the indexes differ in annotations or entry order'}`
      : `the registry's index ${remote.top.digest} is not the local ${local}, and the platform images differ (see below)`,
  };
}
