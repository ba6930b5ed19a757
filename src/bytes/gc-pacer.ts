// Keeps short-lived chunk buffers from piling up. Every chunk of a streamed blob (a network read,
// a decoder's output) is a new ArrayBuffer that is garbage as soon as it is hashed; the JS objects
// that hold them are tiny, so V8's young generation hardly fills and V8 frees their memory only
// when 64 MiB more of it has piled up since the last full collection: per thread that streams,
// which alone would break the 100 MiB budget (issue 15). A minor collection (a scavenge: it
// visits only live young objects, a fraction of a millisecond here) after every 2 MiB frees
// them at once (4 MiB: ~12 MB more peak RSS at the same CPU time; 1 MiB: more CPU time). V8's `gc` function is reached the way test runners do, through the
// `--expose-gc` flag set at run time and a fresh context; where that fails, nothing is forced
// and memory is only higher.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'minor' | 'major' }) => void;

/** Bytes that flow through the thread between two forced minor collections. */
export const GC_EVERY_BYTES = 2 * 1024 * 1024;

let cached: GcFunction | null | undefined;

function gcFunction(): GcFunction | undefined {
  if (cached === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
      cached = typeof gc === 'function' ? (gc as GcFunction) : null;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

export interface GcPacer {
  /** Counts bytes this thread is done with; collects the young generation every `GC_EVERY_BYTES`. */
  consumed(bytes: number): void;
}

export function startGcPacer(everyBytes = GC_EVERY_BYTES): GcPacer {
  const gc = everyBytes > 0 ? gcFunction() : undefined;
  let since = 0;
  return {
    consumed(bytes) {
      if (!gc) return;
      since += bytes;
      if (since < everyBytes) return;
      since = 0;
      gc({ type: 'minor' });
    },
  };
}
