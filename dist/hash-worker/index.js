import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:stream/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./src/oci/digest.ts
// Content digests: `algorithm:hex` of the exact bytes. We always hash what we received, never a
// re-serialisation, because JSON round-trips change bytes and so change digests.

const NODE_ALGORITHMS = { sha256: 'sha256', sha512: 'sha512' };
function digestAlgorithm(digest) {
    const algorithm = digest.slice(0, digest.indexOf(':'));
    return NODE_ALGORITHMS[algorithm] ? algorithm : 'sha256';
}
function createDigester(algorithm = 'sha256') {
    return (0,external_node_crypto_namespaceObject.createHash)(NODE_ALGORITHMS[algorithm] ?? 'sha256');
}
/** Digest of bytes, using the same algorithm as `like` (a digest we compare against) when given. */
function digestOf(bytes, like) {
    const algorithm = like ? digestAlgorithm(like) : 'sha256';
    return `${algorithm}:${createDigester(algorithm).update(bytes).digest('hex')}`;
}
/** `sha256:0123456789ab` \u2014 enough to tell layers apart in a table. */
function shortDigest(digest, length = 12) {
    if (!digest)
        return '';
    const i = digest.indexOf(':');
    return i < 0 ? digest.slice(0, length) : `${digest.slice(0, i + 1)}${digest.slice(i + 1, i + 1 + length)}`;
}

;// CONCATENATED MODULE: ./src/bytes/backpressure.ts
// Waiting for a full stream: every writer in the byte pass (the download into the hasher, the
// hasher into its decoder, the decoder wrapper into node:zlib) pauses on the same condition.
/** Why a full stream lets its writer go on: it drained, or it never will (it failed, closed or ended). */
const WRITABLE_AGAIN = ['drain', 'error', 'close', 'end'];
/** Calls `go` once, when `stream` wants more input or never will; the outcome itself is seen elsewhere. */
function whenWritable(stream, go) {
    const once = () => {
        for (const event of WRITABLE_AGAIN)
            stream.off(event, once);
        go();
    };
    for (const event of WRITABLE_AGAIN)
        stream.on(event, once);
}

;// CONCATENATED MODULE: ./src/bytes/compression.ts
// How a blob is compressed, as its first bytes say: the one place that knows the gzip and zstd
// magic numbers. A media type only claims a compression (media-type.ts): deep verification decodes
// a layer as its manifest claims and fails it when the bytes are not that; the local side reads a
// blob as what its bytes are and refuses it when its media type says otherwise.
/** Bytes a blob must have begun with before its compression can be told. */
const SNIFF_BYTES = 4;
/** gzip member magic (RFC 1952): 1F 8B. */
const GZIP_MAGIC = [0x1f, 0x8b];
/** zstd frame magic (RFC 8878), little-endian: 28 B5 2F FD. */
const ZSTD_MAGIC = 0xfd2fb528;
/** zstd skippable frames: 50..5F 2A 4D 18, little-endian. */
const ZSTD_SKIPPABLE_MASK = 0xfffffff0;
const ZSTD_SKIPPABLE_MAGIC = 0x184d2a50;
/** The compression a blob's first bytes announce: gzip and zstd magic numbers, else none. */
function sniffCompression(head) {
    if (head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1])
        return 'gzip';
    if (head.length >= 4 && head.readUInt32LE(0) === ZSTD_MAGIC)
        return 'zstd';
    return 'none';
}
/** A zstd frame or a skippable frame: what a zstd stream may start with. */
function isZstdFrame(head) {
    if (head.length < 4)
        return false;
    const magic = head.readUInt32LE(0);
    return magic === ZSTD_MAGIC || (magic & ZSTD_SKIPPABLE_MASK) === ZSTD_SKIPPABLE_MAGIC;
}

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: ./src/errors.ts
// One error type for everything a user can act on. Its message is a single line that says what
// went wrong and what to do; entry points print it as is, never a stack trace. A message that
// names an option (`the platform input`) is written once, as a function of how the entry point
// names options: the action by its inputs, the CLI by its flags (`--platform`), so one validation
// speaks to both.
/** The action's words: its inputs, as action.yml names them. */
const ACTION_WORDS = {
    name: (option) => (option === 'credentials' ? 'username and password' : option),
    phrase: (option) => (option === 'credentials' ? 'the username and password inputs' : `the ${option} input`),
    setting: (option, value) => `${option}: ${value}`,
    cli: false,
};
class errors_VerifyImageError extends Error {
    code;
    worded;
    constructor(code, message) {
        super(oneLine(typeof message === 'string' ? message : message(ACTION_WORDS)));
        this.name = 'VerifyImageError';
        this.code = code;
        this.worded = typeof message === 'string' ? undefined : message;
    }
    /** The message with each option named in `words` (the action's are in `message`). */
    messageFor(words) {
        return this.worded ? oneLine(this.worded(words)) : this.message;
    }
}
function oneLine(text) {
    return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
/** The one line an entry point prints for any thrown value, naming options in its words. */
function describeError(err, words = ACTION_WORDS) {
    if (err instanceof errors_VerifyImageError)
        return err.messageFor(words);
    if (err instanceof Error)
        return oneLine(`unexpected error: ${err.message} (please report this with the step's log)`);
    return oneLine(`unexpected error: ${String(err)} (please report this with the step's log)`);
}

;// CONCATENATED MODULE: ./src/bytes/zstd-frames.ts
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
const MAX_WINDOW = 2 ** 29;
/** Block_Maximum_Size: no block holds more, whatever the window. */
const MAX_BLOCK = 128 * 1024;
/** Window_Size of a single-segment frame is its content size, but at least 1 KiB (Go: MinWindowSize). */
const MIN_WINDOW = 1024;
/** A walk over one zstd stream; feed it the input in any chunking. */
class ZstdFrameWalker {
    state = 'magic';
    /** A fixed-size field being gathered across chunks (magic, sizes, block header). */
    field = Buffer.alloc(16);
    fieldLength = 0;
    /** Bytes left in the opaque part of this state (header rest, block body, checksum, skipped body). */
    remaining = 0;
    lastBlock = false;
    hasChecksum = false;
    /** From the Frame_Header_Descriptor, for reading the rest of the header. */
    singleSegment = false;
    dictionaryBytes = 0;
    contentSizeBytes = 0;
    /** Bytes of the header after the descriptor. */
    headerRest = 0;
    /** Window_Size of the current frame. */
    window = 0;
    trailing = 0;
    /** A frame or skippable frame began: what fails now is trailing, not the whole stream. */
    sawFrame = false;
    /**
     * Takes the next input bytes; returns the bytes for the decoder, in order, as pieces to write one
     * by one: a piece never runs past the end of a frame. Throws on a block no decoder can read.
     */
    feed(chunk) {
        const pieces = [];
        let at = 0;
        /** Start of the current run of frame bytes in `chunk`, not yet handed out. */
        let run = -1;
        const closeRun = (end) => {
            if (run >= 0 && end > run)
                pieces.push(chunk.subarray(run, end));
            run = -1;
        };
        while (at < chunk.length) {
            if (this.state === 'trailing') {
                this.trailing += chunk.length - at;
                break;
            }
            if (this.state === 'skip-body' || this.state === 'block-body' || this.state === 'checksum') {
                const take = Math.min(this.remaining, chunk.length - at);
                if (this.state !== 'skip-body' && run < 0)
                    run = at;
                at += take;
                this.remaining -= take;
                if (this.remaining === 0)
                    this.afterOpaque(() => closeRun(at));
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
                if (this.state !== 'magic' && this.state !== 'skip-size' && run < 0)
                    run = fieldStart;
                continue;
            }
            this.fieldLength = 0;
            if (this.state === 'magic') {
                const magic = this.field.readUInt32LE(0);
                if (magic === FRAME_MAGIC || (magic & SKIPPABLE_MASK) === SKIPPABLE_MAGIC)
                    this.sawFrame = true;
                if (magic === FRAME_MAGIC) {
                    // The magic may have been split over chunks: hand it out whole, as its own piece.
                    closeRun(fieldStart);
                    pieces.push(Buffer.from(this.field.subarray(0, 4)));
                    this.state = 'descriptor';
                }
                else if ((magic & SKIPPABLE_MASK) === SKIPPABLE_MAGIC) {
                    this.state = 'skip-size';
                }
                else {
                    this.state = 'trailing';
                    this.trailing = 4 + (chunk.length - at);
                    break;
                }
                continue;
            }
            if (this.state === 'skip-size') {
                this.remaining = this.field.readUInt32LE(0);
                this.state = 'skip-body';
                if (this.remaining === 0)
                    this.state = 'magic';
                continue;
            }
            if (run < 0)
                run = fieldStart;
            if (this.state === 'descriptor') {
                const descriptor = this.field[0];
                this.singleSegment = (descriptor & 0x20) !== 0;
                this.dictionaryBytes = [0, 1, 2, 4][descriptor & 0x03];
                this.contentSizeBytes = [this.singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6];
                this.hasChecksum = (descriptor & 0x04) !== 0;
                // Never 0: a frame has a window descriptor or (single segment) a content size.
                this.headerRest = (this.singleSegment ? 0 : 1) + this.dictionaryBytes + this.contentSizeBytes;
                this.state = 'header-rest';
                continue;
            }
            if (this.state === 'header-rest') {
                this.window = this.frameWindow();
                if (this.window > MAX_WINDOW)
                    throw new Error(`zstd: a frame asks for a ${this.window}-byte window, more than the 512 MiB Docker's and containerd's zstd reader accepts`);
                this.state = 'block-header';
                continue;
            }
            // block-header: Last_Block (1 bit), Block_Type (2 bits), Block_Size (21 bits), little-endian.
            const header = this.field[0] | (this.field[1] << 8) | (this.field[2] << 16);
            const type = (header >> 1) & 0x03;
            if (type === RESERVED_BLOCK)
                throw new Error('zstd: a block of the reserved type 3: this is not valid zstd data');
            this.lastBlock = (header & 1) === 1;
            const blockSize = header >>> 3;
            const limit = Math.min(this.window, MAX_BLOCK);
            if (blockSize > limit)
                throw new Error(`zstd: a block of ${blockSize} bytes in a frame whose blocks may hold at most ${limit}: this is not valid zstd data`);
            if (type === COMPRESSED_BLOCK && blockSize < 2)
                throw new Error(`zstd: a compressed block of ${blockSize} bytes (at least 2 are needed): this is not valid zstd data`);
            // An RLE block holds one byte, repeated Block_Size times on output.
            this.remaining = type === 1 ? 1 : blockSize;
            this.state = 'block-body';
            if (this.remaining === 0)
                this.afterOpaque(() => closeRun(at));
        }
        closeRun(at);
        return pieces;
    }
    /** Window_Size from the header after the descriptor (RFC 8878 3.1.1.1.2; single segment: the content size). */
    frameWindow() {
        const rest = this.field;
        if (!this.singleSegment) {
            const exponent = rest[0] >> 3;
            const mantissa = rest[0] & 0x07;
            const base = 2 ** (10 + exponent);
            return base + (base / 8) * mantissa;
        }
        const at = this.dictionaryBytes;
        let contentSize;
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
    afterOpaque(frameEnded) {
        const endFrame = () => {
            frameEnded();
            this.state = 'magic';
        };
        switch (this.state) {
            case 'skip-body':
                this.state = 'magic';
                return;
            case 'block-body':
                if (!this.lastBlock)
                    this.state = 'block-header';
                else if (this.hasChecksum) {
                    this.state = 'checksum';
                    this.remaining = 4;
                }
                else
                    endFrame();
                return;
            case 'checksum':
                endFrame();
                return;
        }
    }
    /** How the input ended, once all of it was fed. */
    end() {
        const trailing = this.state === 'trailing' ? this.trailing : this.state === 'magic' ? this.fieldLength : 0;
        // Fewer than 4 bytes where a frame would start are no frame either.
        if (trailing > 0)
            return this.sawFrame ? { kind: 'trailing', bytes: trailing } : { kind: 'not-zstd' };
        if (this.state === 'magic')
            return { kind: 'complete' };
        const where = this.state === 'skip-size' || this.state === 'skip-body' ? 'a skippable frame' : 'a frame';
        return { kind: 'truncated', where };
    }
}

;// CONCATENATED MODULE: ./src/bytes/decompress.ts
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







/** 2^29 = 512 MiB, the largest window Go's zstd reader accepts (zstd-frames.ts MAX_WINDOW). */
const WINDOW_LOG_MAX = 29;
/** Room for the decompressor to work on a chunk or two while the next ones download. */
const WRITE_BUFFER = 256 * 1024;
const OUTPUT_CHUNK = 128 * 1024;
// Read through a cast: @types/node 20 does not know createZstdDecompress.
const nativeZstd = external_node_zlib_namespaceObject.createZstdDecompress;
/** Which zstd decoder this process would use, for logs and the report. */
function zstdImplementation() {
    return typeof nativeZstd === 'function' ? 'node:zlib' : 'zstd command';
}
/** A decoder for `compression`, or undefined for uncompressed layers. */
function openDecoder(compression) {
    switch (compression) {
        case 'none':
            return undefined;
        case 'gzip':
            // gzip layers may hold several members back to back; zlib's gunzip reads them all.
            return new WholeInput(external_node_zlib_namespaceObject.createGunzip({ chunkSize: OUTPUT_CHUNK, writableHighWaterMark: WRITE_BUFFER }), 'gzip');
        case 'zstd': {
            // Both decoders stop at a 128 MiB window by default; Go's reader takes up to 512 MiB (the
            // walker refuses more), e.g. `zstd --long=28` output. The memory is allocated only when a
            // frame asks for that window, as Go does.
            const factory = nativeZstd;
            const windowLogMax = external_node_zlib_namespaceObject.constants.ZSTD_d_windowLogMax;
            const params = windowLogMax === undefined ? {} : { [windowLogMax]: WINDOW_LOG_MAX };
            return new ZstdFrames(typeof factory === 'function'
                ? () => factory({ chunkSize: OUTPUT_CHUNK, writableHighWaterMark: WRITE_BUFFER, params })
                : zstdCommand);
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
class ZstdFrames extends external_node_stream_namespaceObject.Duplex {
    open;
    walker = new ZstdFrameWalker();
    inner;
    fedToDecoder = 0;
    /** What the decoder had consumed when its output ended (all it was fed, for the command). */
    consumedAtEnd;
    constructor(open) {
        super({ writableHighWaterMark: WRITE_BUFFER, readableHighWaterMark: OUTPUT_CHUNK });
        this.open = open;
    }
    decoder() {
        if (this.inner)
            return this.inner;
        const inner = this.open();
        inner.on('data', (chunk) => {
            if (!this.push(chunk))
                inner.pause();
        });
        inner.on('error', (err) => this.destroy(err));
        inner.once('end', () => (this.consumedAtEnd = 'bytesWritten' in inner ? inner.bytesWritten : this.fedToDecoder));
        return (this.inner = inner);
    }
    _write(chunk, _encoding, callback) {
        let pieces;
        try {
            pieces = this.walker.feed(chunk);
        }
        catch (err) {
            return callback(err);
        }
        if (pieces.length === 0)
            return callback();
        const inner = this.decoder();
        let room = true;
        for (const piece of pieces) {
            this.fedToDecoder += piece.length;
            room = inner.write(piece);
        }
        if (room)
            return callback();
        whenWritable(inner, () => callback());
    }
    _final(callback) {
        const end = this.walker.end();
        if (end.kind === 'trailing')
            return callback(new decompress_TrailingDataError('zstd', end.bytes));
        if (end.kind === 'not-zstd')
            return callback(new Error('zstd: not in zstd format (no zstd frame magic number)'));
        if (end.kind === 'truncated')
            return callback(new Error(`zstd: unexpected end of file inside ${end.where}`));
        const inner = this.inner;
        if (!inner) {
            this.push(null);
            return callback();
        }
        const judge = () => {
            const short = this.fedToDecoder - (this.consumedAtEnd ?? 0);
            if (short > 0)
                return callback(new Error(`zstd: the decoder ended ${short} bytes before the end of the last frame: this is not valid zstd data`));
            this.push(null);
            callback();
        };
        if (this.consumedAtEnd !== undefined)
            return judge();
        inner.once('end', judge);
        inner.end();
    }
    _read() {
        this.inner?.resume();
    }
    _destroy(err, callback) {
        this.inner?.destroy();
        callback(err);
    }
}
/**
 * A node:zlib decoder that must consume every input byte: bytes it stopped at (it ends its output
 * early and ignores them) make the stream fail, naming how many there were.
 */
class WholeInput extends external_node_stream_namespaceObject.Duplex {
    inner;
    format;
    fed = 0;
    /** Input bytes the decoder had consumed when it ended its output, or undefined while it runs. */
    consumedAtEnd;
    constructor(inner, format) {
        super({ writableHighWaterMark: WRITE_BUFFER, readableHighWaterMark: OUTPUT_CHUNK });
        this.inner = inner;
        this.format = format;
        inner.on('data', (chunk) => {
            if (!this.push(chunk))
                inner.pause();
        });
        inner.once('end', () => (this.consumedAtEnd = inner.bytesWritten));
        // Once the output ended, later errors ("push after EOF", a header check on the trailing
        // bytes) are symptoms of the trailing bytes, which _final names.
        inner.on('error', (err) => {
            if (this.consumedAtEnd === undefined)
                this.destroy(err);
        });
    }
    _write(chunk, _encoding, callback) {
        this.fed += chunk.length;
        // After the decoder ended its output, the rest is only counted.
        if (this.consumedAtEnd !== undefined || this.inner.write(chunk))
            return callback();
        whenWritable(this.inner, () => callback());
    }
    _final(callback) {
        const judge = () => {
            const consumed = this.consumedAtEnd ?? this.inner.bytesWritten;
            const trailing = this.fed - consumed;
            if (trailing > 0)
                return callback(new decompress_TrailingDataError(this.format, trailing));
            this.push(null);
            callback();
        };
        if (this.consumedAtEnd !== undefined)
            return judge();
        this.inner.once('end', judge);
        this.inner.end();
    }
    _read() {
        this.inner.resume();
    }
    _destroy(err, callback) {
        this.inner.destroy();
        callback(err);
    }
}
/** Bytes after the last gzip member or zstd frame: Go refuses them, node:zlib would not have. */
class decompress_TrailingDataError extends Error {
    format;
    bytes;
    constructor(format, bytes) {
        const unit = format === 'gzip' ? 'member' : 'frame';
        const go = format === 'gzip' ? `Go's gzip reader fails on them with "gzip: invalid header"` : `Go's zstd reader fails on them`;
        super(`${bytes} bytes after the last ${format} ${unit} are not another ${unit}: ${go}, so Docker and containerd cannot unpack this layer`);
        this.format = format;
        this.bytes = bytes;
    }
}
/**
 * `zstd -dc` as a duplex stream. The readable side ends only once the command has exited 0, so a
 * failing command is always an error on the stream, never a silently short output. The command
 * itself refuses bytes after the last frame.
 */
function zstdCommand() {
    const child = (0,external_node_child_process_namespaceObject.spawn)('zstd', ['-dc', '-q', `--memory=${2 ** (WINDOW_LOG_MAX - 20)}MB`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    // The command also decodes gzip, xz and lz4; node:zlib's decoder only zstd. Refuse what is
    // not a zstd frame up front so both runtimes judge a layer alike.
    let head = Buffer.alloc(0);
    const decoder = new external_node_stream_namespaceObject.Duplex({
        writableHighWaterMark: WRITE_BUFFER,
        write(chunk, _encoding, callback) {
            if (head) {
                head = Buffer.concat([head, chunk.subarray(0, 4)]);
                if (head.length >= 4) {
                    if (!isZstdFrame(head))
                        return callback(new Error('zstd: not in zstd format (no zstd frame magic number)'));
                    head = undefined;
                }
            }
            if (child.stdin.write(chunk))
                callback();
            else
                child.stdin.once('drain', () => callback());
        },
        final(callback) {
            if (head && head.length > 0)
                return callback(new Error('zstd: input too short to be zstd'));
            child.stdin.end();
            callback();
        },
        read() {
            child.stdout.resume();
        },
        destroy(err, callback) {
            if (child.exitCode === null && child.signalCode === null)
                child.kill();
            callback(err);
        },
    });
    child.stdout.on('data', (chunk) => {
        if (!decoder.push(chunk))
            child.stdout.pause();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
        stderr = (stderr + text).slice(-2000);
    });
    // zstd may exit before reading everything (bad data): the write side then sees EPIPE, which
    // the exit status below explains better.
    child.stdin.on('error', () => undefined);
    child.once('error', (err) => {
        decoder.destroy(err.code === 'ENOENT'
            ? new errors_VerifyImageError('unsupported', 'this layer is zstd-compressed and this Node.js has no zstd decoder: run on Node 24 or later, or install the zstd command (apt-get install zstd)')
            : err);
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

;// CONCATENATED MODULE: ./src/bytes/layer-index.ts
// What is inside one layer, read from its uncompressed tar stream as it flows past. Nothing is
// written to disk and file contents are skipped by arithmetic, not copied. The result is a compact
// index of entries (path, kind, size) plus counts; whiteouts follow the OCI image spec's layer
// changeset rules (`.wh.NAME` deletes NAME below, `.wh..wh..opq` makes a directory opaque).
//
// The headers are walked as Go's archive/tar reads them, because that is what Docker and
// containerd unpack: the same checksum and numeric-field rules, PAX (`x`) and GNU long-name
// (`L`, `K`) headers applied to the next entry, global PAX headers (`g`) ignored, no body for
// links, devices, fifos and directories whatever their size field says, a zero block followed by
// a non-zero one refused. Go stops at the end-of-archive marker (two zero blocks); the runtime then
// drains the rest of the stream into the diff_id and never looks at it. So do we: bytes after the
// marker are counted, never parsed, which keeps the cost of a layer linear in its bytes and the
// memory flat however much follows.
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
/** `./usr/bin/` \u2192 `usr/bin`; the root is ''. */
function normalizeEntryPath(path) {
    let p = path.replace(/\\/g, '/');
    p = p.replace(/\/{2,}/g, '/');
    while (p.startsWith('./'))
        p = p.slice(2);
    p = p.replace(/^\/+/, '').replace(/\/+$/, '');
    if (p === '.')
        return '';
    return p;
}
function emptyCounts() {
    return { files: 0, directories: 0, symlinks: 0, hardlinks: 0, others: 0, whiteouts: 0, opaqueDirs: 0, fileBytes: 0 };
}
const BLOCK = 512;
/** Go's archive/tar caps a PAX or GNU long-name body at 1 MiB (maxSpecialFileSize). */
const SPECIAL_CAP = 1024 * 1024;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
/**
 * A write-only sink for an uncompressed layer tar. `write` never holds more than a header block
 * (or a PAX/long-name body, at most 1 MiB, as Go allows); `end()` resolves with the contents or
 * rejects when the stream is not a tar Go would unpack.
 */
class LayerIndexer {
    counts = emptyCounts();
    paths = [];
    kinds = [];
    sizes = [];
    problem;
    phase = 'header';
    /** A header block split across chunks. */
    partial = Buffer.alloc(BLOCK);
    partialFill = 0;
    /** Body bytes (with padding) still to skip. */
    skip = 0;
    special;
    /** PAX records and GNU long name waiting for the entry they describe. */
    pax;
    longName;
    /** Body to skip after a GNU sparse header's extension blocks. */
    sparseBody = 0;
    /** Bytes the header walker consumed: the archive up to and including its end marker. */
    walked = 0;
    after = 0;
    /** Bytes handed to the header walker so far; nothing after the end-of-archive marker. */
    get parsedBytes() {
        return this.walked;
    }
    /** Feeds uncompressed bytes; synchronous, so there is no backpressure to honour. */
    write(chunk) {
        if (this.problem)
            return;
        if (this.phase === 'end') {
            this.after += chunk.length;
            return;
        }
        let i = 0;
        while (i < chunk.length && !this.problem) {
            if (this.phase === 'end') {
                this.after += chunk.length - i;
                break;
            }
            if (this.phase === 'body') {
                const n = Math.min(this.skip, chunk.length - i);
                this.skip -= n;
                i += n;
                this.walked += n;
                if (this.skip === 0)
                    this.phase = 'header';
                continue;
            }
            if (this.phase === 'special') {
                i += this.collect(chunk.subarray(i));
                continue;
            }
            // A block phase: take a whole block from the chunk when it holds one, else assemble it.
            let block;
            if (this.partialFill === 0 && chunk.length - i >= BLOCK) {
                block = chunk.subarray(i, i + BLOCK);
                i += BLOCK;
                this.walked += BLOCK;
            }
            else {
                const n = Math.min(BLOCK - this.partialFill, chunk.length - i);
                chunk.copy(this.partial, this.partialFill, i, i + n);
                this.partialFill += n;
                i += n;
                this.walked += n;
                if (this.partialFill < BLOCK)
                    break;
                this.partialFill = 0;
                block = this.partial;
            }
            this.onBlock(block);
        }
    }
    /** Ends the stream; resolves with the contents, or rejects when the archive is not one Go would read. */
    end() {
        if (!this.problem) {
            if (this.partialFill > 0 || this.phase === 'body' || this.phase === 'special' || this.phase === 'sparse') {
                this.problem = `the archive ends inside an entry at byte ${this.walked} (truncated tar)`;
            }
        }
        if (this.problem)
            return Promise.reject(new Error(this.problem));
        if (this.after > 0)
            this.counts.bytesAfterEnd = this.after;
        return Promise.resolve({ counts: this.counts, index: { paths: this.paths, kinds: this.kinds.join(''), sizes: this.sizes } });
    }
    fail(message) {
        this.problem ??= `${message} at byte ${this.walked - BLOCK}`;
    }
    onBlock(block) {
        switch (this.phase) {
            case 'header':
                if (block.equals(ZERO_BLOCK))
                    this.phase = 'zero';
                else
                    this.onHeader(block);
                return;
            case 'zero':
                // Go: two zero blocks end the archive; a zero block and then anything else is an invalid header.
                if (block.equals(ZERO_BLOCK))
                    this.phase = 'end';
                else
                    this.fail('a zero block followed by a non-zero block (Go reads this as an invalid header, not as the end of the archive)');
                return;
            case 'sparse':
                // Old GNU sparse extension blocks: 21 entries of 24 bytes, then the "more follow" flag.
                if (block[504] === 0)
                    this.startBody(this.sparseBody);
                return;
        }
    }
    onHeader(block) {
        const format = headerFormat(block);
        if (!format)
            return this.fail('invalid tar header (bad checksum or not a tar header)');
        const fields = new Fields();
        let name = cString(block, 0, 100);
        let type = String.fromCharCode(block[156] ?? 0);
        let size = fields.numeric(block, 124, 136);
        fields.numeric(block, 100, 108); // mode
        fields.numeric(block, 108, 116); // uid
        fields.numeric(block, 116, 124); // gid
        fields.numeric(block, 136, 148); // mtime
        let prefix = '';
        if (format !== 'v7') {
            fields.numeric(block, 329, 337); // devmajor
            fields.numeric(block, 337, 345); // devminor
            if (format === 'ustar')
                prefix = cString(block, 345, 500);
            else if (format === 'star') {
                prefix = cString(block, 345, 476);
                fields.numeric(block, 476, 488);
                fields.numeric(block, 488, 500);
            }
            else {
                // GNU atime/ctime; Go < 1.8 wrote a USTAR prefix there, which Go still reads as one.
                const times = new Fields();
                if (block[345] !== 0)
                    times.numeric(block, 345, 357);
                if (block[357] !== 0)
                    times.numeric(block, 357, 369);
                if (times.bad) {
                    const old = cString(block, 345, 500);
                    if (![...old].some((ch) => ch.charCodeAt(0) >= 0x80))
                        prefix = old;
                }
            }
        }
        if (prefix)
            name = `${prefix}/${name}`;
        if (fields.bad)
            return this.fail('invalid tar header (a numeric field is not a number)');
        if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
            if (size < 0 || size > SPECIAL_CAP)
                return this.fail(`a ${type} header of ${size} bytes (Go refuses more than 1 MiB)`);
            this.special = { type, parts: [], need: size, skip: padding(size) };
            this.phase = size + padding(size) > 0 ? 'special' : 'header';
            if (this.phase === 'header')
                this.endSpecial();
            return;
        }
        const pax = this.pax;
        if (pax?.has('path'))
            name = pax.get('path');
        if (pax?.has('size')) {
            const value = pax.get('size');
            size = /^[0-9]+$/.test(value) ? Number(value) : NaN;
            if (!Number.isSafeInteger(size))
                return this.fail(`invalid PAX size "${value.slice(0, 40)}"`);
        }
        // Go: an empty long name (or one that starts with NUL) leaves the entry its own name.
        if (this.longName)
            name = this.longName;
        this.pax = undefined;
        this.longName = undefined;
        if (type === '\0')
            type = name.endsWith('/') ? '5' : '0';
        if (!Number.isSafeInteger(size) || size < 0)
            return this.fail('invalid tar header (negative or oversized size)');
        this.record(name, type, size);
        const body = HEADER_ONLY.has(type) ? 0 : size;
        if (type === 'S') {
            if (format !== 'gnu')
                return this.fail('a GNU sparse entry in a non-GNU header');
            if (block[482] !== 0) {
                this.sparseBody = body + padding(body);
                this.phase = 'sparse';
                return;
            }
        }
        this.startBody(body + padding(body));
    }
    startBody(bytes) {
        this.skip = bytes;
        this.phase = bytes > 0 ? 'body' : 'header';
    }
    /** Takes bytes of a PAX or long-name body (and its padding); returns how many it took. */
    collect(bytes) {
        const special = this.special;
        let taken = 0;
        if (special.need > 0) {
            taken = Math.min(special.need, bytes.length);
            special.parts.push(Buffer.from(bytes.subarray(0, taken)));
            special.need -= taken;
        }
        if (special.need === 0) {
            const pad = Math.min(special.skip, bytes.length - taken);
            special.skip -= pad;
            taken += pad;
        }
        this.walked += taken;
        if (special.need === 0 && special.skip === 0)
            this.endSpecial();
        return taken;
    }
    endSpecial() {
        const special = this.special;
        this.special = undefined;
        this.phase = 'header';
        const body = Buffer.concat(special.parts);
        switch (special.type) {
            case 'x': {
                const records = parsePax(body);
                if (!records) {
                    this.problem ??= `invalid PAX header before byte ${this.walked}`;
                    return;
                }
                this.pax = records;
                return;
            }
            case 'g':
                // Go hands a global header to its caller as an entry of its own, which unpackers skip,
                // and forgets what was pending: it describes no entry.
                if (!parsePax(body))
                    this.problem ??= `invalid PAX global header before byte ${this.walked}`;
                this.pax = undefined;
                this.longName = undefined;
                return;
            case 'L':
                this.longName = cString(body, 0, body.length);
                return;
            case 'K':
                return; // a long link target: not indexed
        }
    }
    record(rawPath, type, size) {
        const path = normalizeEntryPath(rawPath);
        const slash = path.lastIndexOf('/');
        const base = path.slice(slash + 1);
        const dir = slash < 0 ? '' : path.slice(0, slash);
        const c = this.counts;
        if (base.startsWith(WHITEOUT_PREFIX)) {
            if (base === OPAQUE_MARKER) {
                c.opaqueDirs++;
                this.push(dir, 'q', 0);
            }
            else if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) {
                // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not content, not a deletion.
            }
            else {
                c.whiteouts++;
                this.push(dir ? `${dir}/${base.slice(WHITEOUT_PREFIX.length)}` : base.slice(WHITEOUT_PREFIX.length), 'w', 0);
            }
            return;
        }
        switch (type) {
            case '0':
            case '7':
                c.files++;
                c.fileBytes += size;
                this.push(path, 'f', size);
                break;
            case '5':
            case 'D':
                c.directories++;
                this.push(path, 'd', 0);
                break;
            case '2':
                c.symlinks++;
                this.push(path, 'l', 0);
                break;
            case '1':
                c.hardlinks++;
                this.push(path, 'h', 0);
                break;
            default:
                c.others++;
                this.push(path, 'o', 0);
        }
    }
    push(path, kind, size) {
        this.paths.push(path);
        this.kinds.push(kind);
        this.sizes.push(size);
    }
}
/** Go's isHeaderOnlyType: hard links, symlinks, devices, directories and fifos have no body. */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);
function padding(size) {
    return (BLOCK - (size % BLOCK)) % BLOCK;
}
/** Bytes up to the first NUL, as UTF-8. */
function cString(block, from, to) {
    const nul = block.indexOf(0, from);
    return block.toString('utf8', from, nul >= 0 && nul < to ? nul : to);
}
/** The header's format as Go's getFormat guesses it, or undefined when the checksum is wrong. */
function headerFormat(block) {
    const stored = new Fields().octal(block, 148, 156);
    if (stored === undefined)
        return undefined;
    let unsigned = 0;
    let signed = 0;
    for (let i = 0; i < BLOCK; i++) {
        const c = i >= 148 && i < 156 ? 0x20 : block[i];
        unsigned += c;
        signed += c >= 0x80 ? c - 256 : c;
    }
    if (stored !== unsigned && stored !== signed)
        return undefined;
    const magic = block.toString('latin1', 257, 263);
    if (magic === 'ustar\0')
        return block.toString('latin1', 508, 512) === 'tar\0' ? 'star' : 'ustar';
    if (magic === 'ustar ' && block.toString('latin1', 263, 265) === ' \0')
        return 'gnu';
    return 'v7';
}
/** Go's numeric tar fields: octal text padded with spaces or NULs, or base-256 when the top bit is set. */
class Fields {
    bad = false;
    numeric(block, from, to) {
        if ((block[from] & 0x80) === 0)
            return this.octal(block, from, to) ?? 0;
        const negative = (block[from] & 0x40) !== 0;
        let value = 0n;
        for (let i = from; i < to; i++) {
            let c = block[i] ^ (negative ? 0xff : 0);
            if (i === from)
                c &= 0x7f;
            if (value >> 56n > 0n) {
                this.bad = true;
                return 0;
            }
            value = (value << 8n) | BigInt(c);
        }
        if (value >> 63n > 0n) {
            this.bad = true;
            return 0;
        }
        const n = negative ? -Number(value) - 1 : Number(value);
        return Number.isSafeInteger(n) ? n : negative ? -Infinity : Infinity;
    }
    octal(block, from, to) {
        let start = from;
        let end = to;
        while (start < end && (block[start] === 0x20 || block[start] === 0))
            start++;
        while (end > start && (block[end - 1] === 0x20 || block[end - 1] === 0))
            end--;
        const nul = block.indexOf(0, start);
        if (nul >= 0 && nul < end)
            end = nul;
        if (start === end)
            return 0;
        const text = block.toString('latin1', start, end);
        if (!/^[0-7]+$/.test(text)) {
            this.bad = true;
            return undefined;
        }
        return parseInt(text, 8);
    }
}
/** PAX records (`LEN key=value\n`) as Go's parsePAX reads them; undefined when one is malformed. */
function parsePax(body) {
    const records = new Map();
    let at = 0;
    while (at < body.length) {
        const space = body.indexOf(0x20, at);
        if (space < 0)
            return undefined;
        const lengthText = body.toString('latin1', at, space);
        if (!/^[0-9]+$/.test(lengthText))
            return undefined;
        const length = Number(lengthText);
        if (length < 5 || length > body.length - at || length <= lengthText.length + 1)
            return undefined;
        const end = at + length;
        if (body[end - 1] !== 0x0a)
            return undefined;
        const record = body.subarray(space + 1, end - 1);
        const eq = record.indexOf(0x3d);
        if (eq <= 0)
            return undefined;
        const key = record.toString('utf8', 0, eq);
        const value = record.toString('utf8', eq + 1);
        if (key.includes('\0'))
            return undefined;
        if ((key === 'path' || key === 'linkpath' || key === 'uname' || key === 'gname') && value.includes('\0'))
            return undefined;
        records.set(key, value);
        at = end;
    }
    return records;
}

;// CONCATENATED MODULE: ./src/bytes/hasher.ts
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







class BlobHasher extends external_node_stream_namespaceObject.Writable {
    options;
    stored;
    size = 0;
    /** The first bytes, held until there are enough to sniff the compression. */
    head = [];
    headLength = 0;
    compression = 'none';
    decoder;
    decodeDone;
    decodeError;
    decoded;
    decodedBytes = 0;
    indexer;
    json;
    jsonLength = 0;
    result;
    constructor(options = {}) {
        super();
        this.options = options;
        this.stored = createDigester(options.digestAlgorithm);
    }
    /** What the pass proved; available once the stream has finished. */
    get hashes() {
        if (!this.result)
            throw new Error('BlobHasher: hashes read before the stream finished');
        return this.result;
    }
    _write(chunk, _encoding, callback) {
        this.stored.update(chunk);
        this.size += chunk.length;
        if (!this.head)
            return this.feed(chunk, callback);
        this.head.push(chunk);
        this.headLength += chunk.length;
        if (this.headLength < SNIFF_BYTES)
            return callback();
        this.feed(this.begin(), callback);
    }
    _final(callback) {
        if (this.head)
            this.feed(this.begin(), () => undefined);
        if (this.decoder && !this.decoder.destroyed)
            this.decoder.end();
        void this.finish().then(() => callback());
    }
    _destroy(error, callback) {
        this.decoder?.destroy();
        callback(error);
    }
    /** Stops the pass (the blob ran past its size, or its source failed) and waits for the decoder to let go. */
    async abort() {
        this.destroy();
        await this.decodeDone;
    }
    /** Knows the compression from the first bytes: opens the decoder and decides whether to keep JSON. */
    begin() {
        const head = Buffer.concat(this.head ?? [], this.headLength);
        this.head = undefined;
        this.compression = this.options.compression ?? sniffCompression(head);
        const keep = this.options.keepJsonUpTo ?? 0;
        if (keep > 0 && this.compression === 'none' && looksLikeJson(head))
            this.json = [];
        if (this.options.indexTar)
            this.indexer = new LayerIndexer();
        const decoder = openDecoder(this.compression);
        if (decoder) {
            this.decoder = decoder;
            this.decoded = createDigester(this.options.diffIdAlgorithm);
            decoder.on('data', (plain) => this.onDecoded(plain));
            this.decodeDone = (0,promises_namespaceObject.finished)(decoder).catch((err) => {
                this.decodeError ??= err instanceof Error ? err : new Error(String(err));
            });
        }
        return head;
    }
    /** Hands stored bytes on: to the decoder, waiting while it is full; or, uncompressed, straight through. */
    feed(chunk, callback) {
        this.keepJson(chunk);
        const decoder = this.decoder;
        if (!decoder) {
            this.onDecoded(chunk);
            return callback();
        }
        if (chunk.length === 0 || this.decodeError || decoder.destroyed || decoder.write(chunk))
            return callback();
        whenWritable(decoder, () => callback());
    }
    onDecoded(plain) {
        this.decoded?.update(plain);
        this.decodedBytes += plain.length;
        this.indexer?.write(plain);
    }
    async finish() {
        await this.decodeDone;
        const digest = `${this.options.digestAlgorithm ?? 'sha256'}:${this.stored.digest('hex')}`;
        const result = { digest, size: this.size, compression: this.compression, decodedBytes: this.decodedBytes };
        if (!this.decoded)
            result.diffId = digest;
        else if (!this.decodeError)
            result.diffId = `${this.options.diffIdAlgorithm ?? 'sha256'}:${this.decoded.digest('hex')}`;
        else
            result.decodeError = this.decodeError;
        if (this.indexer) {
            try {
                result.contents = await this.indexer.end();
            }
            catch (err) {
                result.tarError = err instanceof Error ? err.message : String(err);
            }
        }
        if (this.json)
            result.json = Buffer.concat(this.json, this.jsonLength);
        this.result = result;
    }
    keepJson(chunk) {
        if (!this.json)
            return;
        this.jsonLength += chunk.length;
        if (this.jsonLength > (this.options.keepJsonUpTo ?? 0)) {
            this.json = undefined;
            return;
        }
        this.json.push(chunk);
    }
}
/** A JSON document starts with `{` or `[` after optional whitespace; layer tars and compressed blobs never do in practice. */
function looksLikeJson(head) {
    for (const byte of head) {
        if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09)
            continue;
        return byte === 0x7b || byte === 0x5b;
    }
    return false;
}

;// CONCATENATED MODULE: ./src/bytes/hash-wire.ts
// The messages between the hash pool (hash-pool.ts, main thread) and its workers (hash-worker.ts),
// and the one thing that does not survive the structured clone as is: a decode error's class,
// which blob.ts judges by (bytes after the last member, no zstd decoder, or bad data).


function toWire(hashes) {
    // json is never asked of a layer; it would be copied for nothing.
    const { decodeError, ...rest } = hashes;
    delete rest.json;
    if (!decodeError)
        return rest;
    const wire = { message: decodeError.message };
    if (decodeError instanceof decompress_TrailingDataError)
        wire.trailing = { format: decodeError.format, bytes: decodeError.bytes };
    if (decodeError instanceof errors_VerifyImageError)
        wire.code = decodeError.code;
    return { ...rest, decodeError: wire };
}
function fromWire(wire) {
    const { decodeError, ...rest } = wire;
    if (!decodeError)
        return rest;
    let error;
    if (decodeError.trailing)
        error = new TrailingDataError(decodeError.trailing.format, decodeError.trailing.bytes);
    else if (decodeError.code)
        error = new VerifyImageError(decodeError.code, decodeError.message);
    else
        error = new Error(decodeError.message);
    return { ...rest, decodeError: error };
}

;// CONCATENATED MODULE: external "node:v8"
const external_node_v8_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:v8");
;// CONCATENATED MODULE: external "node:vm"
const external_node_vm_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:vm");
;// CONCATENATED MODULE: ./src/bytes/gc-pacer.ts
// Keeps short-lived chunk buffers from piling up. Every chunk of a streamed blob (a network read,
// a decoder's output) is a new ArrayBuffer that is garbage as soon as it is hashed; the JS objects
// that hold them are tiny, so V8's young generation hardly fills and V8 frees their memory only
// when 64 MiB more of it has piled up since the last full collection: per thread that streams,
// which alone would break the 100 MiB budget (issue 15). A minor collection (a scavenge: it
// visits only live young objects, a fraction of a millisecond here) after every 2 MiB frees
// them at once (4 MiB: ~12 MB more peak RSS at the same CPU time; 1 MiB: more CPU time). V8's `gc` function is reached the way test runners do, through the
// `--expose-gc` flag set at run time and a fresh context; where that fails, nothing is forced
// and memory is only higher.


/** Bytes that flow through the thread between two forced minor collections. */
const GC_EVERY_BYTES = 2 * 1024 * 1024;
let cached;
function gcFunction() {
    if (cached === undefined) {
        try {
            (0,external_node_v8_namespaceObject.setFlagsFromString)('--expose-gc');
            const gc = (0,external_node_vm_namespaceObject.runInNewContext)('typeof gc === "function" ? gc : undefined');
            cached = typeof gc === 'function' ? gc : null;
        }
        catch {
            cached = null;
        }
    }
    return cached ?? undefined;
}
function startGcPacer(everyBytes = GC_EVERY_BYTES) {
    const gc = everyBytes > 0 ? gcFunction() : undefined;
    let since = 0;
    return {
        consumed(bytes) {
            if (!gc)
                return;
            since += bytes;
            if (since < everyBytes)
                return;
            since = 0;
            gc({ type: 'minor' });
        },
    };
}

;// CONCATENATED MODULE: ./src/bytes/hash-worker.ts
// The worker side of the hash pool (hash-pool.ts): runs the one streaming pass (hasher.ts: both
// digests, the decoder, the tar walk) for the blobs the main thread hands it, so that hashing and
// tar parsing leave the thread that downloads. It is its own small bundle (dist/hash-worker/),
// loaded only by deep verification, and imports nothing but the pass.
//
// Protocol, one message at a time per blob id, in order:
//   main \u2192 worker: open {id, options} \u00b7 chunk {id, bytes} \u00b7 end {id} \u00b7 abort {id}
//   worker \u2192 main: ack {id, bytes} when a chunk has gone through the pass (the main thread's
//   credit for the next one) \u00b7 done {id, hashes} \u00b7 failed {id, message}
// A chunk's bytes are a transferred ArrayBuffer: the main thread copied them out of the
// download, so nothing here shares memory with it.




function serve(port) {
    const hashers = new Map();
    const gc = startGcPacer();
    const post = (message) => port.postMessage(message);
    port.on('message', (message) => {
        const { id } = message;
        switch (message.type) {
            case 'open': {
                const hasher = new BlobHasher(message.options);
                // A stream error (the decoder's are findings, kept in the hashes, not errors) ends this blob only.
                hasher.on('error', (err) => {
                    if (hashers.delete(id))
                        post({ type: 'failed', id, message: err.message });
                });
                hashers.set(id, hasher);
                return;
            }
            case 'chunk': {
                const hasher = hashers.get(id);
                if (!hasher)
                    return;
                const bytes = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
                hasher.write(bytes, () => {
                    gc.consumed(bytes.length);
                    post({ type: 'ack', id, bytes: bytes.length });
                });
                return;
            }
            case 'end': {
                const hasher = hashers.get(id);
                if (!hasher)
                    return;
                // On a stream error the 'error' listener has already answered for this id.
                hasher.end((err) => {
                    if (err || !hashers.delete(id))
                        return;
                    post({ type: 'done', id, hashes: toWire(hasher.hashes) });
                });
                return;
            }
            case 'abort': {
                const hasher = hashers.get(id);
                hashers.delete(id);
                void hasher?.abort();
                return;
            }
        }
    });
}
if (external_node_worker_threads_namespaceObject.parentPort)
    serve(external_node_worker_threads_namespaceObject.parentPort);

