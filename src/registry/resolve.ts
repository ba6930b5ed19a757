// From a reference to one platform's image: tag → (index → platform manifest) → config.
// Shared by verification and, later, base-image lookups.

import { VerifyImageError } from '../errors.js';
import { availablePlatforms, configPlatform, formatPlatform, normalizePlatform, onlyPlatform, selectManifest } from '../oci/platform.js';
import { formatReference, manifestReference, type ImageReference } from '../oci/reference.js';
import { isIndex, type Descriptor, type ImageIndex, type ImageManifest, type Platform } from '../oci/types.js';
import type { RemoteImage } from '../verify/rules.js';
import type { RegistryClient } from './client.js';

/**
 * The index entry is chosen as containerd chooses it for a pull of `want` (platforms.Only: the
 * best match, first among equals), and its platform is the image's platform; the config's is
 * kept beside it for the entry-versus-config check.
 * @param wantFrom where `want` came from, for messages: 'the local build' when it is the local
 *   image's platform (then a single-platform image of another platform is a platform mismatch).
 */
export async function resolveRemoteImage(client: RegistryClient, ref: ImageReference, want: Platform, wantFrom?: string): Promise<RemoteImage> {
  const top = await client.getManifest(manifestReference(ref));
  let indexDigest: string | undefined;
  let indexAnnotations: Record<string, unknown> | undefined;
  let manifest = top;
  let entry: Descriptor | undefined;
  if (isIndex(top.mediaType)) {
    const index = top.body as ImageIndex;
    indexDigest = top.digest;
    indexAnnotations = annotationsOf(index);
    entry = selectManifest(index, want);
    if (!entry) {
      const offered = availablePlatforms(index);
      throw new VerifyImageError(
        'unsupported',
        `${formatReference(ref)} has no ${formatPlatform(want)} image (it offers ${offered.length ? offered.join(', ') : 'no platforms'}): set the platform input to one of those`,
      );
    }
    manifest = await client.getManifest(entry.digest, entry);
    if (isIndex(manifest.mediaType)) {
      throw new VerifyImageError('unsupported', `${formatReference(ref)} nests an index inside an index for ${formatPlatform(want)}; nested indexes are not supported`);
    }
  }
  const image = manifest.body as ImageManifest;
  const { config } = await client.getConfig(image.config);
  const fromConfig = configPlatform(config);
  const platform = entry?.platform ? normalizePlatform(entry.platform) : fromConfig;
  const accepted = onlyPlatform(want).match(platform);
  if (!indexDigest && !accepted && wantFrom) {
    throw new VerifyImageError(
      'unsupported',
      `${formatReference(ref)} is a ${formatPlatform(platform)} image but ${wantFrom} is ${formatPlatform(want)}: compare builds of one platform (build the local image with --platform ${formatPlatform(platform)}, or push the ${formatPlatform(want)} build)`,
    );
  }
  if (!indexDigest && !accepted) {
    throw new VerifyImageError(
      'unsupported',
      `${formatReference(ref)} is a single-platform ${formatPlatform(platform)} image, not ${formatPlatform(want)}: set the platform input to ${formatPlatform(platform)} or verify a build for that platform`,
    );
  }
  return {
    reference: formatReference(ref),
    indexDigest,
    ...(indexAnnotations ? { indexAnnotations } : {}),
    manifestDigest: manifest.digest,
    manifestMediaType: manifest.mediaType,
    manifest: image,
    configDigest: image.config.digest,
    config,
    platform,
    configPlatform: fromConfig,
    platformFromEntry: entry?.platform !== undefined,
  };
}

/** An index's annotations when they are an object; anything else from the registry counts as none. */
function annotationsOf(index: ImageIndex): Record<string, unknown> | undefined {
  const value: unknown = index.annotations;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
