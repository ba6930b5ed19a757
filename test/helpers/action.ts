// Runs the bundled action (dist/index.js) and CLI (dist/cli/index.js) the way their real callers
// do: a fresh node process, inputs as INPUT_* variables, outputs and the job summary in files.
// Nothing from the surrounding job's GITHUB_* or INPUT_* environment leaks into a run.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeEnv } from './docker.js';

export interface ActionRun {
  code: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  stderr: string;
  /** The parsed JSON file named by the `report` output, when there is one. */
  report?: unknown;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const RUN_TIMEOUT_MS = 120_000;
const PACKAGE_NAME = 'verify-image';

/** Runs `node dist/index.js` from the repo root with `inputs` as the runner would pass them. */
export async function runAction(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<ActionRun> {
  const root = repoRoot();
  const entry = join(root, 'dist', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);

  const dir = await mkdtemp(join(tmpdir(), 'verify-image-action-'));
  try {
    const outputPath = join(dir, 'github_output');
    const summaryPath = join(dir, 'step_summary');
    const runnerTemp = join(dir, 'runner_temp');
    await writeFile(outputPath, '');
    await writeFile(summaryPath, '');
    await mkdir(runnerTemp);

    const runnerEnv: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      RUNNER_TEMP: runnerTemp,
    };
    for (const [name, value] of Object.entries(inputs)) runnerEnv[inputVariable(name)] = value;

    const run = await runNode([entry], root, mergeEnv(runnerEnv, env));
    const outputs = parseGithubOutput(await readFile(outputPath, 'utf8'));
    const summary = await readFile(summaryPath, 'utf8');
    const result: ActionRun = { ...run, outputs, summary };
    const reportPath = outputs['report'];
    if (reportPath) {
      const path = isAbsolute(reportPath) ? reportPath : resolve(root, reportPath);
      if (await isFile(path)) {
        const text = await readFile(path, 'utf8');
        try {
          result.report = JSON.parse(text);
        } catch (error: unknown) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`the report output ${path} is not valid JSON (${reason}); stderr:\n${run.stderr}`, {
            cause: error,
          });
        }
      }
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `node dist/cli/index.js ARGS` from the repo root, outside any GitHub Actions context. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const root = repoRoot();
  const entry = join(root, 'dist', 'cli', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return runNode([entry, ...args], root, mergeEnv(cleanEnv(), env));
}

/** The runner's name → variable rule: spaces become '_', upper-cased; hyphens stay. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Parses a GITHUB_OUTPUT file: `name=value` lines and the `name<<DELIMITER` … `DELIMITER`
 * blocks @actions/core writes for every value.
 */
export function parseGithubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const end = lines.indexOf(delimiter, i + 1);
      if (end === -1) throw new Error(`GITHUB_OUTPUT: no closing ${delimiter} for output ${name}`);
      outputs[name] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`GITHUB_OUTPUT: cannot parse line ${JSON.stringify(line)}`);
    outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return outputs;
}

let cachedRoot: string | undefined;

/**
 * The repository root: the nearest ancestor of this file (build/test/helpers/action.js once
 * compiled) whose package.json is ours, or else the working directory if that is the repo.
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  const candidates: string[] = [];
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    candidates.push(dir);
    if (dirname(dir) === dir) break;
  }
  candidates.push(process.cwd());
  for (const dir of candidates) {
    if (isOurPackage(join(dir, 'package.json'))) return (cachedRoot = dir);
  }
  throw new Error(`cannot find the ${PACKAGE_NAME} repository root above ${fileURLToPath(import.meta.url)} or in ${process.cwd()}`);
}

function isOurPackage(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** process.env without anything that would make a run depend on the job running the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('INPUT_') || key.startsWith('GITHUB_')) continue;
    env[key] = value;
  }
  return env;
}

function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      if (timedOut) {
        reject(new Error(`node ${args.join(' ')} did not finish within ${RUN_TIMEOUT_MS / 1000} s; stdout:\n${out}\nstderr:\n${err}`));
        return;
      }
      if (code === null) {
        reject(new Error(`node ${args.join(' ')} was killed by ${signal}; stdout:\n${out}\nstderr:\n${err}`));
        return;
      }
      resolvePromise({ code, stdout: out, stderr: err });
    });
  });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
