// The action outputs deep verification adds, as strings, from the report. Pure: main.ts sets them.

import type { VerifyReport } from './model.js';

export function deepOutputs(report: VerifyReport): Record<'deep-verified' | 'bytes-verified' | 'wasted-bytes', string> {
  const deep = report.deep;
  return {
    'deep-verified': String(deep?.verified ?? false),
    'bytes-verified': deep ? String(deep.bytesVerified) : '',
    'wasted-bytes': deep ? String(deep.wastedBytes) : '',
  };
}
