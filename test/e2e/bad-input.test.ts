// The README's bad-input table, row by row: each bad input, given to the bundled action and to
// the CLI, must end with verified=false, a failed step (exit 1 and one ::error:: line) or a
// non-zero CLI exit, the exact one-line message the table documents — which says what to do —
// and no stack trace.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, runCli } from '../helpers/action.js';
import { buildImage, busyboxBase, docker, pushImage, removeImage, requireDaemon, tagImage, uniqueName } from '../helpers/docker.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { dockerLogin, startRegistry, type TestRegistry } from '../helpers/registry.js';

interface Row {
  /** The bad input, as the README table names it. */
  input: string;
  inputs: () => Record<string, string>;
  env?: () => NodeJS.ProcessEnv;
  /** The exact message; a RegExp where part of it is not ours to fix (another engineer's source). */
  message: () => string | RegExp;
  /** The CLI's message where it differs: it names flags (`--platform`), not inputs. */
  cli?: () => string | RegExp;
}

/** The action's inputs as CLI arguments (the password travels in VERIFY_IMAGE_PASSWORD). */
function cliArgs(inputs: Record<string, string>): { args: string[]; env: NodeJS.ProcessEnv } {
  const args = [inputs.image ?? ''];
  const env: NodeJS.ProcessEnv = {};
  const flags: Record<string, string> = { 'local-image': '--local', digest: '--digest', platform: '--platform', username: '--username', 'registry-timeout': '--registry-timeout', 'require-attestations': '--require-attestations' };
  for (const [name, value] of Object.entries(inputs)) {
    if (name === 'image') continue;
    if (name === 'password') env.VERIFY_IMAGE_PASSWORD = value;
    else if (flags[name]) args.push(flags[name]!, value);
    else throw new Error(`no CLI flag for input ${name}`);
  }
  return { args, env };
}

const SCHEMA1 = (name: string, tag: string) =>
  JSON.stringify(
    {
      schemaVersion: 1,
      name,
      tag,
      architecture: 'amd64',
      fsLayers: [{ blobSum: `sha256:${'a'.repeat(64)}` }],
      history: [{ v1Compatibility: '{"id":"e45a5af57b00862e5ef5782a9925979a02ba2b12dff832fd0991335f4a11e5c5","created":"2014-12-31T22:23:56.943403668Z"}' }],
      signatures: [{ header: { alg: 'ES256' }, signature: 'c2lnbmF0dXJl', protected: 'cHJvdGVjdGVk' }],
    },
    null,
    3,
  );

describe('bad input: one clear line, a failed step, never verified', () => {
  const cleanups: Array<() => Promise<void>> = [];
  let registry: TestRegistry;
  let secure: TestRegistry;
  let proxy: FaultProxy;
  let repo: string;
  let appRef: string;
  let armRef: string;
  let secureRef: string;
  let scratch: string;
  let garbage: string;
  const password = `pw-${Math.random().toString(36).slice(2)}`;

  before(async () => {
    await requireDaemon();
    scratch = await mkdtemp(join(tmpdir(), 'verify-image-bad-input-'));
    garbage = join(scratch, 'garbage.tar');
    await writeFile(garbage, 'this is not a tar archive\n');
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    const base = `${uniqueName('vi-bad-base')}:1`;
    await busyboxBase(base);
    cleanups.push(() => removeImage(base));
    repo = uniqueName('bad/app');
    appRef = `${registry.host}/${repo}:1.0`;
    await buildImage(appRef, `FROM ${base}\nRUN echo bad-input > /which\n`);
    cleanups.push(() => removeImage(appRef));
    await pushImage(appRef);

    // The registry holds the amd64 build under :arm, while the local :arm tag is an arm64 build
    // (FROM scratch and COPY only, so the legacy builder makes it without emulation).
    armRef = `${registry.host}/${repo}:arm`;
    await tagImage(appRef, armRef);
    await pushImage(armRef);
    const context = join(scratch, 'arm-context');
    await mkdir(context, { recursive: true });
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY which /which\n');
    await writeFile(join(context, 'which'), 'arm64\n');
    await docker(['build', '--platform', 'linux/arm64', '-t', armRef, context]);
    cleanups.push(() => removeImage(armRef));
    assert.equal((await docker(['image', 'inspect', '-f', '{{.Architecture}}', armRef])).trim(), 'arm64');

    secure = await startRegistry({ htpasswd: { username: 'ci', password } });
    cleanups.push(() => secure.stop());
    secureRef = `${secure.host}/${repo}:1.0`;
    await tagImage(appRef, secureRef);
    cleanups.push(() => removeImage(secureRef));
    const login = await dockerLogin(secure.host, 'ci', password);
    cleanups.push(() => rm(login, { recursive: true, force: true }));
    await pushImage(secureRef, { env: { DOCKER_CONFIG: login } });

    proxy = await startFaultProxy({ upstream: `http://${registry.host}` });
    cleanups.push(() => proxy.stop());
    proxy.setRules([
      {
        method: 'GET',
        path: /\/manifests\/schema1$/,
        times: Infinity,
        fault: { kind: 'body', body: Buffer.from(SCHEMA1(repo, 'schema1')), contentType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' },
      },
      {
        method: 'GET',
        path: /\/manifests\/schema1-json$/,
        times: Infinity,
        fault: { kind: 'body', body: Buffer.from(SCHEMA1(repo, 'schema1-json')), contentType: 'application/json' },
      },
    ]);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  const noConfig = () => ({ DOCKER_CONFIG: join(scratch, 'no-docker-config') });
  const rows: Row[] = [
    {
      input: 'malformed reference',
      inputs: () => ({ image: 'Acme/App:1.0' }),
      message: () => 'invalid image reference "Acme/App:1.0": repository names must be lowercase (e.g. ghcr.io/acme/app:1.0)',
    },
    {
      input: 'unknown tag',
      inputs: () => ({ image: `${registry.host}/${repo}:no-such-tag`, 'local-image': appRef }),
      message: () =>
        `${registry.host}/${repo}:no-such-tag not found (MANIFEST_UNKNOWN: manifest unknown): check that the push succeeded and the tag or digest is spelled right`,
    },
    {
      input: 'private repository, no credentials',
      inputs: () => ({ image: secureRef }),
      env: noConfig,
      message: () =>
        `${secure.host} requires authentication to pull ${repo} (UNAUTHORIZED: authentication required): log in first (docker/login-action or docker login) or set the username and password inputs`,
      cli: () => `${secure.host} requires authentication to pull ${repo} (UNAUTHORIZED: authentication required): log in first (docker login) or set --username and --password-stdin`,
    },
    {
      input: 'wrong credentials',
      inputs: () => ({ image: secureRef, username: 'ci', password: 'wrong-password-for-table' }),
      env: noConfig,
      message: () =>
        `${secure.host} rejected the credentials from inputs for ${repo} (UNAUTHORIZED: authentication required): check the username and password or token and that it may pull this repository`,
      cli: () =>
        `${secure.host} rejected the credentials from --username and --password-stdin for ${repo} (UNAUTHORIZED: authentication required): check the username and password or token and that it may pull this repository`,
    },
    {
      input: 'username without password',
      inputs: () => ({ image: secureRef, username: 'ci' }),
      env: noConfig,
      message: () =>
        `both username and password are needed to log in to ${secure.host}, but password is empty: set both inputs, or neither to use Docker's stored credentials`,
      cli: () =>
        `both --username and --password-stdin are needed to log in to ${secure.host}, but --password-stdin is empty: set both, or neither to use Docker's stored credentials`,
    },
    {
      input: 'no Docker daemon',
      inputs: () => ({ image: appRef }),
      env: () => ({ DOCKER_HOST: 'unix:///nonexistent.sock' }),
      message: () =>
        'no Docker daemon answers at unix:///nonexistent.sock (ENOENT): start Docker, set DOCKER_HOST, or set local-image: none to skip the local comparison',
      cli: () => 'no Docker daemon answers at unix:///nonexistent.sock (ENOENT): start Docker, set DOCKER_HOST, or set --local none to skip the local comparison',
    },
    {
      input: 'missing local image',
      inputs: () => ({ image: appRef, 'local-image': `${registry.host}/${repo}:never-built` }),
      message: () =>
        `local image "${registry.host}/${repo}:never-built" not found in the Docker daemon at unix:///var/run/docker.sock: build or load it first (build-push-action needs load: true), set local-image to the local tag, use docker-archive:, oci-layout: or oci-archive: for a build that was exported, or set local-image: none`,
      cli: () =>
        `local image "${registry.host}/${repo}:never-built" not found in the Docker daemon at unix:///var/run/docker.sock: build or load it first, set --local to the local tag, use docker-archive:, oci-layout: or oci-archive: for a build that was exported, or set --local none`,
    },
    {
      input: 'malformed platform',
      inputs: () => ({ image: appRef, platform: 'linux' }),
      message: () => 'platform "linux" is not os/architecture[/variant]: use e.g. linux/amd64, a comma-separated list (linux/amd64,linux/arm64) or all',
      cli: () => '--platform "linux" is not os/architecture[/variant]: use e.g. linux/amd64, a comma-separated list (linux/amd64,linux/arm64) or all',
    },
    {
      input: 'platform the image does not have',
      inputs: () => ({ image: appRef, platform: 'linux/s390x' }),
      message: () =>
        `${appRef} is a single-platform linux/amd64 image, not linux/s390x: set the platform input to linux/amd64 or verify a build for that platform`,
      cli: () => `${appRef} is a single-platform linux/amd64 image, not linux/s390x: set --platform to linux/amd64 or verify a build for that platform`,
    },
    {
      input: 'local and remote platforms differ',
      inputs: () => ({ image: armRef }),
      message: () =>
        `${armRef} is a linux/amd64 image but the local build ${armRef} is linux/arm64: compare builds of one platform (build the local image with --platform linux/amd64, or push the linux/arm64 build)`,
    },
    {
      input: 'malformed `digest`',
      inputs: () => ({ image: appRef, digest: 'sha256:1234' }),
      message: () => 'the digest input "sha256:1234" is not a digest: pass sha256:<64 hex>, e.g. ${{ steps.build.outputs.digest }}',
      cli: () => '--digest "sha256:1234" is not a digest: pass sha256:<64 hex>',
    },
    {
      input: 'malformed `registry-timeout`',
      inputs: () => ({ image: appRef, 'registry-timeout': 'soon' }),
      message: () => 'registry-timeout "soon" is not understood: give whole seconds from 1 to 3600, e.g. 60',
      cli: () => '--registry-timeout "soon" is not understood: give whole seconds from 1 to 3600, e.g. 60',
    },
    {
      input: 'unknown `require-attestations` kind (`signature`)',
      inputs: () => ({ image: appRef, 'require-attestations': 'provenance,signature' }),
      message: () => 'require-attestations "signature" is not an attestation kind: use provenance, sbom or both (comma-separated), or leave it empty',
    },
    {
      input: 'misspelt `require-attestations` (`provnance`)',
      inputs: () => ({ image: appRef, 'require-attestations': 'provnance' }),
      message: () => 'require-attestations "provnance" is not an attestation kind: use provenance, sbom or both (comma-separated), or leave it empty',
    },
    {
      input: 'schema1 image',
      inputs: () => ({ image: `${proxy.host}/${repo}:schema1`, 'local-image': appRef }),
      message: () =>
        `${proxy.host}/${repo}:schema1 is a schema1 manifest, which Docker removed in 28.2 and this action does not verify: rebuild and push it with a current Docker or buildx`,
    },
    {
      input: 'schema1 image served as application/json',
      inputs: () => ({ image: `${proxy.host}/${repo}:schema1-json`, 'local-image': appRef }),
      message: () =>
        `${proxy.host}/${repo}:schema1-json is a schema1 manifest, which Docker removed in 28.2 and this action does not verify: rebuild and push it with a current Docker or buildx`,
    },
    {
      input: 'unreadable archive',
      inputs: () => ({ image: appRef, 'local-image': `docker-archive:${join(scratch, 'missing', 'app.tar')}` }),
      message: () => `docker-archive ${join(scratch, 'missing', 'app.tar')} cannot be read (ENOENT): check the path`,
    },
    {
      input: 'archive that is not a tar',
      inputs: () => ({ image: appRef, 'local-image': `docker-archive:${garbage}` }),
      message: () =>
        `docker-archive ${garbage} is not a readable tar archive (TAR_BAD_ARCHIVE: Unrecognized archive format): check that it is complete (docker save -o, buildx --output type=oci,dest=…)`,
    },
  ];

  for (const row of rows) {
    it(`${row.input}: the action fails the step with one line`, async () => {
      const run = await runAction(row.inputs(), row.env?.());
      const expected = row.message();
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verified, 'false');
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      assert.equal(errors.length, 1, run.stdout);
      const line = (errors[0] ?? '').slice('::error::'.length);
      if (typeof expected === 'string') assert.equal(line, expected);
      else assert.match(line, expected);
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
      assert.doesNotMatch(run.stdout + run.stderr, /unexpected error/);
      if (run.report) assert.equal((run.report as { verified: boolean }).verified, false);
      for (const secret of ['wrong-password-for-table', password]) assert.ok(!run.summary.includes(secret) && !JSON.stringify(run.report ?? {}).includes(secret));
    });

    it(`${row.input}: the CLI exits non-zero with the same line, naming flags`, async () => {
      const { args, env } = cliArgs(row.inputs());
      // Wide enough that the report's sentence holds the message on one line, as the action's log does.
      const run = await runCli(args, { ...row.env?.(), ...env, COLUMNS: '1000' });
      const expected = (row.cli ?? row.message)();
      assert.equal(run.code, 2, run.stdout + run.stderr);
      const output = `${run.stdout}\n${run.stderr}`;
      assert.doesNotMatch(output, /\bthe [a-z-]+ input\b|\binputs\b/, `the CLI names flags, not inputs: ${output}`);
      if (typeof expected === 'string') assert.ok(output.includes(expected), output);
      else assert.match(output, new RegExp(expected.source.replace(/^\^|\$$/g, '')));
      assert.doesNotMatch(output, /\n\s+at .*:\d+:\d+/, 'no stack trace');
      assert.doesNotMatch(output, /^VERIFIED/m);
    });
  }
});
