// A bounded pool: at most `limit` tasks in flight, the next one starting as soon as one ends.
// Deep verification runs one layer per slot: downloads are I/O and decompression runs off the
// main thread (zlib's thread pool, or the zstd command), so a few more slots than cores pay.

/** Runs `task(i)` for every index in `order` (a permutation of 0..n-1), `limit` at a time; the results by index. */
export async function inPool<T>(order: readonly number[], limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(order.length);
  const queue = [...order];
  const slot = async (): Promise<void> => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) results[i] = await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, order.length) }, slot));
  return results;
}
