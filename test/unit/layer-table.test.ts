// The one layer-table builder and the two media that render it: the same columns and cells in the
// job summary and the CLI text, and the same platform section for one platform or many.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { platformsOf } from '../../src/report/format.js';
import { layerTable } from '../../src/report/layer-table.js';
import type { DeepReport } from '../../src/model/deep.js';
import type { LayerRow, VerifyReport } from '../../src/model/report.js';
import { summaryHtml } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

const rows: LayerRow[] = [
  { index: 1, instruction: '/bin/sh -c #(nop) ADD file:0123456789abcdef in /', diffId: d(1), localDiffId: d(1), digest: d(11), size: 2048, status: 'match', origin: 'base' },
  { index: 2, instruction: 'RUN /bin/sh -c echo hi > /x # buildkit', diffId: d(2), localDiffId: d(3), digest: d(12), localDigest: d(13), size: 10, status: 'differs', origin: 'image' },
];

const deep = {
  verified: false,
  bytesVerified: 2048,
  bytesDownloaded: 2048,
  config: { digest: d(20), size: 1 },
  layers: [
    { index: 1, digest: d(11), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 2048, compression: 'gzip', status: 'verified', uncompressedSize: 4096, counts: { files: 2, symlinks: 1, hardlinks: 0, others: 0, whiteouts: 0, opaqueDirs: 0 }, wastedBytes: 7 },
    { index: 2, digest: d(12), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 10, status: 'failed', failure: 'digest', message: 'the blob hashes to x' },
  ],
  wastedBytes: 7,
  wasteComplete: false,
  wastedFiles: [],
  wastedFileCount: 1,
  efficiency: 0.9,
  concurrency: 1,
  durationMs: 10,
} as unknown as DeepReport;

test('layerTable: the plain columns, origin once a base is known, the instruction last', () => {
  const table = layerTable(rows);
  assert.deepEqual(
    table.columns.map((c) => c.id),
    ['index', 'match', 'diffId', 'digest', 'size', 'origin', 'instruction'],
  );
  const [first, second] = table.rows;
  assert.deepEqual(first?.map((c) => c.text), ['1', '✓', 'sha256:000000000000', 'sha256:000000000000', '2.0 KiB', 'base', 'ADD file:0123456789abcdef in /']);
  // A differing layer carries the local diff_id and the local compressed digest, in full.
  assert.equal(second?.[2]?.local?.full, d(3));
  assert.equal(second?.[3]?.local?.full, d(13));
  assert.equal(first?.[2]?.local, undefined);
  assert.equal(second?.[6]?.full, 'RUN echo hi > /x');
  assert.deepEqual(
    layerTable([{ index: 1, status: 'not-compared' }]).columns.map((c) => c.id),
    ['index', 'match', 'diffId', 'digest', 'size', 'instruction'],
  );
});

test('layerTable: deep columns merged in when deep ran, per layer by index', () => {
  const table = layerTable(rows, deep);
  const ids = table.columns.map((c) => c.id);
  assert.deepEqual(ids, ['index', 'match', 'diffId', 'digest', 'size', 'type', 'uncompressed', 'files', 'deleted', 'wasted', 'result', 'origin', 'instruction']);
  const cell = (row: number, id: string) => table.rows[row]?.[ids.indexOf(id as never)]?.text;
  assert.equal(cell(0, 'type'), 'gzip');
  assert.equal(cell(0, 'files'), '3');
  assert.equal(cell(0, 'wasted'), '7 B');
  assert.equal(cell(0, 'result'), '✓ verified');
  assert.equal(cell(1, 'result'), '✗ FAILED: the blob hashes to x');
  assert.equal(cell(1, 'files'), '');
});

const single: VerifyReport = {
  image: 'r/app:1',
  status: 'mismatch',
  verified: false,
  remote: { reference: 'r/app:1', manifestDigest: d(30), manifestMediaType: 'application/vnd.oci.image.manifest.v1+json', configDigest: d(31), platform: 'linux/amd64' },
  local: { reference: 'app:1', source: 'docker daemon', id: d(31), idKind: 'config', platform: 'linux/amd64' },
  checks: [{ rule: 'diff-ids', ok: false, message: 'layer 2 differs' }],
  layers: rows,
  compared: ['diff_ids'],
  durationMs: 1,
  deep,
};

test('both media render the table from the builder: the summary escapes, the text shows local values in a local row under the layer', () => {
  const html = summaryHtml([single]);
  assert.match(html, /<details><summary>✗ linux\/amd64: 2 layers<\/summary><table><tr><th>#<\/th><th>Match<\/th><th>diff_id<\/th>/);
  assert.ok(html.includes(`<code title="${d(2)}">sha256:000000000000</code><br>local: <code title="${d(3)}">sha256:000000000000</code>`));
  assert.ok(html.includes('<code title="RUN echo hi &gt; /x">RUN echo hi &gt; /x</code>'));
  const text = renderText(single);
  const lines = text.split('\n');
  const layer = lines.findIndex((l) => /^ {2}2 +✗ +sha256:0{12} +sha256:0{12} +10 B +.*image +RUN echo hi > \/x$/.test(l));
  assert.ok(layer > 0, text);
  // The local build's diff_id and digest sit under the registry's, in the same columns.
  const registryRow = lines[layer] as string;
  const localRow = lines[layer + 1] as string;
  assert.match(localRow, /^ {4}local sha256:0{12} sha256:0{12}$/);
  assert.equal(localRow.indexOf('sha256:'), registryRow.indexOf('sha256:'));
});

test('one platform renders the same section whether the engine lists it in platforms or not', () => {
  const listed = { ...single, platforms: platformsOf(single) };
  assert.equal(listed.platforms.length, 1);
  assert.equal(summaryHtml([listed]), summaryHtml([single]));
  assert.equal(renderText(listed), renderText(single));
});
