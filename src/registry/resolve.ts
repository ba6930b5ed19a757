// Owns: what a tag serves, read once from the top — an index with its image, attestation and
// other entries, or a single image — and each platform image fetched by the digest its entry
// names, built into the one image view (model/image.ts). Which entry a runtime pulls for a
// platform is containerd's choice (platforms.Only: the best match, first among equals), made
// here once for the run's pairs (verify/pairing.ts) and for base lookups alike.

import { VerifyImageError } from '../errors.js';
import { remoteImage, type RemoteImage } from '../model/image.js';
import { availablePlatforms, formatPlatform, onlyPlatform, selectManifest } from '../oci/platform.js';
import { formatReference, manifestReference, type ImageReference } from '../oci/reference.js';
import { isAttestation, isImageManifest, isIndex, type Descriptor, type Fetched, type ImageIndex, type ImageManifest, type Platform } from '../oci/types.js';
import type { Manifest, RegistryClient } from './client.js';

export interface RemoteTop {
  reference: string;
  /** What the tag points at: an index or a single image manifest. */
  top: Fetched<Manifest>;
  /** Image entries with a platform; for a single image, one entry made from its config. */
  images: Descriptor[];
  attestations: Descriptor[];
  /** Index entries that are neither a platform image nor an attestation (no platform, a nested index, an artifact). */
  others: Descriptor[];
  /** Every entry but attestations, in index order: what a runtime chooses from by platform. */
  entries: Descriptor[];
  /** The index's own annotations (registry-controlled), when the tag is an index: base detection reads them. */
  annotations?: Record<string, unknown>;
  /** Set when the tag is a single image: it was already fetched to learn its platform. */
  single?: RemoteImage;
}

export async function resolveRemoteTop(client: RegistryClient, ref: ImageReference): Promise<RemoteTop> {
  const reference = formatReference(ref);
  const top = await client.getManifest(manifestReference(ref));
  if (isIndex(top.mediaType)) {
    const index = top.body as ImageIndex;
    return { reference, top, ...indexEntries(index), ...annotationsOf(index) };
  }
  const single = await imageOf(client, reference, undefined, top);
  return {
    reference,
    top,
    images: [{ mediaType: top.mediaType, digest: top.digest, size: top.size, platform: single.platform }],
    attestations: [],
    others: [],
    entries: [],
    single,
  };
}

/** An index's entries by what they are to a runtime; malformed entries from the network are skipped. */
export function indexEntries(index: ImageIndex): Pick<RemoteTop, 'images' | 'attestations' | 'others' | 'entries'> {
  const manifests: unknown[] = Array.isArray(index.manifests) ? index.manifests : [];
  const valid = manifests.filter(isDescriptor);
  const images = valid.filter((d) => !isAttestation(d) && isImageManifest(d.mediaType) && Boolean(d.platform?.os && d.platform.architecture));
  const attestations = valid.filter((d) => isAttestation(d));
  return {
    images,
    attestations,
    others: valid.filter((d) => !images.includes(d) && !attestations.includes(d)),
    entries: valid.filter((d) => !attestations.includes(d)),
  };
}

/** One platform's image, by the index entry that names it (or the single image itself). */
export async function fetchPlatformImage(client: RegistryClient, remote: RemoteTop, entry: Descriptor): Promise<RemoteImage> {
  if (remote.single && remote.single.manifestDigest === entry.digest) return remote.single;
  const manifest = await client.getManifest(entry.digest, entry);
  if (isIndex(manifest.mediaType)) {
    throw new VerifyImageError('unsupported', `${remote.reference} nests an index (${entry.digest}) inside its index; nested indexes are not supported`);
  }
  return imageOf(client, remote.reference, remote, manifest, entry);
}

/**
 * The entry a runtime pulls for `want`: containerd's matcher over every entry but attestations
 * (nested indexes and unknown media types included, as containerd sees them). No entry, a nested
 * index, or a single image of another platform is an error that says what to do.
 * @param wantFrom where `want` came from, for messages: `the local build …` when it is the local
 *   image's platform (then a single-platform image of another platform is a platform mismatch).
 */
export function chooseEntry(remote: RemoteTop, want: Platform, wantFrom?: string): Descriptor {
  if (remote.single) {
    const platform = remote.single.platform;
    if (onlyPlatform(want).match(platform)) return remote.images[0] as Descriptor;
    throw new VerifyImageError(
      'unsupported',
      wantFrom
        ? `${remote.reference} is a ${formatPlatform(platform)} image but ${wantFrom} is ${formatPlatform(want)}: compare builds of one platform (build the local image with --platform ${formatPlatform(platform)}, or push the ${formatPlatform(want)} build)`
        : (w) => `${remote.reference} is a single-platform ${formatPlatform(platform)} image, not ${formatPlatform(want)}: set ${w.phrase('platform')} to ${formatPlatform(platform)} or verify a build for that platform`,
    );
  }
  const index = remote.top.body as ImageIndex;
  const entry = selectManifest(index, want);
  if (!entry) {
    const offered = availablePlatforms(index);
    throw new VerifyImageError(
      'unsupported',
      (w) => `${remote.reference} has no ${formatPlatform(want)} image (it offers ${offered.length ? offered.join(', ') : 'no platforms'}): set ${w.phrase('platform')} to one of those`,
    );
  }
  if (isIndex(entry.mediaType)) {
    throw new VerifyImageError('unsupported', `${remote.reference} nests an index inside an index for ${formatPlatform(want)}; nested indexes are not supported`);
  }
  return entry;
}

/** The image behind a reference for one platform: index → platform manifest → config (base lookups). */
export async function resolveRemoteImage(client: RegistryClient, ref: ImageReference, want: Platform): Promise<RemoteImage> {
  const remote = await resolveRemoteTop(client, ref);
  return fetchPlatformImage(client, remote, chooseEntry(remote, want));
}

/** An image reached through an index entry is known by the entry's platform, as runtimes select it; its config's is kept to check against. */
async function imageOf(client: RegistryClient, reference: string, index: RemoteTop | undefined, fetched: Fetched<Manifest>, entry?: Descriptor): Promise<RemoteImage> {
  const manifest = fetched.body as ImageManifest;
  const { config } = await client.getConfig(manifest.config);
  return remoteImage({
    reference,
    indexDigest: index?.top.digest,
    indexAnnotations: index?.annotations,
    manifest: { digest: fetched.digest, mediaType: fetched.mediaType, body: manifest },
    config,
    entry,
  });
}

/** An index's annotations when they are an object; anything else from the registry counts as none. */
function annotationsOf(index: ImageIndex): { annotations?: Record<string, unknown> } {
  const value: unknown = index.annotations;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? { annotations: value as Record<string, unknown> } : {};
}

function isDescriptor(value: unknown): value is Descriptor {
  if (value === null || typeof value !== 'object') return false;
  const d = value as Descriptor;
  return typeof d.digest === 'string' && typeof d.mediaType === 'string';
}
