// Fitting the CLI text to a terminal (src/report/layout.ts and the text renderer that uses it):
// display widths of wide and zero-width characters, truncation, word wrapping, tables whose
// least important columns give way first, and whole reports at 60, 80, 100 and 160 columns.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayWidth, fitTable, truncate, wrapLine } from '../../src/report/layout.js';
import { renderAuditText, renderText } from '../../src/report/text.js';
import type { DeepReport } from '../../src/model/deep.js';
import type { LayerRow, VerifyReport } from '../../src/model/report.js';

const d = (n: number) => `sha256:${n.toString(16).padStart(2, '0').repeat(32)}`;

test('displayWidth: wide characters take two columns, combining marks and colour escapes none', () => {
  const cases: [string, number][] = [
    ['', 0],
    ['abc', 3],
    ['sha256:0123456789ab', 19],
    ['漢字', 4],
    ['カタカナ', 8],
    ['한국어', 6],
    ['ＦＵＬＬ', 8],
    ['🚀', 2],
    ['✅ Verified', 11],
    ['✓ ✗ – …', 7],
    ['e\u0301', 1],
    ['\u001b[31mred\u001b[0m', 3],
    ['𠀀', 2],
  ];
  for (const [text, width] of cases) assert.equal(displayWidth(text), width, JSON.stringify(text));
});

test('truncate: cuts to the width with an ellipsis, never splitting a wide character over the edge', () => {
  const cases: [string, number, string][] = [
    ['abcdef', 6, 'abcdef'],
    ['abcdef', 5, 'abcd…'],
    ['abcdef', 1, '…'],
    ['abcdef', 0, ''],
    ['漢字漢字', 5, '漢字…'],
    ['漢字漢字', 6, '漢字…'],
    ['🚀🚀🚀', 4, '🚀…'],
  ];
  for (const [text, width, expected] of cases) {
    const cut = truncate(text, width);
    assert.equal(cut, expected, `${text} at ${width}`);
    assert.ok(displayWidth(cut) <= width);
  }
  // A colour escape survives the cut and is reset after it.
  assert.equal(truncate('\u001b[31mabcdef\u001b[0m', 4), '\u001b[31mabc…\u001b[0m');
});

test('wrapLine: at word boundaries, continuation indented two more, overlong words cut', () => {
  const cases: { line: string; width: number; expected: string[] }[] = [
    { line: 'short', width: 10, expected: ['short'] },
    { line: 'one two three four', width: 9, expected: ['one two', '  three', '  four'] },
    { line: '  ✓ diff-ids: every layer matches', width: 20, expected: ['  ✓ diff-ids: every', '    layer matches'] },
    { line: '  manifest  sha256:abcdefabcdef  (linux/amd64)', width: 32, expected: ['  manifest  sha256:abcdefabcdef', '    (linux/amd64)'] },
    { line: `  config    ${d(1)}`, width: 40, expected: ['  config', `    ${d(1).slice(0, 35)}…`] },
    { line: '漢字 漢字 漢字', width: 9, expected: ['漢字 漢字', '  漢字'] },
  ];
  for (const { line, width, expected } of cases) {
    const lines = wrapLine(line, width);
    assert.deepEqual(lines, expected, `${line} at ${width}`);
    for (const l of lines) assert.ok(displayWidth(l) <= width, l);
  }
});

test('fitTable: columns give way in their order, cut down to their minimum or left out whole', () => {
  const columns = [{ title: '#' }, { title: 'digest', giveWay: 2, min: 10 }, { title: 'instruction', giveWay: 1, min: 12 }];
  const rows = [['1', 'sha256:0123456789ab', 'RUN apt-get update && apt-get install -y curl']];
  const cases: { width: number; row: string }[] = [
    { width: 100, row: '  1 sha256:0123456789ab RUN apt-get update && apt-get install -y curl' },
    // The instruction gives way first…
    { width: 50, row: '  1 sha256:0123456789ab RUN apt-get update && apt…' },
    { width: 36, row: '  1 sha256:0123456789ab RUN apt-get…' },
    // …then the digest, once the instruction is at its minimum.
    { width: 31, row: '  1 sha256:012345… RUN apt-get…' },
    // Still too wide with every column at its minimum: the line is cut.
    { width: 20, row: '  1 sha256:01… RUN …' },
  ];
  for (const { width, row } of cases) {
    const lines = fitTable(columns, rows, width);
    assert.equal(lines[1], row, `at ${width}`);
    for (const l of lines) assert.ok(displayWidth(l) <= width, `${l} at ${width}`);
  }
  // A column that may be left out goes, whole, before any line is cut.
  const droppable = [{ title: '#' }, { title: 'digest', giveWay: 2, drop: true }, { title: 'instruction', giveWay: 1, min: 12 }];
  assert.deepEqual(fitTable(droppable, rows, 20), ['  # instruction', '  1 RUN apt-get…']);
});

const instruction = 'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl ca-certificates 漢字 🚀 # buildkit';
const rows: LayerRow[] = [
  { index: 1, instruction: '/bin/sh -c #(nop) ADD file:0123456789abcdef in /', diffId: d(1), localDiffId: d(1), digest: d(11), size: 2048, status: 'match', origin: 'base' },
  { index: 2, instruction, diffId: d(2), localDiffId: d(3), digest: d(12), localDigest: d(13), size: 10_000_000, status: 'differs', origin: 'image' },
];

const deep = {
  verified: false,
  bytesVerified: 2048,
  bytesDownloaded: 2048,
  config: { digest: d(20), size: 1 },
  layers: [
    { index: 1, digest: d(11), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 2048, compression: 'gzip', status: 'verified', uncompressedSize: 4096, counts: { files: 2, symlinks: 1, hardlinks: 0, others: 0, whiteouts: 0, opaqueDirs: 0 }, wastedBytes: 7 },
    { index: 2, digest: d(12), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 10, status: 'failed', failure: 'digest', message: 'the blob hashes to something else entirely' },
  ],
  wastedBytes: 7,
  wasteComplete: false,
  wastedFiles: [],
  wastedFileCount: 1,
  efficiency: 0.9,
  concurrency: 1,
  durationMs: 10,
} as unknown as DeepReport;

const mismatch: VerifyReport = {
  image: 'registry.example.com:5000/acme/some-rather-long-repository-name/app:1.2.3-with-a-long-tag',
  status: 'mismatch',
  verified: false,
  remote: {
    reference: 'registry.example.com:5000/acme/some-rather-long-repository-name/app:1.2.3-with-a-long-tag',
    manifestDigest: d(30),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    configDigest: d(31),
    platform: 'linux/amd64',
  },
  local: { reference: 'app:1', source: 'docker daemon', id: d(32), idKind: 'config', platform: 'linux/amd64' },
  // Registry text with control characters: neutralised before layout, as before.
  checks: [{ rule: 'diff-ids', ok: false, message: 'layer 2 differs: the registry says \u001b[2J\u001b]0;owned\u0007 and\nmore' }],
  layers: rows,
  compared: ['diff_ids'],
  durationMs: 1,
};

test('renderText at 60, 80, 100 and 160 columns: no line wider, the verdict last, both diff_ids shown, control characters neutralised', () => {
  for (const width of [60, 80, 100, 160]) {
    for (const report of [mismatch, { ...mismatch, deep }]) {
      const text = renderText(report, { width });
      const lines = text.split('\n');
      for (const line of lines) assert.ok(displayWidth(line) <= width, `${displayWidth(line)} > ${width}: ${line}`);
      assert.match(lines.at(-1) ?? '', /^MISMATCH {2}/, `the verdict is last at ${width}`);
      // The registry's and the local diff_id of the differing layer, short, one under the other.
      const registryRow = lines.findIndex((l) => /^ {2}2 +✗ /.test(l));
      assert.ok(lines[registryRow]?.includes(`sha256:${'02'.repeat(6)}`), text);
      assert.match(lines[registryRow + 1] ?? '', new RegExp(`^ {4}local sha256:${'03'.repeat(6)}`), text);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no control character reaches the terminal');
    }
  }
});

test('renderText: at 160 columns the whole instruction fits; at 60 it gives way before the digests', () => {
  const wide = renderText(mismatch, { width: 160 }).split('\n');
  assert.ok(wide.some((l) => l.endsWith('ca-certificates 漢字 🚀')), wide.join('\n'));
  const narrow = renderText(mismatch, { width: 60 }).split('\n');
  const row = narrow.find((l) => /^ {2}2 +✗ /.test(l)) ?? '';
  assert.ok(row.includes(`sha256:${'02'.repeat(6)}`), 'the 12-hex digest is kept');
  assert.ok(row.endsWith('…'), row);
});

test('renderText without a width lays nothing out; with one, a long reference in the verdict loses its start, not its tag', () => {
  assert.ok(renderText(mismatch).split('\n').includes(`  manifest  ${d(30)}  (linux/amd64)`));
  assert.equal(renderText(mismatch, { width: 60 }).split('\n').at(-1), 'MISMATCH  …er-long-repository-name/app:1.2.3-with-a-long-tag');
});

test('renderAuditText fits the width: the base column gives way first, then the image, then the built-on digest', () => {
  const audit: VerifyReport[] = [mismatch, { ...mismatch, image: 'r/short:1', remote: undefined, status: 'error' as const, error: 'could not reach the registry: '.repeat(5) }].map((r) => ({
    ...r,
    base: { status: 'drifted' as const, drift: 'true' as const, source: 'label' as const, from: 'labels', reference: 'docker.io/library/a-very-long-base-image-name-for-testing:22-alpine-extra', message: 'the base tag moved on', builtOn: { digest: d(40) }, current: { digest: d(41) }, driftAgeDays: 3 },
  }));
  for (const width of [60, 80, 100, 160]) {
    const lines = renderAuditText(audit, { width }).split('\n');
    for (const line of lines) assert.ok(displayWidth(line) <= width, `${line} at ${width}`);
    assert.match(lines[0] ?? '', width >= 100 ? /^IMAGE +BASE +BUILT ON +CURRENT +STATUS +AGE$/ : /^IMAGE +BASE +(BUILT ON +)?CURRENT +STATUS +AGE$/);
    assert.ok(lines.some((l) => /DRIFTED +3 d$/.test(l)), `the status and age stay at ${width}`);
  }
});
