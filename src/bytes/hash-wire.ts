// The messages between the hash pool (hash-pool.ts, main thread) and its workers (hash-worker.ts),
// and the one thing that does not survive the structured clone as is: a decode error's class,
// which blob.ts judges by (bytes after the last member, no zstd decoder, or bad data).

import { TrailingDataError } from './decompress.js';
import { VerifyImageError } from '../errors.js';
import type { BlobHashes, HashOptions } from './hasher.js';

export type ToWorker =
  | { type: 'open'; id: number; options: HashOptions }
  | { type: 'chunk'; id: number; bytes: Uint8Array }
  | { type: 'end'; id: number }
  | { type: 'abort'; id: number };

/** A decode error as it crosses the thread boundary: its class is what the caller judges by. */
export interface WireError {
  message: string;
  trailing?: { format: 'gzip' | 'zstd'; bytes: number };
  code?: VerifyImageError['code'];
}

export type WireHashes = Omit<BlobHashes, 'decodeError' | 'json'> & { decodeError?: WireError };

export type FromWorker =
  | { type: 'ack'; id: number; bytes: number }
  | { type: 'done'; id: number; hashes: WireHashes }
  | { type: 'failed'; id: number; message: string };

export function toWire(hashes: BlobHashes): WireHashes {
  // json is never asked of a layer; it would be copied for nothing.
  const { decodeError, ...rest } = hashes;
  delete rest.json;
  if (!decodeError) return rest;
  const wire: WireError = { message: decodeError.message };
  if (decodeError instanceof TrailingDataError) wire.trailing = { format: decodeError.format, bytes: decodeError.bytes };
  if (decodeError instanceof VerifyImageError) wire.code = decodeError.code;
  return { ...rest, decodeError: wire };
}

export function fromWire(wire: WireHashes): BlobHashes {
  const { decodeError, ...rest } = wire;
  if (!decodeError) return rest;
  let error: Error;
  if (decodeError.trailing) error = new TrailingDataError(decodeError.trailing.format, decodeError.trailing.bytes);
  else if (decodeError.code) error = new VerifyImageError(decodeError.code, decodeError.message);
  else error = new Error(decodeError.message);
  return { ...rest, decodeError: error };
}
