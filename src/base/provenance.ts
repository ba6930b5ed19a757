// Owns: the base an image was built on, read from its SLSA provenance. BuildKit lists every image
// a build used in `materials` as `pkg:docker/<name>@<tag>?platform=…` with the digest it resolved
// (the base's index digest); a multi-stage build lists tool images too, in URI order. Each
// candidate is fetched by its recorded digest for the image's platform, and the one whose diff_ids
// are the longest ordered prefix of the image's is the built-on base. Only statements bound to the
// push by rule attestations (subject = this platform's manifest) are given here. The statement's
// subject is written by whoever can write the registry: proving the config does not prove the
// attestation. Its names are the build's word only when the top-level index that holds it is
// proved to be the user's push (provenanceProved); otherwise they are the registry's word, rank
// below proven labels (inspect.ts) and get no stored credentials on another registry.

import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { LocalTarget } from '../local/source.js';
import type { Material } from '../oci/in-toto.js';
import { formatReference, parseReference, withDigest, type ImageReference } from '../oci/reference.js';
import type { RemoteImage } from '../model/image.js';
import { isPrefix } from './attribute.js';
import type { BaseNamer, DeclaredBase } from './detect.js';
import type { BaseLookup } from './lookup.js';

/** `pkg:docker/NAME@VERSION?qualifiers` as a reference pinned to `digest`; undefined when it is not one. */
export function materialReference(material: Material): ImageReference | undefined {
  const match = /^pkg:docker\/([^?#]+)/.exec(material.uri);
  if (!match?.[1]) return undefined;
  const path = match[1];
  const at = path.lastIndexOf('@');
  let name: string;
  let version: string | undefined;
  try {
    name = decodeURIComponent(at >= 0 ? path.slice(0, at) : path);
    version = at >= 0 ? decodeURIComponent(path.slice(at + 1)) : undefined;
  } catch {
    return undefined;
  }
  const text = version === undefined ? name : version.includes(':') ? `${name}@${version}` : `${name}:${version}`;
  try {
    const ref = parseReference(text);
    // The digest BuildKit resolved is what the build used; a version digest that disagrees is not this material.
    if (ref.digest && ref.digest !== material.digest) return undefined;
    return withDigest(ref, material.digest);
  } catch {
    return undefined;
  }
}

/**
 * Whether the top-level index `indexDigest` (the one the attestations were read from) is proved to
 * be the user's push: the digest input names it (build-push-action's `digest` output is the index
 * digest), or the local build's index digest is it (a containerd-store image ID, a local OCI
 * layout's or archive's nested index). Only then is the provenance inside it the build's word.
 * `verified`: every check of the run passed (the same bar as labels, detect.ts).
 */
export function provenanceProved(indexDigest: string | undefined, expectedDigest: string | undefined, target: LocalTarget | undefined, verified: boolean): boolean {
  if (!verified || !indexDigest) return false;
  if (expectedDigest === indexDigest) return true;
  if (target?.kind === 'index') return target.index.digest === indexDigest;
  return target?.kind === 'image' && target.image.idKind === 'manifest' && target.image.id === indexDigest;
}

/** The material whose layers start the image's, the longest; undefined when none does (or none could be fetched). */
export async function baseFromProvenance(
  image: RemoteImage,
  materials: readonly Material[],
  lookup: BaseLookup,
  namedBy: BaseNamer,
  logger: Logger,
): Promise<DeclaredBase | undefined> {
  const imageDiffIds = image.config.rootfs.diff_ids;
  let best: { ref: ImageReference; layers: number } | undefined;
  const seen = new Set<string>();
  for (const material of materials) {
    const ref = materialReference(material);
    if (!ref) continue;
    const key = formatReference(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      const candidate = await lookup.resolve(ref, image.platform, namedBy);
      const layers = candidate.config.rootfs.diff_ids;
      if (layers.length > 0 && isPrefix(layers, imageDiffIds) && (!best || layers.length > best.layers)) best = { ref, layers: layers.length };
    } catch (err) {
      logger.info(`provenance material ${key} could not be fetched, not a base candidate: ${describeError(err)}`);
    }
  }
  if (!best) return undefined;
  const from = namedBy === 'registry' ? "the registry's provenance (materials) (its index was not proved to be the user's push)" : 'provenance (materials)';
  return { source: 'provenance', namedBy, from, reference: best.ref };
}
