// The job summary as a reviewer sees it: real runs (a verified push, a mismatch, a deep run, a
// multi-platform deep run, a drifted base, an audit of several images), each summary rendered as GitHub renders it (markdown-it with raw HTML,
// GitHub's stylesheet, a 930 px pane) in headless Chromium. Asserted: the verdict and the
// one-sentence proof are within the first 300 px; nothing reaches past the pane or scrolls
// sideways; no Markdown or HTML leaks as text. The screenshots land in build/summary/; with
// VI_UPDATE_SCREENSHOTS=1 in docs/summary/, which the README shows (so a test run leaves the
// committed pictures alone).

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAction, type ActionRun } from '../helpers/action.js';
import { measureSummary, PANE_WIDTH, screenshotSummary, type Layout } from '../helpers/browser.js';
import { buildxBuild, ENGINES, MULTI_PLATFORM_DOCKERFILE, requireEngine, stampFiles } from '../helpers/buildx.js';
import { buildImage, busyboxBase, docker, pushImage, removeImage, requireDaemon, tagImage, uniqueName } from '../helpers/docker.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const SHOTS = process.env.VI_UPDATE_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'summary') : join(process.cwd(), 'build', 'summary');
/** The verdict and the proof must be read without scrolling: this far from the top. */
const FOLD = 300;

const cleanups: Array<() => Promise<void>> = [];

/** Markup that would show as text if a renderer did not read it as ours. */
const LEAKS: Array<[string, RegExp]> = [
  ['an HTML tag', /<\/?(?:h\d|p|ul|li|table|tr|td|th|code|details|summary|strong|em|sub|br)\b[^>]*>/i],
  ['an entity escaped twice', /&(?:[a-z]+|#\d+);/i],
  ['a Markdown code span', /`/],
  ['Markdown emphasis', /\*\*|__/],
  ['a Markdown table row', /^\s*\|.*\|\s*$/m],
  ['a Markdown heading', /^#{1,6} /m],
];

/**
 * As the page opens nothing is wider than the pane and no table scrolls sideways. With every
 * collapsed section open still nothing reaches past the pane; a table in a collapsed section may
 * scroll inside it (the deep layer table's twelve columns do: issue 14 item 3 merges them), and
 * which ones do is printed as a diagnostic.
 */
function assertReadable(what: string, layout: Layout, opened: boolean, diagnostic: (message: string) => void): void {
  assert.equal(layout.paneWidth, PANE_WIDTH, `${what}: the pane is ${PANE_WIDTH} px`);
  assert.ok(layout.pageWidth <= PANE_WIDTH, `${what}: the page scrolls sideways (${layout.pageWidth} px)`);
  assert.deepEqual(layout.wide, [], `${what}${opened ? ' (sections open)' : ''}: elements wider than the pane`);
  if (!opened) assert.deepEqual(layout.scrolling, [], `${what}: tables that scroll sideways`);
  for (const table of opened ? layout.scrolling : []) diagnostic(`${what}, sections open: a table scrolls sideways: ${table.text.slice(0, 60)}`);
  for (const [name, leak] of LEAKS) assert.doesNotMatch(layout.text, leak, `${what}: ${name} shows as text`);
}

async function assertRendered(name: string, run: ActionRun, verdict: RegExp, proof: RegExp, diagnostic: (message: string) => void, opened = false): Promise<void> {
  assert.ok(run.summary.length > 0, `${name}: a summary was written`);
  const { closed, open } = await measureSummary(run.summary);
  assert.match(closed.heading?.text ?? '', verdict, `${name}: the verdict heading`);
  assert.ok((closed.heading?.bottom ?? Infinity) <= FOLD, `${name}: the verdict ends ${closed.heading?.bottom} px down`);
  assert.equal(closed.proof?.tag, 'p', `${name}: the proof sentence follows the heading`);
  assert.match(closed.proof?.text ?? '', proof, `${name}: the proof sentence`);
  assert.ok((closed.proof?.bottom ?? Infinity) <= FOLD, `${name}: the proof ends ${closed.proof?.bottom} px down`);
  assertReadable(name, closed, false, diagnostic);
  assertReadable(name, open, true, diagnostic);
  await screenshotSummary(run.summary, join(SHOTS, `${name}.png`), Math.min(Math.max(closed.height, 400), 2000));
  // With every section open: what a reviewer sees after clicking (the layer table, the comparison's full values).
  if (opened) await screenshotSummary(run.summary, join(SHOTS, `${name}-open.png`), Math.min(Math.max(open.height, 400), 3000), true);
}

describe('the job summary in a browser, as GitHub renders it', () => {
  let registry: TestRegistry;
  let base: string;
  let appRef: string;
  let appDigest: string;

  before(async () => {
    await requireDaemon();
    await mkdir(SHOTS, { recursive: true });
    registry = await startRegistry();
    cleanups.push(() => registry.stop());
    base = `${uniqueName('vi-base')}:1`;
    await busyboxBase(base);
    cleanups.push(() => removeImage(base));
    appRef = `${registry.host}/${uniqueName('acme/app')}:1.0`;
    await buildImage(appRef, `FROM ${base}\nRUN echo one > /one\nENV MODE=prod\nRUN echo two > /two\n`);
    cleanups.push(() => removeImage(appRef));
    appDigest = await pushImage(appRef);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('a verified push', async (t) => {
    const run = await runAction({ image: appRef, digest: appDigest });
    assert.equal(run.outputs.verified, 'true', run.stdout);
    await assertRendered('verified', run, /^✅ Verified: /, /^Registry serves exactly your local build: 4 layers, image ID and the expected digest match\.$/, (m) => t.diagnostic(m));
  });

  it('a push that is not the local build', async (t) => {
    const ref = `${registry.host}/${uniqueName('acme/moved')}:1`;
    const other = `${ref}-other`;
    await buildImage(ref, `FROM ${base}\nRUN echo one > /one\nRUN echo two > /two\n`);
    await buildImage(other, `FROM ${base}\nRUN echo changed > /one\n`);
    cleanups.push(() => removeImage(ref, other));
    // Another build pushes under our tag; the local tag still names our build.
    const ours = (await docker(['image', 'inspect', '-f', '{{.Id}}', ref])).trim();
    await tagImage(other, ref);
    await pushImage(ref);
    await tagImage(ours, ref);
    const run = await runAction({ image: ref });
    assert.equal(run.outputs.verified, 'false', run.stdout);
    await assertRendered('mismatch', run, /^❌ Mismatch: /, /^Registry does not serve your local build: layer 3 of 4 differs \(registry: RUN echo changed > \/one\), the 2 layers below it match: different build steps from layer 3 on: another image/, (m) => t.diagnostic(m));
    // Side by side, right under the sentence: both instructions of the first differing layer, the shared layers as one line, a diagnosis.
    const lines = run.summary.split('\n');
    assert.match(lines[2] ?? '', /^<table><tr><th><\/th><th>Registry<\/th><th>Your local build<\/th><\/tr>/);
    assert.match(lines[2] ?? '', /<td colspan="3">Layers 1–2 identical<\/td>/);
    assert.match(lines[2] ?? '', /<td><strong>Layer 3<\/strong><\/td><td><code title="RUN echo changed &gt; \/one">RUN echo changed &gt; \/one<\/code><\/td><td><code title="RUN echo one &gt; \/one">RUN echo one &gt; \/one<\/code><\/td>/);
    assert.match(lines[2] ?? '', /<td><strong>Layers<\/strong><\/td><td>3<\/td><td>4<\/td>/);
    assert.match(lines[3] ?? '', /^<p><strong>Diagnosis:<\/strong> different build steps from layer 3 on: another image/);
  });

  it('a deep run', async (t) => {
    const run = await runAction({ image: appRef, digest: appDigest, deep: 'true' });
    assert.equal(run.outputs.verified, 'true', run.stdout);
    await assertRendered('deep', run, /^✅ Verified: /, /; every layer's bytes downloaded and hashed\.$/, (m) => t.diagnostic(m), true);
    // One layer table with the deep columns and totals; throughput only in its own collapsed section.
    // What every layer shares is said once above it (the pane is narrow): here the match, no waste, every blob proved.
    const [, once, table = ''] = /<summary>✓ linux\/\w+: 4 layers<\/summary>(<p>.*?<\/p>)?(<table>.*?<\/table>)/.exec(run.summary) ?? [];
    assert.equal(once, '<p>Every layer: Match ✓ · Wasted 0 · Bytes ✓</p>');
    assert.match(table, /<tr><th>#<\/th><th>diff_id<\/th><th>Compressed digest<\/th><th>Size<\/th><th>Share of pull<\/th><th>Uncompressed<\/th><th>Files<\/th><th>Instruction<\/th><\/tr>/);
    assert.match(table, /<strong>Total: 4 layers<\/strong>/);
    assert.doesNotMatch(table, />[^<]*MB\/s/, 'no throughput in a cell of the layer table');
    assert.equal((run.summary.match(/<th>Uncompressed<\/th>/g) ?? []).length, 1, 'no second deep table');
  });

  it('a multi-platform run (amd64 + arm64 pushed and exported as an OCI archive by buildx)', async (t) => {
    await requireEngine('containerd');
    const dir = await mkdtemp(join(tmpdir(), 'verify-image-browser-oci-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const archive = join(dir, 'multi.tar');
    const multiRef = `${registry.host}/${uniqueName('acme/multi')}:1`;
    const built = await buildxBuild(ENGINES.containerd, {
      tags: [],
      dockerfile: MULTI_PLATFORM_DOCKERFILE,
      files: { ...stampFiles('browser'), 'arch-amd64.txt': 'amd64\n', 'arch-arm64.txt': 'arm64\n' },
      platforms: ['linux/amd64', 'linux/arm64'],
      outputs: [`type=registry,name=${multiRef}`, `type=oci,dest=${archive}`],
    });
    const run = await runAction({ image: multiRef, digest: built.digest, platform: 'all', 'local-image': `oci-archive:${archive}`, deep: 'true' }, { DOCKER_HOST: ENGINES.containerd });
    assert.equal(run.outputs.verified, 'true', run.stdout);
    await assertRendered('multi-platform', run, /^✅ Verified: /, /^Registry serves exactly your local build on 2 platforms \(linux\/amd64, linux\/arm64\): .*; every layer's bytes downloaded and hashed\.$/, (m) => t.diagnostic(m));
    assert.equal((run.summary.match(/<th>Share of pull<\/th>/g) ?? []).length, 2, 'one layer table per platform');
  });

  /** A base pushed under `ref` on top of `from`; its digest. */
  async function pushBase(ref: string, marker: string, from: string): Promise<string> {
    await buildImage(ref, `FROM ${from}\nRUN echo ${marker} > /base-${marker}\n`);
    cleanups.push(() => removeImage(ref));
    return pushImage(ref);
  }

  async function pushApp(ref: string, dockerfile: string): Promise<string> {
    await buildImage(ref, dockerfile);
    cleanups.push(() => removeImage(ref));
    return pushImage(ref);
  }

  const baseLabels = (name: string, digest: string) => `LABEL org.opencontainers.image.base.name="${name}" org.opencontainers.image.base.digest="${digest}"`;

  it('a drifted base', async (t) => {
    const baseRef = `${registry.host}/${uniqueName('acme/base')}:v1`;
    const v1 = await pushBase(baseRef, 'v1', base);
    const ref = `${registry.host}/${uniqueName('acme/drifting')}:1`;
    await pushApp(ref, `FROM ${baseRef}\n${baseLabels(baseRef, v1)}\nRUN echo app > /app\n`);
    // The base tag moves on: one more layer.
    const v2 = await pushBase(baseRef, 'v2', baseRef);
    const run = await runAction({ image: ref });
    assert.equal(run.outputs['base-drift'], 'true', run.stdout);
    await assertRendered('drift', run, /^✅ Verified · 🔄 base drifted: /, /^Registry serves exactly your local build: /, (m) => t.diagnostic(m), true);
    // Built on vs now, with dates and how long ago, which base layer changed, and what to do; no day counts of zero, no nanoseconds.
    assert.match(run.summary, /<th><\/th><th>Built on<\/th><th>Tag now<\/th>/);
    assert.ok(run.summary.includes(`<code title="${v1}">`) && run.summary.includes(`<code title="${v2}">`), 'both base digests');
    assert.match(run.summary, /\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, (just now|\d+ (s|min|h|days) ago)/);
    assert.match(run.summary, /<strong>Next step<\/strong> rebuild the image on the current base/);
    assert.match(run.summary, /<strong>Changed<\/strong> the current base adds layer 4 on top of the 3 layers the image was built on/);
    assert.doesNotMatch(run.summary, /for 0 days|\d{2}:\d{2}:\d{2}\.\d/);
  });

  it('an audit of several images', async (t) => {
    const baseRef = `${registry.host}/${uniqueName('acme/audit-base')}:v1`;
    const sharedRef = `${registry.host}/${uniqueName('acme/audit-shared')}:v1`;
    const v1 = await pushBase(baseRef, 'a1', base);
    const shared = await pushBase(sharedRef, 's1', base);
    const drifted = `${registry.host}/${uniqueName('acme/api')}:1`;
    const current = `${registry.host}/${uniqueName('acme/web')}:1`;
    const missing = `${registry.host}/${uniqueName('acme/gone')}:1`;
    await pushApp(drifted, `FROM ${baseRef}\n${baseLabels(baseRef, v1)}\nRUN echo api > /api\n`);
    await pushApp(current, `FROM ${sharedRef}\n${baseLabels(sharedRef, shared)}\nRUN echo web > /web\n`);
    await pushBase(baseRef, 'a2', baseRef);
    const run = await runAction({ image: [current, missing, drifted].join('\n'), 'local-image': 'none' });
    assert.equal(run.outputs['drifted-images'], JSON.stringify([drifted]), run.stdout);
    await assertRendered('audit', run, /^Base image audit: 3 images, 1 drifted, 1 could not be checked, 1 up to date$/, /^1 image could not be checked \(why is below\); rebuild 1 image on the current base\.$/, (m) => t.diagnostic(m), true);
    const table = run.summary.split('\n').find((l) => l.startsWith('<table>')) ?? '';
    // By severity, not input order; each image's report collapsed; the long error out of the table.
    assert.deepEqual(
      [...table.matchAll(/<tr><td><code>([^<]+)<\/code>/g)].map((m) => m[1]),
      [missing, drifted, current].map((ref) => ref.slice(`${registry.host}/`.length)),
      'repository:tag under the registry named once',
    );
    assert.ok(run.summary.includes(`Every image: <strong>Registry</strong> <code>${registry.host}</code>`));
    assert.match(table, /<th>Next step<\/th>/);
    assert.doesNotMatch(table, /not found/);
    assert.match(run.summary, /<details><summary>Why 1 image could not be checked<\/summary>/);
    assert.equal((run.summary.match(/^<h2>/gm) ?? []).length, 1, 'no full section per image');
  });
});
