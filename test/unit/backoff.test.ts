// Retry timing: backoff with jitter stays within its band and cap, Retry-After is read in both
// of its forms, and the deadline and attempt limits stop retries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, decideRetry, DEFAULT_RETRY, parseRetryAfter, RETRYABLE_STATUS, type RetryPolicy } from '../../src/registry/backoff.js';

const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, deadlineMs: 5_000 };

test('backoffDelay doubles per attempt, jitter inside [step, 2·step)', () => {
  for (const [attempt, step] of [[1, 100], [2, 200], [3, 400]] as const) {
    assert.equal(backoffDelay(attempt, policy, () => 0), step);
    assert.equal(backoffDelay(attempt, policy, () => 0.999999), 2 * step - 1);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(attempt, policy);
      assert.ok(d >= step && d < 2 * step, `attempt ${attempt}: ${d}`);
    }
  }
});

test('backoffDelay never exceeds the cap', () => {
  assert.equal(backoffDelay(10, policy, () => 0.5), 1_000);
  assert.equal(backoffDelay(60, policy, () => 0.99), 1_000);
});

const now = Date.parse('2025-01-01T00:00:00Z');
const retryAfterCases: [string | undefined, number | undefined][] = [
  [undefined, undefined],
  ['', undefined],
  ['0', 0],
  ['7', 7_000],
  [' 12 ', 12_000],
  ['1.5', 1_500],
  ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
  ['Tue, 31 Dec 2024 23:59:00 GMT', 0], // in the past: now
  ['-5', undefined],
  ['soon', undefined],
  ['12abc', undefined],
];
for (const [value, want] of retryAfterCases) {
  test(`parseRetryAfter(${JSON.stringify(value)}) = ${want}`, () => {
    assert.equal(parseRetryAfter(value, now), want);
  });
}

test('decideRetry: backs off while attempts and deadline allow', () => {
  assert.deepEqual(decideRetry(1, policy, now, now, undefined, () => 0), { retry: true, waitMs: 100 });
  assert.deepEqual(decideRetry(3, policy, now, now, undefined, () => 0), { retry: true, waitMs: 400 });
  assert.deepEqual(decideRetry(4, policy, now, now), { retry: false, reason: 'attempts' });
});

test('decideRetry: honours Retry-After up to the cap, and refuses a longer one rather than shorten it', () => {
  assert.deepEqual(decideRetry(1, policy, now, now, 900), { retry: true, waitMs: 900 });
  assert.deepEqual(decideRetry(1, policy, now, now, 0), { retry: true, waitMs: 0 });
  assert.deepEqual(decideRetry(1, policy, now, now, 1_001), { retry: false, reason: 'retry-after-too-long' });
});

test('decideRetry: no wait may end after the deadline', () => {
  assert.deepEqual(decideRetry(1, policy, now, now + 4_950, undefined, () => 0), { retry: false, reason: 'deadline' });
  assert.deepEqual(decideRetry(1, policy, now, now + 4_900, undefined, () => 0), { retry: true, waitMs: 100 });
  assert.deepEqual(decideRetry(2, policy, now, now + 4_500, 600), { retry: false, reason: 'deadline' });
});

test('the default policy and retryable statuses', () => {
  assert.deepEqual([...RETRYABLE_STATUS].sort(), [408, 429, 500, 502, 503, 504]);
  assert.ok(!RETRYABLE_STATUS.has(401) && !RETRYABLE_STATUS.has(404) && !RETRYABLE_STATUS.has(501));
  assert.equal(DEFAULT_RETRY.attempts, 4);
  assert.ok(DEFAULT_RETRY.deadlineMs >= DEFAULT_RETRY.maxDelayMs);
});
