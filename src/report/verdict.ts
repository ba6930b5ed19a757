// The verdict and the one sentence under it, for every medium: what the run proved ("Registry
// serves exactly your local build: 5 layers, image ID and manifest digest match") or what differs
// and its likely cause, with the verdict qualified by what was checked ("Consistent (registry
// only)" without a local image, "base drifted", "digest not checked"). Every word comes from the
// checks that ran and the report's facts: a rule that did not run is never named as proof.
// Plain text; each medium escapes it (the summary) or neutralises it (the CLI).

import { count, platformsOf, ruleName, shorten } from './format.js';
import { instructionOf } from '../model/history.js';
import { comparisonOf, diagnose, diagnosisText } from './mismatch.js';
import type { Check, RuleName } from '../model/check.js';
import type { PlatformReport, VerifyReport } from '../model/report.js';

export interface Verdict {
  icon: '✅' | '❌' | '⚠️';
  /** "Verified", "Consistent (registry only)", "Mismatch", "Could not verify". */
  label: string;
  /** News beside the verdict that did not decide it: "🔄 base drifted". */
  qualifiers: string[];
  /** What was proved, or what differs and the likely cause; one sentence, no final stop. */
  sentence: string;
  /** The image passed, but no rule compared the digest the registry serves with the one pushed. */
  digestUnchecked: boolean;
  /** A local build took part (a local side on some platform, or a rule that compares with one ran). */
  withLocal: boolean;
}

/** What each passing rule proved, in the order a reader wants it; rules not listed add nothing to the sentence. */
const PROVED: Partial<Record<RuleName, (n: number) => string>> = {
  'image-id': (n) => (n > 1 ? 'image IDs' : 'image ID'),
  'manifest-digest': (n) => (n > 1 ? 'manifest digests' : 'manifest digest'),
  'layer-digests': () => 'compressed layer digests',
  'index-digest': () => 'index digest',
  digest: () => 'the expected digest',
};

const LOCAL_RULES = new Set<RuleName>(['diff-ids', 'image-id', 'local-blobs', 'manifest-digest', 'layer-digests']);

export function verdictOf(report: VerifyReport): Verdict {
  const platforms = platformsOf(report);
  const qualifiers = report.base?.status === 'drifted' ? ['🔄 base drifted'] : report.base?.status === 'not-built-on' ? ['❌ not built on the base'] : [];
  // A rule that compares with a local build ran only when there was one.
  const withLocal = platforms.some((p) => p.local) || report.local !== undefined || report.checks.some((c) => LOCAL_RULES.has(c.rule));
  if (report.status === 'error') {
    return { icon: '⚠️', label: 'Could not verify', qualifiers: [], sentence: `Nothing was verified: ${report.error ?? 'the run stopped before any rule ran'}`, digestUnchecked: false, withLocal };
  }
  if (report.status === 'mismatch') return { icon: '❌', label: 'Mismatch', qualifiers, sentence: mismatchSentence(report, platforms, withLocal), digestUnchecked: false, withLocal };
  const digestUnchecked = !digestChecked(report, platforms);
  return {
    icon: '✅',
    label: withLocal ? 'Verified' : 'Consistent (registry only)',
    qualifiers,
    sentence: withLocal ? localProof(report, platforms) : registryProof(report, platforms),
    digestUnchecked,
    withLocal,
  };
}

/** Whether a passing rule tied the registry's digest to the build: the expected digest, or a local manifest or index digest. */
function digestChecked(report: VerifyReport, platforms: readonly PlatformReport[]): boolean {
  const passed = (rule: RuleName) => report.checks.some((c) => c.rule === rule && c.ok);
  if (passed('digest') || passed('index-digest') || passed('manifest-digest')) return true;
  // An image ID that is a manifest digest (the containerd store) equals the registry's manifest or index digest.
  return passed('image-id') && platforms.length > 0 && platforms.every((p) => p.local?.idKind === 'manifest');
}

function layersText(platforms: readonly PlatformReport[]): string {
  const total = platforms.reduce((n, p) => n + p.layers.length, 0);
  return count(total, 'layer');
}

function platformsText(platforms: readonly PlatformReport[]): string {
  return platforms.length > 1 ? ` on ${platforms.length} platforms (${platforms.map((p) => p.platform).join(', ')})` : '';
}

function deepText(report: VerifyReport): string {
  const passed = report.checks.some((c) => c.rule === 'layer-blobs' && c.ok) && !report.checks.some((c) => c.rule === 'layer-blobs' && !c.ok);
  return passed ? "; every layer's bytes downloaded and hashed" : '';
}

function localProof(report: VerifyReport, platforms: readonly PlatformReport[]): string {
  const several = platforms.length > 1;
  const parts: string[] = [];
  if (report.checks.some((c) => c.rule === 'diff-ids' && c.ok)) parts.push(layersText(platforms));
  for (const [rule, words] of Object.entries(PROVED) as [RuleName, (n: number) => string][]) {
    if (report.checks.some((c) => c.rule === rule && c.ok)) parts.push(words(several ? 2 : 1));
  }
  const listed = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : (parts[0] ?? 'every rule that ran');
  return `Registry serves exactly your local build${platformsText(platforms)}: ${listed} match${deepText(report)}`;
}

function registryProof(report: VerifyReport, platforms: readonly PlatformReport[]): string {
  const consistent = report.checks.some((c) => c.rule === 'layer-count' && c.ok) ? `manifest and config agree on ${layersText(platforms)}` : 'its manifest and config were fetched and hashed';
  const digest = report.checks.some((c) => c.rule === 'digest' && c.ok) ? ', and it is the expected digest' : '';
  return `Registry image is consistent${platformsText(platforms)}: ${consistent}${digest}${deepText(report)}; not compared with a local build`;
}

function mismatchSentence(report: VerifyReport, platforms: readonly PlatformReport[], withLocal: boolean): string {
  const failed = report.checks.filter((c) => !c.ok);
  const first = failed[0];
  const lead = withLocal ? 'Registry does not serve your local build' : 'Registry image is not consistent';
  if (!first) return `${lead}: ${report.error ?? 'no rule passed'}`;
  const more = failed.length > 1 ? ` (${count(failed.length - 1, 'more failed rule')} below)` : '';
  return `${lead}: ${cause(first, platforms, report)}${more}`;
}

/** What a failed rule means for the reader, and its likely cause where the report tells it. */
function cause(check: Check, platforms: readonly PlatformReport[], report: VerifyReport): string {
  const platform = platforms.find((p) => p.platform === check.platform) ?? (platforms.length === 1 ? platforms[0] : undefined);
  const where = platforms.length > 1 && check.platform ? ` on ${check.platform}` : '';
  switch (check.rule) {
    case 'diff-ids': {
      const layer = check.layer;
      const row = layer !== undefined ? platform?.layers.find((l) => l.index === layer) : undefined;
      if (layer === undefined || !row || !platform) return `${ruleName(check)}: ${check.message}`;
      const instruction = instructionOf(row.instruction);
      const made = instruction ? ` (registry: ${shorten(instruction, 60)})` : '';
      const below = layer > 2 ? `, the ${layer - 1} layers below it match` : layer === 2 ? ', the layer below it matches' : ' from the first layer on';
      const diagnosis = comparisonOf(platform)?.diagnosis ?? diagnose({ layers: platform.layers, baseLayers: platform.base?.layers });
      return `layer ${layer} of ${platform.layers.length} differs${where}${made}${below}: ${diagnosisText(diagnosis)}`;
    }
    case 'image-id':
      return report.checks.some((c) => c.rule === 'diff-ids' && c.ok && (c.platform === check.platform || !check.platform))
        ? `same layers, different config${where}: the image was rebuilt with other metadata (labels, environment, created time) or converted`
        : `${ruleName(check)}: ${check.message}`;
    case 'digest':
      return `the registry serves another digest than the expected one: the tag moved after the push (another push overwrote it)`;
    case 'layer-blobs':
      return `a layer's bytes do not hash to what the manifest or config says${where}: the registry serves corrupt or altered blobs`;
    case 'layer-count':
      return `the registry's manifest and config disagree on the layer count${where}: a malformed or altered image`;
    default:
      return `${ruleName(check)}: ${check.message}`;
  }
}

/** The verdict as one line of words, e.g. "✅ Verified · 🔄 base drifted". */
export function verdictLabel(verdict: Verdict): string {
  return [`${verdict.icon} ${verdict.label}`, ...verdict.qualifiers].join(' · ');
}
