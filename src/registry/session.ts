// Owns: the one way a registry client is made, for the checked image, its base and its
// attestations alike. Credentials are resolved here (the inputs, else Docker's stored ones, or
// none at all when the caller says so), every secret they hold is handed to the logger for
// masking before anything else happens, and one set of options — insecure hosts, timeouts — is
// applied to every client, so a setting such as `registry-timeout` cannot be lost on one path.

import { ACTION_WORDS, type OptionWords } from '../errors.js';
import type { Logger } from '../log.js';
import type { ImageReference } from '../oci/reference.js';
import { RegistryClient } from './client.js';
import { credentialSource, resolveCredential, secretsOf } from './credentials.js';
import { timeoutsFor } from './http.js';

/** What every client of one run shares. */
export interface RegistrySettings {
  insecureRegistries: readonly string[];
  /** How long a registry may stay silent (connect, headers, body) before a try is given up; defaults when undefined. */
  registryTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** How the credentials log line names the user's own credentials: inputs, or the CLI's flags. */
  optionWords?: OptionWords;
}

/**
 * Which credentials a client may carry: the username/password given (empty means not given), then
 * Docker's stored credentials for the registry; or `anonymous`: none, and no helper is even run.
 */
export type CredentialRequest = { username?: string; password?: string } | 'anonymous';

/**
 * An authenticated, pinged client for `ref`'s repository. `about` says in the credentials log line
 * what the client is for (`base node` …); `anonymousWhy` why a client goes without credentials.
 */
export async function openRegistry(
  ref: ImageReference,
  settings: RegistrySettings,
  wanted: CredentialRequest,
  note: { about?: string; anonymousWhy?: string } = {},
): Promise<RegistryClient> {
  const credential =
    wanted === 'anonymous'
      ? undefined
      : await resolveCredential(ref.registry, { username: wanted.username, password: wanted.password, env: settings.env ?? process.env });
  for (const secret of credential ? secretsOf(credential) : []) settings.logger.secret(secret);
  const used = credential ? `from ${credentialSource(credential.source, settings.optionWords ?? ACTION_WORDS)}` : wanted === 'anonymous' && note.anonymousWhy ? `none (anonymous: ${note.anonymousWhy})` : 'none (anonymous)';
  settings.logger.info(`credentials for ${ref.registry}${note.about ? ` (${note.about})` : ''}: ${used}`);
  // Plain http only for loopback and insecure-registries, whoever named the reference (client.ts).
  return RegistryClient.create(ref, {
    insecureRegistries: [...settings.insecureRegistries],
    credential,
    logger: settings.logger,
    timeouts: settings.registryTimeoutMs ? timeoutsFor(settings.registryTimeoutMs) : undefined,
  });
}
