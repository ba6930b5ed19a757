// The job summary as HTML: a verdict heading, what holds for the whole tag (index digest, failed
// rules, base, the platform set, attestations), then the same section for each platform (its
// digests, base, layer table and what deep verification found), whether there is one platform or
// many. Pure: main.ts hands the HTML to @actions/core. Every value from a registry or a Dockerfile
// is escaped (escapeHtml) before it goes into an element; each line is one element of ours.

import { shortDigest } from '../oci/digest.js';
import { copiesText } from '../verify/waste.js';
import {
  attestationText,
  count,
  deepHeadline,
  escapeHtml,
  LISTED_WASTED_FILES,
  platformsOf,
  presenceText,
  printablePath,
  ruleName,
  shorten,
  wasteHeadline,
  foundByText,
  hasReferrer,
} from './format.js';
import { instructionOf } from '../model/history.js';
import { humanSize, seconds } from '../model/units.js';
import { layerTable, type LayerCell } from './layer-table.js';
import { verdictLabel, verdictOf, type Verdict } from './verdict.js';
import type { BaseReport, BaseStatus } from '../model/base.js';
import type { DeepReport } from '../model/deep.js';
import { failedChecks, type AttestationSummary, type PlatformReport, type VerifyReport } from '../model/report.js';
import { detailsHtml, headerRow, headingHtml, listHtml, paragraphHtml, tableHtml, type SummaryTableCell, type SummaryTableRow } from './summary-html.js';

/** The summary of `reports` (already scrubbed by the caller): one line per element. */
export function summaryHtml(reports: readonly VerifyReport[]): string {
  const elements = [...(reports.length > 1 ? auditTable(reports) : []), ...reports.flatMap(reportHtml)];
  return elements
    .filter(Boolean)
    .map((element) => `${element}\n`)
    .join('');
}

export const BASE_LABELS: Record<BaseStatus, string> = {
  'up-to-date': '✅ up to date',
  drifted: '🔄 drifted',
  'not-built-on': '❌ not built on this base',
  unknown: '❔ unknown',
  none: '➖ no base',
};

function reportHtml(report: VerifyReport): string[] {
  const platforms = platformsOf(report);
  const verdict = verdictOf(report);
  const elements = [headingHtml(`${escapeHtml(verdictLabel(verdict))}: ${escapeHtml(report.remote?.reference ?? report.image)}`, 2), proofHtml(verdict)];
  elements.push(listHtml(indexFacts(report)));
  const failed = failedChecks(report);
  if (failed.length) {
    elements.push(paragraphHtml('<strong>Failed rules</strong>'));
    elements.push(listHtml(failed.map((c) => `<code>${escapeHtml(ruleName(c))}</code>: ${escapeHtml(c.message)}`)));
  }
  // The base for the whole tag: with several platforms, their combined verdict (each platform's own is in its section).
  // No platform knows its base: one muted line for the tag, none per platform.
  const bases = platforms.flatMap((p) => (p.base ? [p.base] : []));
  const noBase = platforms.length > 1 && bases.length === platforms.length && bases.every((b) => b.status === 'none') ? bases[0] : undefined;
  const tagBase = noBase ?? report.base;
  if (tagBase) elements.push(...baseHtml(tagBase, platforms.length === 1 ? platforms[0]?.layers.length : undefined, 'Base image', 3));
  if (platforms.length) elements.push(tableHtml(platformOverview(platforms)));
  elements.push(...supplyChain(report.attestations));
  for (const platform of platforms) elements.push(...platformHtml(platform, platforms.length > 1, tagBase?.status === 'none'));
  if (report.checks.length || report.compared.length) {
    const checks = report.checks.map((c) => `<li>${c.ok ? '✓' : '✗'} <code>${escapeHtml(ruleName(c))}</code>: ${escapeHtml(c.message)}</li>`).join('');
    const compared = report.compared.map((c) => `<li>${escapeHtml(c)}</li>`).join('');
    elements.push(detailsHtml('What was checked', `<ul>${checks}</ul><p>Compared:</p><ul>${compared}</ul><p>Took ${seconds(report.durationMs)}.</p>`));
  }
  return elements;
}

/** The one sentence under the heading: what was proved, or what differs and why; the digest hint when no rule tied the digest to the build. */
function proofHtml(verdict: Verdict): string {
  const hint = verdict.digestUnchecked ? ' <em>Digest not checked — pass <code>digest</code> (the digest output of your push step).</em>' : '';
  return paragraphHtml(`<strong>${escapeHtml(verdict.sentence)}.</strong>${hint}`);
}

/** What holds for the tag as a whole: the index the registry serves and the local one. */
function indexFacts(report: VerifyReport): string[] {
  if (report.index) {
    const facts = [`<strong>Registry</strong> <code>${escapeHtml(report.index.digest)}</code> (${escapeHtml(report.index.mediaType)})`];
    if (report.index.localDigest) facts.push(`<strong>Local index</strong> <code>${escapeHtml(report.index.localDigest)}</code>`);
    return facts;
  }
  return report.remote?.indexDigest ? [`<strong>Index</strong> <code>${escapeHtml(report.remote.indexDigest)}</code>`] : [];
}

/** One platform: its digests, its base (when the tag has several platforms), its layer table and deep findings. */
/** @param baseNone the tag's combined base is none: a platform's own "none" would only repeat it. */
function platformHtml(platform: PlatformReport, several: boolean, baseNone: boolean): string[] {
  const mark = platform.status === 'verified' ? '✓' : '✗';
  const name = escapeHtml(platform.platform);
  const elements = [headingHtml(`${mark} ${name}${platform.presence === 'both' ? '' : ` — ${escapeHtml(presenceText(platform))}`}`, 3)];
  const facts: string[] = [];
  const r = platform.remote;
  if (r) {
    facts.push(`<strong>Manifest</strong> <code>${escapeHtml(r.manifestDigest)}</code> (${escapeHtml(r.platform)})`);
    facts.push(`<strong>Config</strong> <code>${escapeHtml(r.configDigest)}</code>`);
  }
  if (platform.local) facts.push(`<strong>Local build</strong> <code>${escapeHtml(platform.local.reference)}</code> — ${escapeHtml(platform.local.source)}`);
  elements.push(listHtml(facts));
  if (several && platform.base && !(platform.base.status === 'none' && baseNone)) elements.push(...baseHtml(platform.base, platform.layers.length, `Base image, ${name}`, 4));
  if (platform.layers.length) elements.push(detailsHtml(`${mark} ${name}: ${count(platform.layers.length, 'layer')}`, tableHtml(layerTableRows(platform))));
  if (platform.deep) elements.push(...deepHtml(platform.deep));
  return elements;
}

function layerTableRows(platform: PlatformReport): SummaryTableRow[] {
  const table = layerTable(platform.layers, platform.deep);
  return [headerRow(table.columns.map((c) => c.title)), ...table.rows.map((row) => row.map(layerCell))];
}

function layerCell(cell: LayerCell): SummaryTableCell {
  return { data: cell.local ? `${cellHtml(cell)}<br>local: ${cellHtml(cell.local)}` : cellHtml(cell) };
}

function cellHtml(cell: LayerCell): string {
  return cell.code ? `<code title="${escapeHtml(cell.full ?? cell.text)}">${escapeHtml(cell.text)}</code>` : escapeHtml(cell.text);
}

function platformOverview(platforms: readonly PlatformReport[]): SummaryTableRow[] {
  const rows = platforms.map((p): SummaryTableCell[] => {
    const failed = p.checks.filter((c) => !c.ok).map((c) => c.rule);
    return [
      { data: `<code>${escapeHtml(p.platform)}</code>${p.presence === 'both' ? '' : `<br>${escapeHtml(presenceText(p))}`}` },
      { data: digestCell(p.remote?.manifestDigest) },
      { data: digestCell(p.local?.manifestDigest) },
      { data: p.layers.length ? String(p.layers.length) : '' },
      { data: escapeHtml(attestationText(p.attestation)) },
      { data: p.status === 'verified' ? '✓' : `✗ ${escapeHtml(failed.join(', '))}` },
    ];
  });
  // The config digest is in each platform's section: a fourth digest column would not fit the pane.
  return [headerRow(['Platform', 'Registry manifest', 'Local manifest', 'Layers', 'Attestation', '']), ...rows];
}

function deepHtml(deep: DeepReport): string[] {
  const icon = deep.layers.some((l) => l.status === 'failed') ? '❌' : deep.verified ? '✅' : '⚠️';
  const elements = [headingHtml('Deep verification', 4), paragraphHtml(`${icon} ${escapeHtml(deepHeadline(deep))}`)];
  elements.push(paragraphHtml(`<strong>Wasted bytes:</strong> ${escapeHtml(wasteHeadline(deep))}`));
  elements.push(
    listHtml(
      deep.wastedFiles
        .slice(0, LISTED_WASTED_FILES)
        .map((f) => `<code>${escapeHtml(printablePath(f.path))}</code> ${escapeHtml(humanSize(f.bytes))} — in ${escapeHtml(copiesText(f))}`),
    ),
  );
  if (deep.cache) {
    elements.push(paragraphHtml(`Verified-layer cache: ${deep.cache.hits} hits, ${deep.cache.writes} new entries (<code>${escapeHtml(deep.cache.location)}</code>).`));
  }
  return elements;
}

function supplyChain(attestations: readonly AttestationSummary[] | undefined): string[] {
  if (!attestations?.length) return [];
  const rows = attestations.map((a): SummaryTableCell[] => [
    { data: `<code>${escapeHtml(a.platform)}</code>` },
    { data: a.subjectsOk ? '✓' : '✗' },
    { data: a.provenance ? '✓' : '—' },
    { data: a.sbom ? '✓' : hasReferrer(a, 'sbom') ? '✓ (referrer)' : '—' },
    { data: hasReferrer(a, 'signature') ? '✓ (present, not verified)' : '—' },
    { data: a.predicateTypes.map((t) => `<code>${escapeHtml(t)}</code>`).join('<br>') || '—' },
  ]);
  // Builder and source are long URLs that cannot wrap in a cell: a list under the table, where they can.
  const origins = attestations
    .filter((a) => a.builder || a.source)
    .map(
      (a) =>
        `<code>${escapeHtml(a.platform)}</code>${a.builder ? ` built by <code>${escapeHtml(a.builder)}</code>` : ''}` +
        `${a.source ? ` from <code>${escapeHtml(a.source)}</code>${a.revision ? ` @ <code>${escapeHtml(a.revision)}</code>` : ''}` : ''}`,
    );
  return [
    paragraphHtml('<strong>Supply chain</strong>'),
    tableHtml([headerRow(['Platform', 'Subject', 'Provenance', 'SBOM', 'Signature', 'Predicate types']), ...rows]),
    listHtml(origins),
    ...referrersHtml(attestations),
  ];
}

/** Every referrer counted, per platform, and what was not; presence only, no signature is verified. */
function referrersHtml(attestations: readonly AttestationSummary[]): string[] {
  const withReferrers = attestations.filter((a) => a.referrers);
  if (withReferrers.length === 0) return [];
  const rows = withReferrers.flatMap((a) =>
    (a.referrers?.items ?? []).map((item): SummaryTableCell[] => [
      { data: `<code>${escapeHtml(a.platform)}</code>` },
      { data: escapeHtml(item.kind) },
      { data: item.artifactType ? `<code>${escapeHtml(item.artifactType)}</code>` : '—' },
      { data: `<code>${escapeHtml(shortDigest(item.digest))}</code>` },
      { data: item.refersTo ?? '—' },
      { data: escapeHtml(foundByText(item)) },
    ]),
  );
  const how = [...new Set(withReferrers.flatMap((a) => a.referrers?.listedBy.map((l) => l.via) ?? []))];
  const listed = how.length ? `listed through ${how.map((v) => (v === 'api' ? 'the referrers API' : 'the referrers tag (no referrers API)')).join(' and ')}` : 'not listed';
  const elements = [paragraphHtml(`Referrers (OCI 1.1), ${listed}, and cosign's tags: presence only, signatures are not verified.`)];
  if (rows.length) elements.push(tableHtml([headerRow(['Platform', 'Kind', 'Artifact type', 'Referrer', 'Refers to', 'Found by']), ...rows]));
  const problems = [...new Set(withReferrers.flatMap((a) => a.referrers?.problems ?? []))];
  if (problems.length) elements.push(paragraphHtml('Not counted:'), listHtml(problems.map((p) => escapeHtml(p))));
  return elements;
}

/** @param imageLayers the image's layer count, when the section is about one image (not the combined verdict). */
function baseHtml(base: BaseReport, imageLayers: number | undefined, title: string, level: 3 | 4): string[] {
  // No base: one muted line, in proportion to its news; the how-to is one click away.
  if (base.status === 'none') {
    const label = `${title.replace('Base image', 'Base')}:`;
    if (base.layers === 0) return [paragraphHtml(`<sub>${label} none — ${escapeHtml(base.message)}</sub>`)];
    return [detailsHtml(`<sub>${label} unknown — how to enable</sub>`, `${paragraphHtml(escapeHtml(base.message))}${paragraphHtml(`Looked at: ${escapeHtml(base.from)}.`)}`)];
  }
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
  return [
    headingHtml(`${title}: ${BASE_LABELS[base.status]}`, level),
    paragraphHtml(escapeHtml(base.message)),
    listHtml(facts),
    ...(base.history?.length ? [detailsHtml('History, attributed to base or image', historyTable(base))] : []),
  ];
}

function historyTable(base: BaseReport): string {
  const rows = (base.history ?? []).map((h): SummaryTableCell[] => {
    const instruction = instructionOf(h.instruction);
    return [
      { data: String(h.index) },
      { data: h.layer !== undefined ? String(h.layer) : '—' },
      { data: `<code title="${escapeHtml(instruction)}">${escapeHtml(shorten(instruction, 70))}</code>` },
      { data: escapeHtml(h.created ?? '') },
      { data: h.origin ?? '?' },
    ];
  });
  return tableHtml([headerRow(['#', 'Layer', 'Instruction', 'Created', 'Origin']), ...rows]);
}

/** One row per image: the audit view of a scheduled workflow. */
function auditTable(reports: readonly VerifyReport[]): string[] {
  const drifted = reports.filter((r) => r.base?.status === 'drifted').length;
  const failed = reports.filter((r) => r.status === 'error').length;
  const rows = reports.map((report): SummaryTableCell[] => {
    const base = report.base;
    const status = report.status === 'error' ? `⚠️ could not check: ${escapeHtml(report.error ?? 'unknown error')}` : base ? BASE_LABELS[base.status] : '➖ base check off';
    return [
      { data: `<code>${escapeHtml(report.remote?.reference ?? report.image)}</code>` },
      { data: base?.reference ? `<code>${escapeHtml(base.reference)}</code>` : '—' },
      { data: digestCell(base?.builtOn?.digest) },
      { data: digestCell(base?.current?.digest) },
      { data: status },
      { data: base?.driftAgeDays !== undefined ? `${base.driftAgeDays} d` : '' },
    ];
  });
  return [
    headingHtml(`Base image audit: ${reports.length} images, ${drifted} drifted${failed ? `, ${failed} could not be checked` : ''}`, 2),
    tableHtml([headerRow(['Image', 'Base', 'Built-on base digest', 'Current base digest', 'Status', 'Age']), ...rows]),
  ];
}

function digestWithDate(digest: string, created: string | undefined): string {
  return `<code>${escapeHtml(digest)}</code>${created ? ` (created ${escapeHtml(created)})` : ''}`;
}

function digestCell(digest: string | undefined): string {
  return digest ? `<code title="${escapeHtml(digest)}">${escapeHtml(shortDigest(digest))}</code>` : '—';
}
