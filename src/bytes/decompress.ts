// Streaming decompressors for layer blobs, shared by deep verification and the local sources so
// both judge a blob alike. gzip is node:zlib everywhere. zstd is node:zlib's own decoder where the
// runtime has it (Node 24, where the action runs), else the `zstd -dc` command as a child process
// (Node 20, where the CLI may run); both stream with backpressure and run off the main thread, so
// one layer's decompression never stalls another's download.
//
// A blob is read the way Go reads it (containerd and Docker decompress with Go's compress/gzip and
// klauspost's zstd, then drain the stream to its end): after a gzip member or zstd frame comes
// another one (a zstd skippable frame is skipped) or nothing. node:zlib's gunzip quietly stops at
// anything else (trailing zeros) and ends the output as if the blob were complete; Go fails with
// "gzip: invalid header". We count what node:zlib consumed and refuse the rest. For zstd we walk
// the frames ourselves (zstd-frames.ts): node:zlib's decoder also stops at the end of a valid
// frame followed by another in the same write, which would refuse valid multi-frame layers
// (zstd:chunked) on Node 24 only.

import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import * as zlib from 'node:zlib';
import { VerifyImageError } from '../errors.js';
import { whenWritable } from './backpressure.js';
import { isZstdFrame, type Compression } from './compression.js';
import { ZstdFrameWalker } from './zstd-frames.js';

/** 2^29 = 512 MiB, the largest window Go's zstd reader accepts (zstd-frames.ts MAX_WINDOW). */
const WINDOW_LOG_MAX = 29;

/** A writable of compressed bytes that is readable as the decompressed bytes. */
export type Decoder = Duplex;

/** The node:zlib streams we wrap: they count the input bytes they consumed. */
type ZlibStream = Duplex & { bytesWritten: number };
type ZstdFactory = (options?: object) => ZlibStream;

/** Room for the decompressor to work on a chunk or two while the next ones download. */
const WRITE_BUFFER = 256 * 1024;
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
      return new WholeInput(zlib.createGunzip({ chunkSize: OUTPUT_CHUNK, writableHighWaterMark: WRITE_BUFFER } as zlib.ZlibOptions) as unknown as ZlibStream, 'gzip');
    case 'zstd': {
      // Both decoders stop at a 128 MiB window by default; Go's reader takes up to 512 MiB (the
      // walker refuses more), e.g. `zstd --long=28` output. The memory is allocated only when a
      // frame asks for that window, as Go does.
      const factory = nativeZstd;
      const windowLogMax = (zlib.constants as unknown as Record<string, number>).ZSTD_d_windowLogMax;
      const params = windowLogMax === undefined ? {} : { [windowLogMax]: WINDOW_LOG_MAX };
      return new ZstdFrames(
        typeof factory === 'function'
          ? () => factory({ chunkSize: OUTPUT_CHUNK, writableHighWaterMark: WRITE_BUFFER, params })
          : zstdCommand,
      );
    }
  }
}

/**
 * A zstd stream read frame after frame as Go reads it (zstd-frames.ts): the decoder sees only the
 * bytes of real frames, one frame per run of writes, and is opened on the first of them, so a
 * stream of no frames (empty, or skippable frames only) decodes to nothing as in Go. Bytes that
 * are no frame fail the stream with TrailingDataError, a stream cut inside a frame with an error.
 * node:zlib's decoder must still consume every byte it was given (it counts them): if it stopped
 * short, it and the walker disagree on a frame's end, and the stream fails.
 */
class ZstdFrames extends Duplex {
  private readonly walker = new ZstdFrameWalker();
  private inner: Decoder | undefined;
  private fedToDecoder = 0;
  /** What the decoder had consumed when its output ended (all it was fed, for the command). */
  private consumedAtEnd: number | undefined;

  constructor(private readonly open: () => Decoder | ZlibStream) {
    super({ writableHighWaterMark: WRITE_BUFFER, readableHighWaterMark: OUTPUT_CHUNK });
  }

  private decoder(): Decoder {
    if (this.inner) return this.inner;
    const inner = this.open();
    inner.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('error', (err: Error) => this.destroy(err));
    inner.once('end', () => (this.consumedAtEnd = 'bytesWritten' in inner ? inner.bytesWritten : this.fedToDecoder));
    return (this.inner = inner);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let pieces: Buffer[];
    try {
      pieces = this.walker.feed(chunk);
    } catch (err) {
      return callback(err as Error);
    }
    if (pieces.length === 0) return callback();
    const inner = this.decoder();
    let room = true;
    for (const piece of pieces) {
      this.fedToDecoder += piece.length;
      room = inner.write(piece);
    }
    if (room) return callback();
    whenWritable(inner, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    const end = this.walker.end();
    if (end.kind === 'trailing') return callback(new TrailingDataError('zstd', end.bytes));
    if (end.kind === 'not-zstd') return callback(new Error('zstd: not in zstd format (no zstd frame magic number)'));
    if (end.kind === 'truncated') return callback(new Error(`zstd: unexpected end of file inside ${end.where}`));
    const inner = this.inner;
    if (!inner) {
      this.push(null);
      return callback();
    }
    const judge = () => {
      const short = this.fedToDecoder - (this.consumedAtEnd ?? 0);
      if (short > 0) return callback(new Error(`zstd: the decoder ended ${short} bytes before the end of the last frame: this is not valid zstd data`));
      this.push(null);
      callback();
    };
    if (this.consumedAtEnd !== undefined) return judge();
    inner.once('end', judge);
    inner.end();
  }

  override _read(): void {
    this.inner?.resume();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.inner?.destroy();
    callback(err);
  }
}

/**
 * A node:zlib decoder that must consume every input byte: bytes it stopped at (it ends its output
 * early and ignores them) make the stream fail, naming how many there were.
 */
class WholeInput extends Duplex {
  private fed = 0;
  /** Input bytes the decoder had consumed when it ended its output, or undefined while it runs. */
  private consumedAtEnd: number | undefined;

  constructor(
    private readonly inner: ZlibStream,
    private readonly format: 'gzip' | 'zstd',
  ) {
    super({ writableHighWaterMark: WRITE_BUFFER, readableHighWaterMark: OUTPUT_CHUNK });
    inner.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.once('end', () => (this.consumedAtEnd = inner.bytesWritten));
    // Once the output ended, later errors ("push after EOF", a header check on the trailing
    // bytes) are symptoms of the trailing bytes, which _final names.
    inner.on('error', (err: Error) => {
      if (this.consumedAtEnd === undefined) this.destroy(err);
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.fed += chunk.length;
    // After the decoder ended its output, the rest is only counted.
    if (this.consumedAtEnd !== undefined || this.inner.write(chunk)) return callback();
    whenWritable(this.inner, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    const judge = () => {
      const consumed = this.consumedAtEnd ?? this.inner.bytesWritten;
      const trailing = this.fed - consumed;
      if (trailing > 0) return callback(new TrailingDataError(this.format, trailing));
      this.push(null);
      callback();
    };
    if (this.consumedAtEnd !== undefined) return judge();
    this.inner.once('end', judge);
    this.inner.end();
  }

  override _read(): void {
    this.inner.resume();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.destroy();
    callback(err);
  }
}

/** Bytes after the last gzip member or zstd frame: Go refuses them, node:zlib would not have. */
export class TrailingDataError extends Error {
  constructor(
    readonly format: 'gzip' | 'zstd',
    readonly bytes: number,
  ) {
    const unit = format === 'gzip' ? 'member' : 'frame';
    const go = format === 'gzip' ? `Go's gzip reader fails on them with "gzip: invalid header"` : `Go's zstd reader fails on them`;
    super(`${bytes} bytes after the last ${format} ${unit} are not another ${unit}: ${go}, so Docker and containerd cannot unpack this layer`);
  }
}

/**
 * `zstd -dc` as a duplex stream. The readable side ends only once the command has exited 0, so a
 * failing command is always an error on the stream, never a silently short output. The command
 * itself refuses bytes after the last frame.
 */
export function zstdCommand(): Decoder {
  const child = spawn('zstd', ['-dc', '-q', `--memory=${2 ** (WINDOW_LOG_MAX - 20)}MB`], { stdio: ['pipe', 'pipe', 'pipe'] });
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
