// The job summary, written with @actions/core's summary API: a verdict heading, the digests and
// platform, what was compared, the failed rules, and the layer table. Cells are HTML, so every
// value from a registry or a Dockerfile is escaped before it goes in.

import * as core from '@actions/core';
import { addList, addTable, type Cell } from './summary-html.js';
import { shortDigest } from '../oci/digest.js';
import { escapeHtml, humanSize, instructionOf, seconds, shorten } from './format.js';
import { failedChecks, type LayerRow, type VerifyReport } from '../model/report.js';
import { addAuditTable, addBaseSection } from './summary-base.js';
import { ruleName } from './platforms.js';
import { addPlatformSummary } from './summary-platforms.js';
import { addDeepSection } from './summary-deep.js';
import { addSupplyChainSection } from './attestations.js';


/**
 * Writes the summary of `reports` (already scrubbed by the caller); `scrub` runs once more over
 * the finished HTML, so that no secret reaches the page even in a form the report did not hold.
 */
export async function writeSummary(reports: VerifyReport[], scrub: (html: string) => string = (html) => html): Promise<void> {
  if (reports.length > 1) addAuditTable(reports);
  for (const report of reports) addReport(report);
  const html = scrub(core.summary.stringify());
  await core.summary.emptyBuffer().addRaw(html).write();
}

const HEADINGS: Record<VerifyReport['status'], string> = {
  verified: '✅ Verified',
  mismatch: '❌ Mismatch',
  error: '⚠️ Could not verify',
};

function addReport(report: VerifyReport): void {
  const s = core.summary;
  s.addHeading(`${HEADINGS[report.status]}: ${escapeHtml(report.remote?.reference ?? report.image)}`, 2);
  if (report.error) s.addRaw(`<p><strong>Error:</strong> ${escapeHtml(report.error)}</p>`, true);

  const facts: string[] = [];
  const r = report.remote;
  if (r) {
    if (r.indexDigest) facts.push(`<strong>Index</strong> <code>${escapeHtml(r.indexDigest)}</code>`);
    facts.push(`<strong>Manifest</strong> <code>${escapeHtml(r.manifestDigest)}</code> (${escapeHtml(r.platform)})`);
    facts.push(`<strong>Config</strong> <code>${escapeHtml(r.configDigest)}</code>`);
  }
  if (report.local) {
    facts.push(`<strong>Local build</strong> <code>${escapeHtml(report.local.reference)}</code> — ${escapeHtml(report.local.source)}`);
  }
  if (facts.length) addList(facts);

  const failed = failedChecks(report);
  if (failed.length) {
    s.addRaw('<p><strong>Failed rules</strong></p>', true);
    addList(failed.map((c) => `<code>${escapeHtml(ruleName(c))}</code>: ${escapeHtml(c.message)}`));
  }
  addBaseSection(report);
  addPlatformSummary(report);
  addSupplyChainSection(report);
  if (report.layers.length) addTable(layerTable(report.layers));
  if (report.deep) addDeepSection(report.deep);
  if (report.checks.length || report.compared.length) {
    const checks = report.checks.map((c) => `<li>${c.ok ? '✓' : '✗'} <code>${escapeHtml(ruleName(c))}</code>: ${escapeHtml(c.message)}</li>`).join('');
    const compared = report.compared.map((c) => `<li>${escapeHtml(c)}</li>`).join('');
    s.addDetails('What was checked', `<ul>${checks}</ul><p>Compared:</p><ul>${compared}</ul><p>Took ${seconds(report.durationMs)}.</p>`);
  }
}

function layerTable(rows: LayerRow[]): Cell[][] {
  // The origin column appears once a base is known (see summary-base.ts).
  const origin = rows.some((r) => r.origin);
  const header: Cell[] = ['#', 'Instruction', 'diff_id', 'Compressed digest', 'Size', 'Match', ...(origin ? ['Origin'] : [])].map((data) => ({ data, header: true }));
  return [header, ...rows.map((row) => [...layerCells(row), ...(origin ? [{ data: escapeHtml(row.origin ?? '?') }] : [])])];
}

function layerCells(row: LayerRow): Cell[] {
  const instruction = instructionOf(row.instruction);
  const mark = row.status === 'match' ? '✓' : row.status === 'differs' ? '✗' : '–';
  const diffId =
    row.status === 'differs' && row.localDiffId !== row.diffId
      ? `${digestCell(row.diffId)}<br>local: ${digestCell(row.localDiffId)}`
      : digestCell(row.diffId);
  return [
    { data: String(row.index) },
    { data: instruction ? `<code title="${escapeHtml(instruction)}">${escapeHtml(shorten(instruction, 60))}</code>` : '' },
    { data: diffId },
    { data: digestCell(row.digest) },
    { data: humanSize(row.size) },
    { data: mark },
  ];
}

function digestCell(digest: string | undefined): string {
  return digest ? `<code title="${escapeHtml(digest)}">${escapeHtml(shortDigest(digest))}</code>` : '—';
}
