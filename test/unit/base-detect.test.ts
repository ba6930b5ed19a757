// Who decides the base (issue 9 item 5, issue 12): the user's inputs, then provenance of a proved
// index, then labels of a proved config, then the registry's word (unproved provenance, unproved
// labels, annotations, index first); and which credentials each may carry.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE_DIGEST_KEY, BASE_NAME_KEY, detectBase, type BaseNamer, type DetectImage } from '../../src/base/detect.js';
import { inspectBase } from '../../src/base/inspect.js';
import { baseCredentialChoice, type BaseLookup } from '../../src/base/lookup.js';
import { provenanceProved } from '../../src/base/provenance.js';
import type { LocalTarget } from '../../src/local/source.js';
import type { Logger } from '../../src/log.js';
import { formatReference, parseReference, registryUsesHttp, type ImageReference } from '../../src/oci/reference.js';
import type { Platform } from '../../src/oci/types.js';
import type { RemoteImage } from '../../src/model/image.js';

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

// BuildKit provenance names a base, but its subject is written by whoever writes the registry:
// it is the build's word only when the index holding it is proved to be the user's push.
describe('provenance against labels: who named the base decides its rank and credentials', () => {
  const PLATFORM = { os: 'linux', architecture: 'amd64' };
  function remote(diffIds: string[], manifest: number, labels?: Record<string, string>): RemoteImage {
    return {
      reference: 'r',
      indexDigest: d(900),
      manifestDigest: d(manifest),
      manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      manifest: { schemaVersion: 2, config: { mediaType: 'x', digest: d(1), size: 1 }, layers: [] },
      configDigest: d(1),
      config: {
        os: 'linux',
        architecture: 'amd64',
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: diffIds.map((id) => ({ created_by: `RUN make ${id.slice(-4)}` })),
        ...(labels ? { config: { Labels: labels } } : {}),
      },
      platform: PLATFORM,
    };
  }
  // The real base (named by the label, pinned to what the image was built on) has moved on; the
  // attacker's provenance names a never-moving tag elsewhere whose layers also start the image.
  const realBuilt = remote([d(1), d(2)], 101);
  const realNow = remote([d(1), d(2), d(9)], 102);
  const frozen = remote([d(1), d(2)], 103);
  const app = (labels?: Record<string, string>) => remote([d(1), d(2), d(3)], 500, labels);
  const LABEL = keys('base.example/real:1', d(101));
  const materials = [{ uri: 'pkg:docker/evil.example/frozen@1?platform=linux%2Famd64', digest: d(103) }];

  class Lookup implements BaseLookup {
    namers: string[] = [];
    private readonly tags: Record<string, string> = { 'base.example/real:1': d(102), 'evil.example/frozen:1': d(103) };
    private readonly images: Record<string, RemoteImage> = { [d(101)]: realBuilt, [d(102)]: realNow, [d(103)]: frozen };
    async tagDigest(ref: ImageReference, namedBy: BaseNamer): Promise<string> {
      this.namers.push(`${ref.registry} ${namedBy}`);
      return this.tags[`${ref.registry}/${ref.repository}:${ref.tag}`] ?? Promise.reject(new Error('no tag'));
    }
    async resolve(ref: ImageReference, _platform: Platform, namedBy: BaseNamer): Promise<RemoteImage> {
      this.namers.push(`${ref.registry} ${namedBy}`);
      const found = this.images[ref.digest ?? this.tags[`${ref.registry}/${ref.repository}:${ref.tag}`] ?? ''];
      return found ?? Promise.reject(new Error('not found'));
    }
  }

  const cases: {
    name: string;
    opts?: { baseImage?: string };
    labels?: Record<string, string>;
    configBound: boolean;
    proved: boolean;
    want: { source: string; reference: string; status: string; byRegistry: boolean; namers: string[] };
  }[] = [
    {
      name: 'proved provenance ranks above a proven label and is the build’s word (stored credentials)',
      labels: LABEL,
      configBound: true,
      proved: true,
      want: { source: 'provenance', reference: `evil.example/frozen:1@${d(103)}`, status: 'up-to-date', byRegistry: false, namers: ['evil.example build'] },
    },
    {
      name: 'unproved provenance ranks below a proven label: the label’s base is checked, and drifted',
      labels: LABEL,
      configBound: true,
      proved: false,
      want: { source: 'label', reference: `base.example/real:1@${d(101)}`, status: 'drifted', byRegistry: false, namers: ['base.example build'] },
    },
    {
      name: 'unproved provenance still beats unproved labels, as the registry’s word (anonymous)',
      labels: LABEL,
      configBound: false,
      proved: false,
      want: { source: 'provenance', reference: `evil.example/frozen:1@${d(103)}`, status: 'up-to-date', byRegistry: true, namers: ['evil.example registry'] },
    },
    {
      name: 'unproved provenance with no labels is the registry’s word, even with the config proved',
      configBound: true,
      proved: false,
      want: { source: 'provenance', reference: `evil.example/frozen:1@${d(103)}`, status: 'up-to-date', byRegistry: true, namers: ['evil.example registry'] },
    },
    {
      name: 'the base-image input beats proved provenance, and no material is fetched',
      opts: { baseImage: `base.example/real:1@${d(101)}` },
      labels: LABEL,
      configBound: true,
      proved: true,
      want: { source: 'input', reference: `base.example/real:1@${d(101)}`, status: 'drifted', byRegistry: false, namers: ['base.example user'] },
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const lookup = new Lookup();
      const base = await inspectBase(c.opts ?? {}, app(c.labels), [], lookup, logger(), c.configBound, materials, c.proved);
      assert.ok(base);
      assert.deepEqual(
        [base.source, base.reference, base.status, base.namedByRegistry === true, [...new Set(lookup.namers)]],
        [c.want.source, c.want.reference, c.want.status, c.want.byRegistry, c.want.namers],
      );
      if (c.want.source === 'provenance') assert.match(base.from, c.want.byRegistry ? /^the registry's provenance \(materials\)/ : /^provenance \(materials\)$/);
      const namer = c.want.namers[0]?.split(' ')[1] as BaseNamer;
      // Stored credentials go to the evil host only when the attestation was proved.
      if (c.want.reference.startsWith('evil.example')) assert.equal(baseCredentialChoice('evil.example', namer, ['push.example']), c.proved ? 'stored' : 'anonymous');
    });
  }

  describe('provenanceProved: the index holding the attestation is the user’s push', () => {
    const INDEX = d(900);
    const image = (id: string, idKind: 'config' | 'manifest'): LocalTarget => ({
      kind: 'image',
      image: { reference: 'l', source: 's', id, idKind, diffIds: [], platform: PLATFORM, repoDigests: [] },
    });
    const index = (digest?: string): LocalTarget => ({ kind: 'index', index: { reference: 'l', source: 's', digest, images: [], attestations: [] } });
    const rows: [string, string | undefined, string | undefined, LocalTarget | undefined, boolean, boolean][] = [
      ['the digest input is the index digest (build-push-action)', INDEX, INDEX, undefined, true, true],
      ['the digest input is the platform manifest, not the index', INDEX, d(500), undefined, true, false],
      ['a containerd-store image whose ID is the index digest', INDEX, undefined, image(INDEX, 'manifest'), true, true],
      ['a classic-store image ID (a config digest) never proves an index', INDEX, undefined, image(INDEX, 'config'), true, false],
      ['a containerd-store image ID that is another digest', INDEX, undefined, image(d(901), 'manifest'), true, false],
      ['a local index (layout, archive, containerd) with the same digest', INDEX, undefined, index(INDEX), true, true],
      ['a local index with another digest, or none (a layout’s index.json)', INDEX, undefined, index(undefined), true, false],
      ['a check failed', INDEX, INDEX, index(INDEX), false, false],
      ['no index (a single manifest carries no attestations)', undefined, undefined, undefined, true, false],
    ];
    for (const [name, indexDigest, expected, target, verified, want] of rows) {
      test(name, () => assert.equal(provenanceProved(indexDigest, expected, target, verified), want));
    }
    test('a local index with another digest', () => assert.equal(provenanceProved(INDEX, undefined, index(d(901)), true), false));
  });
});
