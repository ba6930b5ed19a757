// What a layer's media type says about how to read it: its compression, and whether it is a
// foreign (non-distributable) layer that registries are not expected to serve. Pure.

import type { Compression } from '../bytes/decompress.js';
import { MediaType } from '../oci/types.js';

export type { Compression };

export type LayerKind =
  | { readable: true; compression: Compression; foreign: false }
  | { readable: false; reason: 'foreign' | 'unknown-media-type'; foreign: boolean };

/** Docker's uncompressed schema2 layer type; containers/image writes it for `--dest-decompress`. */
export const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

const COMPRESSION: ReadonlyMap<string, Compression> = new Map([
  [MediaType.DockerLayerGzip, 'gzip'],
  [MediaType.DockerLayerZstd, 'zstd'],
  [DOCKER_LAYER_TAR, 'none'],
  [MediaType.OciLayer, 'none'],
  [MediaType.OciLayerGzip, 'gzip'],
  [MediaType.OciLayerZstd, 'zstd'],
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
  const compression = COMPRESSION.get(type);
  if (compression) return { readable: true, compression, foreign: false };
  return { readable: false, reason: 'unknown-media-type', foreign: false };
}
