// The base-image outputs of the action, computed from reports (pure), so the action and the
// tests agree on them. With several images only the aggregate outputs are set; each image's
// values are in the JSON report.

import type { VerifyReport } from '../model/report.js';

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
