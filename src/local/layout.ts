// OCI image layouts (image-spec `image-layout.md`): `oci-layout`, `index.json` and
// `blobs/<alg>/<hex>`, wherever they are stored — a directory (`oci-layout:`), a tarball
// (`oci-archive:`, buildx `--output type=oci`) or the layout Docker 25+ writes inside `docker save`.
// Storage is behind BlobStore; this module only reads the layout's JSON and picks the image.
// Every manifest, index and config is hashed and checked against the digest that names it.

import { VerifyImageError } from '../errors.js';
import { imageConfigProblem, platformView } from '../model/image.js';
import { manifestDescriptorProblem } from '../oci/descriptor.js';
import { normalizePlatform, formatPlatform } from '../oci/platform.js';
import { decodeDocument, type DocumentKind } from '../oci/strict-json.js';
import { formatReference, isValidDigest, parseReference } from '../oci/reference.js';
import { isAttestation, isImageManifest, isIndex, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest } from '../oci/types.js';
import type { BlobMeasure, LoadHint, LocalAttestation, LocalImage, LocalTarget } from './source.js';

export const LAYOUT_MANIFEST_CAP = 4 * 1024 * 1024;
export const LAYOUT_CONFIG_CAP = 8 * 1024 * 1024;
const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';
const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

/** Where a layout's files live. */
export interface BlobStore {
  /** For messages: `OCI layout /work/out`. */
  readonly what: string;
  /** A file at the layout's root (`index.json`, `oci-layout`), undefined when absent. */
  rootFile(name: string): Promise<Buffer | undefined>;
  /** Whether the blob is in the layout at all (a multi-platform export may hold only some platforms). */
  hasBlob(digest: string): Promise<boolean>;
  /** A manifest, index or config blob, checked against its descriptor's digest and size. */
  jsonBlob(descriptor: Descriptor, cap: number): Promise<Buffer>;
  /** Reads a layer blob once: its digest and size, and the digest of its uncompressed bytes. */
  measureBlob(descriptor: Descriptor): Promise<BlobMeasure>;
}

/** `:TAG` / `@DIGEST` after a layout path; for docker-archive, `:REF`. */
export interface LayoutSelector {
  name?: string;
  digest?: string;
}

export interface LayoutContext {
  reference: string;
  source: string;
}

/** `blobs/sha256/<hex>`: only sha256, only valid digests, so a descriptor can never name a path outside the layout. */
export function blobPath(digest: string, what: string): string {
  if (!isValidDigest(digest) || !digest.startsWith('sha256:')) {
    throw new VerifyImageError('local', `${what} names a blob "${digest.slice(0, 80)}" that is not a sha256 digest; only sha256 layouts are supported`);
  }
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

export async function loadLayout(store: BlobStore, selector: LayoutSelector, hint: LoadHint, context: LayoutContext): Promise<LocalTarget> {
  const indexBytes = await store.rootFile('index.json');
  if (!indexBytes) {
    throw new VerifyImageError('local', `${store.what} has no index.json: it is not an OCI image layout (buildx --output type=oci, skopeo copy … oci:DIR)`);
  }
  const index = parseJson<ImageIndex>(indexBytes, `${store.what}: index.json`);
  if (!Array.isArray(index.manifests)) throw new VerifyImageError('local', `${store.what}: index.json has no manifests list`);
  checkDescriptors(index, `${store.what}: index.json`);
  const entries = index.manifests.filter(isDescriptor);
  if (entries.length === 0) throw new VerifyImageError('local', `${store.what}: index.json lists no images`);

  const chosen = await choose(store, entries, selector, hint);
  if (Array.isArray(chosen)) return { kind: 'index', index: await indexOf(store, chosen, undefined, undefined, context) };
  if (isIndex(chosen.mediaType)) {
    const nested = parseJson<ImageIndex>(await store.jsonBlob(chosen, LAYOUT_MANIFEST_CAP), `${store.what}: index ${chosen.digest}`);
    if (!Array.isArray(nested.manifests)) throw new VerifyImageError('local', `${store.what}: index ${chosen.digest} has no manifests list`);
    checkDescriptors(nested, `${store.what}: index ${chosen.digest}`);
    return { kind: 'index', index: await indexOf(store, nested.manifests.filter(isDescriptor), chosen.digest, chosen.mediaType, context) };
  }
  return { kind: 'image', image: await imageOf(store, chosen, context) };
}

/** The image manifest, the index, or (when index.json itself lists the platforms) the entries to treat as an index. */
async function choose(store: BlobStore, all: Descriptor[], selector: LayoutSelector, hint: LoadHint): Promise<Descriptor | Descriptor[]> {
  // Names are matched on every entry; Docker writes one entry per tag of the same manifest.
  const entries = dedupe(all);
  const names = () => describeEntries(all);
  if (selector.digest) {
    const direct = entries.find((e) => e.digest === selector.digest);
    if (direct) return direct;
    // A platform manifest inside a (nested) index can be picked by its digest too.
    for (const entry of entries.filter((e) => isIndex(e.mediaType))) {
      const nested = parseJson<ImageIndex>(await store.jsonBlob(entry, LAYOUT_MANIFEST_CAP), `${store.what}: index ${entry.digest}`);
      checkDescriptors(nested, `${store.what}: index ${entry.digest}`);
      const inner = (Array.isArray(nested.manifests) ? nested.manifests : []).find((m) => isDescriptor(m) && m.digest === selector.digest);
      if (inner) return inner;
    }
    throw new VerifyImageError('local', `${store.what} has no manifest or index ${selector.digest} (it holds ${names()}): check the digest after "@"`);
  }
  if (selector.name !== undefined) {
    const wanted = selector.name;
    const matching = dedupe(all.filter((e) => entryNames(e).some((n) => sameName(n, wanted))));
    if (matching.length === 1) return matching[0] as Descriptor;
    if (matching.length > 1 && matching.every(isPlatformImage)) return matching;
    if (matching.length > 1) throw new VerifyImageError('local', `${store.what} has ${matching.length} different images named "${wanted}": pick one with @DIGEST`);
    throw new VerifyImageError('local', `${store.what} has no image named "${wanted}" (it holds ${names()}): check the name after ":"`);
  }
  if (entries.length === 1) return entries[0] as Descriptor;
  if (hint.image) {
    const pushed = hint.image;
    const matching = dedupe(all.filter((e) => entryNames(e).some((n) => sameName(n, pushed))));
    if (matching.length === 1) return matching[0] as Descriptor;
  }
  if (entries.every(isPlatformImage) && new Set(entries.map((e) => formatPlatform(normalizePlatform(e.platform!)))).size === entries.length) {
    return entries;
  }
  throw new VerifyImageError('local', `${store.what} holds ${entries.length} images (${names()}): pick one by appending :TAG or @DIGEST to the path`);
}

async function indexOf(
  store: BlobStore,
  manifests: Descriptor[],
  digest: string | undefined,
  mediaType: string | undefined,
  context: LayoutContext,
): Promise<{ reference: string; source: string; digest?: string; mediaType?: string; images: LocalImage[]; attestations: LocalAttestation[] }> {
  const images: LocalImage[] = [];
  const attestations: LocalAttestation[] = [];
  for (const entry of manifests) {
    if (isAttestation(entry)) {
      attestations.push({ digest: entry.digest, subject: entry.annotations?.[REFERENCE_DIGEST] ?? '' });
      continue;
    }
    if (isIndex(entry.mediaType)) {
      throw new VerifyImageError('unsupported', `${store.what}: index ${digest ?? 'index.json'} nests another index (${entry.digest}); nested indexes are not supported`);
    }
    // Unknown media types in an index are not an error (image-spec); they are not images either.
    if (!isImageManifest(entry.mediaType)) continue;
    images.push((await store.hasBlob(entry.digest)) ? await imageOf(store, entry, context) : absentImage(entry, context));
  }
  if (images.length === 0) throw new VerifyImageError('local', `${store.what}: index ${digest ?? 'index.json'} lists no image manifests`);
  return { reference: context.reference, source: context.source, digest, mediaType, images, attestations };
}

async function imageOf(store: BlobStore, descriptor: Descriptor, context: LayoutContext): Promise<LocalImage> {
  if (!isImageManifest(descriptor.mediaType)) {
    throw new VerifyImageError('unsupported', `${store.what}: ${descriptor.digest} has media type ${descriptor.mediaType}, which is neither an image manifest nor an index`);
  }
  const what = `${store.what}: manifest ${descriptor.digest}`;
  const manifest = parseJson<ImageManifest>(await store.jsonBlob(descriptor, LAYOUT_MANIFEST_CAP), what);
  if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
    throw new VerifyImageError('local', `${what} is not a schemaVersion 2 image manifest with a config and layers`);
  }
  checkDescriptors(manifest, what);
  const configBytes = await store.jsonBlob(manifest.config, LAYOUT_CONFIG_CAP);
  const config = parseJson<ImageConfig>(configBytes, `${store.what}: config ${manifest.config.digest}`, 'config');
  const problem = imageConfigProblem(config);
  if (problem?.kind === 'not-image') throw new VerifyImageError('local', `${store.what}: config ${manifest.config.digest} ${problem.message}`);
  if (problem) throw new VerifyImageError('local', `${store.what}: config ${manifest.config.digest}: ${problem.message}: the layout is damaged`);
  // An index entry's platform is the platform, as on the registry side: runtimes select by it.
  // The config's is kept beside it and checked against it (rules.ts).
  return {
    reference: context.reference,
    source: context.source,
    id: manifest.config.digest,
    idKind: 'config',
    diffIds: config.rootfs.diff_ids,
    ...platformView(config, descriptor),
    repoDigests: [],
    manifestDigest: descriptor.digest,
    manifestMediaType: manifest.mediaType ?? descriptor.mediaType,
    manifest,
    configDigest: manifest.config.digest,
    config,
    layers: manifest.layers.map((layer) => ({ descriptor: layer, path: blobPath(layer.digest, store.what), claimed: true })),
  };
}

/**
 * An index entry whose manifest is not in the layout (e.g. `docker save` of a multi-platform image
 * with one platform pulled): known by its digest only, which still pins config and layers.
 */
function absentImage(entry: Descriptor, context: LayoutContext): LocalImage {
  return {
    reference: context.reference,
    source: `${context.source}; the ${entry.platform ? formatPlatform(normalizePlatform(entry.platform)) : entry.digest} manifest is not in it, only its digest`,
    id: entry.digest,
    idKind: 'manifest',
    diffIds: [],
    diffIdsUnknown: true,
    platform: normalizePlatform(entry.platform ?? { os: 'unknown', architecture: 'unknown' }),
    repoDigests: [],
    manifestDigest: entry.digest,
    manifestMediaType: entry.mediaType,
  };
}

/** Measures every layer blob not yet measured, a few at a time; a blob shared by two images is read once. */
export async function measureLayers(image: LocalImage, store: BlobStore, cache: Map<string, Promise<BlobMeasure>>, concurrency = 2): Promise<void> {
  const layers = (image.layers ?? []).filter((l) => !l.measured);
  let next = 0;
  const worker = async () => {
    while (next < layers.length) {
      const layer = layers[next++]!;
      let measured = cache.get(layer.descriptor.digest);
      if (!measured) {
        measured = store.measureBlob(layer.descriptor);
        cache.set(layer.descriptor.digest, measured);
      }
      layer.measured = await measured;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, layers.length) }, worker));
}

/**
 * A layout's or archive's JSON document, read as Docker reads it (strict-json.ts): a document Go
 * would read differently is refused like a damaged one. `kind` picks the fields Docker knows.
 */
export function parseJson<T>(bytes: Buffer, what: string, kind: DocumentKind = 'manifest'): T {
  const value = decodeDocument<unknown>(bytes, kind, what, 'local');
  if (value === null || typeof value !== 'object') {
    throw new VerifyImageError('local', `${what} is not a JSON object or list: the layout or archive is damaged`);
  }
  return value as T;
}

/** Every descriptor of a local manifest or index, as the image spec defines them. */
function checkDescriptors(body: ImageManifest | ImageIndex, what: string): void {
  const problem = manifestDescriptorProblem(body);
  if (problem) throw new VerifyImageError('local', `${what}: ${problem}: the layout is damaged or was altered; export it again`);
}

/** Names an index.json entry is known by: its ref name (a tag, as skopeo and Docker write it) and containerd's full image name. */
export function entryNames(entry: Descriptor): string[] {
  return [entry.annotations?.[REF_NAME], entry.annotations?.[CONTAINERD_NAME]].filter((n): n is string => Boolean(n));
}

/**
 * Do two image names mean the same image? Equal as written, equal once normalised
 * (`app:1` is `docker.io/library/app:1`), or a bare tag equal to the full name's tag.
 */
export function sameName(known: string, wanted: string): boolean {
  if (known === wanted) return true;
  const a = tryParse(known);
  const b = tryParse(wanted);
  if (a && b) return formatReference({ ...a, digest: undefined }) === formatReference({ ...b, digest: undefined });
  return Boolean(a && !b && a.tag === wanted);
}

function tryParse(name: string): ReturnType<typeof parseReference> | undefined {
  // A bare tag like "v1" parses as the repository docker.io/library/v1: only names with a repository part count.
  if (!name.includes(':') && !name.includes('/')) return undefined;
  try {
    return parseReference(name);
  } catch {
    return undefined;
  }
}

function describeEntries(entries: Descriptor[]): string {
  return entries
    .map((e) => {
      const names = entryNames(e);
      const platform = e.platform ? ` ${formatPlatform(normalizePlatform(e.platform))}` : '';
      return `${names[0] ?? e.digest.slice(0, 19)}${platform}`;
    })
    .join(', ');
}

function isDescriptor(value: unknown): value is Descriptor {
  if (value === null || typeof value !== 'object') return false;
  const d = value as Descriptor;
  return typeof d.digest === 'string' && typeof d.mediaType === 'string';
}

function isPlatformImage(entry: Descriptor): boolean {
  return isImageManifest(entry.mediaType) && !isAttestation(entry) && Boolean(entry.platform?.os && entry.platform.architecture);
}

/** Docker writes one index.json entry per tag of the same manifest; they are one image. */
function dedupe(entries: Descriptor[]): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  for (const entry of entries) if (!seen.has(entry.digest)) seen.set(entry.digest, entry);
  return [...seen.values()];
}
