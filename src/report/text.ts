// The CLI's rendering of reports: a verdict line, what holds for the whole tag (index, rules, base,
// the platform set, attestations), then the same section for each platform (digests, base, layer
// table, deep findings), for one platform or many; and the audit table across images. Rendered
// from a plain copy of the report, so that no value (a registry's history, an error body) can add
// a line or a control sequence to the terminal or to a workflow log.

import { shortDigest } from '../oci/digest.js';
import { copiesText } from '../verify/waste.js';
import { attestationText, deepHeadline, foundByText, LISTED_WASTED_FILES, plainCopy, platformsOf, presenceText, printablePath, ruleName, shorten, wasteHeadline } from './format.js';
import { humanSize } from '../model/units.js';
import { layerTable, type LayerColumn } from './layer-table.js';
import { verdictOf, type Verdict } from './verdict.js';
import type { BaseReport, BaseStatus } from '../model/base.js';
import type { DeepReport } from '../model/deep.js';
import { failedChecks, type AttestationSummary, type PlatformReport, type VerifyReport } from '../model/report.js';

export function renderText(input: VerifyReport): string {
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
  if (platforms.length) lines.push(...platformOverview(platforms));
  lines.push(...attestationsText(report.attestations));
  for (const platform of platforms) lines.push(...platformText(platform, platforms.length > 1));
  lines.push('', verdictLine(report, verdict));
  return lines.join('\n');
}

const VERDICT_WORDS: Record<VerifyReport['status'], string> = { verified: 'VERIFIED', mismatch: 'MISMATCH', error: 'COULD NOT VERIFY' };

/** `VERIFIED  ref`, qualified: `CONSISTENT (registry only)`, `· base drifted`. */
function verdictLine(report: VerifyReport, verdict: Verdict): string {
  const word = report.status === 'verified' && verdict.label !== 'Verified' ? verdict.label.toUpperCase().replace('(REGISTRY ONLY)', '(registry only)') : VERDICT_WORDS[report.status];
  const qualifiers = verdict.qualifiers.map((q) => `  · ${q.replace(/^\S+ /, '')}`).join('');
  return `${word}  ${report.remote?.reference ?? report.image}${qualifiers}`;
}

function platformOverview(platforms: readonly PlatformReport[]): string[] {
  const lines = ['', '  platform          ok  registry manifest    local manifest       layers  attestation'];
  for (const p of platforms) {
    const mark = p.status === 'verified' ? '✓' : '✗';
    // A daemon with the classic store knows no manifest: its image ID is a config digest, not shown here.
    const local = p.local?.manifestDigest;
    lines.push(
      `  ${p.platform.padEnd(17)} ${mark}   ${(shortDigest(p.remote?.manifestDigest) || '—').padEnd(20)} ${(shortDigest(local) || '—').padEnd(20)} ${String(p.layers.length || '').padEnd(7)} ${attestationText(p.attestation)}${p.presence === 'both' ? '' : `  [${presenceText(p)}]`}`,
    );
  }
  return lines;
}

/** One platform: its digests, its base (when the tag has several platforms), its layer table and deep findings. */
function platformText(platform: PlatformReport, several: boolean): string[] {
  const lines = ['', `  ${platform.status === 'verified' ? '✓' : '✗'} ${platform.platform}${platform.presence === 'both' ? '' : `  [${presenceText(platform)}]`}`];
  const r = platform.remote;
  if (r) {
    lines.push(`  manifest  ${r.manifestDigest}  (${r.platform})`);
    lines.push(`  config    ${r.configDigest}`);
  }
  if (platform.local) lines.push(`  local     ${platform.local.reference}  ${platform.local.id}  [${platform.local.source}]`);
  if (several && platform.base) lines.push(...baseLines(platform.base, platform.layers.length, `base of ${platform.platform}:`));
  if (platform.layers.length) lines.push('', ...layerTableText(platform));
  if (platform.deep) lines.push(...deepText(platform.deep));
  return lines;
}

/** Text columns: header, width (the last column is not padded), most characters shown. */
const TEXT_COLUMNS: Record<LayerColumn, { title: string; width: number; max?: number }> = {
  index: { title: '#', width: 3 },
  match: { title: 'ok', width: 3 },
  diffId: { title: 'diff_id', width: 20 },
  digest: { title: 'digest', width: 20 },
  size: { title: 'size', width: 10 },
  share: { title: 'share', width: 14 },
  type: { title: 'type', width: 5 },
  uncompressed: { title: 'uncompressed', width: 13 },
  files: { title: 'files', width: 7 },
  deleted: { title: 'deleted', width: 8 },
  wasted: { title: 'wasted', width: 11 },
  bytes: { title: 'bytes', width: 14 },
  result: { title: 'result', width: 40, max: 100 },
  origin: { title: 'origin', width: 6 },
  instruction: { title: 'instruction', width: 0, max: 60 },
};

/** The layer table (layer-table.ts) as padded columns; a differing local value follows on its own line, in full. */
function layerTableText(platform: PlatformReport): string[] {
  const table = layerTable(platform.layers, platform.deep);
  const line = (cells: string[]) =>
    `  ${cells
      .map((text, i) => {
        const spec = TEXT_COLUMNS[table.columns[i]?.id ?? 'instruction'];
        const shown = spec.max ? shorten(text, spec.max) : text;
        return i === cells.length - 1 ? shown : shown.padEnd(spec.width);
      })
      .join(' ')}`.trimEnd();
  const lines = [line(table.columns.map((c) => TEXT_COLUMNS[c.id].title))];
  for (const row of table.rows) {
    lines.push(line(row.map((c) => c.text)));
    row.forEach((cell, i) => {
      if (cell.local) lines.push(`        local ${TEXT_COLUMNS[table.columns[i]?.id ?? 'instruction'].title}: ${cell.local.full ?? cell.local.text}`);
    });
  }
  return lines;
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

/** @param imageLayers the image's layer count, when the lines are about one image (not the combined verdict). */
function baseLines(base: BaseReport, imageLayers: number | undefined, title: string): string[] {
  if (base.status === 'none') return [`  ${title.padEnd(9)} ${base.layers === 0 ? 'none' : 'unknown'}: ${base.message}`];
  const lines = [`  ${title.padEnd(9)} ${base.reference ?? '(none)'}  ${STATUS_TEXT[base.status]}  (from ${base.from})`, `            ${base.message}`];
  if (base.namedByRegistry) lines.push('            named by the registry: looked up without credentials on any other registry');
  if (base.builtOn?.digest) lines.push(`  built on  ${base.builtOn.digest}${base.builtOn.created ? `  created ${base.builtOn.created}` : ''}`);
  if (base.current?.digest) lines.push(`  tag now   ${base.current.digest}${base.current.created ? `  created ${base.current.created}` : ''}`);
  if (base.layers !== undefined) lines.push(`  base layers ${base.layers}${imageLayers !== undefined ? ` of ${imageLayers}` : ' on every platform'}`);
  if (base.driftAgeDays !== undefined) lines.push(`  drift age ${base.driftAgeDays} days since the current base was created`);
  return lines;
}

/** The audit table, then one line per image saying why. */
export function renderAuditText(input: readonly VerifyReport[]): string {
  const reports = plainCopy(input);
  const rows = reports.map((r) => [
    r.remote?.reference ?? r.image,
    r.base?.reference ?? '—',
    shortDigest(r.base?.builtOn?.digest) || '—',
    shortDigest(r.base?.current?.digest) || '—',
    r.status === 'error' ? 'ERROR' : r.base ? STATUS_TEXT[r.base.status] : 'BASE CHECK OFF',
    r.base?.driftAgeDays !== undefined ? `${r.base.driftAgeDays} d` : '',
  ]);
  const header = ['IMAGE', 'BASE', 'BUILT ON', 'CURRENT', 'STATUS', 'AGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const lines = [format(header), ...rows.map(format), ''];
  for (const r of reports) lines.push(`${r.remote?.reference ?? r.image}: ${r.status === 'error' ? (r.error ?? 'could not check') : (r.base?.message ?? 'base check off')}`);
  return lines.join('\n');
}
