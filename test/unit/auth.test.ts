// The Authenticator against a scripted token server on 127.0.0.1: which grant it uses, the
// fallbacks, the per-scope cache and renewal before expiry, the realm rules, caps and the
// masking of every token. (The real registry flows are in test/e2e/auth.test.ts.)

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { VerifyImageError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { Authenticator } from '../../src/registry/auth.js';
import type { Credential } from '../../src/registry/credentials.js';
import type { TransportOptions } from '../../src/registry/http.js';

interface Seen {
  method: string;
  query: URLSearchParams;
  form: URLSearchParams;
  authorization?: string;
}

type Reply = (seen: Seen) => { status: number; body: string };

describe('Authenticator', () => {
  let server: ReturnType<typeof createServer>;
  let realm: string;
  let seen: Seen[] = [];
  let reply: Reply;
  let masked: string[] = [];
  const logger: Logger = { info() {}, warning() {}, debug() {}, secret: (s) => masked.push(s) };
  const transport: TransportOptions = { allowHttp: () => true, retry: { attempts: 1 } };
  let counter = 0;
  const token = (extra: object = {}) => ({ status: 200, body: JSON.stringify({ token: `tok-${++counter}`, ...extra }) });

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const entry: Seen = {
          method: req.method ?? '',
          query: url.searchParams,
          form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
          authorization: req.headers.authorization,
        };
        seen.push(entry);
        const { status, body } = reply(entry);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen = [];
    masked = [];
    reply = () => token();
  });

  const bearer = (params: Record<string, string> = {}) => [{ scheme: 'bearer', params: { realm, service: 'svc', ...params } }];
  const make = (credential?: Credential, registryAllowsHttp = true) => {
    const auth = new Authenticator('reg.example', credential, transport, logger, registryAllowsHttp);
    auth.useChallenges(bearer());
    return auth;
  };
  const SCOPE = 'repository:acme/app:pull';

  it('asks anonymously with GET, service and our scope', async () => {
    assert.equal(await make().authorization(SCOPE), 'Bearer tok-' + counter);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.method, 'GET');
    assert.equal(seen[0]?.query.get('service'), 'svc');
    assert.deepEqual(seen[0]?.query.getAll('scope'), [SCOPE]);
    assert.equal(seen[0]?.authorization, undefined);
  });

  it('ignores a placeholder scope in the challenge (GHCR)', async () => {
    const auth = new Authenticator('ghcr.io', undefined, transport, logger, true);
    auth.useChallenges(bearer({ scope: 'repository:user/image:pull' }));
    await auth.authorization(SCOPE);
    assert.deepEqual(seen[0]?.query.getAll('scope'), [SCOPE]);
  });

  it('POSTs a password grant, and masks the token', async () => {
    reply = () => ({ status: 200, body: JSON.stringify({ access_token: 'oauth-tok', refresh_token: 'refresh-xyz', expires_in: 300 }) });
    assert.equal(await make({ username: 'u', password: 'p', source: 'inputs' }).authorization(SCOPE), 'Bearer oauth-tok');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.method, 'POST');
    assert.deepEqual(Object.fromEntries(seen[0]!.form), { grant_type: 'password', username: 'u', password: 'p', client_id: 'verify-image', scope: SCOPE, service: 'svc' });
    assert.deepEqual(masked, ['oauth-tok', 'refresh-xyz']);
  });

  it('POSTs a refresh_token grant for an identity token', async () => {
    await make({ username: 'u', identityToken: 'id-tok', source: 'config' }).authorization(SCOPE);
    assert.equal(seen[0]?.form.get('grant_type'), 'refresh_token');
    assert.equal(seen[0]?.form.get('refresh_token'), 'id-tok');
  });

  for (const status of [400, 401, 404, 405]) {
    it(`falls back to GET with Basic when POST answers ${status}`, async () => {
      reply = (s) => (s.method === 'POST' ? { status, body: '{}' } : token());
      await make({ username: 'u', password: 'p', source: 'inputs' }).authorization(SCOPE);
      assert.deepEqual(
        seen.map((s) => s.method),
        ['POST', 'GET'],
      );
      assert.equal(seen[1]?.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
    });
  }

  it('falls back to an anonymous GET when POST of an identity token is not supported', async () => {
    reply = (s) => (s.method === 'POST' ? { status: 404, body: '{}' } : token());
    await make({ identityToken: 'id-tok', source: 'config' }).authorization(SCOPE);
    assert.deepEqual(seen.map((s) => [s.method, s.authorization]), [['POST', undefined], ['GET', undefined]]);
  });

  it('does not fall back on other POST failures, and says so in one line', async () => {
    reply = () => ({ status: 500, body: JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'token service down' }] }) });
    await assert.rejects(make({ username: 'u', password: 'p', source: 'inputs' }).authorization(SCOPE), {
      message: "could not get a token from reg.example's token server (UNKNOWN: token service down): try again later",
    });
  });

  it('caches per scope, and renews shortly before expiry', async () => {
    reply = () => token({ expires_in: 1 });
    const auth = make();
    const first = await auth.authorization(SCOPE);
    assert.equal(await auth.authorization(SCOPE), first, 'cached');
    await auth.authorization('repository:acme/other:pull');
    assert.equal(seen.length, 2, 'one token per scope');
    await new Promise((resolve) => setTimeout(resolve, 600)); // renewal at half of a 1 s lifetime
    assert.notEqual(await auth.authorization(SCOPE), first, 'renewed before it expired');
    assert.equal(seen.length, 3);
  });

  it('takes expires_in as 60 s when absent, and trusts our clock over a future issued_at', async () => {
    reply = () => token({ issued_at: new Date(Date.now() + 3_600_000).toISOString() });
    const auth = make();
    await auth.authorization(SCOPE);
    await auth.authorization(SCOPE);
    assert.equal(seen.length, 1);
  });

  it('asks again after invalidate (a 401 mid-run)', async () => {
    const auth = make();
    await auth.authorization(SCOPE);
    auth.invalidate(SCOPE);
    await auth.authorization(SCOPE);
    assert.equal(seen.length, 2);
  });

  it('sends a registry token as is, without the token server', async () => {
    assert.equal(await make({ registryToken: 'reg-tok', source: 'config' }).authorization(SCOPE), 'Bearer reg-tok');
    assert.equal(seen.length, 0);
  });

  it('answers a Basic challenge with Basic, and nothing without credentials', async () => {
    const auth = new Authenticator('ecr.example', { username: 'AWS', password: 'pw', source: 'inputs' }, transport, logger, false);
    auth.useChallenges([{ scheme: 'basic', params: { realm: 'ecr' } }]);
    assert.equal(await auth.authorization(SCOPE), `Basic ${Buffer.from('AWS:pw').toString('base64')}`);
    const anonymous = new Authenticator('ecr.example', undefined, transport, logger, false);
    anonymous.useChallenges([{ scheme: 'basic', params: { realm: 'ecr' } }]);
    assert.equal(await anonymous.authorization(SCOPE), undefined);
  });

  it('prefers Bearer when both are offered', async () => {
    const auth = make({ username: 'u', password: 'p', source: 'inputs' });
    auth.useChallenges([{ scheme: 'basic', params: { realm: 'x' } }, ...bearer()]);
    assert.match((await auth.authorization(SCOPE)) ?? '', /^Bearer /);
  });

  it('refuses a plain-http realm unless the registry itself may use http', async () => {
    await assert.rejects(make({ username: 'u', password: 'p', source: 'inputs' }, false).authorization(SCOPE), (err: unknown) => {
      assert.ok(err instanceof VerifyImageError);
      assert.match(err.message, /sends us to a token server over plain http \(127\.0\.0\.1:\d+\); refusing to send credentials unencrypted/);
      return true;
    });
    assert.equal(seen.length, 0, 'nothing was sent');
  });

  it('refuses realms that are not http(s) URLs', async () => {
    for (const bad of ['not a url', 'ftp://auth.example/token', 'file:///etc/passwd']) {
      const auth = new Authenticator('reg.example', undefined, transport, logger, true);
      auth.useChallenges([{ scheme: 'bearer', params: { realm: bad } }]);
      await assert.rejects(auth.authorization(SCOPE), /cannot be logged in to/);
    }
  });

  it('refuses token responses over 64 KiB, without a token, or not JSON', async () => {
    for (const [body, message] of [
      [JSON.stringify({ token: 'x'.repeat(70 * 1024) }), /is larger than 65536 bytes/],
      [JSON.stringify({ expires_in: 60 }), /answered without a token/],
      ['<html>', /the token response of .* is not valid JSON/],
      ['null', /not a token response/],
    ] as const) {
      reply = () => ({ status: 200, body });
      await assert.rejects(make().authorization(SCOPE), message);
    }
  });

  it('says whose credentials were rejected, and never repeats them', async () => {
    reply = () => ({ status: 401, body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad creds' }] }) });
    await assert.rejects(make({ username: 'u', password: 'secret-pw', source: 'inputs' }).authorization(SCOPE), (err: Error) => {
      assert.equal(err.message, 'the token server of reg.example rejected the credentials from inputs (UNAUTHORIZED: bad creds): check the username and password or token');
      return true;
    });
    await assert.rejects(make().authorization(SCOPE), /refused anonymous access \(UNAUTHORIZED: bad creds\): log in/);
  });
});
