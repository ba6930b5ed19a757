// The base-image parts of the CLI text: a few lines per image and the audit table across images.

import { shortDigest } from '../oci/digest.js';
import { plainCopy } from './format.js';
import type { BaseReport, BaseStatus } from '../model/base.js';
import type { VerifyReport } from '../model/report.js';

const STATUS_TEXT: Record<BaseStatus, string> = {
  'up-to-date': 'UP TO DATE',
  drifted: 'DRIFTED',
  'not-built-on': 'NOT BUILT ON IT',
  unknown: 'UNKNOWN',
  none: 'NO BASE',
};

export function baseTextLines(report: VerifyReport): string[] {
  const base = report.base;
  if (!base) return [];
  // Several platforms: the combined verdict, then each platform's base.
  const perPlatform = report.platforms && !report.remote ? report.platforms.filter((p) => p.base) : [];
  const lines = oneBaseLines(base, perPlatform.length ? undefined : report.layers.length, 'base');
  for (const platform of perPlatform) {
    if (platform.base) lines.push(...oneBaseLines(platform.base, platform.layers.length, `base of ${platform.platform}:`));
  }
  return lines;
}

function oneBaseLines(base: BaseReport, imageLayers: number | undefined, title: string): string[] {
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
