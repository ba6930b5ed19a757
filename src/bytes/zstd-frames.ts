// The frame structure of a zstd stream (RFC 8878), walked the way Go's zstd reader walks it
// (klauspost/compress, which containerd and Docker decompress layers with): frame after frame,
// skippable frames skipped, and at each frame start either another frame's magic or the end of
// input; anything else fails the read. Neither decoder we use does that for us: node:zlib's ends
// its output at the first frame end that shares a write with more bytes, and the `zstd` command
// names trailing bytes only as "unknown header". So this walker finds the frame boundaries itself:
// the decoder gets only the bytes of real frames, each frame ending a write (node:zlib's decoder
// goes on with the next frame when it starts a new write), and the walker alone decides what is
// trailing or truncated, alike on every runtime and for every chunking of the input.
//
// Only the frame header and the block headers are read here: the sizes, and the limits Go puts on
// them (a window of at most 512 MiB, the default of klauspost's decoder; no block larger than
// the window or 128 KiB; no compressed block under 2 bytes), which libzstd does not enforce the
// same way (it decodes a frame that states its content size in one pass, skipping the window
// checks, and takes an empty compressed block). The content is the decoder's to check. A boundary
// found too early or too late makes the decoder fail, never pass.

/** zstd frame magic, little-endian: 28 B5 2F FD. */
const FRAME_MAGIC = 0xfd2fb528;
/** Skippable frames: 50..5F 2A 4D 18, little-endian. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Block_Type 3 is reserved: no decoder can size or read it. */
const RESERVED_BLOCK = 3;
const COMPRESSED_BLOCK = 2;
/** The largest window klauspost's decoder accepts by default (WithDecoderMaxWindow): 512 MiB. */
export const MAX_WINDOW = 2 ** 29;
/** Block_Maximum_Size: no block holds more, whatever the window. */
const MAX_BLOCK = 128 * 1024;
/** Window_Size of a single-segment frame is its content size, but at least 1 KiB (Go: MinWindowSize). */
const MIN_WINDOW = 1024;

type State =
  | 'magic' // 4 bytes at a frame start
  | 'skip-size' // 4-byte little-endian size of a skippable frame
  | 'skip-body' // that many bytes, dropped
  | 'descriptor' // Frame_Header_Descriptor, 1 byte
  | 'header-rest' // window descriptor, dictionary id, content size: 0-13 bytes
  | 'block-header' // 3 bytes
  | 'block-body'
  | 'checksum' // 4 bytes, when the descriptor says so
  | 'trailing'; // not a frame: everything from here on is counted

/** How a zstd stream ended: cleanly after its last frame, with bytes that are no frame, or cut short. */
export type FrameEnd =
  | { kind: 'complete' }
  | { kind: 'not-zstd' } // no frame at all: the stream does not start with a frame's magic
  | { kind: 'trailing'; bytes: number }
  | { kind: 'truncated'; where: string };

/** A walk over one zstd stream; feed it the input in any chunking. */
export class ZstdFrameWalker {
  private state: State = 'magic';
  /** A fixed-size field being gathered across chunks (magic, sizes, block header). */
  private field = Buffer.alloc(16);
  private fieldLength = 0;
  /** Bytes left in the opaque part of this state (header rest, block body, checksum, skipped body). */
  private remaining = 0;
  private lastBlock = false;
  private hasChecksum = false;
  /** From the Frame_Header_Descriptor, for reading the rest of the header. */
  private singleSegment = false;
  private dictionaryBytes = 0;
  private contentSizeBytes = 0;
  /** Bytes of the header after the descriptor. */
  private headerRest = 0;
  /** Window_Size of the current frame. */
  private window = 0;
  private trailing = 0;
  /** A frame or skippable frame began: what fails now is trailing, not the whole stream. */
  private sawFrame = false;

  /**
   * Takes the next input bytes; returns the bytes for the decoder, in order, as pieces to write one
   * by one: a piece never runs past the end of a frame. Throws on a block no decoder can read.
   */
  feed(chunk: Buffer): Buffer[] {
    const pieces: Buffer[] = [];
    let at = 0;
    /** Start of the current run of frame bytes in `chunk`, not yet handed out. */
    let run = -1;
    const closeRun = (end: number) => {
      if (run >= 0 && end > run) pieces.push(chunk.subarray(run, end));
      run = -1;
    };
    while (at < chunk.length) {
      if (this.state === 'trailing') {
        this.trailing += chunk.length - at;
        break;
      }
      if (this.state === 'skip-body' || this.state === 'block-body' || this.state === 'checksum') {
        const take = Math.min(this.remaining, chunk.length - at);
        if (this.state !== 'skip-body' && run < 0) run = at;
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.afterOpaque(() => closeRun(at));
        continue;
      }
      // A fixed-size field: gather it, possibly across chunks.
      const size = this.state === 'magic' || this.state === 'skip-size' ? 4 : this.state === 'descriptor' ? 1 : this.state === 'header-rest' ? this.headerRest : 3;
      const take = Math.min(size - this.fieldLength, chunk.length - at);
      chunk.copy(this.field, this.fieldLength, at, at + take);
      this.fieldLength += take;
      const fieldStart = at;
      at += take;
      if (this.fieldLength < size) {
        // The field goes on in the next chunk. Frame bytes are handed out only once the magic
        // says they are a frame's; a frame's own fields may go now.
        if (this.state !== 'magic' && this.state !== 'skip-size' && run < 0) run = fieldStart;
        continue;
      }
      this.fieldLength = 0;
      if (this.state === 'magic') {
        const magic = this.field.readUInt32LE(0);
        if (magic === FRAME_MAGIC || (magic & SKIPPABLE_MASK) === SKIPPABLE_MAGIC) this.sawFrame = true;
        if (magic === FRAME_MAGIC) {
          // The magic may have been split over chunks: hand it out whole, as its own piece.
          closeRun(fieldStart);
          pieces.push(Buffer.from(this.field.subarray(0, 4)));
          this.state = 'descriptor';
        } else if ((magic & SKIPPABLE_MASK) === SKIPPABLE_MAGIC) {
          this.state = 'skip-size';
        } else {
          this.state = 'trailing';
          this.trailing = 4 + (chunk.length - at);
          break;
        }
        continue;
      }
      if (this.state === 'skip-size') {
        this.remaining = this.field.readUInt32LE(0);
        this.state = 'skip-body';
        if (this.remaining === 0) this.state = 'magic';
        continue;
      }
      if (run < 0) run = fieldStart;
      if (this.state === 'descriptor') {
        const descriptor = this.field[0] as number;
        this.singleSegment = (descriptor & 0x20) !== 0;
        this.dictionaryBytes = [0, 1, 2, 4][descriptor & 0x03] as number;
        this.contentSizeBytes = [this.singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6] as number;
        this.hasChecksum = (descriptor & 0x04) !== 0;
        // Never 0: a frame has a window descriptor or (single segment) a content size.
        this.headerRest = (this.singleSegment ? 0 : 1) + this.dictionaryBytes + this.contentSizeBytes;
        this.state = 'header-rest';
        continue;
      }
      if (this.state === 'header-rest') {
        this.window = this.frameWindow();
        if (this.window > MAX_WINDOW) throw new Error(`zstd: a frame asks for a ${this.window}-byte window, more than the 512 MiB Docker's and containerd's zstd reader accepts`);
        this.state = 'block-header';
        continue;
      }
      // block-header: Last_Block (1 bit), Block_Type (2 bits), Block_Size (21 bits), little-endian.
      const header = this.field[0] | (this.field[1] << 8) | (this.field[2] << 16);
      const type = (header >> 1) & 0x03;
      if (type === RESERVED_BLOCK) throw new Error('zstd: a block of the reserved type 3: this is not valid zstd data');
      this.lastBlock = (header & 1) === 1;
      const blockSize = header >>> 3;
      const limit = Math.min(this.window, MAX_BLOCK);
      if (blockSize > limit) throw new Error(`zstd: a block of ${blockSize} bytes in a frame whose blocks may hold at most ${limit}: this is not valid zstd data`);
      if (type === COMPRESSED_BLOCK && blockSize < 2) throw new Error(`zstd: a compressed block of ${blockSize} bytes (at least 2 are needed): this is not valid zstd data`);
      // An RLE block holds one byte, repeated Block_Size times on output.
      this.remaining = type === 1 ? 1 : blockSize;
      this.state = 'block-body';
      if (this.remaining === 0) this.afterOpaque(() => closeRun(at));
    }
    closeRun(at);
    return pieces;
  }

  /** Window_Size from the header after the descriptor (RFC 8878 3.1.1.1.2; single segment: the content size). */
  private frameWindow(): number {
    const rest = this.field;
    if (!this.singleSegment) {
      const exponent = (rest[0] as number) >> 3;
      const mantissa = (rest[0] as number) & 0x07;
      const base = 2 ** (10 + exponent);
      return base + (base / 8) * mantissa;
    }
    const at = this.dictionaryBytes;
    let contentSize: number;
    switch (this.contentSizeBytes) {
      case 1:
        contentSize = rest.readUInt8(at);
        break;
      case 2:
        contentSize = rest.readUInt16LE(at) + 256;
        break;
      case 4:
        contentSize = rest.readUInt32LE(at);
        break;
      default:
        contentSize = Number(rest.readBigUInt64LE(at));
    }
    return Math.max(contentSize, MIN_WINDOW);
  }

  /** Where the walk goes once the opaque part of the current state is through. */
  private afterOpaque(frameEnded: () => void): void {
    const endFrame = () => {
      frameEnded();
      this.state = 'magic';
    };
    switch (this.state) {
      case 'skip-body':
        this.state = 'magic';
        return;
      case 'block-body':
        if (!this.lastBlock) this.state = 'block-header';
        else if (this.hasChecksum) {
          this.state = 'checksum';
          this.remaining = 4;
        } else endFrame();
        return;
      case 'checksum':
        endFrame();
        return;
    }
  }

  /** How the input ended, once all of it was fed. */
  end(): FrameEnd {
    const trailing = this.state === 'trailing' ? this.trailing : this.state === 'magic' ? this.fieldLength : 0;
    // Fewer than 4 bytes where a frame would start are no frame either.
    if (trailing > 0) return this.sawFrame ? { kind: 'trailing', bytes: trailing } : { kind: 'not-zstd' };
    if (this.state === 'magic') return { kind: 'complete' };
    const where = this.state === 'skip-size' || this.state === 'skip-body' ? 'a skippable frame' : 'a frame';
    return { kind: 'truncated', where };
  }
}
