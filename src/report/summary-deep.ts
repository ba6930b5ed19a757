// The deep-verification section of the job summary: a headline, one row per layer (what its
// bytes proved and what is inside it) and the largest wasted files. Escaped like summary.ts.

import * as core from '@actions/core';
import { addList, addTable, type Cell } from './summary-html.js';
import { shortDigest } from '../oci/digest.js';
import { compressionLabel, deepHeadline, layerResult, LISTED_WASTED_FILES, printablePath, resultMark, wasteHeadline } from './deep-format.js';
import { escapeHtml, humanSize } from './format.js';
import type { DeepLayer, DeepReport } from './model-deep.js';
import { copiesText } from '../verify/waste.js';


export function addDeepSection(deep: DeepReport): void {
  const s = core.summary;
  const icon = deep.layers.some((l) => l.status === 'failed') ? '❌' : deep.verified ? '✅' : '⚠️';
  s.addHeading('Deep verification', 3);
  s.addRaw(`<p>${icon} ${escapeHtml(deepHeadline(deep))}</p>`, true);
  const header: Cell[] = ['#', 'Blob', 'Type', 'Compressed', 'Uncompressed', 'Files', 'Deleted', 'Wasted', 'Result'].map((data) => ({ data, header: true }));
  addTable([header, ...deep.layers.map(row)]);
  s.addRaw(`<p><strong>Wasted bytes:</strong> ${escapeHtml(wasteHeadline(deep))}</p>`, true);
  if (deep.wastedFiles.length) {
    addList(
      deep.wastedFiles.slice(0, LISTED_WASTED_FILES).map(
        (f) => `<code>${escapeHtml(printablePath(f.path))}</code> ${escapeHtml(humanSize(f.bytes))} — in ${escapeHtml(copiesText(f))}`,
      ),
    );
  }
  if (deep.cache) {
    s.addRaw(`<p>Verified-layer cache: ${deep.cache.hits} hits, ${deep.cache.writes} new entries (<code>${escapeHtml(deep.cache.location)}</code>).</p>`, true);
  }
}

function row(layer: DeepLayer): Cell[] {
  const c = layer.counts;
  return [
    { data: String(layer.index) },
    { data: `<code title="${escapeHtml(layer.digest)}">${escapeHtml(shortDigest(layer.digest))}</code>` },
    { data: escapeHtml(compressionLabel(layer)) },
    { data: humanSize(layer.size) },
    { data: humanSize(layer.uncompressedSize) },
    { data: c ? String(c.files + c.symlinks + c.hardlinks + c.others) : '' },
    { data: c ? String(c.whiteouts + c.opaqueDirs) : '' },
    { data: layer.wastedBytes ? humanSize(layer.wastedBytes) : c ? '0' : '' },
    { data: `${resultMark(layer)} ${escapeHtml(layerResult(layer))}` },
  ];
}
