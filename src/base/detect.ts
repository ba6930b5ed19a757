// Owns: finding which base image an image declares, who named it, and saying where that came
// from. Who may decide, in this order (the first that names a base wins):
//   1. the user: the base-image input, then the dockerfile input's final FROM;
//   (then BuildKit provenance materials in an index proved to be the user's push: provenance.ts,
//   called by inspect.ts, because choosing among materials needs the registry; provenance in an
//   unproved index is the registry's word and comes after proven labels, before the rest;)
//   2. the build: config labels org.opencontainers.image.base.name/.digest. The config is hashed
//      and bound to the manifest; it is the user's own build's when the run proved it (a local
//      build compared, or the digest input matched). Labels of a config nobody proved are the
//      registry's word, like annotations;
//   3. the registry: the same keys as annotations, on the index first (where regctl and the OCI
//      guidance put them for multi-platform images), then on the platform manifest.
// A name the registry chose is marked `namedBy: 'registry'`: the lookup goes anonymous on any
// other registry (lookup.ts) and the report says it came from the registry. Nothing here talks to
// a registry: annotations and labels come from the image already fetched.

import { readFile } from 'node:fs/promises';
import { VerifyImageError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatPlatform, hostPlatform } from '../oci/platform.js';
import { isValidDigest, parseReference, withDigest, type ImageReference } from '../oci/reference.js';
import type { Platform } from '../oci/types.js';
import type { BaseSource } from '../model/base.js';
import type { RemoteImage } from '../model/image.js';
import { finalBase, parseDockerfile } from './dockerfile.js';

export const BASE_NAME_KEY = 'org.opencontainers.image.base.name';
export const BASE_DIGEST_KEY = 'org.opencontainers.image.base.digest';

export interface BaseOptions {
  /** 'auto' (the default) detects the base, 'none' skips the base check, anything else is the base reference. */
  baseImage?: string;
  /** Path of the Dockerfile the image was built from. */
  dockerfile?: string;
  /** `--build-arg` values used for the build, for ARGs in FROM. */
  buildArgs?: Record<string, string>;
}

/**
 * Who chose the base name: the user (inputs), the verified build (labels of a proved config), or
 * the registry (annotations; labels of a config nobody proved). Decides which credentials a
 * lookup on another registry may use.
 */
export type BaseNamer = 'user' | 'build' | 'registry';

export interface DeclaredBase {
  source: BaseSource;
  /** Where it came from, in words, for the report. */
  from: string;
  /** Who chose the name; absent when no base is named (FROM scratch, none). */
  namedBy?: BaseNamer;
  /** undefined when no base is known or the image is FROM scratch. */
  reference?: ImageReference;
  /** The Dockerfile's final stage is FROM scratch: the image has no base. */
  scratch?: boolean;
}

export type ReadText = (path: string) => Promise<string>;

export interface DetectContext {
  /**
   * The image's config is proved to be the user's build: compared with a local build, or reached
   * through the digest input, and every check passed. Only then are its labels the build's word.
   */
  configBound: boolean;
  readText?: ReadText;
}

/** The image as detection needs it: the platform manifest, its config, and the index annotations when the tag is an index. */
export type DetectImage = Pick<RemoteImage, 'manifest' | 'config' | 'platform' | 'indexAnnotations'>;

/** The declared base, or undefined when the base-image input is `none`. */
export async function detectBase(opts: BaseOptions, image: DetectImage, logger: Logger, context: DetectContext): Promise<DeclaredBase | undefined> {
  const input = (opts.baseImage ?? '').trim();
  if (input.toLowerCase() === 'none') return undefined;
  if (input && input.toLowerCase() !== 'auto') {
    return { source: 'input', namedBy: 'user', from: 'the base-image input', reference: parseBaseReference(input, 'the base-image input') };
  }

  const labels = context.configBound
    ? fromKeys(image.config.config?.Labels, 'config labels', '', logger)
    : fromKeys(image.config.config?.Labels, "the registry's config labels", " (the config was not proved to be the local build's)", logger);
  const annotations =
    fromKeys(image.indexAnnotations, "the registry's annotations", ' on the index', logger) ??
    fromKeys(image.manifest.annotations, "the registry's annotations", ' on the manifest', logger);

  if (opts.dockerfile) {
    const declared = await fromDockerfile(opts.dockerfile, opts.buildArgs ?? {}, image.platform, context.readText ?? ((path) => readFile(path, 'utf8')));
    return withKnownDigest(declared, [labels, annotations]);
  }
  if (labels) return { source: 'label', namedBy: context.configBound ? 'build' : 'registry', ...labels };
  if (annotations) return { source: 'annotation', namedBy: 'registry', ...annotations };

  return {
    source: 'none',
    from: `nothing: no base-image input, no dockerfile input, no ${BASE_NAME_KEY} label or annotation`,
  };
}

/**
 * The Dockerfile names the base but rarely pins it. When a label or annotation names the same
 * repository (and tag) with a digest, that digest says which build of it the image was built on.
 * Taking it is safe whoever wrote it: the host stays the Dockerfile's, and a digest only chooses
 * which base is fetched, hashed and tested as a prefix of the image.
 */
function withKnownDigest(declared: DeclaredBase, candidates: (KeyedBase | undefined)[]): DeclaredBase {
  const ref = declared.reference;
  if (!ref || ref.digest) return declared;
  for (const candidate of candidates) {
    const other = candidate?.reference;
    if (!other?.digest || other.registry !== ref.registry || other.repository !== ref.repository) continue;
    if (other.tag !== undefined && other.tag !== ref.tag) continue;
    return { ...declared, reference: withDigest(ref, other.digest), from: `${declared.from}; the digest from ${candidate?.from}` };
  }
  return declared;
}

function parseBaseReference(text: string, where: string): ImageReference {
  try {
    return parseReference(text);
  } catch (err) {
    if (err instanceof VerifyImageError) throw new VerifyImageError('input', `${where}: ${err.message}`);
    throw err;
  }
}

interface KeyedBase {
  from: string;
  reference: ImageReference;
}

/**
 * base.name (+ base.digest) from annotations or labels; a malformed pair is skipped with a warning.
 * `what` and `suffix` frame the keys in the report: "config labels NAME and DIGEST".
 */
function fromKeys(values: Record<string, unknown> | null | undefined, what: string, suffix: string, logger: Logger): KeyedBase | undefined {
  // Registry JSON: a value that is not a string is as good as absent, never a crash.
  const text = (key: string): string | undefined => {
    const value = values?.[key];
    return typeof value === 'string' ? value.trim() : undefined;
  };
  const name = text(BASE_NAME_KEY);
  const digest = text(BASE_DIGEST_KEY);
  if (!name) {
    if (digest) logger.warning(`${what} ${BASE_DIGEST_KEY}${suffix} is set but ${BASE_NAME_KEY} is not: a digest alone does not say which repository to check, ignoring it`);
    return undefined;
  }
  try {
    let reference = parseReference(name);
    if (digest) {
      if (!isValidDigest(digest)) throw new VerifyImageError('reference', `${BASE_DIGEST_KEY} "${digest.slice(0, 80)}" is not a digest`);
      if (reference.digest && reference.digest !== digest) {
        logger.warning(`${BASE_NAME_KEY} pins ${reference.digest} but ${BASE_DIGEST_KEY} says ${digest}: using ${BASE_DIGEST_KEY}`);
      }
      reference = withDigest(reference, digest);
    }
    return { from: `${what} ${BASE_NAME_KEY}${digest ? ` and ${BASE_DIGEST_KEY}` : ''}${suffix}`, reference };
  } catch (err) {
    if (!(err instanceof VerifyImageError)) throw err;
    logger.warning(`ignoring ${what} ${BASE_NAME_KEY}${suffix}: ${err.message}`);
    return undefined;
  }
}

async function fromDockerfile(path: string, buildArgs: Record<string, string>, platform: Platform, readText: ReadText): Promise<DeclaredBase> {
  let text: string;
  try {
    text = await readText(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new VerifyImageError('input', `cannot read the dockerfile ${path} (${code}): give the path of the Dockerfile the image was built from, relative to the workspace`);
  }
  const base = finalBase(parseDockerfile(text), buildArgs, platformArgs(platform));
  const walked = base.stages.length > 1 ? ` (${['final stage', ...base.stages.slice(1)].join(' → ')})` : '';
  const from = `Dockerfile ${path}, FROM on line ${base.from.line}${walked}`;
  if (base.image === undefined) return { source: 'dockerfile', from, scratch: true };
  return { source: 'dockerfile', namedBy: 'user', from, reference: parseBaseReference(base.image, `the Dockerfile's FROM on line ${base.from.line}`) };
}

/**
 * The platform ARGs BuildKit defines for every build: TARGET* from the image's platform, BUILD*
 * from this machine's (the runner that built it, in the usual workflow).
 */
export function platformArgs(target: Platform, build: Platform = hostPlatform()): Record<string, string> {
  return {
    TARGETPLATFORM: formatPlatform(target),
    TARGETOS: target.os,
    TARGETARCH: target.architecture,
    TARGETVARIANT: target.variant ?? '',
    BUILDPLATFORM: formatPlatform(build),
    BUILDOS: build.os,
    BUILDARCH: build.architecture,
    BUILDVARIANT: build.variant ?? '',
  };
}
