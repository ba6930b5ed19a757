import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inPool } from '../../src/verify/pool.js';

for (const limit of [1, 2, 3, 10]) {
  test(`inPool: at most ${limit} in flight, started in the given order, results by index`, async () => {
    const order = [3, 0, 4, 1, 2];
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    const results = await inPool(order, limit, async (i) => {
      started.push(i);
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(5 * ((i % 3) + 1));
      inFlight--;
      return `layer ${i}`;
    });
    assert.deepEqual(results, ['layer 0', 'layer 1', 'layer 2', 'layer 3', 'layer 4']);
    assert.deepEqual(started, order);
    assert.equal(most, Math.min(limit, order.length));
  });
}

test('inPool: nothing to do is an empty result', async () => {
  assert.deepEqual(await inPool([], 4, async () => 1), []);
});
