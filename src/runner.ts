// The GitHub Actions runner's protocol, the part the action speaks: inputs from INPUT_* variables,
// outputs appended to $GITHUB_OUTPUT, workflow commands (::warning::, ::error::, ::debug::,
// ::add-mask::) on stdout with their data escaped, and the job summary appended to
// $GITHUB_STEP_SUMMARY. @actions/core does the same, but importing it also loads its OIDC client,
// hence @actions/http-client and a second undici: a third of the bundle, about 100 ms of CPU and
// 20 MiB at every start (issue 15, fast start). The rules are the runner's (actions/runner's
// ActionCommand parser and file commands), applied as @actions/core applies them; the unit test
// test/unit/runner.test.ts holds this file to @actions/core's output, byte for byte.
// Only the action's entry (main.ts, inputs.ts) uses this: the engine logs through a Logger.

import { randomUUID } from 'node:crypto';
import { appendFileSync, constants, existsSync } from 'node:fs';
import { access, appendFile } from 'node:fs/promises';
import { EOL } from 'node:os';

/** An input's value, trimmed: INPUT_<NAME> with spaces as '_' and upper-cased (hyphens stay). */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim();
}

/** A workflow command's data: the runner unescapes %25, %0D and %0A, so no value can end the line. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command property's value: also ':' and ',', which separate properties. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function issue(command: string, message: string, properties = ''): void {
  process.stdout.write(`::${command}${properties}::${escapeData(message)}${EOL}`);
}

export function info(message: string): void {
  process.stdout.write(`${message}${EOL}`);
}

export function debug(message: string): void {
  issue('debug', message);
}

export function warning(message: string): void {
  issue('warning', message);
}

export function error(message: string): void {
  issue('error', message);
}

/** Fails the step (exit code 1 once the process ends) with an error annotation. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  error(message);
}

/** Asks the runner to mask `secret` in every later line of the log. */
export function setSecret(secret: string): void {
  issue('add-mask', secret);
}

/**
 * Sets a step output: a `name<<DELIMITER` block in $GITHUB_OUTPUT, with a random delimiter that
 * neither the name nor the value may contain; the set-output command where the runner gives no file.
 */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT || '';
  if (!file) {
    process.stdout.write(EOL);
    issue('set-output', value, ` name=${escapeProperty(name)}`);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`output ${name}: the name or value contains the delimiter ${delimiter}`);
  if (!existsSync(file)) throw new Error(`GITHUB_OUTPUT names ${file}, which does not exist`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
}

/** Appends `text` to the job summary ($GITHUB_STEP_SUMMARY), which must exist and be writable. */
export async function appendSummary(text: string): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) throw new Error('GITHUB_STEP_SUMMARY is not set: this runner offers no job summary');
  try {
    await access(file, constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(`the job summary file ${file} is not readable and writable: check its permissions`);
  }
  await appendFile(file, text, { encoding: 'utf8' });
}
