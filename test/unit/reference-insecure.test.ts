// insecure-registries entries as people write them (issue 16): with a scheme, a trailing slash,
// in capitals, or nothing but a scheme. An entry allows plain HTTP for the registry it names and
// nothing else; an entry that names no host (`http://`, blanks) allows nothing, never everything.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReference, registryUsesHttp } from '../../src/oci/reference.js';

const cases: Array<[string, string[], boolean]> = [
  ['registry.lan/app', ['http://'], false],
  ['registry.lan/app', ['https://'], false],
  ['registry.lan/app', ['http:///'], false],
  ['registry.lan/app', [''], false],
  ['registry.lan/app', ['   '], false],
  ['registry.lan/app', ['/'], false],
  ['registry.lan:5000/app', ['http://', ''], false],
  ['ghcr.io/acme/app', ['http://'], false],
  ['registry.lan/app', ['http://', 'registry.lan'], true],
  ['registry.lan:5000/app', ['HTTP://REGISTRY.LAN:5000/'], true],
  ['registry.lan:5000/app', ['https://registry.lan:5000'], true],
  ['registry.lan/app', ['ftp://registry.lan//'], true],
  ['registry.lan:5000/app', ['http://registry.lan:5000/v2/'], false],
  ['evil.example/app', ['http://registry.lan'], false],
  ['registry.lan/app', ['http://registry.lan:80'], false],
  ['registry.lan:80/app', ['http://registry.lan'], true],
  ['127.0.0.2:5000/app', [], true],
  ['127.1.2.3/app', ['http://'], true],
];
for (const [input, insecure, expected] of cases) {
  test(`registryUsesHttp(${input}, ${JSON.stringify(insecure)}) is ${expected}`, () => {
    assert.equal(registryUsesHttp(parseReference(input), insecure), expected);
  });
}
