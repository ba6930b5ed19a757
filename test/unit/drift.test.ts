import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeHistory, attributeLayers, isPrefix, leadingMatch, sameRecipe } from '../../src/base/attribute.js';
import type { BaseNamer, DeclaredBase } from '../../src/base/detect.js';
import { checkBase, classifyBase, type BaseImages } from '../../src/base/drift.js';
import type { BaseLookup } from '../../src/base/lookup.js';
import { VerifyImageError } from '../../src/errors.js';
import { formatReference, parseReference, type ImageReference } from '../../src/oci/reference.js';
import type { HistoryEntry, Platform } from '../../src/oci/types.js';
import type { LayerRow } from '../../src/model/report.js';
import { baseOutputs } from '../../src/report/outputs.js';
import type { RemoteImage } from '../../src/model/image.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

function image(diffIds: string[], opts: { history?: HistoryEntry[]; created?: string; manifest?: number; index?: number } = {}): RemoteImage {
  return {
    reference: 'r',
    indexDigest: opts.index !== undefined ? d(opts.index) : undefined,
    manifestDigest: d(opts.manifest ?? 9999),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    manifest: { schemaVersion: 2, config: { mediaType: 'x', digest: d(1), size: 1 }, layers: [] },
    configDigest: d(1),
    config: {
      os: 'linux',
      architecture: 'amd64',
      created: opts.created,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: opts.history ?? diffIds.map((id) => ({ created_by: `RUN make ${id.slice(-4)}` })),
    },
    platform: PLATFORM,
  };
}

/**
 * A registry in memory: tag → the digest its manifest bytes hash to, digest → image; records
 * every call. `headClaims` is what a HEAD's Docker-Content-Digest would say, which may lie: the
 * classifier must never ask for it (BaseLookup has no HEAD), and `head` records it if it did.
 */
class FakeLookup implements BaseLookup {
  calls: string[] = [];
  namers: BaseNamer[] = [];
  constructor(
    private readonly tags: Record<string, string>,
    private readonly images: Record<string, RemoteImage>,
    private readonly headClaims: Record<string, string> = {},
  ) {}
  async head(ref: ImageReference): Promise<string | undefined> {
    this.calls.push(`HEAD ${ref.tag}`);
    return this.headClaims[ref.tag ?? 'latest'] ?? this.tags[ref.tag ?? 'latest'];
  }
  async tagDigest(ref: ImageReference, namedBy: BaseNamer): Promise<string> {
    this.calls.push(`GET ${ref.tag}`);
    this.namers.push(namedBy);
    const digest = this.tags[ref.tag ?? 'latest'];
    if (!digest) throw new VerifyImageError('not-found', `${ref.tag} not found`);
    return digest;
  }
  async resolve(ref: ImageReference, _platform: Platform, namedBy: BaseNamer): Promise<RemoteImage> {
    const key = ref.digest ?? this.tags[ref.tag ?? 'latest'];
    this.calls.push(`GET ${ref.digest ?? ref.tag}`);
    this.namers.push(namedBy);
    const found = key ? this.images[key] : undefined;
    if (!found) throw new VerifyImageError('not-found', `${formatReference(ref)} not found`);
    return found;
  }
}

const declared = (text: string, source: DeclaredBase['source'] = 'input', namedBy: BaseNamer = 'user'): DeclaredBase => ({
  source,
  namedBy,
  from: 'test',
  reference: parseReference(text),
});

// Base v1: layers 1,2; v2: 1,2,3 (one more layer); v1z: v1 recompressed (same diff_ids, other digests).
const v1 = image([d(1), d(2)], { manifest: 101, created: '2025-01-01T00:00:00Z' });
const v2 = image([d(1), d(2), d(3)], { manifest: 102, created: '2025-01-11T00:00:00Z' });
const v1z = image([d(1), d(2)], { manifest: 103, created: '2025-01-01T00:00:00Z' });
const app = image([d(1), d(2), d(50), d(51)]);
const NOW = new Date('2025-01-21T00:00:00Z');

describe('attribution', () => {
  test('leadingMatch and isPrefix compare in order', () => {
    assert.equal(leadingMatch([d(1), d(2)], [d(1), d(2), d(3)]), 2);
    assert.equal(leadingMatch([d(2), d(1)], [d(1), d(2), d(3)]), 0);
    assert.ok(isPrefix([d(1), d(2)], [d(1), d(2)]), 'an image that adds no layer');
    assert.ok(!isPrefix([d(1), d(3)], [d(1), d(2), d(3)]), 'set inclusion is not a prefix');
    assert.ok(!isPrefix([d(1), d(2), d(3)], [d(1), d(2)]));
    assert.ok(isPrefix([], [d(1)]));
  });

  test('layer rows: exact counts mark base and image, a lower bound leaves the rest unknown', () => {
    const rows = (): LayerRow[] => [1, 2, 3].map((index) => ({ index, status: 'not-compared' }));
    const exact = rows();
    attributeLayers(exact, 2, true);
    assert.deepEqual(
      exact.map((r) => r.origin),
      ['base', 'base', 'image'],
    );
    const bound = rows();
    attributeLayers(bound, 1, false);
    assert.deepEqual(
      bound.map((r) => r.origin),
      ['base', undefined, undefined],
    );
  });

  test('history: the base config’s entries, including its trailing empty ones, are the base’s', () => {
    const baseHistory: HistoryEntry[] = [
      { created_by: 'ADD file:abc in /', created: 't1' },
      { created_by: 'CMD ["sh"]', created: 't1', empty_layer: true },
    ];
    const img = image([d(1), d(5)], { history: [...baseHistory, { created_by: 'ENV A=1', empty_layer: true }, { created_by: 'RUN make' }] });
    const rows = attributeHistory(img.config, image([d(1)], { history: baseHistory }).config, 1, true);
    assert.deepEqual(
      rows.map((r) => [r.index, r.layer, r.origin]),
      [
        [1, 1, 'base'],
        [2, undefined, 'base'],
        [3, undefined, 'image'],
        [4, 2, 'image'],
      ],
    );
    // Without the base's history, entries up to the last base layer are the base's.
    const fallback = attributeHistory(img.config, undefined, 1, true);
    assert.deepEqual(
      fallback.map((r) => r.origin),
      ['base', 'image', 'image', 'image'],
    );
  });

  test('sameRecipe ignores content hashes but not instructions', () => {
    const old = [{ created_by: `/bin/sh -c #(nop) ADD file:${'a'.repeat(64)} in / ` }, { created_by: 'CMD ["/bin/sh"]' }];
    const fresh = [{ created_by: `/bin/sh -c #(nop) ADD file:${'b'.repeat(64)} in / ` }, { created_by: 'CMD ["/bin/sh"]' }];
    assert.ok(sameRecipe(fresh, [...old, { created_by: 'RUN x' }]));
    assert.ok(!sameRecipe([{ created_by: 'CMD ["bash"]' }], old));
    assert.ok(!sameRecipe([], old));
  });
});

describe('checkBase', () => {
  test('pinned and the tag still points there: up to date after one GET of the tag, hashed', async () => {
    const lookup = new FakeLookup({ v1: d(101) }, { [d(101)]: v1 });
    const { base, attribution } = await checkBase(app, declared(`base:v1@${d(101)}`), lookup, NOW);
    assert.equal(base.status, 'up-to-date');
    assert.equal(base.drift, 'false');
    assert.equal(base.layers, 2);
    assert.equal(base.builtOn?.digest, d(101));
    assert.equal(base.current?.digest, d(101));
    assert.deepEqual(attribution && [attribution.layers, attribution.exact], [2, true]);
    assert.deepEqual(lookup.calls, [`GET ${d(101)}`, 'GET v1']);
    assert.match(base.message, /still points to sha256:0{12} \(the hash of the manifest it serves\)/);
  });

  test('a HEAD digest that lies: the header names the built-on base, the bytes say it moved → drifted', async () => {
    // The tag's manifest now hashes to v2, but a HEAD's Docker-Content-Digest still claims v1.
    const lookup = new FakeLookup({ v1: d(102) }, { [d(101)]: v1, [d(102)]: v2 }, { v1: d(101) });
    assert.equal(await lookup.head(parseReference('base:v1')), d(101), 'the fake HEAD does lie');
    lookup.calls.length = 0;
    const { base } = await checkBase(app, declared(`base:v1@${d(101)}`), lookup, NOW);
    assert.equal(base.status, 'drifted');
    assert.equal(base.drift, 'true');
    assert.equal(base.current?.digest, d(102), 'the current digest is the hash of the bytes, not the header');
    assert.ok(!lookup.calls.some((c) => c.startsWith('HEAD')), `no verdict rests on a HEAD: ${lookup.calls.join(', ')}`);
    assert.deepEqual(lookup.calls, [`GET ${d(101)}`, 'GET v1', `GET ${d(102)}`]);
  });

  test('a HEAD digest that lies the other way: the header says moved, the bytes say not → up to date', async () => {
    const lookup = new FakeLookup({ v1: d(101) }, { [d(101)]: v1, [d(102)]: v2 }, { v1: d(102) });
    const { base } = await checkBase(app, declared(`base:v1@${d(101)}`), lookup, NOW);
    assert.equal(base.status, 'up-to-date');
    assert.equal(base.current?.digest, d(101));
  });

  test('who named the base reaches every lookup, and a base with no namer counts as the registry’s', async () => {
    const lookup = new FakeLookup({ v1: d(101) }, { [d(101)]: v1 });
    await checkBase(app, declared(`base:v1@${d(101)}`, 'annotation', 'registry'), lookup, NOW);
    assert.deepEqual(lookup.namers, ['registry', 'registry']);
    const unnamed = new FakeLookup({ v1: d(101) }, { [d(101)]: v1 });
    const { base } = await checkBase(app, { source: 'label', from: 'test', reference: parseReference('base:v1') }, unnamed, NOW);
    assert.deepEqual(unnamed.namers, ['registry']);
    assert.equal(base.namedByRegistry, true);
    const byUser = await checkBase(app, declared('base:v1'), new FakeLookup({ v1: d(101) }, { [d(101)]: v1 }), NOW);
    assert.equal(byUser.base.namedByRegistry, undefined);
  });

  test('the tag moved to a recompressed base with the same diff_ids: still up to date', async () => {
    const lookup = new FakeLookup({ v1: d(103) }, { [d(101)]: v1, [d(103)]: v1z });
    const { base } = await checkBase(app, declared(`base:v1@${d(101)}`), lookup, NOW);
    assert.equal(base.status, 'up-to-date');
    assert.equal(base.current?.digest, d(103));
    assert.match(base.message, /same layers/);
    assert.deepEqual(lookup.calls, [`GET ${d(101)}`, 'GET v1', `GET ${d(103)}`]);
  });

  test('the index changed but the platform image did not: up to date without another fetch', async () => {
    const builtOn = image([d(1), d(2)], { manifest: 101, index: 200 });
    const lookup = new FakeLookup({ v1: d(201) }, { [d(200)]: builtOn, [d(201)]: image([d(1), d(2)], { manifest: 101, index: 201 }) });
    const { base } = await checkBase(app, declared(`base:v1@${d(200)}`), lookup, NOW);
    assert.equal(base.status, 'up-to-date');
    assert.equal(base.current?.manifestDigest, d(101));
  });

  test('pinned, and the tag moved to a base with another layer: drifted, with dates', async () => {
    const lookup = new FakeLookup({ v1: d(102) }, { [d(101)]: v1, [d(102)]: v2 });
    const { base } = await checkBase(app, declared(`base:v1@${d(101)}`), lookup, NOW);
    assert.equal(base.status, 'drifted');
    assert.equal(base.drift, 'true');
    assert.equal(base.layers, 2, 'attribution from the built-on base is exact');
    assert.equal(base.matchingLayers, 2);
    assert.equal(base.behindDays, 10);
    assert.equal(base.driftAgeDays, 10);
    assert.match(base.message, /moved on since the image was built on sha256:0000/);
  });

  test('not pinned: the current base is a prefix → up to date, from one GET', async () => {
    const lookup = new FakeLookup({ v1: d(101) }, { [d(101)]: v1 });
    const { base } = await checkBase(app, declared('base:v1'), lookup, NOW);
    assert.equal(base.status, 'up-to-date');
    assert.equal(base.builtOn, undefined);
    assert.equal(base.current?.digest, d(101));
    assert.deepEqual(lookup.calls, ['GET v1']);
  });

  test('not pinned: a changed top layer is drift, the shared layers are counted', async () => {
    const changed = image([d(1), d(7)], { manifest: 104, created: '2025-01-11T00:00:00Z' });
    const lookup = new FakeLookup({ v1: d(104) }, { [d(104)]: changed });
    const { base, attribution } = await checkBase(app, declared('base:v1'), lookup, NOW);
    assert.equal(base.status, 'drifted');
    assert.equal(base.matchingLayers, 1);
    assert.equal(base.layers, undefined, 'the old base layer count is not known');
    assert.deepEqual(attribution && [attribution.layers, attribution.exact], [1, false]);
    assert.equal(base.driftAgeDays, 10);
    assert.equal(base.behindDays, undefined);
  });

  test('not pinned: a new root layer with the same build steps is drift', async () => {
    const history = [{ created_by: `ADD file:${'a'.repeat(64)} in /` }, { created_by: 'CMD ["sh"]', empty_layer: true }];
    const img = image([d(1), d(50)], { history: [...history, { created_by: 'RUN make' }] });
    const fresh = image([d(9)], { manifest: 105, history: [{ created_by: `ADD file:${'c'.repeat(64)} in /` }, history[1] as HistoryEntry] });
    const { base } = await checkBase(img, declared('alpine:3'), new FakeLookup({ '3': d(105) }, { [d(105)]: fresh }), NOW);
    assert.equal(base.status, 'drifted');
    assert.equal(base.matchingLayers, 0);
  });

  test('not pinned: no shared layer and other build steps → not built on it', async () => {
    const other = image([d(30), d(31)], { manifest: 106 });
    const { base } = await checkBase(app, declared('other:1'), new FakeLookup({ '1': d(106) }, { [d(106)]: other }), NOW);
    assert.equal(base.status, 'not-built-on');
    assert.equal(base.drift, 'unknown');
    assert.match(base.message, /^the image was not built on docker\.io\/library\/other:1/);
  });

  test('pinned to a base that is not a prefix → not built on it, whatever the tag says', async () => {
    const other = image([d(30)], { manifest: 106 });
    const lookup = new FakeLookup({ v1: d(101) }, { [d(106)]: other, [d(101)]: v1 });
    const { base } = await checkBase(app, declared(`base:v1@${d(106)}`), lookup, NOW);
    assert.equal(base.status, 'not-built-on');
    assert.equal(base.drift, 'unknown');
    assert.match(base.message, /not built on docker\.io\/library\/base@sha256:0+6a: that base's 1 linux\/amd64 layers are not the first 1 of the image's 4 \(0 match\)/);
    assert.match(base.message, /do start with what docker\.io\/library\/base:v1 points to now, so the declared digest is wrong/);
    const alone = await checkBase(app, declared(`base:v2@${d(106)}`), new FakeLookup({ v2: d(102) }, { [d(106)]: other, [d(102)]: v2 }), NOW);
    assert.equal(alone.base.status, 'not-built-on');
    assert.equal(alone.attribution, undefined, 'no layer is attributed to a base the image is not built on');
  });

  test('a base tag that does not exist → unknown, with the reason', async () => {
    const { base } = await checkBase(app, declared('base:gone'), new FakeLookup({}, {}), NOW);
    assert.equal(base.status, 'unknown');
    assert.equal(base.drift, 'unknown');
    assert.match(base.error ?? '', /base:gone could not be fetched: .*not found/);
  });

  test('pinned by digest only → attribution, but drift unknown', async () => {
    const lookup = new FakeLookup({}, { [d(101)]: v1 });
    const { base } = await checkBase(app, declared(`base@${d(101)}`), lookup, NOW);
    assert.equal(base.status, 'unknown');
    assert.equal(base.layers, 2);
    assert.match(base.message, /pinned by digest only/);
  });

  test('the built-on base cannot be fetched though the tag still names its digest → unknown, never up to date', async () => {
    // The built-on base was never hashed: the tag's digest and the image's label alone prove nothing.
    const lookup = new FakeLookup({ v1: d(101) }, {});
    const { base } = await checkBase(app, declared(`base:v1@${d(101)}`), lookup, NOW);
    assert.equal(base.status, 'unknown');
    assert.equal(base.drift, 'unknown');
    assert.match(base.error ?? '', /could not be fetched/);
  });

  test('FROM scratch: no base, nothing to drift; no base known: says how to give one', async () => {
    const scratch = await checkBase(app, { source: 'dockerfile', from: 'Dockerfile', scratch: true }, new FakeLookup({}, {}));
    assert.equal(scratch.base.status, 'none');
    assert.equal(scratch.base.drift, 'false');
    const none = await checkBase(app, { source: 'none', from: 'nothing' }, new FakeLookup({}, {}));
    assert.equal(none.base.drift, 'unknown');
    assert.match(none.base.message, /no base image is known: set the base-image input/);
  });
});

describe('baseOutputs', () => {
  const report = (image: string, drift?: 'true' | 'false' | 'unknown') => ({
    image,
    status: 'verified' as const,
    verified: true,
    checks: [],
    layers: [],
    compared: [],
    durationMs: 0,
    base: drift ? { status: drift === 'true' ? ('drifted' as const) : ('up-to-date' as const), drift, source: 'input' as const, from: '', message: '', reference: 'b', layers: 2 } : undefined,
  });

  test('one image: its values; several: aggregates only', () => {
    assert.deepEqual(baseOutputs([report('a', 'false')]), {
      'base-image': 'b',
      'base-digest': '',
      'base-current-digest': '',
      'base-layers': '2',
      'base-drift': 'false',
      'drifted-images': '[]',
    });
    const many = baseOutputs([report('a', 'false'), report('b', 'true'), report('c')]);
    assert.equal(many['base-drift'], 'true');
    assert.equal(many['drifted-images'], '["b"]');
    assert.equal(many['base-image'], '');
    assert.equal(baseOutputs([report('a', 'false'), report('c')])['base-drift'], 'unknown');
  });
});

describe('classifyBase: the pure drift verdict over what the lookups found', () => {
  const NOW = new Date('2026-11-29T12:00:00Z');
  const declared = (ref: string): DeclaredBase => ({ source: 'input', from: 'the base-image input', reference: parseReference(ref), namedBy: 'user' });
  const app = image([d(1), d(2), d(3)], { history: [{ created_by: 'ADD rootfs' }, { created_by: 'RUN a' }, { created_by: 'COPY app' }] });
  const old = image([d(1), d(2)], { manifest: 100, history: [{ created_by: 'ADD rootfs' }, { created_by: 'RUN a' }] });
  const moved = image([d(7), d(2)], { manifest: 200, history: [{ created_by: 'ADD rootfs' }, { created_by: 'RUN a' }] });
  const stranger = image([d(50)], { manifest: 300, history: [{ created_by: 'ADD other' }] });
  const cases: { name: string; ref: string; found: BaseImages; status: string; drift: string; layers?: number }[] = [
    { name: 'built on the base the tag still serves', ref: `b:1@${d(100)}`, found: { builtOn: old, current: old, tagDigest: d(100), problems: [] }, status: 'up-to-date', drift: 'false', layers: 2 },
    { name: 'tag moved, built-on base known', ref: `b:1@${d(100)}`, found: { builtOn: old, current: moved, tagDigest: d(200), problems: [] }, status: 'drifted', drift: 'true', layers: 2 },
    // The moved base shares no layer and no recipe with the image, but the built-on base starts it: drifted, never "not built on".
    { name: 'tag moved to something unrelated, built-on base known', ref: `b:1@${d(100)}`, found: { builtOn: old, current: stranger, tagDigest: d(300), problems: [] }, status: 'drifted', drift: 'true', layers: 2 },
    { name: 'no digest, current base starts the image', ref: 'b:1', found: { current: old, tagDigest: d(100), problems: [] }, status: 'up-to-date', drift: 'false', layers: 2 },
    { name: 'no digest, current base shares a recipe only', ref: 'b:1', found: { current: moved, tagDigest: d(200), problems: [] }, status: 'drifted', drift: 'true' },
    { name: 'no digest, nothing shared', ref: 'b:1', found: { current: stranger, tagDigest: d(300), problems: [] }, status: 'not-built-on', drift: 'unknown' },
    { name: 'declared digest is not a prefix', ref: `b:1@${d(300)}`, found: { builtOn: stranger, current: stranger, tagDigest: d(300), problems: [] }, status: 'not-built-on', drift: 'unknown' },
    { name: 'nothing could be fetched', ref: 'b:1', found: { problems: ['b:1 could not be fetched: boom'] }, status: 'unknown', drift: 'unknown' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { base, attribution } = classifyBase(app, declared(c.ref), c.found, NOW);
      assert.equal(base.status, c.status, base.message);
      assert.equal(base.drift, c.drift);
      if (c.layers !== undefined) assert.equal(attribution?.layers, c.layers);
    });
  }
  test('no declared base, and FROM scratch', () => {
    assert.equal(classifyBase(app, { source: 'none', from: 'nothing' }, undefined, NOW).base.status, 'none');
    const scratch = classifyBase(app, { source: 'dockerfile', from: 'the Dockerfile', scratch: true }, undefined, NOW);
    assert.equal(scratch.base.drift, 'false');
    assert.deepEqual(scratch.attribution, { layers: 0, exact: true });
  });
});
