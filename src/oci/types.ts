// Spec types shared by the registry client, the local sources and the verifier.
// Shapes follow the OCI image spec and Docker's schema2; only the fields we use are typed,
// the rest stays reachable through the index signatures so nothing is lost when we report.

export const MediaType = {
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  DockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  InToto: 'application/vnd.in-toto+json',
} as const;

/** What we send as Accept for manifests: every list and image type we understand, never schema1. */
export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
].join(', ');

export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([MediaType.OciIndex, MediaType.DockerManifestList]);
export const IMAGE_MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([MediaType.OciManifest, MediaType.DockerManifest]);
export const SCHEMA1_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaType.DockerSchema1,
  MediaType.DockerSchema1Signed,
  'application/json', // schema1 registries sometimes answer plain JSON
]);

export type Digest = `sha256:${string}` | `${string}:${string}`;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  created?: string;
  author?: string;
  config?: {
    Labels?: Record<string, string> | null;
    [key: string]: unknown;
  };
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

/** A manifest as fetched: the parsed body plus the exact bytes' digest and the media type it was served as. */
export interface Fetched<T> {
  digest: string;
  mediaType: string;
  size: number;
  body: T;
  bytes: Buffer;
}

export function isIndex(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.has(mediaType);
}

export function isImageManifest(mediaType: string): boolean {
  return IMAGE_MANIFEST_MEDIA_TYPES.has(mediaType);
}

/**
 * BuildKit stores attestations as index entries with platform unknown/unknown and a reference-type
 * annotation. Only the platform counts: Docker and containerd pick from an index by platform and
 * ignore annotations, so an entry annotated as an attestation but carrying a real platform is an
 * image a runtime will pull, and must be verified like one. So is an entry with no platform at
 * all: containerd keeps it as a match for any platform (sorted last), so a host whose platform
 * the index does not list falls back to it.
 */
export function isAttestation(d: Descriptor): boolean {
  return d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown';
}
