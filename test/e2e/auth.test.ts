// Real token auth, end to end: the CNCF registry with `auth: token`, a token server the test runs
// (JWTs signed RS256, x5c header, certificate in the registry's rootcertbundle), images pushed by
// the real dockerd after `docker login`, and the bundled action logging in the way Docker Hub
// asks — with credentials from inputs, DOCKER_AUTH_CONFIG, config.json (auth, identitytoken,
// registrytoken) and a credential helper on PATH. Every run is also checked for leaked secrets.

import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, runCli, type ActionRun } from '../helpers/action.js';
import { buildImage, busyboxBase, pushImage, removeImage, requireDaemon, uniqueName } from '../helpers/docker.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { dockerLogin, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { makeCertificate, nonLoopbackAddress, type TestCertificate } from '../helpers/tls.js';
import { startHostileTokenFront, type HostileTokenFront } from '../helpers/hostile-token.js';
import { findLeak } from '../helpers/leaks.js';
import { startTokenServer, type TokenServer } from '../helpers/token-server.js';

const USER = 'ci-bot';
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}-secret`;
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** What a reader of the log sees: the runner consumes ::add-mask:: lines and never shows them. */
const visible = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

describe('token auth against a real registry', () => {
  const cleanups: Array<() => Promise<void>> = [];
  /** Every action run, for the secrets check at the end. */
  const runs: { name: string; run: ActionRun }[] = [];
  let tokens: TokenServer;
  let registry: TestRegistry;
  let privateRepo: string;
  let publicRepo: string;
  let privateRef: string;
  let publicRef: string;
  let loginConfig: string;
  let scratch: string;

  const action = async (name: string, inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<ActionRun> => {
    const run = await runAction(inputs, { DOCKER_CONFIG: join(scratch, 'no-docker-config'), ...env });
    runs.push({ name, run });
    return run;
  };
  const configDir = async (name: string, config: object): Promise<string> => {
    const dir = join(scratch, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    return dir;
  };
  const errorLines = (run: ActionRun) => run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
  const tokenRequestsDuring = async (fn: () => Promise<ActionRun>) => {
    const from = tokens.requests.length;
    const run = await fn();
    return { run, requests: tokens.requests.slice(from) };
  };

  before(async () => {
    await requireDaemon();
    scratch = await mkdtemp(join(tmpdir(), 'verify-image-auth-'));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    tokens = await startTokenServer({ users: { [USER]: PASSWORD }, publicRepositories: (r) => r.startsWith('public/'), post: 'oauth' });
    cleanups.push(() => tokens.stop());
    registry = await startRegistry({ token: tokens.registryAuth });
    cleanups.push(() => registry.stop());

    const base = `${uniqueName('vi-auth-base')}:1`;
    await busyboxBase(base);
    cleanups.push(() => removeImage(base));
    privateRepo = uniqueName('private/app');
    publicRepo = uniqueName('public/app');
    privateRef = `${registry.host}/${privateRepo}:1.0`;
    publicRef = `${registry.host}/${publicRepo}:1.0`;
    await buildImage(privateRef, `FROM ${base}\nRUN echo private > /which\n`);
    await buildImage(publicRef, `FROM ${base}\nRUN echo public > /which\n`);
    cleanups.push(() => removeImage(privateRef, publicRef));

    // dockerd itself logs in through the token server and pushes with a pull,push token.
    loginConfig = await dockerLogin(registry.host, USER, PASSWORD);
    cleanups.push(() => rm(loginConfig, { recursive: true, force: true }));
    await pushImage(privateRef, { env: { DOCKER_CONFIG: loginConfig } });
    await pushImage(publicRef, { env: { DOCKER_CONFIG: loginConfig } });
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('denies an anonymous pull of a private repository and says how to log in', async () => {
    const { run, requests } = await tokenRequestsDuring(() => action('anonymous private', { image: privateRef }));
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.outputs.verified, 'false');
    assert.deepEqual(errorLines(run), [
      `::error::${registry.host} requires authentication to pull ${privateRepo} (UNAUTHORIZED: authentication required): log in first (docker/login-action or docker login) or set the username and password inputs`,
    ]);
    // Docker Hub style: the token server hands an anonymous token with no access; the registry says 401.
    assert.ok(requests.length >= 1);
    assert.ok(requests.every((r) => r.method === 'GET' && !r.credentialsSent && r.status === 200));
    assert.deepEqual([...new Set(requests.flatMap((r) => r.scopes))], [`repository:${privateRepo}:pull`]);
    const cli = await runCli([privateRef], { DOCKER_CONFIG: join(scratch, 'no-docker-config') });
    assert.equal(cli.code, 2);
    // The report's sentence wraps at the width: read it as one line.
    assert.match((cli.stderr + cli.stdout).replace(/\s+/g, ' '), /requires authentication to pull/);
  });

  it('pulls a public repository anonymously, Docker Hub style', async () => {
    const { run, requests } = await tokenRequestsDuring(() => action('anonymous public', { image: publicRef }));
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verified, 'true');
    assert.match(run.stdout, new RegExp(`credentials for ${registry.host.replace(/\./g, '\\.')}: none \\(anonymous\\)`));
    assert.ok(requests.length >= 1 && requests.every((r) => r.method === 'GET' && !r.credentialsSent));
  });

  it('logs in with config.json auths through a POST password grant', async () => {
    const dir = await configDir('plain-auths', { auths: { [registry.host]: { auth: b64(`${USER}:${PASSWORD}`) } } });
    const { run, requests } = await tokenRequestsDuring(() => action('config.json auths', { image: privateRef }, { DOCKER_CONFIG: dir }));
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verified, 'true');
    assert.ok(run.stdout.includes(`credentials for ${registry.host}: from ${join(dir, 'config.json')} (auths)`), run.stdout);
    assert.ok(run.stdout.includes(`::add-mask::${PASSWORD}`));
    assert.ok(run.stdout.includes(`::add-mask::${b64(`${USER}:${PASSWORD}`)}`));
    assert.ok(requests.length >= 1);
    assert.ok(requests.every((r) => r.method === 'POST' && r.grantType === 'password' && r.user === USER), JSON.stringify(requests));
    assert.deepEqual([...new Set(requests.flatMap((r) => r.scopes))], [`repository:${privateRepo}:pull`]);
  });

  it('uses the identity token that docker login stored, as an OAuth refresh token', async () => {
    tokens.configure({ refreshTokens: true });
    let config: string;
    try {
      config = await dockerLogin(registry.host, USER, PASSWORD);
    } finally {
      tokens.configure({ refreshTokens: false });
    }
    cleanups.push(() => rm(config, { recursive: true, force: true }));
    const { run, requests } = await tokenRequestsDuring(() => action('identitytoken', { image: privateRef }, { DOCKER_CONFIG: config }));
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verified, 'true');
    assert.ok(requests.length >= 1 && requests.every((r) => r.method === 'POST' && r.grantType === 'refresh_token' && r.user === USER), JSON.stringify(requests));
  });

  it('logs in through a docker-credential helper script on PATH', async () => {
    const bin = join(scratch, 'helper-bin');
    await mkdir(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-vitest');
    // The helper protocol: `get`, the server key on stdin, JSON on stdout; anything else is "not found".
    await writeFile(
      helper,
      `#!/bin/sh
[ "$1" = get ] || exit 3
key=$(cat)
if [ "$key" = "${registry.host}" ]; then
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$key" "${USER}" "${PASSWORD}"
else
  echo "credentials not found in native keychain"; exit 1
fi
`,
    );
    await chmod(helper, 0o755);
    const dir = await configDir('helper', { credHelpers: { [registry.host]: 'vitest' }, auths: { [registry.host]: {} } });
    const run = await action('credential helper', { image: privateRef }, { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH ?? ''}` });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(run.outputs.verified, 'true');
    assert.ok(run.stdout.includes(`credentials for ${registry.host}: from credential helper docker-credential-vitest`), run.stdout);
    assert.ok(run.stdout.includes(`::add-mask::${PASSWORD}`));
  });

  it('logs in with DOCKER_AUTH_CONFIG, ahead of config.json', async () => {
    const wrong = await configDir('wrong-auths', { auths: { [registry.host]: { auth: b64(`${USER}:not-the-password`) } } });
    const run = await action(
      'DOCKER_AUTH_CONFIG',
      { image: privateRef },
      { DOCKER_CONFIG: wrong, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [registry.host]: { auth: b64(`${USER}:${PASSWORD}`) } } }) },
    );
    assert.equal(run.code, 0, run.stdout);
    assert.ok(run.stdout.includes(`credentials for ${registry.host}: from DOCKER_AUTH_CONFIG`), run.stdout);
  });

  it('sends a config.json registrytoken as the Bearer token, without asking the token server', async () => {
    const res = await fetch(`${tokens.realm}?service=${tokens.service}&scope=repository:${privateRepo}:pull`, {
      headers: { authorization: `Basic ${b64(`${USER}:${PASSWORD}`)}` },
    });
    const { token } = (await res.json()) as { token: string };
    const dir = await configDir('registrytoken', { auths: { [registry.host]: { registrytoken: token } } });
    const { run, requests } = await tokenRequestsDuring(() => action('registrytoken', { image: privateRef }, { DOCKER_CONFIG: dir }));
    assert.equal(run.code, 0, run.stdout);
    assert.deepEqual(requests, []);
    assert.ok(run.stdout.includes(`::add-mask::${token}`));
  });

  for (const status of [404, 405, 400, 401]) {
    it(`falls back to GET with Basic when the token server answers POST with ${status}`, async () => {
      tokens.configure({ post: status, tokenField: 'token' });
      try {
        const { run, requests } = await tokenRequestsDuring(() =>
          action(`POST ${status}`, { image: privateRef, username: USER, password: PASSWORD }),
        );
        assert.equal(run.code, 0, run.stdout);
        assert.equal(run.outputs.verified, 'true');
        assert.equal(requests[0]?.method, 'POST');
        assert.equal(requests[0]?.status, status);
        assert.ok(requests.some((r) => r.method === 'GET' && r.user === USER && r.status === 200), JSON.stringify(requests));
      } finally {
        tokens.configure({ post: 'oauth', tokenField: 'both' });
      }
    });
  }

  it('reads access_token when the server sends no token field', async () => {
    tokens.configure({ tokenField: 'access_token' });
    try {
      const run = await action('access_token', { image: privateRef, username: USER, password: PASSWORD });
      assert.equal(run.code, 0, run.stdout);
    } finally {
      tokens.configure({ tokenField: 'both' });
    }
  });

  it('rejects wrong credentials with what to do, without echoing them', async () => {
    const run = await action('wrong password', { image: privateRef, username: USER, password: 'definitely-wrong-pw' });
    assert.equal(run.code, 1);
    assert.equal(run.outputs.verified, 'false');
    assert.deepEqual(errorLines(run), [
      `::error::the token server of ${registry.host} rejected the credentials from inputs (UNAUTHORIZED: incorrect username or password): check the username and password or token`,
    ]);
    assert.ok(!visible(run.stdout).includes('definitely-wrong-pw'));
  });

  describe('behind a proxy', () => {
    let proxy: FaultProxy;
    before(async () => {
      proxy = await startFaultProxy({ upstream: `http://${registry.host}` });
      cleanups.push(() => proxy.stop());
    });
    const viaProxy = () => `${proxy.host}/${privateRepo}:1.0`;

    it('asks for repository:NAME:pull even when the challenge carries a placeholder scope (GHCR)', async () => {
      proxy.setRules([
        {
          path: /^\/v2\/$/,
          times: Infinity,
          fault: { kind: 'challenge', rewrite: (v) => `${v},scope="repository:user/image:pull"` },
        },
      ]);
      const { run, requests } = await tokenRequestsDuring(() =>
        action('GHCR placeholder scope', { image: viaProxy(), 'local-image': privateRef, username: USER, password: PASSWORD }),
      );
      assert.equal(run.code, 0, run.stdout);
      assert.ok(proxy.hits.some((h) => h.fault === 'challenge'), 'the placeholder was sent');
      assert.deepEqual([...new Set(requests.flatMap((r) => r.scopes))], [`repository:${privateRepo}:pull`]);
    });

    it('re-authenticates once when a token expires mid-run', async () => {
      proxy.setRules([
        {
          method: 'GET',
          path: /\/blobs\//,
          fault: {
            kind: 'status',
            status: 401,
            headers: { 'www-authenticate': `Bearer realm="${tokens.realm}",service="${tokens.service}",error="invalid_token"` },
          },
        },
      ]);
      const { run, requests } = await tokenRequestsDuring(() =>
        action('expired token', { image: viaProxy(), 'local-image': privateRef, username: USER, password: PASSWORD }),
      );
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.verified, 'true');
      assert.equal(requests.length, 2, 'one token, then one more after the 401');
      const blobHits = proxy.hits.filter((h) => h.path.includes('/blobs/'));
      assert.deepEqual(blobHits.map((h) => h.fault), ['status', undefined]);
    });

    it('gives up after one re-authentication when every token is refused', async () => {
      proxy.setRules([
        {
          method: 'GET',
          path: /\/manifests\//,
          times: Infinity,
          fault: {
            kind: 'status',
            status: 401,
            headers: { 'www-authenticate': `Bearer realm="${tokens.realm}",service="${tokens.service}",error="invalid_token"` },
            body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'token expired' }] }),
          },
        },
      ]);
      const run = await action('expired token always', { image: viaProxy(), 'local-image': privateRef, username: USER, password: PASSWORD });
      assert.equal(run.code, 1);
      assert.equal(run.outputs.verified, 'false');
      assert.deepEqual(errorLines(run), [
        `::error::${proxy.host} rejected the credentials from inputs for ${privateRepo} (UNAUTHORIZED: token expired): check the username and password or token and that it may pull this repository`,
      ]);
      assert.equal(proxy.hits.filter((h) => h.path.includes('/manifests/')).length, 2);
    });
  });

  describe('an https registry', () => {
    let cert: TestCertificate;
    let registryFront: FaultProxy;
    let tokenFront: FaultProxy;
    let ip: string;

    before(async () => {
      ip = nonLoopbackAddress();
      cert = await makeCertificate('verify-image test registry', [ip]);
      cleanups.push(() => cert.remove());
      registryFront = await startFaultProxy({ upstream: `http://${registry.host}`, tls: cert, listenHost: ip });
      cleanups.push(() => registryFront.stop());
      tokenFront = await startFaultProxy({ upstream: tokens.realm.replace(/\/token$/, ''), tls: cert, listenHost: ip });
      cleanups.push(() => tokenFront.stop());
    });
    const ref = () => `${registryFront.host}/${privateRepo}:1.0`;
    const httpsRealm = () => ({
      path: /^\/v2\//,
      times: Infinity,
      fault: { kind: 'challenge' as const, rewrite: (v: string) => v.replace(tokens.realm, `${tokenFront.url}/token`) },
    });

    it('logs in over https when the realm is https', async () => {
      registryFront.setRules([httpsRealm()]);
      const run = await action('https realm', { image: ref(), 'local-image': privateRef, username: USER, password: PASSWORD }, { NODE_EXTRA_CA_CERTS: cert.certPath });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.verified, 'true');
      assert.ok(tokenFront.hits.some((h) => h.method === 'POST'), 'the token came through the https realm');
    });

    it('refuses to send credentials to a plain-http realm of an https registry', async () => {
      registryFront.setRules([]);
      const { run, requests } = await tokenRequestsDuring(() =>
        action('http realm', { image: ref(), 'local-image': privateRef, username: USER, password: PASSWORD }, { NODE_EXTRA_CA_CERTS: cert.certPath }),
      );
      assert.equal(run.code, 1);
      assert.equal(run.outputs.verified, 'false');
      assert.deepEqual(errorLines(run), [
        `::error::registry ${registryFront.host} sends us to a token server over plain http (${new URL(tokens.realm).host}); refusing to send credentials unencrypted: fix the registry's token realm, or list ${registryFront.host} in insecure-registries if this network is trusted`,
      ]);
      assert.deepEqual(requests, [], 'the token server never heard from us');
    });

    it('says what to do when the certificate is not trusted', async () => {
      registryFront.setRules([httpsRealm()]);
      const run = await action('untrusted certificate', { image: ref(), 'local-image': privateRef, username: USER, password: PASSWORD });
      assert.equal(run.code, 1);
      assert.match(errorLines(run)[0] ?? '', /::error::the TLS certificate of .* is not trusted \(\w+\): give the registry a certificate from a trusted CA, or point NODE_EXTRA_CA_CERTS at its CA/);
    });
  });

  describe('hostile token servers and credential helpers', () => {
    // A password whose URL-encoded, form-encoded and base64 forms all differ from it.
    const ODD_USER = 'odd-bot';
    const ODD_PASSWORD = `Odd+pw/${Math.random().toString(36).slice(2)}=&?: é`;
    const oddSecrets = [ODD_PASSWORD, `${ODD_USER}:${ODD_PASSWORD}`];
    let front: HostileTokenFront;
    let proxy: FaultProxy;

    before(async () => {
      tokens.configure({ users: { [USER]: PASSWORD, [ODD_USER]: ODD_PASSWORD } });
      front = await startHostileTokenFront(tokens.realm, { kind: 'echo' });
      cleanups.push(() => front.stop());
      proxy = await startFaultProxy({ upstream: `http://${registry.host}` });
      cleanups.push(() => proxy.stop());
      // The registry sends us to the hostile realm instead of the real one.
      proxy.setRules([{ path: /^\/v2\//, times: Infinity, fault: { kind: 'challenge', rewrite: (v) => v.replace(tokens.realm, front.realm) } }]);
    });
    const viaProxy = () => `${proxy.host}/${privateRepo}:1.0`;
    /** Everything a person or a later step could see of a run. */
    const everything = (run: ActionRun) => [visible(run.stdout), run.stderr, run.summary, JSON.stringify(run.report ?? {}), JSON.stringify(run.outputs)].join('\n');
    const assertNoLeak = (name: string, text: string) => {
      const leak = findLeak(text, oddSecrets);
      assert.equal(leak, undefined, `${name}: ${leak ?? ''}`);
    };
    const collectedText = () => JSON.stringify(front.collected);

    it('follows a 302 of the password POST to another origin as a GET without the form, then falls back to GET with Basic', async () => {
      front.mode = { kind: 'redirect', status: 302 };
      front.collected.length = 0;
      const run = await action('POST 302 across origins', { image: viaProxy(), 'local-image': privateRef, username: ODD_USER, password: ODD_PASSWORD });
      assert.equal(run.code, 0, run.stdout);
      assert.equal(run.outputs.verified, 'true');
      assert.ok(front.posts > 0, 'the POST was made');
      assert.ok(front.collected.length > 0, 'the redirect was followed');
      for (const request of front.collected) {
        assert.equal(request.method, 'GET');
        assert.equal(request.body, '');
        assert.equal(request.headers.authorization, undefined);
        assert.equal(request.headers['content-type'], undefined);
      }
      assertNoLeak('the other origin', collectedText());
      assertNoLeak('POST 302', everything(run));
    });

    it('refuses a 307 of the password POST to another origin: the form is never resent', async () => {
      front.mode = { kind: 'redirect', status: 307 };
      front.collected.length = 0;
      const run = await action('POST 307 across origins', { image: viaProxy(), 'local-image': privateRef, username: ODD_USER, password: ODD_PASSWORD });
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verified, 'false');
      const errors = errorLines(run);
      assert.equal(errors.length, 1, run.stdout);
      assert.match(errors[0] ?? '', /::error::127\.0\.0\.1:\d+ redirected a POST to http:\/\/127\.0\.0\.1:\d+\/token to another origin \(127\.0\.0\.1:\d+, HTTP 307\); refusing to resend its body, which may hold credentials: fix the server's redirect$/);
      assert.deepEqual(front.collected, [], 'the other origin heard nothing');
      assertNoLeak('POST 307', everything(run));
    });

    it('never shows a password that the token server echoes back in its error body, in any form', async () => {
      front.mode = { kind: 'echo' };
      const run = await action('token server echoes the form', { image: viaProxy(), 'local-image': privateRef, username: ODD_USER, password: ODD_PASSWORD });
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verified, 'false');
      const errors = errorLines(run);
      assert.equal(errors.length, 1, run.stdout);
      assert.match(errors[0] ?? '', new RegExp(`^::error::the token server of ${proxy.host.replace(/\./g, '\\.')} rejected the credentials from inputs \\(HTTP 403: invalid request .*\\): check the username and password or token$`));
      assertNoLeak('echo (action)', everything(run));
      assert.ok((run.report as { images?: { error?: string }[] } | undefined)?.images?.[0]?.error?.includes('***'), 'the report says something was hidden');

      const cli = await runCli([viaProxy(), '--local', privateRef, '--username', ODD_USER], {
        DOCKER_CONFIG: join(scratch, 'no-docker-config'),
        VERIFY_IMAGE_PASSWORD: ODD_PASSWORD,
      });
      assert.equal(cli.code, 2);
      assert.match((cli.stderr + cli.stdout).replace(/\s+/g, ' '), /rejected the credentials/);
      assertNoLeak('echo (CLI text)', `${cli.stdout}\n${cli.stderr}`);
      const json = await runCli([viaProxy(), '--local', privateRef, '--username', ODD_USER, '--json'], {
        DOCKER_CONFIG: join(scratch, 'no-docker-config'),
        VERIFY_IMAGE_PASSWORD: ODD_PASSWORD,
      });
      assertNoLeak('echo (CLI JSON)', `${json.stdout}\n${json.stderr}`);
    });

    it('never quotes a failing credential helper\'s stdout, and scrubs its stderr', async () => {
      const bin = join(scratch, 'leaky-bin');
      await mkdir(bin, { recursive: true });
      const helper = join(bin, 'docker-credential-leaky');
      // Exit 1 with the whole answer on stdout and the secret, raw and base64, on stderr.
      await writeFile(
        helper,
        `#!/bin/sh
cat >/dev/null
printf '%s' '{"ServerURL":"${registry.host}","Username":"${ODD_USER}","Secret":"${ODD_PASSWORD}"}'
printf 'error: keychain refused token %s (%s)\\n' '${ODD_PASSWORD}' '${b64(`${ODD_USER}:${ODD_PASSWORD}`)}' >&2
exit 1
`,
      );
      await chmod(helper, 0o755);
      const dir = await configDir('leaky-helper', { credHelpers: { [registry.host]: 'leaky' } });
      const run = await action('leaky credential helper', { image: privateRef }, { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH ?? ''}` });
      assert.equal(run.code, 1, run.stdout);
      assert.equal(run.outputs.verified, 'false');
      const errors = errorLines(run);
      assert.equal(errors.length, 1, run.stdout);
      assert.match(errors[0] ?? '', /^::error::credential helper docker-credential-leaky \(named in .*, asked for .*\) failed \(exit code 1\): error: keychain refused token \*\*\* \(\*\*\*\)$/);
      assertNoLeak('leaky helper', everything(run));
    });
  });

  it('never shows a credential outside ::add-mask:: lines, in the summary or in the report', () => {
    assert.ok(runs.length >= 10, `only ${runs.length} runs recorded`);
    const secrets = [PASSWORD, b64(`${USER}:${PASSWORD}`), ...tokens.issued];
    for (const { name, run } of runs) {
      const shown = [visible(run.stdout), run.stderr, run.summary, JSON.stringify(run.report ?? {}), JSON.stringify(run.outputs)].join('\n');
      for (const secret of secrets) assert.ok(!shown.includes(secret), `${name}: a credential is visible`);
      assert.doesNotMatch(shown, /\n\s+at .*\(.*:\d+:\d+\)/, `${name}: a stack trace`);
    }
  });
});
