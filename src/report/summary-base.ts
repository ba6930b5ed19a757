// The base-image parts of the job summary: one image's base section (where the base came from,
// drift, dates, the history attributed to base or image) and, in audit mode, one table across
// images. Every value from a registry or a Dockerfile is escaped.

import * as core from '@actions/core';
import { addList, addTable, type Cell } from './summary-html.js';
import { shortDigest } from '../oci/digest.js';
import { count, escapeHtml, instructionOf, shorten } from './format.js';
import type { BaseReport, BaseStatus } from '../model/base.js';
import type { VerifyReport } from '../model/report.js';


export const BASE_LABELS: Record<BaseStatus, string> = {
  'up-to-date': '✅ up to date',
  drifted: '🔄 drifted',
  'not-built-on': '❌ not built on this base',
  unknown: '❔ unknown',
  none: '➖ no base',
};

export function addBaseSection(report: VerifyReport): void {
  const base = report.base;
  if (!base) return;
  // Several platforms: the combined verdict, then each platform's base as in a one-platform run.
  const perPlatform = report.platforms && !report.remote ? report.platforms.filter((p) => p.base) : [];
  addOneBase(base, perPlatform.length ? undefined : report.layers.length, 'Base image', 3);
  for (const platform of perPlatform) {
    if (platform.base) addOneBase(platform.base, platform.layers.length, `Base image, ${escapeHtml(platform.platform)}`, 4);
  }
}

/** @param imageLayers the image's layer count, when the section is about one image (not the combined verdict). */
function addOneBase(base: BaseReport, imageLayers: number | undefined, title: string, level: 3 | 4): void {
  const s = core.summary;
  s.addHeading(`${title}: ${BASE_LABELS[base.status]}`, level);
  s.addRaw(`<p>${escapeHtml(base.message)}</p>`, true);
  const facts: string[] = [];
  if (base.reference) facts.push(`<strong>Base</strong> <code>${escapeHtml(base.reference)}</code>, from ${escapeHtml(base.from)}`);
  else facts.push(`<strong>Base</strong> found from ${escapeHtml(base.from)}`);
  if (base.namedByRegistry) facts.push(`<strong>Named by the registry</strong> looked up without credentials on any other registry`);
  if (base.builtOn?.digest) facts.push(`<strong>Built on</strong> ${digestWithDate(base.builtOn.digest, base.builtOn.created)}`);
  if (base.current?.digest) facts.push(`<strong>Tag now</strong> ${digestWithDate(base.current.digest, base.current.created)}`);
  if (base.layers !== undefined) facts.push(`<strong>Base layers</strong> ${base.layers}${imageLayers !== undefined ? ` of the image's ${imageLayers}` : ' on every platform'}`);
  if (base.matchingLayers !== undefined && base.current?.layers !== undefined && base.status !== 'up-to-date') {
    facts.push(`<strong>Still matching</strong> ${base.matchingLayers} of the current base's ${count(base.current.layers, 'layer')}`);
  }
  if (base.behindDays !== undefined) facts.push(`<strong>Behind</strong> the current base by ${base.behindDays} days`);
  if (base.driftAgeDays !== undefined) facts.push(`<strong>Drift age</strong> a newer base has been out for ${base.driftAgeDays} days`);
  if (base.error && base.status !== 'unknown') facts.push(`<strong>Note</strong> ${escapeHtml(base.error)}`);
  addList(facts);
  if (base.history?.length) s.addDetails('History, attributed to base or image', historyTable(base));
}

/** One row per image: the audit view of a scheduled workflow. */
export function addAuditTable(reports: readonly VerifyReport[]): void {
  const s = core.summary;
  const drifted = reports.filter((r) => r.base?.status === 'drifted').length;
  const failed = reports.filter((r) => r.status === 'error').length;
  s.addHeading(`Base image audit: ${reports.length} images, ${drifted} drifted${failed ? `, ${failed} could not be checked` : ''}`, 2);
  const header: Cell[] = ['Image', 'Base', 'Built-on base digest', 'Current base digest', 'Status', 'Age'].map((data) => ({ data, header: true }));
  addTable([header, ...reports.map(auditRow)]);
}

function auditRow(report: VerifyReport): Cell[] {
  const base = report.base;
  const status =
    report.status === 'error'
      ? `⚠️ could not check: ${escapeHtml(report.error ?? 'unknown error')}`
      : base
        ? BASE_LABELS[base.status]
        : '➖ base check off';
  return [
    { data: `<code>${escapeHtml(report.remote?.reference ?? report.image)}</code>` },
    { data: base?.reference ? `<code>${escapeHtml(base.reference)}</code>` : '—' },
    { data: digestCell(base?.builtOn?.digest) },
    { data: digestCell(base?.current?.digest) },
    { data: status },
    { data: base?.driftAgeDays !== undefined ? `${base.driftAgeDays} d` : '' },
  ];
}

function historyTable(base: BaseReport): string {
  const rows = (base.history ?? []).map((h) => {
    const instruction = instructionOf(h.instruction);
    return (
      `<tr><td>${h.index}</td><td>${h.layer ?? '—'}</td>` +
      `<td><code title="${escapeHtml(instruction)}">${escapeHtml(shorten(instruction, 70))}</code></td>` +
      `<td>${escapeHtml(h.created ?? '')}</td><td>${h.origin ?? '?'}</td></tr>`
    );
  });
  return `<table><tr><th>#</th><th>Layer</th><th>Instruction</th><th>Created</th><th>Origin</th></tr>${rows.join('')}</table>`;
}

function digestWithDate(digest: string, created: string | undefined): string {
  return `<code>${escapeHtml(digest)}</code>${created ? ` (created ${escapeHtml(created)})` : ''}`;
}

function digestCell(digest: string | undefined): string {
  return digest ? `<code title="${escapeHtml(digest)}">${escapeHtml(shortDigest(digest))}</code>` : '—';
}
