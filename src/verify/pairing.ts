// A run is a list of platform pairs: which local image goes with which registry index entry,
// platform by platform (one pair for a one-platform run), and which attestation goes with which
// image. Pure: no I/O, so every case is a table-driven unit test.

import { pickLocalImage } from '../local/pick.js';
import { imagesOf, type LocalAttestation, type LocalImage, type LocalTarget } from '../local/source.js';
import type { AttestationReport } from '../model/report.js';
import { bestMatch, formatPlatform, normalizePlatform, onlyPlatform } from '../oci/platform.js';
import type { Descriptor, Platform } from '../oci/types.js';
import type { PlatformSelection } from '../options.js';
import { chooseEntry, type RemoteTop } from '../registry/resolve.js';

export interface PlatformPair {
  platform: string;
  /**
   * The platform asked for, when the run named it (a list, one platform, the local build's or the
   * runner's): a runtime pulling it takes what containerd's matcher prefers for it, which must be
   * the entry verified, even when the pair's entry is a fallback (arm/v7 for arm64).
   */
  want?: Platform;
  local?: LocalImage;
  /** The registry index entry (or the single image, as an entry) for this platform. */
  remote?: Descriptor;
}

const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

export interface PairPlan {
  pairs: PlatformPair[];
  /**
   * The run answers for the whole tag (platform `all`, or a local index by default): every image
   * entry must be one of the pairs, and a registry platform the local build lacks fails.
   */
  wholeIndex: boolean;
  /** Several platforms were asked for or found (all, a list, a local index): checks then name their platform. */
  several: boolean;
}

/**
 * The pairs a run verifies. `all`, a list, or a local index by default: every platform named or
 * found, on either side (pairPlatforms). One platform asked for, or a local build of one platform,
 * or none (the runner's platform): one pair, the registry side being the entry a runtime pulls for
 * that platform; a platform neither side can give is an error that says what to set.
 */
export function planPairs(selection: PlatformSelection, target: LocalTarget | undefined, remote: RemoteTop, host: Platform): PairPlan {
  const several = selection.kind === 'all' || selection.kind === 'list' || (selection.kind === 'default' && target?.kind === 'index');
  if (several) {
    return { pairs: pairPlatforms(target ? imagesOf(target) : [], remote.images, selection), wholeIndex: selection.kind !== 'list', several: true };
  }
  const explicit = selection.kind === 'one' ? selection.platform : undefined;
  const local = target ? pickLocalImage(target, explicit) : undefined;
  const want = explicit ?? local?.platform ?? host;
  const entry = chooseEntry(remote, want, !explicit && local ? `the local build ${local.reference}` : undefined);
  return { pairs: [{ platform: formatPlatform(normalizePlatform(entry.platform ?? want)), want, local, remote: entry }], wholeIndex: false, several: false };
}

/**
 * Pairs by exact platform (after normalisation: `arm64/v8` is `arm64`). With `all` or by default
 * every platform on either side is listed, registry order first, and the first entry for a
 * platform wins (containerd's stable ordering among equals); with a list, exactly those, each
 * side's image chosen as containerd's platforms.Only(platform) chooses it.
 */
export function pairPlatforms(local: LocalImage[], remote: Descriptor[], selection: PlatformSelection): PlatformPair[] {
  if (selection.kind === 'list' || selection.kind === 'one') {
    const wanted = selection.kind === 'list' ? selection.platforms : [selection.platform];
    return wanted.map((want) => {
      const matcher = onlyPlatform(want);
      return {
        platform: formatPlatform(normalizePlatform(want)),
        want,
        local: bestMatch(local, (image) => image.platform, matcher),
        remote: bestMatch(remote, (entry) => entry.platform, matcher),
      };
    });
  }
  const pairs = new Map<string, PlatformPair>();
  for (const entry of remote) {
    if (!entry.platform) continue;
    const key = keyOf(entry.platform);
    if (!pairs.has(key)) pairs.set(key, { platform: key, remote: entry });
  }
  for (const image of local) {
    const key = keyOf(image.platform);
    const pair = pairs.get(key);
    if (!pair) pairs.set(key, { platform: key, local: image });
    else if (!pair.local) pair.local = image;
  }
  return [...pairs.values()];
}

/** The attestations both sides hold for one platform's image, matched by the image digest they name. */
export function pairAttestation(
  localImage: LocalImage | undefined,
  localAttestations: LocalAttestation[],
  remoteEntry: Descriptor | undefined,
  remoteAttestations: Descriptor[],
): AttestationReport | undefined {
  const local = localImage?.manifestDigest ? localAttestations.find((a) => a.subject === localImage.manifestDigest)?.digest : undefined;
  const registry = remoteEntry ? remoteAttestations.find((a) => a.annotations?.[REFERENCE_DIGEST] === remoteEntry.digest)?.digest : undefined;
  if (local && registry) return { status: local === registry ? 'same' : 'differs', local, registry };
  if (registry) return { status: 'registry-only', registry };
  if (local) return { status: 'local-only', local };
  return undefined;
}

function keyOf(platform: Platform): string {
  return formatPlatform(normalizePlatform(platform));
}
