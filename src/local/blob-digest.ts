// Reading a blob once: the sha256 of its bytes and size, its compression sniffed from the magic
// bytes, the sha256 of its uncompressed bytes (the diff_id when it is a layer) and, for small JSON
// blobs (manifests, configs), the bytes themselves. A Writable, so any stream can be piped in with
// backpressure: a file, a tar entry. Memory stays constant whatever the blob size.

import { createHash, type Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { BlobMeasure, Compression } from './source.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const SNIFF_BYTES = 4;

export interface BlobDigestOptions {
  /** Keep the bytes when the blob looks like JSON and is at most this long (0: never). */
  keepJsonUpTo?: number;
  /** Decompress and hash the uncompressed bytes too (default true). */
  uncompressed?: boolean;
}

export interface BlobDigestResult extends BlobMeasure {
  /** The bytes, when they looked like JSON and fit `keepJsonUpTo`. */
  json?: Buffer;
}

type Inflater = zlib.Gunzip | NodeJS.ReadWriteStream;

export class BlobDigester extends Writable {
  private readonly raw: Hash = createHash('sha256');
  private size = 0;
  private head: Buffer[] = [];
  private headLength = 0;
  private sniffed = false;
  private compression: Compression = 'none';
  private inflater?: Inflater;
  private inflated?: Hash;
  private inflateError?: string;
  private inflateDone?: Promise<void>;
  private json?: Buffer[];
  private jsonLength = 0;
  private result?: BlobDigestResult;

  constructor(private readonly options: BlobDigestOptions = {}) {
    super();
  }

  /** The measurement; available once the stream has finished. */
  get measure(): BlobDigestResult {
    if (!this.result) throw new Error('BlobDigester: measure read before the stream finished');
    return this.result;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.raw.update(chunk);
    this.size += chunk.length;
    if (!this.sniffed) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < SNIFF_BYTES) {
        callback();
        return;
      }
      const head = Buffer.concat(this.head);
      this.head = [];
      this.sniff(head);
      this.keepJson(head);
      this.inflate(head, callback);
      return;
    }
    this.keepJson(chunk);
    this.inflate(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.sniffed) {
      const head = Buffer.concat(this.head);
      this.head = [];
      this.sniff(head);
      this.keepJson(head);
      this.inflate(head, () => undefined);
    }
    const inflater = this.inflater;
    if (inflater) inflater.end();
    const done = this.inflateDone ?? Promise.resolve();
    void done.then(() => {
      const digest = `sha256:${this.raw.digest('hex')}`;
      const result: BlobDigestResult = { digest, size: this.size, compression: this.compression };
      if (this.compression === 'none') result.diffId = digest;
      else if (this.inflated && !this.inflateError) result.diffId = `sha256:${this.inflated.digest('hex')}`;
      else if (this.inflateError) result.diffIdError = this.inflateError;
      if (this.json) result.json = Buffer.concat(this.json, this.jsonLength);
      this.result = result;
      callback();
    });
  }

  private sniff(head: Buffer): void {
    this.sniffed = true;
    const starts = (magic: number[]) => magic.every((byte, i) => head[i] === byte);
    if (starts(GZIP_MAGIC)) this.compression = 'gzip';
    else if (starts(ZSTD_MAGIC)) this.compression = 'zstd';
    const keep = this.options.keepJsonUpTo ?? 0;
    if (keep > 0 && this.compression === 'none' && looksLikeJson(head)) this.json = [];
    if (this.compression !== 'none' && this.options.uncompressed !== false) this.startInflater();
  }

  private startInflater(): void {
    const inflater = this.compression === 'gzip' ? zlib.createGunzip() : zstdDecompressor();
    if (!inflater) {
      this.inflateError = 'zstd decompression needs Node 22.15 or later; the compressed digest was still checked';
      return;
    }
    const hash = createHash('sha256');
    this.inflater = inflater;
    this.inflated = hash;
    this.inflateDone = new Promise<void>((resolve) => {
      inflater.on('data', (chunk: Buffer) => hash.update(chunk));
      inflater.once('end', () => resolve());
      inflater.once('error', (error: Error) => {
        this.inflateError = `it does not decompress as ${this.compression} (${error.message})`;
        this.inflater = undefined;
        inflater.removeAllListeners('data');
        resolve();
      });
    });
  }

  /** Feeds the decompressor, waiting for it to drain: a fast disk never outruns the inflater. */
  private inflate(chunk: Buffer, callback: (error?: Error | null) => void): void {
    const inflater = this.inflater;
    if (!inflater || chunk.length === 0) {
      callback();
      return;
    }
    if (inflater.write(chunk)) {
      callback();
      return;
    }
    // Either it drains, or it fails and will never drain: continue on whichever comes first.
    let called = false;
    const go = () => {
      if (called) return;
      called = true;
      inflater.removeListener('drain', go);
      callback();
    };
    inflater.once('drain', go);
    void this.inflateDone?.then(go);
  }

  private keepJson(chunk: Buffer): void {
    if (!this.json) return;
    this.jsonLength += chunk.length;
    if (this.jsonLength > (this.options.keepJsonUpTo ?? 0)) {
      this.json = undefined;
      return;
    }
    this.json.push(chunk);
  }
}

/** A JSON document starts with `{` or `[` after optional whitespace; layer tars and compressed blobs never do in practice. */
function looksLikeJson(head: Buffer): boolean {
  for (const byte of head) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return byte === 0x7b || byte === 0x5b;
  }
  return false;
}

function zstdDecompressor(): NodeJS.ReadWriteStream | undefined {
  const create = (zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream }).createZstdDecompress;
  return typeof create === 'function' ? create() : undefined;
}

/** The media-type family a sniffed compression belongs to, for messages. */
export function compressionOfMediaType(mediaType: string): Compression | undefined {
  if (/\+gzip$|\.tar\.gzip$|\.gzip$/.test(mediaType)) return 'gzip';
  if (/\+zstd$|\.tar\.zstd$|\.zstd$/.test(mediaType)) return 'zstd';
  if (/\.tar$|rootfs\.diff\.tar$/.test(mediaType)) return 'none';
  return undefined;
}

/** The measurement without the kept JSON bytes, for storing beside a layer. */
export function measureOnly(result: BlobDigestResult): BlobMeasure {
  const measure: BlobMeasure = { digest: result.digest, size: result.size, compression: result.compression };
  if (result.diffId !== undefined) measure.diffId = result.diffId;
  if (result.diffIdError !== undefined) measure.diffIdError = result.diffIdError;
  return measure;
}
