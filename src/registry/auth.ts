// Turning a registry's challenge into an Authorization header: Basic as is, Bearer through the
// token server. Tokens are cached per scope and renewed shortly before they expire.
//
// How we ask for a token (DD auth/token.md, auth/oauth.md):
//   - an identity token (OAuth refresh token) → POST grant_type=refresh_token;
//   - a username and password → POST grant_type=password;
//   - nothing → anonymous GET.
// Like containerd and BuildKit (which pushed most of the images we verify), a POST that the token
// server does not implement — 400 (ACR), 401 (Artifactory), 404 (GCR), 405 — falls back to GET,
// with Basic credentials when we have a password (as `docker pull` always does). Docker's own
// daemon GETs with Basic for passwords and POSTs only refresh tokens; both are correct, and the
// fallback makes us work wherever either works.
//
// A realm is where we send the password: it must be https unless the registry itself is one we
// may speak plain http to (loopback or insecure-registries).

import { VerifyImageError } from '../errors.js';
import { decodeDocument } from '../oci/strict-json.js';
import type { Logger } from '../log.js';
import type { Challenge } from './challenge.js';
import { credentialSource, type Credential } from './credentials.js';
import { discard, errorLine, readCapped, send, type HttpResponse, type TransportOptions } from './http.js';

const TOKEN_RESPONSE_CAP = 64 * 1024;
const RENEW_BEFORE_MS = 10_000;
const DEFAULT_EXPIRES_IN_S = 60;
const CLIENT_ID = 'verify-image';
/** Statuses with which token servers say "no POST here" (containerd's list). */
const POST_UNSUPPORTED = new Set([400, 401, 404, 405]);

interface CachedToken {
  value: string;
  /** When to stop using it: before its expiry, so a request never carries a token that dies in flight. */
  renewAt: number;
}

export class Authenticator {
  private readonly tokens = new Map<string, CachedToken>();
  private challenge: Challenge | undefined;

  /**
   * @param registryAllowsHttp whether the registry itself may be spoken to over http; only then
   *   may its token realm be http.
   */
  constructor(
    private readonly registry: string,
    private readonly credential: Credential | undefined,
    private readonly transport: TransportOptions,
    private readonly logger: Logger,
    private readonly registryAllowsHttp = false,
  ) {}

  /** Remembers how the registry asked us to authenticate (from the ping or any 401). */
  useChallenges(challenges: Challenge[]): void {
    // Bearer first: registries offering both accept either, and Bearer does not resend the password.
    this.challenge =
      challenges.find((c) => c.scheme === 'bearer' && c.params.realm) ?? challenges.find((c) => c.scheme === 'basic') ?? this.challenge;
  }

  get knowsChallenge(): boolean {
    return this.challenge !== undefined;
  }

  get scheme(): string | undefined {
    return this.challenge?.scheme;
  }

  /** Forgets the token for a scope so the next call asks the token server again (after a 401 mid-run). */
  invalidate(scope: string): void {
    this.tokens.delete(scope);
  }

  /**
   * The Authorization header for `scope` (`repository:NAME:pull`). The scope is always ours: a
   * challenge's own `scope` parameter (GHCR sends a placeholder) is never used.
   */
  async authorization(scope: string): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      const cred = this.credential;
      if (!cred?.username || cred.password === undefined) return undefined;
      return basic(cred.username, cred.password);
    }
    if (this.credential?.registryToken) return `Bearer ${this.credential.registryToken}`;
    const cached = this.tokens.get(scope);
    if (cached && cached.renewAt > Date.now()) return `Bearer ${cached.value}`;
    const token = await this.fetchToken(challenge, scope);
    this.tokens.set(scope, token);
    return `Bearer ${token.value}`;
  }

  private realmOf(challenge: Challenge): URL {
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm ?? '');
    } catch {
      throw new VerifyImageError('protocol', `registry ${this.registry} sent an invalid token realm; it cannot be logged in to`);
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw new VerifyImageError('protocol', `registry ${this.registry} sent a token realm that is not an http(s) URL; it cannot be logged in to`);
    }
    if (realm.protocol === 'http:' && !this.registryAllowsHttp) {
      throw new VerifyImageError(
        'protocol',
        `registry ${this.registry} sends us to a token server over plain http (${realm.host}); refusing to send credentials unencrypted: fix the registry's token realm, or list ${this.registry} in insecure-registries if this network is trusted`,
      );
    }
    return realm;
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<CachedToken> {
    const realm = this.realmOf(challenge);
    // The realm may be another host (auth.docker.io): it may use http only if the registry may.
    const transport: TransportOptions = { ...this.transport, allowHttp: () => this.registryAllowsHttp };
    const service = challenge.params.service;
    const cred = this.credential;
    const password = cred?.username && cred.password !== undefined ? { username: cred.username, password: cred.password } : undefined;

    if (cred?.identityToken) {
      const token = await this.postToken(realm, service, scope, { grant_type: 'refresh_token', refresh_token: cred.identityToken }, transport);
      if (token) return token;
    } else if (password) {
      const token = await this.postToken(realm, service, scope, { grant_type: 'password', ...password }, transport);
      if (token) return token;
    }

    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.append('scope', scope);
    const authorization = password ? basic(password.username, password.password) : undefined;
    const res = await send({ method: 'GET', url: url.toString(), authorization }, transport);
    if (res.status !== 200) throw this.tokenError(res.status, await errorLine(res), Boolean(password));
    return this.parseToken(res);
  }

  /** POST oauth2; undefined means "this server does not do POST, use GET" (as containerd does). */
  private async postToken(
    realm: URL,
    service: string | undefined,
    scope: string,
    grant: Record<string, string>,
    transport: TransportOptions,
  ): Promise<CachedToken | undefined> {
    const form = new URLSearchParams({ ...grant, client_id: CLIENT_ID, scope });
    if (service) form.set('service', service);
    const res = await send(
      {
        method: 'POST',
        url: realm.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      },
      transport,
    );
    if (POST_UNSUPPORTED.has(res.status)) {
      await discard(res);
      this.logger.debug(`token server of ${this.registry} answered the ${grant.grant_type} POST with ${res.status}; asking with GET instead`);
      return undefined;
    }
    if (res.status !== 200) throw this.tokenError(res.status, await errorLine(res), true);
    return this.parseToken(res);
  }

  private async parseToken(res: HttpResponse): Promise<CachedToken> {
    const bytes = await readCapped(res, TOKEN_RESPONSE_CAP, `the token response of ${this.registry}`);
    // Strict, as for every document Docker reads with Go: "Token" beside "token" is refused.
    const body = decodeDocument<{ token?: unknown; access_token?: unknown; refresh_token?: unknown; expires_in?: unknown; issued_at?: unknown }>(
      bytes,
      'token response',
      `the token response of ${this.registry}`,
      'protocol',
    );
    if (typeof body !== 'object' || body === null) {
      throw new VerifyImageError('protocol', `the token server of ${this.registry} answered something that is not a token response`);
    }
    const value = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof value !== 'string' || !value) {
      throw new VerifyImageError('protocol', `the token server of ${this.registry} answered without a token`);
    }
    // Masked before it can appear anywhere; a refresh token we never use is a secret all the same.
    this.logger.secret(value);
    if (typeof body.refresh_token === 'string' && body.refresh_token) this.logger.secret(body.refresh_token);
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_EXPIRES_IN_S;
    const issued = typeof body.issued_at === 'string' ? Date.parse(body.issued_at) : NaN;
    // Trust our clock over the server's for the start: skew would otherwise make tokens look expired.
    const start = Number.isNaN(issued) ? Date.now() : Math.min(issued, Date.now());
    const lifetime = expiresIn * 1000;
    return { value, renewAt: start + lifetime - Math.min(RENEW_BEFORE_MS, lifetime / 2) };
  }

  private tokenError(status: number, detail: string, sentCredentials: boolean): VerifyImageError {
    if (status === 401 || status === 403) {
      const cred = this.credential;
      if (cred && sentCredentials) {
        return new VerifyImageError('auth', (w) => `the token server of ${this.registry} rejected the credentials from ${credentialSource(cred.source, w)} (${detail}): check the username and password or token`);
      }
      if (cred?.identityToken) {
        return new VerifyImageError(
          'auth',
          (w) => `the token server of ${this.registry} did not take the identity token from ${credentialSource(cred.source, w)} and refused anonymous access (${detail}): log in again (docker login) or set ${w.phrase('credentials')}`,
        );
      }
      return new VerifyImageError(
        'auth',
        (w) => `the token server of ${this.registry} refused anonymous access (${detail}): log in (${w.cli ? 'docker login' : 'docker/login-action'}) or set ${w.phrase('credentials')}`,
      );
    }
    if (status === 429) {
      return new VerifyImageError('unreachable', `the token server of ${this.registry} is rate limiting us (${detail}): try again later`);
    }
    return new VerifyImageError('auth', `could not get a token from ${this.registry}'s token server (${detail}): try again later`);
  }
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
