// The CLI's rendering of reports: a verdict line, what holds for the whole tag (index, rules, base,
// the platform set, attestations), then the same section for each platform (digests, base, layer
// table, deep findings), for one platform or many; and the audit table across images. Rendered
// from a plain copy of the report, so that no value (a registry's history, an error body) can add
// a line or a control sequence to the terminal or to a workflow log. Laid out for a width
// (layout.ts): tables give way column by column, prose wraps, and the verdict stays last.

import { shortDigest } from '../oci/digest.js';
import { copiesText } from '../verify/waste.js';
import { attestationText, deepHeadline, foundByText, LISTED_WASTED_FILES, plainCopy, platformsOf, presenceText, printablePath, ruleName, wasteHeadline } from './format.js';
import { humanSize } from '../model/units.js';
import { layerTable, type LayerCell, type LayerColumn } from './layer-table.js';
import { displayWidth, fitTable, truncate, truncateStart, wrapText, type TableColumn } from './layout.js';
import { verdictOf, type Verdict } from './verdict.js';
import { NO_BASE_MESSAGE } from '../base/drift.js';
import type { BaseReport, BaseStatus } from '../model/base.js';
import type { DeepReport } from '../model/deep.js';
import { failedChecks, type AttestationSummary, type PlatformReport, type VerifyReport } from '../model/report.js';

/** How the text is laid out: `width` columns at most (no limit when unset). */
export interface TextLayout {
  width?: number;
}

export function renderText(input: VerifyReport, layout: TextLayout = {}): string {
  const width = layout.width ?? Infinity;
  const report = plainCopy(input);
  const platforms = platformsOf(report);
  const verdict = verdictOf(report);
  // The sentence first (what was proved or what differs), the verdict last, where a reader's eye lands.
  const lines = [`${verdict.sentence}.${verdict.digestUnchecked ? ' Digest not checked: pass --digest.' : ''}`];
  if (report.index) {
    lines.push(`  registry  ${report.index.digest}  (${report.index.mediaType})`);
    if (report.index.localDigest) lines.push(`  local     ${report.index.localDigest}`);
  } else if (report.remote?.indexDigest) {
    lines.push(`  index     ${report.remote.indexDigest}`);
  }
  for (const check of failedChecks(report)) lines.push(`  ✗ ${ruleName(check)}: ${check.message}`);
  for (const check of report.checks.filter((c) => c.ok)) lines.push(`  ✓ ${ruleName(check)}: ${check.message}`);
  // The base for the whole tag: with several platforms, their combined verdict (each platform's own is in its section).
  if (report.base) lines.push(...baseLines(report.base, platforms.length === 1 ? platforms[0]?.layers.length : undefined, 'base'));
  if (platforms.length) lines.push(...platformOverview(platforms, width, verdict.withLocal));
  lines.push(...attestationsText(report.attestations));
  for (const platform of platforms) lines.push(...platformText(platform, platforms.length > 1, width, verdict.withLocal));
  return [...wrapText(lines, width), '', verdictLine(report, verdict, width)].join('\n');
}

const VERDICT_WORDS: Record<VerifyReport['status'], string> = { verified: 'VERIFIED', mismatch: 'MISMATCH', error: 'COULD NOT VERIFY' };

/**
 * `VERIFIED  ref`, qualified: `CONSISTENT (registry only)`, `· base drifted`. One line, always the
 * last: a reference too long for the width loses its start, never its tag.
 */
function verdictLine(report: VerifyReport, verdict: Verdict, width: number): string {
  const word = report.status === 'verified' && verdict.label !== 'Verified' ? verdict.label.toUpperCase().replace('(REGISTRY ONLY)', '(registry only)') : VERDICT_WORDS[report.status];
  const qualifiers = verdict.qualifiers.map((q) => `  · ${q.replace(/^\S+ /, '')}`).join('');
  const room = Math.max(12, width - displayWidth(word) - 2 - displayWidth(qualifiers));
  return truncate(`${word}  ${truncateStart(report.remote?.reference ?? report.image, room)}${qualifiers}`, width);
}

const OVERVIEW_COLUMNS: TableColumn[] = [
  { title: 'platform', giveWay: 3, min: 11 },
  { title: 'ok' },
  { title: 'registry manifest' },
  { title: 'local manifest', giveWay: 2, drop: true },
  { title: 'layers' },
  { title: 'attestation', giveWay: 1, min: 11 },
];

function platformOverview(platforms: readonly PlatformReport[], width: number, withLocal: boolean): string[] {
  const rows = platforms.map((p) => [
    p.platform,
    p.status === 'verified' ? '✓' : '✗',
    shortDigest(p.remote?.manifestDigest) || '—',
    // A daemon with the classic store knows no manifest: its image ID is a config digest, not shown here.
    shortDigest(p.local?.manifestDigest) || '—',
    String(p.layers.length || ''),
    `${attestationText(p.attestation)}${presenceText(p, withLocal) ? `  [${presenceText(p, withLocal)}]` : ''}`,
  ]);
  return ['', ...fitTable(OVERVIEW_COLUMNS, rows, width)];
}

/** One platform: its digests, its base (when the tag has several platforms), its layer table and deep findings. */
function platformText(platform: PlatformReport, several: boolean, width: number, withLocal: boolean): string[] {
  const presence = presenceText(platform, withLocal);
  const lines = ['', `  ${platform.status === 'verified' ? '✓' : '✗'} ${platform.platform}${presence ? `  [${presence}]` : ''}`];
  const r = platform.remote;
  if (r) {
    lines.push(`  manifest  ${r.manifestDigest}  (${r.platform})`);
    lines.push(`  config    ${r.configDigest}`);
  }
  if (platform.local) lines.push(`  local     ${platform.local.reference}  ${platform.local.id}  [${platform.local.source}]`);
  if (several && platform.base) lines.push(...baseLines(platform.base, platform.layers.length, `base of ${platform.platform}:`));
  if (platform.layers.length) lines.push('', ...layerTableText(platform, width));
  if (platform.deep) lines.push(...deepText(platform.deep));
  return lines;
}

/**
 * Text columns, and the order in which they give way on a narrow terminal: the instruction is cut
 * first, then the deep result; then whole columns are left out, the least telling first (the
 * compressed digest, the deep counts, the sizes). The diff_id stays, 12 hex, as the table has it.
 */
const TEXT_COLUMNS: Record<LayerColumn, TableColumn> = {
  index: { title: '#' },
  match: { title: 'ok' },
  diffId: { title: 'diff_id' },
  instruction: { title: 'instruction', giveWay: 1, min: 12 },
  result: { title: 'result', giveWay: 2, min: 10 },
  digest: { title: 'digest', giveWay: 3, drop: true },
  deleted: { title: 'deleted', giveWay: 4, drop: true },
  type: { title: 'type', giveWay: 5, drop: true },
  origin: { title: 'origin', giveWay: 6, min: 5 },
  uncompressed: { title: 'uncompressed', giveWay: 7, drop: true },
  files: { title: 'files', giveWay: 8, drop: true },
  wasted: { title: 'wasted', giveWay: 9, drop: true },
  size: { title: 'size', giveWay: 10, drop: true },
  bytes: { title: 'bytes', giveWay: 3, drop: true },
  share: { title: 'share', giveWay: 0, drop: true },
};

/**
 * The layer table (layer-table.ts) fitted to the width. A layer whose local build differs gets a
 * second row, `local`, holding the local build's values (diff_id, digest, instruction) under the
 * registry's.
 */
function layerTableText(platform: PlatformReport, width: number): string[] {
  const table = layerTable(platform.layers, platform.deep);
  const rows: string[][] = [];
  // The instruction in full: the table cuts it to what the width leaves (a digest stays 12 hex).
  const shown = (cell: LayerCell | undefined, i: number) => (table.columns[i]?.id === 'instruction' ? (cell?.full ?? cell?.text) : cell?.text) ?? '';
  for (const row of table.rows) {
    rows.push(row.map(shown));
    if (row.some((c) => c.local)) rows.push(row.map((c, i) => (table.columns[i]?.id === 'match' ? 'local' : shown(c.local, i))));
  }
  return fitTable(
    table.columns.map((c) => TEXT_COLUMNS[c.id]),
    rows,
    width,
  );
}

function deepText(deep: DeepReport): string[] {
  const lines = ['', `  deep: ${deepHeadline(deep)}`, `  wasted: ${wasteHeadline(deep)}`];
  for (const f of deep.wastedFiles.slice(0, LISTED_WASTED_FILES)) lines.push(`    ${humanSize(f.bytes).padEnd(10)} ${printablePath(f.path)}  (${copiesText(f)})`);
  if (deep.cache) lines.push(`  cache: ${deep.cache.hits} hits, ${deep.cache.writes} new entries in ${deep.cache.location}`);
  return lines;
}

/** The supply-chain lines (the report is a plainCopy already). */
export function attestationsText(attestations: readonly AttestationSummary[] | undefined): string[] {
  if (!attestations?.length) return [];
  const lines = ['', '  supply chain'];
  for (const a of attestations) {
    const kinds = [a.provenance ? 'provenance' : '', a.sbom ? 'sbom' : ''].filter(Boolean).join(', ') || 'no provenance or sbom';
    lines.push(`  ${a.subjectsOk ? '✓' : '✗'} ${a.platform}: ${kinds}${a.predicateTypes.length ? ` (${a.predicateTypes.join(', ')})` : ''}`);
    if (a.builder) lines.push(`      builder   ${a.builder}`);
    if (a.source) lines.push(`      source    ${a.source}${a.revision ? ` @ ${a.revision}` : ''}`);
    for (const item of a.referrers?.items ?? []) {
      lines.push(`      ${item.kind.padEnd(9)} ${item.artifactType ?? '(no artifact type)'} ${shortDigest(item.digest)} (${foundByText(item)}; presence only)`);
    }
    for (const problem of a.referrers?.problems ?? []) lines.push(`      not counted: ${problem}`);
  }
  return lines;
}

const STATUS_TEXT: Record<BaseStatus, string> = {
  'up-to-date': 'UP TO DATE',
  drifted: 'DRIFTED',
  'not-built-on': 'NOT BUILT ON IT',
  unknown: 'UNKNOWN',
  none: 'NO BASE',
};

/** The engine's base words where they name action inputs, as the CLI's flags. */
const NO_BASE_CLI =
  'no base image is known: pass --base REF (e.g. node:22-alpine, optionally pinned as node:22-alpine@sha256:…) or --dockerfile PATH, ' +
  'or label the image with org.opencontainers.image.base.name and org.opencontainers.image.base.digest';

function baseMessage(base: BaseReport): string {
  return base.message === NO_BASE_MESSAGE ? NO_BASE_CLI : base.message;
}

function baseFrom(base: BaseReport): string {
  return base.source === 'input' ? '--base' : base.from;
}

/** @param imageLayers the image's layer count, when the lines are about one image (not the combined verdict). */
function baseLines(base: BaseReport, imageLayers: number | undefined, title: string): string[] {
  if (base.status === 'none') return [`  ${title.padEnd(9)} ${base.layers === 0 ? 'none' : 'unknown'}: ${baseMessage(base)}`];
  const lines = [`  ${title.padEnd(9)} ${base.reference ?? '(none)'}  ${STATUS_TEXT[base.status]}  (from ${baseFrom(base)})`, `            ${baseMessage(base)}`];
  if (base.namedByRegistry) lines.push('            named by the registry: looked up without credentials on any other registry');
  if (base.builtOn?.digest) lines.push(`  built on  ${base.builtOn.digest}${base.builtOn.created ? `  created ${base.builtOn.created}` : ''}`);
  if (base.current?.digest) lines.push(`  tag now   ${base.current.digest}${base.current.created ? `  created ${base.current.created}` : ''}`);
  if (base.layers !== undefined) lines.push(`  base layers ${base.layers}${imageLayers !== undefined ? ` of ${imageLayers}` : ' on every platform'}`);
  if (base.driftAgeDays !== undefined) lines.push(`  drift age ${base.driftAgeDays} days since the current base was created`);
  return lines;
}

const AUDIT_COLUMNS: TableColumn[] = [
  { title: 'IMAGE', giveWay: 2, min: 16 },
  { title: 'BASE', giveWay: 1, min: 12 },
  { title: 'BUILT ON', giveWay: 3, drop: true },
  { title: 'CURRENT', giveWay: 4, min: 8 },
  { title: 'STATUS', giveWay: 5, min: 7 },
  { title: 'AGE' },
];

/** The audit table, then one line per image saying why. */
export function renderAuditText(input: readonly VerifyReport[], layout: TextLayout = {}): string {
  const width = layout.width ?? Infinity;
  const reports = plainCopy(input);
  const rows = reports.map((r) => [
    r.remote?.reference ?? r.image,
    r.base?.reference ?? '—',
    shortDigest(r.base?.builtOn?.digest) || '—',
    shortDigest(r.base?.current?.digest) || '—',
    r.status === 'error' ? 'ERROR' : r.base ? STATUS_TEXT[r.base.status] : 'BASE CHECK OFF',
    r.base?.driftAgeDays !== undefined ? `${r.base.driftAgeDays} d` : '',
  ]);
  const lines = [...fitTable(AUDIT_COLUMNS, rows, width, 0, 2), ''];
  for (const r of reports) lines.push(`${r.remote?.reference ?? r.image}: ${r.status === 'error' ? (r.error ?? 'could not check') : (r.base ? baseMessage(r.base) : 'base check off')}`);
  return wrapText(lines, width).join('\n');
}
