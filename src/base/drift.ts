// Owns: deciding whether an image is built on what its base tag points to now. Given the declared
// base and a registry lookup, it finds the base the image was built on (when its digest is
// known) and the base the tag serves today, tests each one's diff_ids as an ordered prefix of the
// image's, and says up to date / drifted / not built on it / unknown, with dates and ages.
// Every verdict rests on hashes we computed: what the tag points to is the hash of the manifest
// bytes a GET returned, never a HEAD's Docker-Content-Digest header alone.
// Every request goes through BaseLookup, so this logic runs against a fake in unit tests.

import { describeError } from '../errors.js';
import { formatPlatform } from '../oci/platform.js';
import { formatReference, withDigest, type ImageReference } from '../oci/reference.js';
import type { ImageConfig } from '../oci/types.js';
import type { BaseImageFacts, BaseReport } from '../model/base.js';
import type { RemoteImage } from '../model/image.js';
import { isPrefix, leadingMatch, sameRecipe } from './attribute.js';
import type { BaseNamer, DeclaredBase } from './detect.js';
import type { BaseLookup } from './lookup.js';

export interface Attribution {
  /** Leading image layers that are the base's. */
  layers: number;
  /** False when `layers` is only a lower bound (a drifted base whose old version is unknown). */
  exact: boolean;
  /** The base config the layers were matched against, for history attribution. */
  config?: ImageConfig;
}

export interface BaseCheck {
  base: BaseReport;
  attribution?: Attribution;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const NO_BASE_MESSAGE =
  'no base image is known: set the base-image input (e.g. node:22-alpine, optionally pinned as node:22-alpine@sha256:…), ' +
  'point the dockerfile input at the Dockerfile, or label the image with org.opencontainers.image.base.name and org.opencontainers.image.base.digest';

export async function checkBase(image: RemoteImage, declared: DeclaredBase, lookup: BaseLookup, now: Date = new Date()): Promise<BaseCheck> {
  const found = declared.scratch || !declared.reference ? undefined : await fetchBaseImages(image, declared.reference, declared.namedBy ?? 'registry', lookup);
  return classifyBase(image, declared, found, now);
}

/** What the registry says about a declared base: the image it was built on (by digest) and what its tag points to now. */
export interface BaseImages {
  /** The base the image was built on, fetched by the declared digest; undefined when no digest or not fetchable. */
  builtOn?: RemoteImage;
  /** The platform image the tag points to now; the built-on base itself when the tag has not moved. */
  current?: RemoteImage;
  /** The digest the tag points to now: the hash of the manifest bytes a GET returned. */
  tagDigest?: string;
  /** Why a lookup failed, one line each. */
  problems: string[];
}

/**
 * The lookups, and nothing else: the built-on base when the digest is known, then what the tag
 * points to now — with a known digest, the hash of the tag's manifest first, and the platform image
 * behind it only when that is not the built-on base.
 */
export async function fetchBaseImages(image: RemoteImage, ref: ImageReference, namedBy: BaseNamer, lookup: BaseLookup): Promise<BaseImages> {
  const name = `${ref.registry}/${ref.repository}`;
  const found: BaseImages = { problems: [] };
  if (ref.digest) {
    try {
      found.builtOn = await lookup.resolve(ref, image.platform, namedBy);
    } catch (err) {
      found.problems.push(`the base it was built on, ${name}@${ref.digest}, could not be fetched: ${describeError(err)}`);
    }
  }
  if (ref.tag === undefined) {
    found.problems.push(`${formatReference(ref)} is pinned by digest only, so there is no tag to compare with: give it as name:tag@sha256:…`);
    return found;
  }
  const tagRef: ImageReference = { registry: ref.registry, apiHost: ref.apiHost, repository: ref.repository, tag: ref.tag };
  try {
    if (ref.digest) {
      found.tagDigest = await lookup.tagDigest(tagRef, namedBy);
      const builtOn = found.builtOn;
      if (builtOn && (found.tagDigest === builtOn.indexDigest || found.tagDigest === builtOn.manifestDigest)) found.current = builtOn;
      else if (found.tagDigest !== ref.digest) found.current = await lookup.resolve(withDigest(tagRef, found.tagDigest), image.platform, namedBy);
    } else {
      found.current = await lookup.resolve(tagRef, image.platform, namedBy);
      found.tagDigest = found.current.indexDigest ?? found.current.manifestDigest;
    }
  } catch (err) {
    found.problems.push(`${name}:${ref.tag} could not be fetched: ${describeError(err)}`);
  }
  return found;
}

/**
 * The drift verdict, pure: from the declared base and what the lookups found, whether the image is
 * built on the base (its layers an ordered prefix of the image's), and whether the tag moved since.
 */
export function classifyBase(image: RemoteImage, declared: DeclaredBase, found: BaseImages | undefined, now: Date): BaseCheck {
  const base: BaseReport = { status: 'none', drift: 'unknown', source: declared.source, from: declared.from, message: NO_BASE_MESSAGE };
  if (declared.scratch) {
    base.drift = 'false';
    base.layers = 0;
    base.message = 'the final stage is FROM scratch: the image has no base image, so there is nothing to drift';
    return { base, attribution: { layers: 0, exact: true } };
  }
  const ref = declared.reference;
  if (!ref || !found) return { base };

  base.reference = formatReference(ref);
  // Fail safe: a base whose namer is not known is treated as the registry's choice.
  if ((declared.namedBy ?? 'registry') === 'registry') base.namedByRegistry = true;
  const name = `${ref.registry}/${ref.repository}`;
  const platform = formatPlatform(image.platform);
  const imageDiffIds = image.config.rootfs.diff_ids;
  const { builtOn, current, tagDigest, problems } = found;
  if (ref.digest) base.builtOn = builtOn ? facts(builtOn, ref.digest) : { digest: ref.digest };
  if (tagDigest !== undefined) base.current = current ? facts(current, tagDigest) : { digest: tagDigest };

  const builtOnPrefix = builtOn ? isPrefix(builtOn.config.rootfs.diff_ids, imageDiffIds) : undefined;
  const currentLayers = current?.config.rootfs.diff_ids;
  const matching = currentLayers ? leadingMatch(currentLayers, imageDiffIds) : undefined;
  const currentPrefix = currentLayers ? isPrefix(currentLayers, imageDiffIds) : undefined;
  if (matching !== undefined) base.matchingLayers = matching;
  if (problems.length) base.error = problems.join('; ');

  let attribution: Attribution | undefined;
  if (builtOn && builtOnPrefix) attribution = { layers: builtOn.config.rootfs.diff_ids.length, exact: true, config: builtOn.config };
  else if (current && currentPrefix) attribution = { layers: current.config.rootfs.diff_ids.length, exact: true, config: current.config };
  if (attribution) base.layers = attribution.layers;

  const short = (d: string | undefined) => (d ? d.slice(0, 19) : '?');
  if (builtOn && builtOnPrefix === false) {
    const n = builtOn.config.rootfs.diff_ids.length;
    const k = leadingMatch(builtOn.config.rootfs.diff_ids, imageDiffIds);
    base.status = 'not-built-on';
    base.message = `the image was not built on ${name}@${ref.digest}: that base's ${n} ${platform} layers are not the first ${n} of the image's ${imageDiffIds.length} (${k} match)`;
    if (currentPrefix) base.message += `; its layers do start with what ${name}:${ref.tag} points to now, so the declared digest is wrong`;
  } else if (builtOn && builtOnPrefix && tagDigest !== undefined && tagDigest === ref.digest) {
    // Up to date only when the built-on base was fetched, hashed and found to start the image, and
    // the tag's manifest bytes hash to its digest: a digest header and a label prove nothing alone.
    base.status = 'up-to-date';
    base.message = `${name}:${ref.tag} still points to ${short(tagDigest)} (the hash of the manifest it serves), the base the image was built on`;
  } else if (current && currentPrefix) {
    const n = currentLayers?.length ?? 0;
    base.status = 'up-to-date';
    base.message = `built on the current ${name}:${ref.tag}: the base's ${n} ${platform} layers are the image's first ${n}`;
    if (ref.digest && tagDigest !== ref.digest) {
      base.message += ` (the tag now points to ${short(tagDigest)}, not ${short(ref.digest)}, but with the same layers)`;
    }
  } else if (current) {
    const n = currentLayers?.length ?? 0;
    const related = builtOnPrefix === true || (matching ?? 0) > 0 || sameRecipe(current.config.history, image.config.history);
    if (related) {
      base.status = 'drifted';
      if (!attribution) attribution = { layers: matching ?? 0, exact: false };
      base.message =
        `${name}:${ref.tag} has moved on since the image was built` +
        (builtOn ? ` on ${short(ref.digest)}: it now points to ${short(tagDigest)}` : '') +
        `, and only ${matching} of its ${n} ${platform} layers still match the image's first layers: rebuild the image on the new base`;
    } else {
      base.status = 'not-built-on';
      base.message =
        `the image was not built on ${name}:${ref.tag}: none of the base's ${n} ${platform} layers or build steps start the image` +
        ` (if it was built on an older ${name}:${ref.tag}, give the digest it was built on: ${name}:${ref.tag}@sha256:…)`;
    }
  } else {
    base.status = 'unknown';
    base.message = `could not tell whether ${name}${ref.tag ? `:${ref.tag}` : ''} has moved on: ${problems.join('; ') || 'no current base'}`;
  }
  base.drift = base.status === 'drifted' ? 'true' : base.status === 'up-to-date' ? 'false' : 'unknown';
  if (base.status === 'drifted') addDriftAges(base, now);
  return attribution ? { base, attribution } : { base };
}

/** How far behind the built-on base is, and how long a newer base has been out, in whole days. */
function addDriftAges(base: BaseReport, now: Date): void {
  const builtOnCreated = dateOf(base.builtOn?.created);
  const currentCreated = dateOf(base.current?.created);
  if (builtOnCreated !== undefined && currentCreated !== undefined && currentCreated >= builtOnCreated) {
    base.behindDays = Math.floor((currentCreated - builtOnCreated) / DAY_MS);
  }
  if (currentCreated !== undefined && now.getTime() >= currentCreated) base.driftAgeDays = Math.floor((now.getTime() - currentCreated) / DAY_MS);
}

function facts(image: RemoteImage, digest: string): BaseImageFacts {
  const f: BaseImageFacts = {
    digest,
    manifestDigest: image.manifestDigest,
    configDigest: image.configDigest,
    layers: image.config.rootfs.diff_ids.length,
  };
  if (image.indexDigest) f.indexDigest = image.indexDigest;
  if (image.config.created) f.created = image.config.created;
  return f;
}

/** A config date as epoch ms; reproducible builds' epoch-zero dates say nothing, so they count as unknown. */
function dateOf(created: string | undefined): number | undefined {
  if (!created) return undefined;
  const ms = Date.parse(created);
  return Number.isFinite(ms) && ms > DAY_MS ? ms : undefined;
}
