// The one-pass blob verifier on in-memory streams: every property it proves, and every way a
// blob can fail to have it.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { verifyBlobStream, type BlobExpectation } from '../../src/verify/blob.js';
import { LayerIndexer, normalizeEntryPath } from '../../src/verify/layer-index.js';
import { makeTar, sha256 } from '../helpers/registry-api.js';

const tar = makeTar([
  { path: 'etc/', type: 'dir' },
  { path: 'etc/motd', content: 'hello\n' },
  { path: 'etc/big', content: Buffer.alloc(70_000, 7) },
  { path: 'bin/sh', type: 'symlink', linkpath: 'busybox' },
  { path: 'tmp/.wh.gone', content: '' },
  { path: 'var/cache/.wh..wh..opq', content: '' },
  { path: './usr/.wh..wh.plnk', content: '' },
]);
const gz = gzipSync(tar);
const zst = execFileSync('zstd', ['-c', '-q'], { input: tar });

/** A stream of `bytes` in chunks of `size`. */
const chunks = (bytes: Buffer, size = 16_384) => Readable.from((function* () {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
})());

const expectFor = (blob: Buffer, compression: BlobExpectation['compression'], diffId = sha256(tar)): BlobExpectation => ({
  digest: sha256(blob),
  size: blob.length,
  compression,
  diffId,
});

for (const [compression, blob] of [
  ['gzip', gz],
  ['zstd', zst],
  ['none', tar],
] as const) {
  test(`verifyBlobStream proves a ${compression} layer and indexes it`, async () => {
    let seen = 0;
    const result = await verifyBlobStream(chunks(blob), expectFor(blob, compression), (n) => (seen += n));
    assert.equal(result.failure, undefined, result.failure?.message);
    assert.equal(result.digest, sha256(blob));
    assert.equal(result.diffId, sha256(tar));
    assert.equal(result.compressedBytes, blob.length);
    assert.equal(seen, blob.length);
    assert.equal(result.uncompressedBytes, tar.length);
    assert.deepEqual(result.contents?.counts, {
      files: 2,
      directories: 1,
      symlinks: 1,
      hardlinks: 0,
      others: 0,
      whiteouts: 1,
      opaqueDirs: 1,
      fileBytes: 70_006,
    });
    assert.deepEqual(result.contents?.index, {
      paths: ['etc', 'etc/motd', 'etc/big', 'bin/sh', 'tmp/gone', 'var/cache'],
      kinds: 'dfflwq',
      sizes: [0, 6, 70_000, 0, 0, 0],
    });
  });
}

test('verifyBlobStream stops reading a blob that runs past its size, even an endless one', async () => {
  let produced = 0;
  const endless = new Readable({
    read() {
      produced += 65_536;
      this.push(Buffer.alloc(65_536));
    },
  });
  const result = await verifyBlobStream(endless, { digest: sha256('x'), size: 1_000_000, compression: 'gzip', diffId: sha256('y') });
  assert.equal(result.failure?.reason, 'size-overrun');
  assert.ok(result.compressedBytes > 1_000_000 && result.compressedBytes <= 1_000_000 + 65_536);
  assert.ok(produced < 2_000_000, `read ${produced} bytes`);
  assert.ok(endless.destroyed);
});

test('verifyBlobStream: a truncated blob', async () => {
  const result = await verifyBlobStream(chunks(gz.subarray(0, gz.length - 10)), expectFor(gz, 'gzip'));
  assert.equal(result.failure?.reason, 'truncated');
  assert.match(result.failure?.message ?? '', new RegExp(`sent ${gz.length - 10} bytes but the manifest declares ${gz.length}`));
});

test('verifyBlobStream: changed bytes fail the digest, not the decompression', async () => {
  const changed = Buffer.from(gz);
  changed[40] = (changed[40] ?? 0) ^ 0xff;
  const result = await verifyBlobStream(chunks(changed), expectFor(gz, 'gzip'));
  assert.equal(result.failure?.reason, 'digest');
  assert.match(result.failure?.message ?? '', new RegExp(`hash to ${sha256(changed)}, not to the manifest's digest ${sha256(gz)}`));
  assert.equal(result.contents, undefined, 'no statistics from unproved bytes');
});

test('verifyBlobStream: bytes that match their digest but are not gzip', async () => {
  const result = await verifyBlobStream(chunks(tar), expectFor(tar, 'gzip'));
  assert.equal(result.failure?.reason, 'decompress');
  assert.match(result.failure?.message ?? '', /matches its digest but is not valid gzip/);
});

test('verifyBlobStream: bytes that match their digest but are not zstd', async () => {
  const result = await verifyBlobStream(chunks(gz), expectFor(gz, 'zstd'));
  assert.equal(result.failure?.reason, 'decompress');
  assert.match(result.failure?.message ?? '', /matches its digest but is not valid zstd/);
});

test('verifyBlobStream: gzip that decompresses to something other than the diff_id', async () => {
  const other = makeTar([{ path: 'etc/motd', content: 'owned\n' }]);
  const blob = gzipSync(other);
  const result = await verifyBlobStream(chunks(blob), expectFor(blob, 'gzip'));
  assert.equal(result.failure?.reason, 'diff-id');
  assert.match(result.failure?.message ?? '', new RegExp(`hashes to ${sha256(other)}, not to the config's diff_id ${sha256(tar)}`));
});

test('verifyBlobStream: an uncompressed layer must have digest = diff_id', async () => {
  const result = await verifyBlobStream(chunks(tar), expectFor(tar, 'none', sha256('something else')));
  assert.equal(result.failure?.reason, 'diff-id');
  assert.match(result.failure?.message ?? '', /uncompressed, so its digest must equal its diff_id/);
});

test('verifyBlobStream: a layer without a diff_id in the config fails', async () => {
  const result = await verifyBlobStream(chunks(gz), { ...expectFor(gz, 'gzip'), diffId: undefined });
  assert.equal(result.failure?.reason, 'diff-id');
  assert.match(result.failure?.message ?? '', /no diff_id for this layer/);
});

test('verifyBlobStream: proved bytes that are not a tar archive', async () => {
  const notTar = Buffer.alloc(4096, 0x41);
  const blob = gzipSync(notTar);
  const result = await verifyBlobStream(chunks(blob), expectFor(blob, 'gzip', sha256(notTar)));
  assert.equal(result.failure?.reason, 'tar');
  assert.match(result.failure?.message ?? '', /not a well-formed tar archive/);
});

test("verifyBlobStream: Docker's empty layer (two zero blocks) is a valid, empty tar", async () => {
  const empty = Buffer.alloc(1024);
  const blob = gzipSync(empty);
  const result = await verifyBlobStream(chunks(blob), expectFor(blob, 'gzip', sha256(empty)));
  assert.equal(result.failure, undefined, result.failure?.message);
  assert.equal(result.contents?.index.paths.length, 0);
});

test('verifyBlobStream: a network error mid-body is thrown, not reported as a failed layer', async () => {
  const broken = new Readable({
    read() {
      this.destroy(new Error('socket hang up'));
    },
  });
  await assert.rejects(verifyBlobStream(broken, expectFor(gz, 'gzip')), /socket hang up/);
});

test('LayerIndexer rejects a tar cut off in the middle of a file', async () => {
  const indexer = new LayerIndexer();
  indexer.write(tar.subarray(0, 2048));
  await assert.rejects(indexer.end(), /Truncated input|TAR_BAD_ARCHIVE/);
});

test('normalizeEntryPath', () => {
  for (const [raw, want] of [
    ['./usr/bin/', 'usr/bin'],
    ['/etc//passwd', 'etc/passwd'],
    ['.', ''],
    ['./', ''],
    ['a/b', 'a/b'],
  ]) {
    assert.equal(normalizeEntryPath(raw as string), want, raw);
  }
});
