// Owns: the registry requests made for base images, each made once per run, and which credentials
// each may carry. A base shared by many audited images is looked up once: every lookup is kept as
// a promise keyed by what it asks (the digest a tag points to, the platform image behind a
// reference) and with which credentials, so concurrent and later askers share the request in
// flight or its result, failures included. Clients (one per repository, since a token is scoped
// to one) are shared the same way.
//
// Credentials (baseCredentialChoice): on the checked images' own registries, what the images
// used (the username/password inputs, else Docker's stored credentials). On any other registry,
// Docker's stored credentials when the user or the proved build named the base, and none at all
// when the registry did (annotations): whoever controls a registry must not be able to make us
// present the user's credentials for another host, nor read a private image there for them.

import { VerifyImageError } from '../errors.js';
import { formatPlatform } from '../oci/platform.js';
import { formatReference, type ImageReference } from '../oci/reference.js';
import type { Platform } from '../oci/types.js';
import type { RegistryClient } from '../registry/client.js';
import { openRegistry, type CredentialRequest, type RegistrySettings } from '../registry/session.js';
import { resolveRemoteImage } from '../registry/resolve.js';
import type { RemoteImage } from '../model/image.js';
import type { BaseNamer } from './detect.js';

/** What the drift check needs from a registry; a fake in unit tests, BaseRegistry for real. */
export interface BaseLookup {
  /**
   * The digest a tag points to now, hashed from the manifest bytes a GET returned. Never a HEAD's
   * Docker-Content-Digest alone: a header is the registry's word, and "up to date" rests on it.
   */
  tagDigest(ref: ImageReference, namedBy: BaseNamer): Promise<string>;
  /** The image behind a reference for one platform: index → platform manifest → config. */
  resolve(ref: ImageReference, platform: Platform, namedBy: BaseNamer): Promise<RemoteImage>;
}

/** Which credentials a base lookup may carry to one registry. */
export type CredentialChoice =
  /** A checked image's registry: what the image used (inputs, else Docker's stored credentials). */
  | 'image'
  /** Another registry, base named by the user or the proved build: Docker's stored credentials. */
  | 'stored'
  /** Another registry, base named by the registry: none. */
  | 'anonymous';

export function baseCredentialChoice(registry: string, namedBy: BaseNamer, imageRegistries: readonly string[]): CredentialChoice {
  if (imageRegistries.includes(registry)) return 'image';
  return namedBy === 'registry' ? 'anonymous' : 'stored';
}

/** The run's registry settings (one factory, registry/session.ts: the same timeouts and insecure hosts as the image's client). */
export interface BaseRegistryOptions extends RegistrySettings {
  /**
   * Credentials given as inputs and the registries they were given for (the checked images'). A
   * base on any other registry never gets the inputs (see baseCredentialChoice).
   */
  inputCredential?: { username?: string; password?: string; registries: readonly string[] };
}

export class BaseRegistry implements BaseLookup {
  private readonly clients = new Map<string, Promise<RegistryClient>>();
  private readonly tags = new Map<string, Promise<string>>();
  private readonly images = new Map<string, Promise<RemoteImage>>();
  /** Lookups actually sent (tag digests and image resolutions), for the log and the tests. */
  lookups = 0;

  constructor(private readonly opts: BaseRegistryOptions) {}

  tagDigest(ref: ImageReference, namedBy: BaseNamer): Promise<string> {
    const tag = ref.tag ?? 'latest';
    const name = `${ref.registry}/${ref.repository}:${tag}`;
    const choice = this.choice(ref, namedBy);
    return once(this.tags, `${choice} ${name}`, async () => {
      const client = await this.client(ref, choice);
      this.lookups++;
      // One small GET instead of a HEAD: the digest is what the served bytes hash to, and the
      // client refuses a Docker-Content-Digest that disagrees with them.
      this.opts.logger.info(`base lookup: GET ${name} (the tag's manifest, hashed)`);
      return (await client.getManifest(tag)).digest;
    });
  }

  resolve(ref: ImageReference, platform: Platform, namedBy: BaseNamer): Promise<RemoteImage> {
    // A digest names the content whatever tag came with it.
    const name = ref.digest ? `${ref.registry}/${ref.repository}@${ref.digest}` : formatReference(ref);
    const choice = this.choice(ref, namedBy);
    const key = `${choice} ${name} ${formatPlatform(platform)}`;
    return once(this.images, key, async () => {
      const client = await this.client(ref, choice);
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

  private choice(ref: ImageReference, namedBy: BaseNamer): CredentialChoice {
    return baseCredentialChoice(ref.registry, namedBy, this.opts.inputCredential?.registries ?? []);
  }

  private client(ref: ImageReference, choice: CredentialChoice): Promise<RegistryClient> {
    return once(this.clients, `${choice} ${ref.registry}/${ref.repository}`, () => {
      const given = this.opts.inputCredential;
      // Anonymous means no credential is even looked up: no helper runs, nothing is read.
      const wanted: CredentialRequest = choice === 'anonymous' ? 'anonymous' : choice === 'image' ? { username: given?.username, password: given?.password } : {};
      return openRegistry(ref, this.opts, wanted, {
        about: `base ${ref.repository}`,
        anonymousWhy: "the registry's own data named this base, and credentials go to another registry only for a base you named",
      });
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
