// Registry sessions (src/registry/session.ts) against a token-auth registry stub on 127.0.0.1:
// the clients of one run or audit ping a registry once and get one token per repository, a
// failed ping is tried again by the next client, and every secret a session learns reaches each
// image's logger (its report is scrubbed of it) while that image is being checked.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Logger } from '../../src/log.js';
import { parseReference } from '../../src/oci/reference.js';
import { openRegistry, RegistrySessions } from '../../src/registry/session.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 }, layers: [] }));

let server: Server;
let host = '';
const requests: string[] = [];
let pingStatus = 401;
let issued = 0;

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method ?? ''} ${url.pathname}${url.searchParams.has('scope') ? ` ${url.searchParams.get('scope') ?? ''}` : ''}`);
    if (url.pathname === '/v2/') {
      res.writeHead(pingStatus, pingStatus === 401 ? { 'www-authenticate': `Bearer realm="http://${host}/token",service="stub"` } : {});
      return res.end();
    }
    if (url.pathname === '/token') {
      // GET carries the scope in the query, the password grant's POST in its form.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      return req.on('end', () => {
        const scope = url.searchParams.get('scope') ?? new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('scope') ?? '';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token: `token-${++issued}-${scope}`, expires_in: 300 }));
      });
    }
    const repo = /^\/v2\/(.+)\/manifests\/latest$/.exec(url.pathname)?.[1];
    if (repo && req.headers.authorization === `Bearer ${tokenFor(repo)}`) {
      res.writeHead(200, { 'content-type': OCI_MANIFEST });
      return res.end(MANIFEST);
    }
    res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="stub"`, 'content-type': 'application/json' });
    return res.end('{"errors":[{"code":"UNAUTHORIZED","message":"no"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
  pingStatus = 401;
});

/** The token the stub handed out for a repository, read back from what it logged. */
const tokens = new Map<string, string>();
function tokenFor(repo: string): string | undefined {
  return tokens.get(repo);
}

function recordingLogger(): Logger & { secrets: string[]; infos: string[] } {
  const secrets: string[] = [];
  const infos: string[] = [];
  return { secrets, infos, info: (m) => infos.push(m), warning() {}, debug() {}, secret: (s) => secrets.push(s) };
}

/** Remembers which token the session received for each repository, so the stub accepts it. */
function settingsWith(logger: Logger) {
  const outer: Logger = {
    ...logger,
    secret: (s) => {
      const m = /^token-\d+-repository:(.+):pull$/.exec(s);
      if (m?.[1]) tokens.set(m[1], s);
      logger.secret(s);
    },
  };
  return { insecureRegistries: [], logger: outer };
}

describe('RegistrySessions', () => {
  test('three repositories of one registry, two images each: one ping, one credential line, one token per repository', async () => {
    const log = recordingLogger();
    const sessions = new RegistrySessions(settingsWith(log));
    for (const repo of ['a', 'b', 'c', 'a', 'b', 'c']) {
      const client = await openRegistry(parseReference(`${host}/${repo}:latest`), { insecureRegistries: [], logger: log, sessions }, {});
      assert.equal((await client.getManifest('latest')).bytes.length, MANIFEST.length);
    }
    assert.equal(requests.filter((r) => r === 'GET /v2/').length, 1, requests.join('\n'));
    assert.deepEqual(
      requests.filter((r) => r.startsWith('GET /token')),
      ['GET /token repository:a:pull', 'GET /token repository:b:pull', 'GET /token repository:c:pull'],
    );
    assert.equal(log.infos.filter((m) => m.startsWith(`credentials for ${host}`)).length, 1);
    assert.equal(sessions.size, 1);
  });

  test('without sessions every client pings: the behaviour a shared session saves', async () => {
    const log = recordingLogger();
    for (const repo of ['a', 'b']) await openRegistry(parseReference(`${host}/${repo}:latest`), settingsWith(log), {});
    assert.equal(requests.filter((r) => r === 'GET /v2/').length, 2);
  });

  test('concurrent clients share the ping in flight', async () => {
    const sessions = new RegistrySessions(settingsWith(recordingLogger()));
    await Promise.all(['a', 'b', 'c', 'd'].map((repo) => sessions.open(parseReference(`${host}/${repo}:latest`), {})));
    assert.equal(requests.filter((r) => r === 'GET /v2/').length, 1);
  });

  test('a ping that failed is not kept: the next image pings again and goes on', async () => {
    const sessions = new RegistrySessions(settingsWith(recordingLogger()));
    pingStatus = 404;
    await assert.rejects(sessions.open(parseReference(`${host}/a:latest`), {}), /does not serve the registry API/);
    pingStatus = 401;
    const client = await sessions.open(parseReference(`${host}/a:latest`), {});
    assert.equal((await client.getManifest('latest')).bytes.length, MANIFEST.length);
    assert.equal(requests.filter((r) => r === 'GET /v2/').length, 2);
  });

  test('anonymous and credentialed clients of one registry do not share a session (nor its tokens)', async () => {
    const sessions = new RegistrySessions(settingsWith(recordingLogger()));
    await sessions.open(parseReference(`${host}/a:latest`), 'anonymous');
    await sessions.open(parseReference(`${host}/a:latest`), { username: 'u', password: 'p' });
    assert.equal(sessions.size, 2);
  });

  test("secrets reach each attached image's logger: those learned before it attached, and those learned while attached, not after", async () => {
    const sessions = new RegistrySessions(settingsWith(recordingLogger()));
    const first = recordingLogger();
    const detachFirst = sessions.attach(first);
    await (await sessions.open(parseReference(`${host}/a:latest`), { username: 'u', password: 'pw-first' })).getManifest('latest');
    assert.ok(first.secrets.includes('pw-first'), 'the credential');
    assert.ok(first.secrets.some((s) => s.includes('repository:a:pull')), 'the token of repository a');
    detachFirst();
    const second = recordingLogger();
    const detachSecond = sessions.attach(second);
    assert.ok(second.secrets.includes('pw-first'), 'given every secret learned before it attached');
    await (await sessions.open(parseReference(`${host}/b:latest`), { username: 'u', password: 'pw-first' })).getManifest('latest');
    assert.ok(second.secrets.some((s) => s.includes('repository:b:pull')));
    assert.ok(!first.secrets.some((s) => s.includes('repository:b:pull')), 'a detached logger is left alone');
    detachSecond();
  });
});
