// The multi-platform part of the report, in words and as the `platforms` output; shared by the
// job summary, the CLI text and the action's outputs so they say the same thing.

import { shortDigest } from '../oci/digest.js';
import type { AttestationReport, PlatformReport, VerifyReport } from '../model/report.js';

export interface PlatformOutput {
  platform: string;
  presence: PlatformReport['presence'];
  verified: boolean;
  /** The registry's manifest digest for the platform. */
  digest?: string;
  'config-digest'?: string;
  'local-digest'?: string;
  attestation?: AttestationReport['status'];
}

/** The `platforms` output: one entry per platform verified; a single-platform run gives one entry. */
export function platformsOutput(report: VerifyReport): PlatformOutput[] {
  if (report.platforms) {
    return report.platforms.map((p) => ({
      platform: p.platform,
      presence: p.presence,
      verified: p.status === 'verified',
      ...(p.remote ? { digest: p.remote.manifestDigest, 'config-digest': p.remote.configDigest } : {}),
      ...(p.local?.manifestDigest ? { 'local-digest': p.local.manifestDigest } : {}),
      ...(p.attestation ? { attestation: p.attestation.status } : {}),
    }));
  }
  if (!report.remote) return [];
  return [
    {
      platform: report.remote.platform,
      presence: report.local ? 'both' : 'registry',
      verified: report.verified,
      digest: report.remote.manifestDigest,
      'config-digest': report.remote.configDigest,
      ...(report.local?.manifestDigest ? { 'local-digest': report.local.manifestDigest } : {}),
    },
  ];
}

export function presenceText(p: PlatformReport): string {
  return p.presence === 'both' ? 'in both' : p.presence === 'registry' ? 'registry only' : 'local build only';
}

export function attestationText(a: AttestationReport | undefined): string {
  if (!a) return 'none';
  switch (a.status) {
    case 'same':
      return `same (${shortDigest(a.registry)})`;
    case 'differs':
      return `differs (registry ${shortDigest(a.registry)}, local ${shortDigest(a.local)})`;
    case 'registry-only':
      return `registry only (${shortDigest(a.registry)})`;
    case 'local-only':
      return `local only (${shortDigest(a.local)})`;
  }
}

/** The CLI's lines for a multi-platform run. */
export function platformsText(report: VerifyReport): string[] {
  const platforms = report.platforms;
  if (!platforms) return [];
  const lines: string[] = [];
  if (report.index && !report.remote) {
    lines.push(`  registry  ${report.index.digest}  (${report.index.mediaType})`);
    if (report.index.localDigest) lines.push(`  local     ${report.index.localDigest}`);
  }
  lines.push('');
  lines.push('  platform          ok  registry manifest    local manifest       layers  attestation');
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

/** A rule as a reader names it: `diff-ids`, or `diff-ids (linux/arm64)` in a multi-platform run. */
export function ruleName(check: { rule: string; platform?: string }): string {
  return check.platform ? `${check.rule} (${check.platform})` : check.rule;
}
