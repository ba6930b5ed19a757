// Gates: rules about the pushed image itself that the user opts into, beside the comparison with
// the local build. Pure: each takes what was already fetched or measured and returns a Check.
//   platforms-expected  the tag serves exactly these platforms, each once (attestations aside)

import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import { isImageManifest, isIndex, type Descriptor, type Platform } from '../oci/types.js';
import type { RemoteTop } from '../registry/resolve-platforms.js';
import type { Check, RemoteImage } from './rules.js';

/** What a pushed tag serves: its image entries and anything else a runtime could pull. */
export interface ServedPlatforms {
  reference: string;
  /** Whether the tag is an index (else a single image, whose config gives its one platform). */
  index: boolean;
  /** Image entries with a platform (for a single image, its config's); attestations left out. */
  images: Pick<Descriptor, 'digest' | 'platform'>[];
  /** Index entries that are neither a platform image nor an attestation. */
  others: Pick<Descriptor, 'digest' | 'mediaType' | 'platform'>[];
}

/** What a tag resolved with every platform at once serves. */
export function servedByTop(remote: RemoteTop): ServedPlatforms {
  return { reference: remote.reference, index: isIndex(remote.top.mediaType), images: remote.images, others: remote.others };
}

/** A single image serves its config's platform, and nothing else. */
export function servedBySingle(remote: RemoteImage): ServedPlatforms {
  return { reference: remote.reference, index: false, images: [{ digest: remote.manifestDigest, platform: remote.platform }], others: [] };
}

/** One spelling per platform; Windows images differ by os.version too. */
export function platformKey(platform: Platform): string {
  const p = normalizePlatform(platform);
  return p['os.version'] ? `${formatPlatform(p)} (os.version ${p['os.version']})` : formatPlatform(p);
}

/**
 * `platforms-expected`: the tag serves exactly the expected platforms: none missing, none extra,
 * none twice (a runtime takes the first match, so a second entry is an image nobody pulls, or the
 * one somebody meant). An image entry without a platform, or a nested index, counts as extra: a
 * runtime may pull it. Attestations and other artifacts are not platforms.
 */
export function checkExpectedPlatforms(served: ServedPlatforms, expected: readonly Platform[]): Check {
  const wanted = [...new Set(expected.map(platformKey))];
  const counts = new Map<string, number>();
  for (const image of served.images) {
    const key = image.platform ? platformKey(image.platform) : '(no platform)';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const unplaced = served.others.filter((d) => isImageManifest(d.mediaType) || isIndex(d.mediaType));
  const missing = wanted.filter((key) => !counts.has(key));
  const extra = [...counts.keys()].filter((key) => !wanted.includes(key));
  const duplicate = [...counts.entries()].filter(([, n]) => n > 1).map(([key, n]) => `${key} (${n} entries)`);
  const unplacedText = unplaced.map((d) => `${d.digest} (${isIndex(d.mediaType) ? 'a nested index' : 'an image without a platform'})`);
  const servedText = [...counts.keys()].join(', ') || 'no platform image';
  const what = served.index ? 'index' : 'single image';
  const base = { rule: 'platforms' as const, expected: wanted.join(','), actual: [...counts.keys()].join(',') };
  const problems = [
    missing.length ? `missing ${missing.join(', ')}` : '',
    extra.length ? `extra ${extra.join(', ')}` : '',
    duplicate.length ? `duplicate ${duplicate.join(', ')}` : '',
    unplacedText.length ? `extra ${unplacedText.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length === 0) {
    return { ...base, ok: true, message: `the ${what} serves exactly the expected platforms ${wanted.join(', ')}${served.index ? ', once each (attestations aside)' : ''}` };
  }
  return {
    ...base,
    ok: false,
    message: `platforms-expected ${wanted.join(', ')}: the ${what} ${served.reference} serves ${servedText}: ${problems.join('; ')}`,
  };
}
