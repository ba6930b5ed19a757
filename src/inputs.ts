// The only reader of action inputs: each is read once, validated, and turned into the typed
// object the engine takes. Bad values become one-line errors that say what to write instead.

import * as core from '@actions/core';
import { VerifyImageError } from './errors.js';
import { parseBaseImage, parseBoolean, parseBuildArgs, parseDigest, parseFailOn, parseList, parseRegistryTimeout, type FailOn } from './options.js';
import type { RunInputs } from './run.js';

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
    baseImage: parseBaseImage(core.getInput('base-image')),
    dockerfile: optional(core.getInput('dockerfile')),
    buildArgs: parseBuildArgs(core.getInput('build-args')),
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
  return inputs;
}

function optional(value: string): string | undefined {
  const v = value.trim();
  return v ? v : undefined;
}
