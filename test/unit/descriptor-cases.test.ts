// Descriptor validation, case by case (issue 16): what a descriptor's optional fields may hold as
// Go decodes them (null is the field left out; a wrong type fails Docker's pull, so we refuse it
// rather than read it some other way), which parts of a manifest or index are descriptors at all,
// and the one-line reason a bad one is refused with. Each refused case here is one a weaker check
// would let through: a descriptor accepted that the runtime would not read the same way.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { descriptorProblem, isMediaType, isValidDescriptor, manifestDescriptorProblem } from '../../src/oci/descriptor.js';
import type { ImageIndex, ImageManifest } from '../../src/oci/types.js';

const sha256 = `sha256:${'a'.repeat(64)}`;
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const good = { mediaType: LAYER, digest: sha256, size: 10 };
const platform = { os: 'linux', architecture: 'amd64' };

/** [case, descriptor, the reason it is refused (exact string or pattern), or undefined when it is valid]. */
const cases: Array<[string, unknown, string | RegExp | undefined]> = [
  // Not an object at all: said so, not read as an object without fields.
  ['a string', 'application/x', 'is not a JSON object'],
  ['a number', 42, 'is not a JSON object'],
  ['true', true, 'is not a JSON object'],
  // Sizes: the reason quotes what was there, as JSON would write it.
  ['size as a string', { ...good, size: '10' }, 'has size "\\"10\\"", not a non-negative whole number of bytes'],
  ['size null', { ...good, size: null }, 'has size "null", not a non-negative whole number of bytes'],
  ['no size', { mediaType: LAYER, digest: sha256 }, 'has size "none", not a non-negative whole number of bytes'],
  ['size 1e999 (JSON.parse reads Infinity)', { ...good, size: Infinity }, 'has size "Infinity", not a non-negative whole number of bytes'],
  ['size -1', { ...good, size: -1 }, 'has size "-1", not a non-negative whole number of bytes'],
  ['size an object', { ...good, size: { n: 1 } }, /^has size "\{\\"n\\":1\}", not a non-negative/],
  // urls: null is Go's nil; a list must hold strings only.
  ['urls null', { ...good, urls: null }, undefined],
  ['urls empty', { ...good, urls: [] }, undefined],
  ['urls with one string and one number', { ...good, urls: ['https://blobs.example/x', 1] }, 'has urls that are not a list of strings'],
  ['urls a string', { ...good, urls: 'https://blobs.example/x' }, 'has urls that are not a list of strings'],
  // annotations: a map of string to string, nothing Object.values() happens to accept.
  ['annotations null', { ...good, annotations: null }, undefined],
  ['annotations empty', { ...good, annotations: {} }, undefined],
  ['annotations a string', { ...good, annotations: 'org.opencontainers.image.title' }, 'has annotations that are not string to string'],
  ['annotations a list of strings', { ...good, annotations: ['a', 'b'] }, 'has annotations that are not string to string'],
  ['annotations a number', { ...good, annotations: 5 }, 'has annotations that are not string to string'],
  ['annotations true', { ...good, annotations: true }, 'has annotations that are not string to string'],
  ['annotations with one string and one number', { ...good, annotations: { a: 'b', c: 1 } }, 'has annotations that are not string to string'],
  ['annotations with a null value', { ...good, annotations: { a: null } }, 'has annotations that are not string to string'],
  // artifactType: a media type string; a list holding one is not one.
  ['artifactType null', { ...good, artifactType: null }, undefined],
  ['artifactType a list of one media type', { ...good, artifactType: ['application/spdx+json'] }, /^has artifactType "application\/spdx\+json", which is not a media type$/],
  ['artifactType a number', { ...good, artifactType: 7 }, 'has artifactType "7", which is not a media type'],
  // data: base64 text or nothing.
  ['data null', { ...good, data: null }, undefined],
  ['data a string', { ...good, data: 'e30=' }, undefined],
  ['data a number', { ...good, data: 5 }, 'has data that is not a base64 string'],
  ['data an object', { ...good, data: { a: 'b' } }, 'has data that is not a base64 string'],
  ['data false', { ...good, data: false }, 'has data that is not a base64 string'],
  // platform: null is none; otherwise an object with os and architecture names.
  ['platform null', { ...good, platform: null }, undefined],
  ['platform a string', { ...good, platform: 'linux/amd64' }, 'has a platform that is not an object'],
  ['platform a list', { ...good, platform: ['linux', 'amd64'] }, 'has a platform that is not an object'],
  ['platform a number', { ...good, platform: 1 }, 'has a platform that is not an object'],
  ['platform without os', { ...good, platform: { architecture: 'amd64' } }, 'has a platform without os and architecture strings'],
  ['platform without architecture', { ...good, platform: { os: 'linux' } }, 'has a platform without os and architecture strings'],
  ['platform with a numeric architecture', { ...good, platform: { os: 'linux', architecture: 386 } }, 'has a platform without os and architecture strings'],
  ['platform with a numeric os', { ...good, platform: { os: 1, architecture: 'amd64' } }, 'has a platform without os and architecture strings'],
  ['platform os and architecture "undefined" are names like any other', { ...good, platform: { os: 'undefined', architecture: 'undefined' } }, undefined],
  // variant: optional; "" is no variant (containerd normalises it away), a number is not a name.
  ['variant null', { ...good, platform: { ...platform, variant: null } }, undefined],
  ['variant empty', { ...good, platform: { os: 'linux', architecture: 'arm64', variant: '' } }, undefined],
  ['variant v7', { ...good, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } }, undefined],
  ['variant a number', { ...good, platform: { os: 'linux', architecture: 'arm', variant: 7 } }, /^has a platform whose variant "7" is not a name/],
  ['variant a list', { ...good, platform: { os: 'linux', architecture: 'arm', variant: ['v7'] } }, /^has a platform whose variant "v7" is not a name/],
  // os.version: a string when there.
  ['os.version null', { ...good, platform: { os: 'windows', architecture: 'amd64', 'os.version': null } }, undefined],
  ['os.version a string', { ...good, platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1879' } }, undefined],
  ['os.version a list', { ...good, platform: { os: 'windows', architecture: 'amd64', 'os.version': ['10.0'] } }, 'has a platform whose os.version is not a string'],
  // os.features: a list of strings when there.
  ['os.features null', { ...good, platform: { os: 'windows', architecture: 'amd64', 'os.features': null } }, undefined],
  ['os.features empty', { ...good, platform: { os: 'windows', architecture: 'amd64', 'os.features': [] } }, undefined],
  ['os.features with a number', { ...good, platform: { os: 'windows', architecture: 'amd64', 'os.features': [1] } }, 'has a platform whose os.features are not a list of strings'],
  ['os.features with a string and a number', { ...good, platform: { os: 'windows', architecture: 'amd64', 'os.features': ['win32k', 1] } }, 'has a platform whose os.features are not a list of strings'],
  ['everything optional present and valid', { ...good, urls: ['https://x'], annotations: { a: 'b' }, artifactType: 'application/x', data: '', platform: { ...platform, variant: 'v3', 'os.version': '', 'os.features': ['f'] } }, undefined],
];

for (const [name, descriptor, reason] of cases) {
  test(`descriptorProblem: ${name} ${reason === undefined ? 'is valid' : 'is refused'}`, () => {
    const found = descriptorProblem(descriptor);
    if (reason === undefined) assert.equal(found, undefined);
    else if (typeof reason === 'string') assert.equal(found, reason);
    else assert.match(found ?? '(valid)', reason);
    assert.equal(isValidDescriptor(descriptor), reason === undefined, 'isValidDescriptor agrees with descriptorProblem');
  });
}

test('isMediaType: a type/subtype string, nothing that only prints like one', () => {
  const table: Array<[unknown, boolean]> = [
    ['application/vnd.oci.image.manifest.v1+json', true],
    ['text/plain', true],
    ['application', false],
    ['', false],
    [['application/json'], false],
    [{ toString: () => 'application/json' }, false],
    [7, false],
    [null, false],
    [undefined, false],
  ];
  for (const [value, expected] of table) assert.equal(isMediaType(value), expected, String(JSON.stringify(value)));
});

const CONFIG = { ...good, mediaType: 'application/vnd.oci.image.config.v1+json' };

/** [case, body, the first problem (exact) or undefined]. */
const bodies: Array<[string, unknown, string | undefined]> = [
  // Go decodes null into the zero descriptor: no digest, so Docker's pull fails; so do we.
  ['a manifest whose config is null', { schemaVersion: 2, config: null, layers: [good] }, 'the config descriptor is not a JSON object'],
  ['a manifest whose subject is a string', { schemaVersion: 2, config: CONFIG, layers: [], subject: sha256 }, 'the subject is not a JSON object'],
  ['a manifest whose subject is null (no subject)', { schemaVersion: 2, config: CONFIG, layers: [good], subject: null }, undefined],
  // Fields absent or not lists hold no descriptors: their shape is the manifest checks' business.
  ['a manifest whose layers are null', { schemaVersion: 2, config: CONFIG, layers: null }, undefined],
  ['a manifest whose config field is there but undefined', { schemaVersion: 2, config: undefined, layers: [good] }, undefined],
  ['an index whose manifests are null', { schemaVersion: 2, manifests: null }, undefined],
  ['an index whose manifests are an object', { schemaVersion: 2, manifests: { 0: { ...good, size: -1 } } }, undefined],
  ['an index whose second entry is bad', { schemaVersion: 2, manifests: [good, { ...good, urls: [1] }] }, 'index entry 2 has urls that are not a list of strings'],
  ['an index with a bad subject', { schemaVersion: 2, manifests: [good], subject: { ...good, size: null } }, 'the subject has size "null", not a non-negative whole number of bytes'],
  ['a manifest: the config is checked before the layers', { schemaVersion: 2, config: { ...CONFIG, data: 1 }, layers: [{ ...good, data: 1 }] }, 'the config descriptor has data that is not a base64 string'],
  ['a manifest: layers are numbered from 1', { schemaVersion: 2, config: CONFIG, layers: [{ ...good, platform: [] }] }, 'layer 1 has a platform that is not an object'],
];

for (const [name, body, problem] of bodies) {
  test(`manifestDescriptorProblem: ${name}`, () => {
    assert.equal(manifestDescriptorProblem(body as ImageManifest | ImageIndex), problem);
  });
}
