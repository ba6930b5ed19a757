// Proves the e2e harness itself, without the action: a daemon answers, throwaway registries start
// (open and htpasswd-protected), a busybox image builds and pushes, and logins stay in temp configs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { busyboxBase, imageId, pushImage, removeImage, requireDaemon, tagImage, uniqueName } from '../helpers/docker.js';
import { dockerLogin, startRegistry, type TestRegistry } from '../helpers/registry.js';

const USER = 'verifier';
const PASSWORD = 's3cret-pass';

async function tagsList(host: string, repo: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://${host}/v2/${repo}/tags/list`, { headers });
}

describe('e2e harness', () => {
  const cleanups: Array<() => Promise<void>> = [];
  let localTag: string;
  let localId: string;

  before(async () => {
    await requireDaemon();
    localTag = `${uniqueName('verify-image-harness')}:base`;
    localId = await busyboxBase(localTag);
    cleanups.push(() => removeImage(localTag));
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('builds the busybox base image', async () => {
    assert.match(localId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await imageId(localTag), localId);
  });

  describe('open registry', () => {
    let registry: TestRegistry;
    before(async () => {
      registry = await startRegistry();
      cleanups.push(() => registry.stop());
    });

    it('answers /v2/ without credentials', async () => {
      assert.match(registry.host, /^127\.0\.0\.1:\d+$/);
      const response = await fetch(`http://${registry.host}/v2/`);
      assert.equal(response.status, 200);
      assert.ok(existsSync(registry.configPath));
    });

    it('receives a push and lists the tag', async () => {
      const repo = uniqueName('harness/open');
      const ref = `${registry.host}/${repo}:v1`;
      await tagImage(localTag, ref);
      cleanups.push(() => removeImage(ref));

      const digest = await pushImage(ref);
      assert.match(digest, /^sha256:[0-9a-f]{64}$/);

      const response = await tagsList(registry.host, repo);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { name: repo, tags: ['v1'] });

      const manifest = await fetch(`http://${registry.host}/v2/${repo}/manifests/v1`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      assert.equal(manifest.status, 200);
      assert.equal(manifest.headers.get('docker-content-digest'), digest);
    });
  });

  describe('htpasswd registry', () => {
    let registry: TestRegistry;
    let configDir: string;
    before(async () => {
      registry = await startRegistry({ htpasswd: { username: USER, password: PASSWORD } });
      cleanups.push(() => registry.stop());
    });

    it('refuses anonymous requests with a Basic challenge', async () => {
      const response = await fetch(`http://${registry.host}/v2/`);
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm="verify-image-test"/);
    });

    it('logs in with a temp docker config', async () => {
      configDir = await dockerLogin(registry.host, USER, PASSWORD);
      cleanups.push(() => rm(configDir, { recursive: true, force: true }));
      const config = JSON.parse(await readFile(`${configDir}/config.json`, 'utf8')) as {
        auths?: Record<string, { auth?: string }>;
      };
      const entry = config.auths?.[registry.host];
      assert.ok(entry, `config.json has no auths entry for ${registry.host}: ${JSON.stringify(config)}`);
      assert.equal(Buffer.from(entry.auth ?? '', 'base64').toString('utf8'), `${USER}:${PASSWORD}`);
    });

    it('rejects a wrong password', async () => {
      await assert.rejects(dockerLogin(registry.host, USER, 'wrong'), /unauthorized|401|incorrect/i);
    });

    it('receives an authenticated push and lists the tag only with credentials', async () => {
      assert.ok(configDir, 'the login test must run first');
      const repo = uniqueName('harness/auth');
      const ref = `${registry.host}/${repo}:v1`;
      await tagImage(localTag, ref);
      cleanups.push(() => removeImage(ref));

      const digest = await pushImage(ref, { env: { DOCKER_CONFIG: configDir } });
      assert.match(digest, /^sha256:[0-9a-f]{64}$/);

      const anonymous = await tagsList(registry.host, repo);
      assert.equal(anonymous.status, 401);
      await anonymous.arrayBuffer();

      const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
      const response = await tagsList(registry.host, repo, { authorization: basic });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { name: repo, tags: ['v1'] });
    });
  });
});
