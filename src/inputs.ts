// The only reader of action inputs: each is read once, validated, and turned into the typed
// object the engine takes. Bad values become one-line errors that say what to write instead.

import * as core from '@actions/core';
import { VerifyImageError } from './errors.js';
import { parseBoolean, parseConcurrency, parseDigest, parseFailOn, parseList, type FailOn } from './options.js';
import type { RunInputs } from './run.js';
import type { LayerCache } from './verify/cache.js';
import { openToolCache } from './verify/cache-toolcache.js';
import { MAX_CONCURRENCY } from './verify/deep.js';

export interface ActionInputs extends RunInputs {
  failOn: FailOn;
  summary: boolean;
}

export function readInputs(): ActionInputs {
  const image = core.getInput('image').trim();
  if (!image) throw new VerifyImageError('input', 'the image input is required: set it to the pushed reference, e.g. ghcr.io/acme/app:1.4.0');
  const password = core.getInput('password');
  // Masked before anything else can print it.
  if (password) core.setSecret(password);
  return {
    image,
    localImage: optional(core.getInput('local-image')),
    digest: parseDigest(core.getInput('digest')),
    platform: optional(core.getInput('platform')),
    username: optional(core.getInput('username')),
    password: password || undefined,
    insecureRegistries: parseList(core.getInput('insecure-registries')),
    failOn: parseFailOn(core.getInput('fail-on')),
    summary: parseBoolean('summary', core.getInput('summary'), true),
    ...deepInputs(),
  };
}

function deepInputs(): Pick<RunInputs, 'deep' | 'deepConcurrency' | 'layerCache'> {
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
  return { deep, deepConcurrency, layerCache };
}

function optional(value: string): string | undefined {
  const v = value.trim();
  return v ? v : undefined;
}
