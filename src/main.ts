// The action: read inputs, run the engine, set outputs, write the job summary, and fail the
// step with one line when the image does not verify. The only module besides inputs.ts and the
// summary renderer that talks to @actions/core.

import * as core from '@actions/core';
import { describeError } from './errors.js';
import { readInputs } from './inputs.js';
import type { Logger } from './log.js';
import { writeReportFile } from './report/json.js';
import { failedChecks, type VerifyReport } from './report/model.js';
import { deepOutputs } from './report/outputs-deep.js';
import { writeSummary } from './report/summary.js';
import { run } from './run.js';

const masked = new Set<string>();
const logger: Logger = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  debug: (m) => core.debug(m),
  secret: (s) => {
    if (!s || masked.has(s)) return;
    masked.add(s);
    core.setSecret(s);
  },
};

export async function main(): Promise<void> {
  try {
    const inputs = readInputs();
    const report = await run(inputs, logger);
    setOutputs(report, writeReportFile([report]));
    if (inputs.summary) await writeSummaryIfPossible(report);
    conclude(report, inputs.failOn.mismatch);
  } catch (err) {
    // Only input errors and bugs reach here: the engine reports its own failures.
    core.setOutput('verified', 'false');
    core.setFailed(describeError(err));
  }
}

function setOutputs(report: VerifyReport, reportPath: string): void {
  core.setOutput('verified', String(report.verified));
  core.setOutput('digest', report.remote?.manifestDigest ?? '');
  core.setOutput('index-digest', report.remote?.indexDigest ?? '');
  core.setOutput('config-digest', report.remote?.configDigest ?? '');
  core.setOutput('layers', report.remote ? String(report.layers.length) : '');
  core.setOutput(
    'mismatches',
    JSON.stringify(failedChecks(report).map(({ rule, message, layer }) => ({ rule, message, ...(layer ? { layer } : {}) }))),
  );
  core.setOutput('report', reportPath);
  for (const [name, value] of Object.entries(deepOutputs(report))) core.setOutput(name, value);
}

async function writeSummaryIfPossible(report: VerifyReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await writeSummary([report]);
  } catch (err) {
    core.warning(`could not write the job summary: ${describeError(err)}`);
  }
}

function conclude(report: VerifyReport, failOnMismatch: boolean): void {
  const name = report.remote?.reference ?? report.image;
  if (report.status === 'error') {
    core.setFailed(report.error ?? `could not verify ${name}`);
    return;
  }
  if (report.status === 'mismatch') {
    const reasons = failedChecks(report)
      .map((c) => `${c.rule}: ${c.message}`)
      .join('; ');
    const line = `${name} does not match the local build: ${reasons}`;
    if (failOnMismatch) core.setFailed(line);
    else core.warning(`${line} (not failing: fail-on is never)`);
    return;
  }
  core.info(
    report.local
      ? `verified: ${name} is exactly the local build (${report.layers.length} layers)`
      : `verified: ${name} is consistent${report.checks.some((c) => c.rule === 'digest') ? ' and has the expected digest' : ''} (no local image compared)`,
  );
}
