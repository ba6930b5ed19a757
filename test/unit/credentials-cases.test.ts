// Credential discovery edge cases (issue 16): which config.json shapes are refused, which odd but
// valid keys and values still find their credential, and what a credential helper's odd answers
// and failures turn into. Every case runs against its own temporary home directory and a fake
// docker-credential-* helper; nothing reads the real home directory or environment.

import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { VerifyImageError } from '../../src/errors.js';
import { configKeyFor, resolveCredential, type Credential } from '../../src/registry/credentials.js';

const root = await mkdtemp(join(tmpdir(), 'verify-image-credential-cases-'));
after(() => rm(root, { recursive: true, force: true }));

const b64 = (text: string): string => Buffer.from(text).toString('base64');

// The fake helper: its answer depends on the server key it reads on stdin.
const bin = join(root, 'bin');
await mkdir(bin);
await writeFile(
  join(bin, 'docker-credential-cases'),
  `#!/bin/sh
key=$(cat)
case "$key" in
  no-secret.example) printf '%s' '{"ServerURL":"no-secret.example","Username":"octo"}' ;;
  number-secret.example) printf '%s' '{"ServerURL":"number-secret.example","Username":"octo","Secret":12345}' ;;
  number-user.example) printf '%s' '{"ServerURL":"number-user.example","Username":42,"Secret":"s3cr3t-value"}' ;;
  no-user.example) printf '%s' '{"ServerURL":"no-user.example","Secret":"only-secret"}' ;;
  empty-token.example) printf '%s' '{"ServerURL":"empty-token.example","Username":"<token>","Secret":""}' ;;
  signal.example) kill -KILL $$ ;;
  huge.example) head -c 1100000 /dev/zero | tr '\\0' a; echo; echo "credentials not found in native keychain"; exit 1 ;;
  blank-first.example) printf '\\n   \\n  the vault is sealed  \\nsecond line\\n' >&2; exit 1 ;;
  long.example) i=0; while [ $i -lt 60 ]; do printf 'word ' >&2; i=$((i+1)); done; echo >&2; exit 1 ;;
  pair.example) printf '%s' '{"ServerURL":"pair.example","Username":"octo","Secret":"pa55-w0rd"}'; echo "user octo at pair.example: octo:pa55-w0rd rejected" >&2; exit 1 ;;
  not-json.example) printf '%s' '{"ServerURL":"not-json.example","Secret":"half-written-s3cret",'; echo "rejected half-written-s3cret" >&2; exit 1 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
);
await chmod(join(bin, 'docker-credential-cases'), 0o755);
const PATH = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;

let homes = 0;
/** A fresh home whose .docker/config.json holds `config` (a string is written as is). */
async function homeWith(config: unknown): Promise<{ homeDir: string; file: string }> {
  const homeDir = join(root, `home-${++homes}`);
  await mkdir(join(homeDir, '.docker'), { recursive: true });
  const file = join(homeDir, '.docker', 'config.json');
  if (config !== undefined) await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
  return { homeDir, file };
}

async function resolveWith(config: unknown, registry: string): Promise<{ got: Credential | undefined; file: string }> {
  const { homeDir, file } = await homeWith(config);
  return { got: await resolveCredential(registry, { homeDir, env: { PATH } }), file };
}

async function failureOf(config: unknown, registry: string): Promise<{ err: VerifyImageError; file: string }> {
  const { homeDir, file } = await homeWith(config);
  try {
    await resolveCredential(registry, { homeDir, env: { PATH } });
  } catch (err) {
    assert.ok(err instanceof VerifyImageError, `not a VerifyImageError: ${String(err)}`);
    assert.doesNotMatch(err.message, /[\r\n]/);
    return { err, file };
  }
  assert.fail('resolveCredential did not fail');
}

// config.json shapes Docker would not accept: refused with the field named, never read as "no credential".
const refused: { name: string; config: string; says: RegExp }[] = [
  { name: 'a JSON array at the top level', config: '[]', says: /"\(top level\)" has the wrong type/ },
  { name: 'null at the top level', config: 'null', says: /"\(top level\)" has the wrong type/ },
  { name: 'a string at the top level', config: '"ghcr.io"', says: /"\(top level\)" has the wrong type/ },
  { name: 'credHelpers as a string', config: JSON.stringify({ credHelpers: 'cases' }), says: /"credHelpers" has the wrong type/ },
  { name: 'credHelpers as an array', config: JSON.stringify({ credHelpers: [] }), says: /"credHelpers" has the wrong type/ },
  { name: 'credHelpers with one name that is not a string', config: JSON.stringify({ credHelpers: { 'ghcr.io': 'cases', 'quay.io': 5 } }), says: /"credHelpers" has the wrong type/ },
  { name: 'credHelpers whose only name is not a string', config: JSON.stringify({ credHelpers: { 'quay.io': true } }), says: /"credHelpers" has the wrong type/ },
  { name: 'credsStore that is not a string', config: JSON.stringify({ credsStore: 5 }), says: /"credsStore" has the wrong type/ },
  { name: 'an auths entry that is a string', config: JSON.stringify({ auths: { 'ghcr.io': b64('octo:pw') } }), says: /auths\["ghcr\.io"\] is not an object/ },
  { name: 'an auths entry that is null', config: JSON.stringify({ auths: { 'ghcr.io': null } }), says: /auths\["ghcr\.io"\] is not an object/ },
  { name: 'auth with an empty user name', config: JSON.stringify({ auths: { 'ghcr.io': { auth: b64(':s3cr3t') } } }), says: /auths\["ghcr\.io"\]\.auth is not base64 of "username:password"/ },
];
for (const c of refused) {
  test(`config.json refused: ${c.name}`, async () => {
    const { err, file } = await failureOf(c.config, 'ghcr.io');
    assert.equal(err.code, 'input');
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    assert.match(err.message, c.says);
    assert.doesNotMatch(err.message, /s3cr3t|b2N0bzpwdw/);
  });
}

test('config.json refused: invalid JSON is located by line and column', async () => {
  const text = '{\n "auths": {\n  "ghcr.io": {"auth": "x"} 2\n}}';
  const { err, file } = await failureOf(text, 'ghcr.io');
  const at = text.indexOf(' 2') + 1;
  const lines = text.slice(0, at).split('\n');
  assert.equal(`line ${lines.length} column ${lines[lines.length - 1].length + 1}`, 'line 3 column 28');
  assert.equal(err.message, `${file} is not valid JSON (error at line 3 column 28): fix or remove it, or set DOCKER_CONFIG to another directory`);
});

test('DOCKER_CONFIG that is a file, not a directory, means no config (ENOTDIR), as Docker', async () => {
  const { file } = await homeWith({ auths: { 'ghcr.io': { auth: b64('octo:pw') } } });
  assert.equal(await resolveCredential('ghcr.io', { env: { PATH, DOCKER_CONFIG: file } }), undefined);
});

// Odd but valid: still the credential of the registry asked for.
const found: { name: string; config: unknown; registry: string; want: Omit<Credential, 'source'> | undefined }[] = [
  { name: 'a config.json of only whitespace', config: ' \n\t\n', registry: 'ghcr.io', want: undefined },
  { name: 'auth with a trailing newline', config: { auths: { 'ghcr.io': { auth: `${b64('octo:pw')}\n` } } }, registry: 'ghcr.io', want: { username: 'octo', password: 'pw' } },
  { name: 'auth with surrounding spaces', config: { auths: { 'ghcr.io': { auth: ` ${b64('octo:pw')} ` } } }, registry: 'ghcr.io', want: { username: 'octo', password: 'pw' } },
  { name: 'a key with surrounding spaces', config: { auths: { ' https://ghcr.io/v1/ ': { auth: b64('spaced:pw') } } }, registry: 'ghcr.io', want: { username: 'spaced', password: 'pw' } },
  { name: 'a spaced key for another host', config: { auths: { ' https://quay.io/ ': { auth: b64('quay:pw') } } }, registry: 'ghcr.io', want: undefined },
  { name: 'empty strings are absent fields', config: { auths: { 'ghcr.io': { auth: '', username: 'u', password: 'p', identitytoken: '', registrytoken: '' } } }, registry: 'ghcr.io', want: { username: 'u', password: 'p' } },
];
for (const c of found) {
  test(`config.json read: ${c.name}`, async () => {
    const { got, file } = await resolveWith(c.config, c.registry);
    assert.deepEqual(got, c.want && { ...c.want, source: `${file} (auths)` });
  });
}

test('configKeyFor: Docker Hub names in any case or with spaces take Docker\'s key; others are kept as given', () => {
  assert.equal(configKeyFor('DOCKER.IO'), 'https://index.docker.io/v1/');
  assert.equal(configKeyFor(' Index.Docker.IO '), 'https://index.docker.io/v1/');
  assert.equal(configKeyFor('GHCR.io'), 'GHCR.io');
});

test('Docker Hub in capitals still finds Docker Hub\'s credential, and only it', async () => {
  const { got, file } = await resolveWith({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') }, 'ghcr.io': { auth: b64('gh:pw') } } }, 'Docker.IO');
  assert.deepEqual(got, { username: 'hub', password: 'pw', source: `${file} (auths)` });
});

test('DOCKER_AUTH_CONFIG of only whitespace is skipped, not an error', async () => {
  const { homeDir, file } = await homeWith({ auths: { 'ghcr.io': { auth: b64('file:pw') } } });
  const got = await resolveCredential('ghcr.io', { homeDir, env: { PATH, DOCKER_AUTH_CONFIG: ' \n ' } });
  assert.deepEqual(got, { username: 'file', password: 'pw', source: `${file} (auths)` });
});

// What a helper's answers become.
const helperAnswers: { name: string; registry: string; want: Omit<Credential, 'source'> | undefined }[] = [
  { name: 'no Username: the secret alone', registry: 'no-user.example', want: { password: 'only-secret' } },
  { name: '<token> with an empty secret: nothing', registry: 'empty-token.example', want: undefined },
];
for (const c of helperAnswers) {
  test(`credential helper answer: ${c.name}`, async () => {
    const { got } = await resolveWith({ credsStore: 'cases' }, c.registry);
    assert.deepEqual(got, c.want && { ...c.want, source: 'credential helper docker-credential-cases' });
  });
}

// Helper answers and failures that must stop the run with an auth error, never become "anonymous".
const helperFailures: { name: string; registry: string; message: string | RegExp; hides?: string[] }[] = [
  { name: 'an answer without Secret', registry: 'no-secret.example', message: /answered with something other than \{"ServerURL","Username","Secret"\} JSON/ },
  { name: 'a Secret that is not a string', registry: 'number-secret.example', message: /answered with something other than/, hides: ['12345'] },
  { name: 'a Username that is not a string', registry: 'number-user.example', message: /answered with something other than/, hides: ['s3cr3t-value'] },
  { name: 'killed by a signal', registry: 'signal.example', message: /failed \(SIGKILL\)$/ },
  { name: 'more than 1 MiB of output, even if it ends in "credentials not found"', registry: 'huge.example', message: /printed more than 1 MiB: check the helper$/ },
  { name: 'stderr whose first lines are blank: the first line with text, trimmed', registry: 'blank-first.example', message: /failed \(exit code 1\): the vault is sealed$/ },
  { name: 'a long stderr line: cut at 200 characters', registry: 'long.example', message: `failed (exit code 1): ${'word '.repeat(40).trim()}` },
  { name: 'stderr quoting user:secret from a JSON answer: the pair scrubbed, the user name and host kept', registry: 'pair.example', message: /failed \(exit code 1\): user octo at pair\.example: \*\*\* rejected$/, hides: ['pa55-w0rd', 'octo:'] },
  { name: 'stderr quoting a secret from stdout that is not JSON', registry: 'not-json.example', message: /failed \(exit code 1\): rejected \*\*\*$/, hides: ['half-written-s3cret'] },
];
for (const c of helperFailures) {
  test(`credential helper fails the run: ${c.name}`, async () => {
    const { err } = await failureOf({ credsStore: 'cases' }, c.registry);
    assert.equal(err.code, 'auth');
    assert.ok(err.message.startsWith(`credential helper docker-credential-cases (named in `), err.message);
    if (typeof c.message === 'string') assert.ok(err.message.endsWith(c.message), err.message);
    else assert.match(err.message, c.message);
    for (const secret of c.hides ?? []) assert.ok(!err.message.includes(secret), `leaked ${secret}: ${err.message}`);
  });
}
