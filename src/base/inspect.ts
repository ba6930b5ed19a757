// Owns: the base-image step of a verification, as the engine calls it: detect the declared base,
// check it against the registry, and mark the report's layer rows and history with their origin.
// Bad inputs (an unreadable Dockerfile, an invalid base reference) throw, like every input error;
// a base that cannot be reached is reported as unknown and never fails the verification itself.

import type { Logger } from '../log.js';
import type { BaseReport } from '../model/base.js';
import type { LayerRow } from '../model/report.js';
import type { RemoteImage } from '../model/image.js';
import { attributeHistory, attributeLayers } from './attribute.js';
import type { Material } from '../oci/in-toto.js';
import { detectBase, type BaseOptions } from './detect.js';
import { baseFromProvenance } from './provenance.js';
import { checkBase } from './drift.js';
import { BaseRegistry, type BaseLookup } from './lookup.js';
import type { RegistrySessions } from '../registry/session.js';

/**
 * @param configBound the run proved the image's config is the user's build (a local build or the
 *   digest input matched), so its labels may name a base as the user's word (detect.ts).
 * @param materials container images from provenance bound to this platform's manifest (rule
 *   attestations); without base inputs the one whose layers start the image is the base.
 * @param provenanceProved the top-level index holding that provenance is proved to be the user's
 *   push (provenance.ts provenanceProved). Only then do materials rank above proven labels and
 *   name the base as the build; otherwise they are the registry's word, below proven labels.
 */
export async function inspectBase(
  opts: BaseOptions,
  image: RemoteImage,
  rows: LayerRow[],
  lookup: BaseLookup,
  logger: Logger,
  configBound: boolean,
  materials: readonly Material[] = [],
  provenanceProved = false,
): Promise<BaseReport | undefined> {
  // Precedence: inputs (base-image, dockerfile), then proved provenance, then proven labels, then
  // unproved provenance, then unproved labels and annotations.
  const input = (opts.baseImage ?? '').trim().toLowerCase();
  const fromInputs = (input !== '' && input !== 'auto') || Boolean(opts.dockerfile);
  const useMaterials = !fromInputs && materials.length > 0;
  let declared = useMaterials && provenanceProved ? await baseFromProvenance(image, materials, lookup, 'build', logger) : undefined;
  declared ??= await detectBase(opts, image, logger, { configBound });
  if (!declared) return undefined;
  if (useMaterials && !provenanceProved && !(declared.source === 'label' && declared.namedBy === 'build')) {
    declared = (await baseFromProvenance(image, materials, lookup, 'registry', logger)) ?? declared;
  }
  const { base, attribution } = await checkBase(image, declared, lookup);
  if (attribution) {
    attributeLayers(rows, attribution.layers, attribution.exact);
    base.history = attributeHistory(image.config, attribution.config, attribution.layers, attribution.exact);
  }
  logger.info(`base ${base.reference ?? '(none)'} from ${base.from}: ${base.status} — ${base.message}`);
  if (base.status === 'not-built-on' || (base.status === 'unknown' && base.error)) logger.warning(base.message);
  return base;
}

/**
 * A lookup for one run; the credentials given as inputs go only to the checked images' registries,
 * and a base the registry named gets no credentials on any other (lookup.ts).
 */
export function baseLookupFor(
  inputs: { insecureRegistries: readonly string[]; registryTimeoutMs?: number; env?: NodeJS.ProcessEnv; username?: string; password?: string; sessions?: RegistrySessions },
  registries: readonly string[],
  logger: Logger,
): BaseRegistry {
  return new BaseRegistry({
    insecureRegistries: inputs.insecureRegistries,
    registryTimeoutMs: inputs.registryTimeoutMs,
    env: inputs.env,
    logger,
    sessions: inputs.sessions,
    inputCredential: { username: inputs.username, password: inputs.password, registries },
  });
}
