// Owns: finding which base image an image declares, and saying where that came from. The first
// source that applies wins: the base-image input; the OCI base annotations on the manifest; the
// same keys as config labels; the final stage of the Dockerfile; else none. Nothing here talks
// to a registry: annotations and labels come from the image already fetched.

import { readFile } from 'node:fs/promises';
import { VerifyImageError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatPlatform, hostPlatform } from '../oci/platform.js';
import { isValidDigest, parseReference, withDigest, type ImageReference } from '../oci/reference.js';
import type { Platform } from '../oci/types.js';
import type { BaseSource } from '../report/model-base.js';
import type { RemoteImage } from '../verify/rules.js';
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

export interface DeclaredBase {
  source: BaseSource;
  /** Where it came from, in words, for the report. */
  from: string;
  /** undefined when no base is known or the image is FROM scratch. */
  reference?: ImageReference;
  /** The Dockerfile's final stage is FROM scratch: the image has no base. */
  scratch?: boolean;
}

export type ReadText = (path: string) => Promise<string>;

/** The declared base, or undefined when the base-image input is `none`. */
export async function detectBase(
  opts: BaseOptions,
  image: RemoteImage,
  logger: Logger,
  readText: ReadText = (path) => readFile(path, 'utf8'),
): Promise<DeclaredBase | undefined> {
  const input = (opts.baseImage ?? '').trim();
  if (input.toLowerCase() === 'none') return undefined;
  if (input && input.toLowerCase() !== 'auto') {
    return { source: 'input', from: 'the base-image input', reference: parseBaseReference(input, 'the base-image input') };
  }

  const annotations = image.manifest.annotations ?? {};
  const fromAnnotations = fromKeys(annotations, `manifest annotations ${BASE_NAME_KEY}`, logger);
  if (fromAnnotations) return { source: 'annotation', ...fromAnnotations };

  const labels = image.config.config?.Labels ?? {};
  const fromLabels = fromKeys(labels, `config labels ${BASE_NAME_KEY}`, logger);
  if (fromLabels) return { source: 'label', ...fromLabels };

  if (opts.dockerfile) return fromDockerfile(opts.dockerfile, opts.buildArgs ?? {}, image.platform, readText);

  return {
    source: 'none',
    from: `nothing: no base-image input, no ${BASE_NAME_KEY} annotation or label, no dockerfile input`,
  };
}

function parseBaseReference(text: string, where: string): ImageReference {
  try {
    return parseReference(text);
  } catch (err) {
    if (err instanceof VerifyImageError) throw new VerifyImageError('input', `${where}: ${err.message}`);
    throw err;
  }
}

/** base.name (+ base.digest) from annotations or labels; a malformed pair is skipped with a warning. */
function fromKeys(values: Record<string, string>, where: string, logger: Logger): { from: string; reference: ImageReference } | undefined {
  const name = values[BASE_NAME_KEY]?.trim();
  const digest = values[BASE_DIGEST_KEY]?.trim();
  if (!name) {
    if (digest) logger.warning(`${where.replace(BASE_NAME_KEY, BASE_DIGEST_KEY)} is set but ${BASE_NAME_KEY} is not: a digest alone does not say which repository to check, ignoring it`);
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
    return { from: digest ? `${where} and ${BASE_DIGEST_KEY}` : where, reference };
  } catch (err) {
    if (!(err instanceof VerifyImageError)) throw err;
    logger.warning(`ignoring the ${where}: ${err.message}`);
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
  return { source: 'dockerfile', from, reference: parseBaseReference(base.image, `the Dockerfile's FROM on line ${base.from.line}`) };
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
