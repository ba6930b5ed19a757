// The registry-timeout input / --registry-timeout flag and the timeouts it sets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VerifyImageError } from '../../src/errors.js';
import { parseRegistryTimeout } from '../../src/options.js';
import { timeoutsFor } from '../../src/registry/http.js';

test('parseRegistryTimeout accepts whole seconds', () => {
  assert.equal(parseRegistryTimeout(''), undefined);
  assert.equal(parseRegistryTimeout(' 60 '), 60_000);
  assert.equal(parseRegistryTimeout('5s'), 5_000);
  assert.equal(parseRegistryTimeout('3600'), 3_600_000);
});

for (const bad of ['0', '-1', '1.5', 'soon', '3601', '60m']) {
  test(`parseRegistryTimeout refuses ${JSON.stringify(bad)} with what to write`, () => {
    assert.throws(
      () => parseRegistryTimeout(bad),
      (err: unknown) => err instanceof VerifyImageError && err.code === 'input' && /give whole seconds from 1 to 3600/.test(err.message),
    );
  });
}

test('timeoutsFor caps connecting at 15 s', () => {
  assert.deepEqual(timeoutsFor(5_000), { connectMs: 5_000, headersMs: 5_000, bodyIdleMs: 5_000 });
  assert.deepEqual(timeoutsFor(120_000), { connectMs: 15_000, headersMs: 120_000, bodyIdleMs: 120_000 });
});
