// Issue 9's two attacks, end to end against the real registry and the real daemon: a manifest
// whose keys differ only in case, and an index whose amd64/v2 entry hides a different plain amd64
// image. For each, `docker pull` of the same tag proves the daemon takes the image that is not the
// local build, and the bundled action must not pass. Plus the entry-versus-config cross-check and
// a control that verifies through the same path.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runAction } from '../helpers/action.js';
import { buildImage, busyboxBase, docker, imageId, pushImage, removeImage, requireDaemon, uniqueName } from '../helpers/docker.js';
import { getServedManifest, pushManifest, type PushedManifest } from '../helpers/registry-api.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const cleanups: Array<() => Promise<void>> = [];

describe('documents and platforms read as Docker reads them', () => {
  let registry: TestRegistry;
  let repo: string;
  let legitRef: string;
  let legitId: string;
  let otherId: string;
  let legit: PushedManifest & { digest: string; size: number };
  let other: PushedManifest & { digest: string; size: number };

  before(async () => {
    await requireDaemon();
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    const base = `${uniqueName('vi-base')}:1`;
    await busyboxBase(base);
    cleanups.push(() => removeImage(base));
    repo = uniqueName('acme/attacked');
    legitRef = `${registry.host}/${repo}:legit`;
    const otherRef = `${registry.host}/${repo}:other`;
    legitId = await buildImage(legitRef, `FROM ${base}\nRUN echo legit > /app\n`);
    otherId = await buildImage(otherRef, `FROM ${base}\nRUN echo other > /app\n`);
    cleanups.push(() => removeImage(legitRef, otherRef));
    const legitDigest = await pushImage(legitRef);
    const otherDigest = await pushImage(otherRef);
    // Index entries name each manifest by its digest and exact size as served.
    const served = async (digest: string) => {
      const bytes = (await getServedManifest(registry.host, repo, digest)).bytes;
      return { ...(JSON.parse(bytes.toString()) as PushedManifest), digest, size: bytes.length };
    };
    legit = await served(legitDigest);
    other = await served(otherDigest);
    assert.notEqual(legitId, otherId);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  /** `docker pull` of the tag, then the image ID the daemon now has under it. */
  async function dockerPulls(tag: string): Promise<string> {
    const ref = `${registry.host}/${repo}:${tag}`;
    await docker(['pull', ref]);
    cleanups.push(() => removeImage(ref));
    return imageId(ref);
  }

  it('refuses a manifest whose "Config" and "Layers" name another image, which docker pull takes', async () => {
    const body = { schemaVersion: 2, mediaType: MANIFEST, config: legit.config, layers: legit.layers, Config: other.config, Layers: other.layers };
    await pushManifest(registry.host, repo, 'keycase', body, MANIFEST);
    assert.equal(await dockerPulls('keycase'), otherId, 'the daemon reads the second spelling: the other image');

    const run = await runAction({ image: `${registry.host}/${repo}:keycase`, 'local-image': legitRef });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(run.outputs.verified, 'false');
    assert.match(run.stdout, /::error::manifest of .*:keycase: ambiguous manifest: both "config" and "Config": Docker would read the second; do not trust this tag/);
  });

  it('takes the plain amd64 entry Docker pulls, not an earlier amd64/v2 entry, and so fails', async () => {
    const entry = (m: typeof legit, platform: Record<string, string>) => ({ mediaType: MANIFEST, digest: m.digest, size: m.size, platform });
    const index = { schemaVersion: 2, mediaType: LIST, manifests: [entry(legit, { os: 'linux', architecture: 'amd64', variant: 'v2' }), entry(other, { os: 'linux', architecture: 'amd64' })] };
    await pushManifest(registry.host, repo, 'variant', index, LIST);
    assert.equal(await dockerPulls('variant'), otherId, 'an amd64 daemon pulls the plain amd64 entry');

    const run = await runAction({ image: `${registry.host}/${repo}:variant`, 'local-image': legitRef });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(run.outputs.verified, 'false');
    const rules = (JSON.parse(run.outputs.mismatches ?? '[]') as { rule: string }[]).map((m) => m.rule);
    assert.ok(rules.includes('image-id') && rules.includes('diff-ids'), rules.join(', '));
    assert.equal(run.outputs['config-digest'], otherId, 'the image compared is the one Docker pulls');
  });

  it("fails the platform rule when an index entry's platform is not its config's", async () => {
    const index = { schemaVersion: 2, mediaType: LIST, manifests: [{ mediaType: MANIFEST, digest: legit.digest, size: legit.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }] };
    await pushManifest(registry.host, repo, 'lying', index, LIST);
    const run = await runAction({ image: `${registry.host}/${repo}:lying`, 'local-image': 'none', platform: 'linux/arm64' });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(run.outputs.verified, 'false');
    assert.match(run.stdout, /the registry's index entry says linux\/arm64 but its config says linux\/amd64/);
  });

  it('control: the same image behind an honest index verifies', async () => {
    const index = { schemaVersion: 2, mediaType: LIST, manifests: [{ mediaType: MANIFEST, digest: legit.digest, size: legit.size, platform: { os: 'linux', architecture: 'amd64' } }] };
    await pushManifest(registry.host, repo, 'honest', index, LIST);
    const run = await runAction({ image: `${registry.host}/${repo}:honest`, 'local-image': legitRef });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.verified, 'true');
    assert.equal(run.outputs['config-digest'], legitId);
  });
});
