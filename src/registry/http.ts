// HTTP transport for registry traffic: one undici request with our own redirect loop (so the
// Authorization header never crosses origins and https never downgrades), bounded retries with
// backoff for idempotent requests, timeouts on silence, and size-capped body reading that turns
// a broken body into an error the caller may retry. Everything above this file speaks in URLs
// and statuses, never in sockets.

import type { Readable } from 'node:stream';
import { Agent, errors as undiciErrors, request } from './undici.js';
import { VerifyImageError } from '../errors.js';
import { DEFAULT_RETRY, decideRetry, parseRetryAfter, RETRYABLE_STATUS, type RetryPolicy } from './backoff.js';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sent only to the request's own origin; dropped when a redirect leaves it. */
  authorization?: string;
}

/** A response body: a byte stream we can also throw away. undici's bodies and our resuming blob streams both are. */
export type ResponseBody = Readable & { dump(): Promise<void> };

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The URL that finally answered, after redirects. */
  url: string;
  body: ResponseBody;
  /** The body-idle timeout this response was read under, for messages. */
  idleTimeoutMs: number;
}

/** Timeouts are on silence, not on total time: a 5 GiB layer may take minutes, a stalled one should not. */
export interface Timeouts {
  connectMs: number;
  /** From the request until the response headers. */
  headersMs: number;
  /** Longest gap between two chunks of a body. */
  bodyIdleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 15_000, headersMs: 60_000, bodyIdleMs: 60_000 };

/** Timeouts for a `registry-timeout` of `ms`: connecting never needs longer than 15 s. */
export function timeoutsFor(ms: number): Timeouts {
  return { connectMs: Math.min(ms, DEFAULT_TIMEOUTS.connectMs), headersMs: ms, bodyIdleMs: ms };
}

export interface TransportOptions {
  /** May this URL be spoken to over plain http? (loopback and insecure-registries only) */
  allowHttp: (url: URL) => boolean;
  maxRedirects?: number;
  retry?: Partial<RetryPolicy>;
  timeouts?: Timeouts;
  userAgent?: string;
}

const agents = new Map<string, Agent>();

/** One connection pool per set of timeouts, shared by every client that uses them. */
function agentFor(t: Timeouts): Agent {
  const key = `${t.connectMs}/${t.headersMs}/${t.bodyIdleMs}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connectTimeout: t.connectMs, headersTimeout: t.headersMs, bodyTimeout: t.bodyIdleMs, keepAliveTimeout: 10_000 });
    agents.set(key, agent);
  }
  return agent;
}

export function header(res: { headers: HttpResponse['headers'] }, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Sends one request, following redirects and retrying transient failures (connection errors,
 * 408/429/5xx) with backoff, within the retry deadline. A retryable status that is still there
 * when we give up is returned, so the caller can say what the registry said. The caller owns the body.
 */
export async function send(req: HttpRequest, opts: TransportOptions): Promise<HttpResponse> {
  // A POST (token requests) is not known to be idempotent: one try.
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry, ...(req.method === 'POST' ? { attempts: 1 } : {}) };
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    let res: HttpResponse;
    try {
      res = await sendFollowingRedirects(req, opts);
    } catch (err) {
      if (err instanceof VerifyImageError || !isTransient(err)) throw connectionError(err, req.url, opts, attempt);
      const decision = decideRetry(attempt, policy, startedAt, Date.now());
      if (!decision.retry) throw connectionError(err, req.url, opts, attempt);
      await sleep(decision.waitMs);
      continue;
    }
    if (!RETRYABLE_STATUS.has(res.status)) return res;
    const retryAfter = parseRetryAfter(header(res, 'retry-after'), Date.now());
    const decision = decideRetry(attempt, policy, startedAt, Date.now(), retryAfter);
    if (!decision.retry) return res;
    await discard(res);
    await sleep(decision.waitMs);
  }
}

/**
 * Follows redirects as Go's http.Client does, and stricter where a secret could travel: a 301, 302
 * or 303 turns a POST into a GET without a body (HEAD and GET stay as they are); a 307 or 308 keeps
 * the method and the body only while it stays on the origin the request was meant for — a body
 * (a token request's form, with the password or refresh token) is never resent to another origin,
 * so that redirect is an error. `Authorization` goes to the first origin only.
 */
async function sendFollowingRedirects(req: HttpRequest, opts: TransportOptions): Promise<HttpResponse> {
  const origin = new URL(req.url).origin;
  let url = new URL(req.url);
  let method = req.method;
  let body = req.body;
  let extraHeaders = { ...req.headers };
  const maxRedirects = opts.maxRedirects ?? 10;
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new VerifyImageError('protocol', `refusing to fetch ${redact(url.toString())}: only https and http are spoken`);
    }
    if (url.protocol === 'http:' && !opts.allowHttp(url)) {
      throw new VerifyImageError(
        'protocol',
        `refusing plain http to ${url.host}: only loopback hosts and hosts listed in insecure-registries may use http`,
      );
    }
    const headers: Record<string, string> = {
      'user-agent': opts.userAgent ?? 'verify-image',
      // We hash what the registry stored: never let a proxy or undici decode it for us.
      'accept-encoding': 'identity',
      ...extraHeaders,
    };
    if (req.authorization && url.origin === origin) headers.authorization = req.authorization;
    // undici closes the connection after every HEAD (for servers that wrongly send a body with
    // it); our HEADs are tag probes, one per image in an audit, and a new connection each is a
    // TCP and TLS handshake each. A registry answering HEAD with a body would break the next
    // response on that connection: a transient error, retried on a new one.
    const res = await request(url, { method, headers, body, dispatcher: agentFor(timeouts), ...(method === 'HEAD' ? { reset: false } : {}) });
    const location = header(res, 'location');
    const status = res.statusCode;
    if (REDIRECTS.has(status) && location) {
      await res.body.dump().catch(() => undefined);
      if (hop >= maxRedirects) {
        throw new VerifyImageError('protocol', `too many redirects (over ${maxRedirects}) fetching ${redact(req.url)}: the registry or its CDN is misconfigured`);
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new VerifyImageError('protocol', `${url.host} answered ${status} with a Location that is not a URL, fetching ${redact(req.url)}`);
      }
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new VerifyImageError(
          'protocol',
          `refusing a redirect from https to plain http (${next.host}) fetching ${redact(req.url)}: the registry must keep its downloads on https`,
        );
      }
      if (status === 307 || status === 308) {
        if (body !== undefined && next.origin !== origin) {
          throw new VerifyImageError(
            'protocol',
            `${url.host} redirected a ${method} to ${redact(req.url)} to another origin (${next.host}, HTTP ${status}); refusing to resend its body, which may hold credentials: fix the server's redirect`,
          );
        }
      } else if (method !== 'GET' && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
        extraHeaders = withoutBodyHeaders(extraHeaders);
      }
      url = next;
      continue;
    }
    return { status, headers: res.headers, url: url.toString(), body: res.body, idleTimeoutMs: timeouts.bodyIdleMs };
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !/^content-/i.test(name)));
}

/** A body broke off while being read (reset, truncation, silence): reading it again may work. */
export class InterruptedBodyError extends VerifyImageError {
  constructor(message: string) {
    super('unreachable', message);
  }
}

/** Drains and drops a body we do not need, so the connection can be reused. */
export async function discard(res: HttpResponse): Promise<void> {
  await res.body.dump().catch(() => undefined);
}

/**
 * Reads a whole body, refusing to hold more than `cap` bytes (by Content-Length before reading,
 * and by counting while reading). A broken connection becomes an InterruptedBodyError.
 * `overCap` makes the error for a body over the cap, when the caller can say more.
 */
export async function readCapped(res: HttpResponse, cap: number, what: string, overCap?: () => VerifyImageError): Promise<Buffer> {
  const tooLarge = (): VerifyImageError =>
    overCap?.() ??
    new VerifyImageError('protocol', `${what} is larger than ${cap} bytes; refusing to read it: check that ${new URL(res.url).host} serves what the reference names`);
  const declared = Number(header(res, 'content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    res.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      total += buf.length;
      if (total > cap) {
        res.body.destroy();
        throw tooLarge();
      }
      chunks.push(buf);
    }
  } catch (err) {
    if (err instanceof VerifyImageError) throw err;
    throw bodyError(err, res, what);
  }
  return Buffer.concat(chunks, total);
}

/** Is this error from reading a body one that another request might not hit? */
export function isTransientBodyError(err: unknown): boolean {
  if (err instanceof InterruptedBodyError) return true;
  if (err instanceof VerifyImageError) return false;
  if (err instanceof undiciErrors.RequestAbortedError) return false;
  return isTransient(err);
}

/** The one-line error for a body that broke off. */
export function bodyError(err: unknown, res: HttpResponse, what: string): VerifyImageError {
  if (err instanceof VerifyImageError) return err;
  const host = new URL(res.url).host;
  if (!isTransientBodyError(err)) {
    return new VerifyImageError('unreachable', `reading ${what} from ${host} failed (${reasonOf(err)}): try again later`);
  }
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return new InterruptedBodyError(
      `${host} stopped sending ${what} (nothing for ${seconds(res.idleTimeoutMs)}): try again later, or raise registry-timeout if the registry is that slow`,
    );
  }
  return new InterruptedBodyError(`the connection to ${host} broke while sending ${what} (${reasonOf(err)}): try again later`);
}

/** Turns a registry error body into one readable line, e.g. `MANIFEST_UNKNOWN: manifest unknown`. */
export async function errorLine(res: HttpResponse): Promise<string> {
  let text: string;
  try {
    text = (await readCapped(res, 64 * 1024, 'error body')).toString('utf8');
  } catch {
    return `HTTP ${res.status}`;
  }
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      const line = parsed.errors
        .map((e) => [e?.code, e?.message].filter((part) => typeof part === 'string' && part).join(': '))
        .filter(Boolean)
        .join('; ');
      if (line) return oneLineText(line, 300);
    }
  } catch {
    // not JSON: some registries (ECR) answer plain text
  }
  const plain = oneLineText(text, 200);
  return plain ? `HTTP ${res.status}: ${plain}` : `HTTP ${res.status}`;
}

/**
 * Outside text (an error body) as one short line without what a server may echo back of our
 * request: query strings are cut (`?…`), and the values of credential-like parameters
 * (`password=…`, `"refresh_token": "…"`) are masked, whatever else scrubbing finds later.
 */
export function oneLineText(text: string, max: number): string {
  const line = text
    .replace(/\?[^\s"'<>=?]*=[^\s"'<>]*/g, '?…')
    .replace(CREDENTIAL_PARAM, '$1***')
    .replace(CREDENTIAL_FIELD, '$1***"')
    .replace(/\s+/g, ' ')
    .trim();
  // Cut at a word boundary: half a word may be half a secret that scrubbing can no longer recognise.
  return line.length <= max ? line : `${line.slice(0, max).replace(/\S*$/, '').trimEnd()}…`;
}

const CREDENTIAL_NAMES = '(?:password|passwd|secret|client_secret|token|access_token|refresh_token|id_token|identitytoken|registrytoken|auth|authorization)';
const CREDENTIAL_PARAM = new RegExp(`(\\b${CREDENTIAL_NAMES}=)[^&\\s"'<>]*`, 'gi');
const CREDENTIAL_FIELD = new RegExp(`("${CREDENTIAL_NAMES}"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*"`, 'gi');

function isTransient(err: unknown): boolean {
  if (err instanceof undiciErrors.UndiciError) {
    return !(err instanceof undiciErrors.InvalidArgumentError) && !(err instanceof undiciErrors.RequestAbortedError);
  }
  const code = codeOf(err);
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN';
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function connectionError(err: unknown, url: string, opts: TransportOptions, attempts: number): Error {
  if (err instanceof VerifyImageError) return err;
  const host = new URL(url).host;
  const code = codeOf(err);
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  const tries = attempts > 1 ? `, ${attempts} tries` : '';
  if (code && TLS_TRUST_CODES.has(code)) {
    return new VerifyImageError(
      'unreachable',
      `the TLS certificate of ${host} is not trusted (${code}): give the registry a certificate from a trusted CA, or point NODE_EXTRA_CA_CERTS at its CA`,
    );
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new VerifyImageError('unreachable', `cannot reach registry ${host} (no connection within ${seconds(timeouts.connectMs)}${tries}): check the registry address and that it is up`);
  }
  if (err instanceof undiciErrors.HeadersTimeoutError) {
    return new VerifyImageError(
      'unreachable',
      `registry ${host} did not answer within ${seconds(timeouts.headersMs)}${tries}: try again later, or raise registry-timeout if the registry is that slow`,
    );
  }
  return new VerifyImageError('unreachable', `cannot reach registry ${host} (${reasonOf(err)}${tries}): check the registry address and that it is up`);
}

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

function reasonOf(err: unknown): string {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code && !code.startsWith('UND_ERR')) return code;
  return oneLineText(message, 120) || code || 'unknown error';
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** URLs can carry presigned query strings; keep them out of messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<url>';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
