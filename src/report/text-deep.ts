// The deep-verification part of the CLI text: a headline, a row per layer, the wasted files.

import { shortDigest } from '../oci/digest.js';
import { compressionLabel, deepHeadline, layerResult, LISTED_WASTED_FILES, printablePath, resultMark, wasteHeadline } from './deep-format.js';
import { humanSize, shorten } from './format.js';
import type { DeepReport } from './model-deep.js';
import { copiesText } from '../verify/waste.js';

export function renderDeepText(deep: DeepReport): string[] {
  const lines = ['', `  deep: ${deepHeadline(deep)}`];
  lines.push('  #   ok  blob                 type  compressed  uncompressed  files   deleted  wasted      result');
  for (const l of deep.layers) {
    const c = l.counts;
    lines.push(
      `  ${String(l.index).padEnd(3)} ${resultMark(l)}   ${shortDigest(l.digest).padEnd(20)} ${compressionLabel(l).padEnd(5)} ${humanSize(l.size).padEnd(11)} ${humanSize(l.uncompressedSize).padEnd(13)} ` +
        `${(c ? String(c.files + c.symlinks + c.hardlinks + c.others) : '').padEnd(7)} ${(c ? String(c.whiteouts + c.opaqueDirs) : '').padEnd(8)} ${(l.wastedBytes ? humanSize(l.wastedBytes) : c ? '0' : '').padEnd(11)} ${shorten(layerResult(l), 100)}`,
    );
  }
  lines.push(`  wasted: ${wasteHeadline(deep)}`);
  for (const f of deep.wastedFiles.slice(0, LISTED_WASTED_FILES)) {
    lines.push(`    ${humanSize(f.bytes).padEnd(10)} ${printablePath(f.path)}  (${copiesText(f)})`);
  }
  if (deep.cache) lines.push(`  cache: ${deep.cache.hits} hits, ${deep.cache.writes} new entries in ${deep.cache.location}`);
  return lines;
}
