// Owns: the registry requests made for base images, each made once per run. A base shared by
// many audited images is looked up once: every lookup is kept as a promise keyed by what it asks
// (HEAD of a tag, the platform image behind a reference), so concurrent and later askers share
// the request in flight or its result, failures included. Clients (one per repository, since a
// token is scoped to one) are shared the same way.

import { VerifyImageError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatPlatform } from '../oci/platform.js';
import { formatReference, type ImageReference } from '../oci/reference.js';
import type { Platform } from '../oci/types.js';
import { RegistryClient } from '../registry/client.js';
import { resolveCredential, secretsOf } from '../registry/credentials.js';
import { resolveRemoteImage } from '../registry/resolve.js';
import type { RemoteImage } from '../verify/rules.js';

/** What the drift check needs from a registry; a fake in unit tests, BaseRegistry for real. */
export interface BaseLookup {
  /** The digest a tag points to now, by HEAD (no Docker Hub pull quota spent). */
  head(ref: ImageReference): Promise<string>;
  /** The image behind a reference for one platform: index → platform manifest → config. */
  resolve(ref: ImageReference, platform: Platform): Promise<RemoteImage>;
}

export interface BaseRegistryOptions {
  insecureRegistries: readonly string[];
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /**
   * Credentials given as inputs and the registries they were given for (the checked images'). A
   * base on any other registry uses Docker's stored credentials, so inputs never leak elsewhere.
   */
  inputCredential?: { username?: string; password?: string; registries: readonly string[] };
}

export class BaseRegistry implements BaseLookup {
  private readonly clients = new Map<string, Promise<RegistryClient>>();
  private readonly heads = new Map<string, Promise<string>>();
  private readonly images = new Map<string, Promise<RemoteImage>>();
  /** Lookups actually sent (HEADs and image resolutions), for the log and the tests. */
  lookups = 0;

  constructor(private readonly opts: BaseRegistryOptions) {}

  head(ref: ImageReference): Promise<string> {
    const tag = ref.tag ?? 'latest';
    const name = `${ref.registry}/${ref.repository}:${tag}`;
    return once(this.heads, name, async () => {
      const client = await this.client(ref);
      this.lookups++;
      this.opts.logger.info(`base lookup: HEAD ${name}`);
      const head = await client.headManifest(tag);
      if (!head.digest) throw new VerifyImageError('protocol', `${ref.registry} gave no digest for ${name}, neither on HEAD nor on GET`);
      return head.digest;
    });
  }

  resolve(ref: ImageReference, platform: Platform): Promise<RemoteImage> {
    // A digest names the content whatever tag came with it.
    const name = ref.digest ? `${ref.registry}/${ref.repository}@${ref.digest}` : formatReference(ref);
    const key = `${name} ${formatPlatform(platform)}`;
    return once(this.images, key, async () => {
      const client = await this.client(ref);
      this.lookups++;
      this.opts.logger.info(`base lookup: ${name} for ${formatPlatform(platform)}`);
      try {
        return await resolveRemoteImage(client, ref, platform);
      } catch (err) {
        if (err instanceof VerifyImageError && err.code === 'unsupported' && /platform|has no /.test(err.message)) {
          throw new VerifyImageError('unsupported', `the base ${name} has no ${formatPlatform(platform)} image, the platform of the image checked`);
        }
        throw err;
      }
    });
  }

  private client(ref: ImageReference): Promise<RegistryClient> {
    return once(this.clients, `${ref.registry}/${ref.repository}`, async () => {
      const given = this.opts.inputCredential;
      const useInputs = given !== undefined && given.registries.includes(ref.registry);
      const credential = await resolveCredential(ref.registry, {
        username: useInputs ? given.username : undefined,
        password: useInputs ? given.password : undefined,
        env: this.opts.env ?? process.env,
      });
      for (const secret of credential ? secretsOf(credential) : []) this.opts.logger.secret(secret);
      this.opts.logger.info(`credentials for ${ref.registry} (base ${ref.repository}): ${credential ? `from ${credential.source}` : 'none (anonymous)'}`);
      return RegistryClient.create(ref, { insecureRegistries: this.opts.insecureRegistries, credential, logger: this.opts.logger });
    });
  }
}

function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let pending = cache.get(key);
  if (!pending) {
    pending = make();
    // Keep the rejection for later askers, but never leave it unhandled when nobody else asks.
    pending.catch(() => undefined);
    cache.set(key, pending);
  }
  return pending;
}
