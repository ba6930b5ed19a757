// Owns: one base verdict for a multi-platform run, from each platform's own (inspect.ts ran the
// base stage on every platform image). The step's gate and outputs read this one verdict, so it
// errs towards failing: drifted when any platform's base drifted, up to date only when every
// platform's base was checked and is; a value that differs between platforms is left out.

import type { BaseImageFacts, BaseReport, BaseStatus } from '../model/base.js';
import type { PlatformReport } from '../model/report.js';

/** undefined when no platform has a base report (base-image: none, or no platform image in the registry). */
export function combinePlatformBases(platforms: readonly PlatformReport[]): BaseReport | undefined {
  const bases = platforms.flatMap((p) => (p.base ? [{ platform: p.platform, base: p.base }] : []));
  const first = bases[0]?.base;
  if (!first) return undefined;
  // A platform without a base report (only in the local build, say) was not checked.
  const everyChecked = bases.length === platforms.length;
  const drifted = bases.filter((b) => b.base.status === 'drifted');
  const current = everyChecked && bases.every((b) => b.base.drift === 'false');
  const status: BaseStatus = drifted.length
    ? 'drifted'
    : current
      ? bases.every((b) => b.base.status === 'none')
        ? 'none'
        : 'up-to-date'
      : bases.some((b) => b.base.status === 'not-built-on')
        ? 'not-built-on'
        : 'unknown';
  const combined: BaseReport = {
    status,
    drift: drifted.length ? 'true' : current ? 'false' : 'unknown',
    source: first.source,
    from: same(bases.map((b) => b.base.from)) ?? 'per platform (see each platform)',
    message: message(bases, platforms, status),
  };
  const reference = same(bases.map((b) => b.base.reference));
  if (reference) combined.reference = reference;
  if (bases.some((b) => b.base.namedByRegistry)) combined.namedByRegistry = true;
  const layers = everyChecked ? same(bases.map((b) => b.base.layers)) : undefined;
  if (layers !== undefined) combined.layers = layers;
  const builtOn = sharedFacts(bases.map((b) => b.base.builtOn));
  if (builtOn) combined.builtOn = builtOn;
  const now = sharedFacts(bases.map((b) => b.base.current));
  if (now) combined.current = now;
  const behind = maxOf(drifted.map((b) => b.base.behindDays));
  if (behind !== undefined) combined.behindDays = behind;
  const age = maxOf(drifted.map((b) => b.base.driftAgeDays));
  if (age !== undefined) combined.driftAgeDays = age;
  const errors = bases.filter((b) => b.base.error).map((b) => `${b.platform}: ${b.base.error}`);
  if (errors.length) combined.error = errors.join('; ');
  return combined;
}

function message(bases: { platform: string; base: BaseReport }[], platforms: readonly PlatformReport[], status: BaseStatus): string {
  const drifted = bases.filter((b) => b.base.status === 'drifted');
  if (drifted.length) {
    const names = drifted.map((b) => b.platform).join(', ');
    return `the base drifted for ${drifted.length} of ${platforms.length} platforms (${names}): ${drifted[0]?.base.message ?? ''}`;
  }
  const unchecked = platforms.filter((p) => !p.base).map((p) => p.platform);
  const messages = same(bases.map((b) => b.base.message));
  if (status === 'up-to-date' || status === 'none') return `every platform (${bases.map((b) => b.platform).join(', ')}): ${messages ?? 'up to date'}`;
  const parts = bases.filter((b) => b.base.status !== 'up-to-date').map((b) => `${b.platform}: ${b.base.message}`);
  if (unchecked.length) parts.push(`${unchecked.join(', ')}: no base checked (no image in the registry)`);
  return parts.join('; ');
}

/** The value every entry has, or undefined when they differ or any is missing. */
function same<T>(values: readonly (T | undefined)[]): T | undefined {
  const first = values[0];
  return first !== undefined && values.every((v) => v === first) ? first : undefined;
}

/** The digest the base's reference names is one for all platforms of a multi-platform base; per-platform facts differ. */
function sharedFacts(facts: readonly (BaseImageFacts | undefined)[]): BaseImageFacts | undefined {
  const digest = same(facts.map((f) => f?.digest));
  if (!digest) return undefined;
  const shared: BaseImageFacts = { digest };
  const indexDigest = same(facts.map((f) => f?.indexDigest));
  if (indexDigest) shared.indexDigest = indexDigest;
  const created = same(facts.map((f) => f?.created));
  if (created) shared.created = created;
  return shared;
}

function maxOf(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? Math.max(...known) : undefined;
}
