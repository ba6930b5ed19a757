// The worker side of the hash pool (hash-pool.ts): runs the one streaming pass (hasher.ts: both
// digests, the decoder, the tar walk) for the blobs the main thread hands it, so that hashing and
// tar parsing leave the thread that downloads. It is its own small bundle (dist/hash-worker/),
// loaded only by deep verification, and imports nothing but the pass.
//
// Protocol, one message at a time per blob id, in order:
//   main → worker: open {id, options} · chunk {id, bytes} · end {id} · abort {id}
//   worker → main: ack {id, bytes} when a chunk has gone through the pass (the main thread's
//   credit for the next one) · done {id, hashes} · failed {id, message}
// A chunk's bytes are a transferred ArrayBuffer: the main thread copied them out of the
// download, so nothing here shares memory with it.

import { parentPort } from 'node:worker_threads';
import { BlobHasher } from './hasher.js';
import { toWire, type FromWorker, type ToWorker } from './hash-wire.js';
import { startGcPacer } from './gc-pacer.js';

function serve(port: NonNullable<typeof parentPort>): void {
  const hashers = new Map<number, BlobHasher>();
  const gc = startGcPacer();
  const post = (message: FromWorker) => port.postMessage(message);
  port.on('message', (message: ToWorker) => {
    const { id } = message;
    switch (message.type) {
      case 'open': {
        const hasher = new BlobHasher(message.options);
        // A stream error (the decoder's are findings, kept in the hashes, not errors) ends this blob only.
        hasher.on('error', (err: Error) => {
          if (hashers.delete(id)) post({ type: 'failed', id, message: err.message });
        });
        hashers.set(id, hasher);
        return;
      }
      case 'chunk': {
        const hasher = hashers.get(id);
        if (!hasher) return;
        const bytes = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
        hasher.write(bytes, () => {
          gc.consumed(bytes.length);
          post({ type: 'ack', id, bytes: bytes.length });
        });
        return;
      }
      case 'end': {
        const hasher = hashers.get(id);
        if (!hasher) return;
        // On a stream error the 'error' listener has already answered for this id.
        hasher.end((err?: Error | null) => {
          if (err || !hashers.delete(id)) return;
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

if (parentPort) serve(parentPort);
