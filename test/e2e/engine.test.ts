// Building as our users build: BuildKit through `docker buildx build` on Docker 26, on the
// containerd image store and on the classic store, with the flags docker/build-push-action passes
// (--push --load, provenance default / mode=max / off, --metadata-file for the digest output,
// several platforms), then the bundled action verifying the push against the daemon that built it.
// Plus the legacy builder (`DOCKER_BUILDKIT=0 docker build` + `docker push`) on the classic store.
// The daemons are the ones scripts/ensure-services.sh starts; a missing one fails the file.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import {
  appDockerfile,
  BUSYBOX_BASE_DOCKERFILE,
  buildxBuild,
  engine,
  engineInspect,
  enginePush,
  engineRemove,
  ENGINES,
  MULTI_PLATFORM_DOCKERFILE,
  legacyBuild,
  requireEngine,
  stampFiles,
  type Store,
} from '../helpers/buildx.js';
import { uniqueName } from '../helpers/docker.js';
import { sha256 } from '../helpers/registry-api.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

interface Check {
  rule: string;
  ok: boolean;
}
interface Report {
  images: { status: string; checks: Check[] }[];
}
interface PlatformOutput {
  platform: string;
  presence: string;
  verified: boolean;
  digest: string;
  'local-digest'?: string;
  attestation?: string;
}


function failedRules(run: ActionRun): string[] {
  return (JSON.parse(run.outputs.mismatches ?? '[]') as { rule: string }[]).map((m) => m.rule);
}

function assertVerified(run: ActionRun): void {
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.equal(run.outputs.verified, 'true', run.stdout);
  assert.equal(run.outputs.mismatches, '[]');
  const report = run.report as Report;
  assert.equal(report.images[0]?.status, 'verified');
  const checks = report.images[0]?.checks ?? [];
  assert.ok(checks.length > 0 && checks.every((c) => c.ok), `every check held: ${JSON.stringify(checks)}`);
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

for (const store of ['containerd', 'classic'] as Store[]) {
  const host = ENGINES[store];
  const verify = (inputs: Record<string, string>) => runAction(inputs, { DOCKER_HOST: host });
  const containerd = store === 'containerd';

  describe(`BuildKit (docker buildx build --push --load) on Docker 26, ${store} image store`, () => {
    let registry: TestRegistry;
    let repo: string;
    const ref = (tag: string) => `${registry.host}/${repo}:${tag}`;

    before(async () => {
      await requireEngine(store);
      registry = await startRegistry();
      cleanups.push(() => registry.stop());
      repo = uniqueName(`engine/${store}`);
    });

    async function build(tag: string, opts: { provenance?: string; load?: boolean; label?: string } = {}) {
      const tagRef = ref(tag);
      cleanups.push(() => engineRemove(host, tagRef));
      return buildxBuild(host, {
        tags: [tagRef],
        dockerfile: appDockerfile(),
        files: stampFiles(opts.label ?? tag),
        provenance: opts.provenance,
        load: opts.load,
      });
    }

    it('verifies a single-platform push with default provenance against the metadata-file digest', async () => {
      const built = await build('default');
      const local = await engineInspect(host, ref('default'));
      const run = await verify({ image: ref('default'), digest: built.digest });
      assertVerified(run);
      assert.equal(run.outputs.layers, '4');
      if (containerd) {
        // Provenance makes the push an index; the containerd store's image ID is that index digest.
        assert.equal(local.Id, built.digest, 'containerd store: local ID = pushed index digest');
        assert.equal(run.outputs['index-digest'], built.digest);
        assert.notEqual(run.outputs.digest, built.digest, 'digest output is the platform manifest');
      } else {
        // The classic store gets a single Docker manifest, no attestations (BuildKit, docker driver).
        assert.equal(run.outputs.digest, built.digest);
        assert.equal(run.outputs['index-digest'], '');
        assert.equal(run.outputs['config-digest'], local.Id, 'classic store: image ID = config digest');
      }
      assert.ok(run.summary.includes(built.digest), 'the summary shows the pushed digest');

      // The same push against a digest that is not the build's fails on exactly that rule.
      const wrong = sha256(`not ${built.digest}`);
      const mismatch = await verify({ image: ref('default'), digest: wrong });
      assert.equal(mismatch.code, 1);
      assert.equal(mismatch.outputs.verified, 'false');
      assert.deepEqual(failedRules(mismatch), ['digest']);
    });

    it('verifies a push with --provenance=false (a single image manifest)', async () => {
      const built = await build('no-provenance', { provenance: 'false' });
      const run = await verify({ image: ref('no-provenance'), digest: built.digest });
      assertVerified(run);
      assert.equal(run.outputs.digest, built.digest);
      assert.equal(run.outputs['index-digest'], '');
      if (containerd) assert.equal((await engineInspect(host, ref('no-provenance'))).Id, built.digest, 'local ID = pushed manifest digest');
    });

    if (containerd) {
      // On the classic store buildx refuses attestations outright ("Attestation is not supported
      // for the docker driver"); its default (mode=min) is silently dropped there instead.
      it('verifies a push with --provenance=mode=max (build-push-action on a public repository)', async () => {
        const built = await build('max', { provenance: 'mode=max' });
        const run = await verify({ image: ref('max'), digest: built.digest });
        assertVerified(run);
        assert.equal(run.outputs['index-digest'], built.digest);
      });
    }

    it('verifies a multi-stage build with ARG in FROM and finds its base from the Dockerfile', async () => {
      const baseRef = ref('base');
      cleanups.push(() => engineRemove(host, baseRef));
      await buildxBuild(host, { tags: [baseRef], dockerfile: BUSYBOX_BASE_DOCKERFILE, load: false });
      const dockerfile = [
        'ARG BASE_IMAGE',
        'FROM ${BASE_IMAGE} AS tools',
        'RUN ["/bin/sh", "-c", "echo tool > /tool"]',
        'FROM ${BASE_IMAGE}',
        'COPY --from=tools /tool /usr/local/bin/tool',
        'COPY stamp.txt /stamp.txt',
        '',
      ].join('\n');
      const appRef = ref('multi-stage');
      cleanups.push(() => engineRemove(host, appRef));
      const built = await buildxBuild(host, {
        tags: [appRef],
        dockerfile,
        files: stampFiles('multi-stage'),
        buildArgs: { BASE_IMAGE: baseRef },
      });
      const dir = await mkdtemp(join(tmpdir(), 'verify-image-dockerfile-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const dockerfilePath = join(dir, 'Dockerfile');
      await writeFile(dockerfilePath, dockerfile);

      const run = await verify({ image: appRef, digest: built.digest, dockerfile: dockerfilePath, 'build-args': `BASE_IMAGE=${baseRef}` });
      assertVerified(run);
      assert.equal(run.outputs.layers, '4');
      assert.equal(run.outputs['base-image'], baseRef);
      assert.equal(run.outputs['base-layers'], '2', 'the busybox base makes the first two layers');
      assert.equal(run.outputs['base-drift'], 'false');
    });

    it('fails when another build was pushed over the tag after ours (local build kept)', async () => {
      const ours = await build('moved', { label: 'ours' });
      // Another machine's build lands on the same tag (the other daemon: on this one, the docker
      // driver names even a push-only build locally); our daemon still holds our build under it.
      const otherHost = ENGINES[containerd ? 'classic' : 'containerd'];
      cleanups.push(() => engineRemove(otherHost, ref('moved')));
      await buildxBuild(otherHost, {
        tags: [ref('moved')],
        dockerfile: appDockerfile(),
        files: stampFiles('theirs'),
        load: false,
      });
      const run = await verify({ image: ref('moved') });
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verified, 'false');
      // diff-ids and image-id always; where the local manifests are at hand (the containerd
      // store's index read from the daemon), manifest-digest and layer-digests fail too.
      const rules = failedRules(run);
      for (const rule of ['diff-ids', 'image-id']) assert.ok(rules.includes(rule), `${rule} named: ${rules.join(', ')}`);
      assert.match(run.stdout, /::error::.*does not match the local build/);
      assert.match(run.summary, /❌ Mismatch/);

      const withDigest = await verify({ image: ref('moved'), digest: ours.digest });
      assert.equal(withDigest.outputs.verified, 'false');
      assert.deepEqual(failedRules(withDigest).sort(), [...rules, 'digest'].sort());
    });

    if (containerd) {
      it('verifies a multi-platform push (amd64 + arm64) with platform: all', async () => {
        const multiRef = ref('multi');
        cleanups.push(() => engineRemove(host, multiRef));
        const built = await buildxBuild(host, {
          tags: [multiRef],
          dockerfile: MULTI_PLATFORM_DOCKERFILE,
          files: { ...stampFiles('multi'), 'arch-amd64.txt': 'amd64\n', 'arch-arm64.txt': 'arm64\n' },
          platforms: ['linux/amd64', 'linux/arm64'],
        });
        assert.equal((await engineInspect(host, multiRef)).Id, built.digest, 'local ID = pushed index digest');
        const run = await verify({ image: multiRef, digest: built.digest, platform: 'all' });
        assertVerified(run);
        assert.equal(run.outputs.digest, built.digest, 'several platforms: the digest output is the index');
        const platforms = JSON.parse(run.outputs.platforms ?? '[]') as PlatformOutput[];
        assert.deepEqual(
          platforms.map((p) => [p.platform, p.presence, p.verified]).sort(),
          [
            ['linux/amd64', 'both', true],
            ['linux/arm64', 'both', true],
          ],
        );
        assert.ok(platforms.every((p) => /^sha256:[0-9a-f]{64}$/.test(p['local-digest'] ?? '')), 'a local manifest per platform');
      });

      it('verifies amd64 + arm64 pushed and exported as an OCI archive in one build (the GitHub workflow\'s way)', async () => {
        const multiRef = ref('multi-oci');
        const dir = await mkdtemp(join(tmpdir(), 'verify-image-oci-'));
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
        const archive = join(dir, 'multi.tar');
        const built = await buildxBuild(host, {
          tags: [],
          dockerfile: MULTI_PLATFORM_DOCKERFILE,
          files: { ...stampFiles('multi-oci'), 'arch-amd64.txt': 'amd64\n', 'arch-arm64.txt': 'arm64\n' },
          platforms: ['linux/amd64', 'linux/arm64'],
          provenance: 'mode=max',
          outputs: [`type=registry,name=${multiRef}`, `type=oci,dest=${archive}`],
        });
        const run = await verify({ image: multiRef, digest: built.digest, platform: 'all', 'local-image': `oci-archive:${archive}` });
        assertVerified(run);
        const platforms = JSON.parse(run.outputs.platforms ?? '[]') as PlatformOutput[];
        assert.deepEqual(
          platforms.map((p) => [p.platform, p.presence, p.verified]).sort(),
          [
            ['linux/amd64', 'both', true],
            ['linux/arm64', 'both', true],
          ],
        );
      });
    }
  });
}

describe('the legacy builder (DOCKER_BUILDKIT=0 docker build, docker push) on Docker 26, classic store', () => {
  const host = ENGINES.classic;
  const verify = (inputs: Record<string, string>) => runAction(inputs, { DOCKER_HOST: host });
  let registry: TestRegistry;
  let repo: string;
  const ref = (tag: string) => `${registry.host}/${repo}:${tag}`;

  before(async () => {
    await requireEngine('classic');
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    repo = uniqueName('engine/legacy');
  });

  it('verifies a pushed classic build, with the instruction that made each layer', async () => {
    const appRef = ref('1.0');
    cleanups.push(() => engineRemove(host, appRef));
    const id = await legacyBuild(host, appRef, appDockerfile(), stampFiles('legacy'));
    const digest = await enginePush(host, appRef);
    const run = await verify({ image: appRef, digest });
    assertVerified(run);
    assert.equal(run.outputs.digest, digest);
    assert.equal(run.outputs['config-digest'], id);
    assert.equal(run.outputs.layers, '4');
    assert.match(run.summary, /echo built &gt; \/built/, 'the RUN step is named in the layer table');
  });

  it('fails with diff-ids and image-id when the tag was re-pushed with another image', async () => {
    const appRef = ref('moved');
    const otherRef = ref('other');
    cleanups.push(() => engineRemove(host, appRef, otherRef));
    const ours = await legacyBuild(host, appRef, appDockerfile(), stampFiles('ours'));
    await legacyBuild(host, otherRef, appDockerfile(), stampFiles('theirs'));
    // Their build is pushed under our tag; our build gets the tag back locally.
    await engine(host, ['tag', otherRef, appRef]);
    await enginePush(host, appRef);
    await engine(host, ['tag', ours, appRef]);
    const run = await verify({ image: appRef });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verified, 'false');
    assert.deepEqual(failedRules(run), ['diff-ids', 'image-id']);
  });
});
