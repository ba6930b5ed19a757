// One image out of what a source holds, for a single-platform run; and which `docker save`
// RepoTags entry a name means.

import { VerifyImageError } from '../errors.js';
import { bestMatch, formatPlatform, onlyPlatform } from '../oci/platform.js';
import { parseReference, type ImageReference } from '../oci/reference.js';
import type { Platform } from '../oci/types.js';
import type { LocalImage, LocalTarget } from './source.js';

export function pickLocalImage(target: LocalTarget, platform: Platform | undefined): LocalImage {
  if (target.kind === 'image') return target.image;
  const { images, reference } = target.index;
  const found = platform ? bestMatch(images, (image) => image.platform, onlyPlatform(platform)) : images.length === 1 ? images[0] : undefined;
  if (found) return found;
  const offered = images.map((i) => formatPlatform(i.platform)).join(', ');
  throw new VerifyImageError(
    'unsupported',
    platform
      ? `the local build ${reference} has no ${formatPlatform(platform)} image (it has ${offered}): set platform to one of those, or to all`
      : `the local build ${reference} holds several platforms (${offered}): set platform to one of them, or to all`,
  );
}

/**
 * Whether a `docker save` RepoTags entry names the image `wanted` means, by Docker's rules: both
 * normalised (`app` is `docker.io/library/app`), and a name without a tag is `:latest`, on either
 * side (go-containerregistry's bazel-era archives list `test_image_1`); a bare word that is the
 * entry's tag matches too. A wanted name pinned by
 * digest only matches on its repository; the digest itself is checked against the image later.
 */
export function sameRepoTag(repoTag: string, wanted: string): boolean {
  if (repoTag === wanted) return true;
  const known = tryParseReference(repoTag);
  // A bare word may also be just the tag (`docker-archive:app.tar:v1`).
  if (known?.tag !== undefined && known.tag === wanted) return true;
  const asked = tryParseReference(wanted);
  if (!known || !asked || known.registry !== asked.registry || known.repository !== asked.repository) return false;
  if (asked.tag === undefined && asked.digest !== undefined) return true;
  return (known.tag ?? 'latest') === (asked.tag ?? 'latest');
}

function tryParseReference(name: string): ImageReference | undefined {
  try {
    return parseReference(name);
  } catch {
    return undefined;
  }
}
