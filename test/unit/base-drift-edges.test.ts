// The drift check's edges that the classifier tables leave out (issue 16): a built-on base that
// cannot be fetched while its tag still points to it (asked once, reported once), a tag that
// cannot be read (no current facts invented), no reference or no lookup result (no base), and a
// base that came out this very moment (drifting for 0 days, not for an unknown time).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeclaredBase } from '../../src/base/detect.js';
import { checkBase, classifyBase, fetchBaseImages, NO_BASE_MESSAGE } from '../../src/base/drift.js';
import type { BaseLookup } from '../../src/base/lookup.js';
import { VerifyImageError } from '../../src/errors.js';
import type { RemoteImage } from '../../src/model/image.js';
import { parseReference, type ImageReference } from '../../src/oci/reference.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function image(diffIds: string[], manifest: number, created?: string): RemoteImage {
  return {
    reference: 'r',
    manifestDigest: d(manifest),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    manifest: { schemaVersion: 2, config: { mediaType: 'x', digest: d(1), size: 1 }, layers: [] },
    configDigest: d(1),
    config: { os: 'linux', architecture: 'amd64', created, rootfs: { type: 'layers', diff_ids: diffIds }, history: diffIds.map((id) => ({ created_by: `RUN ${id.slice(-4)}` })) },
    platform: { os: 'linux', architecture: 'amd64' },
  };
}

function lookupOf(tags: Record<string, string>, images: Record<string, RemoteImage>, calls: string[]): BaseLookup {
  return {
    tagDigest: async (ref: ImageReference) => {
      calls.push(`tag ${ref.tag}`);
      const digest = tags[ref.tag ?? 'latest'];
      if (!digest) throw new VerifyImageError('not-found', `tag ${ref.tag} not found`);
      return digest;
    },
    resolve: async (ref: ImageReference) => {
      calls.push(`resolve ${ref.digest ?? ref.tag}`);
      const found = ref.digest ? images[ref.digest] : undefined;
      if (!found) throw new VerifyImageError('not-found', `manifest ${ref.digest ?? ref.tag} not found`);
      return found;
    },
  };
}

const declared = (text: string): DeclaredBase => ({ source: 'input', namedBy: 'user', from: 'test', reference: parseReference(text) });
const app = image([d(1), d(2), d(50)], 500);
const NOW = new Date('2025-02-01T00:00:00Z');

test('the built-on base cannot be fetched and the tag still points to it: asked once, one problem, unknown', async () => {
  const calls: string[] = [];
  const lookup = lookupOf({ '1': d(101) }, {}, calls);
  const found = await fetchBaseImages(app, parseReference(`r.example/base:1@${d(101)}`), 'user', lookup);
  assert.deepEqual(calls, [`resolve ${d(101)}`, 'tag 1']);
  assert.equal(found.current, undefined);
  assert.equal(found.tagDigest, d(101));
  assert.equal(found.problems.length, 1);
  const { base, attribution } = await checkBase(app, declared(`r.example/base:1@${d(101)}`), lookupOf({ '1': d(101) }, {}, []), NOW);
  assert.equal(base.status, 'unknown');
  assert.deepEqual(base.builtOn, { digest: d(101) });
  assert.deepEqual(base.current, { digest: d(101) });
  assert.equal(base.error, `the base it was built on, r.example/base@${d(101)}, could not be fetched: manifest ${d(101)} not found`);
  assert.equal(attribution, undefined);
});

test('the tag cannot be read: no current facts at all', async () => {
  const builtOn = image([d(1), d(2)], 101);
  const { base } = await checkBase(app, declared(`r.example/base:1@${d(101)}`), lookupOf({}, { [d(101)]: builtOn }, []), NOW);
  assert.equal(base.status, 'unknown');
  assert.equal(Object.hasOwn(base, 'current'), false, JSON.stringify(base.current));
  assert.equal(base.error, 'r.example/base:1 could not be fetched: tag 1 not found');
});

test('no reference, or nothing looked up: no base, nothing else said', () => {
  const none = { status: 'none', drift: 'unknown', source: 'input', from: 'test', message: NO_BASE_MESSAGE };
  assert.deepEqual(classifyBase(app, declared(`r.example/base:1@${d(101)}`), undefined, NOW), { base: none });
  assert.deepEqual(classifyBase(app, { source: 'input', namedBy: 'user', from: 'test' }, { problems: [] }, NOW), { base: none });
});

test('a drifted base whose new version came out this very moment: drifting for 0 days', async () => {
  const builtOn = image([d(1), d(2)], 101, '2025-01-01T00:00:00Z');
  const moved = image([d(1), d(3)], 102, NOW.toISOString());
  const { base } = await checkBase(app, declared(`r.example/base:1@${d(101)}`), lookupOf({ '1': d(102) }, { [d(101)]: builtOn, [d(102)]: moved }, []), NOW);
  assert.equal(base.status, 'drifted');
  assert.equal(base.driftAgeDays, 0);
  assert.equal(base.behindDays, 31);
});
