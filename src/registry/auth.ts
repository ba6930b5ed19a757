// Turning a registry's challenge into an Authorization header: Basic as is, Bearer through the
// token server (GET, or POST oauth2 for refresh tokens with containerd's fallback to GET).
// Tokens are cached per scope until shortly before they expire.

import { VerifyImageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Challenge } from './challenge.js';
import type { Credential } from './credentials.js';
import { errorLine, readCapped, send, type TransportOptions } from './http.js';

const TOKEN_RESPONSE_CAP = 64 * 1024;
const RENEW_BEFORE_MS = 10_000;

interface CachedToken {
  value: string;
  expiresAt: number;
}

export class Authenticator {
  private readonly tokens = new Map<string, CachedToken>();
  private challenge: Challenge | undefined;

  constructor(
    private readonly registry: string,
    private readonly credential: Credential | undefined,
    private readonly transport: TransportOptions,
    private readonly logger: Logger,
  ) {}

  /** Remembers how the registry asked us to authenticate (from the ping or any 401). */
  useChallenges(challenges: Challenge[]): void {
    // Bearer first: registries offering both accept either, and Bearer does not resend the password.
    this.challenge =
      challenges.find((c) => c.scheme === 'bearer' && c.params.realm) ?? challenges.find((c) => c.scheme === 'basic');
  }

  get knowsChallenge(): boolean {
    return this.challenge !== undefined;
  }

  /** Forgets the token for a scope so the next call asks the token server again (after a 401 mid-run). */
  invalidate(scope: string): void {
    this.tokens.delete(scope);
  }

  async authorization(scope: string): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    if (challenge.scheme === 'basic') {
      const cred = this.credential;
      if (!cred?.username || cred.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    if (this.credential?.registryToken) return `Bearer ${this.credential.registryToken}`;
    const cached = this.tokens.get(scope);
    if (cached && cached.expiresAt - RENEW_BEFORE_MS > Date.now()) return `Bearer ${cached.value}`;
    const token = await this.fetchToken(challenge, scope);
    this.tokens.set(scope, token);
    return `Bearer ${token.value}`;
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<CachedToken> {
    const realm = challenge.params.realm;
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new VerifyImageError('protocol', `registry ${this.registry} sent an invalid token realm; it cannot be logged in to`);
    }
    const service = challenge.params.service;
    const cred = this.credential;
    if (cred?.identityToken) {
      const viaPost = await this.postToken(realmUrl, service, scope, {
        grant_type: 'refresh_token',
        refresh_token: cred.identityToken,
      });
      if (viaPost) return viaPost;
    }
    const url = new URL(realmUrl);
    if (service) url.searchParams.set('service', service);
    url.searchParams.append('scope', scope);
    const basic =
      cred?.username && cred.password !== undefined
        ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`
        : undefined;
    const res = await send({ method: 'GET', url: url.toString(), authorization: basic }, this.transport);
    if (res.status !== 200) {
      const detail = await errorLine(res);
      throw this.tokenError(res.status, detail);
    }
    return this.parseToken(await readCapped(res.body, TOKEN_RESPONSE_CAP, 'token response'));
  }

  /** POST oauth2; undefined means "this server does not do POST, use GET" (as containerd does). */
  private async postToken(
    realm: URL,
    service: string | undefined,
    scope: string,
    grant: Record<string, string>,
  ): Promise<CachedToken | undefined> {
    const form = new URLSearchParams({ ...grant, client_id: 'verify-image', scope });
    if (service) form.set('service', service);
    const res = await send(
      {
        method: 'POST',
        url: realm.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      },
      this.transport,
    );
    if ([400, 401, 404, 405].includes(res.status)) {
      await res.body.dump().catch(() => undefined);
      this.logger.debug(`token server answered POST with ${res.status}; falling back to GET`);
      return undefined;
    }
    if (res.status !== 200) throw this.tokenError(res.status, await errorLine(res));
    return this.parseToken(await readCapped(res.body, TOKEN_RESPONSE_CAP, 'token response'));
  }

  private parseToken(bytes: Buffer): CachedToken {
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      body = JSON.parse(bytes.toString('utf8')) as typeof body;
    } catch {
      throw new VerifyImageError('protocol', `the token server of ${this.registry} answered something that is not JSON`);
    }
    const value = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof value !== 'string' || !value) {
      throw new VerifyImageError('protocol', `the token server of ${this.registry} answered without a token`);
    }
    this.logger.secret(value);
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    const issued = typeof body.issued_at === 'string' ? Date.parse(body.issued_at) : NaN;
    // Trust our clock over the server's for the start: skew would otherwise make tokens look expired.
    const start = Number.isNaN(issued) ? Date.now() : Math.min(issued, Date.now());
    return { value, expiresAt: start + expiresIn * 1000 };
  }

  private tokenError(status: number, detail: string): VerifyImageError {
    if (status === 401 || status === 403) {
      return new VerifyImageError(
        'auth',
        this.credential
          ? `the token server of ${this.registry} rejected the credentials from ${this.credential.source} (${detail}): check the username and password or token`
          : `the token server of ${this.registry} refused anonymous access (${detail}): log in (docker/login-action) or set the username and password inputs`,
      );
    }
    return new VerifyImageError('auth', `could not get a token from ${this.registry}'s token server (${detail})`);
  }
}
