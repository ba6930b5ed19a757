// The local build as the Docker daemon holds it: `docker inspect` through the Engine API.
// The classic store's Id is the config digest; the containerd store's Id is a manifest or index
// digest, so we ask /info which store is in use rather than guess from the Id. The containerd
// store can hold a multi-platform image: with API 1.48 (`manifests=1`) we list its platform
// manifests and attestations, with API 1.49 (`platform=`) we read each platform's diff_ids.

import { VerifyImageError } from '../errors.js';
import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import { isImageManifest, isIndex, type Platform } from '../oci/types.js';
import { apiAtLeast, DockerEngine, usesContainerdStore, type EngineImage, type EngineManifestSummary } from './engine.js';
import type { ImageSource, LoadHint, LocalImage, LocalIndex, LocalTarget } from './source.js';

export class DaemonSource implements ImageSource {
  readonly kind = 'daemon';

  constructor(
    readonly spec: string,
    private readonly engine: DockerEngine,
  ) {}

  async load(hint: LoadHint): Promise<LocalTarget> {
    const version = await this.engine.version();
    const containerd = usesContainerdStore(await this.engine.info());
    // One platform asked for, a classic store, or an API too old to list manifests: one image.
    if (!containerd || hint.platform || !apiAtLeast(version, '1.48')) {
      return { kind: 'image', image: await inspectDaemonImage(this.spec, this.engine, hint.platform) };
    }
    return containerdTarget(this.spec, this.engine, version);
  }

  /** The daemon keeps no blobs we can read through the API; its diff_ids are what it reports. */
  async measure(): Promise<void> {}

  close(): Promise<void> {
    return this.engine.close();
  }
}

export async function inspectDaemonImage(name: string, engine: DockerEngine, platform?: Platform): Promise<LocalImage> {
  const version = await engine.version();
  const containerd = usesContainerdStore(await engine.info());
  const query: Record<string, string> = {};
  // Only the containerd store holds several platforms under one name; ask for ours when the API can.
  if (containerd && platform && apiAtLeast(version, '1.49')) {
    query.platform = JSON.stringify(normalizePlatform(platform));
  }
  const image = await engine.inspectImage(name, query);
  if (!image) throw notFound(name, engine);
  const diffIds = image.RootFS?.Layers ?? [];
  if (diffIds.length === 0) {
    throw new VerifyImageError('local', `local image "${name}" reports no layers (RootFS.Layers is empty); the daemon cannot tell what it is built from`);
  }
  const localPlatform = platformOf(image);
  const local: LocalImage = {
    reference: name,
    source: `Docker daemon ${engine.host} (${containerd ? 'containerd image store' : 'classic image store'}, API ${version}, platform ${formatPlatform(localPlatform)})`,
    id: image.Id,
    idKind: containerd ? 'manifest' : 'config',
    diffIds,
    platform: localPlatform,
    repoDigests: image.RepoDigests ?? [],
  };
  if (containerd && image.Descriptor && isImageManifest(image.Descriptor.mediaType)) {
    local.manifestDigest = image.Descriptor.digest;
    local.manifestMediaType = image.Descriptor.mediaType;
  }
  if (!containerd) local.configDigest = image.Id;
  return local;
}

/** The containerd store's view: an index with its platform images and attestations, or one image. */
async function containerdTarget(name: string, engine: DockerEngine, version: string): Promise<LocalTarget> {
  const top = await engine.inspectImage(name, { manifests: '1' });
  if (!top) throw notFound(name, engine);
  const summaries = top.Manifests ?? [];
  const platformImages = summaries.filter((m) => m.Kind === 'image');
  if (!top.Descriptor || !isIndex(top.Descriptor.mediaType) || platformImages.length === 0) {
    return { kind: 'image', image: await inspectDaemonImage(name, engine) };
  }
  const withPlatform = apiAtLeast(version, '1.49');
  const best = platformOf(top);
  const source = `Docker daemon ${engine.host} (containerd image store, API ${version}, ${platformImages.length} platform${platformImages.length === 1 ? '' : 's'})`;
  const images: LocalImage[] = [];
  for (const summary of platformImages) {
    const platform = normalizePlatform(summary.ImageData?.Platform ?? summary.Descriptor.platform ?? best);
    let diffIds: string[] | undefined;
    if (summary.Available && withPlatform) {
      const one = await engine.inspectImage(name, { platform: JSON.stringify(platform) });
      // The daemon picks by platform; trust its diff_ids only for the manifest we listed.
      if (one?.Id === summary.ID && one.RootFS?.Layers?.length) diffIds = one.RootFS.Layers;
    } else if (summary.Available && samePlatform(platform, best) && top.RootFS?.Layers?.length) {
      // API 1.48 cannot ask per platform, but the top-level inspect describes the best-matching one.
      diffIds = top.RootFS.Layers;
    }
    images.push(platformImage(name, source, summary, platform, diffIds, top.RepoDigests ?? []));
  }
  const index: LocalIndex = {
    reference: name,
    source,
    digest: top.Descriptor.digest,
    mediaType: top.Descriptor.mediaType,
    images,
    attestations: summaries
      .filter((m) => m.Kind === 'attestation')
      .map((m) => ({ digest: m.ID, subject: m.AttestationData?.For ?? '' })),
  };
  return { kind: 'index', index };
}

function platformImage(
  name: string,
  source: string,
  summary: EngineManifestSummary,
  platform: Platform,
  diffIds: string[] | undefined,
  repoDigests: string[],
): LocalImage {
  const image: LocalImage = {
    reference: name,
    source,
    id: summary.ID,
    idKind: 'manifest',
    diffIds: diffIds ?? [],
    platform,
    repoDigests,
    manifestDigest: summary.Descriptor.digest,
    manifestMediaType: summary.Descriptor.mediaType,
  };
  if (!diffIds) image.diffIdsUnknown = true;
  return image;
}

function platformOf(image: EngineImage): Platform {
  return normalizePlatform({ os: image.Os, architecture: image.Architecture, variant: image.Variant || undefined });
}

function samePlatform(a: Platform, b: Platform): boolean {
  return formatPlatform(normalizePlatform(a)) === formatPlatform(normalizePlatform(b));
}

function notFound(name: string, engine: DockerEngine): VerifyImageError {
  return new VerifyImageError(
    'not-found',
    `local image "${name}" not found in the Docker daemon at ${engine.host}: build or load it first (build-push-action needs load: true), set local-image to the local tag, use docker-archive:, oci-layout: or oci-archive: for a build that was exported, or set local-image: none`,
  );
}
