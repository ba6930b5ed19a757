// The audit part of the job summary (several images, a scheduled workflow): a heading with counts
// by status that never reads as all-clear when nothing was checked, one sentence of what to do,
// what every row shares stated once, one row per image by severity with a next step, long errors
// and each image's full report collapsed. Pure; each image's report is rendered by the caller's
// reportHtml (summary.ts), so a collapsed image reads exactly as a single run would.

import { parseReference } from '../oci/reference.js';
import type { VerifyReport } from '../model/report.js';
import { count, escapeHtml } from './format.js';
import { detailsHtml, headerRow, headingHtml, listHtml, paragraphHtml, tableHtml, type SummaryTableCell, type SummaryTableRow } from './summary-html.js';
import { dateAgo } from './time.js';

/** Severity of an audited image, most urgent first; its short status and the next step. */
export interface AuditRow {
  report: VerifyReport;
  rank: number;
  status: string;
  next: string;
}

const AUDIT_STATES: Array<{ match: (r: VerifyReport) => boolean; status: string; count: string; next: string; todo?: (n: number) => string }> = [
  { match: (r) => r.status === 'mismatch', status: '❌ mismatch', count: 'inconsistent', next: 'Open its details: the registry image is not consistent', todo: (n) => `${count(n, 'image')} not consistent in the registry` },
  { match: (r) => r.status === 'error', status: '⚠️ could not check', count: 'could not be checked', next: 'Fix the error below, then run again', todo: (n) => `${count(n, 'image')} could not be checked (why is below)` },
  { match: (r) => r.base?.status === 'not-built-on', status: '❌ not built on its base', count: 'not built on their base', next: 'Correct the base reference (pin the digest it was built on)', todo: (n) => `${count(n, 'image')} not built on the base it names` },
  { match: (r) => r.base?.status === 'drifted', status: '🔄 drifted', count: 'drifted', next: 'Rebuild on the current base and push', todo: (n) => `rebuild ${count(n, 'image')} on the current base` },
  { match: (r) => r.base?.status === 'unknown', status: '❔ base unknown', count: 'base unknown', next: 'Make the base readable (credentials, network), run again', todo: (n) => `${count(n, 'image')} whose base could not be read` },
  { match: (r) => r.base?.status === 'none', status: '➖ no base known', count: 'no base known', next: 'Name the base: a base label or the base-image input', todo: (n) => `${count(n, 'image')} with no base known` },
  { match: (r) => r.base === undefined, status: '➖ base not checked', count: 'base not checked', next: 'Base check is off (base-image: none)', todo: (n) => `${count(n, 'image')} with the base check off` },
  { match: (r) => r.base?.status === 'up-to-date', status: '✅ up to date', count: 'up to date', next: '—' },
];

/** The one sentence under the audit heading: what to do, most urgent first; all-clear only when every base was checked and is current. */
export function auditSentence(reports: readonly VerifyReport[]): string {
  const todo = AUDIT_STATES.flatMap((state) => {
    const n = reports.filter((r) => AUDIT_STATES.find((s) => s.match(r)) === state).length;
    return n > 0 && state.todo ? [state.todo(n)] : [];
  });
  if (todo.length === 0) return `Every image is built on the current version of its base (${count(reports.length, 'image')} checked)`;
  const text = todo.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** The audit's rows, most urgent first (input order among equals). */
export function auditRows(reports: readonly VerifyReport[]): AuditRow[] {
  return reports
    .map((report, i) => {
      const rank = AUDIT_STATES.findIndex((s) => s.match(report));
      const state = AUDIT_STATES[rank] ?? AUDIT_STATES[AUDIT_STATES.length - 1];
      return { report, rank: rank < 0 ? AUDIT_STATES.length : rank, status: state?.status ?? '', next: state?.next ?? '', i };
    })
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map(({ report, rank, status, next }) => ({ report, rank, status, next }));
}

/**
 * The audit heading: the images and their counts by status, drift first. "0 drifted" only when
 * some image's base was checked; when none was, the heading says so instead of reading as all-clear.
 */
export function auditHeading(reports: readonly VerifyReport[]): string {
  const counts = AUDIT_STATES.map((state) => ({ state, n: reports.filter((r) => AUDIT_STATES.find((s) => s.match(r)) === state).length }));
  const checked = reports.some((r) => r.base?.status === 'drifted' || r.base?.status === 'up-to-date' || r.base?.status === 'not-built-on');
  const drifted = counts.find((c) => c.state.count === 'drifted')?.n ?? 0;
  const parts = [`${count(reports.length, 'image')}`];
  if (checked) parts.push(`${drifted} drifted`);
  for (const { state, n } of counts) if (n > 0 && state.count !== 'drifted') parts.push(`${n} ${state.count}`);
  if (!checked) parts.push('no base could be checked');
  return `Base image audit: ${parts.join(', ')}`;
}

/** The registry host of a reference as written, or undefined when it cannot be parsed. */
function registryOf(reference: string | undefined): string | undefined {
  if (!reference) return undefined;
  try {
    return parseReference(reference).registry;
  } catch {
    return undefined;
  }
}

/** The audit: a heading with counts, one row per image by severity, what every row shares stated once, each image's report collapsed. */
export function auditHtml(reports: readonly VerifyReport[], now: Date, reportHtml: (report: VerifyReport, now: Date) => string[]): string[] {
  const rows = auditRows(reports);
  // One registry for every image (and base): named once above the table, each cell keeps repository:tag.
  const registries = new Set(reports.flatMap((r) => [registryOf(r.image), ...(r.base?.reference ? [registryOf(r.base.reference)] : [])]));
  const [shared] = registries.size === 1 ? [...registries] : [];
  const local = (reference: string) => (shared && reference.startsWith(`${shared}/`) ? reference.slice(shared.length + 1) : reference);
  const columns: Array<{ title: string; cell: (r: VerifyReport) => string }> = [
    // The base by name and tag; its digests are in the image's details.
    { title: 'Base', cell: (r) => (r.base?.reference ? `<code>${escapeHtml(local(r.base.reference.replace(/@.*$/, '')))}</code>` : '—') },
    {
      title: 'Base tag moved',
      cell: (r) => (r.base?.status === 'drifted' && r.base.current?.created ? escapeHtml(dateAgo(r.base.current.created, now)) : '—'),
    },
  ];
  // A column with one value for every image says it once, above the table.
  const constant = rows.length > 1 ? columns.filter((c) => new Set(rows.map((r) => c.cell(r.report))).size === 1) : [];
  const varying = columns.filter((c) => !constant.includes(c));
  const table: SummaryTableRow[] = [
    headerRow(['Image', 'Status', ...varying.map((c) => c.title), 'Next step']),
    ...rows.map(({ report, status, next }): SummaryTableCell[] => [
      { data: `<code>${escapeHtml(local(report.image))}</code>` },
      { data: escapeHtml(status) },
      ...varying.map((c) => ({ data: c.cell(report) })),
      { data: escapeHtml(next) },
    ]),
  ];
  const elements = [headingHtml(escapeHtml(auditHeading(reports)), 2), paragraphHtml(`<strong>${escapeHtml(auditSentence(reports))}.</strong>`)];
  const once = [
    ...(shared ? [`<strong>Registry</strong> <code>${escapeHtml(shared)}</code>`] : []),
    ...constant.map((c) => `<strong>${c.title}</strong> ${c.cell(rows[0]?.report as VerifyReport)}`),
  ];
  if (once.length) elements.push(paragraphHtml(`Every image: ${once.join(' · ')}`));
  elements.push(tableHtml(table));
  const errors = rows.filter((r) => r.report.status === 'error');
  if (errors.length) {
    elements.push(
      detailsHtml(
        `Why ${count(errors.length, 'image')} could not be checked`,
        listHtml(errors.map(({ report }) => `<code>${escapeHtml(local(report.image))}</code>: ${escapeHtml(report.error ?? 'unknown error')}`)),
      ),
    );
  }
  for (const { report, status } of rows) {
    elements.push(detailsHtml(`${escapeHtml(status)} <code>${escapeHtml(local(report.image))}</code>`, reportHtml(report, now).filter(Boolean).join('')));
  }
  return elements;
}
