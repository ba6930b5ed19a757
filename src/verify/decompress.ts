// Streaming decompressors for layer blobs. gzip is node:zlib everywhere. zstd is node:zlib's
// own decoder where the runtime has it (Node 24, where the action runs), else the `zstd -dc`
// command as a child process (Node 20, where the CLI may run); both stream with backpressure
// and run off the main thread, so one layer's decompression never stalls another's download.

import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import * as zlib from 'node:zlib';
import { VerifyImageError } from '../errors.js';
import type { Compression } from './layer-media.js';

/** A writable of compressed bytes that is readable as the decompressed bytes. */
export type Decoder = Duplex;

type ZstdFactory = (options?: object) => Duplex;

/** Room for the decompressor to work on a chunk or two while the next ones download. */
const WRITE_BUFFER = 1024 * 1024;
const OUTPUT_CHUNK = 128 * 1024;

// Read through a cast: @types/node 20 does not know createZstdDecompress.
const nativeZstd = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;

/** Which zstd decoder this process would use, for logs and the report. */
export function zstdImplementation(): 'node:zlib' | 'zstd command' {
  return typeof nativeZstd === 'function' ? 'node:zlib' : 'zstd command';
}

/** A decoder for `compression`, or undefined for uncompressed layers. */
export function openDecoder(compression: Compression): Decoder | undefined {
  switch (compression) {
    case 'none':
      return undefined;
    case 'gzip':
      // gzip layers may hold several members back to back; zlib's gunzip reads them all.
      return zlib.createGunzip({ chunkSize: OUTPUT_CHUNK, writableHighWaterMark: WRITE_BUFFER } as zlib.ZlibOptions);
    case 'zstd':
      return typeof nativeZstd === 'function' ? nativeZstd({ chunkSize: OUTPUT_CHUNK, writableHighWaterMark: WRITE_BUFFER }) : zstdCommand();
  }
}

/**
 * `zstd -dc` as a duplex stream. The readable side ends only once the command has exited 0, so a
 * failing command is always an error on the stream, never a silently short output.
 */
export function zstdCommand(): Decoder {
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  // The command also decodes gzip, xz and lz4; node:zlib's decoder only zstd. Refuse what is
  // not a zstd frame up front so both runtimes judge a layer alike.
  let head: Buffer | undefined = Buffer.alloc(0);
  const decoder = new Duplex({
    writableHighWaterMark: WRITE_BUFFER,
    write(chunk: Buffer, _encoding, callback) {
      if (head) {
        head = Buffer.concat([head, chunk.subarray(0, 4)]);
        if (head.length >= 4) {
          if (!isZstdFrame(head)) return callback(new Error('zstd: not in zstd format (no zstd frame magic number)'));
          head = undefined;
        }
      }
      if (child.stdin.write(chunk)) callback();
      else child.stdin.once('drain', () => callback());
    },
    final(callback) {
      if (head && head.length > 0) return callback(new Error('zstd: input too short to be zstd'));
      child.stdin.end();
      callback();
    },
    read() {
      child.stdout.resume();
    },
    destroy(err, callback) {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      callback(err);
    },
  });
  child.stdout.on('data', (chunk: Buffer) => {
    if (!decoder.push(chunk)) child.stdout.pause();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  // zstd may exit before reading everything (bad data): the write side then sees EPIPE, which
  // the exit status below explains better.
  child.stdin.on('error', () => undefined);
  child.once('error', (err: NodeJS.ErrnoException) => {
    decoder.destroy(
      err.code === 'ENOENT'
        ? new VerifyImageError(
            'unsupported',
            'this layer is zstd-compressed and this Node.js has no zstd decoder: run on Node 24 or later, or install the zstd command (apt-get install zstd)',
          )
        : err,
    );
  });
  child.once('close', (code, signal) => {
    if (code === 0) {
      decoder.push(null);
      return;
    }
    const reason = stderr.trim().split('\n').pop()?.replace(/^zstd:\s*/, '') || (signal ? `killed by ${signal}` : `exit code ${code}`);
    decoder.destroy(new Error(`zstd: ${reason}`));
  });
  return decoder;
}

/** A zstd frame (28 B5 2F FD) or a skippable frame (5? 2A 4D 18), little-endian magic numbers. */
function isZstdFrame(head: Buffer): boolean {
  const magic = head.readUInt32LE(0);
  return magic === 0xfd2fb528 || (magic & 0xfffffff0) === 0x184d2a50;
}
