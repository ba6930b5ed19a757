// Bench images made in-process and pushed with the registry API, so that a bench run spends its
// minutes measuring, not building: each layer is a tar written as a stream (headers, then file
// contents generated on the fly), gzip-compressed into a temporary file while both digests are
// computed, then uploaded from that file. Nothing is held in memory, so a 3 GiB layer costs disk
// and time, not RAM. The images are real: the config carries rootfs.diff_ids, `docker pull`
// unpacks them, skopeo copies them.
//
// Content: random bytes (incompressible; deflate stores them, as any gzip writer does with such
// data) and text made of words (compressed at gzip's default level 6, what `docker push` and
// BuildKit write), so inflate does real work on part of every layer and copies the rest.
//
// The bench image (issue 15's): 9 layers of different sizes, ~440 MB uncompressed, ~256 MiB
// compressed, about half random and half text; one layer holds its text as ~5,000 small files in
// nested directories (as a package install does), so the tar index walks many headers too.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { OCI_CONFIG, OCI_LAYER_GZIP, OCI_MANIFEST } from '../test/helpers/oci.js';
import { pushManifest, uploadBlob } from '../test/helpers/registry-api.js';

export interface GeneratedImage {
  ref: string;
  layers: number;
  compressed: number;
  uncompressed: number;
  /** Each layer's compressed digest, in manifest order. */
  digests: string[];
}

export type ContentKind = 'random' | 'words';

/** A regular file of a layer: its path in the tar, what it holds and how many bytes. */
export interface FileSpec {
  path: string;
  kind: ContentKind;
  size: number;
}

/** What one layer of the memory sweep holds: all random, or half random and half text. */
export type LayerMix = 'mixed' | 'random';

const BLOCK = 512;
const MB = 1e6;
/** gzip's default level: what docker push and BuildKit write. */
const TEXT_LEVEL = 6;

/** A ustar header for a regular file or a directory. */
function tarHeader(name: string, size: number, type: '0' | '5'): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`bench tar path over 100 bytes: ${name}`);
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  header.write(type === '5' ? '0000755\0' : '0000644\0', 100, 'ascii');
  header.write('0000000\0', 108, 'ascii');
  header.write('0000000\0', 116, 'ascii');
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  header.write(`${Math.floor(Date.UTC(2026, 0, 1) / 1000).toString(8).padStart(11, '0')}\0`, 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write(type, 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

/** A small deterministic generator, so file sizes (and so entry counts) are the same every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/**
 * 256 slots over 200 made-up words, the first ones far more often than the last (roughly like
 * words in prose or logs): at gzip level 6 such text compresses to about a quarter.
 */
const WORD_TABLE: Buffer[] = (() => {
  const next = seeded(20261129);
  const letters = 'etaoinshrdlucmfwypvbgkjqxz';
  const vocabulary: Buffer[] = [];
  for (let i = 0; i < 200; i++) {
    let word = '';
    const length = 2 + Math.floor(next() * 8);
    for (let j = 0; j < length; j++) word += letters[Math.floor(next() * next() * letters.length)];
    vocabulary.push(Buffer.from(word));
  }
  return Array.from({ length: 256 }, (_, i) => vocabulary[Math.floor(200 * Math.pow(i / 256, 2.5))] as Buffer);
})();

/** `n` bytes of words separated by spaces, a newline about every 16 words. */
function words(n: number): Buffer {
  const out = Buffer.allocUnsafe(n + 16);
  const choice = randomBytes(n);
  let o = 0;
  for (let k = 0; o < n; k += 2) {
    const word = WORD_TABLE[choice[k % n] as number] as Buffer;
    word.copy(out, o);
    o += word.length;
    out[o++] = ((choice[(k + 1) % n] as number) & 15) === 0 ? 10 : 32;
  }
  return out.subarray(0, n);
}

/** `size` bytes of one kind, in chunks of at most 1 MiB. */
function* content(kind: ContentKind, size: number): Generator<Buffer> {
  const CHUNK = 1024 * 1024;
  for (let left = size; left > 0; ) {
    const n = Math.min(CHUNK, left);
    left -= n;
    yield kind === 'random' ? randomBytes(n) : words(n);
  }
}

/** A piece of a layer's tar, and whether deflate should store it (random bytes) or compress it. */
export interface Piece {
  bytes: Buffer;
  stored: boolean;
}

/** A layer's tar as a stream: each file's parent directories (once each, before it), the file, its padding; then the end marker. */
export function* tarPieces(files: FileSpec[]): Generator<Piece> {
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      yield { bytes: tarHeader(dir, 0, '5'), stored: false };
    }
    yield { bytes: tarHeader(file.path, file.size, '0'), stored: false };
    for (const chunk of content(file.kind, file.size)) yield { bytes: chunk, stored: file.kind === 'random' };
    if (file.size % BLOCK) yield { bytes: Buffer.alloc(BLOCK - (file.size % BLOCK)), stored: false };
  }
  yield { bytes: Buffer.alloc(2 * BLOCK), stored: false };
}

/** `total` bytes as files of `min`..`max` bytes under `dir`, 500 to a sub-directory; sizes from `seed`. */
export function smallFiles(dir: string, total: number, min: number, max: number, seed: number, kind: ContentKind = 'words'): FileSpec[] {
  const next = seeded(seed);
  const files: FileSpec[] = [];
  for (let left = total; left > 0; ) {
    const size = Math.min(left, min + Math.floor(next() * (max - min + 1)));
    const n = files.length;
    files.push({ path: `${dir}/${String(Math.floor(n / 500)).padStart(3, '0')}/file-${String(n).padStart(6, '0')}.txt`, kind, size });
    left -= size;
  }
  return files;
}

/** One layer of the memory sweep: a random file, or half random and half text. */
function sweepLayer(index: number, bytes: number, mix: LayerMix): FileSpec[] {
  if (mix === 'random') return [{ path: `data/${index}/random`, kind: 'random', size: bytes }];
  const random = Math.floor(bytes / 2);
  return [
    { path: `data/${index}/random`, kind: 'random', size: random },
    { path: `data/${index}/text`, kind: 'words', size: bytes - random },
  ];
}

/** Uncompressed megabytes of each layer of the bench image, largest first; 440 in all. */
const BENCH_LAYERS_MB = [120, 90, 70, 50, 40, 30, 20, 12, 8];
/** The layer whose text is many small files. */
const SMALL_FILES_LAYER = 4;
/** Random share of each layer: with text compressing to ~0.25, 9 layers come to ~256 MiB compressed. */
const RANDOM_SHARE = 0.48;

/** The bench image's layers (issue 15): ~440 MB uncompressed, ~256 MiB compressed, 9 layers. */
export function benchImageLayers(scale = 1): FileSpec[][] {
  return BENCH_LAYERS_MB.map((mb, i) => {
    const bytes = Math.round(mb * MB * scale);
    const random = Math.round(bytes * RANDOM_SHARE);
    const text = bytes - random;
    const files: FileSpec[] = [{ path: `data/${i}/random`, kind: 'random', size: random }];
    if (i === SMALL_FILES_LAYER) files.push(...smallFiles(`data/${i}/files`, text, 1024, 8192, 15));
    else files.push({ path: `data/${i}/text`, kind: 'words', size: text });
    return files;
  });
}

/** One line saying what the bench image's layers hold. */
export function describeLayers(layers: FileSpec[][]): string {
  const sizes = layers.map((files) => (files.reduce((n, f) => n + f.size, 0) / MB).toFixed(0));
  const many = layers.findIndex((files) => files.length > 2);
  const random = layers.flat().reduce((n, f) => n + (f.kind === 'random' ? f.size : 0), 0);
  const all = layers.flat().reduce((n, f) => n + f.size, 0);
  return (
    `layers of ${sizes.join(', ')} MB of file data; ${((random / all) * 100).toFixed(0)} % random bytes, the rest word text (gzip level 6)` +
    (many >= 0 ? `; layer ${many + 1} holds its text as ${((layers[many] as FileSpec[]).length - 1).toLocaleString('en-US')} files of 1–8 KiB` : '')
  );
}

/**
 * Streams a layer into `file` as gzip; returns both digests and both sizes. Random bytes go into
 * stored deflate blocks, text is compressed at level 6.
 */
async function writeLayer(file: string, files: FileSpec[]): Promise<{ digest: string; size: number; diffId: string; uncompressed: number }> {
  const plain = createHash('sha256');
  const packed = createHash('sha256');
  let uncompressed = 0;
  let size = 0;
  const gzip = createGzip({ level: TEXT_LEVEL });
  gzip.on('data', (c: Buffer) => {
    packed.update(c);
    size += c.length;
  });
  const out = createWriteStream(file);
  const written = pipeline(gzip, out);
  let stored = false;
  for (const piece of tarPieces(files)) {
    if (piece.stored !== stored) {
      stored = piece.stored;
      await new Promise<void>((resolve) =>
        (gzip as unknown as { params(level: number, strategy: number, callback: () => void): void }).params(stored ? zlibConstants.Z_NO_COMPRESSION : TEXT_LEVEL, zlibConstants.Z_DEFAULT_STRATEGY, () => resolve()),
      );
    }
    plain.update(piece.bytes);
    uncompressed += piece.bytes.length;
    if (!gzip.write(piece.bytes)) await new Promise<void>((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await written;
  return { digest: `sha256:${packed.digest('hex')}`, size, diffId: `sha256:${plain.digest('hex')}`, uncompressed };
}

/** Uploads a blob from a file: one POST for the session, one monolithic PUT streaming the file. */
async function uploadFile(host: string, repo: string, file: string, digest: string): Promise<void> {
  const started = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await started.arrayBuffer();
  const location = started.headers.get('location');
  if (started.status !== 202 || !location) throw new Error(`starting an upload to ${host}/${repo} answered ${started.status}`);
  const url = new URL(location, `http://${host}`);
  url.searchParams.set('digest', digest);
  const size = (await stat(file)).size;
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': size } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`uploading ${digest} answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

/** Pushes an image whose layers hold `layers` (one file list per layer) to `host/repo:tag`; every layer is new (random bytes differ on every run). */
export async function pushImageOf(host: string, repo: string, layers: FileSpec[][], tag = '1'): Promise<GeneratedImage> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-bench-layers-'));
  try {
    const descriptors: { mediaType: string; digest: string; size: number }[] = [];
    const diffIds: string[] = [];
    let uncompressed = 0;
    for (const [i, files] of layers.entries()) {
      const file = join(dir, `layer-${i}.tar.gz`);
      const layer = await writeLayer(file, files);
      await uploadFile(host, repo, file, layer.digest);
      await rm(file);
      descriptors.push({ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size: layer.size });
      diffIds.push(layer.diffId);
      uncompressed += layer.uncompressed;
    }
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Cmd: ['/bin/sh'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: diffIds.map((_, i) => ({ created: '2026-01-01T00:00:00Z', created_by: `bench layer ${i}` })),
      }),
    );
    const configBlob = await uploadBlob(host, repo, config);
    await pushManifest(host, repo, tag, { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...configBlob }, layers: descriptors }, OCI_MANIFEST);
    return {
      ref: `${host}/${repo}:${tag}`,
      layers: layers.length,
      compressed: descriptors.reduce((n, d) => n + d.size, 0),
      uncompressed,
      digests: descriptors.map((d) => d.digest),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Pushes an image of `layers` layers of `bytesPerLayer` uncompressed bytes each (the memory sweep's). */
export function pushGeneratedImage(host: string, repo: string, layers: number, bytesPerLayer: number, mix: LayerMix = 'mixed', tag = '1'): Promise<GeneratedImage> {
  return pushImageOf(
    host,
    repo,
    Array.from({ length: layers }, (_, i) => sweepLayer(i, bytesPerLayer, mix)),
    tag,
  );
}
