// A Docker-style token server for e2e tests, in front of which distribution runs with
// `auth: token`. It speaks both halves of the spec (distribution docs auth/token.md, auth/oauth.md):
//   GET  /token?service=S&scope=…  with optional Basic credentials (offline_token=true → refresh_token);
//   POST /token  grant_type=password | refresh_token (form), or a chosen status for servers without POST.
// Tokens are JWTs signed RS256 with a throwaway key; the `x5c` header carries its self-signed
// certificate, which the registry trusts through its rootcertbundle (distribution 2.8 verifies
// x5c chains, else a `kid` among trusted keys). Like Docker Hub, an anonymous caller gets a token
// with no access to private repositories, and the registry answers 401 for it.

import { randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeCertificate, type TestCertificate } from './tls.js';
import type { TokenAuthConfig } from './registry.js';

export interface TokenServerOptions {
  /** username → password. */
  users: Record<string, string>;
  /** Repositories anonymous callers may pull. */
  publicRepositories?: (repository: string) => boolean;
  /** Hand out refresh tokens when asked (`offline_token=true`), so `docker login` stores an identitytoken. */
  refreshTokens?: boolean;
  /** 'oauth' to implement POST; a status (404, 405, 400, 401) to answer every POST with, as servers without POST do. */
  post?: 'oauth' | number;
  /** expires_in in responses, in seconds; the JWT's own exp follows it. */
  expiresIn?: number;
  /** Which field carries the token: Docker's `token`, OAuth's `access_token`, or both (default). */
  tokenField?: 'token' | 'access_token' | 'both';
}

export interface TokenRequest {
  method: string;
  grantType?: string;
  scopes: string[];
  /** The user the request authenticated as; undefined when anonymous or rejected. */
  user?: string;
  /** Whether an Authorization header or form credentials were present at all. */
  credentialsSent: boolean;
  status: number;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** For startRegistry({ token }). */
  registryAuth: TokenAuthConfig;
  requests: TokenRequest[];
  /** Changes how the server behaves from now on (e.g. stop implementing POST). */
  configure(patch: Partial<TokenServerOptions>): void;
  /** Every token and refresh token issued, to check that none leaks. */
  issued: string[];
  stop(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export async function startTokenServer(initial: TokenServerOptions): Promise<TokenServer> {
  const opts: TokenServerOptions = { ...initial };
  const cert: TestCertificate = await makeCertificate('verify-image test token signer');
  const service = 'verify-image-test-registry';
  const issuer = 'verify-image-test-issuer';
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  const refreshTokens = new Map<string, string>(); // refresh token → user

  const jwt = (user: string | undefined, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.flatMap((scope) => grant(scope, user, opts.publicRepositories));
    const header = { typ: 'JWT', alg: 'RS256', x5c: [cert.derBase64] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + (opts.expiresIn ?? 300),
      nbf: now - 5,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    return `${signingInput}.${b64url(sign('sha256', Buffer.from(signingInput), cert.keyPem))}`;
  };

  const answer = (res: ServerResponse, user: string | undefined, scopes: string[], wantRefresh: boolean): void => {
    const token = jwt(user, scopes);
    issued.push(token);
    const body: Record<string, unknown> = { expires_in: opts.expiresIn ?? 300, issued_at: new Date().toISOString() };
    const field = opts.tokenField ?? 'both';
    if (field !== 'access_token') body.token = token;
    if (field !== 'token') body.access_token = token;
    if (wantRefresh && user && opts.refreshTokens) {
      const refresh = `refresh-${randomBytes(12).toString('hex')}`;
      refreshTokens.set(refresh, user);
      issued.push(refresh);
      body.refresh_token = refresh;
    }
    send(res, 200, body);
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => send(res, 500, { errors: [{ code: 'UNKNOWN', message: String(error) }] }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://token.test');
    if (url.pathname !== '/token') return send(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
    const record = (entry: Omit<TokenRequest, 'method'>): void => void requests.push({ method: req.method ?? '', ...entry });

    if (req.method === 'GET') {
      const scopes = url.searchParams.getAll('scope');
      const basic = parseBasic(req.headers.authorization);
      if (basic && opts.users[basic.user] !== basic.password) {
        record({ scopes, credentialsSent: true, status: 401 });
        return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] });
      }
      record({ scopes, user: basic?.user, credentialsSent: Boolean(req.headers.authorization), status: 200 });
      return answer(res, basic?.user, scopes, url.searchParams.get('offline_token') === 'true');
    }

    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const grantType = form.get('grant_type') ?? undefined;
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const credentialsSent = form.has('password') || form.has('refresh_token');
      if (opts.post !== 'oauth') {
        const status = opts.post ?? 404;
        record({ grantType, scopes, credentialsSent, status });
        return send(res, status, { errors: [{ code: 'UNSUPPORTED', message: 'POST is not supported here' }] });
      }
      let user: string | undefined;
      if (grantType === 'password') {
        const name = form.get('username') ?? '';
        if (opts.users[name] === undefined || opts.users[name] !== form.get('password')) {
          record({ grantType, scopes, credentialsSent, status: 401 });
          return send(res, 401, { error: 'invalid_grant', error_description: 'incorrect username or password' });
        }
        user = name;
      } else if (grantType === 'refresh_token') {
        user = refreshTokens.get(form.get('refresh_token') ?? '');
        if (!user) {
          record({ grantType, scopes, credentialsSent, status: 401 });
          return send(res, 401, { error: 'invalid_grant', error_description: 'unknown refresh token' });
        }
      } else {
        record({ grantType, scopes, credentialsSent, status: 400 });
        return send(res, 400, { error: 'unsupported_grant_type' });
      }
      record({ grantType, scopes, user, credentialsSent, status: 200 });
      return answer(res, user, scopes, form.get('access_type') === 'offline');
    }
    send(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'method not allowed' }] });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const realm = `http://127.0.0.1:${port}/token`;
  return {
    realm,
    service,
    issuer,
    registryAuth: { realm, service, issuer, rootCertBundle: cert.certPath },
    requests,
    issued,
    configure: (patch) => void Object.assign(opts, patch),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cert.remove();
    },
  };
}

/** `repository:NAME:pull,push` → the access the caller gets. Names may hold ':' (a port), actions never do. */
function grant(scope: string, user: string | undefined, isPublic?: (repository: string) => boolean): object[] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return [];
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const asked = scope.slice(last + 1).split(',').filter(Boolean);
  if (type !== 'repository') return [];
  const actions = user ? asked : isPublic?.(name) ? asked.filter((a) => a === 'pull') : [];
  return actions.length ? [{ type, name, actions }] : [];
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
