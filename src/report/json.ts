// The JSON report: the report model as is, plus what produced it. Written under RUNNER_TEMP for
// the action (so later steps can read it) or printed by the CLI's --json.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inertJson } from '../log.js';
import type { VerifyReport } from '../model/report.js';

export const REPORT_SCHEMA_VERSION = 1;

export function reportDocument(reports: VerifyReport[]): object {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'verify-image',
    generatedAt: new Date().toISOString(),
    verified: reports.length > 0 && reports.every((r) => r.verified),
    images: reports,
  };
}

export function writeReportFile(reports: VerifyReport[], dir = process.env.RUNNER_TEMP || tmpdir()): string {
  const path = join(mkdtempSync(join(dir, 'verify-image-')), 'report.json');
  // Same JSON, but safe for a later step to cat into its log (see inertJson).
  writeFileSync(path, `${inertJson(JSON.stringify(reportDocument(reports), null, 2))}\n`);
  return path;
}
