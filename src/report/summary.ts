// The job summary as HTML: a verdict heading and the sentence that proves it; for a mismatch the
// registry and the local build side by side with a diagnosis; what holds for the whole tag (index
// digest, failed rules, base, the platform set, attestations); then the same section for each
// platform (its digests, base, one layer table with totals and, when deep ran, what the bytes
// proved). An audit is one table of images by severity, each image's section collapsed. Pure:
// main.ts hands the HTML to @actions/core, and the run's time (for "3 h ago"). Every value from a
// registry or a Dockerfile is escaped (escapeHtml) before it goes into an element; each line is
// one element of ours.

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
  wasteHeadline,
  foundByText,
  hasReferrer,
} from './format.js';
import { humanSize, seconds } from '../model/units.js';
import { layerTable, type LayerCell, type LayerColumn, type LayerTable } from './layer-table.js';
import { comparisonOf, diagnosisText, type ComparisonRow } from './mismatch.js';
import { dateAgo } from './time.js';
import { auditHtml } from './summary-audit.js';
import { verdictLabel, verdictOf, type Verdict } from './verdict.js';
import type { BaseReport, BaseStatus } from '../model/base.js';
import type { DeepReport } from '../model/deep.js';
import { failedChecks, type AttestationSummary, type PlatformReport, type VerifyReport } from '../model/report.js';
import { detailsHtml, headerRow, headingHtml, listHtml, paragraphHtml, tableHtml, type SummaryTableCell, type SummaryTableRow } from './summary-html.js';

/** The summary of `reports` (already scrubbed by the caller): one line per element. `now`: the run's time, for "3 h ago". */
export function summaryHtml(reports: readonly VerifyReport[], now: Date = new Date()): string {
  const elements = reports.length > 1 ? auditHtml(reports, now, reportHtml) : reports.flatMap((report) => reportHtml(report, now));
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

function reportHtml(report: VerifyReport, now: Date): string[] {
  const platforms = platformsOf(report);
  const verdict = verdictOf(report);
  const elements = [headingHtml(`${escapeHtml(verdictLabel(verdict))}: ${escapeHtml(report.remote?.reference ?? report.image)}`, 2), proofHtml(verdict)];
  // A mismatch shows the two sides first, before anything that passed.
  const comparisons = platforms.filter((p) => p.status !== 'verified').flatMap((p) => comparisonHtml(p, platforms.length > 1));
  elements.push(...comparisons);
  const failed = failedChecks(report);
  if (failed.length) {
    const list = listHtml(failed.map((c) => `<code>${escapeHtml(ruleName(c))}</code>: ${escapeHtml(c.message)}`));
    // Beside a comparison the rules only repeat it with full digests: one click away.
    elements.push(comparisons.length ? detailsHtml(`Failed rules (${failed.length})`, list) : `${paragraphHtml('<strong>Failed rules</strong>')}`, ...(comparisons.length ? [] : [list]));
  }
  elements.push(listHtml(indexFacts(report)));
  // The base for the whole tag: with several platforms, their combined verdict (each platform's own is in its section).
  // No platform knows its base: one muted line for the tag, none per platform.
  const bases = platforms.flatMap((p) => (p.base ? [p.base] : []));
  const noBase = platforms.length > 1 && bases.length === platforms.length && bases.every((b) => b.status === 'none') ? bases[0] : undefined;
  const tagBase = noBase ?? report.base;
  if (tagBase) elements.push(...baseHtml(tagBase, platforms.length === 1 ? platforms[0]?.layers.length : undefined, 'Base image', 3, now));
  if (platforms.length > 1) elements.push(tableHtml(platformOverview(platforms, verdict.withLocal)));
  elements.push(...supplyChain(report.attestations));
  for (const platform of platforms) elements.push(...platformHtml(platform, platforms.length > 1, tagBase?.status === 'none', now, verdict.withLocal));
  if (report.checks.length || report.compared.length) {
    const checks = report.checks.map((c) => `<li>${c.ok ? '✓' : '✗'} <code>${escapeHtml(ruleName(c))}</code>: ${escapeHtml(c.message)}</li>`).join('');
    const compared = report.compared.map((c) => `<li>${escapeHtml(c)}</li>`).join('');
    elements.push(detailsHtml('What was checked', `<ul>${checks}</ul><p>Compared:</p><ul>${compared}</ul><p>Took ${seconds(report.durationMs)}.</p>`));
  }
  return elements;
}

/**
 * A mismatching platform found on both sides: Registry │ Your local build (digest, image ID,
 * created, layer counts), the identical leading layers as one line, the first differing layer on
 * both sides, the one-line diagnosis, and the full values in a copyable block.
 */
function comparisonHtml(platform: PlatformReport, several: boolean): string[] {
  const comparison = comparisonOf(platform);
  if (!comparison) return [];
  const value = (text: string, full: string | undefined, code: boolean | undefined) =>
    code && full ? `<code title="${escapeHtml(full)}">${escapeHtml(text)}</code>` : escapeHtml(text);
  const row = (r: ComparisonRow): SummaryTableCell[] => [
    { data: `<strong>${escapeHtml(r.label)}</strong>` },
    { data: value(r.registry, r.fullRegistry, r.code) },
    { data: r.registry === r.local && r.registry !== '—' ? 'same' : value(r.local, r.fullLocal, r.code) },
  ];
  const rows: SummaryTableRow[] = [headerRow(['', 'Registry', 'Your local build']), ...comparison.rows.map(row)];
  if (comparison.identical) {
    const { from, to } = comparison.identical;
    const range = from === to ? `Layer ${from}` : `Layers ${from}–${to}`;
    const base = platform.base;
    const baseWords = comparison.identical.base ? (base?.reference ? ` (base <code>${escapeHtml(base.reference)}</code>, ${BASE_LABELS[base.status]})` : ' (the base)') : '';
    rows.push([{ data: `${range} identical${baseWords}`, colspan: '3' }]);
  }
  rows.push(...comparison.differing.map(row));
  const full = [...comparison.rows, ...comparison.differing].flatMap((r) =>
    r.code && (r.fullRegistry || r.fullLocal) ? [`${r.label}: registry ${r.fullRegistry ?? '—'}`, `${r.label}: local    ${r.fullLocal ?? '—'}`] : [],
  );
  return [
    ...(several ? [paragraphHtml(`<strong>${escapeHtml(platform.platform)}</strong>`)] : []),
    tableHtml(rows),
    paragraphHtml(`<strong>Diagnosis:</strong> ${escapeHtml(diagnosisText(comparison.diagnosis))}.`),
    ...(full.length ? [preDetails('Full digests and instructions', full)] : []),
  ];
}

/** A collapsed, copyable block of one value per line (`<br>`, so the element stays one line of the summary). */
function preDetails(label: string, lines: readonly string[]): string {
  return detailsHtml(label, `<pre>${lines.map(escapeHtml).join('<br>')}</pre>`);
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
function platformHtml(platform: PlatformReport, several: boolean, baseNone: boolean, now: Date, withLocal: boolean): string[] {
  const mark = platform.status === 'verified' ? '✓' : '✗';
  const name = escapeHtml(platform.platform);
  const presence = presenceText(platform, withLocal);
  const elements = [headingHtml(`${mark} ${name}${presence ? ` — ${escapeHtml(presence)}` : ''}`, 3)];
  const facts: string[] = [];
  const r = platform.remote;
  if (r) {
    facts.push(`<strong>Manifest</strong> <code>${escapeHtml(r.manifestDigest)}</code> (${escapeHtml(r.platform)})`);
    facts.push(`<strong>Config</strong> <code>${escapeHtml(r.configDigest)}</code>`);
  }
  if (platform.local) facts.push(`<strong>Local build</strong> <code>${escapeHtml(platform.local.reference)}</code> — ${escapeHtml(platform.local.source)}`);
  elements.push(listHtml(facts));
  if (several && platform.base && !(platform.base.status === 'none' && baseNone)) elements.push(...baseHtml(platform.base, platform.layers.length, `Base image, ${name}`, 4, now));
  if (platform.deep) elements.push(...deepHtml(platform.deep));
  if (platform.layers.length) {
    const table = layerTable(platform.layers, platform.deep);
    elements.push(detailsHtml(`${mark} ${name}: ${count(platform.layers.length, 'layer')}`, layerTableHtml(table)));
    const detail = detailTableRows(table);
    if (detail) elements.push(detailsHtml(`Timing and throughput, ${name}`, tableHtml(detail)));
    elements.push(preDetails(`Full digests, ${name}`, fullDigests(platform, table)));
  }
  return elements;
}

/** Mark columns that, when every layer says the same, are said once above the table instead (the pane is narrow). */
const ONCE_COLUMNS = new Set<LayerColumn>(['match', 'bytes', 'wasted']);

/** The main columns that say the same for every layer, stated once: "Every layer: Match ✓ · Bytes ✓" (the wide deep table only). */
function constantColumns(table: LayerTable): number[] {
  if (table.rows.length < 2 || !table.columns.some((c) => c.group === 'detail')) return [];
  return table.columns.flatMap((c, i) =>
    ONCE_COLUMNS.has(c.id) && c.group !== 'detail' && new Set(table.rows.map((row) => row[i]?.text)).size === 1 && !table.rows.some((row) => row[i]?.local) ? [i] : [],
  );
}

/** The layer table: what every layer shares, once, then the main columns with the totals under the rows. */
function layerTableHtml(table: LayerTable): string {
  const once = constantColumns(table);
  const shown = table.columns.flatMap((c, i) => (c.group === 'detail' || once.includes(i) ? [] : [i]));
  const pick = (row: readonly LayerCell[]) => shown.map((i) => row[i] as LayerCell);
  const instruction = table.columns.findIndex((c) => c.id === 'instruction');
  const totals = (table.totals ?? []).map((row) =>
    pick(row).map((cell, j): SummaryTableCell => ({ data: shown[j] === instruction ? `<strong>${escapeHtml(cell.text)}</strong>` : cellHtml(cell) })),
  );
  const rows = [headerRow(shown.map((i) => table.columns[i]?.title ?? '')), ...table.rows.map((row) => pick(row).map(layerCell)), ...totals];
  const first = table.rows[0];
  const caption = once.length && first ? paragraphHtml(`Every layer: ${once.map((i) => `${escapeHtml(table.columns[i]?.title ?? '')} ${cellHtml(first[i] as LayerCell)}`).join(' · ')}`) : '';
  return `${caption}${tableHtml(rows)}`;
}

/** The columns a reader rarely needs (the deep result in full, with throughput; compression; deletions), by layer. */
function detailTableRows(table: LayerTable): SummaryTableRow[] | undefined {
  const shown = table.columns.flatMap((c, i) => (c.group === 'detail' || c.id === 'index' ? [i] : []));
  if (shown.length < 2) return undefined;
  return [headerRow(shown.map((i) => table.columns[i]?.title ?? '')), ...table.rows.map((row) => shown.map((i) => layerCell(row[i] as LayerCell)))];
}

/** Every digest of the platform in full, one per line, to copy. */
function fullDigests(platform: PlatformReport, table: LayerTable): string[] {
  const lines: string[] = [];
  if (platform.remote) lines.push(`manifest ${platform.remote.manifestDigest}`, `config   ${platform.remote.configDigest}`);
  if (platform.local) lines.push(`local    ${platform.local.id}`);
  const diffId = table.columns.findIndex((c) => c.id === 'diffId');
  const digest = table.columns.findIndex((c) => c.id === 'digest');
  for (const row of table.rows) {
    const index = row[0]?.text ?? '';
    const d = row[diffId];
    const b = row[digest];
    lines.push(`layer ${index} diff_id ${d?.full ?? d?.text ?? '—'} blob ${b?.full ?? b?.text ?? '—'}`);
    if (d?.local) lines.push(`layer ${index} local diff_id ${d.local.full ?? d.local.text}`);
    if (b?.local) lines.push(`layer ${index} local blob ${b.local.full ?? b.local.text}`);
  }
  return lines;
}

function layerCell(cell: LayerCell): SummaryTableCell {
  return { data: cell.local ? `${cellHtml(cell)}<br>local: ${cellHtml(cell.local)}` : cellHtml(cell) };
}

function cellHtml(cell: LayerCell): string {
  // A short sha256 digest shows its 12 hex digits, as Docker and Scout do; the whole digest is in the title and the full-digests block.
  const text = cell.code && cell.full?.startsWith('sha256:') && cell.text === shortDigest(cell.full) ? cell.text.slice('sha256:'.length) : cell.text.replace(/^(\d[\d.]*) (B|KiB|MiB|GiB|TiB)$/, '$1\u00a0$2');
  if (cell.code) return `<code title="${escapeHtml(cell.full ?? cell.text)}">${escapeHtml(text)}</code>`;
  if (text !== cell.text) return escapeHtml(text);
  return cell.full ? `<span title="${escapeHtml(cell.full)}">${escapeHtml(cell.text)}</span>` : escapeHtml(cell.text);
}

function platformOverview(platforms: readonly PlatformReport[], withLocal: boolean): SummaryTableRow[] {
  const rows = platforms.map((p): SummaryTableCell[] => {
    const failed = p.checks.filter((c) => !c.ok).map((c) => c.rule);
    return [
      { data: `<code>${escapeHtml(p.platform)}</code>${presenceText(p, withLocal) ? `<br>${escapeHtml(presenceText(p, withLocal))}` : ''}` },
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
function baseHtml(base: BaseReport, imageLayers: number | undefined, title: string, level: 3 | 4, now: Date): string[] {
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
  if (base.layers !== undefined) facts.push(`<strong>Base layers</strong> ${base.layers}${imageLayers !== undefined ? ` of the image's ${imageLayers}` : ' on every platform'}`);
  if (base.error && base.status !== 'unknown') facts.push(`<strong>Note</strong> ${escapeHtml(base.error)}`);
  const elements = [headingHtml(`${title}: ${BASE_LABELS[base.status]}`, level), paragraphHtml(escapeHtml(base.message))];
  if (base.status === 'drifted') {
    // Built on vs now, side by side; which base layer changed; what to do.
    elements.push(tableHtml(driftRows(base, now)));
    const changed = changedLayerText(base);
    if (changed) facts.unshift(`<strong>Changed</strong> ${escapeHtml(changed)}`);
    facts.unshift(`<strong>Next step</strong> rebuild the image on the current base${base.reference ? ` (<code>${escapeHtml(base.reference.replace(/@.*$/, ''))}</code>)` : ''} and push it again`);
  } else {
    if (base.builtOn?.digest) facts.push(`<strong>Built on</strong> ${digestWithDate(base.builtOn.digest, base.builtOn.created, now)}`);
    if (base.current?.digest) facts.push(`<strong>Tag now</strong> ${digestWithDate(base.current.digest, base.current.created, now)}`);
  }
  elements.push(listHtml(facts));
  const full = [
    ...(base.builtOn?.digest ? [`built on ${base.builtOn.digest}`] : []),
    ...(base.current?.digest ? [`tag now  ${base.current.digest}`] : []),
  ];
  if (base.status === 'drifted' && full.length) elements.push(preDetails('Full base digests', full));
  return elements;
}

/** Built on │ Tag now: digest, created (date and how long ago), layer count. */
function driftRows(base: BaseReport, now: Date): SummaryTableRow[] {
  const { builtOn, current } = base;
  const created = (iso: string | undefined) => escapeHtml(dateAgo(iso, now) || '—');
  const layers = (n: number | undefined) => (n !== undefined ? String(n) : '—');
  return [
    headerRow(['', 'Built on', 'Tag now']),
    [{ data: '<strong>Digest</strong>' }, { data: digestCell(builtOn?.digest) }, { data: digestCell(current?.digest) }],
    [{ data: '<strong>Created</strong>' }, { data: created(builtOn?.created) }, { data: created(current?.created) }],
    [{ data: '<strong>Layers</strong>' }, { data: layers(builtOn?.layers ?? base.layers) }, { data: layers(current?.layers) }],
  ];
}

/** Which layer of the base changed: layers added on top of the built-on base, or the first of the current base's layers that no longer starts the image. */
export function changedLayerText(base: BaseReport): string | undefined {
  const matching = base.matchingLayers;
  const total = base.current?.layers;
  if (matching === undefined || total === undefined) return undefined;
  if (matching >= total) return 'no layer: the tag points to another manifest with the same layers';
  if (base.builtOn?.layers !== undefined && matching === base.builtOn.layers) {
    const added = total - matching === 1 ? `layer ${total}` : `layers ${matching + 1}–${total}`;
    return `the current base adds ${added} on top of the ${count(matching, 'layer')} the image was built on`;
  }
  const kept = matching === 0 ? 'none of its layers still start the image' : `its first ${count(matching, 'layer')} still match the image`;
  return `base layer ${matching + 1} of ${total} changed; ${kept}`;
}

function digestWithDate(digest: string, created: string | undefined, now: Date): string {
  const date = dateAgo(created, now);
  return `<code>${escapeHtml(digest)}</code>${date ? ` (created ${escapeHtml(date)})` : ''}`;
}

function digestCell(digest: string | undefined): string {
  return digest ? `<code title="${escapeHtml(digest)}">${escapeHtml(shortDigest(digest))}</code>` : '—';
}
