// Image references at their edges (issue 16): Docker's rule for when the first path component is
// a registry host (distribution/reference's splitDockerDomain: it contains "." or ":", or is
// "localhost"), port bounds, which hosts count as loopback (and so may be spoken to over plain
// HTTP without being listed), every spelling of ::1 and the near misses, and how long input is
// quoted in an error. Table-driven: the parsed reference or the whole error, the boolean verdict.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { VerifyImageError } from '../../src/errors.js';
import { isLoopbackHost, parseReference, type ImageReference } from '../../src/oci/reference.js';

const hub = (repository: string, tag = 'latest'): ImageReference => ({ registry: 'docker.io', apiHost: 'registry-1.docker.io', repository, tag });
const on = (registry: string, repository: string, tag = 'latest'): ImageReference => ({ registry, apiHost: registry, repository, tag });

const valid: Array<[string, ImageReference]> = [
  // one component: always a Docker Hub repository, whatever it looks like
  ['a.b', hub('library/a.b')],
  ['a.b:1', hub('library/a.b', '1')],
  ['ab', hub('library/ab')],
  ['a/b', hub('a/b')],
  ['a/b.c', hub('a/b.c')],
  ['ab/c', hub('ab/c')],
  ['a.b/c', on('a.b', 'c')],
  ['a:1/c', on('a:1', 'c')],
  // ports: 1 to 65535
  ['ghcr.io:1/app', on('ghcr.io:1', 'app')],
  ['ghcr.io:65535/app', on('ghcr.io:65535', 'app')],
  ['ghcr.io:00080/app', on('ghcr.io:00080', 'app')],
  ['[::1]/app', on('[::1]', 'app')],
  ['[fd00::1]:5000/a/b', on('[fd00::1]:5000', 'a/b')],
];
for (const [input, expected] of valid) {
  test(`parseReference(${JSON.stringify(input)})`, () => {
    assert.deepEqual(parseReference(input), expected);
  });
}

const invalid: Array<[string, string]> = [
  ['ghcr.io:0/app', 'invalid image reference "ghcr.io:0/app": "0" is not a valid port for registry "ghcr.io" (e.g. ghcr.io/acme/app:1.0)'],
  ['ghcr.io:65536/app', 'invalid image reference "ghcr.io:65536/app": "65536" is not a valid port for registry "ghcr.io" (e.g. ghcr.io/acme/app:1.0)'],
  ['ghcr.io:123456/app', 'invalid image reference "ghcr.io:123456/app": "123456" is not a valid port for registry "ghcr.io" (e.g. ghcr.io/acme/app:1.0)'],
  ['ghcr.io:/app', 'invalid image reference "ghcr.io:/app": "" is not a valid port for registry "ghcr.io" (e.g. ghcr.io/acme/app:1.0)'],
  ['[]:5000/app', 'invalid image reference "[]:5000/app": "[]:5000" is not a valid registry host (e.g. ghcr.io/acme/app:1.0)'],
  // A bracketed first component without ":" is no IPv6 address, and so no host to Docker
  // (splitDockerDomain): it is read as a Docker Hub path, where "[" is not allowed.
  [
    '[abcd]/app',
    'invalid image reference "[abcd]/app": "[abcd]" is not a valid repository name component; use lowercase letters and digits separated by ".", "_", "__" or "-" (e.g. ghcr.io/acme/app:1.0)',
  ],
];
for (const [input, message] of invalid) {
  test(`parseReference refuses ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parseReference(input),
      (err: unknown) => err instanceof VerifyImageError && err.code === 'reference' && err.message === message,
    );
  });
}

test('an error quotes at most 200 characters of the input', () => {
  const message = (input: string) => {
    try {
      parseReference(input);
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  const exactly200 = `ghcr.io/${'A'.repeat(192)}`;
  assert.equal(message(exactly200), `invalid image reference "${exactly200}": repository names must be lowercase (e.g. ghcr.io/acme/app:1.0)`);
  const longer = `${exactly200}B`;
  assert.equal(message(longer), `invalid image reference "${exactly200}…": repository names must be lowercase (e.g. ghcr.io/acme/app:1.0)`);
});

const loopback: Array<[string, boolean]> = [
  ['127.0.0.255', true],
  ['127.255.255.255:5000', true],
  ['127.0.255.0', true],
  ['127.256.0.1', false],
  ['127.0.0.1000', false],
  // every spelling of ::1
  ['[::0001]', true],
  ['[0::1]', true],
  ['[0:0:0:0:0:0::1]:5000', true], // "::" standing for one group
  ['[::0:0:0:0:0:1]', true],
  ['[0000:0000:0000:0000:0000:0000:0000:0001]', true],
  ['[::1]:443', true],
  // near misses
  ['[::1x', false],
  ['[::1', false],
  ['::1]', false],
  ['[::g]', false],
  ['[::1::]', false],
  ['[1::2::1]', false],
  ['[0:0:0:0:0:0:0:1::1::]', false], // two "::" after eight groups
  ['[0:0:0:0:0:0:0:1:5]', false], // nine groups
  ['[0:0:0:0::0:0:0:1]', false], // "::" standing for no group
  ['[0:0:0:0:0:0:1]', false], // seven groups
  ['[::00001]', false], // a group of five digits
  ['[::1:0]', false],
  ['[1::1]', false],
  ['[::]:5000', false],
  ['[::ffff:127.0.0.1]', false],
];
for (const [host, expected] of loopback) {
  test(`isLoopbackHost(${host}) is ${expected}`, () => {
    assert.equal(isLoopbackHost(host), expected);
  });
}
