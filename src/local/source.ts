// What the verifier knows about the local build, whatever it came from. Sources (today the
// Docker daemon) fill this in; the verifier never asks where an image came from.

import type { Platform } from '../oci/types.js';

export interface LocalImage {
  /** How the user named it (`local-image` input or the image reference). */
  reference: string;
  /** Where it came from, for the report: `Docker daemon (classic store)`. */
  source: string;
  /** The image ID as the source reports it. */
  id: string;
  /** What `id` is the digest of: the config (classic store) or a manifest/index (containerd store). */
  idKind: 'config' | 'manifest';
  /** Uncompressed layer digests, in order. */
  diffIds: string[];
  platform: Platform;
  /** `repo@digest` entries the source knows; informational (the containerd store makes them up locally). */
  repoDigests: string[];
}
