// Attacks, end to end: what an attacker with push access to a registry (or control of the
// registry itself) can serve, against the bundled action run exactly as the runner runs it. Each
// attack ends without a pass — `verified=false` with the named rule, or one clean error line —
// and no secret, workflow command or markup from the registry reaches any output. For the
// key-case and variant attacks the real Docker daemon pulls the same tag too, which proves the
// document really makes Docker run another image than the one our reader would have checked.
// Documents Go accepts are pushed straight into the real distribution registry (it stores the
// bytes as given); the hostile server in front of it serves what distribution would refuse, and
// lies in headers.

import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { runAction, type ActionRun } from '../helpers/action.js';
import { buildImage, busyboxBase, docker, imageId, pushImage, removeImage, requireDaemon, tagImage, uniqueName } from '../helpers/docker.js';
import { putRawManifest, startHostileRegistry, withExtraMembers, type HostileRegistry } from '../helpers/hostile-registry.js';
import { getBlob, getServedManifest, makeTar, pushManifest, sha256, uploadBlob, type ServedManifest } from '../helpers/registry-api.js';
import { dockerLogin, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startTokenServer, type TokenServer } from '../helpers/token-server.js';

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const ATTACK_TIMEOUT_MS = 120_000;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Record<string, string>;
}
interface ManifestDoc {
  schemaVersion: number;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

const cleanups: Array<() => Promise<void>> = [];
const mismatchRules = (run: ActionRun): string[] => (JSON.parse(run.outputs.mismatches || '[]') as { rule: string }[]).map((m) => m.rule);
const errorLines = (run: ActionRun): string[] => run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
const everything = (run: ActionRun): string =>
  [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs), JSON.stringify(run.report ?? null)].join('\n');
/** What a reader of the log sees: the runner consumes ::add-mask:: lines and never shows them. */
const visible = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

/** Never a pass: the outputs say so, whatever else happened. */
function assertNoPass(run: ActionRun): void {
  assert.notEqual(run.outputs.verified, 'true', `verified=true on an attack; stdout:\n${run.stdout}`);
  assert.notEqual(run.outputs['deep-verified'], 'true', `deep-verified=true on an attack; stdout:\n${run.stdout}`);
}

function assertNoStackTrace(run: ActionRun): void {
  assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+[(:]\d+/, `a stack trace in the output:\n${run.stdout}\n${run.stderr}`);
}

/** `verified=false`, a failed step, and `rule` among the failed rules. */
function assertRuleFails(run: ActionRun, rule: string): void {
  assertNoPass(run);
  assertNoStackTrace(run);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.equal(run.outputs.verified, 'false', run.stdout);
  assert.ok(mismatchRules(run).includes(rule), `expected the ${rule} rule to fail; mismatches ${run.outputs.mismatches}; stdout:\n${run.stdout}`);
}

/** A refusal: exit 1, `verified=false`, exactly one error line matching `pattern`, no stack trace. */
function assertRefused(run: ActionRun, pattern: RegExp): void {
  assertNoPass(run);
  assertNoStackTrace(run);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.equal(run.outputs.verified, 'false', run.stdout);
  const errors = errorLines(run);
  assert.equal(errors.length, 1, `one error line, got:\n${errors.join('\n')}\nstdout:\n${run.stdout}`);
  assert.match(errors[0] ?? '', pattern);
}

/**
 * No workflow command from the registry: every line that starts with `::` is one the action
 * emits itself (error, warning, notice, debug, group, endgroup; add-mask only for `secrets`), and
 * no line starts with an injected command. The runner reads commands from stdout and stderr.
 */
function assertNoInjectedCommands(run: ActionRun, secrets: string[] = []): void {
  for (const line of `${run.stdout}\n${run.stderr}`.split(/\r?\n/)) {
    if (!line.startsWith('::')) continue;
    assert.doesNotMatch(line, /^::(error::pwned|add-mask::x|stop-commands::t)/, `an injected workflow command: ${line}`);
    const command = /^::([a-z-]+)(?: [^:]*)?::/.exec(line)?.[1];
    assert.ok(command && ['error', 'warning', 'notice', 'debug', 'group', 'endgroup', 'add-mask'].includes(command), `an unexpected workflow command: ${line}`);
    if (command === 'add-mask') assert.ok(secrets.includes(line.slice('::add-mask::'.length)), `an add-mask of something that is not a secret: ${line}`);
  }
}

/** Every form a secret can leak in: raw, URL-encoded (both ways), base64 and base64url, alone and as user:secret. */
function secretForms(user: string, secret: string): string[] {
  const pair = `${user}:${secret}`;
  return [
    secret,
    pair,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
    Buffer.from(pair).toString('base64'),
    Buffer.from(pair).toString('base64url'),
    encodeURIComponent(pair),
  ];
}

function assertNoSecret(run: ActionRun, user: string, secret: string): void {
  const text = visible(everything(run));
  for (const form of secretForms(user, secret)) assert.ok(!text.includes(form), `the secret leaks as ${JSON.stringify(form)}:\n${text}`);
}

/** Pulls `ref` with the real daemon and returns the image it got; the tag is removed again. */
async function dockerPull(ref: string): Promise<{ id: string; layers: string[] }> {
  await docker(['pull', ref]);
  try {
    const id = await imageId(ref);
    const layers = JSON.parse(await docker(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', ref])) as string[];
    return { id, layers };
  } finally {
    await removeImage(ref);
  }
}

const entry = (served: ServedManifest, platform: Record<string, string> = { os: 'linux', architecture: 'amd64' }): Descriptor => ({
  mediaType: served.mediaType,
  digest: served.digest,
  size: served.size,
  platform,
});
const list = (manifests: Descriptor[]) => ({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests });

describe('attacks from a hostile registry', () => {
  let registry: TestRegistry;
  let hostile: HostileRegistry;
  let scratch: string;
  let repo: string;
  let legitRef: string;
  let legitId: string;
  let otherId: string;
  let legit: ServedManifest;
  let other: ServedManifest;
  let legitDoc: ManifestDoc;
  let otherDoc: ManifestDoc;
  let otherLayers: string[];

  const tagRef = (tag: string, host = registry.host) => `${host}/${repo}:${tag}`;

  before(async () => {
    await requireDaemon();
    scratch = await mkdtemp(join(tmpdir(), 'verify-image-attacks-'));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    hostile = await startHostileRegistry(`http://${registry.host}`);
    cleanups.push(() => hostile.stop());
    const base = `${uniqueName('vi-attack-base')}:1`;
    await busyboxBase(base);
    cleanups.push(() => removeImage(base));
    repo = uniqueName('attack/app');
    // The local build (legit) and the image an attacker wants run instead (other): same base,
    // one file different.
    legitRef = tagRef('legit');
    const otherRef = tagRef('other');
    legitId = await buildImage(legitRef, `FROM ${base}\nRUN echo legit > /which\n`);
    otherId = await buildImage(otherRef, `FROM ${base}\nRUN echo other > /which\n`);
    cleanups.push(() => removeImage(legitRef, otherRef));
    await pushImage(legitRef);
    await pushImage(otherRef);
    legit = await getServedManifest(registry.host, repo, 'legit');
    other = await getServedManifest(registry.host, repo, 'other');
    assert.equal(legit.mediaType, DOCKER_MANIFEST);
    legitDoc = JSON.parse(legit.bytes.toString('utf8')) as ManifestDoc;
    otherDoc = JSON.parse(other.bytes.toString('utf8')) as ManifestDoc;
    otherLayers = JSON.parse(await docker(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', otherRef])) as string[];
    assert.notEqual(legitId, otherId);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  /** Puts crafted bytes under `tag` in the real registry, which must accept them. */
  const craft = async (tag: string, bytes: string, mediaType: string): Promise<string> => {
    const put = await putRawManifest(registry.host, repo, tag, bytes, mediaType);
    assert.equal(put.status, 201, `distribution refused the crafted ${tag}: ${put.status} ${put.text}`);
    return put.digest;
  };

  /** Docker pulls `tag` and gets the other image, not the local build. */
  const assertDockerPullsOther = async (tag: string): Promise<void> => {
    const pulled = await dockerPull(tagRef(tag));
    assert.equal(pulled.id, otherId, `docker pull ${tag} got ${pulled.id}; the other image is ${otherId}, the local build ${legitId}`);
    assert.deepEqual(pulled.layers, otherLayers);
  };

  describe('keys in another case (Go reads them, JSON.parse does not)', () => {
    // Where the legit platform manifest is still what our reader picks, the digest input (the
    // build's platform manifest digest) matches too: it does not stop these attacks.
    it('control: the legit manifest, re-serialised and pushed the same way, verifies; docker pulls the local build', async () => {
      await craft('keycase-control', JSON.stringify(legitDoc), DOCKER_MANIFEST);
      const run = await runAction({ image: tagRef('keycase-control'), 'local-image': legitRef });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.verified, 'true');
      const pulled = await dockerPull(tagRef('keycase-control'));
      assert.equal(pulled.id, legitId);
    });

    it('refuses a manifest with config/layers followed by Config/Layers naming another image', async () => {
      const bytes = withExtraMembers(legitDoc, [
        ['Config', otherDoc.config],
        ['Layers', otherDoc.layers],
      ]);
      await craft('keycase-manifest', bytes, DOCKER_MANIFEST);
      await assertDockerPullsOther('keycase-manifest');
      const run = await runAction({ image: tagRef('keycase-manifest'), 'local-image': legitRef });
      assertRefused(run, /"config".*"Config"|"Config".*"config"|"layers".*"Layers"|"Layers".*"layers"/);
    });

    it('refuses an index with manifests followed by Manifests naming another image', async () => {
      const bytes = withExtraMembers(list([entry(legit)]), [['Manifests', [entry(other)]]]);
      await craft('keycase-index', bytes, DOCKER_LIST);
      await assertDockerPullsOther('keycase-index');
      const run = await runAction({ image: tagRef('keycase-index'), 'local-image': legitRef, digest: legit.digest });
      assertRefused(run, /"manifests".*"Manifests"|"Manifests".*"manifests"/);
    });

    it('refuses an index entry with digest followed by Digest naming another image', async () => {
      const crafted = withExtraMembers(entry(legit), [
        ['Digest', other.digest],
        ['Size', other.size],
      ]);
      const bytes = `{"schemaVersion":2,"mediaType":${JSON.stringify(DOCKER_LIST)},"manifests":[${crafted}]}`;
      await craft('keycase-entry', bytes, DOCKER_LIST);
      await assertDockerPullsOther('keycase-entry');
      const run = await runAction({ image: tagRef('keycase-entry'), 'local-image': legitRef, digest: legit.digest });
      assertRefused(run, /"digest".*"Digest"|"Digest".*"digest"/);
    });

    it('refuses a known field spelled in another case alone (Layers without layers)', async () => {
      const { layers, ...rest } = legitDoc;
      const bytes = withExtraMembers(rest, [['Layers', layers]]);
      await craft('keycase-alone', bytes, DOCKER_MANIFEST);
      const run = await runAction({ image: tagRef('keycase-alone'), 'local-image': legitRef });
      assertRefused(run, /"Layers"/);
    });

    it('refuses a manifest with a duplicate key', async () => {
      const bytes = withExtraMembers(legitDoc, [['layers', otherDoc.layers]]);
      assert.equal(bytes.match(/"layers":/g)?.length, 2);
      await craft('duplicate-key', bytes, DOCKER_MANIFEST);
      const run = await runAction({ image: tagRef('duplicate-key'), 'local-image': legitRef });
      assertRefused(run, /"layers"/);
      assert.match(errorLines(run)[0] ?? '', /duplicate|twice|ambiguous/i);
    });
  });

  describe('platform selection as containerd does it', () => {
    it('control: a plain linux/amd64 index verifies', async () => {
      const indexDigest = await craft('variant-control', JSON.stringify(list([entry(legit)])), DOCKER_LIST);
      const run = await runAction({ image: tagRef('variant-control'), 'local-image': legitRef, digest: indexDigest });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.verified, 'true');
      assert.equal(run.outputs.digest, legit.digest);
    });

    it('verifies what docker pulls from [linux/amd64/v2 → legit, linux/amd64 → other]: the other image, a mismatch', async () => {
      const bytes = JSON.stringify(list([entry(legit, { os: 'linux', architecture: 'amd64', variant: 'v2' }), entry(other)]));
      await craft('variant-trick', bytes, DOCKER_LIST);
      await assertDockerPullsOther('variant-trick');
      const run = await runAction({ image: tagRef('variant-trick'), 'local-image': legitRef, digest: legit.digest });
      assertRuleFails(run, 'diff-ids');
      assert.equal(run.outputs.digest, other.digest, 'the entry docker pulls is the one verified');
    });

    it('verifies [linux/amd64/v2 → other, linux/amd64 → legit] as docker pulls it: the local build', async () => {
      const bytes = JSON.stringify(list([entry(other, { os: 'linux', architecture: 'amd64', variant: 'v2' }), entry(legit)]));
      await craft('variant-mirror', bytes, DOCKER_LIST);
      const pulled = await dockerPull(tagRef('variant-mirror'));
      assert.equal(pulled.id, legitId, 'docker pulls the plain linux/amd64 entry');
      const run = await runAction({ image: tagRef('variant-mirror'), 'local-image': legitRef });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.verified, 'true');
      assert.equal(run.outputs.digest, legit.digest);
    });

    it('fails the platform rule when an entry says linux/arm64 and its config says amd64', async () => {
      await craft('entry-arm64', JSON.stringify(list([entry(legit, { os: 'linux', architecture: 'arm64' })])), DOCKER_LIST);
      const run = await runAction({ image: tagRef('entry-arm64'), 'local-image': 'none', platform: 'linux/arm64' });
      assertRuleFails(run, 'platform');
    });

    it('fails the platform rule when an entry says linux/amd64 and its config says arm64', async () => {
      const config = JSON.parse((await getBlob(registry.host, repo, legitDoc.config.digest)).toString('utf8')) as Record<string, unknown>;
      const armConfig = await uploadBlob(registry.host, repo, Buffer.from(JSON.stringify({ ...config, architecture: 'arm64' })));
      const manifest = JSON.stringify({ ...legitDoc, config: { ...legitDoc.config, ...armConfig } });
      await craft('config-arm64', manifest, DOCKER_MANIFEST);
      const served = await getServedManifest(registry.host, repo, 'config-arm64');
      await craft('entry-amd64', JSON.stringify(list([entry(served)])), DOCKER_LIST);
      const run = await runAction({ image: tagRef('entry-amd64'), 'local-image': 'none' });
      assertRuleFails(run, 'platform');
    });

    // An image whose config really is arm64 (same layers as legit), for indexes with two platforms.
    const armImage = async (): Promise<ServedManifest> => {
      const config = JSON.parse((await getBlob(registry.host, repo, legitDoc.config.digest)).toString('utf8')) as Record<string, unknown>;
      const armConfig = await uploadBlob(registry.host, repo, Buffer.from(JSON.stringify({ ...config, architecture: 'arm64' })));
      await craft('really-arm64', JSON.stringify({ ...legitDoc, config: { ...legitDoc.config, ...armConfig } }), DOCKER_MANIFEST);
      return getServedManifest(registry.host, repo, 'really-arm64');
    };
    const ARM64 = { os: 'linux', architecture: 'arm64' };

    it('fails when a nested index for linux/amd64 comes before the verified entry, with a platform list too', async () => {
      const arm = await armImage();
      await craft('nested-control', JSON.stringify(list([entry(legit), entry(arm, ARM64)])), DOCKER_LIST);
      const control = await runAction({ image: tagRef('nested-control'), 'local-image': 'none', platform: 'linux/amd64,linux/arm64' });
      assert.equal(control.code, 0, control.stdout + control.stderr);
      assert.equal(control.outputs.verified, 'true');
      const innerBytes = JSON.stringify(list([entry(other)]));
      const inner = await craft('nested-inner', innerBytes, DOCKER_LIST);
      const nested: Descriptor = { mediaType: DOCKER_LIST, digest: inner, size: Buffer.byteLength(innerBytes), platform: { os: 'linux', architecture: 'amd64' } };
      await craft('nested-first', JSON.stringify(list([nested, entry(legit), entry(arm, ARM64)])), DOCKER_LIST);
      for (const platform of ['linux/amd64,linux/arm64', 'all']) {
        const run = await runAction({ image: tagRef('nested-first'), 'local-image': 'none', platform });
        assertRuleFails(run, 'platforms');
        assert.match(run.outputs.mismatches ?? '', /listed before the verified/, `platform ${platform}: ${run.outputs.mismatches}`);
      }
    });

    it('fails a listed platform verified through its fallback when a runtime pulls a nested index for it', async () => {
      // linux/amd64 falls back to linux/386 among the images; an amd64 host prefers the nested index.
      const config = JSON.parse((await getBlob(registry.host, repo, legitDoc.config.digest)).toString('utf8')) as Record<string, unknown>;
      const i386Config = await uploadBlob(registry.host, repo, Buffer.from(JSON.stringify({ ...config, architecture: '386' })));
      await craft('really-386', JSON.stringify({ ...legitDoc, config: { ...legitDoc.config, ...i386Config } }), DOCKER_MANIFEST);
      const i386 = await getServedManifest(registry.host, repo, 'really-386');
      const I386 = { os: 'linux', architecture: '386' };
      await craft('fallback-control', JSON.stringify(list([entry(i386, I386)])), DOCKER_LIST);
      const control = await runAction({ image: tagRef('fallback-control'), 'local-image': 'none', platform: 'linux/amd64,linux/386' });
      assert.equal(control.code, 0, control.stdout + control.stderr);
      assert.equal(control.outputs.verified, 'true', 'an amd64 host with only a 386 entry pulls it: the fallback is what runs');
      const innerBytes = JSON.stringify(list([entry(other)]));
      const inner = await craft('fallback-inner', innerBytes, DOCKER_LIST);
      const nested: Descriptor = { mediaType: DOCKER_LIST, digest: inner, size: Buffer.byteLength(innerBytes), platform: { os: 'linux', architecture: 'amd64' } };
      await craft('fallback-nested', JSON.stringify(list([nested, entry(i386, I386)])), DOCKER_LIST);
      const run = await runAction({ image: tagRef('fallback-nested'), 'local-image': 'none', platform: 'linux/amd64,linux/386' });
      assertRuleFails(run, 'platforms');
      assert.match(run.outputs.mismatches ?? '', /a runtime pulling linux\/amd64 .* takes sha256:[0-9a-f]{64} \(application\/vnd\.docker\.distribution\.manifest\.list\.v2\+json\), listed before the verified/);
    });

    it('fails a tag that serves no platform image: nothing a runtime would run was checked', async () => {
      const artifact = { mediaType: 'application/vnd.example.artifact.v1+json', digest: legit.digest, size: legit.size };
      await craft('no-images', JSON.stringify(list([artifact as Descriptor])), DOCKER_LIST);
      const run = await runAction({ image: tagRef('no-images'), 'local-image': 'none', platform: 'all' });
      assertRuleFails(run, 'platforms');
      assert.match(run.outputs.mismatches ?? '', /serves no platform image that was verified/);
    });

    it('fails an entry with no platform annotated as an attestation: hosts the index does not list fall back to it', async () => {
      const arm = await armImage();
      const disguised: Descriptor = {
        ...entry(other),
        platform: undefined,
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': legit.digest },
      } as Descriptor;
      delete (disguised as { platform?: unknown }).platform;
      await craft('no-platform', JSON.stringify(list([entry(legit), entry(arm, ARM64), disguised])), DOCKER_LIST);
      const run = await runAction({ image: tagRef('no-platform'), 'local-image': 'none', platform: 'all' });
      assertRuleFails(run, 'platforms');
      assert.match(run.outputs.mismatches ?? '', new RegExp(other.digest.slice(7, 19)));
    });

    it('fails a second entry for a platform already verified under platform: all', async () => {
      await craft('duplicate-amd64', JSON.stringify(list([entry(legit), entry(other)])), DOCKER_LIST);
      const run = await runAction({ image: tagRef('duplicate-amd64'), 'local-image': 'none', platform: 'all' });
      assertRuleFails(run, 'platforms');
      assert.match(run.outputs.mismatches ?? '', /was not verified/);
    });
  });

  describe('layer bytes read as Go reads them (deep)', () => {
    /** A one-layer image whose layer blob is `blob` and whose diff_id is sha256(`tar`). */
    const layerImage = async (tag: string, tar: Buffer, blob: Buffer): Promise<void> => {
      const layer = await uploadBlob(registry.host, repo, blob);
      const config = await uploadBlob(
        registry.host,
        repo,
        Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(tar)] }, history: [{ created_by: 'COPY motd /etc/' }] })),
      );
      await pushManifest(
        registry.host,
        repo,
        tag,
        { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, ...config }, layers: [{ mediaType: OCI_LAYER_GZIP, ...layer }] },
        OCI_MANIFEST,
      );
    };
    const motd = makeTar([{ path: 'etc/motd', content: 'hello\n' }]);

    it('control: the same layer without padding deep-verifies', async () => {
      await layerImage('gzip-control', motd, gzipSync(motd));
      const run = await runAction({ image: tagRef('gzip-control'), 'local-image': 'none', deep: 'true' });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs['deep-verified'], 'true');
    });

    it('fails layer-blobs for zeros after the gzip member', async () => {
      await layerImage('gzip-trailing-zeros', motd, Buffer.concat([gzipSync(motd), Buffer.alloc(1024)]));
      const run = await runAction({ image: tagRef('gzip-trailing-zeros'), 'local-image': 'none', deep: 'true' });
      assertRuleFails(run, 'layer-blobs');
    });

    it('proves a layer with 128 MiB of zeros after the tar end marker in seconds', { timeout: ATTACK_TIMEOUT_MS }, async (t) => {
      // The uncompressed stream is the tar plus the zeros: that whole stream is the diff_id
      // (Docker and containerd hash all of it), so the layer is what its config says, and the
      // zeros must be hashed and counted, not parsed.
      const padded = Buffer.concat([motd, Buffer.alloc(128 * 1024 * 1024)]);
      const blob = gzipSync(padded);
      t.diagnostic(`blob ${blob.length} bytes for ${padded.length} uncompressed`);
      await layerImage('tar-trailing-zeros', padded, blob);
      const started = Date.now();
      const run = await runAction({ image: tagRef('tar-trailing-zeros'), 'local-image': 'none', deep: 'true' });
      const seconds = (Date.now() - started) / 1000;
      t.diagnostic(`deep run took ${seconds.toFixed(1)} s`);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs['deep-verified'], 'true');
      assert.ok(seconds < 20, `a deep run over 128 MiB of zeros took ${seconds.toFixed(1)} s`);
    });
  });

  describe('registry text in logs and the summary', () => {
    const INJECTIONS = ['::error::pwned', '\n::add-mask::x', '\n::stop-commands::t\n'];
    const MARKUP = '</td></tr></table><script>alert(1)</script>\n| pwned | cell |\n\n# heading';

    /** A one-layer image of `legit`'s first layer with these platform and history strings. */
    const textImage = async (tag: string, architecture: string, variant: string | undefined, createdBy: string): Promise<ServedManifest> => {
      const config = JSON.parse((await getBlob(registry.host, repo, legitDoc.config.digest)).toString('utf8')) as {
        rootfs: { diff_ids: string[] };
        history: { created_by?: string; empty_layer?: boolean }[];
      };
      const history = config.history.map((h) => (h.empty_layer ? h : { ...h, created_by: `${h.created_by ?? ''} ${createdBy}` }));
      const crafted = await uploadBlob(registry.host, repo, Buffer.from(JSON.stringify({ ...config, architecture, ...(variant ? { variant } : {}), history })));
      await craft(tag, JSON.stringify({ ...legitDoc, config: { ...legitDoc.config, ...crafted } }), DOCKER_MANIFEST);
      return getServedManifest(registry.host, repo, tag);
    };

    it('control: the same image with plain strings verifies and shows its history', async () => {
      await textImage('text-control', 'amd64', undefined, '# plain');
      const run = await runAction({ image: tagRef('text-control'), 'local-image': 'none' });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.verified, 'true');
      assertNoInjectedCommands(run);
    });

    it('keeps workflow commands in history created_by out of the log', async () => {
      await textImage('text-history', 'amd64', undefined, INJECTIONS.join(' '));
      const run = await runAction({ image: tagRef('text-history'), 'local-image': 'none' });
      assertNoStackTrace(run);
      assertNoInjectedCommands(run);
      assert.ok(run.summary.includes('pwned'), 'the history reached the summary (as data)');
    });

    it('keeps workflow commands in architecture and variant out of the log', async () => {
      const served = await textImage('text-platform', `amd64${INJECTIONS[1]}`, `v8${INJECTIONS[0]}${INJECTIONS[2]}`, '# plain');
      // In an index too, whose platforms are listed when none matches the one asked for.
      const injected = { os: 'linux', architecture: `arm64${INJECTIONS[1]}`, variant: `${INJECTIONS[0]}${INJECTIONS[2]}` };
      await craft('text-index', JSON.stringify(list([entry(served, injected), entry(legit)])), DOCKER_LIST);
      const single = await runAction({ image: tagRef('text-platform'), 'local-image': 'none' });
      assertNoStackTrace(single);
      assertNoInjectedCommands(single);
      for (const platform of ['linux/s390x', 'all']) {
        // No s390x entry; with all, the injected entry's platform disagrees with its config's.
        const run = await runAction({ image: tagRef('text-index'), 'local-image': 'none', platform });
        assertNoStackTrace(run);
        assertNoInjectedCommands(run);
        assertNoPass(run);
        assert.equal(run.code, 1, run.stdout + run.stderr);
      }
    });

    it('keeps markup, pipes and newlines in history from breaking the summary', async () => {
      await textImage('text-markup', 'amd64', undefined, MARKUP);
      const run = await runAction({ image: tagRef('text-markup'), 'local-image': 'none' });
      assertNoStackTrace(run);
      assertNoInjectedCommands(run);
      assert.ok(run.summary.includes('alert(1)'), 'the history reached the summary (as data)');
      // Our own tables close into a heading, a paragraph, a list or a collapsible; anything else after one is injected markup.
      assert.doesNotMatch(run.summary, /<script|<\/table><(?!\/details>|details>|h[1-6]>|p>|ul>|table>)|<\/td><\/tr>\s*<\/table>\s*<script/i, run.summary);
      assert.ok(!run.summary.includes('\n| pwned | cell |'), 'a registry string starts a markdown table row');
      assert.ok(!run.summary.includes('\n# heading'), 'a registry string starts a markdown heading');
    });

    it('refuses a digest with markup in an index entry, served by a hostile registry', async () => {
      const evil = 'sha256:<img src=x onerror=alert(1)>|**bold**';
      const bytes = JSON.stringify(list([{ ...entry(legit), digest: evil }]));
      const refused = await putRawManifest(registry.host, repo, 'markup-digest', bytes, DOCKER_LIST);
      assert.notEqual(refused.status, 201, 'distribution refuses it, hence the hostile server');
      hostile.serveManifest(repo, 'markup-digest', bytes, DOCKER_LIST);
      const run = await runAction({ image: tagRef('markup-digest', hostile.host), 'local-image': legitRef });
      assertRefused(run, /digest/);
      assertNoInjectedCommands(run);
      assert.doesNotMatch(run.summary, /<img|\*\*bold\*\*/, run.summary);
    });

    it('refuses a layer digest with markup in a manifest, served by a hostile registry', async () => {
      const evil = 'sha256:0123</code></td><img src=x onerror=alert(1)>';
      const bytes = JSON.stringify({ ...legitDoc, layers: legitDoc.layers.map((l, i) => (i === 0 ? { ...l, digest: evil } : l)) });
      hostile.serveManifest(repo, 'markup-layer', bytes, DOCKER_MANIFEST);
      const run = await runAction({ image: tagRef('markup-layer', hostile.host), 'local-image': legitRef });
      assertRefused(run, /digest/);
      assert.doesNotMatch(run.summary, /<img/, run.summary);
    });

    it('control: the legit manifest served by the hostile registry verifies', async () => {
      hostile.serveManifest(repo, 'hostile-control', legit.bytes, DOCKER_MANIFEST);
      const run = await runAction({ image: tagRef('hostile-control', hostile.host), 'local-image': legitRef, digest: legit.digest });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.verified, 'true');
      assert.ok(hostile.hits.some((h) => h.crafted && h.path.endsWith('/manifests/hostile-control')), 'the crafted answer was served');
    });
  });

  describe('a lying HEAD for the base tag', () => {
    let baseRepo: string;
    let oldBase: string;
    let newBase: string;
    let appRef: string;

    before(async () => {
      baseRepo = uniqueName('attack/base');
      const baseRef = `${registry.host}/${baseRepo}:1`;
      await busyboxBase(baseRef);
      oldBase = await pushImage(baseRef);
      appRef = tagRef('on-old-base');
      await buildImage(appRef, `FROM ${baseRef}\nRUN echo app > /app\n`);
      await pushImage(appRef);
      // The base tag moves on.
      await buildImage(baseRef, `FROM ${baseRef}\nRUN echo v2 > /v2\n`);
      newBase = await pushImage(baseRef);
      cleanups.push(() => removeImage(baseRef, appRef));
      assert.notEqual(oldBase, newBase);
    });

    const inputs = () => ({ image: appRef, 'base-image': `${hostile.host}/${baseRepo}:1@${oldBase}` });

    it('control: an honest HEAD shows the drift', async () => {
      hostile.reset();
      const run = await runAction(inputs());
      assert.equal(run.outputs.verified, 'true', run.stdout + run.stderr);
      assert.equal(run.outputs['base-drift'], 'true', run.stdout);
      assert.equal(run.outputs['base-current-digest'], newBase);
    });

    it('does not call the base up to date from a HEAD that names the old digest', async () => {
      hostile.reset();
      hostile.lieOnHead(baseRepo, '1', oldBase);
      const run = await runAction(inputs());
      assertNoStackTrace(run);
      // Asking no HEAD at all is a defence too; asking the tag is not optional.
      assert.ok(
        hostile.hits.some((h) => h.path === `/v2/${baseRepo}/manifests/1`),
        `the base tag was looked up: ${JSON.stringify(hostile.hits.map((h) => `${h.method} ${h.path}`))}`,
      );
      assert.equal(run.outputs['base-drift'], 'true', `drift from the header alone: ${run.stdout}`);
      assert.equal(run.outputs['base-current-digest'], newBase);
    });
  });

  describe('secrets against a hostile credential helper and token servers', () => {
    const USER = 'ci-bot';
    const SECRET = `leak/${Math.random().toString(36).slice(2)}+=&?x y`;
    const noConfig = () => ({ DOCKER_CONFIG: join(scratch, 'no-docker-config') });

    /** `docker login` to `host` as USER with SECRET, and the legit image pushed there as :legit. */
    const pushLegitTo = async (host: string): Promise<string> => {
      const login = await dockerLogin(host, USER, SECRET);
      cleanups.push(() => rm(login, { recursive: true, force: true }));
      const ref = `${host}/${repo}:legit`;
      await tagImage(legitRef, ref);
      cleanups.push(() => removeImage(ref));
      await pushImage(ref, { env: { DOCKER_CONFIG: login } });
      return ref;
    };

    describe('a credential helper that fails but prints its secret', () => {
      let secure: TestRegistry;
      let secureRef: string;
      let bin: string;
      let config: string;

      before(async () => {
        // The registry's password is the helper's secret: were the failed helper's stdout used
        // anyway, the run would verify, which the test would catch as well as any leak.
        secure = await startRegistry({ htpasswd: { username: USER, password: SECRET } });
        cleanups.push(() => secure.stop());
        secureRef = await pushLegitTo(secure.host);
        bin = join(scratch, 'helper-bin');
        await mkdir(bin, { recursive: true });
        // honest: the helper protocol done right. leaky: exit 1, its JSON on stdout anyway, the token on stderr.
        for (const [name, tail] of [
          ['honest', 'exit 0'],
          ['leaky', `printf 'leaky: keychain locked; last token %s for %s\\n' '${SECRET}' '${USER}' >&2\nexit 1`],
        ] as const) {
          const helper = join(bin, `docker-credential-${name}`);
          await writeFile(helper, `#!/bin/sh\nkey=$(cat)\nprintf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$key" '${USER}' '${SECRET}'\n${tail}\n`);
          await chmod(helper, 0o755);
        }
        config = join(scratch, 'helper-config');
        await mkdir(config, { recursive: true });
      });

      const runWithHelper = async (name: string): Promise<ActionRun> => {
        await writeFile(join(config, 'config.json'), JSON.stringify({ credHelpers: { [secure.host]: name } }));
        return runAction({ image: secureRef, 'local-image': legitRef }, { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH ?? ''}` });
      };

      it('control: an honest helper with the same secret verifies, and the secret is only masked', async () => {
        const run = await runWithHelper('honest');
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.equal(run.outputs.verified, 'true');
        assert.ok(run.stdout.includes(`::add-mask::${SECRET}`), 'the secret is masked');
        assertNoSecret(run, USER, SECRET);
        assertNoInjectedCommands(run, secretForms(USER, SECRET));
      });

      it("keeps a leaky credential helper's secret out of every output", async () => {
        const run = await runWithHelper('leaky');
        assertRefused(run, /docker-credential-leaky/);
        assertNoSecret(run, USER, SECRET);
        assertNoInjectedCommands(run, secretForms(USER, SECRET));
      });
    });

    describe('a token server that redirects or echoes', () => {
      let signer: TokenServer;
      let evil: EvilTokenServer;
      let elsewhere: RecordingServer;
      let tokenRegistry: TestRegistry;
      let tokenRef: string;

      before(async () => {
        elsewhere = await startRecordingServer();
        cleanups.push(() => elsewhere.stop());
        // A real registry with token auth whose realm is the evil server; while honest, it
        // passes everything to a real token server (the signer), which knows USER and SECRET.
        signer = await startTokenServer({ users: { [USER]: SECRET }, post: 'oauth' });
        cleanups.push(() => signer.stop());
        evil = await startEvilTokenServer(elsewhere.url, signer.realm);
        cleanups.push(() => evil.stop());
        tokenRegistry = await startRegistry({ token: { ...signer.registryAuth, realm: evil.realm } });
        cleanups.push(() => tokenRegistry.stop());
        evil.mode = 'honest';
        tokenRef = await pushLegitTo(tokenRegistry.host);
      });

      const runWithPassword = () => runAction({ image: tokenRef, 'local-image': legitRef, username: USER, password: SECRET }, noConfig());

      it('control: the same token server, honest, gives a token and the image verifies', async () => {
        evil.mode = 'honest';
        elsewhere.requests.length = 0;
        const run = await runWithPassword();
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.equal(run.outputs.verified, 'true');
        assert.ok(signer.requests.some((r) => r.method === 'POST' && r.user === USER), 'the password grant reached the token server');
        assert.deepEqual(elsewhere.requests, []);
        assertNoSecret(run, USER, SECRET);
      });

      for (const status of [302, 307] as const) {
        it(`never sends the password to the origin a ${status} from the token POST points at`, async () => {
          evil.mode = status;
          elsewhere.requests.length = 0;
          const from = evil.requests.length;
          const run = await runWithPassword();
          assertRefused(run, /./);
          assert.ok(evil.requests.slice(from).some((r) => r.method === 'POST'), `the action posted to the token server: ${run.stdout}`);
          for (const request of elsewhere.requests) {
            const seen = `${request.method} ${request.url}\n${JSON.stringify(request.headers)}\n${request.body}`;
            for (const form of secretForms(USER, SECRET)) assert.ok(!seen.includes(form), `the other origin got the secret as ${form}: ${seen}`);
          }
          assertNoSecret(run, USER, SECRET);
          assertNoInjectedCommands(run, secretForms(USER, SECRET));
        });
      }

      it("keeps a token server's echo of the form and the Authorization header out of every output", async (t) => {
        evil.mode = 'echo';
        const from = evil.requests.length;
        const run = await runWithPassword();
        t.diagnostic(`error line: ${errorLines(run).join(' / ')}`);
        assertRefused(run, /./);
        assert.ok(evil.requests.slice(from).some((r) => r.echoed), `the token server echoed what it got: ${run.stdout}`);
        assertNoSecret(run, USER, SECRET);
        assertNoInjectedCommands(run, secretForms(USER, SECRET));
      });
    });
  });
});

interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: string;
  /** True when the evil token server echoed something it was sent. */
  echoed?: boolean;
}

/** The `user:password` a Basic Authorization header carries, decoded; '' for anything else. */
function basicPair(header: string | undefined): string {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  return m ? Buffer.from(m[1] ?? '', 'base64').toString('utf8') : '';
}

interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Another origin: records everything it receives and answers 404. */
async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const text = JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'nothing here' }] });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface EvilTokenServer {
  realm: string;
  /** honest: pass to the real token server; 302 or 307: redirect everything to the other origin (query kept); echo: quote what was sent. */
  mode: 'honest' | 302 | 307 | 'echo';
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * A token server in front of a real one (`honest`, its token URL): honest, it passes requests
 * through; hostile, it redirects every request (the POST password grant included) to another
 * origin, or answers with an error body that quotes the form, the query and the Authorization
 * header it was sent.
 */
async function startEvilTokenServer(elsewhere: string, honest: string): Promise<EvilTokenServer> {
  const state: EvilTokenServer = { realm: '', mode: 'honest', requests: [], stop: async () => undefined };
  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const record: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      state.requests.push(record);
      const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
      if (state.mode === 'honest') {
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type']) {
          const value = req.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        const answer = await fetch(`${honest}${query}`, { method: req.method, headers, body: req.method === 'POST' ? body : undefined });
        const text = await answer.text();
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      if (state.mode !== 'echo') {
        res.writeHead(state.mode, { location: `${elsewhere}/token${query}`, 'content-length': 0 });
        res.end();
        return;
      }
      record.echoed = true;
      const form = new URLSearchParams(body);
      const text =
        req.method === 'POST'
          ? JSON.stringify({ error: 'invalid_request', error_description: `cannot grant ${body} (password ${form.get('password') ?? ''})` })
          : JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: `bad credentials ${req.headers.authorization ?? ''} (${basicPair(req.headers.authorization)}, ${encodeURIComponent(basicPair(req.headers.authorization))})`, detail: req.url }] });
      res.writeHead(req.method === 'POST' ? 400 : 401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  state.realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  state.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
