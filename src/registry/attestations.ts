// BuildKit's attestation manifests in a pushed index, read: each manifest fetched by digest (the
// client checks its bytes against the index entry), each in-toto layer read whole under a size
// cap, hashed against its descriptor and decoded with Go's rules (strict-json.ts) before anything
// in it is believed. What could not be read becomes a problem the `attestations` rule fails on;
// only a registry we cannot reach at all ends the run.

import { VerifyImageError } from '../errors.js';
import { IN_TOTO_MEDIA_TYPE, REFERENCE_DIGEST, STATEMENT_CAP, summarizeStatement, type StatementSummary } from '../oci/in-toto.js';
import { decodeDocument } from '../oci/strict-json.js';
import { isIndex, type Descriptor, type ImageManifest } from '../oci/types.js';
import type { RegistryClient } from './client.js';

export interface AttestationRead {
  /** The attestation manifest's digest, as its index entry names it. */
  digest: string;
  /** `vnd.docker.reference.digest`: the platform manifest it says it is attached to. */
  attachedTo?: string;
  statements: StatementSummary[];
  /** Why it could not be read or believed; the rule fails on it. */
  problem?: string;
}

export async function readAttestations(client: RegistryClient, entries: readonly Descriptor[]): Promise<AttestationRead[]> {
  const reads: AttestationRead[] = [];
  for (const entry of entries) reads.push(await readAttestation(client, entry));
  return reads;
}

async function readAttestation(client: RegistryClient, entry: Descriptor): Promise<AttestationRead> {
  const attached = entry.annotations?.[REFERENCE_DIGEST];
  const read: AttestationRead = { digest: entry.digest, ...(typeof attached === 'string' ? { attachedTo: attached } : {}), statements: [] };
  try {
    const manifest = await client.getManifest(entry.digest, entry);
    if (isIndex(manifest.mediaType)) {
      read.problem = `attestation ${entry.digest} is an index, not an attestation manifest`;
      return read;
    }
    for (const layer of (manifest.body as ImageManifest).layers) {
      if (layer.mediaType !== IN_TOTO_MEDIA_TYPE) continue;
      const what = `in-toto statement ${layer.digest} of attestation ${entry.digest}`;
      const bytes = await client.getSmallBlob(layer, STATEMENT_CAP, 'in-toto statement', 'a statement this action reads');
      const summary = summarizeStatement(decodeDocument<unknown>(bytes, 'in-toto statement', what, 'protocol'));
      if (typeof summary === 'string') {
        read.problem = `${what}: ${summary}`;
        return read;
      }
      const declared = layer.annotations?.['in-toto.io/predicate-type'];
      if (typeof declared === 'string' && declared !== summary.predicateType) {
        read.problem = `${what} is annotated as ${declared} but its predicateType is ${summary.predicateType}`;
        return read;
      }
      read.statements.push(summary);
    }
  } catch (err) {
    // Bytes that do not hash, an oversized or undecodable statement: this attestation is not to be believed.
    if (!(err instanceof VerifyImageError) || !['integrity', 'protocol', 'unsupported', 'not-found'].includes(err.code)) throw err;
    read.problem = err.message;
  }
  return read;
}
