// The byte pass on worker threads (src/bytes/hash-pool.ts) proves exactly what the same pass on
// the main thread proves: the same digests, sizes, diff_ids, tar index and decode findings (with
// the class blob.ts judges by), for every compression, with several blobs sharing the workers;
// and a worker that dies fails its blobs instead of answering for them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { TrailingDataError } from '../../src/bytes/decompress.js';
import { HashPool, HashThreadError, localPass, WINDOW_BYTES, type BlobPass } from '../../src/bytes/hash-pool.js';
import { fromWire, toWire } from '../../src/bytes/hash-wire.js';
import { defaultHashThreads } from '../../src/verify/deep.js';
import type { BlobHashes, HashOptions } from '../../src/bytes/hasher.js';
import { VerifyImageError } from '../../src/errors.js';
import { sha256, tarOf, zstdSync } from '../helpers/oci.js';

/** Feeds `bytes` in chunks of `chunk` (uneven, to cross batch edges) and finishes. */
async function run(pass: BlobPass, bytes: Buffer, chunk = 50_000): Promise<BlobHashes> {
  for (let offset = 0; offset < bytes.length; offset += chunk) await pass.write(bytes.subarray(offset, offset + chunk));
  return pass.finish();
}

function pseudoRandom(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function layerTar(seed: number): Promise<Buffer> {
  return tarOf({
    'etc/hello': 'hello\n',
    'data/random': pseudoRandom(700_000 + seed * 1000, seed),
    'data/text': 'some text that compresses\n'.repeat(40_000),
    'etc/.wh.gone': '',
  });
}

const OPTIONS: HashOptions = { indexTar: true };

test('hash pool: gzip, zstd and uncompressed layers give the same hashes and index as the pass on this thread', async () => {
  const pool = new HashPool(2);
  try {
    const tar = await layerTar(1);
    const cases: [string, Buffer, HashOptions][] = [
      ['gzip', gzipSync(tar), { ...OPTIONS, compression: 'gzip' }],
      ['zstd', zstdSync(tar), { ...OPTIONS, compression: 'zstd' }],
      ['uncompressed', tar, { ...OPTIONS, compression: 'none' }],
      ['sniffed gzip', gzipSync(tar), OPTIONS],
    ];
    for (const [name, blob, options] of cases) {
      const remote = await run(pool.open(options), blob);
      const local = await run(localPass(options), blob);
      assert.deepEqual(remote, local, name);
      assert.equal(remote.digest, sha256(blob), name);
      assert.equal(remote.size, blob.length, name);
      assert.equal(remote.diffId, sha256(tar), name);
      assert.equal(remote.decodedBytes, tar.length, name);
      assert.deepEqual([...(remote.contents?.index.paths ?? [])].sort(), ['data/random', 'data/text', 'etc/gone', 'etc/hello'], name);
      assert.equal(remote.contents?.counts.whiteouts, 1, name);
    }
  } finally {
    await pool.close();
  }
});

test('hash pool: twelve blobs at once on two workers each get their own result', async () => {
  const pool = new HashPool(2);
  try {
    const tars = await Promise.all(Array.from({ length: 12 }, (_, i) => layerTar(i + 2)));
    const blobs = tars.map((t) => gzipSync(t));
    const results = await Promise.all(blobs.map((b, i) => run(pool.open({ ...OPTIONS, compression: 'gzip' }), b, 17_000 + i * 991)));
    results.forEach((r, i) => {
      assert.equal(r.digest, sha256(blobs[i] as Buffer), `blob ${i}`);
      assert.equal(r.diffId, sha256(tars[i] as Buffer), `blob ${i}`);
    });
  } finally {
    await pool.close();
  }
});

test('hash pool: a blob five windows long comes through whole (that writes wait for room is the abort test below)', async () => {
  const pool = new HashPool(1);
  try {
    const big = pseudoRandom(WINDOW_BYTES * 5 + 12_345, 7);
    const blob = gzipSync(big);
    const r = await run(pool.open({ compression: 'gzip' }), blob, 300_000);
    assert.equal(r.digest, sha256(blob));
    assert.equal(r.diffId, sha256(big));
  } finally {
    await pool.close();
  }
});

test('hash pool: bytes after the last gzip member come back as a TrailingDataError with their count; bad gzip as an error without diff_id', async () => {
  const pool = new HashPool(1);
  try {
    const tar = await layerTar(3);
    const trailing = Buffer.concat([gzipSync(tar), Buffer.alloc(1000)]);
    const r = await run(pool.open({ ...OPTIONS, compression: 'gzip' }), trailing);
    assert.ok(r.decodeError instanceof TrailingDataError, String(r.decodeError));
    assert.equal(r.decodeError.bytes, 1000);
    assert.equal(r.diffId, undefined);
    assert.equal(r.digest, sha256(trailing));

    const bad = Buffer.from(gzipSync(tar));
    bad[bad.length >> 1] ^= 0xff;
    const b = await run(pool.open({ compression: 'gzip' }), bad);
    assert.ok(b.decodeError instanceof Error);
    assert.equal(b.diffId, undefined);
    assert.equal(b.digest, sha256(bad));
  } finally {
    await pool.close();
  }
});

test('hash pool: the wire keeps a decode error class (trailing bytes, an actionable error, any other)', () => {
  const base: BlobHashes = { digest: 'sha256:aa', size: 1, compression: 'zstd', decodedBytes: 0 };
  const trailing = fromWire(toWire({ ...base, decodeError: new TrailingDataError('zstd', 9) }));
  assert.ok(trailing.decodeError instanceof TrailingDataError);
  assert.equal(trailing.decodeError.format, 'zstd');
  assert.equal(trailing.decodeError.bytes, 9);
  const actionable = fromWire(toWire({ ...base, decodeError: new VerifyImageError('unsupported', 'no zstd decoder') }));
  assert.ok(actionable.decodeError instanceof VerifyImageError);
  assert.equal(actionable.decodeError.code, 'unsupported');
  assert.equal(actionable.decodeError.message, 'no zstd decoder');
  const other = fromWire(toWire({ ...base, decodeError: new Error('invalid block type') }));
  assert.ok(other.decodeError instanceof Error && !(other.decodeError instanceof VerifyImageError));
  assert.equal(other.decodeError.message, 'invalid block type');
  assert.deepEqual(fromWire(toWire({ ...base, json: Buffer.from('{}') })), base);
});

test('hash pool: a worker that stops fails the blobs it held; a new blob goes to a new worker', async () => {
  const pool = new HashPool(1);
  const tar = await layerTar(4);
  const blob = gzipSync(tar);
  const pass = pool.open({ compression: 'gzip' });
  await pass.write(blob.subarray(0, 1000));
  // Stop the pool's worker under the open pass, as a crash would.
  const workers = (pool as unknown as { workers: { worker: { terminate(): Promise<number> } }[] }).workers;
  await workers[0]?.worker.terminate();
  await assert.rejects(pass.finish(), /hashing thread/);
  try {
    const r = await run(pool.open({ compression: 'gzip' }), blob);
    assert.equal(r.diffId, sha256(tar));
  } finally {
    await pool.close();
  }
});

test('hash pool: an aborted pass leaves the worker serving the next one', async () => {
  const pool = new HashPool(1);
  try {
    const tar = await layerTar(5);
    const blob = gzipSync(tar);
    const first = pool.open({ compression: 'gzip' });
    await first.write(blob.subarray(0, 100_000));
    await first.abort();
    const r = await run(pool.open({ compression: 'gzip' }), blob);
    assert.equal(r.digest, sha256(blob));
    assert.equal(r.diffId, sha256(tar));
  } finally {
    await pool.close();
  }
});

test('hash pool: aborting while a write waits for room ends that write and finish(), instead of leaving them waiting', async () => {
  const pool = new HashPool(1);
  try {
    const pass = pool.open({ compression: 'gzip' });
    // A window's worth of bytes not yet acknowledged: this write waits for room.
    const waiting = pass.write(pseudoRandom(WINDOW_BYTES + 1, 9));
    await pass.abort();
    await assert.rejects(waiting, HashThreadError);
    await assert.rejects(pass.finish(), HashThreadError);
  } finally {
    await pool.close();
  }
});

test('hash pool: a closed pool opens no new pass (no worker is started that nothing would end)', async () => {
  const pool = new HashPool(1);
  await run(pool.open({}), Buffer.from('x'));
  await pool.close();
  assert.throws(() => pool.open({}), HashThreadError);
});

test('deep: hashing threads default to one per core but one (the main thread downloads), at least one, at most one per layer in flight; VERIFY_IMAGE_HASH_THREADS overrides', () => {
  const saved = process.env.VERIFY_IMAGE_HASH_THREADS;
  delete process.env.VERIFY_IMAGE_HASH_THREADS;
  try {
    const cases: [number, number, number][] = [
      // [layers in flight, cores, threads]
      [4, 1, 1],
      [4, 2, 1],
      [4, 4, 3],
      [2, 8, 2],
      [1, 8, 1],
      [8, 16, 8],
    ];
    for (const [concurrency, cpus, threads] of cases) assert.equal(defaultHashThreads(concurrency, cpus), threads, `${concurrency} in flight, ${cpus} cores`);
    process.env.VERIFY_IMAGE_HASH_THREADS = '0';
    assert.equal(defaultHashThreads(4, 2), 0);
    process.env.VERIFY_IMAGE_HASH_THREADS = '6';
    assert.equal(defaultHashThreads(4, 2), 4);
    process.env.VERIFY_IMAGE_HASH_THREADS = 'lots';
    assert.equal(defaultHashThreads(4, 4), 3);
  } finally {
    if (saved === undefined) delete process.env.VERIFY_IMAGE_HASH_THREADS;
    else process.env.VERIFY_IMAGE_HASH_THREADS = saved;
  }
});
