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
    ['index', 'match', 'diffId', 'digest', 'size', 'share', 'origin', 'instruction'],
  );
  const [first, second] = table.rows;
  assert.deepEqual(first?.map((c) => c.text), ['1', '✓', 'sha256:000000000000', 'sha256:000000000000', '2.0 KiB', '████████ 100%', 'base', 'ADD file:0123456789abcdef in /']);
  // A differing layer carries the local diff_id and the local compressed digest, in full.
  assert.equal(second?.[2]?.local?.full, d(3));
  assert.equal(second?.[3]?.local?.full, d(13));
  assert.equal(first?.[2]?.local, undefined);
  assert.equal(second?.[7]?.full, 'RUN echo hi > /x');
  // 10 B of 2058 B: a sliver, not nothing.
  assert.equal(second?.[5]?.text, '▏ <1%');
  assert.deepEqual(
    layerTable([{ index: 1, status: 'not-compared' }]).columns.map((c) => c.id),
    ['index', 'match', 'diffId', 'digest', 'size', 'share', 'instruction'],
  );
  assert.equal(table.columns.some((c) => c.group === 'detail'), false, 'without deep every column is a main one');
});

test('layerTable: totals for the base, the image and the whole, labelled in the instruction column', () => {
  const table = layerTable(rows, deep);
  const ids = table.columns.map((c) => c.id);
  const total = (row: number, id: string) => table.totals?.[row]?.[ids.indexOf(id as never)]?.text;
  assert.equal(table.totals?.length, 3);
  assert.deepEqual([0, 1, 2].map((r) => total(r, 'instruction')), ['Base image: layer 1', 'Your build: layer 2', 'Total: 2 layers']);
  assert.deepEqual([0, 1, 2].map((r) => total(r, 'size')), ['2.0 KiB', '10 B', '2.0 KiB']);
  assert.deepEqual([0, 1, 2].map((r) => total(r, 'share')), ['████████ 100%', '▏ <1%', '████████ 100%']);
  // Layer 2 was not read: its files are unknown, so the sums are those of what was read.
  assert.deepEqual([0, 1, 2].map((r) => total(r, 'files')), ['3', '', '3']);
  assert.deepEqual([0, 1, 2].map((r) => total(r, 'wasted')), ['7 B', '', '7 B']);
  assert.equal(total(2, 'diffId'), '');
  // Without an origin only the whole image is summed; without layers there is nothing to sum.
  assert.deepEqual(layerTable([{ index: 1, size: 5, status: 'not-compared' }]).totals?.map((row) => row.at(-1)?.text), ['Total: 1 layer']);
  assert.equal(layerTable([]).totals, undefined);
});

test('layerTable: deep columns merged in when deep ran, per layer by index', () => {
  const table = layerTable(rows, deep);
  const ids = table.columns.map((c) => c.id);
  assert.deepEqual(ids, ['index', 'match', 'diffId', 'digest', 'size', 'share', 'type', 'uncompressed', 'files', 'deleted', 'wasted', 'bytes', 'result', 'origin', 'instruction']);
  assert.deepEqual(
    table.columns.filter((c) => c.group === 'detail').map((c) => c.id),
    ['type', 'deleted', 'result'],
  );
  const cell = (row: number, id: string) => table.rows[row]?.[ids.indexOf(id as never)]?.text;
  assert.equal(cell(0, 'type'), 'gzip');
  assert.equal(cell(0, 'files'), '3');
  assert.equal(cell(0, 'wasted'), '7 B');
  assert.equal(cell(0, 'result'), '✓ verified');
  assert.equal(cell(1, 'result'), '✗ FAILED: the blob hashes to x');
  assert.equal(cell(1, 'files'), '');
  assert.equal(cell(0, 'bytes'), '✓');
  assert.equal(cell(1, 'bytes'), '✗');
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
  assert.ok(html.includes(`<code title="${d(2)}">000000000000</code><br>local: <code title="${d(3)}">000000000000</code>`));
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

test('the summary says once what every layer of a deep table shares, and keeps throughput out of the main table', () => {
  const proved = {
    ...deep,
    layers: deep.layers.map((l) => ({ ...l, status: 'verified', durationMs: 1000, downloadedBytes: 2 * 1024 * 1024, size: 2 * 1024 * 1024, counts: { files: 1, symlinks: 0, hardlinks: 0, others: 0, whiteouts: 0, opaqueDirs: 0 }, wastedBytes: 0 })),
  } as unknown as DeepReport;
  const same = rows.map((r) => ({ ...r, status: 'match' as const, localDiffId: r.diffId, localDigest: undefined }));
  const html = summaryHtml([{ ...single, status: 'verified', verified: true, checks: [], layers: same, deep: proved }]);
  const [, once, table = ''] = /<summary>✓ linux\/amd64: 2 layers<\/summary>(<p>.*?<\/p>)?(<table>.*?<\/table>)/.exec(html) ?? [];
  assert.equal(once, '<p>Every layer: Match ✓ · Wasted 0 · Bytes ✓</p>');
  assert.match(table, /^<table><tr><th>#<\/th><th>diff_id<\/th><th>Compressed digest<\/th><th>Size<\/th><th>Share of pull<\/th><th>Uncompressed<\/th><th>Files<\/th><th>Origin<\/th><th>Instruction<\/th><\/tr>/);
  assert.doesNotMatch(table, /MB\/s/);
  assert.match(html, /<details><summary>Timing and throughput, linux\/amd64<\/summary><table><tr><th>#<\/th><th>Type<\/th><th>Deleted<\/th><th>Result<\/th><\/tr><tr><td>1<\/td><td>gzip<\/td><td>0<\/td><td>✓ verified \(2\.1 MB\/s\)<\/td><\/tr>/);
  // A table where the layers differ keeps its Match column.
  assert.match(summaryHtml([single]), /<summary>✗ linux\/amd64: 2 layers<\/summary><table><tr><th>#<\/th><th>Match<\/th>/);
});
