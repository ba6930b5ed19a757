// The one streaming pass over a blob, for deep verification and the local sources alike: the
// bytes as stored are counted and hashed (the blob's digest and size), the same chunks flow into
// the decoder for their compression (decompress.ts: node:zlib, or `zstd -dc` where Node has no
// zstd), and what comes out is hashed (the diff_id), counted and, when asked, walked as a tar
// (layer-index.ts). A Writable, so any stream pipes in with backpressure: a download, a file, a
// tar entry. Nothing is held beyond the streams' own buffers, except a small JSON blob's bytes
// when the caller asks to keep them (manifests and configs read from an archive in passing).
//
// A decoding failure is a finding about the blob, not a stream error: the compressed bytes are
// still hashed to the end, and the caller judges (deep fails the layer; the local side fails it
// or, when no zstd decoder exists at all, notes it).

import type { Hash } from 'node:crypto';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createDigester } from '../oci/digest.js';
import { whenWritable } from './backpressure.js';
import { SNIFF_BYTES, sniffCompression, type Compression } from './compression.js';
import { openDecoder, type Decoder } from './decompress.js';
import { LayerIndexer, type LayerContents } from './layer-index.js';

export interface HashOptions {
  /** How the bytes are compressed (a manifest's claim); sniffed from their magic number when not given. */
  compression?: Compression;
  /** Algorithm of the digest of the bytes as stored (default sha256). */
  digestAlgorithm?: string;
  /** Algorithm of the digest of the decoded bytes (default sha256). */
  diffIdAlgorithm?: string;
  /** Walk the decoded bytes as a tar and index its entries. */
  indexTar?: boolean;
  /** Keep the bytes when they are uncompressed, look like JSON and are at most this long (0: never). */
  keepJsonUpTo?: number;
}

/** What one pass over a blob proved. */
export interface BlobHashes {
  /** `algorithm:hex` of the bytes as stored. */
  digest: string;
  size: number;
  /** The options' compression, else the sniffed one. */
  compression: Compression;
  /** `algorithm:hex` of the decoded bytes (`digest` when uncompressed); absent when decoding failed. */
  diffId?: string;
  /** Decoded bytes that came out, complete or not. */
  decodedBytes: number;
  /** Why the bytes did not decode as `compression`. */
  decodeError?: Error;
  /** The tar index, with `indexTar`, when the decoded bytes are a well-formed tar. */
  contents?: LayerContents;
  /** Why the decoded bytes are not a tar Go would unpack, with `indexTar`. */
  tarError?: string;
  /** The bytes, with `keepJsonUpTo`, when they looked like JSON and fit. */
  json?: Buffer;
}

export class BlobHasher extends Writable {
  private readonly stored: Hash;
  private size = 0;
  /** The first bytes, held until there are enough to sniff the compression. */
  private head: Buffer[] | undefined = [];
  private headLength = 0;
  private compression: Compression = 'none';
  private decoder?: Decoder;
  private decodeDone?: Promise<void>;
  private decodeError?: Error;
  private decoded?: Hash;
  private decodedBytes = 0;
  private indexer?: LayerIndexer;
  private json?: Buffer[];
  private jsonLength = 0;
  private result?: BlobHashes;

  constructor(private readonly options: HashOptions = {}) {
    super();
    this.stored = createDigester(options.digestAlgorithm);
  }

  /** What the pass proved; available once the stream has finished. */
  get hashes(): BlobHashes {
    if (!this.result) throw new Error('BlobHasher: hashes read before the stream finished');
    return this.result;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.stored.update(chunk);
    this.size += chunk.length;
    if (!this.head) return this.feed(chunk, callback);
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < SNIFF_BYTES) return callback();
    this.feed(this.begin(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.head) this.feed(this.begin(), () => undefined);
    if (this.decoder && !this.decoder.destroyed) this.decoder.end();
    void this.finish().then(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.decoder?.destroy();
    callback(error);
  }

  /** Stops the pass (the blob ran past its size, or its source failed) and waits for the decoder to let go. */
  async abort(): Promise<void> {
    this.destroy();
    await this.decodeDone;
  }

  /** Knows the compression from the first bytes: opens the decoder and decides whether to keep JSON. */
  private begin(): Buffer {
    const head = Buffer.concat(this.head ?? [], this.headLength);
    this.head = undefined;
    this.compression = this.options.compression ?? sniffCompression(head);
    const keep = this.options.keepJsonUpTo ?? 0;
    if (keep > 0 && this.compression === 'none' && looksLikeJson(head)) this.json = [];
    if (this.options.indexTar) this.indexer = new LayerIndexer();
    const decoder = openDecoder(this.compression);
    if (decoder) {
      this.decoder = decoder;
      this.decoded = createDigester(this.options.diffIdAlgorithm);
      decoder.on('data', (plain: Buffer) => this.onDecoded(plain));
      this.decodeDone = finished(decoder).catch((err: unknown) => {
        this.decodeError ??= err instanceof Error ? err : new Error(String(err));
      });
    }
    return head;
  }

  /** Hands stored bytes on: to the decoder, waiting while it is full; or, uncompressed, straight through. */
  private feed(chunk: Buffer, callback: (error?: Error | null) => void): void {
    this.keepJson(chunk);
    const decoder = this.decoder;
    if (!decoder) {
      this.onDecoded(chunk);
      return callback();
    }
    if (chunk.length === 0 || this.decodeError || decoder.destroyed || decoder.write(chunk)) return callback();
    whenWritable(decoder, () => callback());
  }

  private onDecoded(plain: Buffer): void {
    this.decoded?.update(plain);
    this.decodedBytes += plain.length;
    this.indexer?.write(plain);
  }

  private async finish(): Promise<void> {
    await this.decodeDone;
    const digest = `${this.options.digestAlgorithm ?? 'sha256'}:${this.stored.digest('hex')}`;
    const result: BlobHashes = { digest, size: this.size, compression: this.compression, decodedBytes: this.decodedBytes };
    if (!this.decoded) result.diffId = digest;
    else if (!this.decodeError) result.diffId = `${this.options.diffIdAlgorithm ?? 'sha256'}:${this.decoded.digest('hex')}`;
    else result.decodeError = this.decodeError;
    if (this.indexer) {
      try {
        result.contents = await this.indexer.end();
      } catch (err) {
        result.tarError = err instanceof Error ? err.message : String(err);
      }
    }
    if (this.json) result.json = Buffer.concat(this.json, this.jsonLength);
    this.result = result;
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
