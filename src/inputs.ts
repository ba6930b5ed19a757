// The only reader of action inputs: each is read once, validated, and turned into the typed
// object the engine takes. Bad values become one-line errors that say what to write instead.

import * as core from '@actions/core';
import { VerifyImageError } from './errors.js';
import { parseBoolean, parseDigest, parseFailOn, parseList, parseRegistryTimeout, type FailOn } from './options.js';
import type { RunInputs } from './run.js';

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
    registryTimeoutMs: parseRegistryTimeout(core.getInput('registry-timeout')),
    failOn: parseFailOn(core.getInput('fail-on')),
    summary: parseBoolean('summary', core.getInput('summary'), true),
  };
}

function optional(value: string): string | undefined {
  const v = value.trim();
  return v ? v : undefined;
}
