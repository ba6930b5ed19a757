export const id = 90;
export const ids = [90];
export const modules = {

/***/ 1090:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  deepChecks: () => (/* binding */ deepChecks),
  deepError: () => (/* binding */ deepError),
  verifyLayers: () => (/* binding */ verifyLayers)
});

// UNUSED EXPORTS: defaultConcurrency, defaultHashThreads

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/options.ts
var options = __webpack_require__(8381);
// EXTERNAL MODULE: ./src/oci/digest.ts
var digest = __webpack_require__(8825);
// EXTERNAL MODULE: ./src/model/units.ts
var units = __webpack_require__(8766);
;// CONCATENATED MODULE: ./src/model/deep.ts
// The deep-verification part of the report: per layer what was proved about its bytes and what
// is inside it, and across layers the bytes that later layers hide. Plain data, filled in by
// src/verify/deep.ts and rendered by summary-deep.ts and text-deep.ts.
const REPORTED_WASTED_FILES = 100;

// EXTERNAL MODULE: ./src/bytes/decompress.ts + 1 modules
var decompress = __webpack_require__(6606);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(5919);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(6466);
// EXTERNAL MODULE: ./src/bytes/backpressure.ts
var backpressure = __webpack_require__(7767);
// EXTERNAL MODULE: ./src/bytes/hasher.ts + 1 modules
var bytes_hasher = __webpack_require__(6568);
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
    if (decodeError instanceof TrailingDataError)
        wire.trailing = { format: decodeError.format, bytes: decodeError.bytes };
    if (decodeError instanceof VerifyImageError)
        wire.code = decodeError.code;
    return { ...rest, decodeError: wire };
}
function fromWire(wire) {
    const { decodeError, ...rest } = wire;
    if (!decodeError)
        return rest;
    let error;
    if (decodeError.trailing)
        error = new decompress/* TrailingDataError */.bd(decodeError.trailing.format, decodeError.trailing.bytes);
    else if (decodeError.code)
        error = new errors/* VerifyImageError */.Vi(decodeError.code, decodeError.message);
    else
        error = new Error(decodeError.message);
    return { ...rest, decodeError: error };
}

// EXTERNAL MODULE: external "node:v8"
var external_node_v8_ = __webpack_require__(8877);
// EXTERNAL MODULE: external "node:vm"
var external_node_vm_ = __webpack_require__(714);
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
            (0,external_node_v8_.setFlagsFromString)('--expose-gc');
            const gc = (0,external_node_vm_.runInNewContext)('typeof gc === "function" ? gc : undefined');
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

;// CONCATENATED MODULE: ./src/bytes/hash-pool.ts
// The one streaming pass (hasher.ts) on worker threads, so that every core works during deep
// verification: the main thread downloads and copies each chunk out of the download into a batch,
// a worker hashes it, feeds the decoder (whose inflating runs on libuv's pool) and walks the tar.
// A blob stays on one worker from its first byte to its last (the pass is sequential by nature);
// blobs are spread over the workers, the one with the fewest open blobs first.
//
// Memory stays bounded per blob: at most WINDOW bytes are on their way to a worker or inside it
// before the next write waits for an acknowledgement, and each batch is a buffer of its own that
// is transferred, not shared, and garbage once hashed (the worker paces minor collections:
// gc-pacer.ts). A worker that dies fails the blobs it held, which the caller reports as an error
// for those layers, never as a pass.










/** Bytes copied into one message to a worker. */
const BATCH_BYTES = 256 * 1024;
/** Bytes of one blob on their way to its worker or inside it, unacknowledged, before writes wait. */
const WINDOW_BYTES = 2 * BATCH_BYTES;
/** The pass itself broke down (a worker died, or the pass was aborted), as opposed to the download. */
class HashThreadError extends Error {
    name = 'HashThreadError';
}
/** Where the worker's code is: beside the bundle that loaded us (dist/), else beside this module (tsc's build/). */
function hashWorkerEntry() {
    // Paths, not `new URL(\u2026, import.meta.url)`: the bundler would take that for an asset to copy.
    const here = (0,external_node_path_.dirname)((0,external_node_url_.fileURLToPath)(import.meta.url));
    const candidates = [(0,external_node_path_.join)(here, 'hash-worker', 'index.js'), (0,external_node_path_.join)(here, 'hash-worker.js')];
    const found = candidates.find((path) => (0,external_node_fs_.existsSync)(path));
    if (!found)
        throw new errors/* VerifyImageError */.Vi('unsupported', `deep verification's worker code is missing (looked for ${candidates.join(' and ')}): reinstall or rebuild the action, or set VERIFY_IMAGE_HASH_THREADS=0`);
    return found;
}
class PooledWorker {
    worker;
    open = new Map();
    failure;
    constructor(entry) {
        // Referenced (a message listener refs it anyway): a pass awaiting its result keeps the
        // process alive; close() ends the workers.
        this.worker = new external_node_worker_threads_.Worker(entry);
        this.worker.on('message', (message) => this.receive(message));
        this.worker.on('error', (err) => this.fail(new HashThreadError(`a hashing thread failed: ${err.message}`)));
        this.worker.on('exit', (code) => this.fail(new HashThreadError(`a hashing thread exited (code ${code})`)));
    }
    get broken() {
        return this.failure;
    }
    post(message, transfer) {
        this.worker.postMessage(message, transfer);
    }
    receive(message) {
        const pending = this.open.get(message.id);
        if (!pending)
            return;
        switch (message.type) {
            case 'ack':
                pending.inFlight -= message.bytes;
                pending.acked();
                return;
            case 'done':
                this.open.delete(message.id);
                pending.done(fromWire(message.hashes));
                return;
            case 'failed':
                this.open.delete(message.id);
                pending.failed(new HashThreadError(message.message));
                return;
        }
    }
    fail(err) {
        this.failure ??= err;
        for (const pending of this.open.values())
            pending.failed(err);
        this.open.clear();
    }
}
class HashPool {
    size;
    workers = [];
    nextId = 1;
    entry;
    closed = false;
    /** The main thread's own garbage: the download's chunks, dead once copied. */
    pacer = startGcPacer();
    constructor(size) {
        this.size = size;
    }
    /** Opens a pass on the least busy worker, starting a worker while there are fewer than `size`. */
    open(options) {
        if (this.closed)
            throw new HashThreadError('the hashing threads were already shut down');
        const worker = this.pick();
        const id = this.nextId++;
        worker.post({ type: 'open', id, options });
        return new RemotePass(worker, id, this.pacer);
    }
    /** Where the workers' code is, checked before any download (throws when it is missing). */
    prepare() {
        this.entry ??= hashWorkerEntry();
    }
    async close() {
        this.closed = true;
        const workers = this.workers.splice(0);
        await Promise.all(workers.map((w) => w.worker.terminate()));
    }
    /** An idle worker, else a new one while there are fewer than `size`, else the least busy. A failed worker is replaced. */
    pick() {
        this.workers = this.workers.filter((w) => !w.broken);
        const idle = this.workers.find((w) => w.open.size === 0);
        if (idle)
            return idle;
        if (this.workers.length < this.size) {
            this.entry ??= hashWorkerEntry();
            const worker = new PooledWorker(this.entry);
            this.workers.push(worker);
            return worker;
        }
        return [...this.workers].sort((a, b) => a.open.size - b.open.size)[0];
    }
}
class RemotePass {
    worker;
    id;
    pacer;
    batch;
    fill = 0;
    pending;
    result;
    ended = false;
    /** Why the pass broke down; every later write and finish() reports it. */
    error;
    constructor(worker, id, pacer) {
        this.worker = worker;
        this.id = id;
        this.pacer = pacer;
        let done;
        let failed;
        this.result = new Promise((resolve, reject) => {
            done = resolve;
            failed = reject;
        });
        // Until finish() is awaited, a failure is also seen by the next write.
        this.result.catch(() => undefined);
        this.pending = { inFlight: 0, acked: () => this.wake(), done, failed: (err) => ((this.error = err), failed(err), this.wake()) };
        worker.open.set(id, this.pending);
        if (worker.broken)
            this.pending.failed(worker.broken);
    }
    async write(chunk) {
        if (this.error)
            throw this.error;
        let offset = 0;
        while (offset < chunk.length) {
            // Not zero-filled: every byte sent is written first (a short last batch is sent as a view of its filled part).
            this.batch ??= Buffer.allocUnsafeSlow(BATCH_BYTES);
            const n = Math.min(chunk.length - offset, BATCH_BYTES - this.fill);
            this.batch.set(chunk.subarray(offset, offset + n), this.fill);
            this.fill += n;
            offset += n;
            if (this.fill === BATCH_BYTES)
                this.send();
        }
        this.pacer.consumed(chunk.length);
        while (this.pending.inFlight >= WINDOW_BYTES && !this.error)
            await new Promise((resolve) => (this.pending.waiter = resolve));
        if (this.error)
            throw this.error;
    }
    async finish() {
        if (!this.ended) {
            this.ended = true;
            if (this.fill > 0)
                this.send();
            this.worker.post({ type: 'end', id: this.id });
        }
        return this.result;
    }
    async abort() {
        if (this.worker.open.delete(this.id))
            this.worker.post({ type: 'abort', id: this.id });
        this.ended = true;
        this.batch = undefined;
        // A write waiting for room, and finish(), end now instead of waiting for acks that will not come.
        this.pending.failed(new HashThreadError('the pass was aborted'));
    }
    send() {
        const batch = this.batch;
        if (!batch)
            return;
        const bytes = this.fill === batch.length ? batch : batch.subarray(0, this.fill);
        this.batch = undefined;
        this.fill = 0;
        this.pending.inFlight += bytes.length;
        this.worker.post({ type: 'chunk', id: this.id, bytes }, [bytes.buffer]);
    }
    wake() {
        const waiter = this.pending.waiter;
        this.pending.waiter = undefined;
        waiter?.();
    }
}
/** The same pass on this thread: for one-off blobs, and where no worker may be started. */
function localPass(options, pacer = startGcPacer()) {
    const hasher = new bytes_hasher/* BlobHasher */.$(options);
    // Findings are in the hashes; a stream error surfaces through write() or finish().
    const failed = new Promise((_, reject) => hasher.once('error', reject));
    failed.catch(() => undefined);
    return {
        async write(chunk) {
            pacer.consumed(chunk.length);
            if (!hasher.write(chunk))
                await Promise.race([new Promise((resolve) => (0,backpressure/* whenWritable */.X)(hasher, resolve)), failed]);
        },
        async finish() {
            hasher.end();
            await Promise.race([(0,promises_.finished)(hasher), failed]);
            return hasher.hashes;
        },
        abort: () => hasher.abort(),
    };
}

// EXTERNAL MODULE: ./src/bytes/media-type.ts
var media_type = __webpack_require__(2740);
// EXTERNAL MODULE: ./src/registry/http.ts
var http = __webpack_require__(8851);
;// CONCATENATED MODULE: ./src/verify/blob.ts
// One layer blob, proved in one pass as it streams in: the compressed bytes are counted and
// hashed (they must be the manifest's size and digest), and the same chunks flow into the
// decompressor, whose output is hashed (it must be the config's diff_id) and parsed as a tar.
// Nothing is buffered beyond the streams' own high-water marks, so memory does not grow with the
// layer; a blob that runs past its declared size is cut off at once.



/**
 * Reads `body` to its end (or until it overruns `expect.size`) and says what it proved.
 * `onBytes` is told every compressed chunk's length, for progress. With `pool`, the pass runs on
 * its worker threads; without, on this thread.
 */
async function verifyBlobStream(body, expect, onBytes = () => undefined, pool) {
    const options = {
        compression: expect.compression,
        digestAlgorithm: (0,digest/* digestAlgorithm */.g4)(expect.digest),
        diffIdAlgorithm: (0,digest/* digestAlgorithm */.g4)(expect.diffId ?? 'sha256:'),
        indexTar: true,
    };
    let pass;
    try {
        pass = pool ? pool.open(options) : localPass(options);
    }
    catch (err) {
        body.on('error', () => undefined).destroy();
        throw err;
    }
    let compressedBytes = 0;
    try {
        for await (const chunk of body) {
            compressedBytes += chunk.length;
            if (compressedBytes > expect.size) {
                body.on('error', () => undefined).destroy();
                await pass.abort();
                return {
                    compressedBytes,
                    failure: {
                        reason: 'size-overrun',
                        message: `the registry sent more than the ${expect.size} bytes the manifest declares; stopped reading`,
                    },
                };
            }
            onBytes(chunk.length);
            await pass.write(chunk);
        }
    }
    catch (err) {
        body.on('error', () => undefined).destroy();
        await pass.abort();
        throw err;
    }
    const hashes = await pass.finish();
    const result = {
        compressedBytes,
        digest: hashes.digest,
        uncompressedBytes: hashes.decodedBytes,
        diffId: hashes.diffId,
        contents: hashes.contents,
    };
    result.failure = firstFailure(expect, result, hashes.decodeError, hashes.tarError);
    if (result.failure)
        result.contents = undefined;
    return result;
}
function firstFailure(expect, got, decodeError, tarError) {
    if (got.compressedBytes < expect.size) {
        return {
            reason: 'truncated',
            message: `the registry sent ${got.compressedBytes} bytes but the manifest declares ${expect.size}: the blob is truncated`,
        };
    }
    if (got.digest !== expect.digest) {
        return { reason: 'digest', message: `the blob's bytes hash to ${got.digest}, not to the manifest's digest ${expect.digest}` };
    }
    if (decodeError instanceof decompress/* TrailingDataError */.bd) {
        return { reason: 'decompress', message: `the blob matches its digest, but ${decodeError.message}` };
    }
    if (decodeError) {
        return {
            reason: 'decompress',
            message: `the blob matches its digest but is not valid ${expect.compression} (${decodeError.message})`,
        };
    }
    if (expect.diffId === undefined) {
        return { reason: 'diff-id', message: `the config has no diff_id for this layer (uncompressed it hashes to ${got.diffId})` };
    }
    if (got.diffId !== expect.diffId) {
        return {
            reason: 'diff-id',
            message: expect.compression === 'none'
                ? `the layer is uncompressed, so its digest must equal its diff_id, but the config says ${expect.diffId}`
                : `uncompressed, the blob hashes to ${got.diffId}, not to the config's diff_id ${expect.diffId}`,
        };
    }
    if (tarError)
        return { reason: 'tar', message: `the layer's content is not a well-formed tar archive: ${tarError}` };
    return undefined;
}

// EXTERNAL MODULE: ./src/verify/cache.ts
var cache = __webpack_require__(9327);
;// CONCATENATED MODULE: ./src/verify/deep-layer.ts
// One layer's proof in deep verification: can it be read at all (media type, size), did an earlier
// run already prove it (the verified-layer cache), else download it once, proving digest, size,
// diff_id and tar as it streams (blob.ts), starting over once when the connection breaks mid-body.
// Every outcome is a report row; nothing here throws for a bad layer.








/** Attempts per layer when the connection fails mid-body (each attempt starts over). */
const BODY_ATTEMPTS = 2;
async function proveLayer(claim, ctx) {
    const { descriptor } = claim;
    const label = `layer ${claim.number}/${claim.total} ${(0,digest/* shortDigest */.VK)(descriptor.digest)}`;
    const row = {
        index: claim.number,
        digest: descriptor.digest,
        mediaType: descriptor.mediaType,
        size: descriptor.size,
        diffId: claim.diffId,
        status: 'error',
    };
    const kind = (0,media_type/* layerKind */.G0)(descriptor.mediaType);
    if (!kind.readable) {
        const message = kind.reason === 'foreign'
            ? 'a foreign (non-distributable) layer: registries do not serve it, so its bytes were not downloaded or verified'
            : `media type ${descriptor.mediaType} is not a layer type this action can read, so its bytes were not verified`;
        ctx.logger.warning(`${label}: not verified: ${message}`);
        return { layer: { ...row, status: 'not-verified', message } };
    }
    row.compression = kind.compression;
    if (!Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
        return { layer: { ...row, status: 'failed', failure: 'size-overrun', message: `the manifest gives no valid size for this layer (${String(descriptor.size)})` } };
    }
    return (await fromCache(claim, kind.compression, row, label, ctx)) ?? (await downloadAndProve(claim, kind.compression, row, label, ctx));
}
/** The cache's proof of this layer, when it proved these very bytes as this very compression. */
async function fromCache(claim, compression, row, label, ctx) {
    const { descriptor, diffId } = claim;
    if (!ctx.cache || !diffId)
        return undefined;
    const hit = await ctx.cache.get(descriptor.digest);
    if (!hit)
        return undefined;
    // The same digest is the same bytes, but the media type is the manifest's claim about
    // them: a blob proved as gzip says nothing about whether it is valid zstd.
    const hitKind = (0,media_type/* layerKind */.G0)(hit.mediaType);
    if (hit.size === descriptor.size && hit.diffId === diffId && hitKind.readable && hitKind.compression === compression) {
        ctx.cacheStats.hits++;
        ctx.logger.info(`${label}: cached \u2014 proved by an earlier run to be ${(0,units/* humanSize */.X)(hit.size)} decompressing to ${(0,digest/* shortDigest */.VK)(hit.diffId)}; not downloaded`);
        return {
            layer: { ...row, status: 'cached', uncompressedSize: hit.uncompressedSize, counts: hit.counts, downloadedBytes: 0, durationMs: 0 },
            index: hit.index,
        };
    }
    ctx.logger.info(`${label}: the cache's entry disagrees with this manifest or config; verifying the blob again`);
    return undefined;
}
async function downloadAndProve(claim, compression, row, label, ctx) {
    const started = Date.now();
    ctx.logger.info(`${label}: downloading ${(0,units/* humanSize */.X)(claim.descriptor.size)} (${compression === 'none' ? 'uncompressed' : compression})`);
    const read = await readWithRetry(claim, compression, label, ctx);
    const durationMs = Date.now() - started;
    if ('error' in read)
        return { layer: { ...row, status: 'error', message: read.error, downloadedBytes: read.downloaded, durationMs } };
    const { result, downloaded } = read;
    if (result.failure) {
        ctx.logger.warning(`${label}: FAILED: ${result.failure.message}`);
        return { layer: { ...row, status: 'failed', failure: result.failure.reason, message: result.failure.message, downloadedBytes: downloaded, durationMs } };
    }
    const contents = result.contents;
    const c = contents?.counts;
    ctx.logger.info(`${label}: verified ${(0,units/* humanSize */.X)(result.compressedBytes)} in ${(durationMs / 1000).toFixed(1)} s${result.compressedBytes >= 1024 * 1024 ? ` (${rate(result.compressedBytes, durationMs)})` : ''}, ` +
        `${(0,units/* humanSize */.X)(result.uncompressedBytes)} uncompressed, ${c?.files ?? 0} files, ${c?.whiteouts ?? 0} deletions` +
        (c?.bytesAfterEnd ? `, ${(0,units/* humanSize */.X)(c.bytesAfterEnd)} after the tar end (in the diff_id; never unpacked)` : ''));
    await remember(claim, result, label, ctx);
    return {
        layer: { ...row, status: 'verified', uncompressedSize: result.uncompressedBytes, counts: contents?.counts, downloadedBytes: downloaded, durationMs },
        index: contents?.index,
    };
}
/** Reads the blob, starting over once if the connection breaks mid-body; our own errors are final. */
async function readWithRetry(claim, compression, label, ctx) {
    let downloaded = 0;
    for (let attempt = 1;; attempt++) {
        const meter = ctx.progress.start(label, claim.descriptor.size);
        try {
            const result = await readOnce(claim, compression, meter, ctx);
            return { result, downloaded: downloaded + result.compressedBytes };
        }
        catch (err) {
            downloaded += meter.bytes;
            const message = err instanceof errors/* VerifyImageError */.Vi ? err.message : `${err instanceof Error ? err.message : String(err)}`;
            if (err instanceof errors/* VerifyImageError */.Vi || attempt >= BODY_ATTEMPTS) {
                ctx.logger.warning(`${label}: could not be read: ${message}`);
                return { error: message, downloaded };
            }
            ctx.logger.info(err instanceof HashThreadError ? `${label}: the hashing thread stopped (${message}); starting the layer again` : `${label}: the download broke off (${message}); starting it again`);
        }
        finally {
            meter.stop();
        }
    }
}
async function readOnce(claim, compression, meter, ctx) {
    const { descriptor, diffId } = claim;
    const res = await ctx.source.openBlob(descriptor);
    return (refuseAnnouncedSize(res, descriptor.size) ??
        (await verifyBlobStream(res.body, { digest: descriptor.digest, size: descriptor.size, compression, diffId }, (n) => meter.add(n), ctx.pool)));
}
/** A Content-Length other than the manifest's size is known wrong before a byte is read: say so without downloading it. */
function refuseAnnouncedSize(res, size) {
    const length = (0,http/* header */.wx)(res, 'content-length');
    const announced = Number(length);
    if (length === undefined || !Number.isSafeInteger(announced) || announced === size)
        return undefined;
    res.body.on('error', () => undefined).destroy();
    return {
        compressedBytes: 0,
        failure: announced > size
            ? { reason: 'size-overrun', message: `the registry announces ${announced} bytes but the manifest declares ${size}; not downloaded` }
            : { reason: 'truncated', message: `the registry announces ${announced} bytes but the manifest declares ${size}: the blob is truncated; not downloaded` },
    };
}
/** Keeps a proved layer's facts for later runs; a cache that cannot be written is a warning only. */
async function remember(claim, result, label, ctx) {
    const { descriptor, diffId } = claim;
    const contents = result.contents;
    if (!ctx.cache || !contents || !diffId)
        return;
    try {
        await ctx.cache.put({
            format: cache/* CACHE_FORMAT */.rz,
            digest: descriptor.digest,
            size: descriptor.size,
            mediaType: descriptor.mediaType,
            diffId,
            uncompressedSize: result.uncompressedBytes ?? 0,
            counts: contents.counts,
            index: contents.index,
            verifiedAt: new Date().toISOString(),
        });
        ctx.cacheStats.writes++;
    }
    catch (err) {
        ctx.logger.warning(`${label}: verified, but could not be written to the cache: ${err instanceof Error ? err.message : String(err)}`);
    }
}
function rate(bytes, ms) {
    if (ms <= 0)
        return '\u2014 MB/s';
    return `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
}

;// CONCATENATED MODULE: ./src/verify/pool.ts
// A bounded pool: at most `limit` tasks in flight, the next one starting as soon as one ends.
// Deep verification runs one layer per slot: downloads are I/O and decompression runs off the
// main thread (zlib's thread pool, or the zstd command), so a few more slots than cores pay.
/** Runs `task(i)` for every index in `order` (a permutation of 0..n-1), `limit` at a time; the results by index. */
async function inPool(order, limit, task) {
    const results = new Array(order.length);
    const queue = [...order];
    const slot = async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift())
            results[i] = await task(i);
    };
    await Promise.all(Array.from({ length: Math.min(limit, order.length) }, slot));
    return results;
}

;// CONCATENATED MODULE: ./src/verify/progress.ts
// Progress lines for long layer downloads, written as plain log lines (GitHub's log is not a
// TTY, so no carriage returns): every interval, one line per layer that has been running for at
// least that long, with how far it is and how fast it goes.

class Progress {
    logger;
    intervalMs;
    active = new Set();
    timer;
    constructor(logger, intervalMs) {
        this.logger = logger;
        this.intervalMs = intervalMs;
    }
    start(label, size) {
        const entry = { label, size, started: Date.now(), bytes: 0 };
        this.active.add(entry);
        this.timer ??= setInterval(() => this.tick(), this.intervalMs).unref();
        return {
            get bytes() {
                return entry.bytes;
            },
            add: (n) => {
                entry.bytes += n;
            },
            stop: () => {
                this.active.delete(entry);
                if (this.active.size === 0)
                    this.close();
            },
        };
    }
    close() {
        if (this.timer)
            clearInterval(this.timer);
        this.timer = undefined;
    }
    tick() {
        const now = Date.now();
        for (const e of this.active) {
            const elapsed = now - e.started;
            if (elapsed < this.intervalMs)
                continue;
            const percent = e.size > 0 ? Math.floor((e.bytes / e.size) * 100) : 100;
            const speed = ((e.bytes / 1e6) / (elapsed / 1000)).toFixed(1);
            this.logger.info(`${e.label}: ${(0,units/* humanSize */.X)(e.bytes)} of ${(0,units/* humanSize */.X)(e.size)} (${percent}%), ${speed} MB/s`);
        }
    }
}

// EXTERNAL MODULE: ./src/verify/waste.ts
var verify_waste = __webpack_require__(1439);
;// CONCATENATED MODULE: ./src/verify/deep.ts
// Deep verification of a resolved image: every layer blob downloaded once and proved (digest and
// size of the compressed bytes, diff_id of the uncompressed bytes, a well-formed tar inside), in
// parallel with a bounded number of layers in flight, largest first so the longest download
// starts at once. Layers the verified-layer cache already proved are not downloaded again.
// Afterwards the layers' entry indexes are compared to find the bytes later layers hide.
// The pieces: pool.ts runs the layers, deep-layer.ts proves one (cache lookup, download, retry),
// this file orders them, reads a blob listed twice once, and sums the outcomes into the report.












/** Downloads are I/O, decompression runs off the main thread: a few more layers than cores. */
function defaultConcurrency(cpus = (0,external_node_os_.availableParallelism)()) {
    return Math.max(2, Math.min(8, cpus + 2));
}
/**
 * The byte pass of each layer (two sha256, the tar walk) runs on worker threads so that the main
 * thread only downloads; inflating runs on libuv's pool either way. One thread per core but the
 * one the main thread keeps busy, at least one, at most one per layer in flight: on two cores a
 * second worker was no faster (3.94 vs 3.84 s, median of three paired runs, 9 layers, 346 MB) and
 * cost 20 MB of peak RSS (its isolate and malloc arena).
 */
function defaultHashThreads(concurrency, cpus = (0,external_node_os_.availableParallelism)()) {
    const fromEnv = Number(process.env.VERIFY_IMAGE_HASH_THREADS);
    if (process.env.VERIFY_IMAGE_HASH_THREADS && Number.isInteger(fromEnv) && fromEnv >= 0)
        return Math.min(fromEnv, concurrency);
    return Math.max(1, Math.min(cpus - 1, concurrency));
}
async function verifyLayers(source, remote, opts) {
    const started = Date.now();
    const { logger, cache } = opts;
    const concurrency = Math.max(1, Math.min(options/* MAX_CONCURRENCY */.fx, Math.floor(opts.concurrency ?? defaultConcurrency())));
    const layers = remote.manifest.layers;
    const diffIds = remote.config.rootfs.diff_ids;
    logger.info(`deep verification: ${layers.length} layers (${(0,units/* humanSize */.X)(layers.reduce((n, l) => n + l.size, 0))} compressed), ${concurrency} at a time${cache ? `, verified-layer cache at ${cache.location}` : ''}`);
    const threads = Math.max(0, Math.floor(opts.hashThreads ?? defaultHashThreads(concurrency)));
    const pool = threads > 0 ? new HashPool(threads) : undefined;
    pool?.prepare();
    const ctx = { source, logger, cache, progress: new Progress(logger, opts.progressIntervalMs ?? 5_000), cacheStats: { hits: 0, writes: 0 }, pool };
    const prove = oncePerBlob(layers, diffIds, (i) => proveLayer({ number: i + 1, total: layers.length, descriptor: layers[i], diffId: diffIds[i] }, ctx));
    let outcomes;
    try {
        outcomes = await inPool(largestFirst(layers), concurrency, prove);
    }
    finally {
        ctx.progress.close();
        await pool?.close();
    }
    const report = summarise(remote, outcomes, concurrency, started);
    if (cache)
        report.cache = { location: cache.location, ...ctx.cacheStats };
    if (report.layers.some((l) => l.compression === 'zstd'))
        report.zstdDecoder = (0,decompress/* zstdImplementation */.u6)();
    const proved = report.layers.filter((l) => l.status === 'verified' || l.status === 'cached').length;
    logger.info(`deep verification: ${proved} of ${layers.length} layers proved, ${(0,units/* humanSize */.X)(report.bytesDownloaded)} downloaded in ${(report.durationMs / 1000).toFixed(1)} s (${rate(report.bytesDownloaded, report.durationMs)}); ` +
        `wasted ${(0,units/* humanSize */.X)(report.wastedBytes)}${report.wasteComplete ? '' : ' (at least: some layers were not read)'}`);
    return report;
}
/** The longest download starts first, so it does not begin last and hold up the run. */
function largestFirst(layers) {
    return layers.map((_, i) => i).sort((a, b) => (layers[b]?.size ?? 0) - (layers[a]?.size ?? 0) || a - b);
}
/** The same blob listed twice (e.g. an empty layer) is read once; the repeat downloads nothing. */
function oncePerBlob(layers, diffIds, prove) {
    const shared = new Map();
    return (i) => {
        const descriptor = layers[i];
        const key = `${descriptor.digest} ${descriptor.size} ${diffIds[i] ?? ''}`;
        const first = shared.get(key);
        if (first)
            return first.then((o) => ({ ...o, layer: { ...o.layer, index: i + 1, downloadedBytes: 0 } }));
        const pending = prove(i);
        shared.set(key, pending);
        return pending;
    };
}
/** The report from the layers' outcomes: what was proved and downloaded, and what later layers hide. */
function summarise(remote, outcomes, concurrency, started) {
    const total = outcomes.length;
    const known = outcomes.map((o) => (o.layer.status === 'verified' || o.layer.status === 'cached' ? o.index : undefined));
    const waste = (0,verify_waste/* analyzeWaste */.Tu)(known);
    const reportLayers = outcomes.map((o, i) => (o.index ? { ...o.layer, wastedBytes: waste.perLayer[i] ?? 0 } : o.layer));
    const proved = reportLayers.filter((l) => l.status === 'verified' || l.status === 'cached');
    return {
        verified: proved.length === total,
        bytesVerified: remote.manifest.config.size + proved.reduce((n, l) => n + l.size, 0),
        bytesDownloaded: reportLayers.reduce((n, l) => n + (l.downloadedBytes ?? 0), 0),
        config: { digest: remote.configDigest, size: remote.manifest.config.size },
        layers: reportLayers,
        wastedBytes: waste.totalBytes,
        wasteComplete: proved.length === total,
        wastedFiles: waste.files.slice(0, REPORTED_WASTED_FILES),
        wastedFileCount: waste.files.length,
        efficiency: (0,verify_waste/* efficiencyScore */.QM)(known),
        concurrency,
        durationMs: Date.now() - started,
    };
}
/** The rule deep verification adds to the report's checks. */
function deepChecks(deep) {
    const total = deep.layers.length;
    const failed = deep.layers.filter((l) => l.status === 'failed');
    if (failed.length > 0) {
        return [
            {
                rule: 'layer-blobs',
                ok: false,
                layer: failed[0]?.index,
                message: failed.map((l) => `layer ${l.index} (${(0,digest/* shortDigest */.VK)(l.digest)}): ${l.message ?? l.failure}`).join('; '),
                expected: failed[0]?.failure === 'diff-id' ? failed[0].diffId : failed[0]?.digest,
            },
        ];
    }
    const cached = deep.layers.filter((l) => l.status === 'cached').length;
    const skipped = deep.layers.filter((l) => l.status === 'not-verified');
    const proved = deep.layers.filter((l) => l.status === 'verified' || l.status === 'cached').length;
    let message = `${proved} of ${total} layers' bytes match their digests, sizes and diff_ids (${(0,units/* humanSize */.X)(deep.bytesDownloaded)} downloaded${cached ? `, ${cached} from the verified-layer cache` : ''})`;
    if (skipped.length)
        message += `; not verified: ${skipped.map((l) => `layer ${l.index} (${l.message})`).join('; ')}`;
    return [{ rule: 'layer-blobs', ok: true, message }];
}
/** Layers that could not be fetched make the run inconclusive, unless another layer already failed. */
function deepError(deep) {
    if (deep.layers.some((l) => l.status === 'failed'))
        return undefined;
    const broken = deep.layers.find((l) => l.status === 'error');
    if (!broken)
        return undefined;
    return new errors/* VerifyImageError */.Vi('unreachable', `could not deep-verify layer ${broken.index} (${(0,digest/* shortDigest */.VK)(broken.digest)}): ${broken.message}`);
}


/***/ })

};
