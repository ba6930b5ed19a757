// The only reader of action inputs: each is read once, validated, and turned into the typed
// object the engine takes. Bad values become one-line errors that say what to write instead.

import * as core from './runner.js';
import { VerifyImageError } from './errors.js';
import { parseBaseImage, parseBoolean, parseBuildArgs, parseConcurrency, parseDigest, parseFailOn, parseEfficiencyGate, parseList, MAX_CONCURRENCY, parsePlatformsExpected, parseRegistryTimeout, parseRequireAttestations, type FailOn } from './options.js';
import type { RunInputs } from './run.js';
import type { LayerCache } from './verify/cache.js';
import { openToolCache } from './verify/cache-toolcache.js';

export interface ActionInputs extends RunInputs {
  /** Every reference in the image input (one per line); more than one is audit mode. */
  images: string[];
  failOn: FailOn;
  summary: boolean;
}

export function readInputs(): ActionInputs {
  const images = parseList(core.getInput('image'));
  const image = images[0];
  if (!image) throw new VerifyImageError('input', 'the image input is required: set it to the pushed reference, e.g. ghcr.io/acme/app:1.4.0');
  const password = core.getInput('password');
  // Masked before anything else can print it.
  if (password) core.setSecret(password);
  return checkAudit({
    image,
    images,
    localImage: optional(core.getInput('local-image')),
    digest: parseDigest(core.getInput('digest')),
    platform: optional(core.getInput('platform')),
    username: optional(core.getInput('username')),
    password: password || undefined,
    insecureRegistries: parseList(core.getInput('insecure-registries')),
    registryTimeoutMs: parseRegistryTimeout(core.getInput('registry-timeout')),
    failOn: parseFailOn(core.getInput('fail-on')),
    summary: parseBoolean('summary', core.getInput('summary'), true),
    ...deepInputs(),
    baseImage: parseBaseImage(core.getInput('base-image')),
    dockerfile: optional(core.getInput('dockerfile')),
    buildArgs: parseBuildArgs(core.getInput('build-args')),
    platformsExpected: parsePlatformsExpected('platforms-expected', core.getInput('platforms-expected')),
    requireAttestations: parseRequireAttestations('require-attestations', core.getInput('require-attestations')),
  });
}

/** Several images are audited from the registry only; a local image or one digest cannot apply to all. */
function checkAudit(inputs: ActionInputs): ActionInputs {
  if (inputs.images.length > 1 && inputs.localImage !== 'none') {
    throw new VerifyImageError('input', `the image input lists ${inputs.images.length} images, which audits them from the registry only: set local-image: none`);
  }
  if (inputs.images.length > 1 && inputs.digest) {
    throw new VerifyImageError('input', 'the digest input applies to one image, but the image input lists several: remove digest or list one image');
  }
  if (inputs.images.length > 1 && inputs.deep) {
    throw new VerifyImageError('input', 'deep applies to verifying one image, but the image input lists several (an audit of base drift): remove deep or list one image');
  }
  if (inputs.images.length > 1 && inputs.platformsExpected) {
    throw new VerifyImageError('input', 'platforms-expected applies to verifying one image, but the image input lists several: remove platforms-expected or list one image');
  }
  return inputs;
}

function deepInputs(): Pick<RunInputs, 'deep' | 'deepConcurrency' | 'layerCache' | 'efficiency'> {
  const deep = parseBoolean('deep', core.getInput('deep'), false);
  const cache = parseBoolean('cache', core.getInput('cache'), false);
  const deepConcurrency = parseConcurrency('deep-concurrency', core.getInput('deep-concurrency'), MAX_CONCURRENCY);
  let layerCache: LayerCache | undefined;
  if (cache && !deep) {
    core.warning('cache: true has no effect without deep: true (only deep verification downloads layers)');
  } else if (cache) {
    const opened = openToolCache();
    if ('unavailable' in opened) core.warning(`cache: true, but ${opened.unavailable}: verifying every layer without the cache`);
    else layerCache = opened;
  }
  const efficiency = parseEfficiencyGate(
    {
      maxWastedBytes: core.getInput('max-wasted-bytes'),
      maxWastedPercent: core.getInput('max-wasted-percent'),
      minWastedBytes: core.getInput('min-wasted-bytes'),
      minEfficiency: core.getInput('min-efficiency'),
    },
    deep,
    (name) => name,
    'deep: true',
  );
  return { deep, deepConcurrency, layerCache, efficiency };
}

function optional(value: string): string | undefined {
  const v = value.trim();
  return v ? v : undefined;
}
