// The local build as the Docker daemon holds it: `docker inspect` through the Engine API.
// The classic store's Id is the config digest; the containerd store's Id is a manifest or index
// digest, so we ask /info which store is in use rather than guess from the Id.

import { VerifyImageError } from '../errors.js';
import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import type { Platform } from '../oci/types.js';
import { apiAtLeast, DockerEngine, usesContainerdStore } from './engine.js';
import type { LocalImage } from './source.js';

export async function inspectDaemonImage(name: string, engine: DockerEngine, platform?: Platform): Promise<LocalImage> {
  const version = await engine.version();
  const containerd = usesContainerdStore(await engine.info());
  const query: Record<string, string> = {};
  // Only the containerd store holds several platforms under one name; ask for ours when the API can.
  if (containerd && platform && apiAtLeast(version, '1.49')) {
    query.platform = JSON.stringify(normalizePlatform(platform));
  }
  const image = await engine.inspectImage(name, query);
  if (!image) {
    throw new VerifyImageError(
      'not-found',
      `local image "${name}" not found in the Docker daemon at ${engine.host}: build or load it first (build-push-action needs load: true), set local-image to the local tag, or set local-image: none`,
    );
  }
  const diffIds = image.RootFS?.Layers ?? [];
  if (diffIds.length === 0) {
    throw new VerifyImageError('local', `local image "${name}" reports no layers (RootFS.Layers is empty); the daemon cannot tell what it is built from`);
  }
  const localPlatform = normalizePlatform({ os: image.Os, architecture: image.Architecture, variant: image.Variant || undefined });
  return {
    reference: name,
    source: `Docker daemon ${engine.host} (${containerd ? 'containerd image store' : 'classic image store'}, API ${version}, platform ${formatPlatform(localPlatform)})`,
    id: image.Id,
    idKind: containerd ? 'manifest' : 'config',
    diffIds,
    platform: localPlatform,
    repoDigests: image.RepoDigests ?? [],
  };
}
