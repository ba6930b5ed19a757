// podman and buildah, end to end: images built with `podman build` (OCI and Docker formats,
// squashed), pushed with `podman push`, verified against podman's Docker-compatible API socket as
// DOCKER_HOST, against `podman save` archives, and multi-platform lists made with
// `buildah manifest`. podman and its socket come from scripts/ensure-services.sh; a missing one
// fails the file.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { appDockerfile, stampFiles } from '../helpers/buildx.js';
import { uniqueName } from '../helpers/docker.js';
import { buildah, manifestPush, manifestRemove, podman, PODMAN_HOST, podmanBuild, podmanPush, podmanRemove, requirePodman } from '../helpers/podman.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

interface Report {
  images: { status: string; checks: { rule: string; ok: boolean }[] }[];
}

function failedRules(run: ActionRun): string[] {
  return (JSON.parse(run.outputs.mismatches ?? '[]') as { rule: string }[]).map((m) => m.rule);
}

function assertVerified(run: ActionRun): void {
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.equal(run.outputs.verified, 'true', run.stdout);
  assert.equal(run.outputs.mismatches, '[]');
  const checks = (run.report as Report).images[0]?.checks ?? [];
  assert.ok(checks.length > 0 && checks.every((c) => c.ok), `every check held: ${JSON.stringify(checks)}`);
}

/** The action as a job that built with podman runs it: podman's API socket is the Docker host. */
const verify = (inputs: Record<string, string>) => runAction(inputs, { DOCKER_HOST: PODMAN_HOST });

const cleanups: Array<() => Promise<void>> = [];

describe('podman and buildah builds', () => {
  let registry: TestRegistry;
  let repo: string;
  let scratch: string;
  const ref = (tag: string) => `${registry.host}/${repo}:${tag}`;
  /** One image per format, built and pushed once, shared by the cases below. */
  const built: Record<'oci' | 'docker', { id: string; digest: string }> = {} as never;

  before(async () => {
    await requirePodman();
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    repo = uniqueName('podman/app');
    scratch = await mkdtemp(join(tmpdir(), 'verify-image-podman-e2e-'));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    for (const format of ['oci', 'docker'] as const) {
      cleanups.push(() => podmanRemove(ref(format)));
      const id = await podmanBuild(ref(format), appDockerfile(), stampFiles(format), { format });
      built[format] = { id, digest: await podmanPush(ref(format)) };
    }
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  for (const format of ['oci', 'docker'] as const) {
    it(`verifies a podman build --format ${format} after podman push, through podman's API socket`, async () => {
      const run = await verify({ image: ref(format), digest: built[format].digest });
      assertVerified(run);
      assert.equal(run.outputs.digest, built[format].digest);
      assert.equal(run.outputs['config-digest'], built[format].id, 'podman keeps the config digest as the image ID');
      assert.equal(run.outputs.layers, '4');
    });
  }

  it('verifies name:tag@digest through podman\'s API socket (falls back to name:tag locally)', async () => {
    // podman keeps its own manifest digest in RepoDigests, so name@digest is not found locally;
    // the action falls back to name:tag and the digest rule compares the registry's digest.
    const run = await verify({ image: `${ref('docker')}@${built.docker.digest}` });
    assertVerified(run);
    assert.equal(run.outputs.digest, built.docker.digest);
  });

  for (const [format, archive] of [
    ['oci', 'docker-archive'],
    ['oci', 'oci-archive'],
    ['docker', 'docker-archive'],
  ] as const) {
    it(`verifies a --format ${format} build saved with podman save --format ${archive}`, async () => {
      const path = join(scratch, `${format}-${archive}.tar`);
      await podman(['save', '--quiet', '--format', archive, '--output', path, ref(format)]);
      const run = await verify({ image: ref(format), 'local-image': `${archive}:${path}`, digest: built[format].digest });
      assertVerified(run);
      assert.equal(run.outputs['config-digest'], built[format].id);
    });
  }

  it('refuses a Docker-format build saved as oci-archive: podman converted its config', async () => {
    // podman save --format oci-archive rewrites a Docker config as an OCI one (dropping Docker's
    // fields), so the archive holds another image than the one pushed: never a pass.
    const path = join(scratch, 'docker-oci-archive.tar');
    await podman(['save', '--quiet', '--format', 'oci-archive', '--output', path, ref('docker')]);
    const run = await verify({ image: ref('docker'), 'local-image': `oci-archive:${path}` });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verified, 'false');
    assert.ok(failedRules(run).includes('image-id'), `image-id named: ${failedRules(run).join(', ')}`);
    assert.match(run.stdout, /::error::.*image-id: local image ID sha256:[0-9a-f]{64} is not the registry's config digest/);
  });

  it('fails with diff-ids and image-id when another podman build was pushed over the tag', async () => {
    const movedRef = ref('moved');
    const otherRef = ref('other');
    cleanups.push(() => podmanRemove(movedRef, otherRef));
    const ours = await podmanBuild(movedRef, appDockerfile(), stampFiles('ours'));
    await podmanBuild(otherRef, appDockerfile(), stampFiles('theirs'));
    await podman(['tag', otherRef, movedRef]);
    await podmanPush(movedRef);
    await podman(['tag', ours, movedRef]);
    const run = await verify({ image: movedRef });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verified, 'false');
    assert.deepEqual(failedRules(run), ['diff-ids', 'image-id']);
  });

  it('verifies a squashed podman build and says its one layer is squashed', async () => {
    const squashedRef = ref('squashed');
    cleanups.push(() => podmanRemove(squashedRef));
    await podmanBuild(squashedRef, `${appDockerfile()}CMD ["/bin/sh"]\n`, stampFiles('squashed'), { squash: true });
    const digest = await podmanPush(squashedRef);
    const run = await verify({ image: squashedRef, digest });
    assertVerified(run);
    assert.equal(run.outputs.layers, '1');
    // One layer made by every step: the table must not name the last instruction (CMD) as its maker.
    assert.match(run.summary, /squashed \(\d+ build steps\)/);
    const row = /<tr><td>1<\/td>(.*?)<\/tr>/s.exec(run.summary)?.[1];
    assert.ok(row, 'the layer table has a row for layer 1');
    assert.doesNotMatch(row, /CMD/);
  });

  it('verifies a buildah manifest list (amd64 + arm64) with platform: all, locally and registry-only', async () => {
    const list = uniqueName('localhost/vi-list');
    const images = [`${list}-amd64:1`, `${list}-arm64:1`];
    // Cleanups run in reverse: the list goes before the images it names.
    cleanups.push(() => podmanRemove(...images));
    cleanups.push(() => manifestRemove(list));
    const dockerfile = 'FROM scratch\nARG TARGETARCH\nCOPY stamp.txt arch-${TARGETARCH}.txt /\n';
    const files = { ...stampFiles('list'), 'arch-amd64.txt': 'amd64\n', 'arch-arm64.txt': 'arm64\n' };
    await podmanBuild(images[0]!, dockerfile, files, { platform: 'linux/amd64' });
    await podmanBuild(images[1]!, dockerfile, files, { platform: 'linux/arm64' });
    await buildah(['manifest', 'create', list]);
    for (const image of images) await buildah(['manifest', 'add', list, `containers-storage:${image}`]);
    const listRef = ref('list');
    const digest = await manifestPush(list, `docker://${listRef}`);
    const archive = join(scratch, 'list.tar');
    const archived = await manifestPush(list, `oci-archive:${archive}:list`);
    assert.equal(archived, digest, 'the same list, pushed twice, has one digest');

    const run = await verify({ image: listRef, digest, platform: 'all', 'local-image': `oci-archive:${archive}` });
    assertVerified(run);
    assert.equal(run.outputs.digest, digest);
    const platforms = JSON.parse(run.outputs.platforms ?? '[]') as { platform: string; presence: string; verified: boolean }[];
    assert.deepEqual(
      platforms.map((p) => [p.platform, p.presence, p.verified]).sort(),
      [
        ['linux/amd64', 'both', true],
        ['linux/arm64', 'both', true],
      ],
    );

    const registryOnly = await verify({ image: listRef, digest, platform: 'all', 'local-image': 'none' });
    assertVerified(registryOnly);
    assert.match(registryOnly.stdout, /all 2 platforms match on the registry side/);
  });
});
