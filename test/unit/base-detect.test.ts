// Who decides the base (issue 9 item 5, issue 12): the user's inputs, then labels of a proved
// config, then the registry's annotations (index first); and which credentials each may carry.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE_DIGEST_KEY, BASE_NAME_KEY, detectBase, type DetectImage } from '../../src/base/detect.js';
import { baseCredentialChoice } from '../../src/base/lookup.js';
import type { Logger } from '../../src/log.js';
import { formatReference, parseReference, registryUsesHttp } from '../../src/oci/reference.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function logger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, debug: () => undefined, secret: () => undefined, warning: (m) => warnings.push(m) };
}

const keys = (name: string, digest?: string): Record<string, string> => (digest ? { [BASE_NAME_KEY]: name, [BASE_DIGEST_KEY]: digest } : { [BASE_NAME_KEY]: name });

function image(opts: { labels?: Record<string, unknown>; manifest?: Record<string, unknown>; index?: Record<string, unknown> }): DetectImage {
  const img: DetectImage = {
    manifest: { schemaVersion: 2, config: { mediaType: 'x', digest: d(1), size: 1 }, layers: [] },
    config: { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } },
    platform: { os: 'linux', architecture: 'amd64' },
  };
  if (opts.labels) img.config.config = { Labels: opts.labels as Record<string, string> };
  if (opts.manifest) img.manifest.annotations = opts.manifest as Record<string, string>;
  if (opts.index) img.indexAnnotations = opts.index;
  return img;
}

const DOCKERFILE = 'FROM user.example/from-dockerfile:1\nRUN true\n';
const readText = async () => DOCKERFILE;

describe('who decides the base', () => {
  const everything = image({
    labels: keys('build.example/from-label:1', d(10)),
    index: keys('evil.example/from-index:1', d(11)),
    manifest: keys('evil.example/from-manifest:1', d(12)),
  });

  // Each row removes the winner of the row before: the order is the precedence.
  const cases: { name: string; opts: Parameters<typeof detectBase>[0]; img: DetectImage; bound?: boolean; want: [string, string, string | undefined] }[] = [
    { name: 'the base-image input beats everything', opts: { baseImage: 'user.example/from-input:1', dockerfile: 'Dockerfile' }, img: everything, want: ['input', 'user', 'user.example/from-input:1'] },
    { name: 'then the dockerfile input', opts: { dockerfile: 'Dockerfile' }, img: everything, want: ['dockerfile', 'user', 'user.example/from-dockerfile:1'] },
    { name: 'then labels of a proved config', opts: {}, img: everything, bound: true, want: ['label', 'build', `build.example/from-label:1@${d(10)}`] },
    { name: 'labels of an unproved config are the registry’s word', opts: {}, img: everything, bound: false, want: ['label', 'registry', `build.example/from-label:1@${d(10)}`] },
    {
      name: 'then the index annotations',
      opts: {},
      img: image({ index: keys('evil.example/from-index:1', d(11)), manifest: keys('evil.example/from-manifest:1', d(12)) }),
      want: ['annotation', 'registry', `evil.example/from-index:1@${d(11)}`],
    },
    { name: 'then the manifest annotations', opts: { baseImage: 'auto' }, img: image({ manifest: keys('evil.example/from-manifest:1') }), want: ['annotation', 'registry', 'evil.example/from-manifest:1'] },
    { name: 'else none', opts: {}, img: image({}), want: ['none', 'undefined', undefined] },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const declared = await detectBase(c.opts, c.img, logger(), { configBound: c.bound ?? true, readText });
      assert.ok(declared);
      assert.deepEqual([declared.source, String(declared.namedBy), declared.reference && formatReference(declared.reference)], c.want);
    });
  }

  test('base-image none skips the check whatever the image says', async () => {
    assert.equal(await detectBase({ baseImage: 'None' }, everything, logger(), { configBound: true }), undefined);
  });

  test('the report says the registry’s annotations named the base, and where', async () => {
    const onIndex = await detectBase({}, image({ index: keys('evil.example/b:1', d(11)), manifest: keys('evil.example/m:1') }), logger(), { configBound: true });
    assert.equal(onIndex?.from, `the registry's annotations ${BASE_NAME_KEY} and ${BASE_DIGEST_KEY} on the index`);
    const onManifest = await detectBase({}, image({ index: { other: 'x' }, manifest: keys('evil.example/m:1') }), logger(), { configBound: true });
    assert.equal(onManifest?.from, `the registry's annotations ${BASE_NAME_KEY} on the manifest`);
    const unproved = await detectBase({}, image({ labels: keys('b.example/l:1') }), logger(), { configBound: false });
    assert.match(unproved?.from ?? '', /^the registry's config labels org\.opencontainers\.image\.base\.name \(the config was not proved to be the local build's\)$/);
    const proved = await detectBase({}, image({ labels: keys('b.example/l:1', d(3)) }), logger(), { configBound: true });
    assert.equal(proved?.from, `config labels ${BASE_NAME_KEY} and ${BASE_DIGEST_KEY}`);
  });

  test('a Dockerfile base takes the digest of a label or annotation naming the same repository and tag', async () => {
    const dockerfileRepo = 'user.example/from-dockerfile';
    const sameLabel = await detectBase({ dockerfile: 'Dockerfile' }, image({ labels: keys(`${dockerfileRepo}:1`, d(20)) }), logger(), { configBound: true, readText });
    assert.equal(sameLabel && sameLabel.reference && formatReference(sameLabel.reference), `${dockerfileRepo}:1@${d(20)}`);
    assert.match(sameLabel?.from ?? '', /FROM on line 1; the digest from config labels/);
    assert.equal(sameLabel?.namedBy, 'user', 'the host is still the Dockerfile’s');
    const sameAnnotation = await detectBase({ dockerfile: 'Dockerfile' }, image({ index: keys(`${dockerfileRepo}:1`, d(21)) }), logger(), { configBound: true, readText });
    assert.equal(sameAnnotation?.reference?.digest, d(21));
    const otherTag = await detectBase({ dockerfile: 'Dockerfile' }, image({ labels: keys(`${dockerfileRepo}:2`, d(22)) }), logger(), { configBound: true, readText });
    assert.equal(otherTag?.reference?.digest, undefined);
    const otherRepo = await detectBase({ dockerfile: 'Dockerfile' }, image({ labels: keys('user.example/other:1', d(23)) }), logger(), { configBound: true, readText });
    assert.equal(otherRepo?.reference?.digest, undefined);
  });

  test('registry values that are not strings are ignored, never a crash', async () => {
    const log = logger();
    const odd = image({ index: { [BASE_NAME_KEY]: 5 }, manifest: { [BASE_NAME_KEY]: ['evil.example/x:1'] }, labels: { [BASE_NAME_KEY]: null } });
    assert.equal((await detectBase({}, odd, log, { configBound: true }))?.source, 'none');
    const bad = await detectBase({}, image({ index: keys('evil.example/x:1', 'sha256:nothex'), manifest: keys('evil.example/m:1') }), log, { configBound: true });
    assert.equal(bad?.reference && formatReference(bad.reference), 'evil.example/m:1', 'a malformed index pair falls through to the manifest');
    assert.match(log.warnings.join('\n'), /ignoring the registry's annotations org\.opencontainers\.image\.base\.name on the index: .* is not a digest/);
  });
});

describe('which credentials a base lookup carries', () => {
  const imageRegistries = ['ghcr.io', '127.0.0.1:5000'];
  const cases: [string, 'user' | 'build' | 'registry', string][] = [
    ['ghcr.io', 'user', 'image'],
    ['ghcr.io', 'registry', 'image'], // the registry that named it is the one asked
    ['quay.io', 'user', 'stored'],
    ['quay.io', 'build', 'stored'],
    ['quay.io', 'registry', 'anonymous'],
    ['127.0.0.1:5001', 'registry', 'anonymous'], // another port is another registry
    ['docker.io', 'registry', 'anonymous'],
  ];
  for (const [registry, namedBy, want] of cases) {
    test(`${registry}, named by ${namedBy}: ${want}`, () => {
      assert.equal(baseCredentialChoice(registry, namedBy, imageRegistries), want);
    });
  }

  test('plain http only for loopback or insecure-registries, whoever named the base', () => {
    assert.equal(registryUsesHttp(parseReference('evil.example/x:1'), []), false);
    assert.equal(registryUsesHttp(parseReference('evil.example/x:1'), ['other.example']), false);
    assert.equal(registryUsesHttp(parseReference('evil.example/x:1'), ['evil.example']), true);
    assert.equal(registryUsesHttp(parseReference('127.0.0.1:5001/x:1'), []), true);
    assert.equal(registryUsesHttp(parseReference('localhost:5001/x:1'), []), true);
  });
});
