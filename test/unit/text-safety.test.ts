// Text from a registry is never trusted: the log-line neutraliser (no workflow command can start),
// the job summary's escaping (no value closes a cell, a table or an HTML block, or renders as
// markdown), the CLI's JSON (same meaning, no command inside), and every form of a secret scrubbed.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inertJson, inertLines, LINE_PREFIX, logLine, neutralise } from '../../src/log.js';
import { oneLineText } from '../../src/registry/http.js';
import { count, escapeHtml } from '../../src/report/format.js';
import type { VerifyReport } from '../../src/model/report.js';
import { writeSummary } from '../../src/main.js';
import { renderText } from '../../src/report/text.js';
import { secretForms, SecretTracker } from '../../src/secrets.js';

/**
 * Would GitHub's runner treat `line` as a command? Its two parsers (actions/runner
 * ActionCommand.TryParseV2 and TryParse): `::` at the start after trimming, or `##[` anywhere.
 * .NET's culture-sensitive comparison skips ignorable characters, so they are dropped first.
 */
function runnerSeesCommand(line: string): boolean {
  const compared = line.replace(/\p{Default_Ignorable_Code_Point}/gu, '');
  return /^[\s\u0085]*::/u.test(compared) || compared.includes('##[');
}
/** How the runner splits output into lines (.NET ReadLine: CR, LF, CRLF). */
const runnerLines = (text: string) => text.split(/\r\n|\r|\n/);

const hostile = [
  '::error::x',
  '\n::add-mask::x',
  'legit\n::add-mask::hunter2',
  '  ::warning file=a::x',
  '\t::set-output name=verified::true',
  '%0A::stop-commands::t',
  'a\r::stop-commands::token',
  'x\u2028::error::y',
  'x\u2029::error::y',
  'x\u0085::error::y',
  '\u00ad::error::soft hyphen in front',
  '\u200b::error::zero width space in front',
  '\ufeff::error::BOM in front',
  '\u202e::error::bidi override',
  '\u00a0::error::no-break space in front',
  'created_by ##[add-mask]secret',
  'x #\u200b#[set-output name=a]b',
  '###[error]x',
  '\u001b[31mred\u001b[0m \u001b]0;title\u0007',
  '\u009b31m C1 CSI',
  'del\u007f and \u0000 nul',
];

for (const text of hostile) {
  test(`logLine makes ${JSON.stringify(text)} one inert line`, () => {
    const line = logLine(text);
    assert.equal(runnerLines(line).length, 1, 'one line');
    assert.ok(!runnerSeesCommand(line), line);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    assert.doesNotMatch(line, /\p{Default_Ignorable_Code_Point}/u);
    // Behind a prefix of ours (a warning: line) the neutralised text is inert too.
    assert.ok(!runnerSeesCommand(`warning: ${neutralise(text)}`));
  });
}

test('logLine leaves our own lines alone and prefixes outside text that leads', () => {
  assert.equal(logLine('credentials for ghcr.io: none (anonymous)'), 'credentials for ghcr.io: none (anonymous)');
  assert.equal(logLine('[ghcr.io/a:1] registry ghcr.io/a:1: manifest sha256:ab'), '[ghcr.io/a:1] registry ghcr.io/a:1: manifest sha256:ab');
  assert.equal(logLine('::error::x'), `${LINE_PREFIX}::error::x`);
  assert.equal(logLine('a\nb\r\nc'), 'a b c');
  assert.equal(logLine('ESC \u001b[31m'), 'ESC ?[31m');
  assert.equal(logLine('see ##[error]'), 'see # #[error]');
});

test('inertLines keeps indentation and prefixes a line that would start with ::', () => {
  const text = inertLines('VERIFIED  a\n  ✓ rule: fine\n    ::error::x\n  created ##[add-mask]y');
  for (const line of runnerLines(text)) assert.ok(!runnerSeesCommand(line), line);
  assert.equal(runnerLines(text)[1], '  ✓ rule: fine');
  assert.equal(runnerLines(text)[2], `    ${LINE_PREFIX}::error::x`);
});

test('inertJson means the same and carries no command', () => {
  const value = { a: '##[add-mask]x', b: 'p\u2028::error::q', c: '\n::stop-commands::t', d: 'a\\##[b' };
  const json = inertJson(JSON.stringify(value, null, 2));
  assert.deepEqual(JSON.parse(json), value);
  for (const line of runnerLines(json)) assert.ok(!runnerSeesCommand(line), line);
  assert.doesNotMatch(json, /[\u2028\u2029]/);
});

test('escapeHtml: one line, no markup from HTML or markdown', () => {
  const escaped = escapeHtml('a|b\n\n# h\r</td></tr></table><script>alert(1)</script> `code` *em* _u_ [x](javascript:y) ~s~ \\ "q" \'q\' &amp;');
  assert.doesNotMatch(escaped, /[<>|`*_[\]~\\"\n\r]/);
  assert.ok(escaped.includes('&lt;script&gt;'));
  assert.ok(escaped.includes('&amp;amp;'));
  assert.ok(escaped.includes('&#96;code&#96; &#42;em&#42; &#95;u&#95; &#91;x&#93;'));
});

test('count', () => {
  assert.equal(count(1, 'layer'), '1 layer');
  assert.equal(count(0, 'layer'), '0 layers');
  assert.equal(count(2, 'layer'), '2 layers');
});

const nasty = '`x` | y\n\n</td></tr></table><script>alert(1)</script> [link](https://evil.example) *b* ##[add-mask]z\n::error::w';
const hostileReport = {
  image: 'registry.example/app:1',
  status: 'mismatch',
  verified: false,
  remote: {
    reference: 'registry.example/app:1',
    manifestDigest: `sha256:${'a'.repeat(64)}`,
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    configDigest: 'sha256:[x](https://evil.example)`',
    platform: `linux/amd64\n\n| a | b |\n|---|---|\n${nasty}`,
  },
  checks: [{ rule: 'diff-ids', ok: false, message: nasty }],
  layers: [
    { index: 1, instruction: `RUN ${nasty}`, diffId: 'sha256:|pipe|', digest: 'sha256:`tick`', size: 1, status: 'differs', localDiffId: 'sha256:[l](x)' },
    { index: 2, status: 'not-compared' },
  ],
  compared: [nasty],
  durationMs: 5,
  // Referrers: artifact types, tags and problem lines (error bodies) are registry text too.
  attestations: [
    {
      platform: `linux/amd64\n${nasty}`,
      provenance: false,
      sbom: false,
      predicateTypes: [nasty],
      subjectsOk: true,
      referrers: {
        items: [{ kind: 'signature', artifactType: nasty, digest: 'sha256:`x`', subject: 'sha256:|', refersTo: 'index', foundBy: 'cosign-tag', tag: nasty }],
        listedBy: [],
        problems: [nasty],
      },
    },
  ],
} as unknown as VerifyReport;

const dir = await mkdtemp(join(tmpdir(), 'verify-image-summary-'));
after(() => rm(dir, { recursive: true, force: true }));

test('the job summary escapes every registry value and closes every cell', async () => {
  const file = join(dir, 'summary.md');
  await writeFile(file, '');
  process.env.GITHUB_STEP_SUMMARY = file;
  try {
    await writeSummary([hostileReport], (html) => html.split('alert').join('REDACTED'));
  } finally {
    delete process.env.GITHUB_STEP_SUMMARY;
  }
  const html = await readFile(file, 'utf8');
  // Every line is one of our elements: no value added a line (which could end the HTML block).
  for (const line of html.split('\n').filter(Boolean)) assert.match(line, /^<(h\d|p|ul|table|details)>/, line);
  assert.doesNotMatch(html, /<script|[`|*[\]]/);
  assert.ok(!html.includes('alert'), 'the scrub callback ran over the finished HTML');
  const tally = (s: string) => html.split(s).length - 1;
  for (const tag of ['table', 'tr', 'td', 'th', 'ul', 'li', 'details', 'summary', 'code']) {
    assert.equal(tally(`<${tag}>`) + tally(`<${tag} `), tally(`</${tag}>`), `<${tag}> opened and closed alike`);
  }
  assert.ok(html.includes('<td></td>'), 'an empty cell is closed');
  assert.match(html, /Not counted:/, 'the referrers part was rendered');
});

test('the CLI text holds each hostile value on its line, inert', () => {
  const text = inertLines(renderText(hostileReport));
  for (const line of runnerLines(text)) assert.ok(!runnerSeesCommand(line), line);
  // Our words start the text and end it: the sentence first, the verdict last.
  assert.ok(runnerLines(text)[0]?.startsWith('Registry does not serve your local build: '), runnerLines(text)[0]);
  assert.ok(runnerLines(text).at(-1)?.startsWith('MISMATCH  '), runnerLines(text).at(-1));
});

// Secrets, every form.
const SECRET = 'p@ss w0rd+/=&?:é-Zq9';
const USER = 'ci-bot';
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

function embeddings(secret: string): string[] {
  // The secret inside longer base64 text at each byte offset, as a Basic header or a JWT has it.
  return [0, 1, 2, 3, 4, 5].flatMap((pad) => {
    const whole = Buffer.concat([Buffer.from('x'.repeat(pad)), Buffer.from(secret), Buffer.from('-tail-')]);
    return [b64(whole), whole.toString('base64url')];
  });
}

test('every form of a secret is scrubbed', () => {
  const tracker = new SecretTracker();
  tracker.add(SECRET);
  tracker.add(`${USER}:${SECRET}`);
  const forms = [
    SECRET,
    encodeURIComponent(SECRET),
    encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    new URLSearchParams({ password: SECRET }).toString(),
    JSON.stringify(SECRET),
    b64(SECRET),
    b64(SECRET).replace(/=+$/, ''),
    Buffer.from(SECRET).toString('base64url'),
    `${USER}:${SECRET}`,
    `Basic ${b64(`${USER}:${SECRET}`)}`,
    encodeURIComponent(`${USER}:${SECRET}`),
    ...embeddings(SECRET),
    ...embeddings(`${USER}:${SECRET}`),
  ];
  for (const form of forms) {
    const out = tracker.scrub(`before ${form} after`);
    assert.ok(out.includes('***'), `${form} was not scrubbed`);
    assert.ok(!out.includes(SECRET) && !out.includes(encodeURIComponent(SECRET)) && !out.includes(b64(SECRET).slice(0, 12)), `${form} → ${out}`);
  }
  // Ordinary text is left alone.
  assert.equal(tracker.scrub(`sha256:${'0123456789abcdef'.repeat(4)} verified`), `sha256:${'0123456789abcdef'.repeat(4)} verified`);
});

test('secretForms: a base64 fragment leaves nothing of the secret around it', () => {
  const forms = secretForms('hunter22');
  for (const pad of [0, 1, 2]) {
    const text = b64(Buffer.concat([Buffer.alloc(pad, 7), Buffer.from('hunter22'), Buffer.from([1, 2, 3])]));
    assert.ok(forms.some((f) => text.includes(f)), `offset ${pad}: ${text}`);
  }
  assert.deepEqual(secretForms('abc'), [], 'too short to scrub from text');
});

test('scrubDeep scrubs every string of a report', () => {
  const tracker = new SecretTracker();
  tracker.add(SECRET);
  const report = { error: `x ${SECRET}`, checks: [{ message: `m ${encodeURIComponent(SECRET)}` }], n: 1, ok: true };
  assert.deepEqual(tracker.scrubDeep(report), { error: 'x ***', checks: [{ message: 'm ***' }], n: 1, ok: true });
});

test('error bodies lose query strings and credential values', () => {
  const echoed = `bad request to /token?service=reg&password=${encodeURIComponent(SECRET)}: grant_type=password&username=u&password=hunter2&client_id=v {"refresh_token": "r3fr\\"esh", "token":"t0k"}`;
  const line = oneLineText(echoed, 500);
  for (const leaked of ['hunter2', 'service=reg', 'r3fr', 't0k', encodeURIComponent(SECRET)]) assert.ok(!line.includes(leaked), line);
  assert.match(line, /password=\*\*\*/);
  assert.equal(oneLineText('what? no such repository', 100), 'what? no such repository');
});

test('a long error body is cut at a word boundary, never inside a word that may be a secret', () => {
  const line = oneLineText(`denied ${'x'.repeat(10)} ${'S3cretToken'.repeat(3)} tail`, 30);
  assert.equal(line, `denied ${'x'.repeat(10)}…`);
});

test('the JSON report file means the same and carries no command', async () => {
  const { writeReportFile } = await import('../../src/report/json.js');
  const path = writeReportFile([hostileReport], dir);
  const text = await readFile(path, 'utf8');
  for (const line of runnerLines(text)) assert.ok(!runnerSeesCommand(line), line);
  const doc = JSON.parse(text) as { images: VerifyReport[] };
  assert.deepEqual(doc.images[0]?.checks, hostileReport.checks);
});
