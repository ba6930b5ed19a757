// The byte-stream vocabulary shared by deep verification and the local sources: magic numbers,
// and media types to compressions and back. Case tables from RFC 1952, RFC 8878 and the image spec.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isZstdFrame, sniffCompression, type Compression } from '../../src/bytes/compression.js';
import { compressionOfMediaType, dockerLayerMediaType, layerKind } from '../../src/bytes/media-type.js';
import { MediaType } from '../../src/oci/types.js';

const sniffCases: [string, number[], Compression, boolean][] = [
  ['a gzip member', [0x1f, 0x8b, 0x08, 0x00], 'gzip', false],
  ['a zstd frame', [0x28, 0xb5, 0x2f, 0xfd], 'zstd', true],
  ['a zstd skippable frame', [0x5a, 0x2a, 0x4d, 0x18], 'none', true],
  ['a tar header', [0x65, 0x74, 0x63, 0x2f], 'none', false],
  ['JSON', [0x7b, 0x22, 0x61, 0x22], 'none', false],
  ['one gzip magic byte', [0x1f], 'none', false],
  ['three zstd magic bytes', [0x28, 0xb5, 0x2f], 'none', false],
  ['nothing', [], 'none', false],
];
for (const [name, bytes, compression, zstdFrame] of sniffCases) {
  test(`sniffCompression: ${name} is ${compression}; a zstd stream start: ${zstdFrame}`, () => {
    assert.equal(sniffCompression(Buffer.from(bytes)), compression);
    assert.equal(isZstdFrame(Buffer.from(bytes)), zstdFrame);
  });
}

const mediaTypeCases: [string, Compression | undefined, 'readable' | 'foreign' | 'unknown-media-type'][] = [
  [MediaType.OciLayer, 'none', 'readable'],
  [MediaType.OciLayerGzip, 'gzip', 'readable'],
  [MediaType.OciLayerZstd, 'zstd', 'readable'],
  ['application/vnd.docker.image.rootfs.diff.tar', 'none', 'readable'],
  [MediaType.DockerLayerGzip, 'gzip', 'readable'],
  [MediaType.DockerLayerZstd, 'zstd', 'readable'],
  [MediaType.DockerForeignLayerGzip, 'gzip', 'foreign'],
  [MediaType.OciLayerNondistributable, 'none', 'foreign'],
  [MediaType.OciLayerNondistributableGzip, 'gzip', 'foreign'],
  [MediaType.OciLayerNondistributableZstd, 'zstd', 'foreign'],
  [MediaType.InToto, undefined, 'unknown-media-type'],
  [MediaType.OciConfig, undefined, 'unknown-media-type'],
];
for (const [mediaType, compression, kind] of mediaTypeCases) {
  test(`media type ${mediaType}: ${compression ?? 'no compression'}, ${kind}`, () => {
    assert.equal(compressionOfMediaType(mediaType), compression);
    const got = layerKind(mediaType);
    if (kind === 'readable') assert.deepEqual(got, { readable: true, compression, foreign: false });
    else assert.deepEqual(got, { readable: false, reason: kind, foreign: kind === 'foreign' });
  });
}

test('layerKind ignores parameters and case; compressionOfMediaType reads the type as written', () => {
  assert.deepEqual(layerKind(`${MediaType.OciLayerGzip}; charset=binary`), { readable: true, compression: 'gzip', foreign: false });
  assert.deepEqual(layerKind(MediaType.DockerLayerZstd.toUpperCase()), { readable: true, compression: 'zstd', foreign: false });
  assert.equal(compressionOfMediaType(`${MediaType.OciLayerGzip}; charset=binary`), undefined);
});

for (const compression of ['none', 'gzip', 'zstd'] as const) {
  test(`a legacy docker save layer compressed as ${compression} gets a Docker layer type that reads back as ${compression}`, () => {
    const mediaType = dockerLayerMediaType(compression);
    assert.match(mediaType, /^application\/vnd\.docker\.image\.rootfs\.diff\.tar/);
    assert.equal(compressionOfMediaType(mediaType), compression);
    assert.deepEqual(layerKind(mediaType), { readable: true, compression, foreign: false });
  });
}
