// Tests of credential discovery against temporary config.json files and a fake credential helper.
// Never reads the real home directory or environment: every call gets its own env and homeDir.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VerifyImageError, type ErrorCode } from '../../src/errors.js';
import { configKeyFor, resolveCredential, secretsOf, type Credential, type CredentialOptions } from '../../src/registry/credentials.js';

const root = await mkdtemp(join(tmpdir(), 'verify-image-credentials-'));
after(() => rm(root, { recursive: true, force: true }));

const b64 = (text: string): string => Buffer.from(text).toString('base64');

// A docker-credential-helpers compatible fake: answers depend on the server key read from stdin.
const bin = join(root, 'bin');
await mkdir(bin);
await writeFile(
  join(bin, 'docker-credential-test'),
  `#!/bin/sh
[ "$1" = get ] || { echo "unexpected action: $1" >&2; exit 3; }
key=$(cat)
case "$key" in
  ghcr.io) printf '%s' '{"ServerURL":"ghcr.io","Username":"octo","Secret":"helper-secret"}' ;;
  https://index.docker.io/v1/) printf '%s' '{"ServerURL":"https://index.docker.io/v1/","Username":"hubuser","Secret":"hub-secret"}' ;;
  token.example) printf '%s' '{"ServerURL":"token.example","Username":"<token>","Secret":"refresh-123"}' ;;
  broken.example) echo "gpg: decryption failed: No secret key" >&2; exit 1 ;;
  garbage.example) echo 'Username: octo Secret: leaked-secret'; exit 0 ;;
  leaky.example) printf '%s' '{"ServerURL":"leaky.example","Username":"octo","Secret":"leaky+Secret/0123=x"}'; echo "error: token leaky+Secret/0123=x (bGVha3krU2VjcmV0LzAxMjM9eA==) rejected" >&2; exit 1 ;;
  stdout.example) printf '%s' '{"ServerURL":"stdout.example","Username":"octo","Secret":"stdout-only-secret"}'; exit 2 ;;
  opaque.example) echo "refusing ghp_AbCdEfGh0123456789IjKlMnOp for /usr/local/bin/docker-credential-pass" >&2; exit 1 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
);
await chmod(join(bin, 'docker-credential-test'), 0o755);
const PATH = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;

let homes = 0;
/** A fresh home directory whose .docker/config.json holds `config` (a string is written as is). */
async function homeWith(config: unknown): Promise<{ homeDir: string; file: string }> {
  const homeDir = join(root, `home-${++homes}`);
  await mkdir(join(homeDir, '.docker'), { recursive: true });
  const file = join(homeDir, '.docker', 'config.json');
  if (config !== undefined) await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
  return { homeDir, file };
}

async function resolveWith(config: unknown, registry: string, extra: CredentialOptions = {}): Promise<{ got: Credential | undefined; file: string }> {
  const { homeDir, file } = await homeWith(config);
  const got = await resolveCredential(registry, { homeDir, ...extra, env: { PATH, ...extra.env } });
  return { got, file };
}

type Fields = Omit<Credential, 'source'>;
interface FileCase {
  name: string;
  config: unknown;
  registry: string;
  want: (Fields & { from: 'auths' | 'helper' }) | undefined;
}

const fileCases: FileCase[] = [
  { name: 'auths auth, split at the first colon', config: { auths: { 'ghcr.io': { auth: b64('octo:pa:ss') } } }, registry: 'ghcr.io', want: { username: 'octo', password: 'pa:ss', from: 'auths' } },
  { name: 'auths username + password', config: { auths: { 'ghcr.io': { username: 'u', password: 'p' } } }, registry: 'ghcr.io', want: { username: 'u', password: 'p', from: 'auths' } },
  { name: 'auths auth wins over username + password', config: { auths: { 'ghcr.io': { auth: b64('a:b'), username: 'u', password: 'p' } } }, registry: 'ghcr.io', want: { username: 'a', password: 'b', from: 'auths' } },
  { name: 'auths identitytoken', config: { auths: { 'reg.example': { username: 'u', identitytoken: 'id-tok' } } }, registry: 'reg.example', want: { username: 'u', identityToken: 'id-tok', from: 'auths' } },
  { name: 'auths registrytoken', config: { auths: { 'reg.example': { registrytoken: 'reg-tok' } } }, registry: 'reg.example', want: { registryToken: 'reg-tok', from: 'auths' } },
  { name: 'Docker Hub: docker.io finds https://index.docker.io/v1/', config: { auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } }, registry: 'docker.io', want: { username: 'hub', password: 'pw', from: 'auths' } },
  { name: 'Docker Hub: registry-1.docker.io finds the same key', config: { auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } }, registry: 'registry-1.docker.io', want: { username: 'hub', password: 'pw', from: 'auths' } },
  { name: 'Docker Hub: a legacy docker.io key', config: { auths: { 'docker.io': { auth: b64('hub:pw') } } }, registry: 'docker.io', want: { username: 'hub', password: 'pw', from: 'auths' } },
  { name: 'legacy key with scheme and path', config: { auths: { 'https://ghcr.io/v1/': { auth: b64('old:pw') } } }, registry: 'ghcr.io', want: { username: 'old', password: 'pw', from: 'auths' } },
  { name: 'legacy key with scheme and port', config: { auths: { 'http://127.0.0.1:5000': { auth: b64('local:pw') } } }, registry: '127.0.0.1:5000', want: { username: 'local', password: 'pw', from: 'auths' } },
  { name: 'the exact key wins over a legacy one', config: { auths: { 'https://ghcr.io': { auth: b64('legacy:pw') }, 'ghcr.io': { auth: b64('exact:pw') } } }, registry: 'ghcr.io', want: { username: 'exact', password: 'pw', from: 'auths' } },
  { name: 'a different port does not match', config: { auths: { '127.0.0.1:5000': { auth: b64('local:pw') } } }, registry: '127.0.0.1:5001', want: undefined },
  { name: 'another registry only', config: { auths: { 'quay.io': { auth: b64('q:pw') } } }, registry: 'ghcr.io', want: undefined },
  { name: 'an empty entry, as docker login leaves behind', config: { auths: { 'ghcr.io': {} } }, registry: 'ghcr.io', want: undefined },
  { name: 'a user name alone', config: { auths: { 'ghcr.io': { username: 'u' } } }, registry: 'ghcr.io', want: undefined },
  { name: 'an empty file', config: '', registry: 'ghcr.io', want: undefined },
  { name: 'no file at all', config: undefined, registry: 'ghcr.io', want: undefined },
  { name: 'credHelpers wins over auths', config: { credHelpers: { 'ghcr.io': 'test' }, auths: { 'ghcr.io': { auth: b64('file:pw') } } }, registry: 'ghcr.io', want: { username: 'octo', password: 'helper-secret', from: 'helper' } },
  { name: 'credHelpers wins over credsStore', config: { credHelpers: { 'ghcr.io': 'test' }, credsStore: 'absent' }, registry: 'ghcr.io', want: { username: 'octo', password: 'helper-secret', from: 'helper' } },
  { name: 'credHelpers under a legacy key', config: { credHelpers: { 'https://ghcr.io': 'test' } }, registry: 'ghcr.io', want: { username: 'octo', password: 'helper-secret', from: 'helper' } },
  { name: 'credHelpers for another registry falls to auths', config: { credHelpers: { 'quay.io': 'absent' }, auths: { 'ghcr.io': { auth: b64('file:pw') } } }, registry: 'ghcr.io', want: { username: 'file', password: 'pw', from: 'auths' } },
  { name: 'an empty credHelpers name means the file, not credsStore (as docker/cli)', config: { credHelpers: { 'ghcr.io': '' }, credsStore: 'absent', auths: { 'ghcr.io': { auth: b64('file:pw') } } }, registry: 'ghcr.io', want: { username: 'file', password: 'pw', from: 'auths' } },
  { name: 'credsStore wins over auths (as docker/cli)', config: { credsStore: 'test', auths: { 'ghcr.io': { auth: b64('file:pw') } } }, registry: 'ghcr.io', want: { username: 'octo', password: 'helper-secret', from: 'helper' } },
  { name: 'credsStore is asked with Docker Hub\'s key', config: { credsStore: 'test' }, registry: 'docker.io', want: { username: 'hubuser', password: 'hub-secret', from: 'helper' } },
  { name: 'helper <token> user name means an identity token', config: { credsStore: 'test' }, registry: 'token.example', want: { identityToken: 'refresh-123', from: 'helper' } },
  { name: 'helper "credentials not found" means none, without falling back to auths', config: { credsStore: 'test', auths: { 'other.example': { auth: b64('file:pw') } } }, registry: 'other.example', want: undefined },
];

for (const c of fileCases) {
  test(`resolveCredential from config.json: ${c.name}`, async () => {
    const { got, file } = await resolveWith(c.config, c.registry);
    if (c.want === undefined) {
      assert.equal(got, undefined);
      return;
    }
    const { from, ...fields } = c.want;
    const source = from === 'auths' ? `${file} (auths)` : 'credential helper docker-credential-test';
    assert.deepEqual(got, { ...fields, source });
  });
}

test('resolveCredential: inputs win over DOCKER_AUTH_CONFIG and config.json', async () => {
  const { got } = await resolveWith({ auths: { 'ghcr.io': { auth: b64('file:pw') } } }, 'ghcr.io', {
    username: 'in-user',
    password: 'in-pass',
    env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'ghcr.io': { auth: b64('env:pw') } } }) },
  });
  assert.deepEqual(got, { username: 'in-user', password: 'in-pass', source: 'inputs' });
});

test('resolveCredential: empty inputs count as not given', async () => {
  const { got, file } = await resolveWith({ auths: { 'ghcr.io': { auth: b64('file:pw') } } }, 'ghcr.io', { username: '', password: '' });
  assert.deepEqual(got, { username: 'file', password: 'pw', source: `${file} (auths)` });
});

test('resolveCredential: DOCKER_AUTH_CONFIG wins over config.json', async () => {
  const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('env:pw') } } }) };
  const { got } = await resolveWith({ credsStore: 'test' }, 'docker.io', { env });
  assert.deepEqual(got, { username: 'env', password: 'pw', source: 'DOCKER_AUTH_CONFIG' });
});

test('resolveCredential: DOCKER_AUTH_CONFIG without an entry for the registry falls through to config.json', async () => {
  const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'quay.io': { auth: b64('env:pw') } } }) };
  const { got, file } = await resolveWith({ auths: { 'ghcr.io': { auth: b64('file:pw') } } }, 'ghcr.io', { env });
  assert.deepEqual(got, { username: 'file', password: 'pw', source: `${file} (auths)` });
});

test('resolveCredential: DOCKER_CONFIG wins over the home directory', async () => {
  const other = await homeWith({ auths: { 'ghcr.io': { auth: b64('docker-config:pw') } } });
  const dockerConfig = join(other.homeDir, '.docker');
  const { got } = await resolveWith({ auths: { 'ghcr.io': { auth: b64('home:pw') } } }, 'ghcr.io', { env: { DOCKER_CONFIG: dockerConfig } });
  assert.deepEqual(got, { username: 'docker-config', password: 'pw', source: `${other.file} (auths)` });
});

interface ErrorCase {
  name: string;
  config: unknown;
  registry: string;
  options?: CredentialOptions;
  code: ErrorCode;
  /** Patterns the message must match; `FILE` is replaced by the config file path. */
  says: (string | RegExp)[];
  /** Secrets that must never appear in the message. */
  hides?: string[];
}

const errorCases: ErrorCase[] = [
  { name: 'only a username input', config: undefined, registry: 'ghcr.io', options: { username: 'octo' }, code: 'input', says: [/both username and password/, /password is empty/] },
  { name: 'only a password input', config: undefined, registry: 'ghcr.io', options: { password: 'hunter2' }, code: 'input', says: [/username is empty/], hides: ['hunter2'] },
  { name: 'malformed config.json', config: `{"auths":{"ghcr.io":{"auth":"${b64('octo:s3cr3t')}"}}`, registry: 'ghcr.io', code: 'input', says: ['FILE', /is not valid JSON/, /DOCKER_CONFIG/], hides: [b64('octo:s3cr3t'), 's3cr3t'] },
  // V8 quotes the text around an unexpected token ("..."password":s3cr3t}}}" is not valid JSON).
  { name: 'malformed config.json with a bare secret as the unexpected token', config: '{"auths":{"ghcr.io":{"password":s3cr3t}}}', registry: 'ghcr.io', code: 'input', says: ['FILE', /is not valid JSON/], hides: ['s3cr3t'] },
  { name: 'malformed config.json reports where', config: `{"auths":{"ghcr.io":{"password":"s3cr3t" "x"}}}`, registry: 'ghcr.io', code: 'input', says: ['FILE', /line 1 column \d+/], hides: ['s3cr3t'] },
  { name: 'malformed DOCKER_AUTH_CONFIG', config: undefined, registry: 'ghcr.io', options: { env: { DOCKER_AUTH_CONFIG: `{"auths":{"ghcr.io":{"password":"s3cr3t"}` } }, code: 'input', says: [/^DOCKER_AUTH_CONFIG is not valid JSON/], hides: ['s3cr3t'] },
  { name: 'auths of the wrong type', config: { auths: ['ghcr.io'] }, registry: 'ghcr.io', code: 'input', says: ['FILE', /"auths" has the wrong type/] },
  { name: 'auth that is not base64 of user:pass', config: { auths: { 'ghcr.io': { auth: b64('no-colon-s3cr3t') } } }, registry: 'ghcr.io', code: 'input', says: ['FILE', /auths\["ghcr.io"\]\.auth is not base64/], hides: [b64('no-colon-s3cr3t'), 's3cr3t'] },
  { name: 'a password that is not a string', config: { auths: { 'ghcr.io': { password: 12345 } } }, registry: 'ghcr.io', code: 'input', says: [/auths\["ghcr.io"\]\.password is not a string/], hides: ['12345'] },
  { name: 'a helper that fails', config: { credsStore: 'test' }, registry: 'broken.example', code: 'auth', says: [/docker-credential-test/, /broken\.example/, /exit code 1/, /decryption failed/] },
  { name: 'a helper answering something that is not JSON', config: { credsStore: 'test' }, registry: 'garbage.example', code: 'auth', says: [/docker-credential-test/, /"Secret"/], hides: ['leaked-secret'] },
  // A failing helper's stdout is never quoted; its stderr only without the secrets stdout gave away.
  { name: 'a leaky helper (JSON on stdout, the secret on stderr, exit 1)', config: { credsStore: 'test' }, registry: 'leaky.example', code: 'auth', says: [/exit code 1/, /error: token \*\*\* \(\*\*\*\) rejected/], hides: ['leaky+Secret/0123=x', b64('leaky+Secret/0123=x'), encodeURIComponent('leaky+Secret/0123=x'), 'Secret'] },
  { name: 'a failing helper with only stdout', config: { credsStore: 'test' }, registry: 'stdout.example', code: 'auth', says: [/failed \(exit code 2\)$/], hides: ['stdout-only-secret', 'Username'] },
  { name: 'a failing helper whose stderr holds an unknown token', config: { credsStore: 'test' }, registry: 'opaque.example', code: 'auth', says: [/refusing \*\*\* for \/usr\/local\/bin\/docker-credential-pass/], hides: ['ghp_AbCdEfGh0123456789IjKlMnOp'] },
  { name: 'a helper that is not on PATH', config: { credHelpers: { 'ghcr.io': 'absent' } }, registry: 'ghcr.io', code: 'auth', says: [/docker-credential-absent/, /not on PATH/, 'FILE'] },
  { name: 'a helper name that is a path', config: { credsStore: '../../bin/sh' }, registry: 'ghcr.io', code: 'input', says: [/not a valid helper name/] },
];

for (const c of errorCases) {
  test(`resolveCredential fails clearly: ${c.name}`, async () => {
    const { homeDir, file } = await homeWith(c.config);
    const options = { homeDir, ...c.options, env: { PATH, ...c.options?.env } };
    await assert.rejects(resolveCredential(c.registry, options), (err: unknown) => {
      assert.ok(err instanceof VerifyImageError, String(err));
      assert.equal(err.code, c.code);
      assert.doesNotMatch(err.message, /[\r\n]/);
      for (const expected of c.says) {
        if (expected === 'FILE') assert.ok(err.message.includes(file), err.message);
        else if (typeof expected === 'string') assert.ok(err.message.includes(expected), err.message);
        else assert.match(err.message, expected);
      }
      for (const secret of c.hides ?? []) assert.ok(!err.message.includes(secret), `secret leaked into: ${err.message}`);
      return true;
    });
  });
}

test('resolveCredential fails clearly: a config.json that cannot be read', async () => {
  const { homeDir, file } = await homeWith(undefined);
  await mkdir(file); // a directory where the file should be
  await assert.rejects(resolveCredential('ghcr.io', { homeDir, env: { PATH } }), (err: unknown) => {
    assert.ok(err instanceof VerifyImageError);
    assert.equal(err.code, 'input');
    assert.match(err.message, /^cannot read .*config\.json \(EISDIR\)/);
    return true;
  });
});

const keyCases: [string, string][] = [
  ['docker.io', 'https://index.docker.io/v1/'],
  ['index.docker.io', 'https://index.docker.io/v1/'],
  ['registry-1.docker.io', 'https://index.docker.io/v1/'],
  ['ghcr.io', 'ghcr.io'],
  ['127.0.0.1:5000', '127.0.0.1:5000'],
  ['localhost:5000', 'localhost:5000'],
  ['docker.io.example.com', 'docker.io.example.com'],
];
for (const [registry, key] of keyCases) {
  test(`configKeyFor(${registry})`, () => {
    assert.equal(configKeyFor(registry), key);
  });
}

const secretCases: { name: string; credential: Credential; want: string[] }[] = [
  { name: 'user and password', credential: { username: 'u', password: 'p', source: 's' }, want: ['p', 'u:p', b64('u:p')] },
  { name: 'identity token with a user name', credential: { username: 'u', identityToken: 'id', source: 's' }, want: ['id'] },
  { name: 'registry token', credential: { registryToken: 'rt', source: 's' }, want: ['rt'] },
  { name: 'everything, no duplicates', credential: { username: 'u', password: 'p', identityToken: 'p', registryToken: 'rt', source: 's' }, want: ['p', 'u:p', b64('u:p'), 'rt'] },
];
for (const c of secretCases) {
  test(`secretsOf: ${c.name}`, () => {
    assert.deepEqual(secretsOf(c.credential), c.want);
  });
}
