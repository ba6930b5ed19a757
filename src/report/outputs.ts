// The action's outputs, as strings, from reports. Pure: main.ts sets them, and the tests check
// the same values the action would set. With several images (audit) only the aggregate outputs
// are set; each image's values are in the JSON report.

import { isIndex } from '../oci/types.js';
import { platformsOf } from './format.js';
import type { DeepReport } from '../model/deep.js';
import { failedChecks, type AttestationReport, type PlatformReport, type ReferrerItem, type ReferrersSummary, type VerifyReport } from '../model/report.js';
import type { ReferrerKind } from '../oci/referrers.js';

/** Every output of a one-image run; `reportPath` is where the JSON report was written. */
export function imageOutputs(report: VerifyReport, reportPath: string): Record<string, string> {
  return {
    verified: String(report.verified),
    // Several platforms verified: digest is the top-level digest the tag serves (see the platforms output).
    digest: report.remote?.manifestDigest ?? report.index?.digest ?? '',
    'index-digest': report.remote?.indexDigest ?? (report.index && isIndex(report.index.mediaType) ? report.index.digest : ''),
    'config-digest': report.remote?.configDigest ?? '',
    layers: report.remote ? String(report.layers.length) : '',
    mismatches: JSON.stringify(
      failedChecks(report).map(({ rule, message, layer, platform }) => ({ rule, message, ...(layer ? { layer } : {}), ...(platform ? { platform } : {}) })),
    ),
    platforms: JSON.stringify(platformsOutput(report)),
    attestations: JSON.stringify(attestationsOutput(report)),
    report: reportPath,
    ...deepOutputs(report),
    ...baseOutputs([report]),
  };
}

/**
 * Every output of an audit (several images): the single-image outputs stay empty, `verified` is
 * true only when every image verified, and `mismatches` names the image of each failed rule.
 */
export function auditOutputs(reports: readonly VerifyReport[], reportPath: string): Record<string, string> {
  return {
    verified: String(reports.every((r) => r.verified)),
    digest: '',
    'index-digest': '',
    'config-digest': '',
    layers: '',
    platforms: '[]',
    attestations: '[]',
    'deep-verified': 'false',
    'bytes-verified': '',
    'wasted-bytes': '',
    efficiency: '',
    mismatches: JSON.stringify(reports.flatMap((r) => failedChecks(r).map(({ rule, message, layer }) => ({ image: r.image, rule, message, ...(layer ? { layer } : {}) })))),
    report: reportPath,
    ...baseOutputs(reports),
  };
}

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
  // A single-platform run that never reached the registry has no platform to report.
  const platforms = report.platforms ?? platformsOf(report).filter((p) => p.remote);
  return platforms.map((p) => ({
    platform: p.platform,
    presence: p.presence,
    verified: p.status === 'verified',
    ...(p.remote ? { digest: p.remote.manifestDigest, 'config-digest': p.remote.configDigest } : {}),
    ...(p.local?.manifestDigest ? { 'local-digest': p.local.manifestDigest } : {}),
    ...(p.attestation ? { attestation: p.attestation.status } : {}),
  }));
}

/** The `attestations` output: one entry per verified platform, the fields the action documents and no others. */
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

const REFERRER_GROUPS: ReadonlyArray<[ReferrerKind, 'signatures' | 'sboms' | 'attestations' | 'other']> = [
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
    ...Object.fromEntries(REFERRER_GROUPS.map(([kind, name]) => [name, r.items.filter((i) => i.kind === kind).map(item)])),
    listedBy: r.listedBy,
    problems: r.problems,
    ...(r.truncated ? { truncated: true } : {}),
  };
}

export function deepOutputs(report: VerifyReport): Record<'deep-verified' | 'bytes-verified' | 'wasted-bytes' | 'efficiency', string> {
  // A multi-platform run proves each platform the registry serves; all of them must be proved.
  const served = report.deep ? [report.deep] : (report.platforms ?? []).filter((p) => p.remote).map((p) => p.deep);
  const deeps = served.filter((d): d is DeepReport => d !== undefined);
  if (deeps.length === 0) return { 'deep-verified': 'false', 'bytes-verified': '', 'wasted-bytes': '', efficiency: '' };
  return {
    'deep-verified': String(deeps.length === served.length && deeps.every((d) => d.verified)),
    'bytes-verified': String(deeps.reduce((n, d) => n + d.bytesVerified, 0)),
    'wasted-bytes': String(deeps.reduce((n, d) => n + d.wastedBytes, 0)),
    // dive's score; with several platforms, the lowest.
    efficiency: String(Math.min(...deeps.map((d) => d.efficiency))),
  };
}

export function baseOutputs(reports: readonly VerifyReport[]): Record<string, string> {
  const drifted = reports.filter((r) => r.base?.status === 'drifted').map((r) => r.image);
  const single = reports.length === 1 ? reports[0]?.base : undefined;
  return {
    'base-image': single?.reference ?? '',
    'base-digest': single?.builtOn?.digest ?? '',
    'base-current-digest': single?.current?.digest ?? '',
    'base-layers': single?.layers !== undefined ? String(single.layers) : '',
    'base-drift': aggregateDrift(reports),
    'drifted-images': JSON.stringify(drifted),
  };
}

/** true when any image drifted; false when every image's base is known to be current; else unknown. */
export function aggregateDrift(reports: readonly VerifyReport[]): 'true' | 'false' | 'unknown' {
  if (reports.some((r) => r.base?.drift === 'true')) return 'true';
  if (reports.length > 0 && reports.every((r) => r.base?.drift === 'false')) return 'false';
  return 'unknown';
}
