// The one-pass blob verifier on in-memory streams: every property it proves, and every way a
// blob can fail to have it; gzip, zstd and tar read as Go reads them (what Docker and containerd
// unpack), and the local side's digester judging the same bytes alike.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Parser } from 'tar';
import { zstdImplementation } from '../../src/bytes/decompress.js';
import { BlobDigester } from '../../src/local/blob-digest.js';
import { verifyBlobStream, type BlobExpectation } from '../../src/verify/blob.js';
import { LayerIndexer, normalizeEntryPath } from '../../src/bytes/layer-index.js';
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
  await assert.rejects(indexer.end(), /the archive ends inside an entry at byte 2048 \(truncated tar\)/);
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

// ---- gzip and zstd read as Go reads them: after a member or frame, another one or nothing ----

const trailingCases: [string, Buffer[]][] = [
  ['zeros in the last chunk', [Buffer.concat([gz, Buffer.alloc(512)])]],
  ['zeros in chunks of their own', [gz, Buffer.alloc(1024), Buffer.alloc(1024)]],
  ['non-zero garbage', [gz, Buffer.from('not a gzip member at all')]],
  ['zeros, then a valid member', [gz, Buffer.alloc(3), gzipSync(Buffer.alloc(1024))]],
  ['a lone magic byte', [gz, Buffer.from([0x1f])]],
];
for (const [name, parts] of trailingCases) {
  test(`verifyBlobStream refuses a gzip layer followed by ${name}, though its digest and diff_id hold`, async () => {
    const blob = Buffer.concat(parts);
    const result = await verifyBlobStream(Readable.from(parts), expectFor(blob, 'gzip'));
    assert.equal(result.digest, sha256(blob), 'the compressed digest is over every byte');
    assert.equal(result.failure?.reason, 'decompress');
    assert.equal(result.contents, undefined);
  });
}

test('the failure names the bytes after the last gzip member and what Go does with them', async () => {
  const blob = Buffer.concat([gz, Buffer.alloc(700)]);
  const result = await verifyBlobStream(chunks(blob, 1000), expectFor(blob, 'gzip'));
  assert.equal(
    result.failure?.message,
    `the blob matches its digest, but 700 bytes after the last gzip member are not another member: Go's gzip reader fails on them with "gzip: invalid header", so Docker and containerd cannot unpack this layer`,
  );
});

test('verifyBlobStream accepts a multi-member gzip layer (what pigz and concatenating writers make)', async () => {
  const cut = 3000;
  const blob = Buffer.concat([gzipSync(tar.subarray(0, cut)), gzipSync(tar.subarray(cut))]);
  const result = await verifyBlobStream(chunks(blob, 777), expectFor(blob, 'gzip'));
  assert.equal(result.failure, undefined, result.failure?.message);
  assert.equal(result.diffId, sha256(tar));
});

test('verifyBlobStream refuses a zstd layer followed by zeros, with node:zlib or the zstd command', async () => {
  const blob = Buffer.concat([zst, Buffer.alloc(512)]);
  const result = await verifyBlobStream(chunks(blob), expectFor(blob, 'zstd'));
  assert.equal(result.failure?.reason, 'decompress');
});

// ---- tar read as Go reads it: stop at the end-of-archive marker ----

test('bytes after the tar end marker are hashed into the diff_id, counted, and never parsed', async () => {
  const garbage = Buffer.from('\xff'.repeat(3000) + 'ustar but not a header', 'latin1');
  const layer = Buffer.concat([tar, garbage]);
  const blob = gzipSync(layer);
  const result = await verifyBlobStream(chunks(blob, 100), expectFor(blob, 'gzip', sha256(layer)));
  assert.equal(result.failure, undefined, result.failure?.message);
  assert.equal(result.diffId, sha256(layer));
  assert.equal(result.uncompressedBytes, layer.length);
  assert.equal(result.contents?.counts.bytesAfterEnd, garbage.length);
  assert.deepEqual(result.contents?.index.paths, ['etc', 'etc/motd', 'etc/big', 'bin/sh', 'tmp/gone', 'var/cache']);
});

test('128 MiB of zeros after the tar end marker never reach the header walker', async () => {
  const indexer = new LayerIndexer();
  // Split the archive off-block so the marker straddles chunks, then stream the zeros after it.
  indexer.write(tar.subarray(0, 1000));
  indexer.write(tar.subarray(1000, tar.length - 700));
  indexer.write(Buffer.concat([tar.subarray(tar.length - 700), Buffer.alloc(300)]));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 128; i++) indexer.write(zeros);
  assert.equal(indexer.parsedBytes, tar.length, 'the walker stopped at the end marker');
  const contents = await indexer.end();
  assert.equal(contents.counts.bytesAfterEnd, 128 * 1024 * 1024 + 300);
  assert.equal(contents.counts.files, 2);
});

test('a tar with no trailing bytes reports none', async () => {
  const indexer = new LayerIndexer();
  indexer.write(tar);
  assert.equal(indexer.parsedBytes, tar.length);
  assert.equal((await indexer.end()).counts.bytesAfterEnd, undefined);
});

const oneFile = makeTar([{ path: 'a', content: 'x' }]);
const entriesOnly = oneFile.subarray(0, oneFile.length - 1024);
for (const [name, bytes, ok] of [
  ['no end marker at all (Go reads to EOF at a header boundary)', entriesOnly, true],
  ['a single zero block', Buffer.concat([entriesOnly, Buffer.alloc(512)]), true],
  ['a zero block and then a header', Buffer.concat([entriesOnly, Buffer.alloc(512), oneFile.subarray(0, 512)]), false],
  ['a partial last block', Buffer.concat([entriesOnly, Buffer.alloc(100)]), false],
  ['a bad header checksum', Buffer.concat([Buffer.from(oneFile.subarray(0, 148)), Buffer.from('0000001\0'), oneFile.subarray(156)]), false],
  ['nothing at all', Buffer.alloc(0), true],
] as const) {
  test(`LayerIndexer, like Go's archive/tar: ${name} is ${ok ? 'accepted' : 'refused'}`, async () => {
    const indexer = new LayerIndexer();
    indexer.write(bytes);
    if (ok) await indexer.end();
    else await assert.rejects(indexer.end(), /at byte \d+/);
  });
}

test('a symlink or hard link header has no body, whatever its size field says (Go)', async () => {
  const [link, file] = [makeTar([{ path: 'l', type: 'symlink', linkpath: 'x' }]), makeTar([{ path: 'after', content: 'y' }])];
  const header = Buffer.from(link.subarray(0, 512));
  header.write('00000001000\0', 124, 'ascii'); // claims 512 bytes
  header.write('        ', 148, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const indexer = new LayerIndexer();
  indexer.write(Buffer.concat([header, file]));
  assert.deepEqual((await indexer.end()).index, { paths: ['l', 'after'], kinds: 'lf', sizes: [0, 1] });
});

/** Archives made by GNU tar in each format, indexed by us and listed by node-tar as an oracle. */
describe('LayerIndexer reads what GNU tar writes, as node-tar lists it', () => {
  let dir: string;
  // Over 100 bytes: a GNU long name, a PAX path, or a USTAR prefix; a long symlink target too, except in USTAR.
  const long = `deep/${'d'.repeat(60)}/${'e'.repeat(60)}/${'n'.repeat(80)}.txt`;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vi-layer-index-'));
    const root = join(dir, 'root');
    await mkdir(join(root, 'deep', 'd'.repeat(60), 'e'.repeat(60)), { recursive: true });
    await mkdir(join(root, 'gone'), { recursive: true });
    await writeFile(join(root, long), 'long name\n');
    await writeFile(join(root, 'data.bin'), Buffer.alloc(9000, 3));
    await writeFile(join(root, 'ünïcode'), 'u\n');
    await writeFile(join(root, 'gone', '.wh.old'), '');
    await writeFile(join(root, 'gone', '.wh..wh..opq'), '');
    await link(join(root, 'data.bin'), join(root, 'hard.bin'));
    await symlink(long, join(root, 'sym'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const format of ['gnu', 'pax', 'ustar', 'oldgnu', 'posix'] as const) {
    test(`--format=${format}`, async () => {
      const exclude = format === 'ustar' ? ['--exclude=./sym'] : [];
      const archive = execFileSync('tar', ['-c', `--format=${format}`, '--sort=name', ...exclude, '-C', join(dir, 'root'), '.'], { maxBuffer: 1 << 26 });
      // The archive really uses the header kind under test.
      const marker = { gnu: '././@LongLink', oldgnu: '././@LongLink', pax: ' path=./deep/', posix: ' path=./deep/', ustar: `deep/${'d'.repeat(60)}\0` }[format];
      assert.ok(archive.includes(marker), `${format} archive holds ${JSON.stringify(marker)}`);
      const listed: { path: string; type: string; size: number }[] = [];
      const parser = new Parser({ onReadEntry: (e) => { listed.push({ path: normalizeEntryPath(e.path), type: e.type, size: e.size ?? 0 }); e.resume(); } });
      await new Promise<void>((resolve, reject) => {
        parser.on('end', resolve);
        parser.on('error', reject);
        parser.end(archive);
      });
      const kind = (e: { path: string; type: string }) =>
        e.path.endsWith('.wh..wh..opq') ? 'q' : e.path.split('/').pop()?.startsWith('.wh.') ? 'w' : ({ File: 'f', Directory: 'd', SymbolicLink: 'l', Link: 'h' } as Record<string, string>)[e.type] ?? 'o';
      const indexer = new LayerIndexer();
      for (let i = 0; i < archive.length; i += 4099) indexer.write(archive.subarray(i, i + 4099));
      const { index, counts } = await indexer.end();
      assert.equal(index.kinds, listed.map(kind).join(''));
      assert.deepEqual(index.paths.filter((_, i) => !'wq'.includes(index.kinds[i] as string)), listed.filter((e) => !'wq'.includes(kind(e))).map((e) => e.path));
      assert.ok(index.paths.includes(long), 'the long name');
      assert.ok(index.paths.includes('ünïcode'));
      assert.deepEqual(index.paths.filter((_, i) => index.kinds[i] === 'w' || index.kinds[i] === 'q'), ['gone', 'gone/old']);
      assert.equal(counts.hardlinks, 1);
      assert.equal(counts.symlinks, format === 'ustar' ? 0 : 1);
      assert.equal(counts.fileBytes, 9000 + 10 + 2);
    });
  }
});

// ---- the local side measures with the same decoders ----

async function measureLocal(bytes: Buffer) {
  const digester = new BlobDigester();
  await pipeline(chunks(bytes, 1000), digester);
  return digester.measure;
}

test('BlobDigester refuses trailing zeros after a gzip member as a decompression failure', async () => {
  const measure = await measureLocal(Buffer.concat([gz, Buffer.alloc(512)]));
  assert.equal(measure.compression, 'gzip');
  assert.equal(measure.diffId, undefined);
  assert.match(measure.diffIdError ?? '', /^it does not decompress as gzip \(512 bytes after the last gzip member are not another member/);
});

test('BlobDigester decodes zstd on every runtime (the zstd command where node:zlib has none)', async () => {
  const measure = await measureLocal(zst);
  assert.equal(measure.compression, 'zstd');
  assert.equal(measure.diffId, sha256(tar));
  assert.equal(measure.diffIdError, undefined);
});

test('BlobDigester: without any zstd decoder, the diff_id is not checked rather than failed', { skip: zstdImplementation() === 'node:zlib' && 'this Node has node:zlib zstd' }, async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    const measure = await measureLocal(zst);
    assert.equal(measure.diffId, undefined);
    assert.match(measure.diffIdError ?? '', /no zstd decoder: run on Node 24 or later, or install the zstd command.*the compressed digest was still checked/);
    assert.doesNotMatch(measure.diffIdError ?? '', /decompress as/);
  } finally {
    process.env.PATH = path;
  }
});

for (const [compression, blob] of [
  ['gzip', gz],
  ['zstd', zst],
  ['none', tar],
] as const) {
  test(`one pass for both sides: a ${compression} blob measures the same locally (sniffed) as deep proves it (declared)`, async () => {
    const local = await measureLocal(blob);
    const deep = await verifyBlobStream(chunks(blob), expectFor(blob, compression));
    assert.equal(deep.failure, undefined, deep.failure?.message);
    assert.deepEqual([local.compression, local.digest, local.size, local.diffId], [compression, deep.digest, deep.compressedBytes, deep.diffId]);
    assert.equal(local.diffId, sha256(tar));
  });
}

test('BlobDigester keeps a small JSON blob, and only that', async () => {
  const json = Buffer.from('  {"schemaVersion": 2}');
  const digester = new BlobDigester({ keepJsonUpTo: 64 });
  await pipeline(chunks(json, 3), digester);
  assert.deepEqual(digester.measure.json, json);
  for (const [name, bytes, cap] of [['too long', json, 10], ['compressed', gzipSync(json), 64], ['not JSON', tar, 1 << 20]] as const) {
    const other = new BlobDigester({ keepJsonUpTo: cap });
    await pipeline(chunks(bytes, 5), other);
    assert.equal(other.measure.json, undefined, name);
  }
});
