#!/usr/bin/env node
// The same engine from a terminal: `verify-image IMAGE [--local SOURCE] [--digest D] [--platform P] [--deep] [--json]`,
// and `verify-image audit IMAGE… [--base REF] [--json]` for base-image drift across images.
// Exit codes: 0 verified, 1 mismatch, 2 could not verify (including bad arguments); for audit,
// 1 when any image's base drifted, else 2 when any image or base could not be checked, else 0.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError, VerifyImageError } from './errors.js';
import { inertJson, inertLines, logLine, neutralise, type Logger } from './log.js';
import { auditImages } from './base/audit.js';
import { parseBaseImage, parseBuildArgs, parseConcurrency, parseDigest, parseEfficiencyGate, parseFailOn, parsePlatformsExpected, parseRegistryTimeout, parseRequireAttestations } from './options.js';
import { reportDocument } from './report/json.js';
import type { VerifyReport } from './report/model.js';
import { renderAuditText, renderText } from './report/text.js';
import { run, type RunInputs } from './run.js';
import { SecretTracker } from './secrets.js';
import { DirectoryLayerCache } from './verify/cache.js';
import { MAX_CONCURRENCY } from './verify/deep.js';

const USAGE = `usage: verify-image IMAGE [options]
       verify-image audit IMAGE... [--base REF] [options]

Verify that the image the registry serves under IMAGE is exactly the local build.
audit: check, from the registry only, whether each IMAGE is built on what its base tag points to now.

options:
  --local SOURCE            local image to compare with (default: IMAGE in the Docker daemon;
                            "none" skips it): a daemon reference, docker-archive:PATH,
                            oci-layout:DIR[:TAG|@DIGEST] or oci-archive:PATH[:TAG|@DIGEST]
  --digest DIGEST           expected registry digest (index or platform manifest)
  --platform PLATFORMS      platform to verify: OS/ARCH[/VAR], a comma list, or all
                            (default: the local image's; every platform of a local index)
  --platforms-expected LIST the platforms the tag must serve, exactly and once each, e.g.
                            linux/amd64,linux/arm64 (attestations aside); fails rule platforms
  --require-attestations LIST  provenance, sbom or both: each verified platform must carry
                            such an attestation whose subject is its manifest (rule attestations)
  --insecure-registry HOST  allow plain http to HOST (repeatable; loopback always allowed)
  --registry-timeout SECS   abandon and retry a registry request silent for SECS (default 60)
  --username USER           registry user (password from --password-stdin or VERIFY_IMAGE_PASSWORD)
  --password-stdin          read the registry password from standard input
  --deep                    download every layer and prove its bytes (digest, size, diff_id)
                            and look inside it (files, deletions, wasted bytes)
  --concurrency N           layers downloaded at once with --deep (default: from the CPU count)
  --cache                   with --deep, remember proved layers in ~/.cache/verify-image/layers
                            (or $XDG_CACHE_HOME/verify-image/layers) and skip them next time
  --cache-dir DIR           like --cache, in DIR
  --max-wasted-bytes SIZE   with --deep, fail rule efficiency above SIZE wasted bytes (20MB, 512KiB)
  --max-wasted-percent P    with --deep, fail above P % of the uncompressed size wasted...
  --min-wasted-bytes SIZE   ...once at least SIZE bytes are wasted (a floor for small images)
  --min-efficiency R        with --deep, fail below dive's efficiency score R (0-1, e.g. 0.95)
  --base REF                the base image (default: auto — --dockerfile, labels, annotations; none: skip)
  --dockerfile PATH         the Dockerfile the image was built from, to find its base
  --build-arg NAME=VALUE    a build argument used for the build (repeatable), for ARGs in FROM
  --fail-on LIST            mismatch (default), drift, mismatch,drift or never (verify only)
  --json                    print the JSON report instead of text
  --quiet                   no progress lines on stderr
  -h, --help                this help

exit codes: 0 verified, 1 mismatch, 2 could not verify
audit: 1 when a base drifted, else 2 when something could not be checked, else 0`;

async function cli(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        local: { type: 'string' },
        digest: { type: 'string' },
        platform: { type: 'string' },
        'platforms-expected': { type: 'string' },
        'require-attestations': { type: 'string' },
        base: { type: 'string' },
        dockerfile: { type: 'string' },
        'build-arg': { type: 'string', multiple: true },
        'fail-on': { type: 'string' },
        'insecure-registry': { type: 'string', multiple: true },
        'registry-timeout': { type: 'string' },
        username: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        deep: { type: 'boolean' },
        concurrency: { type: 'string' },
        cache: { type: 'boolean' },
        'max-wasted-bytes': { type: 'string' },
        'max-wasted-percent': { type: 'string' },
        'min-wasted-bytes': { type: 'string' },
        'min-efficiency': { type: 'string' },
        'cache-dir': { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`verify-image: ${describeError(err).replace(/^unexpected error: /, '').replace(/ \(please report.*$/, '')}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const auditing = positionals[0] === 'audit';
  if (auditing && positionals.length < 2) {
    process.stderr.write(`verify-image: audit needs at least one IMAGE\n${USAGE}\n`);
    return 2;
  }
  if (!auditing && positionals.length !== 1) {
    process.stderr.write(`verify-image: give exactly one IMAGE\n${USAGE}\n`);
    return 2;
  }
  // Every secret is scrubbed, in all its forms, from everything printed; every line is made
  // inert (the CLI may run inside a workflow, whose runner reads its output for commands).
  const secrets = new SecretTracker();
  const logger: Logger = {
    info: (m) => values.quiet || process.stderr.write(`${logLine(secrets.scrub(m))}\n`),
    warning: (m) => process.stderr.write(`warning: ${neutralise(secrets.scrub(m))}\n`),
    debug: (m) => process.env.VERIFY_IMAGE_DEBUG && process.stderr.write(`debug: ${neutralise(secrets.scrub(m))}\n`),
    secret: (s) => secrets.add(s),
  };
  const print = (reports: VerifyReport[], text: (clean: VerifyReport[]) => string): void => {
    const clean = secrets.scrubDeep(reports);
    const out = values.json ? inertJson(JSON.stringify(reportDocument(clean), null, 2)) : inertLines(text(clean));
    process.stdout.write(`${secrets.scrub(out)}\n`);
  };
  try {
    const password = values['password-stdin'] ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : process.env.VERIFY_IMAGE_PASSWORD;
    if (password && !values.username) throw new VerifyImageError('input', 'a password was given without --username: pass both');
    const base = {
      baseImage: parseBaseImage(values.base ?? ''),
      dockerfile: values.dockerfile,
      buildArgs: parseBuildArgs((values['build-arg'] ?? []).join('\n')),
    };
    const registryTimeoutMs = parseRegistryTimeout(values['registry-timeout'] ?? '');
    if (auditing) {
      if (values.local || values.digest) throw new VerifyImageError('input', 'audit checks images from the registry only: drop --local and --digest');
      const singleOnly = (['deep', 'concurrency', 'cache', 'cache-dir', 'fail-on', 'platforms-expected', 'require-attestations', 'max-wasted-bytes', 'max-wasted-percent', 'min-wasted-bytes', 'min-efficiency'] as const).filter((flag) => values[flag] !== undefined);
      if (singleOnly.length) {
        throw new VerifyImageError('input', `audit checks base drift only: drop ${singleOnly.map((f) => `--${f}`).join(', ')} (they apply to verifying one image)`);
      }
      const reports = await auditImages(
        positionals.slice(1),
        {
          platform: values.platform,
          username: values.username,
          password: password || undefined,
          insecureRegistries: values['insecure-registry'] ?? [],
          registryTimeoutMs,
          ...base,
        },
        logger,
      );
      print(reports, renderAuditText);
      if (reports.some((r) => r.base?.drift === 'true')) return 1;
      return reports.every((r) => r.status !== 'error' && r.base?.drift === 'false') ? 0 : 2;
    }
    const failOn = parseFailOn(values['fail-on'] ?? '');
    const report = await run(
      {
        image: positionals[0] as string,
        localImage: values.local,
        digest: parseDigest(values.digest ?? ''),
        platform: values.platform,
        username: values.username,
        password: password || undefined,
        insecureRegistries: values['insecure-registry'] ?? [],
        ...base,
        registryTimeoutMs,
        platformsExpected: parsePlatformsExpected('--platforms-expected', values['platforms-expected'] ?? ''),
        requireAttestations: parseRequireAttestations('--require-attestations', values['require-attestations'] ?? ''),
        ...cliDeepInputs(values),
      },
      logger,
    );
    print([report], ([clean]) => renderText(clean as VerifyReport));
    if (report.status === 'error') return 2;
    if (report.status === 'mismatch' && failOn.mismatch) return 1;
    return failOn.drift && report.base?.drift === 'true' ? 1 : 0;
  } catch (err) {
    process.stderr.write(`verify-image: ${neutralise(secrets.scrub(describeError(err)))}\n`);
    return 2;
  }
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
    deepConcurrency: parseConcurrency('--concurrency', values.concurrency ?? '', MAX_CONCURRENCY),
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

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'verify-image', 'layers');
}

process.exitCode = await cli(process.argv.slice(2));
