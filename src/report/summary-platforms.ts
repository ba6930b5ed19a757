// The job summary's multi-platform part: the index digests, a platform overview table, and one
// collapsible layer table per platform. Every value is escaped; cells are HTML.

import * as core from '@actions/core';
import { addList, addTable, type Cell } from './summary-html.js';
import { shortDigest } from '../oci/digest.js';
import { count, escapeHtml, humanSize, instructionOf, shorten } from './format.js';
import type { LayerRow, PlatformReport, VerifyReport } from '../model/report.js';
import { attestationText, presenceText } from './platforms.js';

export function addPlatformSummary(report: VerifyReport): void {
  const platforms = report.platforms;
  if (!platforms) return;
  const s = core.summary;
  if (report.index && !report.remote) {
    const facts = [`<strong>Registry</strong> <code>${escapeHtml(report.index.digest)}</code> (${escapeHtml(report.index.mediaType)})`];
    if (report.index.localDigest) facts.push(`<strong>Local index</strong> <code>${escapeHtml(report.index.localDigest)}</code>`);
    addList(facts);
  }
  addTable(overview(platforms));
  // With one platform the main layer table already shows it.
  if (report.layers.length > 0) return;
  for (const platform of platforms) {
    if (platform.layers.length === 0) continue;
    const label = `${platform.status === 'verified' ? '✓' : '✗'} ${escapeHtml(platform.platform)}: ${count(platform.layers.length, 'layer')}`;
    s.addDetails(label, layerTableHtml(platform.layers));
  }
}


function overview(platforms: PlatformReport[]): Cell[][] {
  const header: Cell[] = ['Platform', 'Registry manifest', 'Local manifest', 'Config', 'Layers', 'Attestation', ''].map((data) => ({ data, header: true }));
  const rows = platforms.map((p): Cell[] => {
    const failed = p.checks.filter((c) => !c.ok).map((c) => c.rule);
    const mark = p.status === 'verified' ? '✓' : `✗ ${escapeHtml(failed.join(', '))}`;
    return [
      { data: `<code>${escapeHtml(p.platform)}</code>${p.presence === 'both' ? '' : `<br>${escapeHtml(presenceText(p))}`}` },
      { data: digest(p.remote?.manifestDigest) },
      { data: digest(p.local?.manifestDigest) },
      { data: digest(p.remote?.configDigest) },
      { data: p.layers.length ? String(p.layers.length) : '' },
      { data: escapeHtml(attestationText(p.attestation)) },
      { data: mark },
    ];
  });
  return [header, ...rows];
}

function layerTableHtml(rows: LayerRow[]): string {
  // The origin column appears once the platform's base is known (summary-base.ts).
  const origin = rows.some((r) => r.origin);
  const head = ['#', 'Instruction', 'diff_id', 'Compressed digest', 'Size', '', ...(origin ? ['Origin'] : [])].map((h) => `<th>${h}</th>`).join('');
  const body = rows
    .map((row) => {
      const instruction = instructionOf(row.instruction);
      const mark = row.status === 'match' ? '✓' : row.status === 'differs' ? '✗' : '–';
      const diffId =
        row.status === 'differs' && row.localDiffId !== row.diffId ? `${digest(row.diffId)}<br>local: ${digest(row.localDiffId)}` : digest(row.diffId);
      const compressed = row.localDigest && row.localDigest !== row.digest ? `${digest(row.digest)}<br>local: ${digest(row.localDigest)}` : digest(row.digest);
      const cells = [
        String(row.index),
        instruction ? `<code title="${escapeHtml(instruction)}">${escapeHtml(shorten(instruction, 60))}</code>` : '',
        diffId,
        compressed,
        humanSize(row.size),
        mark,
        ...(origin ? [escapeHtml(row.origin ?? '?')] : []),
      ];
      return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<table><tr>${head}</tr>${body}</table>`;
}

function digest(value: string | undefined): string {
  return value ? `<code title="${escapeHtml(value)}">${escapeHtml(shortDigest(value))}</code>` : '—';
}
