// One image out of what a source holds, for a single-platform run.

import { VerifyImageError } from '../errors.js';
import { bestMatch, formatPlatform, onlyPlatform } from '../oci/platform.js';
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
