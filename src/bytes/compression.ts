// How a blob is compressed, as its first bytes say: the one place that knows the gzip and zstd
// magic numbers. A media type only claims a compression (media-type.ts): deep verification decodes
// a layer as its manifest claims and fails it when the bytes are not that; the local side reads a
// blob as what its bytes are and refuses it when its media type says otherwise.

export type Compression = 'gzip' | 'zstd' | 'none';

/** Bytes a blob must have begun with before its compression can be told. */
export const SNIFF_BYTES = 4;

/** gzip member magic (RFC 1952): 1F 8B. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** zstd frame magic (RFC 8878), little-endian: 28 B5 2F FD. */
const ZSTD_MAGIC = 0xfd2fb528;
/** zstd skippable frames: 50..5F 2A 4D 18, little-endian. */
const ZSTD_SKIPPABLE_MASK = 0xfffffff0;
const ZSTD_SKIPPABLE_MAGIC = 0x184d2a50;

/** The compression a blob's first bytes announce: gzip and zstd magic numbers, else none. */
export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === ZSTD_MAGIC) return 'zstd';
  return 'none';
}

/** A zstd frame or a skippable frame: what a zstd stream may start with. */
export function isZstdFrame(head: Buffer): boolean {
  if (head.length < 4) return false;
  const magic = head.readUInt32LE(0);
  return magic === ZSTD_MAGIC || (magic & ZSTD_SKIPPABLE_MASK) === ZSTD_SKIPPABLE_MAGIC;
}
