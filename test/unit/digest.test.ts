// Content digests: the algorithm a digest names is the one we hash with (sha512 included), an
// unknown one falls back to sha256 (and so never equals the digest it came with), and the short
// form used in tables keeps the algorithm and cuts only the hex.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createDigester, digestAlgorithm, digestOf, shortDigest } from '../../src/oci/digest.js';

const bytes = Buffer.from('{"schemaVersion":2}');
const hex = (algorithm: string) => createHash(algorithm).update(bytes).digest('hex');

const algorithms: Array<[string, string]> = [
  [`sha256:${'a'.repeat(64)}`, 'sha256'],
  [`sha512:${'b'.repeat(128)}`, 'sha512'],
  [`md5:${'c'.repeat(32)}`, 'sha256'],
  [`blake3:${'d'.repeat(64)}`, 'sha256'],
  ['sha512', 'sha256'], // no colon: not an algorithm prefix
  [':sha512', 'sha256'],
  ['', 'sha256'],
];
for (const [digest, algorithm] of algorithms) {
  test(`digestAlgorithm(${JSON.stringify(digest.slice(0, 12))}…) is ${algorithm}`, () => {
    assert.equal(digestAlgorithm(digest), algorithm);
  });
}

test('digestOf hashes with the algorithm of the digest it is compared with: sha512 bytes, 128 hex', () => {
  const sha512 = digestOf(bytes, `sha512:${'0'.repeat(128)}`);
  assert.equal(sha512, `sha512:${hex('sha512')}`);
  assert.equal(sha512.length, 'sha512:'.length + 128);
  assert.equal(digestOf(bytes, sha512), sha512, 'a sha512 digest of these bytes verifies');
  assert.notEqual(digestOf(Buffer.from('other'), sha512), sha512);
});

test('digestOf defaults to sha256, and an unregistered algorithm never verifies its own digest', () => {
  assert.equal(digestOf(bytes), `sha256:${hex('sha256')}`);
  assert.equal(digestOf(bytes, `sha256:${'0'.repeat(64)}`), `sha256:${hex('sha256')}`);
  const md5 = `md5:${hex('md5')}`;
  assert.notEqual(digestOf(bytes, md5), md5, 'md5 is never trusted: we hash with sha256 and so disagree');
});

test('createDigester: sha512 when asked, sha256 by default and for anything else', () => {
  assert.equal(createDigester('sha512').update(bytes).digest('hex'), hex('sha512'));
  assert.equal(createDigester().update(bytes).digest('hex'), hex('sha256'));
  assert.equal(createDigester('md5').update(bytes).digest('hex'), hex('sha256'));
});

const shorts: Array<[string | undefined, number | undefined, string]> = [
  [undefined, undefined, ''],
  ['', undefined, ''],
  [`sha256:${'0123456789abcdef'.repeat(4)}`, undefined, 'sha256:0123456789ab'],
  [`sha512:${'f'.repeat(128)}`, 4, 'sha512:ffff'],
  ['0123456789abcdef', undefined, '0123456789ab'],
  [':0123456789abcdef', undefined, ':0123456789ab'],
];
for (const [digest, length, expected] of shorts) {
  test(`shortDigest(${JSON.stringify(digest)}, ${length}) is ${JSON.stringify(expected)}`, () => {
    assert.equal(shortDigest(digest, length), expected);
  });
}
