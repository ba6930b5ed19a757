// The CLI's arguments and exit codes, pure: parseCliArgs turns argv into a command or a one-line
// usage error (never Node's raw parseArgs message), and the exit codes are computed from the
// reports. src/cli.ts does the I/O (stdin, the engine, printing) around them.

import { parseArgs } from 'node:util';
import type { OptionKey, OptionWords } from './errors.js';
import type { VerifyReport } from './model/report.js';
import { displayWidth, wrapLine } from './report/layout.js';

const OPTIONS = {
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
  'cache-dir': { type: 'string' },
  'max-wasted-bytes': { type: 'string' },
  'max-wasted-percent': { type: 'string' },
  'min-wasted-bytes': { type: 'string' },
  'min-efficiency': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type Options = typeof OPTIONS;

/** The flags as given: a string (or strings, for repeatable flags) or true. */
export type CliFlags = {
  -readonly [K in keyof Options]?: Options[K] extends { type: 'boolean' } ? boolean : Options[K] extends { multiple: true } ? string[] : string;
};

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'verify'; image: string; flags: CliFlags }
  | { kind: 'audit'; images: string[]; flags: CliFlags }
  /** Bad arguments: one line, exit code 2. */
  | { kind: 'usage-error'; message: string };

export const USAGE = `usage: verify-image IMAGE [options]
       verify-image audit IMAGE... [--base REF] [options]

Verify that the image the registry serves under IMAGE is exactly the local build.
audit: check, from the registry only, whether each IMAGE is built on what its base tag points to now.

what to compare:
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

registry:
  --insecure-registry HOST  allow plain http to HOST (repeatable; loopback always allowed)
  --registry-timeout SECS   abandon and retry a registry request silent for SECS (default 60)
  --username USER           registry user (password from --password-stdin or VERIFY_IMAGE_PASSWORD)
  --password-stdin          read the registry password from standard input

layer bytes:
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

base image:
  --base REF                the base image (default: auto — --dockerfile, labels, annotations; none: skip)
  --dockerfile PATH         the Dockerfile the image was built from, to find its base
  --build-arg NAME=VALUE    a build argument used for the build (repeatable), for ARGs in FROM
  --fail-on LIST            mismatch (default), drift, mismatch,drift or never (verify only)

output:
  --json                    print the JSON report (every value in full) instead of text
  --quiet                   no progress on stderr (on a terminal: one line, updated in place)
  --no-color                no colour (also NO_COLOR=1; FORCE_COLOR=1 colours off a terminal)
  -h, --help                this help
  --version                 the version of verify-image

examples:
  verify-image ghcr.io/me/app:1.2                       the pushed tag is the daemon's app:1.2
  verify-image ghcr.io/me/app:1.2 --local oci-layout:out --platform all --deep
  verify-image ghcr.io/me/app:1.2 --local none --digest sha256:...   the registry side only
  verify-image audit ghcr.io/me/app:1 ghcr.io/me/api:1  has either base moved on?

exit codes: 0 verified, 1 mismatch, 2 could not verify (or bad arguments)
audit: 1 when a base drifted, else 2 when something could not be checked, else 0`;

/** Each option the shared validation (options.ts, the engine) may name, as the CLI's user types it. */
const FLAG_OF: Record<OptionKey, string> = {
  image: 'IMAGE',
  'local-image': '--local',
  digest: '--digest',
  platform: '--platform',
  username: '--username',
  password: '--password-stdin',
  credentials: '--username and --password-stdin',
  'base-image': '--base',
  dockerfile: '--dockerfile',
  'build-args': '--build-arg',
  'fail-on': '--fail-on',
  'registry-timeout': '--registry-timeout',
  'deep-concurrency': '--concurrency',
};

/** The CLI's words for options in messages: its flags (`--base`), where the action says `the base-image input`. */
export const CLI_WORDS: OptionWords = {
  name: (option) => FLAG_OF[option],
  phrase: (option) => FLAG_OF[option],
  setting: (option, value) => `${FLAG_OF[option]} ${value}`,
  cli: true,
};

/** Where a flag's description starts in USAGE: wrapped descriptions continue under it. */
const DESCRIPTION_COLUMN = 28;

/**
 * USAGE for a terminal `width` columns wide. A flag whose lines fit is shown as written; one that
 * does not has its description re-flowed as one paragraph continuing under its own column.
 */
export function usageFor(width: number): string {
  const groups: string[][] = [];
  for (const line of USAGE.split('\n')) {
    const continues = /^ {28}\S/.test(line) && /^ {2}-/.test(groups.at(-1)?.[0] ?? '');
    if (continues) groups.at(-1)?.push(line);
    else groups.push([line]);
  }
  return groups
    .flatMap((group) => {
      if (group.every((line) => displayWidth(line) <= width)) return group;
      const paragraph = group.map((line, i) => (i === 0 ? line : line.trim())).join(' ');
      return wrapLine(paragraph, width, /^ {2}-/.test(paragraph) ? DESCRIPTION_COLUMN : undefined);
    })
    .join('\n');
}

/** The command argv asks for, or one line saying what is wrong with it. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  // A lenient pass first, to name a wrong flag in our words: strict parseArgs would throw a message of Node's.
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec: { type: 'string' | 'boolean' } | undefined = Object.hasOwn(OPTIONS, token.name) ? OPTIONS[token.name as keyof Options] : undefined;
    if (!spec) return usageError(`unknown option ${token.rawName}`);
    // As strict parsing does, a separate value that looks like an option is not taken as one: `--local --deep`.
    if (spec.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) return usageError(`${token.rawName} needs a value`);
    if (spec.type === 'boolean' && token.value !== undefined) return usageError(`${token.rawName} takes no value`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
  } catch {
    // The lenient pass let nothing through that this one refuses; should it differ, still one line.
    return usageError('cannot read the arguments');
  }
  const flags = { ...parsed.values } as CliFlags;
  const positionals = parsed.positionals;
  if (flags.help) return { kind: 'help' };
  if (flags.version) return { kind: 'version' };
  if (positionals[0] === 'audit') {
    return positionals.length < 2 ? usageError('audit needs at least one IMAGE') : { kind: 'audit', images: positionals.slice(1), flags };
  }
  return positionals.length === 1 ? { kind: 'verify', image: positionals[0] as string, flags } : usageError('give exactly one IMAGE');
}

function usageError(problem: string): CliCommand {
  return { kind: 'usage-error', message: `${problem} (see --help)` };
}

/** 0 verified, 1 mismatch (when fail-on has it) or drift (when fail-on has it), 2 could not verify. */
export function verifyExitCode(report: VerifyReport, failOn: { mismatch: boolean; drift: boolean }): number {
  if (report.status === 'error') return 2;
  if (report.status === 'mismatch' && failOn.mismatch) return 1;
  return failOn.drift && report.base?.drift === 'true' ? 1 : 0;
}

/** 1 when any image's base drifted, else 2 when any image or base could not be checked, else 0. */
export function auditExitCode(reports: readonly VerifyReport[]): number {
  if (reports.some((r) => r.base?.drift === 'true')) return 1;
  return reports.every((r) => r.status !== 'error' && r.base?.drift === 'false') ? 0 : 2;
}
