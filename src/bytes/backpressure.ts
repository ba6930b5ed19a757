// Waiting for a full stream: every writer in the byte pass (the download into the hasher, the
// hasher into its decoder, the decoder wrapper into node:zlib) pauses on the same condition.

import type { EventEmitter } from 'node:events';

/** Why a full stream lets its writer go on: it drained, or it never will (it failed, closed or ended). */
const WRITABLE_AGAIN = ['drain', 'error', 'close', 'end'] as const;

/** Calls `go` once, when `stream` wants more input or never will; the outcome itself is seen elsewhere. */
export function whenWritable(stream: EventEmitter, go: () => void): void {
  const once = () => {
    for (const event of WRITABLE_AGAIN) stream.off(event, once);
    go();
  };
  for (const event of WRITABLE_AGAIN) stream.on(event, once);
}
