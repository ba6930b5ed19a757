// A read-only client for one repository on an OCI distribution registry: manifests and blobs,
// authenticated as the registry asks. Every manifest is hashed as received and checked against
// the digest we asked for, the one the registry claims and the descriptor that led to it;
// nothing is ever re-serialised. A body that breaks off is fetched again (manifests, whole) or
// resumed (blobs, by Range); content that disagrees with its digest, size or media type is an
// integrity error and is never retried into a pass.

import { VerifyImageError } from '../errors.js';
import type { Logger } from '../log.js';
import { imageConfigProblem } from '../model/image.js';
import { manifestDescriptorProblem } from '../oci/descriptor.js';
import { digestOf } from '../oci/digest.js';
import { formatReference, registryUsesHttp, type ImageReference } from '../oci/reference.js';
import { nextLink } from '../oci/referrers.js';
import { decodeDocument } from '../oci/strict-json.js';
import {
  isImageManifest,
  isIndex,
  MANIFEST_ACCEPT,
  MediaType,
  SCHEMA1_MEDIA_TYPES,
  type Descriptor,
  type Fetched,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from '../oci/types.js';
import { Authenticator } from './auth.js';
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from './backoff.js';
import { resumableBody } from './blob-stream.js';
import { parseChallenges } from './challenge.js';
import { credentialSource, type Credential } from './credentials.js';
import {
  discard,
  errorLine,
  header,
  InterruptedBodyError,
  readCapped,
  redact,
  send,
  sleep,
  type HttpRequest,
  type HttpResponse,
  type Timeouts,
  type TransportOptions,
} from './http.js';
import { describeRateLimit, RateLimitWatcher } from './ratelimit.js';

/** containerd's limit; distribution refuses to store manifests over 4 MiB anyway. */
export const MANIFEST_CAP = 4 * 1024 * 1024;
export const CONFIG_CAP = 8 * 1024 * 1024;
/** Whole re-fetches of a manifest whose body broke off; resumptions of a blob body. */
const BODY_ATTEMPTS = 3;

export interface RegistryClientOptions {
  insecureRegistries: readonly string[];
  credential?: Credential;
  logger: Logger;
  userAgent?: string;
  /** Connect, header and body-idle timeouts (the `registry-timeout` input); defaults otherwise. */
  timeouts?: Timeouts;
}

export type Manifest = ImageManifest | ImageIndex;

/** One answer of the referrers API: a page of it, or word that the registry has no such API. */
export type ReferrersPage =
  | { kind: 'no-api'; detail: string }
  | { kind: 'page'; bytes: Buffer; contentType?: string; next?: string; filtersApplied: string[] };

/**
 * What every client of one registry shares, within one run or one audit: the transport settings,
 * the credential and the authenticator holding its tokens (one per repository scope), the
 * rate-limit watcher, the ping (sent once: its challenge says how to authenticate to every
 * repository of the registry) and whether the registry has the referrers API. A client is made
 * per repository from it (RegistryClient.on) without another handshake.
 */
export class RegistryHost {
  /** Learned from the first referrers request: `absent` after a 404 or an answer that is no image index (registry/referrers.ts). */
  referrersApi: 'unknown' | 'present' | 'absent' = 'unknown';
  /** The first referrers request while its answer is awaited, so that concurrent lookups wait for it instead of asking too. */
  referrersProbe: Promise<void> | undefined;
  private pinged: Promise<void> | undefined;

  private constructor(
    readonly registry: string,
    readonly apiHost: string,
    readonly baseUrl: string,
    readonly transport: TransportOptions,
    readonly auth: Authenticator,
    readonly credential: Credential | undefined,
    readonly rateLimit: RateLimitWatcher,
  ) {}

  /** The shared state for `ref`'s registry; nothing is sent until the first client is made. */
  static of(ref: ImageReference, opts: RegistryClientOptions): RegistryHost {
    const http = registryUsesHttp(ref, opts.insecureRegistries);
    const baseUrl = `${http ? 'http' : 'https'}://${ref.apiHost}`;
    const insecure = new Set(opts.insecureRegistries.map((h) => h.toLowerCase()));
    const transport: TransportOptions = {
      userAgent: opts.userAgent,
      timeouts: opts.timeouts,
      allowHttp: (url) => isLoopbackUrl(url) || insecure.has(url.host.toLowerCase()) || insecure.has(url.hostname.toLowerCase()),
    };
    const auth = new Authenticator(ref.registry, opts.credential, transport, opts.logger, http);
    return new RegistryHost(ref.registry, ref.apiHost, baseUrl, transport, auth, opts.credential, new RateLimitWatcher(ref.registry, opts.logger));
  }

  /**
   * Pings `/v2/` once to learn how the registry wants us to authenticate. Concurrent callers share
   * the request; a failed ping is not kept, so the next client tries again.
   */
  ready(): Promise<void> {
    if (!this.pinged) {
      const ping = this.ping();
      this.pinged = ping;
      ping.catch(() => {
        if (this.pinged === ping) this.pinged = undefined;
      });
    }
    return this.pinged;
  }

  private async ping(): Promise<void> {
    const res = await send({ method: 'GET', url: `${this.baseUrl}/v2/` }, this.transport);
    await discard(res);
    this.rateLimit.observe(res);
    if (res.status === 401) {
      this.auth.useChallenges(parseChallenges(res.headers['www-authenticate']));
    } else if (res.status === 429) {
      throw rateLimited(this, res, '');
    } else if (res.status >= 500) {
      throw new VerifyImageError('unreachable', `registry ${this.registry} answered HTTP ${res.status} to a ping: it is having trouble, try again later`);
    } else if (res.status === 404) {
      throw new VerifyImageError('unreachable', `${this.registry} does not serve the registry API (/v2/ answered 404): check the registry address`);
    }
  }
}

export class RegistryClient {
  private constructor(
    readonly ref: ImageReference,
    readonly host: RegistryHost,
  ) {}

  /** Pings `/v2/` to learn how the registry wants us to authenticate, then returns a ready client. */
  static async create(ref: ImageReference, opts: RegistryClientOptions): Promise<RegistryClient> {
    return RegistryClient.on(RegistryHost.of(ref, opts), ref);
  }

  /** A client for `ref`'s repository on a registry already (or now) pinged: no second handshake. */
  static async on(host: RegistryHost, ref: ImageReference): Promise<RegistryClient> {
    if (ref.registry !== host.registry || ref.apiHost !== host.apiHost) {
      throw new Error(`a client for ${ref.registry} cannot be made from the session of ${host.registry}`);
    }
    await host.ready();
    return new RegistryClient(ref, host);
  }

  private get baseUrl(): string {
    return this.host.baseUrl;
  }

  private get transport(): TransportOptions {
    return this.host.transport;
  }

  private get auth(): Authenticator {
    return this.host.auth;
  }

  private get credential(): Credential | undefined {
    return this.host.credential;
  }

  private get rateLimit(): RateLimitWatcher {
    return this.host.rateLimit;
  }

  private get scope(): string {
    return `repository:${this.ref.repository}:pull`;
  }

  /** An authenticated request to a repository path; one re-authentication on a 401. */
  private async call(req: Omit<HttpRequest, 'authorization'>): Promise<HttpResponse> {
    let res = await send({ ...req, authorization: await this.auth.authorization(this.scope) }, this.transport);
    if (res.status === 401) {
      // A challenge we did not know (no ping challenge) or an expired token: learn it and try once more.
      await discard(res);
      this.auth.useChallenges(parseChallenges(res.headers['www-authenticate']));
      this.auth.invalidate(this.scope);
      res = await send({ ...req, authorization: await this.auth.authorization(this.scope) }, this.transport);
    }
    this.rateLimit.observe(res);
    return res;
  }

  /**
   * GET a small document (a manifest) whole. A body that breaks off is fetched again from the
   * start — never resumed by Range, because a tag may move between two requests and spliced
   * bytes would be neither manifest.
   */
  private async fetchWhole(req: Omit<HttpRequest, 'authorization'>, cap: number, what: string, reference: string): Promise<{ res: HttpResponse; bytes: Buffer }> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.call(req);
      if (res.status !== 200) throw await this.failure(res, 'manifest', reference);
      try {
        return { res, bytes: await readCapped(res, cap, what) };
      } catch (err) {
        if (!(err instanceof InterruptedBodyError) || attempt >= BODY_ATTEMPTS) throw err;
        await sleep(backoffDelay(attempt, DEFAULT_RETRY));
      }
    }
  }

  private url(kind: 'manifests' | 'blobs', reference: string): string {
    return `${this.baseUrl}/v2/${this.ref.repository}/${kind}/${reference}`;
  }

  /**
   * Whether a tag may exist, by HEAD: for probing tags that are usually absent (the referrers tag,
   * cosign's tags), so a run does not spend manifest GETs — which Docker Hub counts as pulls — on
   * 404s. It decides only absence, and only on a 404: content is never taken from a HEAD, a tag
   * that may exist is then fetched by GET and hashed, and any other answer (405, 401, 5xx) says
   * "maybe" so the GET decides.
   */
  async mayHaveManifest(tag: string): Promise<boolean> {
    const res = await this.call({ method: 'HEAD', url: this.url('manifests', tag), headers: { accept: MANIFEST_ACCEPT } });
    await discard(res);
    return res.status !== 404;
  }

  /**
   * GET a manifest by tag or digest. `expected` is the descriptor that led here (an index entry):
   * its size and media type must agree with what is served, as its digest must.
   */
  async getManifest(reference: string, expected?: Descriptor): Promise<Fetched<Manifest>> {
    const what = `manifest ${reference} of ${this.name}`;
    const { res, bytes } = await this.fetchWhole(
      { method: 'GET', url: this.url('manifests', reference), headers: { accept: MANIFEST_ACCEPT } },
      MANIFEST_CAP,
      what,
      reference,
    );
    const contentType = mediaTypeOf(header(res, 'content-type'));
    const requested = reference.includes(':') ? reference : undefined;
    const claimed = header(res, 'docker-content-digest')?.trim() || undefined;
    const digest = digestOf(bytes, requested);
    if (requested && digest !== requested) {
      throw new VerifyImageError('integrity', `${this.ref.registry} served bytes for ${this.name}@${requested} that hash to ${digest}: the registry or something between us altered the manifest; do not trust this pull, and check the registry`);
    }
    if (claimed && digestOf(bytes, claimed) !== claimed) {
      throw new VerifyImageError(
        'integrity',
        `${this.ref.registry}'s Docker-Content-Digest ${claimed} for ${this.name}:${reference} does not match the bytes it served (${digest}): the registry or something between us altered the manifest; do not trust this pull, and check the registry`,
      );
    }
    const body = parseManifest(bytes, contentType, `${this.name}:${reference}`);
    const mediaType = body.mediaType ?? contentType ?? ('manifests' in body ? MediaType.OciIndex : MediaType.OciManifest);
    if (expected && bytes.length !== expected.size) {
      throw new VerifyImageError('integrity', `manifest ${digest} of ${this.name} is ${bytes.length} bytes but its index entry says ${expected.size}: the index is inconsistent; rebuild and push it`);
    }
    if (expected?.mediaType && mediaType !== expected.mediaType) {
      throw new VerifyImageError('integrity', `manifest ${digest} of ${this.name} is ${mediaType} but its index entry says ${expected.mediaType}: the index is inconsistent; rebuild and push it`);
    }
    return { digest, mediaType, size: bytes.length, body, bytes };
  }

  /** Fetches the image config and checks its bytes against the manifest's descriptor. */
  async getConfig(descriptor: Descriptor): Promise<{ config: ImageConfig; bytes: Buffer }> {
    const bytes = await this.getSmallBlob(descriptor, CONFIG_CAP, 'config', 'a container image config');
    const config = decodeDocument<ImageConfig>(bytes, 'config', `config blob ${descriptor.digest} of ${this.name}`, 'protocol');
    const problem = imageConfigProblem(config);
    // A config that is no image config is unsupported; one whose diff_ids are malformed is refused.
    if (problem?.kind === 'not-image') throw new VerifyImageError('unsupported', `config ${descriptor.digest} of ${this.name} ${problem.message}`);
    if (problem) throw new VerifyImageError('protocol', `config ${descriptor.digest} of ${this.name}: ${problem.message}; refusing it`);
    return { config, bytes };
  }

  /**
   * A small blob (a config, an in-toto statement) read whole, at most `cap` bytes, and checked
   * against its descriptor's digest and size before anyone decodes it.
   */
  async getSmallBlob(descriptor: Descriptor, cap: number, kind: string, limitOf: string): Promise<Buffer> {
    if (!Number.isSafeInteger(descriptor.size) || descriptor.size < 0 || descriptor.size > cap) {
      throw new VerifyImageError('unsupported', `the ${kind} of ${this.name} is declared as ${descriptor.size} bytes; ${limitOf} is at most ${cap}`);
    }
    const res = await this.openBlob(descriptor);
    // One byte over the declared size is enough to know the size is wrong.
    const bytes = await readCapped(
      res,
      descriptor.size + 1,
      `${kind} blob ${descriptor.digest} of ${this.name}`,
      () =>
        new VerifyImageError(
          'integrity',
          `${kind} blob ${descriptor.digest} of ${this.name} is larger than its descriptor's ${descriptor.size} bytes: the registry or something between us altered it; do not trust this pull`,
        ),
    );
    const digest = digestOf(bytes, descriptor.digest);
    if (digest !== descriptor.digest || bytes.length !== descriptor.size) {
      throw new VerifyImageError(
        'integrity',
        `${kind} blob ${descriptor.digest} of ${this.name} does not match its descriptor (served ${bytes.length} bytes hashing to ${digest}, expected ${descriptor.size} bytes): the registry or something between us altered it; do not trust this pull`,
      );
    }
    return bytes;
  }

  /**
   * Opens a blob for streaming; the caller verifies (hashes) and consumes the body. The body
   * resumes by Range when the connection breaks, so it is one stream of the blob's bytes or an
   * error — whoever reads it must still check digest and size.
   */
  async openBlob(descriptor: Descriptor): Promise<HttpResponse> {
    const url = this.url('blobs', descriptor.digest);
    const res = await this.call({ method: 'GET', url });
    if (res.status !== 200) throw await this.failure(res, 'blob', descriptor.digest);
    const reopen = (offset: number): Promise<HttpResponse> =>
      this.call({ method: 'GET', url, headers: offset > 0 ? { range: `bytes=${offset}-` } : {} });
    return { ...res, body: resumableBody(res, reopen, { resumes: BODY_ATTEMPTS, what: `blob ${descriptor.digest} of ${this.name}` }) };
  }

  /**
   * One page of the OCI 1.1 referrers API for `subject`, or of the `next` URL the previous page
   * linked to. A registry with the API never answers 404 to it (distribution-spec, "Listing
   * Referrers"): a 404 that is not NAME_UNKNOWN means it has none (Debian's distribution 2.8
   * answers its router's plain-text `404 page not found`), and the caller falls back to the
   * referrers tag. Any other failure is an error. A next link must stay on this repository's
   * referrers path of this registry: our credentials go wherever it points.
   */
  async getReferrersPage(subject: string, opts: { next?: string; artifactType?: string } = {}): Promise<ReferrersPage> {
    const first = new URL(`${this.baseUrl}/v2/${this.ref.repository}/referrers/${subject}`);
    if (opts.artifactType) first.searchParams.set('artifactType', opts.artifactType);
    const url = opts.next ? this.referrersLink(opts.next, first, subject) : first;
    const what = `the referrers of ${this.name}@${subject}`;
    const res = await this.call({ method: 'GET', url: url.toString(), headers: { accept: MediaType.OciIndex } });
    if (res.status === 404) {
      const detail = await errorLine(res);
      if (/NAME_UNKNOWN/.test(detail)) throw new VerifyImageError('not-found', `repository ${this.name} not found listing ${what} (${detail})`);
      return { kind: 'no-api', detail };
    }
    if (res.status !== 200) {
      const detail = await errorLine(res);
      throw new VerifyImageError(res.status === 401 || res.status === 403 ? 'auth' : 'unreachable', `${this.ref.registry} answered ${res.status} listing ${what} (${detail})`);
    }
    const bytes = await readCapped(res, MANIFEST_CAP, what);
    const link = header(res, 'link');
    const next = nextLink(link);
    return {
      kind: 'page',
      bytes,
      contentType: mediaTypeOf(header(res, 'content-type')),
      ...(next !== undefined ? { next: this.referrersLink(next, new URL(res.url), subject).toString() } : {}),
      filtersApplied: (header(res, 'oci-filters-applied') ?? '')
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean),
    };
  }

  /** A referrers page link resolved against `base`, refused unless it is this repository's referrers path for `subject` on this registry. */
  private referrersLink(link: string, base: URL, subject: string): URL {
    let url: URL;
    try {
      url = new URL(link, base);
    } catch {
      throw new VerifyImageError('protocol', `${this.ref.registry} linked the next page of referrers of ${subject} to something that is not a URL`);
    }
    if (url.origin !== new URL(this.baseUrl).origin || url.pathname !== `/v2/${this.ref.repository}/referrers/${subject}`) {
      throw new VerifyImageError(
        'protocol',
        `${this.ref.registry} linked the next page of referrers of ${subject} to ${redact(url.toString())}, not this repository's referrers path on this registry; not following it with our credentials`,
      );
    }
    return url;
  }

  private get name(): string {
    return `${this.ref.registry}/${this.ref.repository}`;
  }

  private async failure(res: HttpResponse, what: 'manifest' | 'blob', reference: string): Promise<VerifyImageError> {
    const detail = await errorLine(res);
    const source = this.credential?.source ?? '';
    const target = what === 'manifest' ? formatReference({ ...this.ref, ...(reference.includes(':') ? { digest: reference, tag: undefined } : { tag: reference, digest: undefined }) }) : `${this.name}@${reference}`;
    switch (res.status) {
      case 401:
        return new VerifyImageError(
          'auth',
          this.credential
            ? (w) =>
                `${this.ref.registry} rejected the credentials from ${credentialSource(source, w)} for ${this.ref.repository} (${detail}): check the username and password or token and that it may pull this repository`
            : (w) =>
                `${this.ref.registry} requires authentication to pull ${this.ref.repository} (${detail}): log in first (${w.cli ? 'docker login' : 'docker/login-action or docker login'}) or set ${w.phrase('credentials')}`,
        );
      case 403:
        return new VerifyImageError(
          'auth',
          (w) => `${this.ref.registry} denied pull access to ${this.ref.repository}${this.credential ? ` for the credentials from ${credentialSource(source, w)}` : ''} (${detail}): grant the account pull access or use other credentials`,
        );
      case 404:
        if (/NAME_UNKNOWN/.test(detail)) {
          return new VerifyImageError('not-found', `repository ${this.name} not found (${detail}): check the image name and that it was pushed`);
        }
        return new VerifyImageError(
          'not-found',
          what === 'manifest'
            ? `${target} not found (${detail}): check that the push succeeded and the tag or digest is spelled right`
            : `blob ${reference} of ${this.name} not found (${detail}): the registry lost a blob the manifest refers to`,
        );
      default:
        if (res.status === 429) return this.rateLimited(res, detail);
        return new VerifyImageError('unreachable', `${this.ref.registry} answered ${res.status} for ${redact(res.url)} (${detail}): try again later`);
    }
  }

  private rateLimited(res: HttpResponse, detail: string): VerifyImageError {
    return rateLimited(this.host, res, detail);
  }
}

/** A 429 we gave up on: say how long the registry asked us to wait and what quota is left. */
function rateLimited(host: RegistryHost, res: HttpResponse, detail: string): VerifyImageError {
  const waitMs = parseRetryAfter(header(res, 'retry-after'), Date.now());
  const facts = [detail, waitMs !== undefined ? `it asks to wait ${Math.ceil(waitMs / 1000)} s` : '', host.rateLimit.last ? describeRateLimit(host.rateLimit.last) : '']
    .filter(Boolean)
    .join('; ');
  return new VerifyImageError(
    'unreachable',
    `${host.registry} is rate limiting us${facts ? ` (${facts})` : ''}: try again later${host.credential ? '' : ', or log in for a higher limit'}`,
  );
}

function mediaTypeOf(contentType: string | undefined): string | undefined {
  const base = contentType?.split(';')[0]?.trim().toLowerCase();
  return base || undefined;
}

function parseManifest(bytes: Buffer, contentType: string | undefined, name: string): Manifest {
  const schema1 = `${name} is a schema1 manifest, which Docker removed in 28.2 and this action does not verify: rebuild and push it with a current Docker or buildx`;
  if (contentType && SCHEMA1_MEDIA_TYPES.has(contentType) && contentType !== 'application/json') {
    throw new VerifyImageError('unsupported', schema1);
  }
  // Read as Docker reads it: a key Go would match to another field, in any case, is refused.
  const body = decodeDocument<Omit<Manifest, 'schemaVersion'> & { schemaVersion?: number; fsLayers?: unknown; mediaType?: string }>(
    bytes,
    'manifest',
    `manifest of ${name}`,
    'protocol',
  );
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new VerifyImageError('protocol', `manifest of ${name} is not a JSON object`);
  if (body.schemaVersion === 1 || body.fsLayers !== undefined) throw new VerifyImageError('unsupported', schema1);
  if (body.schemaVersion !== 2) {
    throw new VerifyImageError('unsupported', `manifest of ${name} has schemaVersion ${String(body.schemaVersion)}; only schemaVersion 2 (OCI and Docker) is supported`);
  }
  const specific = contentType && (isIndex(contentType) || isImageManifest(contentType));
  if (body.mediaType && specific && body.mediaType !== contentType) {
    throw new VerifyImageError('protocol', `manifest of ${name} says mediaType ${body.mediaType} but was served as ${contentType}; refusing an ambiguous manifest`);
  }
  const kind = body.mediaType ?? (specific ? contentType : undefined);
  if ('manifests' in body && Array.isArray(body.manifests)) {
    if (kind && !isIndex(kind)) throw new VerifyImageError('protocol', `manifest of ${name} lists manifests but has media type ${kind}`);
    checkDescriptors(body as ImageIndex, name);
    return body as ImageIndex;
  }
  if ('config' in body && body.config && Array.isArray((body as ImageManifest).layers)) {
    if (kind && !isImageManifest(kind)) throw new VerifyImageError('protocol', `manifest of ${name} has a config but media type ${kind}`);
    checkDescriptors(body as ImageManifest, name);
    return body as ImageManifest;
  }
  throw new VerifyImageError('unsupported', `${name} is neither an image manifest nor an index (media type ${kind ?? 'unknown'}): it is not a container image`);
}

/** Every descriptor as the image spec defines it, before any is fetched, compared or reported. */
function checkDescriptors(body: ImageManifest | ImageIndex, name: string): void {
  const problem = manifestDescriptorProblem(body);
  if (problem) throw new VerifyImageError('protocol', `manifest of ${name}: ${problem}; refusing a manifest the image spec does not allow`);
}

function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
