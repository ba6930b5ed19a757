// Owns: audit mode — the registry side and the base of many images, for a scheduled workflow.
// Each image is checked by the same engine as a single one (run), with no local image, and its
// result is independent: one unreachable image is reported and the others are still audited.
// A bounded number of images is in flight at once; each one's requests are sequential, so that
// bound is also the number of requests in flight. Base lookups and registry sessions (one ping,
// one credential lookup, one token per repository, whether the referrers API exists) are shared
// across images, so an image whose base has not moved costs its manifest, its config and one
// referrers request. cosign's .sig/.att/.sbom tags (three more requests each) are looked up only
// when attestations are required: an audit is about base drift, and what those tags hold
// decides no check (referrers are presence only).

import type { Logger } from './log.js';
import { parseReference } from './oci/reference.js';
import type { VerifyReport } from './model/report.js';
import { run, type RunInputs } from './run.js';
import { baseLookupFor } from './base/inspect.js';
import { RegistrySessions } from './registry/session.js';

export const AUDIT_CONCURRENCY = 4;

export async function auditImages(
  images: readonly string[],
  inputs: Omit<RunInputs, 'image'>,
  logger: Logger,
  concurrency = AUDIT_CONCURRENCY,
): Promise<VerifyReport[]> {
  const unique = [...new Set(images)];
  const registries = unique.flatMap((image) => {
    try {
      return [parseReference(image).registry];
    } catch {
      return []; // run() reports the malformed reference for that image
    }
  });
  const sessions = new RegistrySessions({ ...inputs, logger });
  const bases = baseLookupFor({ ...inputs, sessions }, [...new Set(registries)], logger);
  const cosignTags = inputs.cosignTags ?? (inputs.requireAttestations?.length ?? 0) > 0;
  const reports: VerifyReport[] = new Array<VerifyReport>(unique.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length) {
      const i = next++;
      const image = unique[i] as string;
      reports[i] = await run({ ...inputs, image, localImage: 'none', digest: undefined, cosignTags }, prefixed(logger, image), { bases, registries: sessions });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, unique.length)) }, worker));
  logger.info(`audited ${unique.length} images with ${bases.lookups} base lookups over ${sessions.size} registry session(s)`);
  return reports;
}

/** Log lines of concurrent images interleave; each says which image it is about. */
function prefixed(logger: Logger, image: string): Logger {
  return {
    info: (m) => logger.info(`[${image}] ${m}`),
    warning: (m) => logger.warning(`[${image}] ${m}`),
    debug: (m) => logger.debug(`[${image}] ${m}`),
    secret: (s) => logger.secret(s),
  };
}
