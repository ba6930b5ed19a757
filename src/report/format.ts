// Words and formatting shared by every renderer (job summary, CLI text, logs), so they say the
// same thing: sizes, instructions, escaping, the deep-verification headline and per-layer results,
// platform presence and attestation words, and the platforms a report describes.

import { mapStrings, neutralise } from '../log.js';
import { shortDigest } from '../oci/digest.js';
import type { DeepLayer, DeepReport } from '../model/deep.js';
import type { AttestationReport, AttestationSummary, PlatformReport, ReferrerItem, VerifyReport } from '../model/report.js';
import type { ReferrerKind } from '../oci/referrers.js';
import { humanSize } from '../model/units.js';

export function shorten(text: string, max = 72): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Outside text as the text of an HTML element or attribute in the job summary (GitHub markdown
 * around HTML): one line (neutralise(): no line break can end the HTML block and let the rest
 * render as markdown), and every character that HTML or markdown could read as markup — `& < > "`
 * (attributes are double-quoted) and the markdown metacharacters `` ` | * _ [ ] \ ~ `` — as an
 * entity, which renders as itself. A value can neither close a cell or table nor become a link,
 * code span or emphasis.
 */
export function escapeHtml(text: string): string {
  return neutralise(text).replace(/[&<>"`|*_[\]\\~]/g, (c) => NAMED_ENTITIES[c] ?? `&#${c.charCodeAt(0)};`);
}

const NAMED_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** A copy of a report whose every string is one inert line (neutralise()), for the text renderers. */
export function plainCopy<T>(report: T): T {
  return mapStrings(report, neutralise);
}

/** "1 layer", "2 layers". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}


// Deep verification, in words.
/** How many hidden files the summary and the text list by name (the JSON report has more). */
export const LISTED_WASTED_FILES = 10;

export function deepHeadline(deep: DeepReport): string {
  const total = deep.layers.length;
  const proved = deep.layers.filter((l) => l.status === 'verified' || l.status === 'cached').length;
  const cached = deep.layers.filter((l) => l.status === 'cached').length;
  const failed = deep.layers.filter((l) => l.status === 'failed').length;
  const parts = [
    `${humanSize(deep.bytesVerified)} verified`,
    `${humanSize(deep.bytesDownloaded)} downloaded`,
    ...(cached ? [`${cached} ${cached === 1 ? 'layer' : 'layers'} from the cache`] : []),
    `${(deep.durationMs / 1000).toFixed(1)} s`,
  ];
  const lead = failed
    ? `${failed} of ${count(total, 'layer')} FAILED`
    : proved === total
      ? total === 1
        ? 'the 1 layer proved'
        : `all ${total} ${total === 1 ? 'layer' : 'layers'} proved`
      : `${proved} of ${count(total, 'layer')} proved`;
  return `${lead} (${parts.join(', ')})`;
}

export function compressionLabel(layer: DeepLayer): string {
  if (!layer.compression) return layer.mediaType.split('.').pop() ?? layer.mediaType;
  return layer.compression === 'none' ? 'tar' : layer.compression;
}

export function layerResult(layer: DeepLayer): string {
  switch (layer.status) {
    case 'verified':
      // A rate means little for a blob that fits in a few packets.
      return layer.size >= 1024 * 1024 && layer.durationMs ? `verified (${speed(layer.downloadedBytes ?? layer.size, layer.durationMs)})` : 'verified';
    case 'cached':
      return 'cached';
    case 'failed':
      return `FAILED: ${layer.message ?? layer.failure ?? ''}`;
    case 'not-verified':
      return `not verified: ${layer.message ?? ''}`;
    case 'error':
      return `could not read: ${layer.message ?? ''}`;
  }
}

export function resultMark(layer: DeepLayer): string {
  return layer.status === 'verified' || layer.status === 'cached' ? '✓' : layer.status === 'failed' ? '✗' : '–';
}

export function wasteHeadline(deep: DeepReport): string {
  if (deep.wastedFileCount === 0) return `no wasted bytes: no layer overwrites or deletes a file from a layer below${deep.wasteComplete ? '' : ' (among the layers read)'}`;
  return `${humanSize(deep.wastedBytes)} wasted${deep.wasteComplete ? '' : ' (at least)'}: ${deep.wastedFileCount} ${deep.wastedFileCount === 1 ? 'file' : 'files'} shipped in a layer and overwritten or deleted by a later one`;
}

export function speed(bytes: number, ms: number): string {
  return ms > 0 ? `${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s` : '—';
}

/** A path from inside a layer, safe to print: control characters (newlines, escapes) become '?'. */
export function printablePath(path: string): string {
  // eslint-disable-next-line no-control-regex
  return neutralise(path.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?'));
}

// Platforms, in words.

/**
 * The platforms a report describes, one entry for a single-platform run too. A report from an
 * engine that sets only the top-level fields for one platform gets its one entry built here.
 */
export function platformsOf(report: VerifyReport): PlatformReport[] {
  if (report.platforms) return report.platforms;
  const { remote, local } = report;
  const platform = remote?.platform ?? local?.platform;
  if (platform === undefined) return [];
  return [
    {
      platform,
      presence: remote && local ? 'both' : remote ? 'registry' : 'local',
      status: report.verified ? 'verified' : report.status,
      remote,
      local,
      checks: report.checks,
      layers: report.layers,
      deep: report.deep,
      base: report.base,
    },
  ];
}

/**
 * Where a platform is, when that is news: '' when it is in both, or when no local build took part
 * (then every platform is the registry's alone and the verdict already says "registry only").
 */
export function presenceText(p: PlatformReport, withLocal = true): string {
  if (p.presence === 'both' || (!withLocal && p.presence === 'registry')) return '';
  return p.presence === 'registry' ? 'registry only' : 'local build only';
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

/** A rule as a reader names it: `diff-ids`, or `diff-ids (linux/arm64)` in a multi-platform run. */
export function ruleName(check: { rule: string; platform?: string }): string {
  return check.platform ? `${check.rule} (${check.platform})` : check.rule;
}

/** How a referrer was found, in words (summary and CLI). */
export function foundByText(item: ReferrerItem): string {
  if (item.foundBy === 'api') return 'referrers API';
  if (item.foundBy === 'fallback-tag') return `referrers tag ${item.tag ?? ''}`.trim();
  return `cosign tag ${item.tag ?? ''}`.trim();
}

/** Whether a platform's referrers include one of this kind (presence only). */
export function hasReferrer(a: AttestationSummary, kind: ReferrerKind): boolean {
  return a.referrers?.items.some((i) => i.kind === kind) ?? false;
}
