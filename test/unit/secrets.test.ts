// The secret tracker: secrets pass through to the entry point's logger and are scrubbed from text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretTracker } from '../../src/secrets.js';

test('SecretTracker passes secrets on and scrubs them, longest first', () => {
  const masked: string[] = [];
  const tracker = new SecretTracker();
  const logger = tracker.wrap({ info() {}, warning() {}, debug() {}, secret: (s) => masked.push(s) });
  logger.secret('hunter2');
  logger.secret('hunter2-extended');
  logger.secret('');
  assert.deepEqual(masked, ['hunter2', 'hunter2-extended', '']);
  assert.equal(tracker.scrub('a hunter2-extended b hunter2 c'), 'a *** b *** c');
});

test('SecretTracker leaves very short secrets to the log masking', () => {
  const tracker = new SecretTracker();
  tracker.wrap({ info() {}, warning() {}, debug() {}, secret() {} }).secret('a');
  assert.equal(tracker.scrub('a registry'), 'a registry');
});
