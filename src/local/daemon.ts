// The local build as the Docker daemon holds it: `docker inspect` through the Engine API.
// The classic store's Id is the config digest; the containerd store's Id is a manifest or index
// digest, so we ask /info which store is in use rather than guess from the Id. The containerd
// store can hold a multi-platform image: with API 1.48 (`manifests=1`) we list its platform
// manifests and attestations, with API 1.49 (`platform=`) we read each platform's diff_ids.
// Below 1.48 (Docker 25–27) inspect names only the top-level ID and one platform's layers: once the
// registry's top-level digest is known, an ID equal to it proves the index byte for byte, and the
// platforms are read from the daemon's image export (`docker save`, streamed, never extracted).

import { VerifyImageError } from '../errors.js';
import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import { isAttestation, isImageManifest, isIndex, type Descriptor, type HistoryEntry, type ImageIndex, type Platform } from '../oci/types.js';
import { apiAtLeast, DockerEngine, usesContainerdStore, type EngineImage, type EngineManifestSummary } from './engine.js';
import { loadLayout, measureLayers } from './layout.js';
import { mebibytes } from './oci.js';
import type { BlobMeasure, ImageSource, LoadHint, LocalImage, LocalIndex, LocalTarget, PushedTop } from './source.js';
import { ArchiveStore } from './stores.js';
import { scanTarStream } from './tar-scan.js';

export class DaemonSource implements ImageSource {
  readonly kind = 'daemon';
  /** The top-level image of a containerd store too old to list platforms, until complete() expands it. */
  private unexpanded?: LocalImage;
  /** The image export, when one was read: its layer blobs were hashed on the way. */
  private exported?: ArchiveStore;
  private readonly measured = new Map<string, Promise<BlobMeasure>>();

  constructor(
    readonly spec: string,
    private readonly engine: DockerEngine,
  ) {}

  async load(hint: LoadHint): Promise<LocalTarget> {
    const version = await this.engine.version();
    const containerd = usesContainerdStore(await this.engine.info());
    if (!containerd || (hint.platform && apiAtLeast(version, '1.49'))) {
      return { kind: 'image', image: await inspectDaemonImage(this.spec, this.engine, hint.platform) };
    }
    // The run picks the platform asked for out of the index.
    if (apiAtLeast(version, '1.48')) return containerdTarget(this.spec, this.engine, version);
    const image = await inspectDaemonImage(this.spec, this.engine);
    this.unexpanded = image;
    return { kind: 'image', image };
  }

  /**
   * The containerd store before API 1.48: its ID is an index or a manifest digest, we cannot tell
   * which. Equal to what the tag serves, it proves that document; a one-platform index then needs
   * nothing more (inspect described that platform). Otherwise the export holds the local index.
   */
  async complete(target: LocalTarget, pushed: () => Promise<PushedTop>): Promise<LocalTarget> {
    const top = this.unexpanded;
    this.unexpanded = undefined;
    if (!top || target.kind !== 'image' || target.image !== top) return target;
    const registry = await pushed();
    if (top.id === registry.digest) {
      if (!registry.index) {
        return { kind: 'image', image: { ...top, manifestDigest: registry.digest, manifestMediaType: registry.mediaType } };
      }
      const entries = platformEntries(registry.index);
      const only = entries.length === 1 ? entries[0] : undefined;
      if (only?.platform && samePlatform(only.platform, top.platform)) {
        return {
          kind: 'image',
          image: {
            ...top,
            manifestDigest: only.digest,
            manifestMediaType: only.mediaType,
            source: `${top.source}; its ID is the pushed index ${registry.digest}, whose one platform manifest is ${only.digest}`,
          },
        };
      }
    }
    return this.fromExport(top, registry);
  }

  private async fromExport(top: LocalImage, registry: PushedTop): Promise<LocalTarget> {
    const name = top.foundAs ?? this.spec;
    const version = await this.engine.version();
    const scan = await scanTarStream(await this.engine.exportImage(name), name, 'the Docker image export of');
    const store = new ArchiveStore(scan, `the Docker image export of ${name}`);
    this.exported = store;
    const proved = top.id === registry.digest ? `; its ID is the pushed index ${registry.digest}` : '';
    const loaded = await loadLayout(store, {}, { image: name }, {
      reference: this.spec,
      source: `Docker daemon ${this.engine.host} (containerd image store, API ${version}: platforms read from the image export, ${mebibytes(scan.bytes)} streamed${proved})`,
    });
    const exportedDigest = loaded.kind === 'index' ? loaded.index.digest : loaded.image.manifestDigest;
    if (exportedDigest !== top.id) {
      throw new VerifyImageError(
        'local',
        `the Docker daemon exported ${exportedDigest ?? 'an image without a digest'} for ${name}, but its image ID is ${top.id}: the tag moved while it was read; run again`,
      );
    }
    for (const image of loaded.kind === 'index' ? loaded.index.images : [loaded.image]) {
      image.repoDigests = top.repoDigests;
      if (top.foundAs) image.foundAs = top.foundAs;
    }
    // One image: the containerd store's ID is its manifest digest (the export gave config and layers too).
    if (loaded.kind === 'image') loaded.image = { ...loaded.image, id: top.id, idKind: 'manifest' };
    return loaded;
  }

  /** The daemon's blobs can be read only through an export; when one was read, its layers were hashed. */
  async measure(image: LocalImage): Promise<void> {
    if (this.exported) await measureLayers(image, this.exported, this.measured);
  }

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
  const { image, foundAs } = await findImage(name, engine, query);
  const diffIds = image.RootFS?.Layers ?? [];
  if (diffIds.length === 0) {
    throw new VerifyImageError('local', `local image "${name}" reports no layers (RootFS.Layers is empty); the daemon cannot tell what it is built from`);
  }
  const localPlatform = platformOf(image);
  const local: LocalImage = {
    reference: name,
    source: `Docker daemon ${engine.host} (${containerd ? 'containerd image store' : 'classic image store'}, API ${version}, platform ${formatPlatform(localPlatform)})${foundAs ? foundAsNote(name, foundAs) : ''}`,
    id: image.Id,
    idKind: containerd ? 'manifest' : 'config',
    diffIds,
    platform: localPlatform,
    repoDigests: image.RepoDigests ?? [],
  };
  if (foundAs) local.foundAs = foundAs;
  if (image.Created) local.created = image.Created;
  // The classic store keeps no config we can read: its history names each local layer's instruction (the report only).
  if (!containerd) {
    const history = await daemonHistory(engine, image.Id, diffIds.length);
    if (history) local.history = history;
  }
  if (containerd && image.Descriptor && isImageManifest(image.Descriptor.mediaType)) {
    local.manifestDigest = image.Descriptor.digest;
    local.manifestMediaType = image.Descriptor.mediaType;
  }
  if (!containerd) local.configDigest = image.Id;
  return local;
}

/**
 * The image's build history from the daemon, oldest first, as config history entries; undefined
 * when the daemon gives none or its entries cannot be paired with the layers (the API marks no
 * entry as empty: an entry with no bytes is taken as one, so the layered entries must count
 * exactly the diff_ids). Informational: a daemon that cannot answer costs nothing but the names.
 */
async function daemonHistory(engine: DockerEngine, id: string, layers: number): Promise<HistoryEntry[] | undefined> {
  const entries = await engine.imageHistory(id).catch(() => undefined);
  if (!Array.isArray(entries)) return undefined;
  const history = [...entries].reverse().map(
    (entry): HistoryEntry => ({
      ...(typeof entry.Created === 'number' && entry.Created > 0 ? { created: new Date(entry.Created * 1000).toISOString() } : {}),
      ...(typeof entry.CreatedBy === 'string' ? { created_by: entry.CreatedBy } : {}),
      ...(entry.Size ? {} : { empty_layer: true }),
    }),
  );
  return history.filter((h) => !h.empty_layer).length === layers ? history : undefined;
}

/**
 * `GET /images/{name}/json`, and for `name:tag@digest` that the daemon does not know, `name:tag`:
 * podman's API names an image by the manifest digest podman computed before pushing, not by what
 * the registry stored, so the pushed digest finds nothing there. The digest is still checked, on the
 * registry side, as for any reference.
 */
async function findImage(name: string, engine: DockerEngine, query: Record<string, string>): Promise<{ image: EngineImage; foundAs?: string }> {
  const image = await engine.inspectImage(name, query);
  if (image) return { image };
  const tagged = taggedName(name);
  const fallback = tagged ? await engine.inspectImage(tagged, query) : undefined;
  if (fallback && tagged) return { image: fallback, foundAs: tagged };
  throw notFound(name, engine);
}

/** `repo:tag` out of `repo:tag@sha256:…`; undefined when the name has no tag before its digest. */
export function taggedName(name: string): string | undefined {
  const at = name.lastIndexOf('@');
  if (at <= 0) return undefined;
  const before = name.slice(0, at);
  const colon = before.lastIndexOf(':');
  return colon > before.lastIndexOf('/') ? before : undefined;
}

function foundAsNote(name: string, foundAs: string): string {
  return `; found as ${foundAs}, as no image is named ${name} there`;
}

/** The containerd store's view: an index with its platform images and attestations, or one image. */
async function containerdTarget(name: string, engine: DockerEngine, version: string): Promise<LocalTarget> {
  const { image: top, foundAs } = await findImage(name, engine, { manifests: '1' });
  const lookup = foundAs ?? name;
  const summaries = top.Manifests ?? [];
  const platformImages = summaries.filter((m) => m.Kind === 'image');
  if (!top.Descriptor || !isIndex(top.Descriptor.mediaType) || platformImages.length === 0) {
    return { kind: 'image', image: await inspectDaemonImage(name, engine) };
  }
  const withPlatform = apiAtLeast(version, '1.49');
  const best = platformOf(top);
  const source = `Docker daemon ${engine.host} (containerd image store, API ${version}, ${platformImages.length} platform${platformImages.length === 1 ? '' : 's'})${foundAs ? foundAsNote(name, foundAs) : ''}`;
  const images: LocalImage[] = [];
  for (const summary of platformImages) {
    const platform = normalizePlatform(summary.ImageData?.Platform ?? summary.Descriptor.platform ?? best);
    let diffIds: string[] | undefined;
    if (summary.Available && withPlatform) {
      const one = await engine.inspectImage(lookup, { platform: JSON.stringify(platform) });
      // The daemon picks by platform; trust its diff_ids only for the manifest we listed.
      if (one?.Id === summary.ID && one.RootFS?.Layers?.length) diffIds = one.RootFS.Layers;
    } else if (summary.Available && samePlatform(platform, best) && top.RootFS?.Layers?.length) {
      // API 1.48 cannot ask per platform, but the top-level inspect describes the best-matching one.
      diffIds = top.RootFS.Layers;
    }
    const image = platformImage(name, source, summary, platform, diffIds, top.RepoDigests ?? []);
    if (foundAs) image.foundAs = foundAs;
    images.push(image);
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

/** The index's platform images, as runtimes choose among them (attestations are not images to run). */
function platformEntries(index: ImageIndex): Descriptor[] {
  const manifests: unknown[] = Array.isArray(index.manifests) ? index.manifests : [];
  return manifests.filter(
    (d): d is Descriptor =>
      d !== null && typeof d === 'object' && isImageManifest((d as Descriptor).mediaType) && !isAttestation(d as Descriptor) && Boolean((d as Descriptor).platform?.os && (d as Descriptor).platform?.architecture),
  );
}

function samePlatform(a: Platform, b: Platform): boolean {
  return formatPlatform(normalizePlatform(a)) === formatPlatform(normalizePlatform(b));
}

function notFound(name: string, engine: DockerEngine): VerifyImageError {
  return new VerifyImageError(
    'not-found',
    (w) =>
      `local image "${name}" not found in the Docker daemon at ${engine.host}: build or load it first${w.cli ? '' : ' (build-push-action needs load: true)'}, set ${w.name('local-image')} to the local tag, use docker-archive:, oci-layout: or oci-archive: for a build that was exported, or set ${w.setting('local-image', 'none')}`,
  );
}
