// Real images made by other projects (../shared/real-images, see its README): `docker save` from
// Docker 1.13, 18 and 25, kaniko, bazel, BuildKit OCI archives in four compressions, real alpine,
// trivy's hello-world layout and regclient's multi-platform testrepo. Each is pushed to a real
// registry with Debian's skopeo and verified by the bundled action against its own archive or
// layout, plain and deep. Every expected figure comes from outside the tool: digests hashed here
// from the files (`tar -xOf`, node:crypto), counts read from their manifests, wasted bytes from
// the corpus README (dive's own figure). The corpus is required: a missing one fails, never skips.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { runAction, runCli, repoRoot } from '../helpers/action.js';
import { pushManifest } from '../helpers/registry-api.js';
import { skopeo } from '../helpers/oci.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Check {
  rule: string;
  ok: boolean;
  message: string;
  layer?: number;
  platform?: string;
}
interface ReportImage {
  status: string;
  error?: string;
  checks: Check[];
  platforms?: { platform: string; status: string; presence: string }[];
}
const reportOf = (r: { report?: unknown }) => (r.report as { images: ReportImage[] }).images[0]!;
const failedRules = (outputs: Record<string, string>) => [...new Set((JSON.parse(outputs.mismatches ?? '[]') as Check[]).map((c) => c.rule))].sort();

/** Where the corpus lives: beside the repository, as CI checks it out. */
function corpusDir(): string {
  const dir = resolve(repoRoot(), '..', 'shared', 'real-images');
  if (!existsSync(join(dir, 'README.md'))) {
    throw new Error(`the real-image corpus is missing at ${dir}: check out ../shared/real-images beside the repository (see issue 12); these tests never skip`);
  }
  return dir;
}

function tarMember(file: string, member: string): Promise<Buffer> {
  const gzip = file.endsWith('.gz') ? ['-z'] : [];
  return new Promise((resolvePromise, reject) => {
    execFile('tar', [...gzip, '-xOf', file, member], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tar -xOf ${file} ${member}: ${stderr.toString().trim() || error.message}`, { cause: error }));
      else resolvePromise(stdout);
    });
  });
}

interface Facts {
  configDigest: string;
  layers: number;
  diffIds: string[];
  /** The manifest's digest, when the source has one (a layout), as skopeo --preserve-digests serves it. */
  manifestDigest?: string;
}

/** What a `docker save` archive's manifest.json says about image `pick`, with the config hashed here. */
async function archiveFacts(file: string, repoTag?: string): Promise<Facts & { repoTags: string[] | null }> {
  const saved = JSON.parse((await tarMember(file, 'manifest.json')).toString()) as { Config: string; Layers: string[]; RepoTags: string[] | null }[];
  const entry = repoTag ? saved.find((s) => s.RepoTags?.includes(repoTag)) : saved[0];
  assert.ok(entry && (repoTag || saved.length === 1), `${file}: no single image ${repoTag ?? ''} in manifest.json`);
  const config = await tarMember(file, entry.Config);
  const diffIds = (JSON.parse(config.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  assert.equal(entry.Layers.length, diffIds.length, `${file}: manifest.json and the config disagree on the layer count`);
  return { configDigest: sha256(config), layers: entry.Layers.length, diffIds, repoTags: entry.RepoTags };
}

/** The index.json entry named `ref` (or the only one) of a layout directory or archive, every blob hashed here. */
async function layoutFacts(read: (path: string) => Promise<Buffer>, ref?: string): Promise<Facts & { mediaType: string }> {
  const index = JSON.parse((await read('index.json')).toString()) as { manifests: { digest: string; mediaType: string; annotations?: Record<string, string> }[] };
  const entries = ref ? index.manifests.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref) : index.manifests;
  assert.equal(entries.length, 1, `index.json has ${entries.length} entries named ${ref}`);
  const entry = entries[0]!;
  const blob = async (digest: string) => {
    const bytes = await read(`blobs/sha256/${digest.slice(7)}`);
    assert.equal(sha256(bytes), digest, `blob ${digest} does not hash to its name`);
    return bytes;
  };
  const manifest = JSON.parse((await blob(entry.digest)).toString()) as { config?: { digest: string }; layers?: unknown[] };
  if (!manifest.config) return { mediaType: entry.mediaType, manifestDigest: entry.digest, configDigest: '', layers: 0, diffIds: [] };
  const config = JSON.parse((await blob(manifest.config.digest)).toString()) as { rootfs: { diff_ids: string[] } };
  return { mediaType: entry.mediaType, manifestDigest: entry.digest, configDigest: manifest.config.digest, layers: manifest.layers?.length ?? 0, diffIds: config.rootfs.diff_ids };
}
const ociArchiveFacts = (file: string, ref?: string) => layoutFacts((p) => tarMember(file, p), ref);
const ociLayoutFacts = (dir: string, ref?: string) => layoutFacts((p) => readFile(join(dir, p)), ref);

/** One corpus image: how skopeo pushes it, how the action reads it locally, and what is known about it. */
interface Case {
  name: string;
  /** skopeo source; its copy keeps the config (docker-archive recompresses layers, OCI keeps them with --preserve-digests). */
  push: string;
  local: string;
  facts: () => Promise<Facts>;
  /** Platform the image is for, as its config says. */
  platform: string;
  /** Layers served byte for byte (OCI sources pushed with --preserve-digests): the pushed manifest digest is the file's. */
  sameManifest?: boolean;
  /** Wasted bytes from outside the tool (the corpus README: dive's figure; one layer wastes nothing). */
  wasted?: number;
}

describe('the real-image corpus, pushed with skopeo and verified against its own files', () => {
  const R = corpusDir();
  const file = (name: string) => join(R, name);
  let registry: TestRegistry;
  let work: string;
  const pushed = new Map<string, string>();

  const cases: Case[] = [
    { name: 'dive-docker', push: `docker-archive:${file('dive-docker.tar')}`, local: `docker-archive:${file('dive-docker.tar')}`, facts: () => archiveFacts(file('dive-docker.tar')), platform: 'linux/amd64', wasted: 32025 },
    { name: 'dive-kaniko', push: `docker-archive:${file('dive-kaniko.tar')}`, local: `docker-archive:${file('dive-kaniko.tar')}`, facts: () => archiveFacts(file('dive-kaniko.tar')), platform: 'linux/amd64', wasted: 46245 },
    ...(['gzip', 'zstd', 'uncompressed', 'estargz'] as const).map((c) => ({
      name: `dive-oci-${c}`,
      push: `oci-archive:${file(`dive-oci-${c}.tar`)}`,
      local: `oci-archive:${file(`dive-oci-${c}.tar`)}`,
      facts: () => ociArchiveFacts(file(`dive-oci-${c}.tar`)),
      platform: 'linux/arm64',
      sameManifest: true,
      wasted: 0,
    })),
    { name: 'ggcr-hello-world-v25', push: `docker-archive:${file('ggcr-hello-world-v25.tar')}`, local: `docker-archive:${file('ggcr-hello-world-v25.tar')}`, facts: () => archiveFacts(file('ggcr-hello-world-v25.tar')), platform: 'linux/arm64', wasted: 0 },
    // skopeo 1.9 does not find the untagged names; it takes the archive's second image by position.
    { name: 'ggcr-test_bundle', push: `docker-archive:${file('ggcr-test_bundle.tar')}:@1`, local: `docker-archive:${file('ggcr-test_bundle.tar')}:test_image_1:latest`, facts: () => archiveFacts(file('ggcr-test_bundle.tar'), 'test_image_1'), platform: 'linux/amd64', wasted: 0 },
    { name: 'ggcr-test_link', push: `docker-archive:${file('ggcr-test_link.tar')}:bazel/v1/tarball:test_image_3`, local: `docker-archive:${file('ggcr-test_link.tar')}:bazel/v1/tarball:test_image_3`, facts: () => archiveFacts(file('ggcr-test_link.tar'), 'bazel/v1/tarball:test_image_3'), platform: 'linux/amd64' },
    { name: 'ggcr-whiteout', push: `docker-archive:${file('ggcr-whiteout_image.tar')}`, local: `docker-archive:${file('ggcr-whiteout_image.tar')}`, facts: () => archiveFacts(file('ggcr-whiteout_image.tar')), platform: 'linux/amd64', wasted: 4 },
    { name: 'ggcr-overwritten', push: `docker-archive:${file('ggcr-overwritten_file.tar')}`, local: `docker-archive:${file('ggcr-overwritten_file.tar')}`, facts: () => archiveFacts(file('ggcr-overwritten_file.tar')), platform: 'linux/amd64', wasted: 4 },
    { name: 'cimage-almostempty', push: `docker-archive:${file('cimage-almostempty.tar')}`, local: `docker-archive:${file('cimage-almostempty.tar')}`, facts: () => archiveFacts(file('cimage-almostempty.tar')), platform: 'linux/amd64', wasted: 0 },
    // skopeo 1.9 cannot read a gzipped archive: it pushes a gunzipped copy; the action reads the .tar.gz as it is.
    { name: 'trivy-alpine-311', push: 'docker-archive:WORK/alpine-311.tar', local: `docker-archive:${file('trivy-alpine-311.tar.gz')}`, facts: () => archiveFacts(file('trivy-alpine-311.tar.gz')), platform: 'linux/amd64', wasted: 0 },
    { name: 'trivy-alpine-310', push: 'docker-archive:WORK/alpine-310.tar', local: `docker-archive:${file('trivy-alpine-310.tar.gz')}`, facts: () => archiveFacts(file('trivy-alpine-310.tar.gz')), platform: 'linux/amd64', wasted: 0 },
    { name: 'trivy-hello', push: `oci:${file('trivy-hello.oci')}`, local: `oci-layout:${file('trivy-hello.oci')}`, facts: () => ociLayoutFacts(file('trivy-hello.oci')), platform: 'linux/amd64', sameManifest: true, wasted: 0 },
  ];
  const ref = (name: string) => `${registry.host}/corpus/${name}:1`;

  before(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'vi-corpus-'));
    for (const v of ['310', '311']) await writeFile(join(work, `alpine-${v}.tar`), await gunzipFile(file(`trivy-alpine-${v}.tar.gz`)));
    await inPool(cases, POOL, async (c) => {
      const source = c.push.replace('WORK/', `${work}/`);
      // --preserve-digests only where skopeo can keep the blobs: with a docker-archive it would push the
      // uncompressed layers under the gzip media type.
      await skopeo(['copy', '-q', '--dest-tls-verify=false', ...(c.sameManifest ? ['--preserve-digests'] : []), source, `docker://${ref(c.name)}`]);
      pushed.set(c.name, ref(c.name));
    });
    await inPool(['v1', 'v2', 'b1'], POOL, (tag) =>
      skopeo(['copy', '-q', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${file('regclient-testrepo')}:${tag}`, `docker://${registry.host}/corpus/testrepo:${tag}`]),
    );
  });

  after(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const mode of ['plain', 'deep'] as const) {
    it(`every single-platform image verifies against its own archive or layout (${mode})`, async () => {
      const failures: string[] = [];
      await inPool(cases, POOL, async (c) => {
        const facts = await c.facts();
        const result = await runAction({ image: pushed.get(c.name)!, 'local-image': c.local, 'base-image': 'none', deep: String(mode === 'deep') });
        const where = `${c.name} (${mode}): ${result.stdout.split('\n').filter((l) => /error|mismatch|does not/i.test(l)).join(' | ').slice(0, 600)}`;
        if (result.code !== 0 || result.outputs.verified !== 'true') {
          failures.push(where);
          return;
        }
        assert.equal(result.outputs['config-digest'], facts.configDigest, `${c.name}: config digest`);
        assert.equal(result.outputs.layers, String(facts.layers), `${c.name}: layers`);
        const platforms = JSON.parse(result.outputs.platforms ?? '[]') as { platform: string }[];
        assert.deepEqual(platforms.map((p) => p.platform), [c.platform], `${c.name}: platform`);
        if (c.sameManifest) assert.equal(result.outputs.digest, facts.manifestDigest, `${c.name}: served byte for byte`);
        const rules = reportOf(result).checks.map((check) => check.rule);
        for (const rule of ['layer-count', 'platform', 'diff-ids', 'image-id', 'local-blobs']) assert.ok(rules.includes(rule), `${c.name}: ${rule} was checked`);
        if (mode === 'deep') {
          assert.equal(result.outputs['deep-verified'], 'true', `${c.name}: deep-verified`);
          assert.ok(Number(result.outputs['bytes-verified']) > 0, `${c.name}: bytes-verified`);
          if (c.wasted !== undefined) assert.equal(result.outputs['wasted-bytes'], String(c.wasted), `${c.name}: wasted bytes`);
        } else {
          assert.equal(result.outputs['deep-verified'], 'false');
        }
      });
      assert.deepEqual(failures, [], 'corpus images that did not verify');
    });
  }

  it('regclient testrepo v1 (2 platforms and attestations) verifies against its layout, plain and deep', async () => {
    const layout = file('regclient-testrepo');
    const facts = await ociLayoutFacts(layout, 'v1');
    for (const deep of ['false', 'true']) {
      const result = await runAction({ image: `${registry.host}/corpus/testrepo:v1`, 'local-image': `oci-layout:${layout}:v1`, 'base-image': 'none', deep });
      assert.equal(result.code, 0, result.stdout);
      assert.equal(result.outputs.verified, 'true');
      assert.equal(result.outputs.digest, facts.manifestDigest, 'the index is served byte for byte');
      assert.equal(result.outputs['index-digest'], facts.manifestDigest);
      const platforms = JSON.parse(result.outputs.platforms ?? '[]') as { platform: string; verified: boolean }[];
      assert.deepEqual(platforms.map((p) => [p.platform, p.verified]), [['linux/amd64', true], ['linux/arm64', true]]);
      assert.equal(result.outputs['deep-verified'], deep);
      const report = reportOf(result);
      assert.ok(report.checks.some((c) => c.rule === 'index-digest' && c.ok));
    }
  });

  it('a regclient artifact (not a container image) is refused with the reason', async () => {
    const layout = file('regclient-testrepo');
    for (const tag of ['child', 'a-docker']) {
      const result = await runAction({ image: `${registry.host}/corpus/testrepo:v1`, 'local-image': `oci-layout:${layout}:${tag}`, 'base-image': 'none' });
      assert.equal(result.code, 1);
      assert.equal(result.outputs.verified, 'false');
      assert.match(reportOf(result).error ?? '', /config sha256:[0-9a-f]{64} has no rootfs\.diff_ids: it is not a container image config/);
    }
  });

  describe('platforms-expected on real indexes (regclient testrepo)', () => {
    const four = 'linux/amd64,linux/arm64,linux/arm/v7,linux/arm/v6';
    const gate = (outputs: Record<string, string>) => (JSON.parse(outputs.mismatches ?? '[]') as Check[]).filter((c) => c.rule === 'platforms');

    it('b1 serves its four platforms: exactly those pass; two of them fail naming the extra ones', async () => {
      const image = `${registry.host}/corpus/testrepo:b1`;
      const pass = await runAction({ image, 'local-image': 'none', 'base-image': 'none', 'platforms-expected': four });
      assert.equal(pass.code, 0, pass.stdout);
      assert.equal(pass.outputs.verified, 'true');
      const check = reportOf(pass).checks.find((c) => c.rule === 'platforms');
      assert.match(check?.message ?? '', /the index serves exactly the expected platforms linux\/amd64, linux\/arm64, linux\/arm\/v7, linux\/arm\/v6, once each/);

      const fail = await runAction({ image, 'local-image': 'none', 'base-image': 'none', 'platforms-expected': 'linux/amd64,linux/arm64,linux/s390x' });
      assert.equal(fail.code, 1, fail.stdout);
      assert.equal(fail.outputs.verified, 'false');
      assert.deepEqual(failedRules(fail.outputs), ['platforms']);
      assert.match(gate(fail.outputs)[0]?.message ?? '', /serves linux\/amd64, linux\/arm64, linux\/arm\/v7, linux\/arm\/v6: missing linux\/s390x; extra linux\/arm\/v7, linux\/arm\/v6$/);
      assert.match(fail.stdout, /does not match the local build: platforms: platforms-expected linux\/amd64, linux\/arm64, linux\/s390x/);
    });

    it('v1 against its layout (a multi-platform run): its attestations are not platforms', async () => {
      const image = `${registry.host}/corpus/testrepo:v1`;
      const local = `oci-layout:${file('regclient-testrepo')}:v1`;
      const pass = await runAction({ image, 'local-image': local, 'base-image': 'none', 'platforms-expected': 'linux/arm64,linux/amd64' });
      assert.equal(pass.code, 0, pass.stdout);
      assert.ok(reportOf(pass).checks.some((c) => c.rule === 'platforms' && c.ok && /exactly the expected platforms/.test(c.message)));
      const fail = await runAction({ image, 'local-image': local, 'base-image': 'none', 'platforms-expected': four });
      assert.equal(fail.code, 1, fail.stdout);
      assert.deepEqual(failedRules(fail.outputs), ['platforms']);
      assert.match(gate(fail.outputs)[0]?.message ?? '', /missing linux\/arm\/v7, linux\/arm\/v6$/);
    });

    it('an index listing a platform twice fails as duplicate, from the CLI too', async () => {
      // b1's own index with its amd64 entry repeated, pushed through the registry API.
      const layout = file('regclient-testrepo');
      const b1 = await ociLayoutFacts(layout, 'b1');
      const body = JSON.parse((await readFile(join(layout, 'blobs', 'sha256', b1.manifestDigest!.slice(7)))).toString()) as { manifests: { platform?: { architecture: string } }[] };
      const amd64 = body.manifests.find((m) => m.platform?.architecture === 'amd64');
      assert.ok(amd64);
      body.manifests.push(amd64);
      await pushManifest(registry.host, 'corpus/testrepo', 'dup', body, 'application/vnd.oci.image.index.v1+json');
      // COLUMNS: each check on one line, as the assertion reads it (the width itself is tested in verify.test.ts).
      const cli = await runCli([`${registry.host}/corpus/testrepo:dup`, '--local', 'none', '--base', 'none', '--quiet', '--platforms-expected', four], { COLUMNS: '400' });
      assert.equal(cli.code, 1, cli.stderr);
      assert.match(cli.stdout, /✗ platforms: platforms-expected .*: duplicate linux\/amd64 \(2 entries\)/);
    });

    it('a single image (not an index) serves its config platform', async () => {
      const image = pushed.get('dive-oci-gzip')!;
      const local = `oci-archive:${file('dive-oci-gzip.tar')}`;
      const pass = await runAction({ image, 'local-image': local, 'base-image': 'none', 'platforms-expected': 'linux/arm64' });
      assert.equal(pass.code, 0, pass.stdout);
      const fail = await runAction({ image, 'local-image': local, 'base-image': 'none', 'platforms-expected': 'linux/amd64,linux/arm64' });
      assert.equal(fail.code, 1, fail.stdout);
      assert.match(gate(fail.outputs)[0]?.message ?? '', /the single image .* serves linux\/arm64: missing linux\/amd64$/);
    });
  });

  describe('the efficiency gate on the dive image', () => {
    // dive's own figures for .data/test-docker-image.tar (its runtime/export test): 32025 wasted bytes,
    // efficiency score 0.9844212134184309.
    const DIVE_EFFICIENCY = '0.9844212134184309';
    const run = (inputs: Record<string, string>) =>
      runAction({ image: pushed.get('dive-docker')!, 'local-image': `docker-archive:${file('dive-docker.tar')}`, 'base-image': 'none', deep: 'true', ...inputs });
    const efficiencyCheck = (r: { report?: unknown }) => reportOf(r).checks.find((c) => c.rule === 'efficiency');

    it("agrees with dive's figures, and passes at its limits", async () => {
      const result = await run({ 'max-wasted-bytes': '32025', 'min-efficiency': '0.98' });
      assert.equal(result.code, 0, result.stdout);
      assert.equal(result.outputs.efficiency, DIVE_EFFICIENCY);
      assert.equal(result.outputs['wasted-bytes'], '32025');
      assert.match(efficiencyCheck(result)?.message ?? '', /^wasted 32025 bytes \(\d+\.\d\d % of \d+ bytes uncompressed\), efficiency 98\.44 %: within the limits$/);
    });

    it('fails rule efficiency one byte over, naming the worst offenders and their layers', async () => {
      const result = await run({ 'max-wasted-bytes': '32024' });
      assert.equal(result.code, 1, result.stdout);
      assert.deepEqual(failedRules(result.outputs), ['efficiency']);
      const message = efficiencyCheck(result)?.message ?? '';
      // somefile1.txt: copied in layer 4, chmod-ed (a new copy) in 5, deleted with its directory in 10.
      assert.match(message, /more than max-wasted-bytes 32024; worst: "root\/example\/somefile1\.txt" 12810 bytes, shipped in layer 4, overwritten by layer 5, and in layer 5, deleted by layer 10; /);
      assert.match(message, /"root\/example\/somefile3\.txt" 6405 bytes, shipped in layer 7, deleted by layer 8/);
      assert.match(message, /"root\/saved\.txt" 6405 bytes, shipped in layer 8, overwritten by layer 14/);
      assert.match(result.stdout, /does not match the local build: efficiency: wasted 32025 bytes/);
    });

    it('min-efficiency and max-wasted-percent with its floor', async () => {
      const low = await run({ 'min-efficiency': '0.99' });
      assert.equal(low.code, 1, low.stdout);
      assert.match(efficiencyCheck(low)?.message ?? '', /below min-efficiency 0\.99/);
      const floored = await run({ 'max-wasted-percent': '0.1', 'min-wasted-bytes': '40KB' });
      assert.equal(floored.code, 0, floored.stdout);
      assert.match(efficiencyCheck(floored)?.message ?? '', /the percentage limit does not apply under min-wasted-bytes 40000$/);
      const cli = await runCli([pushed.get('dive-docker')!, '--local', `docker-archive:${file('dive-docker.tar')}`, '--base', 'none', '--quiet', '--deep', '--max-wasted-percent', '0.1', '--min-wasted-bytes', '30KB'], {
        COLUMNS: '400',
      });
      assert.equal(cli.code, 1, cli.stderr);
      assert.match(cli.stdout, /✗ efficiency: wasted 32025 bytes .*more than max-wasted-percent 0\.1 % \(applied from min-wasted-bytes 30000\)/);
    });

    it('without deep it is a one-line input error', async () => {
      const result = await run({ deep: 'false', 'max-wasted-bytes': '10MB' });
      assert.equal(result.code, 1);
      assert.match(result.stdout, /^::error::max-wasted-bytes needs deep: true \(wasted bytes and efficiency are counted from every layer's files\): add deep: true$/m);
      const cli = await runCli([pushed.get('dive-docker')!, '--local', 'none', '--min-efficiency', '0.9']);
      assert.equal(cli.code, 2);
      assert.equal(cli.stderr, "verify-image: --min-efficiency needs --deep (wasted bytes and efficiency are counted from every layer's files): add --deep\n");
    });
  });

  describe('negative pairs: a different build is a mismatch naming the rule', () => {
    const pairs = [
      { what: 'alpine 3.10 against the push of 3.11', image: 'trivy-alpine-311', local: () => `docker-archive:${file('trivy-alpine-310.tar.gz')}`, facts: () => archiveFacts(file('trivy-alpine-310.tar.gz')), other: () => archiveFacts(file('trivy-alpine-311.tar.gz')) },
      { what: 'dive built by kaniko against the docker build of the same Dockerfile', image: 'dive-docker', local: () => `docker-archive:${file('dive-kaniko.tar')}`, facts: () => archiveFacts(file('dive-kaniko.tar')), other: () => archiveFacts(file('dive-docker.tar')) },
      { what: 'ggcr whiteout image against the overwritten one', image: 'ggcr-overwritten', local: () => `docker-archive:${file('ggcr-whiteout_image.tar')}`, facts: () => archiveFacts(file('ggcr-whiteout_image.tar')), other: () => archiveFacts(file('ggcr-overwritten_file.tar')) },
    ];
    for (const pair of pairs) {
      it(pair.what, async () => {
        const [local, served] = [await pair.facts(), await pair.other()];
        const first = local.diffIds.findIndex((d, i) => d !== served.diffIds[i]) + 1;
        assert.ok(first > 0, 'the corpus pair differs');
        const result = await runAction({ image: pushed.get(pair.image)!, 'local-image': pair.local(), 'base-image': 'none' });
        assert.equal(result.code, 1, result.stdout);
        assert.equal(result.outputs.verified, 'false');
        assert.deepEqual(failedRules(result.outputs), ['diff-ids', 'image-id']);
        const diff = (JSON.parse(result.outputs.mismatches!) as Check[]).find((c) => c.rule === 'diff-ids')!;
        assert.equal(diff.layer, first, 'the first differing layer, as the two configs say');
        assert.match(result.stdout, /does not match the local build: diff-ids: /);
      });
    }

    it('regclient testrepo v1 against the push of v2', async () => {
      const result = await runAction({ image: `${registry.host}/corpus/testrepo:v2`, 'local-image': `oci-layout:${file('regclient-testrepo')}:v1`, 'base-image': 'none' });
      assert.equal(result.code, 1, result.stdout);
      assert.equal(result.outputs.verified, 'false');
      const rules = failedRules(result.outputs);
      // v2 serves linux/arm/v7, which v1 never had, and its amd64 and arm64 images have a third layer.
      for (const rule of ['platforms', 'diff-ids', 'image-id', 'index-digest']) assert.ok(rules.includes(rule), `${rule} in ${rules.join(', ')}`);
      const platforms = JSON.parse(result.outputs.platforms ?? '[]') as { platform: string; presence: string; verified: boolean }[];
      assert.deepEqual(platforms.map((p) => [p.platform, p.presence, p.verified]), [
        ['linux/amd64', 'both', false],
        ['linux/arm64', 'both', false],
        ['linux/arm/v7', 'registry', false],
      ]);
    });
  });
});

/** Runs the bundled action a few at a time: each run mostly waits on its registry and process start. */
const POOL = 3;

async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

async function gunzipFile(path: string): Promise<Buffer> {
  return gunzipSync(await readFile(path));
}
