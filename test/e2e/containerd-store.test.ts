// The containerd image store as users meet it, end to end: Docker 26 (Engine API 1.45, no
// `manifests=1`) builds an amd64 + arm64 image with `docker buildx build --push`, and the bundled
// action verifies it from that daemon with `platform: all`, by default, and for one platform; a
// moved tag fails with named rules. podman's Docker-compatible API: `name:tag@digest` found by
// `name:tag`; a squashed podman build is reported as squashed. The daemons are the ones
// scripts/ensure-services.sh starts (unix:///run/vi-ctd/docker.sock, unix:///run/vi-podman/podman.sock).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runAction } from '../helpers/action.js';
import { ENGINES, engineBuild, engineEnv } from '../helpers/buildx.js';
import { BUSYBOX_PATH, docker, uniqueName } from '../helpers/docker.js';
import { getServedManifest } from '../helpers/registry-api.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const run = promisify(execFile);
const CONTAINERD = ENGINES.containerd;
const PODMAN = 'unix:///run/vi-podman/podman.sock';
const cleanups: Array<() => Promise<void>> = [];

/** The containerd-store daemon, with the buildx plugin in a DOCKER_CONFIG of the test's own (helpers/buildx.ts). */
const containerdEnv = (): NodeJS.ProcessEnv => engineEnv(CONTAINERD);

interface Check {
  rule: string;
  ok: boolean;
  message: string;
  platform?: string;
}
interface ImageReport {
  status: string;
  checks: Check[];
  compared: string[];
  local?: { source: string };
  layers: { index: number; instruction?: string }[];
  index?: { digest: string; localDigest?: string };
  platforms?: { platform: string; status: string; local?: { manifestDigest?: string; source: string }; remote?: { manifestDigest: string } }[];
}
const reportOf = (r: { report?: unknown }) => (r.report as { images: ImageReport[] }).images[0]!;
const failedRules = (checks: Check[]) => [...new Set(checks.filter((c) => !c.ok).map((c) => c.rule))].sort();

/** `docker buildx build --push` on the containerd-store daemon; resolves with the pushed top-level digest. */
async function buildxPush(ref: string, context: string, dockerfile: string, platforms: string): Promise<string> {
  const metadata = join(context, `metadata-${uniqueName('m')}.json`);
  const args = ['buildx', 'build', '--push', '--platform', platforms, '--network=none', '--metadata-file', metadata, '-f', join(context, dockerfile), '-t', ref, context];
  // Known containerd-store and registry races (ENGINES.md) are built again, as in every buildx test.
  await engineBuild(ENGINES.containerd, args);
  const digest = (JSON.parse(await readFile(metadata, 'utf8')) as Record<string, string>)['containerimage.digest'];
  assert.match(digest ?? '', /^sha256:[a-f0-9]{64}$/, 'buildx wrote the pushed digest');
  return digest!;
}

async function podman(args: string[]): Promise<string> {
  const { stdout } = await run('podman', args, { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
  return stdout;
}

describe('containerd image store (Docker 26, API 1.45) and podman', () => {
  let registry: TestRegistry;
  let context: string;
  let repo: string;

  before(async () => {
    const server = (await docker(['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}'], { env: containerdEnv() })).trim();
    assert.match(server, / 1\.4[4-7]$/, `this file tests Engine API 1.44–1.47 (no manifests=1); ${CONTAINERD} is ${server}`);
    const info = await docker(['info', '--format', '{{json .DriverStatus}}'], { env: containerdEnv() });
    assert.match(info, /io\.containerd\.snapshotter\.v1/, `${CONTAINERD} must use the containerd image store (scripts/ensure-services.sh)`);
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    context = await mkdtemp(join(tmpdir(), 'vi-containerd-store-'));
    cleanups.push(() => rm(context, { recursive: true, force: true }));
    await copyFile(BUSYBOX_PATH, join(context, 'busybox'));
    // FROM scratch + COPY: the arm64 image needs no emulation (ENGINES.md).
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nENV A=1\nCOPY Dockerfile /etc/built-from\nCMD ["/bin/busybox","sh"]\n');
    await writeFile(join(context, 'Dockerfile.other'), 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY Dockerfile.other /etc/other\nCMD ["/bin/busybox","sh"]\n');
    repo = uniqueName('acme/ctd');
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  describe('docker buildx build --push --platform linux/amd64,linux/arm64', () => {
    let ref: string;
    let digest: string;

    before(async () => {
      ref = `${registry.host}/${repo}:1`;
      digest = await buildxPush(ref, context, 'Dockerfile', 'linux/amd64,linux/arm64');
      cleanups.push(() => docker(['rmi', ref], { env: containerdEnv() }).then(() => undefined));
      const inspected = (await docker(['image', 'inspect', '--format', '{{.Id}}', ref], { env: containerdEnv() })).trim();
      assert.equal(inspected, digest, 'the local image ID is the pushed index digest (the case this file is about)');
    });

    it('verifies with platform: all: both platforms, each with its local manifest, the index proved', async () => {
      const result = await runAction({ image: ref, platform: 'all', digest }, { DOCKER_HOST: CONTAINERD });
      assert.equal(result.code, 0, result.stdout);
      assert.equal(result.outputs.verified, 'true');
      const report = reportOf(result);
      const served = await getServedManifest(registry.host, repo, '1');
      const entries = (JSON.parse(served.bytes.toString('utf8')) as { manifests: { digest: string; platform: { architecture: string } }[] }).manifests;
      const expected = ['amd64', 'arm64'].map((arch) => entries.find((e) => e.platform.architecture === arch)!.digest);
      assert.deepEqual(
        report.platforms?.map((p) => [p.platform, p.status, p.local?.manifestDigest, p.remote?.manifestDigest]),
        [
          ['linux/amd64', 'verified', expected[0], expected[0]],
          ['linux/arm64', 'verified', expected[1], expected[1]],
        ],
      );
      assert.equal(report.index?.localDigest, digest);
      assert.ok(report.checks.some((c) => c.rule === 'index-digest' && c.ok && /byte for byte/.test(c.message)), JSON.stringify(report.checks));
      // Both platforms' layers were read from the daemon's export and hashed, not assumed.
      assert.deepEqual(
        report.checks.filter((c) => c.rule === 'local-blobs').map((c) => [c.platform, c.ok]),
        [
          ['linux/amd64', true],
          ['linux/arm64', true],
        ],
      );
      assert.match(report.local?.source ?? '', /API 1\.4\d: platforms read from the image export/);
      const platforms = JSON.parse(result.outputs.platforms ?? '[]') as { platform: string; 'local-digest'?: string }[];
      assert.deepEqual(
        platforms.map((p) => p['local-digest']),
        expected,
      );
      // The overview's local manifest column names each platform's manifest.
      for (const manifest of expected) {
        assert.equal((result.summary.match(new RegExp(`<code title="${manifest}">`, 'g')) ?? []).length >= 2, true, `registry and local cells for ${manifest}`);
      }
    });

    it('verifies by default: a local multi-platform build is verified platform by platform', async () => {
      const result = await runAction({ image: ref }, { DOCKER_HOST: CONTAINERD });
      assert.equal(result.code, 0, result.stdout);
      assert.deepEqual(
        reportOf(result).platforms?.map((p) => [p.platform, p.status]),
        [
          ['linux/amd64', 'verified'],
          ['linux/arm64', 'verified'],
        ],
      );
    });

    it('verifies one platform asked for: linux/arm64, from its own manifest and config', async () => {
      const result = await runAction({ image: ref, platform: 'linux/arm64' }, { DOCKER_HOST: CONTAINERD });
      assert.equal(result.code, 0, result.stdout);
      const checks = reportOf(result).checks;
      assert.ok(checks.some((c) => c.rule === 'manifest-digest' && c.ok), JSON.stringify(checks));
      assert.ok(checks.some((c) => c.rule === 'platform' && c.ok && /linux\/arm64/.test(c.message)));
    });

    it('fails with named rules when the tag was moved to another build', async () => {
      const movedRef = `${registry.host}/${repo}:2`;
      await buildxPush(movedRef, context, 'Dockerfile', 'linux/amd64,linux/arm64');
      cleanups.push(() => docker(['rmi', movedRef], { env: containerdEnv() }).then(() => undefined));
      // Someone else's build takes the tag: the same repository, another index under ":2".
      await buildxPush(`${registry.host}/${repo}:other`, context, 'Dockerfile.other', 'linux/amd64,linux/arm64');
      const other = await getServedManifest(registry.host, repo, 'other');
      const put = await fetch(`http://${registry.host}/v2/${repo}/manifests/2`, { method: 'PUT', headers: { 'content-type': other.mediaType }, body: other.bytes });
      assert.equal(put.status, 201, await put.text());

      const result = await runAction({ image: movedRef, platform: 'all' }, { DOCKER_HOST: CONTAINERD });
      assert.equal(result.code, 1, result.stdout);
      const report = reportOf(result);
      assert.equal(report.status, 'mismatch');
      assert.deepEqual(failedRules(report.checks), ['diff-ids', 'image-id', 'index-digest', 'layer-digests', 'manifest-digest']);
      assert.deepEqual(
        report.platforms?.map((p) => [p.platform, p.status]),
        [
          ['linux/amd64', 'mismatch'],
          ['linux/arm64', 'mismatch'],
        ],
      );
    });
  });

  describe("podman's Docker-compatible API", () => {
    let podmanRef: string;
    let pushed: string;

    before(async () => {
      podmanRef = `${registry.host}/${repo}:podman`;
      await podman(['build', '--network=none', '-q', '-t', podmanRef, '-f', join(context, 'Dockerfile'), context]);
      cleanups.push(() => podman(['rmi', '-f', podmanRef]).then(() => undefined));
      const digestFile = join(context, 'podman-digest');
      await podman(['push', '--tls-verify=false', '--digestfile', digestFile, podmanRef]);
      pushed = (await readFile(digestFile, 'utf8')).trim();
      assert.match(pushed, /^sha256:[a-f0-9]{64}$/);
    });

    it('finds name:tag@digest by name:tag, says so, and checks the digest on the registry', async () => {
      const result = await runAction({ image: `${podmanRef}@${pushed}` }, { DOCKER_HOST: PODMAN });
      assert.equal(result.code, 0, result.stdout);
      assert.match(result.stdout, /is not in the daemon under that name; using .*:podman \(podman names images by the digest it computed before the push\)/);
      const report = reportOf(result);
      assert.ok(report.compared.some((line) => /found as .*:podman/.test(line)), report.compared.join('\n'));
      assert.deepEqual(failedRules(report.checks), []);
      assert.ok(report.checks.some((c) => c.rule === 'diff-ids' && c.ok));
    });

    it('still fails when the digest is not what the tag was pushed as', async () => {
      const other = `sha256:${'0'.repeat(64)}`;
      const result = await runAction({ image: podmanRef, digest: other }, { DOCKER_HOST: PODMAN });
      assert.equal(result.code, 1, result.stdout);
      assert.deepEqual(failedRules(reportOf(result).checks), ['digest']);
    });

    it('reports a squashed podman build as squashed, not as made by its CMD', async () => {
      const squashedRef = `${registry.host}/${repo}:squashed`;
      await podman(['build', '--squash', '--network=none', '-q', '-t', squashedRef, '-f', join(context, 'Dockerfile'), context]);
      cleanups.push(() => podman(['rmi', '-f', squashedRef]).then(() => undefined));
      await podman(['push', '--tls-verify=false', squashedRef]);
      const result = await runAction({ image: squashedRef }, { DOCKER_HOST: PODMAN });
      assert.equal(result.code, 0, result.stdout);
      assert.deepEqual(
        reportOf(result).layers.map((l) => [l.index, l.instruction]),
        [[1, 'squashed (4 build steps)']],
      );
      assert.doesNotMatch(result.summary, /<code[^>]*>CMD/);
    });
  });
});
