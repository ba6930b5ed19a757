// Bench images made in-process and pushed with the registry API, so that a bench run spends its
// minutes measuring, not building: each layer is a tar written as a stream (headers, then file
// contents generated on the fly), gzip-compressed into a temporary file while both digests are
// computed, then uploaded from that file. Nothing is held in memory, so a 3 GiB layer costs disk
// and time, not RAM. The images are real: `docker pull` unpacks them, skopeo copies them.
//
// Layer contents, as `npm run bench` has always used: half random bytes (incompressible), a
// quarter base64 text and a quarter decimal numbers (compressible), so the layer is neither all
// stored blocks nor all text.

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
}

/** What one layer holds: `random` incompressible bytes, then as many compressible ones. */
export type LayerMix = 'mixed' | 'random';

const BLOCK = 512;

/** A ustar header for a regular file or a directory. */
function tarHeader(name: string, size: number, type: '0' | '5'): Buffer {
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

/** `size` bytes of one kind, in chunks of at most 1 MiB. */
function* content(kind: 'random' | 'base64' | 'numbers', size: number): Generator<Buffer> {
  const CHUNK = 1024 * 1024;
  let next = 1;
  let carry = '';
  for (let left = size; left > 0; ) {
    const n = Math.min(CHUNK, left);
    let chunk: Buffer;
    if (kind === 'random') chunk = randomBytes(n);
    else if (kind === 'base64') chunk = Buffer.from(randomBytes(Math.ceil((n * 3) / 4)).toString('base64').slice(0, n));
    else {
      const parts = [carry];
      let length = carry.length;
      while (length < n) {
        const line = `${next++}\n`;
        parts.push(line);
        length += line.length;
      }
      const text = parts.join('');
      carry = text.slice(n);
      chunk = Buffer.from(text.slice(0, n));
    }
    left -= n;
    yield chunk;
  }
}

/** The layer's tar as a stream: a directory and its files, each padded, then the end marker. */
function* layerPieces(index: number, bytes: number, mix: LayerMix): Generator<Piece> {
  const dir = `data/${index}/`;
  yield { bytes: tarHeader(dir, 0, '5'), stored: false };
  const random = mix === 'random' ? bytes : Math.floor(bytes / 2);
  const files: Array<[string, 'random' | 'base64' | 'numbers', number]> = [[`${dir}random`, 'random', random]];
  if (mix === 'mixed') {
    const text = bytes - random;
    files.push([`${dir}base64`, 'base64', Math.floor(text / 2)], [`${dir}numbers`, 'numbers', text - Math.floor(text / 2)]);
  }
  for (const [name, kind, size] of files) {
    yield { bytes: tarHeader(name, size, '0'), stored: false };
    for (const chunk of content(kind, size)) yield { bytes: chunk, stored: kind === 'random' };
    if (size % BLOCK) yield { bytes: Buffer.alloc(BLOCK - (size % BLOCK)), stored: false };
  }
  yield { bytes: Buffer.alloc(2 * BLOCK), stored: false };
}

/** A piece of the layer's tar, and whether deflate should store it (random bytes) or compress it. */
interface Piece {
  bytes: Buffer;
  stored: boolean;
}

/**
 * Streams a layer into `file` as gzip; returns both digests and both sizes. Random bytes go into
 * stored deflate blocks, text is compressed at level 1: writing a layer stays fast, and reading
 * it costs what reading any gzip layer of that content costs (inflate copies stored blocks).
 */
async function writeLayer(file: string, index: number, bytes: number, mix: LayerMix): Promise<{ digest: string; size: number; diffId: string; uncompressed: number }> {
  const plain = createHash('sha256');
  const packed = createHash('sha256');
  let uncompressed = 0;
  let size = 0;
  const gzip = createGzip({ level: 1 });
  gzip.on('data', (c: Buffer) => {
    packed.update(c);
    size += c.length;
  });
  const out = createWriteStream(file);
  const written = pipeline(gzip, out);
  let stored = false;
  for (const piece of layerPieces(index, bytes, mix)) {
    if (piece.stored !== stored) {
      stored = piece.stored;
      await new Promise<void>((resolve) => (gzip as unknown as { params(level: number, strategy: number, callback: () => void): void }).params(stored ? zlibConstants.Z_NO_COMPRESSION : 1, zlibConstants.Z_DEFAULT_STRATEGY, () => resolve()));
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

/**
 * Pushes an image of `layers` layers of `bytesPerLayer` uncompressed bytes each to
 * `host/repo:tag`; every layer is new (random bytes differ on every run).
 */
export async function pushGeneratedImage(host: string, repo: string, layers: number, bytesPerLayer: number, mix: LayerMix = 'mixed', tag = '1'): Promise<GeneratedImage> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-bench-layers-'));
  try {
    const descriptors: { mediaType: string; digest: string; size: number }[] = [];
    const diffIds: string[] = [];
    let uncompressed = 0;
    for (let i = 0; i < layers; i++) {
      const file = join(dir, `layer-${i}.tar.gz`);
      const layer = await writeLayer(file, i, bytesPerLayer, mix);
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
    return { ref: `${host}/${repo}:${tag}`, layers, compressed: descriptors.reduce((n, d) => n + d.size, 0), uncompressed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
