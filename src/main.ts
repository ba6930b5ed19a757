// The action: read inputs, run the engine, set outputs, write the job summary, and fail the
// step with one line when the image does not verify. The only module besides inputs.ts that talks
// to the runner (src/runner.ts, what @actions/core would do): the renderers (src/report/) compute
// outputs and the summary's HTML, this sets and writes them.
//
// What leaves the step is made safe here: every report is scrubbed of every secret (in all its
// forms, src/secrets.ts) before it feeds the outputs, the JSON report and the summary, and every
// line written to the log is scrubbed and then made inert (src/log.ts logLine), so a registry's
// text can never become a workflow command.

import * as core from './runner.js';
import { auditImages } from './audit.js';
import { describeError } from './errors.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { logLine, type Logger } from './log.js';
import { count, ruleName } from './report/format.js';
import { writeReportFile } from './report/json.js';
import { failedChecks, type VerifyReport } from './model/report.js';
import { auditOutputs, imageOutputs } from './report/outputs.js';
import { summaryHtml } from './report/summary.js';
import { run } from './run.js';
import { SecretTracker } from './secrets.js';

const secrets = new SecretTracker();
const masked = new Set<string>();
const logText = (m: string): string => logLine(secrets.scrub(m));
const info = (m: string): void => core.info(logText(m));
const warning = (m: string): void => core.warning(logText(m));
const fail = (m: string): void => core.setFailed(logText(m));
const logger: Logger = {
  info,
  warning,
  debug: (m) => core.debug(logText(m)),
  secret: (s) => {
    if (!s || masked.has(s)) return;
    masked.add(s);
    secrets.add(s);
    core.setSecret(s);
  },
};

export async function main(): Promise<void> {
  try {
    const inputs = readInputs();
    if (inputs.images.length > 1) return await audit(inputs);
    const report = secrets.scrubDeep(await run(inputs, logger));
    setOutputs(imageOutputs(report, writeReportFile([report])));
    if (inputs.summary) await writeSummaryIfPossible([report]);
    conclude(report, inputs.failOn.mismatch);
    concludeBase([report], inputs.failOn.drift);
  } catch (err) {
    // Only input errors and bugs reach here: the engine reports its own failures.
    core.setOutput('verified', 'false');
    fail(describeError(err));
  }
}

function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

async function writeSummaryIfPossible(reports: VerifyReport[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await writeSummary(reports, (html) => secrets.scrub(html));
  } catch (err) {
    warning(`could not write the job summary: ${describeError(err)}`);
  }
}

/**
 * Writes the summary of `reports` (already scrubbed by the caller); `scrub` runs once more over
 * the finished HTML, so that no secret reaches the page even in a form the report did not hold.
 */
export async function writeSummary(reports: readonly VerifyReport[], scrub: (html: string) => string = (html) => html): Promise<void> {
  await core.appendSummary(scrub(summaryHtml(reports)));
}

function conclude(report: VerifyReport, failOnMismatch: boolean): void {
  const name = report.remote?.reference ?? report.image;
  if (report.status === 'error') {
    fail(report.error ?? `could not verify ${name}`);
    return;
  }
  if (report.status === 'mismatch') {
    const reasons = failedChecks(report)
      .map((c) => `${ruleName(c)}: ${c.message}`)
      .join('; ');
    const line = `${name} does not match the local build: ${reasons}`;
    if (failOnMismatch) fail(line);
    else warning(`${line} (not failing: fail-on does not include mismatch)`);
    return;
  }
  if (report.platforms && !report.remote) {
    info(`verified: ${name}: all ${report.platforms.length} platforms match${report.local ? ' the local build' : ' on the registry side'}`);
    return;
  }
  info(
    report.local
      ? `verified: ${name} is exactly the local build (${count(report.layers.length, 'layer')})`
      : `verified: ${name} is consistent${report.checks.some((c) => c.rule === 'digest') ? ' and has the expected digest' : ''} (no local image compared)`,
  );
}

/**
 * Audit mode (several images): the single-image outputs stay empty, `verified` is true only when
 * every image verified, and `mismatches` names the image of each failed rule.
 */
async function audit(inputs: ActionInputs): Promise<void> {
  const reports = secrets.scrubDeep(await auditImages(inputs.images, inputs, logger));
  setOutputs(auditOutputs(reports, writeReportFile(reports)));
  if (inputs.summary) await writeSummaryIfPossible(reports);
  for (const report of reports) conclude(report, inputs.failOn.mismatch);
  concludeBase(reports, inputs.failOn.drift);
}

function concludeBase(reports: VerifyReport[], failOnDrift: boolean): void {
  for (const report of reports) {
    const base = report.base;
    if (base?.status !== 'drifted') continue;
    const age = base.driftAgeDays !== undefined ? ` (a newer base has been out for ${base.driftAgeDays} days)` : '';
    const line = `${report.remote?.reference ?? report.image} is built on an outdated base: ${base.message}${age}`;
    if (failOnDrift) fail(line);
    else warning(`${line} (not failing: add drift to fail-on)`);
  }
}
