// What a layer's media type says about how to read it: the compression it claims, and whether it
// is a foreign (non-distributable) layer that registries are not expected to serve. Pure. The one
// place that maps layer media types to compressions and back, for deep verification (which picks
// its decoder by the manifest's claim) and the local sources (which check the claim against the
// bytes, and name a legacy `docker save` layer by what its bytes are).

import { MediaType } from '../oci/types.js';
import type { Compression } from './compression.js';

export type LayerKind =
  | { readable: true; compression: Compression; foreign: false }
  | { readable: false; reason: 'foreign' | 'unknown-media-type'; foreign: boolean };

/** Docker's uncompressed schema2 layer type; containers/image writes it for `--dest-decompress`. */
export const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

/** The layer types this action downloads and proves. */
const READABLE: ReadonlySet<string> = new Set([
  MediaType.DockerLayerGzip,
  MediaType.DockerLayerZstd,
  DOCKER_LAYER_TAR,
  MediaType.OciLayer,
  MediaType.OciLayerGzip,
  MediaType.OciLayerZstd,
]);

const FOREIGN: ReadonlySet<string> = new Set([
  MediaType.DockerForeignLayerGzip,
  MediaType.OciLayerNondistributable,
  MediaType.OciLayerNondistributableGzip,
  MediaType.OciLayerNondistributableZstd,
]);

export function layerKind(mediaType: string): LayerKind {
  const type = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (FOREIGN.has(type)) return { readable: false, reason: 'foreign', foreign: true };
  const compression = READABLE.has(type) ? compressionOfMediaType(type) : undefined;
  if (compression) return { readable: true, compression, foreign: false };
  return { readable: false, reason: 'unknown-media-type', foreign: false };
}

/**
 * The compression a media type names by its ending (`+gzip`, `.tar.gzip`, `+zstd`, `.tar`),
 * whether or not it is a layer type we read: what the local sources hold the bytes to.
 */
export function compressionOfMediaType(mediaType: string): Compression | undefined {
  if (/\+gzip$|\.tar\.gzip$|\.gzip$/.test(mediaType)) return 'gzip';
  if (/\+zstd$|\.tar\.zstd$|\.zstd$/.test(mediaType)) return 'zstd';
  if (/\.tar$|rootfs\.diff\.tar$/.test(mediaType)) return 'none';
  return undefined;
}

/** The Docker schema2 layer type for bytes compressed as `compression` (a legacy `docker save` has no manifest to say). */
export function dockerLayerMediaType(compression: Compression): string {
  if (compression === 'gzip') return MediaType.DockerLayerGzip;
  if (compression === 'zstd') return MediaType.DockerLayerZstd;
  return DOCKER_LAYER_TAR;
}
