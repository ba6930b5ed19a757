// Owns: the one way a registry client is made, for the checked image, its base and its
// attestations alike. Credentials are resolved here (the inputs, else Docker's stored ones, or
// none at all when the caller says so), every secret they hold is handed to the logger for
// masking before anything else happens, and one set of options — insecure hosts, timeouts — is
// applied to every client, so a setting such as `registry-timeout` cannot be lost on one path.
// Clients of one registry share one session (RegistrySessions): one ping, one credential lookup
// and one token per repository, for a run and for every image of an audit.

import { ACTION_WORDS, type OptionWords } from '../errors.js';
import type { Logger } from '../log.js';
import type { ImageReference } from '../oci/reference.js';
import { RegistryClient, RegistryHost } from './client.js';
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
  /** Sessions to share; each call makes its own when undefined. */
  sessions?: RegistrySessions;
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
  if (settings.sessions) return settings.sessions.open(ref, wanted, note);
  return RegistryClient.on(await hostFor(ref, settings, wanted, note), ref);
}

/** Resolves the credential, hands its secrets to the logger, says which it is, and makes the registry's shared state. */
async function hostFor(
  ref: ImageReference,
  settings: RegistrySettings,
  wanted: CredentialRequest,
  note: { about?: string; anonymousWhy?: string },
): Promise<RegistryHost> {
  const credential =
    wanted === 'anonymous'
      ? undefined
      : await resolveCredential(ref.registry, { username: wanted.username, password: wanted.password, env: settings.env ?? process.env });
  for (const secret of credential ? secretsOf(credential) : []) settings.logger.secret(secret);
  const used = credential ? `from ${credentialSource(credential.source, settings.optionWords ?? ACTION_WORDS)}` : wanted === 'anonymous' && note.anonymousWhy ? `none (anonymous: ${note.anonymousWhy})` : 'none (anonymous)';
  settings.logger.info(`credentials for ${ref.registry}${note.about ? ` (${note.about})` : ''}: ${used}`);
  // Plain http only for loopback and insecure-registries, whoever named the reference (client.ts).
  return RegistryHost.of(ref, {
    insecureRegistries: [...settings.insecureRegistries],
    credential,
    logger: settings.logger,
    timeouts: settings.registryTimeoutMs ? timeoutsFor(settings.registryTimeoutMs) : undefined,
  });
}

/**
 * The registries of one run or one audit: one session per registry and credential request, made
 * on first use. A session that could not be made (a credential helper or a ping that failed) is
 * not kept, so the next image tries again. Secrets the sessions learn (credentials, tokens) go to
 * the logger they were made with and to every logger attached at that moment, and an attached
 * logger is first given every secret learned before: each image of an audit scrubs its own report
 * of every secret its requests could have carried.
 */
export class RegistrySessions {
  private readonly hosts = new Map<string, Promise<RegistryHost>>();
  private readonly secrets = new Set<string>();
  private readonly attached = new Set<Logger>();
  private readonly settings: RegistrySettings;

  constructor(settings: Omit<RegistrySettings, 'sessions'>) {
    const outer = settings.logger;
    const logger: Logger = {
      info: (m) => outer.info(m),
      warning: (m) => outer.warning(m),
      debug: (m) => outer.debug(m),
      secret: (s) => {
        this.secrets.add(s);
        outer.secret(s);
        for (const l of this.attached) l.secret(s);
      },
    };
    this.settings = { ...settings, logger };
  }

  /** Gives `logger` every secret known and every one learned until the returned function is called. */
  attach(logger: Logger): () => void {
    for (const s of this.secrets) logger.secret(s);
    this.attached.add(logger);
    return () => this.attached.delete(logger);
  }

  /** Registries with a session, for the log. */
  get size(): number {
    return this.hosts.size;
  }

  async open(ref: ImageReference, wanted: CredentialRequest, note: { about?: string; anonymousWhy?: string } = {}): Promise<RegistryClient> {
    const key = `${ref.registry} ${ref.apiHost} ${wanted === 'anonymous' ? 'anonymous' : JSON.stringify([wanted.username ?? '', wanted.password ?? ''])}`;
    let host = this.hosts.get(key);
    if (!host) {
      const made = hostFor(ref, this.settings, wanted, note);
      host = made;
      this.hosts.set(key, made);
      made.catch(() => {
        if (this.hosts.get(key) === made) this.hosts.delete(key);
      });
    }
    try {
      return await RegistryClient.on(await host, ref);
    } catch (err) {
      // A ping that failed leaves the session to be made again (credentials looked up again too).
      if (this.hosts.get(key) === host) this.hosts.delete(key);
      throw err;
    }
  }
}
