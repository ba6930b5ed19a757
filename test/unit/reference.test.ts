import { test } from 'node:test';
import assert from 'node:assert/strict';

import { VerifyImageError } from '../../src/errors.js';
import {
  formatReference,
  isLoopbackHost,
  isValidDigest,
  manifestReference,
  parseReference,
  registryUsesHttp,
  withDigest,
  type ImageReference,
} from '../../src/oci/reference.js';

const HEX = 'a'.repeat(64);
const D = `sha256:${HEX}`;
const D2 = `sha256:${'b'.repeat(64)}`;

const valid: Array<[string, ImageReference]> = [
  ['nginx', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', tag: 'latest' }],
  ['nginx:1.25', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', tag: '1.25' }],
  ['library/nginx', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', tag: 'latest' }],
  ['docker.io/nginx', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', tag: 'latest' }],
  ['acme/app:v2', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'acme/app', tag: 'v2' }],
  ['index.docker.io/acme/app', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'acme/app', tag: 'latest' }],
  ['index.docker.io/busybox', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/busybox', tag: 'latest' }],
  ['ghcr.io/acme/app:1.0', { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/app', tag: '1.0' }],
  ['GHCR.io/acme/app', { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/app', tag: 'latest' }],
  ['ghcr.io/app', { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'app', tag: 'latest' }],
  ['registry.example.com:5000/team/sub/app:1', { registry: 'registry.example.com:5000', apiHost: 'registry.example.com:5000', repository: 'team/sub/app', tag: '1' }],
  ['localhost/app', { registry: 'localhost', apiHost: 'localhost', repository: 'app', tag: 'latest' }],
  ['localhost:5000/app', { registry: 'localhost:5000', apiHost: 'localhost:5000', repository: 'app', tag: 'latest' }],
  ['127.0.0.1:5000/a/b:t', { registry: '127.0.0.1:5000', apiHost: '127.0.0.1:5000', repository: 'a/b', tag: 't' }],
  ['myhost:5000/app', { registry: 'myhost:5000', apiHost: 'myhost:5000', repository: 'app', tag: 'latest' }],
  ['[::1]:5000/app:1', { registry: '[::1]:5000', apiHost: '[::1]:5000', repository: 'app', tag: '1' }],
  ['[2001:db8::1]/app', { registry: '[2001:db8::1]', apiHost: '[2001:db8::1]', repository: 'app', tag: 'latest' }],
  [`ghcr.io/acme/app@${D}`, { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/app', digest: D }],
  [`ghcr.io/acme/app:1.0@${D}`, { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/app', tag: '1.0', digest: D }],
  [`nginx@${D}`, { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/nginx', digest: D }],
  ['a.b/x_y__z.w-v---u:_T.-1', { registry: 'a.b', apiHost: 'a.b', repository: 'x_y__z.w-v---u', tag: '_T.-1' }],
  [`ghcr.io/acme/app:${'t'.repeat(128)}`, { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/app', tag: 't'.repeat(128) }],
  // Docker treats a lone host-looking name as a Docker Hub repository, and so do we.
  ['localhost:5000', { registry: 'docker.io', apiHost: 'registry-1.docker.io', repository: 'library/localhost', tag: '5000' }],
];

for (const [input, expected] of valid) {
  test(`parseReference(${JSON.stringify(input.length > 60 ? input.slice(0, 60) + '…' : input)})`, () => {
    assert.deepEqual(parseReference(input), expected);
  });
}

test('parseReference accepts a repository path of exactly 255 characters', () => {
  const path = `acme/${'a'.repeat(250)}`;
  assert.equal(parseReference(`ghcr.io/${path}`).repository, path);
});

const invalid: Array<[string, string, RegExp]> = [
  ['empty', '', /it is empty/],
  ['whitespace', 'ghcr.io/acme/app :1', /whitespace/],
  ['trailing newline', 'nginx\n', /whitespace/],
  ['https scheme', 'https://ghcr.io/acme/app', /scheme/],
  ['docker scheme', 'docker://nginx', /scheme/],
  ['bare 64-hex image ID', HEX, /looks like an image ID/],
  ['sha256: image ID', D, /looks like an image ID/],
  ['uppercase docker hub name', 'Foo/bar', /repository names must be lowercase/],
  ['uppercase path on a registry', 'ghcr.io/Acme/app', /repository names must be lowercase/],
  ['uppercase single name', 'Nginx', /repository names must be lowercase/],
  ['tag of 129 characters', `nginx:${'t'.repeat(129)}`, /at most 128 characters/],
  ['tag starting with "."', 'nginx:.hidden', /not a valid tag/],
  ['tag starting with "-"', 'nginx:-x', /not a valid tag/],
  ['tag with "+"', 'nginx:1+2', /not a valid tag/],
  ['empty tag', 'nginx:', /tag after ":" is empty/],
  ['short digest', `nginx@sha256:${'a'.repeat(63)}`, /not a valid digest/],
  ['uppercase digest', `nginx@sha256:${'A'.repeat(64)}`, /not a valid digest/],
  ['digest without algorithm', `nginx@${HEX}`, /not a valid digest/],
  ['empty digest', 'nginx@', /not a valid digest/],
  ['two digests', `nginx@${D}@${D2}`, /more than one "@"/],
  ['missing name', `@${D}`, /repository name is missing/],
  ['missing name before tag', ':1.0', /repository name is missing/],
  ['trailing slash', 'ghcr.io/acme/', /empty component/],
  ['double slash', 'ghcr.io/acme//app', /empty component/],
  ['host only with slash', 'ghcr.io/', /empty component/],
  ['leading separator', 'ghcr.io/acme/-app', /not a valid repository name component/],
  ['trailing separator', 'ghcr.io/acme/app.', /not a valid repository name component/],
  ['triple underscore', 'acme/a___b', /not a valid repository name component/],
  ['bad host', 'bad_host.io/app', /not a valid registry host/],
  ['host component ends with "-"', 'ghcr-.io/app', /not a valid registry host/],
  ['non-numeric port', 'ghcr.io:abc/app', /not a valid port/],
  ['port out of range', 'ghcr.io:70000/app', /not a valid port/],
  ['IPv6 with zone', '[fe80::1%eth0]:5000/app', /not a valid registry host/],
  ['path too long', `ghcr.io/acme/${'a'.repeat(251)}`, /256 characters long; the limit is 255/],
];

for (const [name, input, message] of invalid) {
  test(`parseReference rejects ${name}`, () => {
    assert.throws(
      () => parseReference(input),
      (err: unknown) => {
        assert.ok(err instanceof VerifyImageError);
        assert.equal(err.code, 'reference');
        assert.match(err.message, message);
        assert.match(err.message, /^invalid image reference ".*": .* \(e\.g\. ghcr\.io\/acme\/app/);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      },
    );
  });
}

test('the uppercase error quotes the input and shows a valid example', () => {
  assert.throws(() => parseReference('Foo/bar'), {
    message: 'invalid image reference "Foo/bar": repository names must be lowercase (e.g. ghcr.io/acme/app:1.0)',
  });
});

const manifestRefs: Array<[string, string]> = [
  ['nginx', 'latest'],
  ['nginx:1.25', '1.25'],
  [`nginx@${D}`, D],
  [`nginx:1.25@${D}`, D],
];
for (const [input, expected] of manifestRefs) {
  test(`manifestReference(${input.slice(0, 20)}…) is ${expected.slice(0, 12)}`, () => {
    assert.equal(manifestReference(parseReference(input)), expected);
  });
}

const formatted: Array<[string, string]> = [
  ['nginx', 'docker.io/library/nginx:latest'],
  ['index.docker.io/acme/app:2', 'docker.io/acme/app:2'],
  [`nginx:1.25@${D}`, `docker.io/library/nginx:1.25@${D}`],
  [`ghcr.io/acme/app@${D}`, `ghcr.io/acme/app@${D}`],
  ['[::1]:5000/app:1', '[::1]:5000/app:1'],
];
for (const [input, expected] of formatted) {
  test(`formatReference round-trips ${input.slice(0, 30)}`, () => {
    const text = formatReference(parseReference(input));
    assert.equal(text, expected);
    assert.deepEqual(parseReference(text), parseReference(input));
  });
}

test('withDigest pins the repository and keeps the tag for display', () => {
  const ref = parseReference('ghcr.io/acme/app:1.0');
  const pinned = withDigest(ref, D);
  assert.deepEqual(pinned, { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/app', tag: '1.0', digest: D });
  assert.equal(manifestReference(pinned), D);
  assert.equal(ref.digest, undefined, 'the original reference is not changed');
});

test('withDigest replaces an existing digest and works without a tag', () => {
  const pinned = withDigest(parseReference(`ghcr.io/acme/app@${D}`), D2);
  assert.deepEqual(pinned, { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/app', digest: D2 });
});

test('withDigest refuses a malformed digest', () => {
  assert.throws(() => withDigest(parseReference('nginx'), 'sha256:abc'), { name: 'VerifyImageError', message: /not a valid digest/ });
});

const digests: Array<[string, boolean]> = [
  [D, true],
  [`sha512:${'c'.repeat(128)}`, true],
  [`sha256:${'a'.repeat(63)}`, false],
  [`sha256:${'a'.repeat(65)}`, false],
  [`sha256:${'A'.repeat(64)}`, false],
  [`sha256:${'g'.repeat(64)}`, false],
  [`sha512:${'c'.repeat(64)}`, false],
  ['multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8', true],
  ['blake3:abcdef', true],
  [`SHA256:${HEX}`, false],
  [HEX, false],
  ['sha256:', false],
  [':abc', false],
  ['', false],
];
for (const [digest, expected] of digests) {
  test(`isValidDigest(${JSON.stringify(digest.slice(0, 24))}…) is ${expected}`, () => {
    assert.equal(isValidDigest(digest), expected);
  });
}

const loopback: Array<[string, boolean]> = [
  ['localhost', true],
  ['LOCALHOST:5000', true],
  ['127.0.0.1', true],
  ['127.0.0.1:5000', true],
  ['127.1.2.3:80', true],
  ['[::1]', true],
  ['[::1]:5000', true],
  ['[0:0:0:0:0:0:0:1]:5000', true],
  ['::1', true],
  ['127.0.0.256', false],
  ['128.0.0.1', false],
  ['127.0.0.1.example.com', false],
  ['localhost.example.com', false],
  ['[::2]:5000', false],
  ['[::]', false],
  ['ghcr.io', false],
  ['docker.io', false],
];
for (const [host, expected] of loopback) {
  test(`isLoopbackHost(${host}) is ${expected}`, () => {
    assert.equal(isLoopbackHost(host), expected);
  });
}

const http: Array<[string, string[], boolean]> = [
  ['localhost:5000/app', [], true],
  ['127.0.0.1:5000/app', [], true],
  ['[::1]:5000/app', [], true],
  ['ghcr.io/acme/app', [], false],
  ['nginx', [], false],
  ['registry.lan:5000/app', ['registry.lan:5000'], true],
  ['registry.lan:5000/app', ['registry.lan'], true],
  ['registry.lan:5000/app', ['registry.lan:5001'], false],
  ['registry.lan/app', ['registry.lan:5000'], false],
  ['registry.lan/app', ['other.lan', ' Registry.LAN '], true],
  ['registry.lan/app', ['http://registry.lan/'], true],
  ['registry.lan.evil.com/app', ['registry.lan'], false],
  ['[fd00::1]:5000/app', ['[fd00::1]'], true],
  ['[fd00::1]:5000/app', ['[fd00::2]:5000'], false],
];
for (const [input, insecure, expected] of http) {
  test(`registryUsesHttp(${input}, ${JSON.stringify(insecure)}) is ${expected}`, () => {
    assert.equal(registryUsesHttp(parseReference(input), insecure), expected);
  });
}
