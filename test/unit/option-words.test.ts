// One validation, two audiences: every error the shared option parsers and the engine raise about
// an option names it as the entry point's user writes it — the action's input (`the base-image
// input`), the CLI's flag (`--base`) — through CLI_WORDS at the CLI boundary.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLI_WORDS, USAGE } from '../../src/cli-args.js';
import { ACTION_WORDS, describeError, VerifyImageError, type OptionKey } from '../../src/errors.js';
import { parseBaseImage, parseBuildArgs, parseConcurrency, parseDigest, parseFailOn, parsePlatformSelection, parseRegistryTimeout } from '../../src/options.js';
import { resolveCredential } from '../../src/registry/credentials.js';
import { chooseEntry, type RemoteTop } from '../../src/registry/resolve.js';
import { NO_BASE_MESSAGE } from '../../src/base/drift.js';
import type { VerifyReport } from '../../src/model/report.js';
import { renderAuditText, renderText } from '../../src/report/text.js';

function raised(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  assert.fail('expected an error');
}

const single = {
  reference: 'r/app:1',
  single: { platform: { os: 'linux', architecture: 'amd64' } },
  images: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 1 }],
} as unknown as RemoteTop;

const cases: { what: string; error: () => unknown; action: string | RegExp; cli: string }[] = [
  {
    what: 'a malformed digest',
    error: () => raised(() => parseDigest('sha256:1234')),
    action: 'the digest input "sha256:1234" is not a digest: pass sha256:<64 hex>, e.g. ${{ steps.build.outputs.digest }}',
    cli: '--digest "sha256:1234" is not a digest: pass sha256:<64 hex>',
  },
  {
    what: 'a bad base reference',
    error: () => raised(() => parseBaseImage('Node:22')),
    action: /^the base-image input: invalid image reference "Node:22": .*; or use auto or none$/,
    cli: '--base: invalid image reference',
  },
  { what: 'an unknown fail-on', error: () => raised(() => parseFailOn('bogus')), action: /^fail-on "bogus" is not understood/, cli: '--fail-on "bogus" is not understood' },
  { what: 'never with others', error: () => raised(() => parseFailOn('never,drift')), action: /^fail-on "never,drift" mixes never/, cli: '--fail-on "never,drift" mixes never' },
  { what: 'a bad timeout', error: () => raised(() => parseRegistryTimeout('0')), action: /^registry-timeout "0" is not understood/, cli: '--registry-timeout "0" is not understood' },
  {
    what: 'a bad build argument',
    error: () => raised(() => parseBuildArgs('1X=2')),
    action: 'build-args line "1X=2" does not start with an ARG name: write one NAME=value per line',
    cli: '--build-arg "1X=2" does not start with an ARG name: write NAME=value',
  },
  {
    what: 'a bad concurrency',
    error: () => raised(() => parseConcurrency('deep-concurrency', '99', 32)),
    action: 'the deep-concurrency input "99" is not a number of layers: use a whole number from 1 to 32, or leave it empty for automatic',
    cli: '--concurrency "99" is not a number of layers: use a whole number from 1 to 32',
  },
  { what: 'all among platforms', error: () => raised(() => parsePlatformSelection('all,linux/amd64')), action: /^platform "all,linux\/amd64" mixes all/, cli: '--platform "all,linux/amd64" mixes all' },
  { what: 'a malformed platform', error: () => raised(() => parsePlatformSelection('linux')), action: /^platform "linux" is not os\/architecture/, cli: '--platform "linux" is not os/architecture' },
  {
    what: 'a platform the single image is not',
    error: () => raised(() => chooseEntry(single, { os: 'linux', architecture: 's390x' })),
    action: /: set the platform input to linux\/amd64 or verify a build for that platform$/,
    cli: 'r/app:1 is a single-platform linux/amd64 image, not linux/s390x: set --platform to linux/amd64',
  },
];

test('option errors: the action names its inputs, the CLI its flags, from one validation', () => {
  for (const { what, error, action, cli } of cases) {
    const err = error();
    assert.ok(err instanceof VerifyImageError, what);
    // A value the user gave is an input error; a platform the tag lacks is the registry's side.
    assert.equal(err.code, what.startsWith('a platform the') ? 'unsupported' : 'input', what);
    // The message as thrown is the action's; describeError words it for whoever prints it.
    if (typeof action === 'string') assert.equal(err.message, action, what);
    else assert.match(err.message, action, what);
    assert.equal(describeError(err), err.message, what);
    assert.equal(describeError(err, ACTION_WORDS), err.message, what);
    const forCli = describeError(err, CLI_WORDS);
    assert.ok(forCli.startsWith(cli), `${what}: ${forCli}`);
    assert.doesNotMatch(forCli, /\binputs?\b/, `${what}: the CLI never names an input: ${forCli}`);
  }
});

test('option errors raised while logging in: username without a password', async () => {
  const err = await resolveCredential('r.example', { username: 'u', env: {} }).catch((e: unknown) => e);
  assert.ok(err instanceof VerifyImageError);
  assert.equal(err.message, "both username and password are needed to log in to r.example, but password is empty: set both inputs, or neither to use Docker's stored credentials");
  assert.equal(
    describeError(err, CLI_WORDS),
    "both --username and --password-stdin are needed to log in to r.example, but --password-stdin is empty: set both, or neither to use Docker's stored credentials",
  );
});

test('CLI_WORDS: every option key has a flag the help lists; plain messages pass through unchanged', () => {
  const keys: OptionKey[] = ['image', 'local-image', 'digest', 'platform', 'username', 'password', 'credentials', 'base-image', 'dockerfile', 'build-args', 'fail-on', 'registry-timeout', 'deep-concurrency'];
  for (const key of keys) {
    const flags = CLI_WORDS.phrase(key).match(/--[a-z-]+|IMAGE/g) ?? [];
    assert.ok(flags.length > 0, key);
    for (const flag of flags) assert.ok(USAGE.includes(flag === 'IMAGE' ? 'IMAGE' : `${flag} `), `${key}: ${flag} is in --help`);
    assert.doesNotMatch(CLI_WORDS.phrase(key), /input/);
  }
  assert.equal(ACTION_WORDS.phrase('base-image'), 'the base-image input');
  assert.equal(CLI_WORDS.phrase('base-image'), '--base');
  assert.equal(ACTION_WORDS.phrase('credentials'), 'the username and password inputs');
  const plain = new VerifyImageError('auth', 'a message that names no option');
  assert.equal(plain.messageFor(CLI_WORDS), plain.message);
  const worded = new VerifyImageError('auth', (w) => `set ${w.phrase('credentials')}\nnow`);
  assert.equal(worded.message, 'set the username and password inputs now', 'one line');
  assert.equal(worded.messageFor(CLI_WORDS), 'set --username and --password-stdin now');
});

test('the CLI text names the base flags where the engine’s base words name inputs', () => {
  const report = (base: VerifyReport['base']): VerifyReport => ({ image: 'r/app:1', status: 'verified', verified: true, checks: [], layers: [], compared: [], durationMs: 1, base });
  const none = renderText(report({ status: 'none', drift: 'unknown', source: 'none', from: 'nothing', message: NO_BASE_MESSAGE }));
  assert.match(none, /unknown: no base image is known: pass --base REF .* or --dockerfile PATH/);
  const given = renderText(report({ status: 'up-to-date', drift: 'false', source: 'input', from: 'the base-image input', reference: 'r/base:1', message: 'the base tag still points to what the image was built on' }));
  assert.match(given, /r\/base:1 {2}UP TO DATE {2}\(from --base\)/);
  for (const text of [none, given]) assert.doesNotMatch(text, /\binputs?\b/, text);
  const audit = renderAuditText([report({ status: 'none', drift: 'unknown', source: 'none', from: 'nothing', message: NO_BASE_MESSAGE })]);
  assert.match(audit, /r\/app:1: no base image is known: pass --base REF/);
});

test('Dockerfile errors name --dockerfile and --build-arg in the CLI, the inputs in the action', async () => {
  const { finalBase, parseDockerfile } = await import('../../src/base/dockerfile.js');
  const cases: { name: string; text: string; action: RegExp; cli: RegExp }[] = [
    { name: 'no FROM', text: 'RUN true\n', action: /point the dockerfile input at the Dockerfile/, cli: /point --dockerfile at the Dockerfile/ },
    { name: 'empty image name', text: 'ARG BASE\nFROM ${BASE}\n', action: /give BASE a default or set it in build-args$/, cli: /give BASE a default or pass --build-arg BASE=…$/ },
    { name: 'required argument', text: 'ARG BASE\nFROM ${BASE:?missing}\n', action: /requires BASE: missing \(set it in build-args\)$/, cli: /requires BASE: missing \(pass --build-arg BASE=…\)$/ },
  ];
  for (const c of cases) {
    const err = raised(() => finalBase(parseDockerfile(c.text), {}));
    assert.ok(err instanceof VerifyImageError, c.name);
    assert.match(describeError(err, ACTION_WORDS), c.action, c.name);
    assert.match(describeError(err, CLI_WORDS), c.cli, c.name);
    assert.doesNotMatch(describeError(err, CLI_WORDS), /build-args|dockerfile input/, c.name);
  }
});
