// WWW-Authenticate values with stray characters and broken quoting (issue 16): what is skipped
// must be skipped whole, so that a stray quoted string's commas or a stray character never let a
// later parameter (a realm, a service) leak into another challenge or get lost.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges, type Challenge } from '../../src/registry/challenge.js';

const cases: { name: string; header: string; want: Challenge[] }[] = [
  {
    name: 'a stray character between parameters is stepped over',
    header: 'Bearer realm="https://a/token", @, service="a"',
    want: [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 'a' } }],
  },
  {
    name: 'a stray character right before a parameter name',
    header: 'Bearer realm="https://a/token", @service="a"',
    want: [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 'a' } }],
  },
  {
    name: 'a stray quoted string between parameters is skipped whole, commas and = inside it',
    header: 'Bearer realm="https://a/token", "x, Basic y=z", service="a"',
    want: [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 'a' } }],
  },
  {
    name: 'a stray character before the first scheme is stepped over, not read as a quote',
    header: '@ Bearer realm="https://a/token", service="a"',
    want: [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 'a' } }],
  },
  {
    name: 'a backslash as the last character of an unterminated quoted value is kept',
    header: 'Bearer service="a",realm="https://a/token\\',
    want: [{ scheme: 'bearer', params: { service: 'a', realm: 'https://a/token\\' } }],
  },
  {
    name: 'an escaped character just before the end of an unterminated quoted value',
    header: 'Basic realm="a\\b',
    want: [{ scheme: 'basic', params: { realm: 'ab' } }],
  },
];

for (const c of cases) {
  test(`parseChallenges, stray input: ${c.name}`, () => {
    assert.deepEqual(parseChallenges(c.header), c.want);
  });
}
