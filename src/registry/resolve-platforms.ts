// The pushed tag, every platform at once: the top-level manifest (an index, or one image), the
// image entries and attestation entries it lists, and each platform image fetched by digest.
// Multi-platform verification builds on this; resolve.ts picks one platform for everything else.

import { VerifyImageError } from '../errors.js';
import { configPlatform, normalizePlatform } from '../oci/platform.js';
import { formatReference, manifestReference, type ImageReference } from '../oci/reference.js';
import { isAttestation, isImageManifest, isIndex, type Descriptor, type Fetched, type ImageIndex, type ImageManifest } from '../oci/types.js';
import type { RemoteImage } from '../verify/rules.js';
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
  /** Set when the tag is a single image: it was already fetched to learn its platform. */
  single?: RemoteImage;
}

export async function resolveRemoteTop(client: RegistryClient, ref: ImageReference): Promise<RemoteTop> {
  const reference = formatReference(ref);
  const top = await client.getManifest(manifestReference(ref));
  if (isIndex(top.mediaType)) {
    const manifests: unknown[] = Array.isArray((top.body as ImageIndex).manifests) ? (top.body as ImageIndex).manifests : [];
    const valid = manifests.filter(isDescriptor);
    const images = valid.filter((d) => !isAttestation(d) && isImageManifest(d.mediaType) && Boolean(d.platform?.os && d.platform.architecture));
    const attestations = valid.filter((d) => isAttestation(d));
    return {
      reference,
      top,
      images,
      attestations,
      others: valid.filter((d) => !images.includes(d) && !attestations.includes(d)),
      entries: valid.filter((d) => !attestations.includes(d)),
    };
  }
  const single = await remoteImageOf(client, reference, undefined, top);
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

/** One platform's image, by the index entry that names it. */
export async function fetchPlatformImage(client: RegistryClient, remote: RemoteTop, entry: Descriptor): Promise<RemoteImage> {
  if (remote.single && remote.single.manifestDigest === entry.digest) return remote.single;
  const manifest = await client.getManifest(entry.digest, entry);
  if (isIndex(manifest.mediaType)) {
    throw new VerifyImageError('unsupported', `${remote.reference} nests an index (${entry.digest}) inside its index; nested indexes are not supported`);
  }
  return remoteImageOf(client, remote.reference, remote.top.digest, manifest, entry);
}

/** An image reached through an index entry is known by the entry's platform, as runtimes select it; its config's is kept to check against. */
async function remoteImageOf(client: RegistryClient, reference: string, indexDigest: string | undefined, fetched: Fetched<Manifest>, entry?: Descriptor): Promise<RemoteImage> {
  const manifest = fetched.body as ImageManifest;
  const { config } = await client.getConfig(manifest.config);
  const fromConfig = configPlatform(config);
  return {
    reference,
    indexDigest,
    manifestDigest: fetched.digest,
    manifestMediaType: fetched.mediaType,
    manifest,
    configDigest: manifest.config.digest,
    config,
    platform: entry?.platform ? normalizePlatform(entry.platform) : fromConfig,
    configPlatform: fromConfig,
    platformFromEntry: entry?.platform !== undefined,
  };
}

function isDescriptor(value: unknown): value is Descriptor {
  if (value === null || typeof value !== 'object') return false;
  const d = value as Descriptor;
  return typeof d.digest === 'string' && typeof d.mediaType === 'string';
}
