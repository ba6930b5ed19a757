import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descriptorProblem, diffIdsProblem, digestProblem, manifestDescriptorProblem } from '../../src/oci/descriptor.js';
import type { ImageIndex, ImageManifest } from '../../src/oci/types.js';

const sha256 = `sha256:${'a'.repeat(64)}`;
const sha512 = `sha512:${'b'.repeat(128)}`;
const good = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256, size: 10 };

/** image-spec descriptor.md: the digest grammar and the registered algorithms. */
const digests: Array<[unknown, RegExp | undefined]> = [
  [sha256, undefined],
  [sha512, undefined],
  [`sha256:${'A'.repeat(64)}`, /not sha256:<64 lowercase hex>/],
  [`sha256:${'a'.repeat(63)}`, /not sha256:<64 lowercase hex>/],
  [`sha256:${'a'.repeat(65)}`, /not sha256:<64 lowercase hex>/],
  [`sha512:${'b'.repeat(64)}`, /not sha512:<128 lowercase hex>/],
  [`sha384:${'c'.repeat(96)}`, /algorithm the image spec does not register/],
  [`blake3:${'d'.repeat(64)}`, /algorithm the image spec does not register/],
  [`multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8`, /does not register/],
  ['sha256', /not algorithm:hex/],
  [`SHA256:${'a'.repeat(64)}`, /not algorithm:hex/],
  [`sha256:${'a'.repeat(60)}/../x`, /not algorithm:hex/],
  [`:${'a'.repeat(64)}`, /not algorithm:hex/],
  [42, /no digest string/],
];
for (const [digest, problem] of digests) {
  test(`digestProblem(${JSON.stringify(digest)?.slice(0, 30)})`, () => {
    const found = digestProblem(digest);
    if (problem) assert.match(found ?? '', problem);
    else assert.equal(found, undefined);
  });
}

/** Descriptors: media type grammar (RFC 6838), size, optional fields with Go's types. */
const descriptors: Array<[string, unknown, RegExp | undefined]> = [
  ['a layer', good, undefined],
  ['an index entry with a platform', { ...good, platform: { os: 'linux', architecture: 'arm64', variant: 'v8', 'os.features': ['x'] } }, undefined],
  ['size 0', { ...good, size: 0 }, undefined],
  ['the largest safe size', { ...good, size: Number.MAX_SAFE_INTEGER }, undefined],
  ['annotations, urls, artifactType, data', { ...good, annotations: { a: 'b' }, urls: ['https://x'], artifactType: 'application/x', data: 'e30=' }, undefined],
  ['media type with a +suffix and facets', { ...good, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }, undefined],
  ['null', null, /not a JSON object/],
  ['an array', [good], /not a JSON object/],
  ['no media type', { digest: sha256, size: 1 }, /no mediaType/],
  ['media type without subtype', { ...good, mediaType: 'application' }, /not type\/subtype/],
  ['media type with a space', { ...good, mediaType: 'application/x y' }, /not type\/subtype/],
  ['media type with parameters', { ...good, mediaType: 'application/json; charset=utf-8' }, /not type\/subtype/],
  ['media type starting with a symbol', { ...good, mediaType: '+app/x' }, /not type\/subtype/],
  ['media type with a newline', { ...good, mediaType: 'application/x\n::error::x' }, /not type\/subtype/],
  ['media type over 127 characters', { ...good, mediaType: `application/${'x'.repeat(128)}` }, /not type\/subtype/],
  ['negative size', { ...good, size: -1 }, /not a non-negative whole number/],
  ['fractional size', { ...good, size: 1.5 }, /not a non-negative whole number/],
  ['unsafe size', { ...good, size: 2 ** 53 }, /not a non-negative whole number/],
  ['string size', { ...good, size: '10' }, /not a non-negative whole number/],
  ['no size', { mediaType: good.mediaType, digest: sha256 }, /not a non-negative whole number/],
  ['a bad digest', { ...good, digest: 'sha256:abc' }, /not sha256:<64 lowercase hex>/],
  ['urls not strings', { ...good, urls: [1] }, /urls/],
  ['annotations not strings', { ...good, annotations: { a: 1 } }, /annotations/],
  ['artifactType not a media type', { ...good, artifactType: 'x' }, /artifactType/],
  ['platform without architecture', { ...good, platform: { os: 'linux' } }, /without os and architecture/],
  ['platform with an empty os (containerd would read the host os)', { ...good, platform: { os: '', architecture: 'amd64' } }, /must be non-empty names/],
  ['platform with a non-ASCII os (Go lower-cases İ to i)', { ...good, platform: { os: 'L\u0130NUX', architecture: 'amd64' } }, /must be non-empty names/],
  ['platform with a workflow command', { ...good, platform: { os: 'linux', architecture: '::error::x' } }, /must be non-empty names/],
  ['platform with a bad variant', { ...good, platform: { os: 'linux', architecture: 'arm', variant: 'v7 x' } }, /variant/],
  ['platform with numeric os.version', { ...good, platform: { os: 'windows', architecture: 'amd64', 'os.version': 10 } }, /os\.version/],
  ['platform with os.features not a list', { ...good, platform: { os: 'windows', architecture: 'amd64', 'os.features': 'win32k' } }, /os\.features/],
];
for (const [name, descriptor, problem] of descriptors) {
  test(`descriptorProblem: ${name}`, () => {
    const found = descriptorProblem(descriptor);
    if (problem) {
      assert.match(found ?? '', problem);
      assert.doesNotMatch(found ?? '', /[\r\n]/);
    } else assert.equal(found, undefined);
  });
}

test('manifestDescriptorProblem names the first bad descriptor of a manifest or index', () => {
  const manifest = { schemaVersion: 2, config: { ...good, mediaType: 'application/vnd.oci.image.config.v1+json' }, layers: [good, { ...good, size: -3 }] } as ImageManifest;
  assert.match(manifestDescriptorProblem(manifest) ?? '', /^layer 2 has size "-3"/);
  assert.match(manifestDescriptorProblem({ ...manifest, config: { ...good, digest: 'md5:abc' } }) ?? '', /^the config descriptor has digest "md5:abc"/);
  assert.equal(manifestDescriptorProblem({ ...manifest, layers: [good] }), undefined);
  const index = { schemaVersion: 2, manifests: [good, { ...good, mediaType: 'nope' }] } as ImageIndex;
  assert.match(manifestDescriptorProblem(index) ?? '', /^index entry 2 has media type "nope"/);
  assert.match(manifestDescriptorProblem({ ...index, manifests: [good], subject: { ...good, digest: 'x' } }) ?? '', /^the subject has digest/);
});

test('diffIdsProblem accepts sha256 digests and names the first that is not one', () => {
  assert.equal(diffIdsProblem([sha256, sha256]), undefined);
  assert.match(diffIdsProblem([sha256, 'sha256:zz']) ?? '', /^diff_id 2 is "sha256:zz"/);
  assert.match(diffIdsProblem('x') ?? '', /no rootfs\.diff_ids list/);
});
