// The supply-chain part of a report, in every medium: the `attestations` output (JSON), the job
// summary's "Supply chain" section and the CLI lines. Builder, source and revision are registry
// text: escaped for HTML here, neutralised for the terminal by the text renderer's plainCopy.

import * as core from '@actions/core';
import { escapeHtml } from './format.js';
import type { AttestationSummary, VerifyReport } from '../model/report.js';
import { addTable, type Cell } from './summary-html.js';

/** The output: one entry per verified platform, the fields the action documents and no others. */
export function attestationsOutput(report: VerifyReport): object[] {
  return (report.attestations ?? []).map((a) => ({
    platform: a.platform,
    provenance: a.provenance,
    sbom: a.sbom,
    predicateTypes: a.predicateTypes,
    ...(a.builder ? { builder: a.builder } : {}),
    ...(a.source ? { source: a.source } : {}),
    ...(a.revision ? { revision: a.revision } : {}),
  }));
}

export function addSupplyChainSection(report: VerifyReport): void {
  const attestations = report.attestations;
  if (!attestations?.length) return;
  core.summary.addRaw('<p><strong>Supply chain</strong></p>', true);
  const header: Cell[] = ['Platform', 'Subject', 'Provenance', 'SBOM', 'Predicate types', 'Builder', 'Source'].map((data) => ({ data, header: true }));
  const rows = attestations.map((a): Cell[] => [
    { data: `<code>${escapeHtml(a.platform)}</code>` },
    { data: a.subjectsOk ? '✓' : '✗' },
    { data: a.provenance ? '✓' : '—' },
    { data: a.sbom ? '✓' : '—' },
    { data: a.predicateTypes.map((t) => `<code>${escapeHtml(t)}</code>`).join('<br>') || '—' },
    { data: a.builder ? `<code>${escapeHtml(a.builder)}</code>` : '—' },
    { data: sourceCell(a) },
  ]);
  addTable([header, ...rows]);
}

function sourceCell(a: AttestationSummary): string {
  if (!a.source) return '—';
  return `<code>${escapeHtml(a.source)}</code>${a.revision ? ` @ <code>${escapeHtml(a.revision)}</code>` : ''}`;
}

/** CLI lines (the caller passes a plainCopy of the report). */
export function attestationsText(report: VerifyReport): string[] {
  const attestations = report.attestations;
  if (!attestations?.length) return [];
  const lines = ['', '  supply chain'];
  for (const a of attestations) {
    const kinds = [a.provenance ? 'provenance' : '', a.sbom ? 'sbom' : ''].filter(Boolean).join(', ') || 'no provenance or sbom';
    lines.push(`  ${a.subjectsOk ? '✓' : '✗'} ${a.platform}: ${kinds}${a.predicateTypes.length ? ` (${a.predicateTypes.join(', ')})` : ''}`);
    if (a.builder) lines.push(`      builder   ${a.builder}`);
    if (a.source) lines.push(`      source    ${a.source}${a.revision ? ` @ ${a.revision}` : ''}`);
  }
  return lines;
}
