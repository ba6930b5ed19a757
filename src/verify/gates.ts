// Gates: rules about the pushed image itself that the user opts into, beside the comparison with
// the local build. Pure: each takes what was already fetched or measured and returns a Check.
//   platforms-expected  the tag serves exactly these platforms, each once (attestations aside)

import type { EfficiencyGate } from '../options.js';
import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import { isImageManifest, isIndex, type Descriptor, type Platform } from '../oci/types.js';
import type { RemoteTop } from '../registry/resolve.js';
import type { DeepReport } from '../model/deep.js';
import type { Check } from '../model/check.js';
import { copiesText } from './waste.js';

/** What a pushed tag serves: its image entries and anything else a runtime could pull. */
export interface ServedPlatforms {
  reference: string;
  /** Whether the tag is an index (else a single image, whose config gives its one platform). */
  index: boolean;
  /** Image entries with a platform (for a single image, its config's); attestations left out. */
  images: Pick<Descriptor, 'digest' | 'platform'>[];
  /** Index entries that are neither a platform image nor an attestation. */
  others: Pick<Descriptor, 'digest' | 'mediaType' | 'platform'>[];
}

/** What a tag resolved with every platform at once serves. */
export function servedByTop(remote: RemoteTop): ServedPlatforms {
  return { reference: remote.reference, index: isIndex(remote.top.mediaType), images: remote.images, others: remote.others };
}

/** One spelling per platform; Windows images differ by os.version too. */
export function platformKey(platform: Platform): string {
  const p = normalizePlatform(platform);
  return p['os.version'] ? `${formatPlatform(p)} (os.version ${p['os.version']})` : formatPlatform(p);
}

/**
 * `platforms-expected`: the tag serves exactly the expected platforms: none missing, none extra,
 * none twice (a runtime takes the first match, so a second entry is an image nobody pulls, or the
 * one somebody meant). An image entry without a platform, or a nested index, counts as extra: a
 * runtime may pull it. Attestations and other artifacts are not platforms.
 */
export function checkExpectedPlatforms(served: ServedPlatforms, expected: readonly Platform[]): Check {
  const wanted = [...new Set(expected.map(platformKey))];
  const counts = new Map<string, number>();
  for (const image of served.images) {
    const key = image.platform ? platformKey(image.platform) : '(no platform)';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const unplaced = served.others.filter((d) => isImageManifest(d.mediaType) || isIndex(d.mediaType));
  const missing = wanted.filter((key) => !counts.has(key));
  const extra = [...counts.keys()].filter((key) => !wanted.includes(key));
  const duplicate = [...counts.entries()].filter(([, n]) => n > 1).map(([key, n]) => `${key} (${n} entries)`);
  const unplacedText = unplaced.map((d) => `${d.digest} (${isIndex(d.mediaType) ? 'a nested index' : 'an image without a platform'})`);
  const servedText = [...counts.keys()].join(', ') || 'no platform image';
  const what = served.index ? 'index' : 'single image';
  const base = { rule: 'platforms' as const, expected: wanted.join(','), actual: [...counts.keys()].join(',') };
  const problems = [
    missing.length ? `missing ${missing.join(', ')}` : '',
    extra.length ? `extra ${extra.join(', ')}` : '',
    duplicate.length ? `duplicate ${duplicate.join(', ')}` : '',
    unplacedText.length ? `extra ${unplacedText.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length === 0) {
    return { ...base, ok: true, message: `the ${what} serves exactly the expected platforms ${wanted.join(', ')}${served.index ? ', once each (attestations aside)' : ''}` };
  }
  return {
    ...base,
    ok: false,
    message: `platforms-expected ${wanted.join(', ')}: the ${what} ${served.reference} serves ${servedText}: ${problems.join('; ')}`,
  };
}

const LISTED_OFFENDERS = 5;

/**
 * `efficiency`: the image wastes no more than the limits allow and scores at least min-efficiency.
 * Wasted bytes are the bytes of files a later layer overwrites or deletes (waste.ts), the percentage
 * is of the layers' uncompressed size, the score is dive's. A failure names the worst offenders:
 * path, bytes, the layer that shipped it and the layer that overwrote or deleted it.
 */
export function checkEfficiency(deep: DeepReport, gate: EfficiencyGate): Check | undefined {
  const limits = [gate.maxWastedBytes, gate.maxWastedPercent, gate.minEfficiency].filter((v) => v !== undefined);
  if (limits.length === 0) return undefined;
  const wasted = deep.wastedBytes;
  const uncompressed = deep.layers.reduce((n, l) => n + (l.uncompressedSize ?? 0), 0);
  const percent = uncompressed > 0 ? (wasted / uncompressed) * 100 : 0;
  const atLeast = deep.wasteComplete ? '' : 'at least ';
  const figures = `wasted ${atLeast}${wasted} bytes (${percent.toFixed(2)} % of ${uncompressed} bytes uncompressed), efficiency ${(deep.efficiency * 100).toFixed(2)} %`;
  const broken: string[] = [];
  if (gate.maxWastedBytes !== undefined && wasted > gate.maxWastedBytes) broken.push(`more than max-wasted-bytes ${gate.maxWastedBytes}`);
  if (gate.maxWastedPercent !== undefined && wasted >= (gate.minWastedBytes ?? 0) && percent > gate.maxWastedPercent) {
    broken.push(`more than max-wasted-percent ${gate.maxWastedPercent} %${gate.minWastedBytes ? ` (applied from min-wasted-bytes ${gate.minWastedBytes})` : ''}`);
  }
  if (gate.minEfficiency !== undefined && deep.efficiency < gate.minEfficiency) broken.push(`below min-efficiency ${gate.minEfficiency}`);
  const base = { rule: 'efficiency' as const, actual: String(wasted) };
  if (broken.length === 0) {
    const skipped =
      gate.maxWastedPercent !== undefined && gate.minWastedBytes !== undefined && wasted < gate.minWastedBytes
        ? `; the percentage limit does not apply under min-wasted-bytes ${gate.minWastedBytes}`
        : '';
    return { ...base, ok: true, message: `${figures}: within the limits${skipped}` };
  }
  const offenders = deep.wastedFiles.slice(0, LISTED_OFFENDERS).map((f) => `${JSON.stringify(f.path)} ${f.bytes} bytes, shipped in ${copiesText(f)}`);
  const more = deep.wastedFileCount > offenders.length ? ` and ${deep.wastedFileCount - offenders.length} more` : '';
  return {
    ...base,
    ok: false,
    message: `${figures}: ${broken.join('; ')}${offenders.length ? `; worst: ${offenders.join('; ')}${more}` : ''}`,
  };
}
