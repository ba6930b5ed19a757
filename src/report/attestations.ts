// The supply-chain part of a report, in every medium: the `attestations` output (JSON), the job
// summary's "Supply chain" section and the CLI lines. Builder, source, revision, artifact types
// and referrer problems are registry text: escaped for HTML here, neutralised for the terminal by
// the text renderer's plainCopy.

import * as core from '@actions/core';
import { escapeHtml } from './format.js';
import { shortDigest } from '../oci/digest.js';
import type { ReferrerKind } from '../oci/referrers.js';
import type { AttestationSummary, ReferrerItem, ReferrersSummary, VerifyReport } from '../model/report.js';
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
    ...(a.referrers ? { referrers: referrersOutput(a.referrers) } : {}),
  }));
}

const GROUPS: ReadonlyArray<[ReferrerKind, 'signatures' | 'sboms' | 'attestations' | 'other']> = [
  ['signature', 'signatures'],
  ['sbom', 'sboms'],
  ['attestation', 'attestations'],
  ['other', 'other'],
];

/** Referrers grouped by kind, each with how it was found; problems say what was not counted. */
function referrersOutput(r: ReferrersSummary): object {
  const item = (i: ReferrerItem) => ({
    ...(i.artifactType ? { artifactType: i.artifactType } : {}),
    digest: i.digest,
    subject: i.subject,
    ...(i.refersTo ? { refersTo: i.refersTo } : {}),
    foundBy: i.foundBy,
    ...(i.tag ? { tag: i.tag } : {}),
  });
  return {
    ...Object.fromEntries(GROUPS.map(([kind, name]) => [name, r.items.filter((i) => i.kind === kind).map(item)])),
    listedBy: r.listedBy,
    problems: r.problems,
    ...(r.truncated ? { truncated: true } : {}),
  };
}

const has = (a: AttestationSummary, kind: ReferrerKind) => a.referrers?.items.some((i) => i.kind === kind) ?? false;

export function addSupplyChainSection(report: VerifyReport): void {
  const attestations = report.attestations;
  if (!attestations?.length) return;
  core.summary.addRaw('<p><strong>Supply chain</strong></p>', true);
  const header: Cell[] = ['Platform', 'Subject', 'Provenance', 'SBOM', 'Signature', 'Predicate types', 'Builder', 'Source'].map((data) => ({ data, header: true }));
  const rows = attestations.map((a): Cell[] => [
    { data: `<code>${escapeHtml(a.platform)}</code>` },
    { data: a.subjectsOk ? '✓' : '✗' },
    { data: a.provenance ? '✓' : '—' },
    { data: a.sbom ? '✓' : has(a, 'sbom') ? '✓ (referrer)' : '—' },
    { data: has(a, 'signature') ? '✓ (present, not verified)' : '—' },
    { data: a.predicateTypes.map((t) => `<code>${escapeHtml(t)}</code>`).join('<br>') || '—' },
    { data: a.builder ? `<code>${escapeHtml(a.builder)}</code>` : '—' },
    { data: sourceCell(a) },
  ]);
  addTable([header, ...rows]);
  addReferrersTable(attestations);
}

/** Every referrer counted, per platform, and what was not; presence only, no signature is verified. */
function addReferrersTable(attestations: readonly AttestationSummary[]): void {
  const withReferrers = attestations.filter((a) => a.referrers);
  if (withReferrers.length === 0) return;
  const rows: Cell[][] = [];
  for (const a of withReferrers) {
    for (const item of a.referrers?.items ?? []) {
      rows.push([
        { data: `<code>${escapeHtml(a.platform)}</code>` },
        { data: escapeHtml(item.kind) },
        { data: item.artifactType ? `<code>${escapeHtml(item.artifactType)}</code>` : '—' },
        { data: `<code>${escapeHtml(shortDigest(item.digest))}</code>` },
        { data: item.refersTo ?? '—' },
        { data: escapeHtml(foundByText(item)) },
      ]);
    }
  }
  const how = [...new Set(withReferrers.flatMap((a) => a.referrers?.listedBy.map((l) => l.via) ?? []))];
  const listed = how.length ? `listed through ${how.map((v) => (v === 'api' ? 'the referrers API' : 'the referrers tag (no referrers API)')).join(' and ')}` : 'not listed';
  core.summary.addRaw(`<p>Referrers (OCI 1.1), ${listed}, and cosign's tags: presence only, signatures are not verified.</p>`, true);
  if (rows.length) {
    const header: Cell[] = ['Platform', 'Kind', 'Artifact type', 'Referrer', 'Refers to', 'Found by'].map((data) => ({ data, header: true }));
    addTable([header, ...rows]);
  }
  const problems = [...new Set(withReferrers.flatMap((a) => a.referrers?.problems ?? []))];
  if (problems.length) core.summary.addRaw(`<p>Not counted:</p><ul>${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`, true);
}

function foundByText(item: ReferrerItem): string {
  if (item.foundBy === 'api') return 'referrers API';
  if (item.foundBy === 'fallback-tag') return `referrers tag ${item.tag ?? ''}`.trim();
  return `cosign tag ${item.tag ?? ''}`.trim();
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
    for (const item of a.referrers?.items ?? []) {
      lines.push(`      ${item.kind.padEnd(9)} ${item.artifactType ?? '(no artifact type)'} ${shortDigest(item.digest)} (${foundByText(item)}; presence only)`);
    }
    for (const problem of a.referrers?.problems ?? []) lines.push(`      not counted: ${problem}`);
  }
  return lines;
}
