// What a run compared, in words, derived from what actually ran: the report's `compared` list, so
// a pass is never mistaken for more than it is. One list for one platform or many.

import type { LocalTarget } from '../local/source.js';
import type { PlatformReport } from '../model/report.js';
import { isIndex } from '../oci/types.js';
import type { RemoteTop } from '../registry/resolve.js';

export interface ComparisonFacts {
  remote: RemoteTop;
  target?: LocalTarget;
  platforms: readonly PlatformReport[];
  expectedDigest?: string;
  /** Rule attestations ran (the tag holds attestations, or some were required). */
  attestations: boolean;
}

export function describeComparison(facts: ComparisonFacts): string[] {
  const { remote, target, platforms } = facts;
  const fetched = platforms.filter((p) => p.remote).length;
  const compared = [
    isIndex(remote.top.mediaType)
      ? `the registry's index and, for ${fetched} platform(s), each manifest and config, each hashed and checked against its digest`
      : 'the manifest and config fetched from the registry, each hashed and checked against its digest',
  ];
  if (target) {
    const local = platforms.filter((p) => p.local).length;
    const source = target.kind === 'index' ? target.index.source : target.image.source;
    compared.push(`${local} local platform image(s) from ${source}: diff_ids, image IDs and, where the source has them, manifest digests and compressed layer digests`);
    const foundAs = (target.kind === 'index' ? target.index.images[0] : target.image)?.foundAs;
    if (foundAs) compared.push(`the local image was found as ${foundAs}: the daemon knows no image by the name with its digest (podman)`);
    if (platforms.some((p) => p.checks.some((c) => c.rule === 'local-blobs'))) {
      compared.push('every local layer blob hashed (compressed and uncompressed) against the local manifest and config');
    }
    if (target.kind === 'index') compared.push('attestation manifests matched by their vnd.docker.reference.digest subject against the local build: reported, not required');
  } else {
    compared.push('no local image (local-image: none): layers were not compared with a build, each platform checked on the registry side only');
  }
  if (facts.expectedDigest) compared.push(`the registry's digest against the expected digest ${facts.expectedDigest}`);
  compared.push(blobsCompared(platforms));
  if (facts.attestations) {
    compared.push('each attestation manifest and in-toto statement fetched, hashed against its descriptor, and its subject checked against the platform manifest it is attached to');
  }
  return compared;
}

/** What deep verification did, from the platforms it actually ran on. */
export function blobsCompared(platforms: readonly Pick<PlatformReport, 'platform' | 'remote' | 'deep'>[]): string {
  const proved = platforms.filter((p) => p.deep);
  if (proved.length === 0) return 'layer blobs in the registry were not downloaded (set deep: true to hash every layer)';
  const withImage = platforms.filter((p) => p.remote).length;
  const skipped = withImage - proved.length;
  return (
    `every layer blob of ${proved.length} platform image(s) downloaded and hashed: compressed bytes against the manifest's digest and size, uncompressed bytes against the config's diff_id` +
    (skipped > 0 ? `; ${skipped} platform image(s) were not downloaded` : '')
  );
}
