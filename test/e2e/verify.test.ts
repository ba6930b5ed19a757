// The foundation, end to end: real images built by the real daemon, pushed to a real registry,
// verified by the bundled action (node dist/index.js) exactly as the runner runs it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { displayWidth } from '../../src/report/layout.js';
import { repoRoot, runAction, runCli } from '../helpers/action.js';
import { buildImage, busyboxBase, docker, pushImage, removeImage, requireDaemon, tagImage, uniqueName } from '../helpers/docker.js';
import { getServedManifest, pushManifest, sha256, uploadBlob } from '../helpers/registry-api.js';
import { dockerLogin, startRegistry, type TestRegistry } from '../helpers/registry.js';

const cleanups: Array<() => Promise<void>> = [];
/** What a reader of the log sees: the runner consumes ::add-mask:: lines and never shows them. */
const visible = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

interface Report {
  images: { status: string; checks: { rule: string; ok: boolean }[]; layers: { status: string }[]; compared: string[] }[];
}

describe('verify a pushed image against the local build', () => {
  let registry: TestRegistry;
  let base: string;
  let appRef: string;
  let appId: string;
  let appDigest: string;
  let repo: string;

  before(async () => {
    await requireDaemon();
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    base = `${uniqueName('vi-base')}:1`;
    await busyboxBase(base);
    cleanups.push(() => removeImage(base));
    repo = uniqueName('acme/app');
    appRef = `${registry.host}/${repo}:1.0`;
    appId = await buildImage(appRef, `FROM ${base}\nRUN echo one > /one\nENV MODE=prod\nRUN echo two > /two\n`);
    cleanups.push(() => removeImage(appRef));
    appDigest = await pushImage(appRef);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('verifies a fresh push: outputs, summary table and report', async () => {
    const run = await runAction({ image: appRef, digest: appDigest });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.verified, 'true');
    assert.equal(run.outputs.digest, appDigest);
    assert.equal(run.outputs['index-digest'], '');
    assert.equal(run.outputs['config-digest'], appId);
    assert.equal(run.outputs.layers, '4');
    assert.equal(run.outputs.mismatches, '[]');
    assert.match(run.summary, /✅ Verified: /);
    assert.ok(run.summary.includes(appRef), 'summary names the image');
    assert.ok(run.summary.includes(appDigest), 'summary shows the manifest digest');
    // One layer table row per layer, each ticked, with the instruction that made it.
    const layerTable = /<summary>✓ linux\/\w+: 4 layers<\/summary>(<table>.*?<\/table>)/.exec(run.summary)?.[1] ?? '';
    // Layer rows, then the totals (labelled in bold).
    const rows = layerTable.split('<tr>').slice(2).filter((row) => !row.includes('<strong>'));
    assert.equal(rows.length, 4);
    assert.match(layerTable, /<strong>Total: 4 layers<\/strong>/);
    assert.ok(rows.every((row) => row.includes('✓')), 'every layer ticked');
    assert.match(rows[2] ?? '', /RUN echo one &gt; \/one/);
    const report = run.report as Report;
    assert.equal(report.images[0]?.status, 'verified');
    assert.deepEqual(
      report.images[0]?.checks.map((c) => [c.rule, c.ok]),
      [
        ['layer-count', true],
        ['platform', true],
        ['diff-ids', true],
        ['image-id', true],
        ['digest', true],
      ],
    );
  });

  it('fails when the tag was re-pushed with another image after the local build', async () => {
    const ref = `${registry.host}/${repo}:repushed`;
    const other = `${uniqueName('vi-other')}:1`;
    await buildImage(ref, `FROM ${base}\nRUN echo one > /one\n`);
    await buildImage(other, `FROM ${base}\nRUN echo changed > /one\n`);
    cleanups.push(() => removeImage(ref, other));
    // Someone else pushes a different image under our tag; our local tag still names our build.
    const ours = (await docker(['image', 'inspect', '-f', '{{.Id}}', ref])).trim();
    await tagImage(other, ref);
    await pushImage(ref);
    await tagImage(ours, ref);

    const run = await runAction({ image: ref });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.verified, 'false');
    const mismatches = JSON.parse(run.outputs.mismatches ?? '') as { rule: string; layer?: number }[];
    assert.deepEqual(
      mismatches.map((m) => [m.rule, m.layer]),
      [
        ['diff-ids', 3],
        ['image-id', undefined],
      ],
    );
    assert.match(run.stdout, /::error::.*does not match the local build: diff-ids: layer 3 differs/);
    assert.match(run.summary, /❌ Mismatch/);
    assert.ok(run.summary.includes('✗'), 'the differing layer is marked');
  });

  it('fails on a wrong digest input and accepts the right one through the CLI', async () => {
    const wrong = sha256('not the image');
    const run = await runAction({ image: appRef, digest: wrong });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.verified, 'false');
    assert.deepEqual(
      (JSON.parse(run.outputs.mismatches ?? '') as { rule: string }[]).map((m) => m.rule),
      ['digest'],
    );
    assert.ok(run.stdout.includes(`not the expected digest ${wrong}`));

    const cli = await runCli([appRef, '--digest', wrong]);
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /\nMISMATCH {2}[^\n]+\n$/, 'the verdict is the last line');
    const ok = await runCli([appRef, '--digest', appDigest, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { verified: boolean }).verified, true);
  });

  // The CLI as a user runs it, in a pipe (COLUMNS says the width) and on a pseudo-terminal.
  /** No colour setting inherited from whoever runs the tests. */
  const plainEnv = { NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm-256color' };

  function assertFits(stdout: string, width: number, verdict: RegExp): string[] {
    const lines = stdout.replace(/\n$/, '').split('\n');
    for (const line of lines) assert.ok(displayWidth(line) <= width, `a line of ${displayWidth(line)} columns at COLUMNS=${width}: ${line}\n${stdout}`);
    assert.match(lines.at(-1) ?? '', verdict, `the verdict is the last line:\n${stdout}`);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(stdout, /\u001b/, 'no escape sequence off a terminal');
    return lines;
  }

  it('CLI at 80 and 100 columns: a verified push fits the width, the verdict last', async () => {
    for (const width of [80, 100]) {
      const cli = await runCli([appRef, '--digest', appDigest], { ...plainEnv, COLUMNS: String(width) });
      assert.equal(cli.code, 0, cli.stdout + cli.stderr);
      const lines = assertFits(cli.stdout, width, /^VERIFIED {2}/);
      assert.ok(lines.some((l) => l.includes(appId.slice(0, 19))), 'the config digest is shown');
      // GitHub's log is not a terminal: progress stays one line per event, no carriage returns.
      assert.ok(cli.stderr.split('\n').length > 3 && !cli.stderr.includes('\r'), cli.stderr);
    }
  });

  it('CLI at 80 and 100 columns: a mismatch shows the registry and the local diff_id of the differing layer', async () => {
    const ref = `${registry.host}/${repo}:cli-mismatch`;
    const other = `${uniqueName('vi-cli-other')}:1`;
    const long = 'x'.repeat(150);
    await buildImage(ref, `FROM ${base}\nRUN echo ours-${long} > /one\n`);
    await buildImage(other, `FROM ${base}\nRUN echo theirs-${long} > /one\n`);
    cleanups.push(() => removeImage(ref, other));
    const ours = (await docker(['image', 'inspect', '-f', '{{.Id}}', ref])).trim();
    const diffIds = async (image: string) => (await docker(['image', 'inspect', '-f', '{{join .RootFS.Layers " "}}', image])).trim().split(' ');
    const local = (await diffIds(ours)).at(-1) as string;
    const registrySide = (await diffIds(other)).at(-1) as string;
    assert.notEqual(local, registrySide);
    await tagImage(other, ref);
    await pushImage(ref);
    await tagImage(ours, ref);

    for (const width of [80, 100]) {
      const cli = await runCli([ref], { ...plainEnv, COLUMNS: String(width) });
      assert.equal(cli.code, 1, cli.stdout + cli.stderr);
      const lines = assertFits(cli.stdout, width, /^MISMATCH {2}/);
      const short = (digest: string) => digest.slice(0, 'sha256:'.length + 12);
      const row = lines.findIndex((l) => /^ {2}\d+ +✗ /.test(l));
      assert.ok(row > 0 && lines[row]?.includes(short(registrySide)), `the registry's diff_id in the layer row:\n${cli.stdout}`);
      assert.match(lines[row + 1] ?? '', new RegExp(`^ +local +${short(local)}`), `the local diff_id under it:\n${cli.stdout}`);
      assert.ok(lines[row]?.includes('…'), 'the long instruction is cut to the width');
    }
    const json = await runCli([ref, '--json'], { ...plainEnv, COLUMNS: '80' });
    assert.ok(json.stdout.includes(`theirs-${long}`), 'the full instruction stays in --json');
  });

  it('CLI on a pseudo-terminal: colour, one progress line in place; no colour with NO_COLOR', async () => {
    const cli = `node dist/cli/index.js ${appRef} --digest ${appDigest}`;
    const onTty = async (env: NodeJS.ProcessEnv) => {
      // util-linux script gives the CLI a terminal 80 columns wide; its output is what the terminal received.
      const { stdout } = await promisify(execFile)('script', ['-qec', `stty cols 80; ${cli}`, '/dev/null'], { cwd: repoRoot(), env: { ...process.env, ...env } });
      return stdout;
    };
    const coloured = await onTty({ NO_COLOR: '', FORCE_COLOR: '', TERM: 'xterm-256color', COLUMNS: '' });
    // eslint-disable-next-line no-control-regex
    assert.match(coloured, /\u001b\[1;32mVERIFIED\u001b\[0m/, coloured);
    // eslint-disable-next-line no-control-regex
    assert.match(coloured, /\u001b\[32m✓\u001b\[0m/);
    assert.ok(coloured.includes('\r\u001b[2K'), 'progress is one line rewritten in place');
    const report = coloured.slice(coloured.lastIndexOf('\u001b[2K') + 4);
    for (const line of report.split(/\r?\n/)) assert.ok(displayWidth(line) <= 80, `${displayWidth(line)} columns on an 80-column terminal: ${line}`);

    const plain = await onTty({ NO_COLOR: '1', FORCE_COLOR: '', TERM: 'xterm-256color', COLUMNS: '' });
    assert.match(plain, /VERIFIED {2}/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(plain, /\u001b\[[0-9;]*m/, 'NO_COLOR: no colour escape at all');
  });

  it('refuses a malformed digest input with a one-line error', async () => {
    const run = await runAction({ image: appRef, digest: 'sha256:1234' });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.verified, 'false');
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    assert.deepEqual(errors, ['::error::the digest input "sha256:1234" is not a digest: pass sha256:<64 hex>, e.g. ${{ steps.build.outputs.digest }}']);
  });

  it('reports an unknown tag as could-not-verify with what to do', async () => {
    const ref = `${registry.host}/${repo}:does-not-exist`;
    const run = await runAction({ image: ref, 'local-image': appRef });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.verified, 'false');
    assert.match(run.stdout, /::error::.*:does-not-exist not found \(MANIFEST_UNKNOWN.*\): check that the push succeeded/);
    assert.match(run.summary, /Could not verify/);
    assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /, 'no stack trace');
    const cli = await runCli([ref, '--local', appRef]);
    assert.equal(cli.code, 2);
  });

  it('reports a missing local image with what to do', async () => {
    const run = await runAction({ image: appRef, 'local-image': `${uniqueName('absent')}:nope` });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.verified, 'false');
    assert.match(run.stdout, /::error::local image ".*:nope" not found in the Docker daemon.*set local-image: none/);
  });

  it('checks only the registry side with local-image: none, and says so', async () => {
    const run = await runAction({ image: appRef, 'local-image': 'none', digest: appDigest });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verified, 'true');
    const report = run.report as Report;
    assert.ok(report.images[0]?.layers.every((l) => l.status === 'not-compared'));
    assert.ok(report.images[0]?.compared.some((c) => c.includes('no local image')));
  });

  it('verifies the platform image behind a multi-platform index and skips attestations', async () => {
    const pushed = await getServedManifest(registry.host, repo, '1.0');
    // A BuildKit-style attestation: its own manifest (with its config blob uploaded), listed first
    // with platform unknown/unknown, as buildx writes it.
    const emptyConfig = await uploadBlob(registry.host, repo, Buffer.from('{}'));
    const attestationManifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyConfig.digest, size: emptyConfig.size },
      layers: [],
    };
    const attestation = await pushManifest(registry.host, repo, 'attestation', attestationManifest, 'application/vnd.oci.image.manifest.v1+json');
    const indexDigest = await pushManifest(
      registry.host,
      repo,
      'multi',
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: attestation,
            size: Buffer.byteLength(JSON.stringify(attestationManifest)),
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': appDigest },
          },
          { mediaType: pushed.mediaType, digest: appDigest, size: pushed.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      },
      'application/vnd.oci.image.index.v1+json',
    );
    const ref = `${registry.host}/${repo}:multi`;
    const run = await runAction({ image: ref, 'local-image': appRef, digest: indexDigest });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs['index-digest'], indexDigest);
    assert.equal(run.outputs.digest, appDigest);

    // The attestation is not offered as a platform.
    const arm = await runAction({ image: ref, 'local-image': 'none', platform: 'linux/arm64' });
    assert.equal(arm.code, 1);
    assert.match(arm.stdout, /::error::.*has no linux\/arm64 image \(it offers linux\/amd64\):/);
  });

  it('verifies what docker pull would get when an entry only claims to be an attestation', async () => {
    // Docker picks from an index by platform and ignores annotations: an image entry annotated as
    // an attestation but carrying linux/amd64, listed first, is what a pull gets.
    const evilRef = `${registry.host}/${repo}:evil`;
    await buildImage(evilRef, `FROM ${base}\nRUN echo evil > /one\nENV MODE=prod\nRUN echo two > /two\n`);
    cleanups.push(() => removeImage(evilRef));
    const evilDigest = await pushImage(evilRef);
    const evil = await getServedManifest(registry.host, repo, 'evil');
    const pushed = await getServedManifest(registry.host, repo, '1.0');
    await pushManifest(
      registry.host,
      repo,
      'disguised',
      {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: evil.mediaType,
            digest: evilDigest,
            size: evil.bytes.length,
            platform: { os: 'linux', architecture: 'amd64' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': appDigest },
          },
          { mediaType: pushed.mediaType, digest: appDigest, size: pushed.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      },
      'application/vnd.oci.image.index.v1+json',
    );
    const run = await runAction({ image: `${registry.host}/${repo}:disguised`, 'local-image': appRef, digest: appDigest });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verified, 'false');
    assert.equal(run.outputs.digest, evilDigest, 'the entry docker would pull is the one verified');
    const rules = (JSON.parse(run.outputs.mismatches ?? '[]') as { rule: string }[]).map((m) => m.rule);
    assert.ok(rules.includes('diff-ids') && rules.includes('digest'), rules.join(','));
  });

  describe('a registry that requires Basic auth', () => {
    let secure: TestRegistry;
    let ref: string;
    const password = 'pw-' + Math.random().toString(36).slice(2);

    before(async () => {
      secure = await startRegistry({ htpasswd: { username: 'ci', password } });
      cleanups.push(() => secure.stop());
      ref = `${secure.host}/${repo}:1.0`;
      await tagImage(appRef, ref);
      cleanups.push(() => removeImage(ref));
    });

    it('verifies with credentials from a config.json written by docker login', async () => {
      const config = await dockerLogin(secure.host, 'ci', password);
      const digest = await pushImage(ref, { env: { DOCKER_CONFIG: config } });
      const run = await runAction({ image: ref, digest }, { DOCKER_CONFIG: config });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.verified, 'true');
      assert.match(run.stdout, /credentials for 127\.0\.0\.1:\d+: from .*config\.json/);
      assert.ok(run.stdout.includes(`::add-mask::${password}`), 'the password is masked');
      assert.ok(!(visible(run.stdout) + run.summary + JSON.stringify(run.report)).includes(password), 'no secret anywhere');
    });

    it('fails without credentials and says how to log in', async () => {
      const run = await runAction({ image: ref }, { DOCKER_CONFIG: '/nonexistent' });
      assert.equal(run.code, 1);
      assert.match(run.stdout, /::error::.*requires authentication.*log in first/);
    });

    it('fails with wrong credentials without echoing them', async () => {
      const run = await runAction({ image: ref, username: 'ci', password: 'wrong-password-123' }, { DOCKER_CONFIG: '/nonexistent' });
      assert.equal(run.code, 1);
      assert.match(run.stdout, /::error::.*rejected the credentials from inputs/);
      assert.ok(run.stdout.includes('::add-mask::wrong-password-123'));
      assert.ok(!visible(run.stdout).includes('wrong-password-123'));
    });
  });
});
