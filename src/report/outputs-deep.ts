// The action outputs deep verification adds, as strings, from the report. Pure: main.ts sets them.

import type { DeepReport } from '../model/deep.js';
import type { VerifyReport } from '../model/report.js';

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
