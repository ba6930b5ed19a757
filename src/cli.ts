#!/usr/bin/env node
// The same engine from a terminal: `verify-image IMAGE [--local SOURCE] [--digest D] [--platform P] [--deep] [--json]`,
// and `verify-image audit IMAGE… [--base REF] [--json]` for base-image drift across images.
// Exit codes: 0 verified, 1 mismatch, 2 could not verify (including bad arguments); for audit,
// 1 when any image's base drifted, else 2 when any image or base could not be checked, else 0.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditExitCode, CLI_WORDS, parseCliArgs, usageFor, verifyExitCode, type CliFlags } from './cli-args.js';
import { describeError, VerifyImageError } from './errors.js';
import { inertJson, inertLines, logLine, neutralise, type Logger } from './log.js';
import { auditImages } from './audit.js';
import { parseBaseImage, parseBuildArgs, parseConcurrency, parseDigest, parseEfficiencyGate, parseFailOn, MAX_CONCURRENCY, parsePlatformsExpected, parseRegistryTimeout, parseRequireAttestations } from './options.js';
import { reportDocument } from './report/json.js';
import type { VerifyReport } from './model/report.js';
import { renderAuditText, renderText } from './report/text.js';
import { run, type RunInputs } from './run.js';
import { SecretTracker } from './secrets.js';
import { DirectoryLayerCache } from './verify/cache.js';
import { colourWanted, paint, ProgressLine, terminalWidth, yellow } from './terminal.js';

async function cli(argv: string[]): Promise<number> {
  const command = parseCliArgs(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${usageFor(terminalWidth(process.stdout, process.env))}\n`);
      return 0;
    case 'version':
      process.stdout.write(`verify-image ${packageVersion()}\n`);
      return 0;
    case 'usage-error':
      process.stderr.write(`verify-image: ${neutralise(command.message)}\n`);
      return 2;
  }
  const flags = command.flags;
  const env = process.env;
  // Every secret is scrubbed, in all its forms, from everything printed; every line is made
  // inert (the CLI may run inside a workflow, whose runner reads its output for commands).
  const secrets = new SecretTracker();
  // On a TTY, progress is one line updated in place; elsewhere (GitHub's log) one line per event.
  const progress = !flags.quiet && process.stderr.isTTY ? new ProgressLine(process.stderr) : undefined;
  const warningWord = colourWanted(process.stderr, env, flags['no-color']) ? yellow('warning:') : 'warning:';
  const logger: Logger = {
    info: (m) => {
      if (flags.quiet) return;
      const line = logLine(secrets.scrub(m));
      if (progress) progress.update(line);
      else process.stderr.write(`${line}\n`);
    },
    warning: (m) => {
      const line = `${warningWord} ${neutralise(secrets.scrub(m))}`;
      if (progress) progress.print(line);
      else process.stderr.write(`${line}\n`);
    },
    debug: (m) => env.VERIFY_IMAGE_DEBUG && process.stderr.write(`debug: ${neutralise(secrets.scrub(m))}\n`),
    secret: (s) => secrets.add(s),
  };
  // The report fits the terminal (or COLUMNS, else 100 columns) and is coloured only on a TTY; --json is never either.
  const layout = { width: terminalWidth(process.stdout, env) };
  const colour = colourWanted(process.stdout, env, flags['no-color']);
  const print = (reports: VerifyReport[], text: (clean: VerifyReport[]) => string): void => {
    progress?.clear();
    const clean = secrets.scrubDeep(reports);
    if (flags.json) {
      process.stdout.write(`${secrets.scrub(inertJson(JSON.stringify(reportDocument(clean), null, 2)))}\n`);
      return;
    }
    const plain = secrets.scrub(inertLines(text(clean)));
    process.stdout.write(`${colour ? paint(plain) : plain}\n`);
  };
  try {
    const password = flags['password-stdin'] ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : env.VERIFY_IMAGE_PASSWORD;
    if (command.kind === 'audit') {
      const reports = await auditImages(command.images, auditInputs(flags, password), logger);
      print(reports, (clean) => renderAuditText(clean, layout));
      return auditExitCode(reports);
    }
    const failOn = parseFailOn(flags['fail-on'] ?? '');
    const report = await run(verifyInputs(command.image, flags, password), logger);
    print([report], ([clean]) => renderText(clean as VerifyReport, layout));
    return verifyExitCode(report, failOn);
  } catch (err) {
    progress?.clear();
    process.stderr.write(`verify-image: ${neutralise(secrets.scrub(describeError(err, CLI_WORDS)))}\n`);
    return 2;
  }
}

/** What verify and audit share: registry access and the base. */
function commonInputs(flags: CliFlags, password: string | undefined) {
  if (password && !flags.username) throw new VerifyImageError('input', 'a password was given without --username: pass both');
  return {
    platform: flags.platform,
    username: flags.username,
    password: password || undefined,
    insecureRegistries: flags['insecure-registry'] ?? [],
    registryTimeoutMs: parseRegistryTimeout(flags['registry-timeout'] ?? ''),
    baseImage: parseBaseImage(flags.base ?? ''),
    dockerfile: flags.dockerfile,
    buildArgs: parseBuildArgs((flags['build-arg'] ?? []).join('\n')),
    // The engine's errors name flags, not action inputs.
    optionWords: CLI_WORDS,
  };
}

function verifyInputs(image: string, flags: CliFlags, password: string | undefined): RunInputs {
  return {
    ...commonInputs(flags, password),
    image,
    localImage: flags.local,
    digest: parseDigest(flags.digest ?? ''),
    platformsExpected: parsePlatformsExpected('--platforms-expected', flags['platforms-expected'] ?? ''),
    requireAttestations: parseRequireAttestations('--require-attestations', flags['require-attestations'] ?? ''),
    ...cliDeepInputs(flags),
  };
}

function auditInputs(flags: CliFlags, password: string | undefined): Parameters<typeof auditImages>[1] {
  const common = commonInputs(flags, password);
  if (flags.local || flags.digest) throw new VerifyImageError('input', 'audit checks images from the registry only: drop --local and --digest');
  const singleOnly = (['deep', 'concurrency', 'cache', 'cache-dir', 'fail-on', 'platforms-expected', 'require-attestations', 'max-wasted-bytes', 'max-wasted-percent', 'min-wasted-bytes', 'min-efficiency'] as const).filter((flag) => flags[flag] !== undefined);
  if (singleOnly.length) {
    throw new VerifyImageError('input', `audit checks base drift only: drop ${singleOnly.map((f) => `--${f}`).join(', ')} (they apply to verifying one image)`);
  }
  return common;
}

interface DeepFlags {
  deep?: boolean;
  concurrency?: string;
  cache?: boolean;
  'cache-dir'?: string;
  'max-wasted-bytes'?: string;
  'max-wasted-percent'?: string;
  'min-wasted-bytes'?: string;
  'min-efficiency'?: string;
}

function cliDeepInputs(values: DeepFlags): Pick<RunInputs, 'deep' | 'deepConcurrency' | 'layerCache' | 'efficiency'> {
  const wantsCache = Boolean(values.cache || values['cache-dir']);
  if (!values.deep && (wantsCache || values.concurrency)) {
    throw new VerifyImageError('input', '--cache, --cache-dir and --concurrency only apply with --deep: add --deep');
  }
  return {
    deep: Boolean(values.deep),
    deepConcurrency: parseConcurrency('deep-concurrency', values.concurrency ?? '', MAX_CONCURRENCY),
    layerCache: wantsCache ? new DirectoryLayerCache(values['cache-dir'] || defaultCacheDir()) : undefined,
    efficiency: parseEfficiencyGate(
      {
        maxWastedBytes: values['max-wasted-bytes'] ?? '',
        maxWastedPercent: values['max-wasted-percent'] ?? '',
        minWastedBytes: values['min-wasted-bytes'] ?? '',
        minEfficiency: values['min-efficiency'] ?? '',
      },
      Boolean(values.deep),
      (name) => `--${name}`,
      '--deep',
    ),
  };
}

/** The version in the package.json this file ships in (the bundle's, or the repository's when run from source). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'verify-image' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No package.json here, or not ours: look further up.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'verify-image', 'layers');
}

process.exitCode = await cli(process.argv.slice(2));
