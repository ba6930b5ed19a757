import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VerifyImageError } from '../../src/errors.js';
import { parseBaseImage, parseBuildArgs, parseFailOn } from '../../src/options.js';

describe('parseFailOn', () => {
  for (const [value, expected] of [
    ['', { mismatch: true, drift: false }],
    ['mismatch', { mismatch: true, drift: false }],
    ['drift', { mismatch: false, drift: true }],
    ['mismatch,drift', { mismatch: true, drift: true }],
    [' Drift , MISMATCH ', { mismatch: true, drift: true }],
    ['mismatch\ndrift', { mismatch: true, drift: true }],
    ['never', { mismatch: false, drift: false }],
  ] as const) {
    test(JSON.stringify(value), () => assert.deepEqual(parseFailOn(value), expected));
  }
  test('unknown values and never mixed with others are input errors', () => {
    assert.throws(() => parseFailOn('mismatch,drfit'), (e: unknown) => e instanceof VerifyImageError && /mismatch,drift, or never/.test(e.message));
    assert.throws(() => parseFailOn('never,drift'), /mixes never/);
  });
});

describe('parseBaseImage', () => {
  test('auto, none and references', () => {
    assert.equal(parseBaseImage(''), 'auto');
    assert.equal(parseBaseImage(' AUTO '), 'auto');
    assert.equal(parseBaseImage('None'), 'none');
    assert.equal(parseBaseImage('node:22-alpine'), 'node:22-alpine');
    assert.throws(() => parseBaseImage('Node:22'), /the base-image input: invalid image reference .*lowercase.*or use auto or none/);
  });
});

describe('parseBuildArgs', () => {
  test('NAME=value per line; values keep = and commas; a bare NAME comes from the environment', () => {
    assert.deepEqual(parseBuildArgs('A=1\n\n B=x=y,z \nFROM_ENV\nUNSET', { FROM_ENV: 'env' }), { A: '1', B: 'x=y,z', FROM_ENV: 'env' });
  });
  test('a line without a name is an input error', () => {
    assert.throws(() => parseBuildArgs('=1'), /does not start with an ARG name/);
    assert.throws(() => parseBuildArgs('--build-arg A=1'), /does not start with an ARG name/);
  });
});
