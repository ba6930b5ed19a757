#!/usr/bin/env node
// The same engine from a terminal: `verify-image IMAGE [--local SOURCE] [--digest D] [--platform P] [--json]`.
// Exit codes: 0 verified, 1 mismatch, 2 could not verify (including bad arguments).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeError, VerifyImageError } from './errors.js';
import type { Logger } from './log.js';
import { parseDigest } from './options.js';
import { reportDocument } from './report/json.js';
import { renderText } from './report/text.js';
import { run } from './run.js';

const USAGE = `usage: verify-image IMAGE [options]

Verify that the image the registry serves under IMAGE is exactly the local build.

options:
  --local SOURCE            local image to compare with (default: IMAGE in the Docker daemon;
                            "none" skips it): a daemon reference, docker-archive:PATH,
                            oci-layout:DIR[:TAG|@DIGEST] or oci-archive:PATH[:TAG|@DIGEST]
  --digest DIGEST           expected registry digest (index or platform manifest)
  --platform PLATFORMS      platform to verify: OS/ARCH[/VAR], a comma list, or all
                            (default: the local image's; every platform of a local index)
  --insecure-registry HOST  allow plain http to HOST (repeatable; loopback always allowed)
  --username USER           registry user (password from --password-stdin or VERIFY_IMAGE_PASSWORD)
  --password-stdin          read the registry password from standard input
  --json                    print the JSON report instead of text
  --quiet                   no progress lines on stderr
  -h, --help                this help

exit codes: 0 verified, 1 mismatch, 2 could not verify`;

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
        'insecure-registry': { type: 'string', multiple: true },
        username: { type: 'string' },
        'password-stdin': { type: 'boolean' },
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
  if (positionals.length !== 1) {
    process.stderr.write(`verify-image: give exactly one IMAGE\n${USAGE}\n`);
    return 2;
  }
  const secrets: string[] = [];
  const mask = (line: string) => secrets.reduce((l, s) => (s ? l.split(s).join('***') : l), line);
  const logger: Logger = {
    info: (m) => values.quiet || process.stderr.write(`${mask(m)}\n`),
    warning: (m) => process.stderr.write(`warning: ${mask(m)}\n`),
    debug: (m) => process.env.VERIFY_IMAGE_DEBUG && process.stderr.write(`debug: ${mask(m)}\n`),
    secret: (s) => secrets.push(s),
  };
  try {
    const password = values['password-stdin'] ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : process.env.VERIFY_IMAGE_PASSWORD;
    if (password && !values.username) throw new VerifyImageError('input', 'a password was given without --username: pass both');
    const report = await run(
      {
        image: positionals[0] as string,
        localImage: values.local,
        digest: parseDigest(values.digest ?? ''),
        platform: values.platform,
        username: values.username,
        password: password || undefined,
        insecureRegistries: values['insecure-registry'] ?? [],
      },
      logger,
    );
    process.stdout.write(`${mask(values.json ? JSON.stringify(reportDocument([report]), null, 2) : renderText(report))}\n`);
    return report.status === 'verified' ? 0 : report.status === 'mismatch' ? 1 : 2;
  } catch (err) {
    process.stderr.write(`verify-image: ${mask(describeError(err))}\n`);
    return 2;
  }
}

process.exitCode = await cli(process.argv.slice(2));
