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

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { finished } from 'node:stream/promises';
import { whenWritable } from './backpressure.js';
import { BlobHasher, type BlobHashes, type HashOptions } from './hasher.js';
import { VerifyImageError } from '../errors.js';
import { fromWire, type FromWorker, type ToWorker } from './hash-wire.js';
import { startGcPacer, type GcPacer } from './gc-pacer.js';

/** Bytes copied into one message to a worker. */
export const BATCH_BYTES = 256 * 1024;
/** Bytes of one blob on their way to its worker or inside it, unacknowledged, before writes wait. */
export const WINDOW_BYTES = 2 * BATCH_BYTES;

/** One blob's pass, wherever it runs. */
export interface BlobPass {
  /** Hands the next bytes on; resolves when the pass has room for more. */
  write(chunk: Uint8Array): Promise<void>;
  /** No more bytes: resolves with what the pass proved; rejects when the pass itself broke down. */
  finish(): Promise<BlobHashes>;
  /** Stops the pass without a result. */
  abort(): Promise<void>;
}

interface Pending {
  acked: () => void;
  done: (hashes: BlobHashes) => void;
  failed: (err: Error) => void;
  /** Bytes sent and not yet acknowledged. */
  inFlight: number;
  waiter?: () => void;
}

/** The pass itself broke down (a worker died, or the pass was aborted), as opposed to the download. */
export class HashThreadError extends Error {
  override readonly name = 'HashThreadError';
}

/** Where the worker's code is: beside the bundle that loaded us (dist/), else beside this module (tsc's build/). */
export function hashWorkerEntry(): string {
  // Paths, not `new URL(…, import.meta.url)`: the bundler would take that for an asset to copy.
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'hash-worker', 'index.js'), join(here, 'hash-worker.js')];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new VerifyImageError('unsupported', `deep verification's worker code is missing (looked for ${candidates.join(' and ')}): reinstall or rebuild the action, or set VERIFY_IMAGE_HASH_THREADS=0`);
  return found;
}

class PooledWorker {
  readonly worker: Worker;
  readonly open = new Map<number, Pending>();
  private failure: Error | undefined;

  constructor(entry: string) {
    // Referenced (a message listener refs it anyway): a pass awaiting its result keeps the
    // process alive; close() ends the workers.
    this.worker = new Worker(entry);
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (err: Error) => this.fail(new HashThreadError(`a hashing thread failed: ${err.message}`)));
    this.worker.on('exit', (code) => this.fail(new HashThreadError(`a hashing thread exited (code ${code})`)));
  }

  get broken(): Error | undefined {
    return this.failure;
  }

  post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(message: FromWorker): void {
    const pending = this.open.get(message.id);
    if (!pending) return;
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

  private fail(err: Error): void {
    this.failure ??= err;
    for (const pending of this.open.values()) pending.failed(err);
    this.open.clear();
  }
}

export class HashPool {
  private workers: PooledWorker[] = [];
  private nextId = 1;
  private entry: string | undefined;
  private closed = false;
  /** The main thread's own garbage: the download's chunks, dead once copied. */
  private readonly pacer: GcPacer = startGcPacer();

  constructor(private readonly size: number) {}

  /** Opens a pass on the least busy worker, starting a worker while there are fewer than `size`. */
  open(options: HashOptions): BlobPass {
    if (this.closed) throw new HashThreadError('the hashing threads were already shut down');
    const worker = this.pick();
    const id = this.nextId++;
    worker.post({ type: 'open', id, options });
    return new RemotePass(worker, id, this.pacer);
  }

  /** Where the workers' code is, checked before any download (throws when it is missing). */
  prepare(): void {
    this.entry ??= hashWorkerEntry();
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  /** An idle worker, else a new one while there are fewer than `size`, else the least busy. A failed worker is replaced. */
  private pick(): PooledWorker {
    this.workers = this.workers.filter((w) => !w.broken);
    const idle = this.workers.find((w) => w.open.size === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) {
      this.entry ??= hashWorkerEntry();
      const worker = new PooledWorker(this.entry);
      this.workers.push(worker);
      return worker;
    }
    return [...this.workers].sort((a, b) => a.open.size - b.open.size)[0] as PooledWorker;
  }
}

class RemotePass implements BlobPass {
  private batch: Uint8Array | undefined;
  private fill = 0;
  private readonly pending: Pending;
  private readonly result: Promise<BlobHashes>;
  private ended = false;
  /** Why the pass broke down; every later write and finish() reports it. */
  private error: Error | undefined;

  constructor(
    private readonly worker: PooledWorker,
    private readonly id: number,
    private readonly pacer: GcPacer,
  ) {
    let done!: (hashes: BlobHashes) => void;
    let failed!: (err: Error) => void;
    this.result = new Promise<BlobHashes>((resolve, reject) => {
      done = resolve;
      failed = reject;
    });
    // Until finish() is awaited, a failure is also seen by the next write.
    this.result.catch(() => undefined);
    this.pending = { inFlight: 0, acked: () => this.wake(), done, failed: (err) => ((this.error = err), failed(err), this.wake()) };
    worker.open.set(id, this.pending);
    if (worker.broken) this.pending.failed(worker.broken);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    let offset = 0;
    while (offset < chunk.length) {
      // Not zero-filled: every byte sent is written first (a short last batch is sent as a view of its filled part).
      this.batch ??= Buffer.allocUnsafeSlow(BATCH_BYTES);
      const n = Math.min(chunk.length - offset, BATCH_BYTES - this.fill);
      this.batch.set(chunk.subarray(offset, offset + n), this.fill);
      this.fill += n;
      offset += n;
      if (this.fill === BATCH_BYTES) this.send();
    }
    this.pacer.consumed(chunk.length);
    while (this.pending.inFlight >= WINDOW_BYTES && !this.error) await new Promise<void>((resolve) => (this.pending.waiter = resolve));
    if (this.error) throw this.error;
  }

  async finish(): Promise<BlobHashes> {
    if (!this.ended) {
      this.ended = true;
      if (this.fill > 0) this.send();
      this.worker.post({ type: 'end', id: this.id });
    }
    return this.result;
  }

  async abort(): Promise<void> {
    if (this.worker.open.delete(this.id)) this.worker.post({ type: 'abort', id: this.id });
    this.ended = true;
    this.batch = undefined;
    // A write waiting for room, and finish(), end now instead of waiting for acks that will not come.
    this.pending.failed(new HashThreadError('the pass was aborted'));
  }

  private send(): void {
    const batch = this.batch;
    if (!batch) return;
    const bytes = this.fill === batch.length ? batch : batch.subarray(0, this.fill);
    this.batch = undefined;
    this.fill = 0;
    this.pending.inFlight += bytes.length;
    this.worker.post({ type: 'chunk', id: this.id, bytes }, [bytes.buffer as ArrayBuffer]);
  }

  private wake(): void {
    const waiter = this.pending.waiter;
    this.pending.waiter = undefined;
    waiter?.();
  }
}

/** The same pass on this thread: for one-off blobs, and where no worker may be started. */
export function localPass(options: HashOptions, pacer: GcPacer = startGcPacer()): BlobPass {
  const hasher = new BlobHasher(options);
  // Findings are in the hashes; a stream error surfaces through write() or finish().
  const failed = new Promise<never>((_, reject) => hasher.once('error', reject));
  failed.catch(() => undefined);
  return {
    async write(chunk) {
      pacer.consumed(chunk.length);
      if (!hasher.write(chunk)) await Promise.race([new Promise<void>((resolve) => whenWritable(hasher, resolve)), failed]);
    },
    async finish() {
      hasher.end();
      await Promise.race([finished(hasher), failed]);
      return hasher.hashes;
    },
    abort: () => hasher.abort(),
  };
}
