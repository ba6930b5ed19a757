// Rule `attestations`: an attestation belongs to the image it is attached to only when its
// statements say so. Every attestation manifest in the index must be attached
// (`vnd.docker.reference.digest`) to a platform image of the same index, and every statement in
// it must name that image's manifest digest as its subject; with `require-attestations`, each
// verified platform must carry a provenance or SBOM statement bound that way. Pure: reads in,
// checks and a per-platform summary out, so every case is a unit test.

import type { StatementSummary } from '../oci/in-toto.js';
import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import type { Descriptor } from '../oci/types.js';
import type { RequiredAttestation } from '../options.js';
import type { AttestationRead } from '../registry/attestations.js';
import type { AttestationSummary } from '../model/report.js';
import type { Check } from '../model/check.js';

/** A verified platform image: the attestations bound to it are what it carries. */
export interface AttestationTarget {
  platform: string;
  manifestDigest: string;
}

export function checkAttestations(
  reads: readonly AttestationRead[],
  images: readonly Descriptor[],
  targets: readonly AttestationTarget[],
  required: readonly RequiredAttestation[],
): Check[] {
  const checks: Check[] = [];
  const platformOf = new Map<string, string>();
  for (const image of images) if (image.platform) platformOf.set(image.digest, formatPlatform(normalizePlatform(image.platform)));
  for (const read of reads) {
    const platform = read.attachedTo ? platformOf.get(read.attachedTo) : undefined;
    const at = platform ? { platform } : {};
    if (!read.attachedTo) {
      checks.push({ rule: 'attestations', ok: false, message: `attestation ${read.digest} has no ${'vnd.docker.reference.digest'} annotation: it is attached to no image` });
    } else if (!platform) {
      checks.push({
        rule: 'attestations',
        ok: false,
        message: `attestation ${read.digest} is attached to ${read.attachedTo}, which is not a platform image in this index: a dangling attestation describes nothing the tag serves`,
        actual: read.attachedTo,
      });
    }
    if (read.problem) {
      checks.push({ rule: 'attestations', ok: false, message: `attestation ${read.digest}${platform ? ` for ${platform}` : ''}: ${read.problem}`, ...at });
      continue;
    }
    if (!read.attachedTo) continue;
    for (const statement of read.statements) {
      if (statement.subjects.includes(read.attachedTo)) continue;
      checks.push({
        rule: 'attestations',
        ok: false,
        message: `${statement.predicateType} statement in attestation ${read.digest}${platform ? ` for ${platform}` : ''} is attached to ${read.attachedTo} but its subject names ${statement.subjects.length ? statement.subjects.join(', ') : 'no digest'}: it describes another image`,
        expected: read.attachedTo,
        actual: statement.subjects.join(', '),
        ...at,
      });
    }
  }
  for (const target of targets) {
    const bound = boundStatements(reads, target.manifestDigest);
    const missing = required.filter((kind) => !bound.some((s) => s.kind === kind));
    for (const kind of missing) {
      checks.push({
        rule: 'attestations',
        ok: false,
        message: `${target.platform} (${target.manifestDigest}) carries no ${kind} attestation whose subject is its manifest, and require-attestations asks for one: build with ${kind === 'provenance' ? '--provenance=mode=max (or provenance: true)' : '--sbom=true (or sbom: true)'} and push again`,
        platform: target.platform,
      });
    }
    const failed = checks.some((c) => !c.ok && c.platform === target.platform);
    if (!failed && (bound.length > 0 || required.length > 0)) {
      const types = [...new Set(bound.map((s) => s.predicateType))];
      checks.push({
        rule: 'attestations',
        ok: true,
        message: `${bound.length} statement(s) (${types.join(', ')}) name ${target.manifestDigest} as their subject`,
        platform: target.platform,
      });
    }
  }
  return checks;
}

/** The statements attached to `manifestDigest` that name it as their subject. */
export function boundStatements(reads: readonly AttestationRead[], manifestDigest: string): StatementSummary[] {
  return reads
    .filter((r) => r.attachedTo === manifestDigest && !r.problem)
    .flatMap((r) => r.statements)
    .filter((s) => s.subjects.includes(manifestDigest));
}

/** What each verified platform carries, for the output and the summary. */
export function summarizeAttestations(reads: readonly AttestationRead[], targets: readonly AttestationTarget[], checks: readonly Check[]): AttestationSummary[] {
  return targets.map((target) => {
    const bound = boundStatements(reads, target.manifestDigest);
    const provenance = bound.find((s) => s.kind === 'provenance');
    return {
      platform: target.platform,
      provenance: provenance !== undefined,
      sbom: bound.some((s) => s.kind === 'sbom'),
      predicateTypes: [...new Set(bound.map((s) => s.predicateType))],
      ...(provenance?.builder ? { builder: provenance.builder } : {}),
      ...(provenance?.source ? { source: provenance.source } : {}),
      ...(provenance?.revision ? { revision: provenance.revision } : {}),
      subjectsOk: !checks.some((c) => c.rule === 'attestations' && !c.ok && c.platform === target.platform),
    };
  });
}
