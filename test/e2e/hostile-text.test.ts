// Registry-controlled text, end to end: an image pushed to a real registry through the
// distribution API (as anyone with push access could), whose config carries workflow commands,
// line breaks, terminal escapes, HTML and markdown in its architecture, history and labels.
// The bundled action and CLI run against it; whatever the verdict, no line they print is a
// workflow command the runner would act on, and the job summary stays one well-formed HTML block.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runAction, runCli } from '../helpers/action.js';
import { makeTar, pushManifest, uploadBlob } from '../helpers/registry-api.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { uniqueName } from '../helpers/docker.js';

const ARCH = 'amd64\n::error::pwned-arch\r\n::stop-commands::tok\u2028##[add-mask]arch\u001b[2J';
const HISTORY = 'RUN echo `x` | [link](https://evil.example) *b* </td></tr></table><script>alert(1)</script>\n\n::add-mask::pwned-history ##[error]h';

/** The runner's two parsers (actions/runner ActionCommand): `::` after trimming, or `##[` anywhere. */
const isCommand = (line: string) => /^\s*::/u.test(line.replace(/\p{Default_Ignorable_Code_Point}/gu, '')) || line.includes('##[');
/** Lines that are commands must be ours (@actions/core's, with their data escaped). */
const OUR_COMMANDS = /^::(error|warning|debug|add-mask)::/;

function assertInert(name: string, output: string): void {
  for (const line of output.split(/\r\n|\r|\n/)) {
    if (OUR_COMMANDS.test(line)) {
      assert.ok(!line.includes('##['), `${name}: ${line}`);
      assert.doesNotMatch(line, /^::\w+::\s*(::|pwned)/, `${name}: ${line}`);
      continue;
    }
    assert.ok(!isCommand(line), `${name}: a workflow command: ${JSON.stringify(line)}`);
  }
  assert.ok(!output.includes('\u001b'), `${name}: a terminal escape`);
}

describe('registry text that tries to become a workflow command or markup', () => {
  let registry: TestRegistry;
  /** Its architecture is hostile: refused as another platform, and the refusal quotes it. */
  let archRef: string;
  /** A plain amd64 image whose history and labels are hostile: verified, its history shown. */
  let historyRef: string;

  before(async () => {
    registry = await startRegistry();
    const repo = uniqueName('hostile/text');
    const layer = makeTar([{ path: 'hello.txt', content: 'hello\n' }]);
    const layerBlob = await uploadBlob(registry.host, repo, layer);
    const push = async (tag: string, architecture: string): Promise<string> => {
      const config = Buffer.from(
        JSON.stringify({
          architecture,
          os: 'linux',
          config: { Labels: { 'org.opencontainers.image.title': HISTORY } },
          rootfs: { type: 'layers', diff_ids: [layerBlob.digest] },
          history: [{ created: '2026-11-29T00:00:00Z', created_by: HISTORY }],
        }),
      );
      const configBlob = await uploadBlob(registry.host, repo, config);
      await pushManifest(
        registry.host,
        repo,
        tag,
        {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layerBlob }],
        },
        'application/vnd.oci.image.manifest.v1+json',
      );
      return `${registry.host}/${repo}:${tag}`;
    };
    archRef = await push('arch', ARCH);
    historyRef = await push('history', 'amd64');
  });

  after(async () => {
    await registry.stop();
  });

  for (const [what, deep, attack] of [
    ['architecture', false, 'pwned-arch'],
    ['history', false, 'pwned-history'],
    ['history', true, 'pwned-history'],
  ] as const) {
    it(`the action's log and summary stay inert: hostile ${what}${deep ? ' (deep)' : ''}`, async () => {
      const run = await runAction({ image: what === 'architecture' ? archRef : historyRef, 'local-image': 'none', ...(deep ? { deep: 'true' } : {}) });
      assert.ok(run.outputs.verified === 'true' || run.outputs.verified === 'false', run.stdout);
      // The hostile text reached the log or the summary, so the test attacks something.
      assert.ok(run.stdout.includes(attack) || run.summary.includes(attack), run.stdout + run.summary);
      assertInert('stdout', run.stdout);
      assertInert('stderr', run.stderr);
      const lines = run.summary.split('\n').filter(Boolean);
      assert.ok(lines.length > 0);
      for (const line of lines) assert.match(line, /^<(h\d|p|ul|table|details)>/, `a summary line not of ours: ${line}`);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(run.summary, /<script|[`|*[\]\u2028\u001b]/);
      const tally = (s: string) => run.summary.split(s).length - 1;
      for (const tag of ['table', 'tr', 'td', 'ul', 'li', 'details', 'code']) assert.equal(tally(`<${tag}>`) + tally(`<${tag} `), tally(`</${tag}>`), tag);
    });
  }

  it("the CLI's text and JSON stay inert and the JSON keeps the exact values", async () => {
    const refused = await runCli([archRef, '--local', 'none']);
    assert.ok(refused.stdout.includes('pwned-arch'), refused.stdout + refused.stderr);
    assertInert('CLI stdout (architecture)', refused.stdout);
    const text = await runCli([historyRef, '--local', 'none']);
    assert.ok(text.stdout.includes('[link](https://evil.example)'), text.stdout + text.stderr);
    assertInert('CLI stdout', text.stdout);
    assertInert('CLI stderr', text.stderr);
    const json = await runCli([historyRef, '--local', 'none', '--json']);
    assertInert('CLI JSON', json.stdout);
    const doc = JSON.parse(json.stdout) as { images: { layers: { instruction?: string }[] }[] };
    assert.equal(doc.images[0]?.layers[0]?.instruction, HISTORY, 'the JSON report carries the value exactly, escaped');
  });
});
