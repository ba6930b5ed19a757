// Content digests: `algorithm:hex` of the exact bytes. We always hash what we received, never a
// re-serialisation, because JSON round-trips change bytes and so change digests.

import { createHash, type Hash } from 'node:crypto';

const NODE_ALGORITHMS: Record<string, string> = { sha256: 'sha256', sha512: 'sha512' };

export function digestAlgorithm(digest: string): string {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  return NODE_ALGORITHMS[algorithm] ? algorithm : 'sha256';
}

export function createDigester(algorithm = 'sha256'): Hash {
  return createHash(NODE_ALGORITHMS[algorithm] ?? 'sha256');
}

/** Digest of bytes, using the same algorithm as `like` (a digest we compare against) when given. */
export function digestOf(bytes: Uint8Array, like?: string): string {
  const algorithm = like ? digestAlgorithm(like) : 'sha256';
  return `${algorithm}:${createDigester(algorithm).update(bytes).digest('hex')}`;
}

/** `sha256:0123456789ab` — enough to tell layers apart in a table. */
export function shortDigest(digest: string | undefined, length = 12): string {
  if (!digest) return '';
  const i = digest.indexOf(':');
  return i < 0 ? digest.slice(0, length) : `${digest.slice(0, i + 1)}${digest.slice(i + 1, i + 1 + length)}`;
}
