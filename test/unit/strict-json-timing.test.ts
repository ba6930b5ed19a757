// The timing test of the strict JSON decoder, apart from its behaviour tests: a time budget holds
// only for the code as shipped, so mutation testing (stryker.config.mjs), whose instrumented copy
// counts every branch taken, leaves this file out and runs strict-json.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeStrict } from '../../src/oci/strict-json.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

test('decodeStrict reads a 4 MiB manifest in linear time (seconds, not minutes, even on a loaded machine)', () => {
  const layers = Array.from({ length: 15000 }, (_, i) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'a'.repeat(64)}`, size: i, annotations: { k: 'v'.repeat(150) } }));
  const text = JSON.stringify({ schemaVersion: 2, layers });
  const started = Date.now();
  assert.deepEqual(decodeStrict(bytes(text), 'manifest'), JSON.parse(text));
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});
