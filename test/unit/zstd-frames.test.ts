// zstd streams decoded as Go's zstd reader (klauspost/compress, used by containerd and Docker)
// decodes them, on whichever decoder this runtime has: node:zlib's on Node 24, the `zstd` command
// on Node 20; the same table must hold on both and for every chunking of the input. Go's rules,
// from klauspost/compress zstd/framedec.go (frameDec.reset) and zstd/bytebuf.go (readerWrapper):
// at a frame start, no byte at all is the clean end of the stream (io.EOF); 1-3 bytes are
// io.ErrUnexpectedEOF; a skippable magic (50..5F 2A 4D 18) is followed by a 4-byte little-endian
// size and that many bytes, skipped (a short size or body is io.ErrUnexpectedEOF); a frame magic
// starts a frame decoded to its end, truncation being io.ErrUnexpectedEOF; any other 4 bytes are
// ErrMagicMismatch. So several frames, and skippable frames anywhere, decode; anything else fails.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { openDecoder, TrailingDataError, zstdImplementation } from '../../src/bytes/decompress.js';
import { zstdSync } from '../helpers/oci.js';

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

/** Decodes `input` fed in chunks of `chunk` bytes: the output, or the error the stream failed with. */
async function decode(input: Buffer, chunk: number): Promise<{ out: Buffer } | { error: Error }> {
  const decoder = openDecoder('zstd');
  assert.ok(decoder);
  const out: Buffer[] = [];
  decoder.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    decoder.once('end', resolve);
    decoder.once('error', reject);
  });
  done.catch(() => undefined); // a failure during the writes is awaited below, not unhandled
  try {
    for (let at = 0; at < input.length; at += chunk) {
      if (!decoder.write(input.subarray(at, at + chunk))) await Promise.race([new Promise((resolve) => decoder.once('drain', resolve)), done]);
      if (decoder.destroyed) break;
    }
    decoder.end();
    await done;
    return { out: Buffer.concat(out) };
  } catch (error) {
    return { error: error as Error };
  }
}

// Incompressible, repetitive and plain parts: raw, RLE and compressed blocks, several per frame.
const a = Buffer.concat([pseudoRandom(20_000, 7), Buffer.alloc(300_000, 7), Buffer.from('hello\n'.repeat(5000))]);
const b = Buffer.from('another frame of the same layer\n'.repeat(2000));
const frameA = zstdSync(a);
const frameB = zstdSync(b);
/** With a content size in the header and no checksum: the other header and trailer shapes. */
const frameBSized = execFileSync('zstd', ['-c', '-q', '--no-check', `--stream-size=${b.length}`], { input: b });
const frameEmpty = zstdSync(Buffer.alloc(0));
const skippable = (nibble: number, body: Buffer) => {
  const header = Buffer.from([0x50 | nibble, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]);
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body]);
};
const skipFour = skippable(0, Buffer.from([1, 2, 3, 4]));
// zstd:chunked (podman, buildah): one frame per file chunk, then a skippable frame with the manifest.
const chunkedParts = Array.from({ length: 30 }, (_, i) => pseudoRandom(200 + i * 37, i + 1));
const chunked = Buffer.concat([...chunkedParts.map((p) => zstdSync(p)), skippable(0xf, Buffer.from('{"manifest":true}'))]);
const corrupt = Buffer.from(frameB);
corrupt[corrupt.length - 2] ^= 0xff; // inside the checksum

// zstd -c on a pipe writes magic, descriptor, window descriptor, then the first block header.
assert.equal(frameB[4] & 0xe3, 0, 'frameB has no content size, dictionary or single segment');
const reservedBlock = Buffer.from(frameB);
reservedBlock[6] |= 0x06; // Block_Type 3
const reservedBit = Buffer.from(frameB);
reservedBit[4] |= 0x08; // the descriptor's reserved bit

// Window and block limits, hand-made frames (magic, Frame_Header_Descriptor, header, blocks).
const tenBytes = Buffer.from('0123456789');
/** No content size, Window_Descriptor 0x90 (2^28 = 256 MiB), one raw last block of 10 bytes. */
const window256MiB = Buffer.concat([Buffer.from('28b52ffd00905100 00'.replace(/ /g, ''), 'hex'), tenBytes]);
/** Content size 300 (2 bytes, +256), Window_Descriptor 0xa0 (2^30 = 1 GiB), one raw last block of 300 bytes. */
const window1GiB = Buffer.concat([Buffer.from('28b52ffd40a02c00610900', 'hex'), Buffer.alloc(300, 0x61)]);
/** Window 1 KiB (0x00), content size 2000, one raw last block of 2000 bytes: larger than the window. */
const blockOverWindow = Buffer.concat([Buffer.from('28b52ffd4000d006813e00', 'hex'), Buffer.alloc(2000, 0x62)]);
/** Window 1 MiB, one compressed last block of size 0. */
const emptyCompressedBlock = Buffer.from('28b52ffd0050050000', 'hex');

type Want = { out: Buffer } | { trailing: number } | { error: RegExp };
const cases: { name: string; input: Buffer; want: Want; go: string }[] = [
  { name: 'one frame', input: frameA, want: { out: a }, go: 'one frame, then io.EOF at the next frame start' },
  { name: 'two frames', input: Buffer.concat([frameA, frameB]), want: { out: Buffer.concat([a, b]) }, go: 'frame after frame' },
  { name: 'a frame with a content size and no checksum, after one with a checksum', input: Buffer.concat([frameA, frameBSized]), want: { out: Buffer.concat([a, b]) }, go: 'frame after frame' },
  { name: 'zstd:chunked: 30 frames and a skippable manifest', input: chunked, want: { out: Buffer.concat(chunkedParts) }, go: 'frame after frame; skippable frames skipped' },
  { name: 'a frame, then a skippable frame', input: Buffer.concat([frameA, skipFour]), want: { out: a }, go: 'the skippable frame is skipped, then io.EOF' },
  { name: 'a skippable frame, then a frame', input: Buffer.concat([skipFour, frameB]), want: { out: b }, go: 'skipped, then the frame' },
  { name: 'an empty skippable frame (5F) between frames', input: Buffer.concat([frameA, skippable(0xf, Buffer.alloc(0)), frameB]), want: { out: Buffer.concat([a, b]) }, go: 'size 0 skips nothing' },
  { name: 'an empty frame between frames', input: Buffer.concat([frameB, frameEmpty, frameB]), want: { out: Buffer.concat([b, b]) }, go: 'a frame of one empty block' },
  { name: 'only a skippable frame', input: skipFour, want: { out: Buffer.alloc(0) }, go: 'skipped, then io.EOF: empty output' },
  { name: 'no bytes at all', input: Buffer.alloc(0), want: { out: Buffer.alloc(0) }, go: 'readSmall(1) finds nothing: io.EOF, empty output' },
  { name: 'a frame followed by zeros', input: Buffer.concat([frameA, Buffer.alloc(8)]), want: { trailing: 8 }, go: 'ErrMagicMismatch' },
  { name: 'a frame followed by text', input: Buffer.concat([frameB, Buffer.from('junk')]), want: { trailing: 4 }, go: 'ErrMagicMismatch' },
  { name: 'a frame followed by 2 bytes', input: Buffer.concat([frameB, Buffer.from([0x28, 0xb5])]), want: { trailing: 2 }, go: 'a short signature: io.ErrUnexpectedEOF' },
  { name: 'a frame, junk, then a valid frame', input: Buffer.concat([frameB, Buffer.from('junk'), frameB]), want: { trailing: 4 + frameB.length }, go: 'ErrMagicMismatch at the junk; nothing after it is read' },
  { name: 'a frame followed by a lone frame magic', input: Buffer.concat([frameB, frameB.subarray(0, 4)]), want: { error: /unexpected end of file inside a frame/ }, go: 'no Frame_Header_Descriptor: io.ErrUnexpectedEOF' },
  { name: 'a frame followed by a truncated frame', input: Buffer.concat([frameB, frameA.subarray(0, 10)]), want: { error: /unexpected end of file inside a frame/ }, go: 'io.ErrUnexpectedEOF in the block' },
  { name: 'a frame cut in its last block', input: frameA.subarray(0, frameA.length - 100), want: { error: /unexpected end of file inside a frame/ }, go: 'io.ErrUnexpectedEOF' },
  { name: 'a frame followed by a skippable frame cut in its size', input: Buffer.concat([frameB, skipFour.subarray(0, 6)]), want: { error: /unexpected end of file inside a skippable frame/ }, go: 'readSmall(4): io.ErrUnexpectedEOF' },
  { name: 'a frame followed by a skippable frame cut in its body', input: Buffer.concat([frameB, skipFour.subarray(0, 10)]), want: { error: /unexpected end of file inside a skippable frame/ }, go: 'skipN: io.ErrUnexpectedEOF' },
  { name: 'a frame with a wrong checksum', input: corrupt, want: { error: /./ }, go: 'ErrCRCMismatch (the decoder checks, not the walker)' },
  { name: 'a frame whose first block has the reserved type', input: reservedBlock, want: { error: /reserved type/ }, go: 'ErrReservedBlockType' },
  { name: 'a frame header with the reserved bit set', input: reservedBit, want: { error: /./ }, go: '"reserved bit set on frame header" (the decoder checks it)' },
  { name: 'a skippable frame claiming 4 GiB, cut short', input: Buffer.concat([frameB, Buffer.from([0x50, 0x2a, 0x4d, 0x18, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(100)]), want: { error: /unexpected end of file inside a skippable frame/ }, go: 'skipN: io.ErrUnexpectedEOF' },
  { name: 'a frame with a 256 MiB window (as zstd --long=28 writes)', input: window256MiB, want: { out: tenBytes }, go: 'windows up to 512 MiB (WithDecoderMaxWindow default) decode' },
  { name: 'a frame asking for a 1 GiB window', input: window1GiB, want: { error: /more than the 512 MiB/ }, go: 'ErrWindowSizeExceeded (framedec.go)' },
  { name: 'a raw block larger than its frame\'s 1 KiB window', input: blockOverWindow, want: { error: /block of 2000 bytes/ }, go: 'ErrWindowSizeExceeded (blockdec.go: a block may not exceed the window)' },
  { name: 'a compressed block of 0 bytes', input: emptyCompressedBlock, want: { error: /compressed block of 0 bytes/ }, go: 'ErrBlockTooSmall (blockdec.go: under 2 bytes)' },
  { name: 'not zstd at all (a gzip member)', input: Buffer.from('1f8b0800000000000003030000000000000000', 'hex'), want: { error: /not in zstd format/ }, go: 'ErrMagicMismatch at the first frame' },
];

const CHUNKINGS = [1, 7, 4096, Number.MAX_SAFE_INTEGER];

for (const { name, input, want, go } of cases) {
  test(`zstd on ${zstdImplementation()}: ${name} (Go: ${go})`, async () => {
    for (const chunk of CHUNKINGS) {
      const label = `fed in chunks of ${chunk === Number.MAX_SAFE_INTEGER ? 'the whole input' : chunk}`;
      const got = await decode(input, chunk);
      if ('out' in want) {
        assert.ok('out' in got, `${label}: failed with ${'error' in got ? got.error.message : ''}`);
        assert.ok(got.out.equals(want.out), `${label}: ${got.out.length} bytes decoded, ${want.out.length} expected`);
      } else if ('trailing' in want) {
        assert.ok('error' in got, `${label}: decoded although Go refuses it`);
        assert.ok(got.error instanceof TrailingDataError, `${label}: ${got.error.message}`);
        assert.equal(got.error.bytes, want.trailing, label);
      } else {
        assert.ok('error' in got, `${label}: decoded although Go refuses it`);
        assert.ok(!(got.error instanceof TrailingDataError), `${label}: ${got.error.message}`);
        assert.match(got.error.message, want.error, label);
      }
    }
  });
}
