import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalImage } from '../../src/local/source.js';
import type { Descriptor, ImageIndex } from '../../src/oci/types.js';
import { parsePlatformSelection } from '../../src/options.js';
import { indexEntries, type RemoteTop } from '../../src/registry/resolve.js';
import { planPairs } from '../../src/verify/pairing.js';
import { indexChecks, presenceChecks } from '../../src/verify/platforms.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const HOST = { os: 'linux', architecture: 'amd64' };

function entry(platform: string, n: number, mediaType = MANIFEST): Descriptor {
  const [os = '', architecture = '', variant] = platform.split('/');
  return { mediaType, digest: d(n), size: 1, platform: variant ? { os, architecture, variant } : { os, architecture } };
}

function top(entries: Descriptor[]): RemoteTop {
  const body: ImageIndex = { schemaVersion: 2, manifests: entries };
  // The entries classified by the same function the registry reader uses.
  return { reference: 'r/app:1', top: { digest: d(9000), mediaType: INDEX, size: 1, body, bytes: Buffer.alloc(0) }, ...indexEntries(body) };
}

function localImage(platform: string, n: number): LocalImage {
  const [os = '', architecture = ''] = platform.split('/');
  return { reference: 'app', source: 'test', id: d(n + 1000), idKind: 'config', diffIds: [], platform: { os, architecture }, repoDigests: [], manifestDigest: d(n) };
}

const failed = (checks: { ok: boolean; message: string }[]) => checks.filter((c) => !c.ok).map((c) => c.message);

test('a listed platform the local build lacks fails, whatever the selection', () => {
  const remote = top([entry('linux/amd64', 1), entry('linux/arm64', 2)]);
  const local = { kind: 'image' as const, image: localImage('linux/amd64', 1) };
  const plan = planPairs(parsePlatformSelection('linux/amd64,linux/arm64'), local, remote, HOST);
  const arm = plan.pairs.find((p) => p.platform === 'linux/arm64');
  assert.ok(arm?.remote && !arm.local);
  assert.match(presenceChecks(arm, remote.reference, true)[0]?.message ?? '', /linux\/arm64 is in r\/app:1 .* but not in the local build/);
  // Without a local build the registry side alone was asked for.
  assert.deepEqual(presenceChecks(arm, remote.reference, false), []);
  // Local only: not pushed; on neither side: asked for and missing.
  assert.match(presenceChecks({ platform: 'linux/amd64', local: localImage('linux/amd64', 1) }, remote.reference, true)[0]?.message ?? '', /it was not pushed/);
  assert.match(presenceChecks({ platform: 'linux/s390x' }, remote.reference, true)[0]?.message ?? '', /neither in r\/app:1 nor in the local build/);
});

test('the runtime choice is judged for the platform asked for, not the fallback verified', () => {
  // An arm64 host pulls the nested index listed first; the list pairs arm64 with the arm/v7 image (its fallback).
  const remote = top([entry('linux/arm64', 5, INDEX), entry('linux/arm/v7', 6)]);
  const plan = planPairs(parsePlatformSelection('linux/arm64,linux/arm/v7'), undefined, remote, HOST);
  assert.equal(plan.pairs[0]?.remote?.digest, d(6), 'arm64 falls back to arm/v7 among the images');
  const problems = failed(indexChecks(remote, plan.pairs, [], { wholeIndex: plan.wholeIndex }));
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0] ?? '', /a runtime pulling linux\/arm64 from r\/app:1 takes sha256:0+5 \(application\/vnd\.oci\.image\.index\.v1\+json\), listed before the verified sha256:0+6/);
});

test('a tag with no platform image verified never passes', () => {
  const remote = top([{ mediaType: 'application/vnd.example.artifact', digest: d(7), size: 1 }]);
  const plan = planPairs(parsePlatformSelection('all'), undefined, remote, HOST);
  assert.deepEqual(plan.pairs, []);
  const checks = indexChecks(remote, plan.pairs, [], { wholeIndex: true });
  assert.ok(checks.some((c) => !c.ok && /serves no platform image that was verified/.test(c.message)), JSON.stringify(checks));
  // With an image verified, that check is absent.
  const served = top([entry('linux/amd64', 1)]);
  const ok = planPairs(parsePlatformSelection('all'), undefined, served, HOST);
  assert.deepEqual(failed(indexChecks(served, ok.pairs, [], { wholeIndex: true })), []);
});
