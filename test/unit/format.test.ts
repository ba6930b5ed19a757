import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shorten } from '../../src/report/format.js';
import { instructionOf } from '../../src/model/history.js';
import { humanSize } from '../../src/model/units.js';
import { parseBoolean, parseDigest, parseFailOn, parseList } from '../../src/options.js';

const instructions: [string, string][] = [
  ['/bin/sh -c #(nop)  CMD ["/bin/sh"]', 'CMD ["/bin/sh"]'],
  [
    `/bin/sh -c #(nop) COPY file:${'ab'.repeat(32)} in /bin/busybox `,
    'COPY file:abababababab in /bin/busybox',
  ],
  ['/bin/sh -c apk add --no-cache curl', 'RUN apk add --no-cache curl'],
  ['RUN /bin/sh -c make build # buildkit', 'RUN make build'],
  ['RUN |1 V=2 /bin/sh -c echo $V # buildkit', 'RUN echo $V'],
  ['RUN make # buildkit', 'RUN make'],
  ['/bin/busybox --install -s /bin', 'RUN /bin/busybox --install -s /bin'],
  ['|2 A=1 B=two /bin/sh -c echo $A', 'RUN echo $A'],
  ['COPY . /app # buildkit', 'COPY . /app'],
];
for (const [raw, want] of instructions) {
  test(`instructionOf(${JSON.stringify(raw.slice(0, 40))})`, () => assert.equal(instructionOf(raw), want));
}

test('humanSize', () => {
  assert.equal(humanSize(0), '0 B');
  assert.equal(humanSize(1023), '1023 B');
  assert.equal(humanSize(1536), '1.5 KiB');
  assert.equal(humanSize(5 * 1024 * 1024 * 1024), '5.0 GiB');
  assert.equal(humanSize(undefined), '');
});

test('shorten keeps short text and marks cut text', () => {
  assert.equal(shorten('abc', 5), 'abc');
  assert.equal(shorten('abcdefgh', 5), 'abcd…');
});

test('option parsing: digests, lists, fail-on and booleans', () => {
  assert.equal(parseDigest(''), undefined);
  assert.equal(parseDigest(` sha256:${'a'.repeat(64)} `), `sha256:${'a'.repeat(64)}`);
  assert.throws(() => parseDigest('sha256:abc'), /not a digest: pass sha256:<64 hex>/);
  assert.throws(() => parseDigest(`sha256:${'A'.repeat(64)}`), /not a digest/);
  assert.deepEqual(parseList('a.io, b.io\n c.io:5000'), ['a.io', 'b.io', 'c.io:5000']);
  assert.deepEqual(parseFailOn(''), { mismatch: true, drift: false });
  assert.deepEqual(parseFailOn('never'), { mismatch: false, drift: false });
  assert.throws(() => parseFailOn('sometimes'), /fail-on "sometimes" is not understood/);
  assert.throws(() => parseFailOn('never,mismatch'), /mixes never/);
  assert.equal(parseBoolean('summary', '', true), true);
  assert.equal(parseBoolean('summary', 'False', true), false);
  assert.throws(() => parseBoolean('summary', 'maybe', true), /summary input "maybe" is not a boolean/);
});
