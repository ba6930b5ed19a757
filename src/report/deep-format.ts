// Words and numbers for the deep-verification part of the report, shared by the job summary and
// the CLI text so both say the same thing.

import { neutralise } from '../log.js';
import { count, humanSize } from './format.js';
import type { DeepLayer, DeepReport } from '../model/deep.js';

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
