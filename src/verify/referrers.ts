// The referrers stage: for every verified platform manifest and the pushed index, what refers to
// it (src/registry/referrers.ts), joined onto each platform's supply-chain summary next to its
// BuildKit attestations. A signature on the index covers every platform it lists by digest, so
// each platform reports its own manifest's referrers and the index's. Presence only: nothing
// here adds a check or fails a run.

import type { Logger } from '../log.js';
import { findReferrers, type SubjectReferrers } from '../registry/referrers.js';
import type { RegistryClient } from '../registry/client.js';
import type { AttestationSummary, ReferrersSummary } from '../model/report.js';
import type { AttestationTarget } from './attestations.js';

/**
 * Lists the referrers of each target's manifest and of `indexDigest`, and returns the
 * attestation summaries with them; undefined stays undefined when nothing refers to anything.
 */
export async function attachReferrers(
  client: RegistryClient,
  summaries: AttestationSummary[] | undefined,
  targets: readonly AttestationTarget[],
  indexDigest: string | undefined,
  logger: Logger,
  opts: { cosignTags?: boolean } = {},
): Promise<AttestationSummary[] | undefined> {
  const subjects = [...new Set([...targets.map((t) => t.manifestDigest), ...(indexDigest ? [indexDigest] : [])])];
  const found = new Map<string, SubjectReferrers>();
  for (const subject of subjects) {
    const result = await findReferrers(client, subject, { cosignTags: opts.cosignTags });
    found.set(subject, result);
    logger.info(describeLookup(result, subject === indexDigest));
    for (const problem of result.problems) logger.warning(`referrers: ${problem}`);
  }
  return withReferrers(summaries, targets, found, indexDigest);
}

/** Pure: each target's summary with its manifest's and the index's referrers. */
export function withReferrers(
  summaries: AttestationSummary[] | undefined,
  targets: readonly AttestationTarget[],
  found: ReadonlyMap<string, SubjectReferrers>,
  indexDigest: string | undefined,
): AttestationSummary[] | undefined {
  const parts = targets.map((target) => referrersFor(target.manifestDigest, [found.get(target.manifestDigest), indexDigest ? found.get(indexDigest) : undefined]));
  if (!summaries && parts.every((p) => p.items.length === 0 && p.problems.length === 0)) return undefined;
  return targets.map((target, i) => {
    const existing = summaries?.find((s) => s.platform === target.platform);
    const base: AttestationSummary = existing ?? { platform: target.platform, provenance: false, sbom: false, predicateTypes: [], subjectsOk: true };
    return { ...base, referrers: parts[i] };
  });
}

function referrersFor(manifestDigest: string, results: ReadonlyArray<SubjectReferrers | undefined>): ReferrersSummary {
  const present = results.filter((r): r is SubjectReferrers => r !== undefined);
  const summary: ReferrersSummary = {
    items: present.flatMap((r) => r.items.map((item) => ({ ...item, refersTo: item.subject === manifestDigest ? ('manifest' as const) : ('index' as const) }))),
    listedBy: present.flatMap((r) => (r.via ? [{ subject: r.subject, via: r.via }] : [])),
    problems: [...new Set(present.flatMap((r) => r.problems))],
  };
  if (present.some((r) => r.truncated)) summary.truncated = true;
  return summary;
}

function describeLookup(result: SubjectReferrers, isIndex: boolean): string {
  const what = `referrers of ${isIndex ? 'the index' : 'manifest'} ${result.subject}`;
  const how =
    result.via === 'api' ? 'the referrers API' : result.via === 'fallback-tag' ? 'the referrers tag: the registry has no referrers API' : 'not listed, see the warning';
  const kinds = result.items.map((item) => `${item.kind}${item.artifactType ? ` ${item.artifactType}` : ''} ${item.digest}${item.foundBy === 'cosign-tag' ? ` (cosign tag ${item.tag ?? ''})` : ''}`);
  return `${what} (${how}): ${result.items.length} found${kinds.length ? `: ${kinds.join('; ')}` : ''}`;
}
