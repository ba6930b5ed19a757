// The CLI's rendering of a report: a verdict line, the digests, failed rules and a layer table.
// Rendered from a plain copy of the report, so that no value (a registry's history, an error
// body) can add a line or a control sequence to the terminal or to a workflow log.

import { shortDigest } from '../oci/digest.js';
import { humanSize, instructionOf, plainCopy, shorten } from './format.js';
import { failedChecks, type VerifyReport } from '../model/report.js';
import { baseTextLines } from './text-base.js';
import { platformsText, ruleName } from './platforms.js';
import { renderDeepText } from './text-deep.js';
import { attestationsText } from './attestations.js';

export function renderText(input: VerifyReport): string {
  const report = plainCopy(input);
  const lines: string[] = [];
  const verdict = report.status === 'verified' ? 'VERIFIED' : report.status === 'mismatch' ? 'MISMATCH' : 'COULD NOT VERIFY';
  lines.push(`${verdict}  ${report.remote?.reference ?? report.image}`);
  if (report.error) lines.push(`  error: ${report.error}`);
  const r = report.remote;
  if (r) {
    if (r.indexDigest) lines.push(`  index     ${r.indexDigest}`);
    lines.push(`  manifest  ${r.manifestDigest}  (${r.platform})`);
    lines.push(`  config    ${r.configDigest}`);
  }
  if (report.local) lines.push(`  local     ${report.local.reference}  ${report.local.id}  [${report.local.source}]`);
  for (const check of failedChecks(report)) lines.push(`  ✗ ${ruleName(check)}: ${check.message}`);
  for (const check of report.checks.filter((c) => c.ok)) lines.push(`  ✓ ${ruleName(check)}: ${check.message}`);
  lines.push(...baseTextLines(report));
  lines.push(...platformsText(report));
  lines.push(...attestationsText(report));
  if (report.layers.length > 0) {
    lines.push('');
    const origin = report.layers.some((row) => row.origin);
    lines.push(`  #   ok  diff_id              digest               size       ${origin ? 'origin ' : ''}instruction`);
    for (const row of report.layers) {
      const mark = row.status === 'match' ? '✓' : row.status === 'differs' ? '✗' : '·';
      lines.push(
        `  ${String(row.index).padEnd(3)} ${mark}   ${shortDigest(row.diffId).padEnd(20)} ${shortDigest(row.digest).padEnd(20)} ${humanSize(row.size).padEnd(10)} ${origin ? (row.origin ?? '?').padEnd(7) : ''}${shorten(instructionOf(row.instruction), 60)}`,
      );
    }
  }
  if (report.deep) lines.push(...renderDeepText(report.deep));
  return lines.join('\n');
}
