// The CLI's argument parsing and exit codes, without running anything.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditExitCode, parseCliArgs, USAGE, usageFor, verifyExitCode, type CliCommand } from '../../src/cli-args.js';
import { displayWidth } from '../../src/report/layout.js';
import type { VerifyReport } from '../../src/model/report.js';

const cases: { argv: string[]; expected: CliCommand }[] = [
  { argv: ['r/app:1'], expected: { kind: 'verify', image: 'r/app:1', flags: {} } },
  {
    argv: ['r/app:1', '--local', 'oci-layout:out', '--deep', '--insecure-registry', 'a:5000', '--insecure-registry=b', '--build-arg', 'A=1', '--json'],
    expected: { kind: 'verify', image: 'r/app:1', flags: { local: 'oci-layout:out', deep: true, 'insecure-registry': ['a:5000', 'b'], 'build-arg': ['A=1'], json: true } },
  },
  { argv: ['--platform=all', 'r/app:1'], expected: { kind: 'verify', image: 'r/app:1', flags: { platform: 'all' } } },
  { argv: ['r/app:1', '--no-color'], expected: { kind: 'verify', image: 'r/app:1', flags: { 'no-color': true } } },
  { argv: ['r/app:1', '--no-color=yes'], expected: { kind: 'usage-error', message: '--no-color takes no value (see --help)' } },
  { argv: ['audit', 'r/a:1', 'r/b:1', '--base', 'none'], expected: { kind: 'audit', images: ['r/a:1', 'r/b:1'], flags: { base: 'none' } } },
  { argv: ['--help'], expected: { kind: 'help' } },
  { argv: ['r/app:1', '-h'], expected: { kind: 'help' } },
  { argv: ['--version'], expected: { kind: 'version' } },
  { argv: ['r/app:1', '--x'], expected: { kind: 'usage-error', message: 'unknown option --x (see --help)' } },
  { argv: ['r/app:1', '-q'], expected: { kind: 'usage-error', message: 'unknown option -q (see --help)' } },
  { argv: ['--help', '--nope=1'], expected: { kind: 'usage-error', message: 'unknown option --nope (see --help)' } },
  { argv: ['r/app:1', '--local'], expected: { kind: 'usage-error', message: '--local needs a value (see --help)' } },
  { argv: ['r/app:1', '--local', '--deep'], expected: { kind: 'usage-error', message: '--local needs a value (see --help)' } },
  { argv: ['r/app:1', '--deep=yes'], expected: { kind: 'usage-error', message: '--deep takes no value (see --help)' } },
  { argv: [], expected: { kind: 'usage-error', message: 'give exactly one IMAGE (see --help)' } },
  { argv: ['r/a:1', 'r/b:1'], expected: { kind: 'usage-error', message: 'give exactly one IMAGE (see --help)' } },
  { argv: ['audit'], expected: { kind: 'usage-error', message: 'audit needs at least one IMAGE (see --help)' } },
];

for (const c of cases) {
  test(`parseCliArgs ${JSON.stringify(c.argv)}`, () => {
    assert.deepEqual(parseCliArgs(c.argv), c.expected);
  });
}

test('every flag of the parser is in the help, and the help has examples', () => {
  for (const flag of ['--local', '--digest', '--platform', '--platforms-expected', '--require-attestations', '--base', '--dockerfile', '--build-arg', '--fail-on', '--insecure-registry', '--registry-timeout', '--username', '--password-stdin', '--deep', '--concurrency', '--cache', '--cache-dir', '--max-wasted-bytes', '--max-wasted-percent', '--min-wasted-bytes', '--min-efficiency', '--json', '--quiet', '--help', '--version']) {
    assert.match(USAGE, new RegExp(`^ +(-h, )?${flag}\\b`, 'm'), flag);
    const parsed = parseCliArgs([flag, 'x', 'r/app:1']);
    assert.ok(parsed.kind !== 'usage-error' || !parsed.message.startsWith('unknown option'), `${flag} is an option`);
  }
  assert.match(USAGE, /^examples:$/m);
});

const report = (status: VerifyReport['status'], drift?: 'true' | 'false' | 'unknown'): VerifyReport =>
  ({ image: 'r/a:1', status, verified: status === 'verified', checks: [], layers: [], compared: [], durationMs: 0, ...(drift ? { base: { drift } } : {}) }) as VerifyReport;

test('verify exit codes: 0 verified, 1 mismatch or drift as fail-on says, 2 could not verify', () => {
  const both = { mismatch: true, drift: true };
  assert.equal(verifyExitCode(report('verified'), both), 0);
  assert.equal(verifyExitCode(report('mismatch'), both), 1);
  assert.equal(verifyExitCode(report('mismatch'), { mismatch: false, drift: false }), 0);
  assert.equal(verifyExitCode(report('error'), { mismatch: false, drift: false }), 2);
  assert.equal(verifyExitCode(report('verified', 'true'), both), 1);
  assert.equal(verifyExitCode(report('verified', 'true'), { mismatch: true, drift: false }), 0);
});

test('audit exit codes: 1 when a base drifted, else 2 when something was not checked, else 0', () => {
  assert.equal(auditExitCode([report('verified', 'false'), report('verified', 'false')]), 0);
  assert.equal(auditExitCode([report('verified', 'false'), report('error')]), 2);
  assert.equal(auditExitCode([report('verified', 'false'), report('verified', 'unknown')]), 2);
  assert.equal(auditExitCode([report('error'), report('verified', 'true')]), 1);
});

test("the README's CLI section shows the help as it is", async () => {
  const { readFile } = await import('node:fs/promises');
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(`\`\`\`\n${USAGE}\n\`\`\``), 'README.md ## CLI holds USAGE verbatim');
});

test('--help fits the terminal: descriptions wrap under their own column, nothing else changes', () => {
  const widest = Math.max(...USAGE.split('\n').map(displayWidth));
  assert.equal(usageFor(widest), USAGE);
  for (const width of [60, 80, 100]) {
    const lines = usageFor(width).split('\n');
    for (const line of lines) assert.ok(displayWidth(line) <= width, `${line} at ${width}`);
    // At 80 and 100 columns every word of the help is still there, in order (at 60 a long path is cut).
    if (width >= 80) assert.equal(lines.join(' ').split(/\s+/).join(' '), USAGE.split(/\s+/).join(' '), `at ${width}`);
  }
  const at80 = usageFor(80).split('\n');
  const user = at80.findIndex((l) => l.startsWith('  --username USER'));
  assert.match(at80[user + 1] ?? '', /^ {28}\S/, 'the description continues under itself');
  // A description re-flowed as one paragraph: no line of it ends after a word or two.
  const expected = at80.findIndex((l) => l.startsWith('  --platforms-expected LIST'));
  assert.equal(at80[expected + 1], '                            each, e.g. linux/amd64,linux/arm64 (attestations');
});
