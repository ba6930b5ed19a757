// The drift classifier's edges (issue 16): which of drifted / not built on / up to date a base
// gets when the evidence is thin. The case that matters most: a base pinned by digest that the
// image is proved to be built on, whose tag has moved to an image sharing no layer and no build
// step with it. That is drift (fail-on: drift must fail), not "not built on" (which passes it).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BaseNamer, DeclaredBase } from '../../src/base/detect.js';
import { checkBase } from '../../src/base/drift.js';
import type { BaseLookup } from '../../src/base/lookup.js';
import { VerifyImageError } from '../../src/errors.js';
import { parseReference, type ImageReference } from '../../src/oci/reference.js';
import type { HistoryEntry, Platform } from '../../src/oci/types.js';
import type { RemoteImage } from '../../src/model/image.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };
const NOW = new Date('2025-02-01T00:00:00Z');

function image(diffIds: string[], manifest: number, opts: { history?: HistoryEntry[]; created?: string } = {}): RemoteImage {
  return {
    reference: 'r',
    manifestDigest: d(manifest),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    manifest: { schemaVersion: 2, config: { mediaType: 'x', digest: d(1), size: 1 }, layers: [] },
    configDigest: d(1),
    config: {
      os: 'linux',
      architecture: 'amd64',
      created: opts.created,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: opts.history ?? diffIds.map((id) => ({ created_by: `RUN step ${id.slice(-4)}` })),
    },
    platform: PLATFORM,
  };
}

/** Tags → the digest their manifest bytes hash to; digests → images. `calls` records each request. */
function lookupOf(tags: Record<string, string>, images: Record<string, RemoteImage>, calls: string[] = []): BaseLookup {
  const find = (digest: string | undefined, what: string): RemoteImage => {
    const found = digest ? images[digest] : undefined;
    if (!found) throw new VerifyImageError('not-found', `${what} not found`);
    return found;
  };
  return {
    tagDigest: async (ref: ImageReference) => {
      calls.push(`tag ${ref.tag}`);
      const digest = tags[ref.tag ?? 'latest'];
      if (!digest) throw new VerifyImageError('not-found', `${ref.tag} not found`);
      return digest;
    },
    resolve: async (ref: ImageReference) => {
      calls.push(`resolve ${ref.digest ?? ref.tag}`);
      return find(ref.digest ?? tags[ref.tag ?? 'latest'], ref.digest ?? ref.tag ?? '');
    },
  };
}

const declared = (text: string, namedBy: BaseNamer = 'user'): DeclaredBase => ({ source: 'input', namedBy, from: 'test', reference: parseReference(text) });

// The image: base layers 1, 2, then its own 50, 51.
const builtOn = image([d(1), d(2)], 101, { created: '2025-01-01T00:00:00Z' });
const app = image([d(1), d(2), d(50), d(51)], 500);
// What the tag serves now: nothing in common with the image, layers or steps.
const unrelated = image([d(30), d(31)], 102, { created: '2025-01-11T00:00:00Z', history: [{ created_by: 'ADD rootfs.tar /' }, { created_by: 'RUN other' }] });

test('pinned and proved built on, the tag moved to an unrelated image: drifted, not "not built on"', async () => {
  const { base, attribution } = await checkBase(app, declared(`base:1@${d(101)}`), lookupOf({ '1': d(102) }, { [d(101)]: builtOn, [d(102)]: unrelated }), NOW);
  assert.equal(base.status, 'drifted');
  assert.equal(base.drift, 'true');
  assert.equal(base.matchingLayers, 0);
  assert.equal(base.layers, 2, 'the built-on base still accounts for the first two layers, exactly');
  assert.deepEqual(attribution && [attribution.layers, attribution.exact], [2, true]);
  assert.equal(base.behindDays, 10);
  assert.equal(base.driftAgeDays, 21);
});

test('not pinned, the same unrelated image: not built on it, drift unknown', async () => {
  const { base, attribution } = await checkBase(app, declared('base:1'), lookupOf({ '1': d(102) }, { [d(102)]: unrelated }), NOW);
  assert.equal(base.status, 'not-built-on');
  assert.equal(base.drift, 'unknown');
  assert.equal(attribution, undefined);
});

test('not pinned, one shared bottom layer: drifted, a lower bound of one layer', async () => {
  const moved = image([d(1), d(9)], 103);
  const { base, attribution } = await checkBase(app, declared('base:1'), lookupOf({ '1': d(103) }, { [d(103)]: moved }), NOW);
  assert.equal(base.status, 'drifted');
  assert.deepEqual(attribution && [attribution.layers, attribution.exact], [1, false]);
  assert.equal(base.behindDays, undefined, 'the built-on base is unknown, so how far behind is too');
});

test('dates: a current base older than the built-on one, or from the future, gives no age', async () => {
  const older = image([d(1), d(7)], 104, { created: '2024-12-01T00:00:00Z' });
  const { base } = await checkBase(app, declared(`base:1@${d(101)}`), lookupOf({ '1': d(104) }, { [d(101)]: builtOn, [d(104)]: older }), NOW);
  assert.equal(base.status, 'drifted');
  assert.equal(base.behindDays, undefined);
  assert.equal(base.driftAgeDays, 62);
  const future = image([d(1), d(7)], 105, { created: '2025-03-01T00:00:00Z' });
  const ahead = await checkBase(app, declared(`base:1@${d(101)}`), lookupOf({ '1': d(105) }, { [d(101)]: builtOn, [d(105)]: future }), NOW);
  assert.equal(ahead.base.behindDays, 59);
  assert.equal(ahead.base.driftAgeDays, undefined);
});

test('dates: an epoch-zero created date (reproducible builds) counts as unknown', async () => {
  const epoch = image([d(1), d(7)], 106, { created: '1970-01-01T00:00:00Z' });
  const { base } = await checkBase(app, declared(`base:1@${d(101)}`), lookupOf({ '1': d(106) }, { [d(101)]: builtOn, [d(106)]: epoch }), NOW);
  assert.equal(base.status, 'drifted');
  assert.equal(base.behindDays, undefined);
  assert.equal(base.driftAgeDays, undefined);
});

test('the same day: zero days behind and zero days old, not unknown', async () => {
  const sameDay = image([d(1), d(7)], 107, { created: '2025-01-01T00:00:00Z' }); // the built-on base's very instant
  const { base } = await checkBase(app, declared(`base:1@${d(101)}`), lookupOf({ '1': d(107) }, { [d(101)]: builtOn, [d(107)]: sameDay }), new Date('2025-01-01T12:00:00Z'));
  assert.equal(base.behindDays, 0);
  assert.equal(base.driftAgeDays, 0);
});

test('FROM scratch: no base, zero layers attributed exactly', async () => {
  const { base, attribution } = await checkBase(app, { source: 'dockerfile', from: 'test', scratch: true }, lookupOf({}, {}), NOW);
  assert.equal(base.drift, 'false');
  assert.deepEqual(attribution, { layers: 0, exact: true });
});

test('up to date from a pinned base: no error, and the tag fetched once, the built-on base reused', async () => {
  const indexed: RemoteImage = { ...builtOn, indexDigest: d(201) };
  const calls: string[] = [];
  const { base } = await checkBase(app, declared(`base:1@${d(201)}`), lookupOf({ '1': d(201) }, { [d(201)]: indexed }, calls), NOW);
  assert.equal(base.status, 'up-to-date');
  assert.equal(base.error, undefined);
  assert.equal(base.current?.indexDigest, d(201));
  assert.equal(base.current?.manifestDigest, d(101));
  assert.deepEqual(calls, [`resolve ${d(201)}`, 'tag 1']);
});

test('the tag now names the built-on platform manifest itself: no second fetch', async () => {
  const indexed: RemoteImage = { ...builtOn, indexDigest: d(201) };
  const calls: string[] = [];
  const { base } = await checkBase(app, declared(`base:1@${d(201)}`), lookupOf({ '1': d(101) }, { [d(201)]: indexed }, calls), NOW);
  assert.equal(base.status, 'up-to-date');
  assert.deepEqual(calls, [`resolve ${d(201)}`, 'tag 1']);
});

test('not pinned, the current base is a prefix: its layers are attributed exactly', async () => {
  const { base, attribution } = await checkBase(app, declared('base:1'), lookupOf({ '1': d(101) }, { [d(101)]: builtOn }), NOW);
  assert.equal(base.status, 'up-to-date');
  assert.equal(base.layers, 2);
  assert.deepEqual(attribution && [attribution.layers, attribution.exact], [2, true]);
  assert.equal(base.current?.created, '2025-01-01T00:00:00Z');
  assert.equal(base.driftAgeDays, undefined, 'ages are for drifted bases only');
  assert.equal(base.behindDays, undefined);
});

test('the built-on base cannot be fetched: its digest is still reported, with the reason', async () => {
  const { base } = await checkBase(app, declared(`base:1@${d(999)}`), lookupOf({ '1': d(999) }, {}), NOW);
  assert.equal(base.builtOn?.digest, d(999));
  assert.match(base.error ?? '', /could not be fetched/);
  assert.notEqual(base.status, 'up-to-date');
});
