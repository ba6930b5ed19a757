// Docker Hub's rate-limit headers: parsing both spellings, when a quota counts as low, and that
// the watcher warns once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRateLimit, isLow, parseRateLimit, RateLimitWatcher } from '../../src/registry/ratelimit.js';

const res = (headers: Record<string, string>) => ({ headers });

test('parseRateLimit reads Docker Hub headers', () => {
  assert.deepEqual(parseRateLimit(res({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' })), {
    limit: 100,
    remaining: 76,
    windowSeconds: 21600,
  });
  assert.deepEqual(parseRateLimit(res({ 'ratelimit-remaining': '3' })), { limit: undefined, remaining: 3, windowSeconds: undefined });
  assert.deepEqual(parseRateLimit(res({ 'ratelimit-limit': '200 ; w=3600', 'ratelimit-remaining': '0' })), {
    limit: 200,
    remaining: 0,
    windowSeconds: 3600,
  });
});

test('parseRateLimit ignores absent and unreadable headers', () => {
  assert.equal(parseRateLimit(res({})), undefined);
  assert.equal(parseRateLimit(res({ 'ratelimit-limit': '100;w=21600' })), undefined);
  assert.equal(parseRateLimit(res({ 'ratelimit-remaining': 'lots' })), undefined);
  assert.equal(parseRateLimit(res({ 'ratelimit-remaining': '-1' })), undefined);
});

test('isLow: a tenth of the quota, or 10 when the quota is unknown', () => {
  assert.equal(isLow({ limit: 100, remaining: 10 }), true);
  assert.equal(isLow({ limit: 100, remaining: 11 }), false);
  assert.equal(isLow({ limit: 5, remaining: 1 }), true);
  assert.equal(isLow({ limit: 5, remaining: 2 }), false);
  assert.equal(isLow({ remaining: 10 }), true);
  assert.equal(isLow({ remaining: 11 }), false);
});

test('describeRateLimit', () => {
  assert.equal(describeRateLimit({ limit: 100, remaining: 3, windowSeconds: 21600 }), '3 of 100 pulls left per 6 h');
  assert.equal(describeRateLimit({ remaining: 3 }), '3 pulls left');
});

test('RateLimitWatcher warns once, only when low', () => {
  const warnings: string[] = [];
  const watcher = new RateLimitWatcher('docker.io', { info() {}, debug() {}, secret() {}, warning: (m) => warnings.push(m) });
  watcher.observe(res({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '50;w=21600' }));
  assert.deepEqual(warnings, []);
  watcher.observe(res({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '4;w=21600' }));
  watcher.observe(res({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '3;w=21600' }));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /^docker\.io pull rate limit is running low: 4 of 100 pulls left per 6 h: log in/);
  assert.equal(watcher.last?.remaining, 3);
});
