// HTTP transport for registry traffic: one undici request with our own redirect loop (so the
// Authorization header never crosses origins and https never downgrades), bounded retries for
// idempotent requests, and size-capped body reading. Everything above this file speaks in
// URLs and statuses, never in sockets.

import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { VerifyImageError } from '../errors.js';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sent only to the request's own origin; dropped when a redirect leaves it. */
  authorization?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The URL that finally answered, after redirects. */
  url: string;
  body: Dispatcher.ResponseData['body'];
}

export interface TransportOptions {
  /** May this URL be spoken to over plain http? (loopback and insecure-registries only) */
  allowHttp: (url: URL) => boolean;
  maxRedirects?: number;
  attempts?: number;
  /** Longest we honour a Retry-After, in ms. */
  maxRetryDelayMs?: number;
  userAgent?: string;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

// Timeouts are on silence, not on total time: a 5 GiB layer may take minutes, a stalled one should not.
const agent = new Agent({
  connectTimeout: 15_000,
  headersTimeout: 60_000,
  bodyTimeout: 60_000,
  keepAliveTimeout: 10_000,
});

export function header(res: { headers: HttpResponse['headers'] }, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Sends one request, following redirects and retrying transient failures. The caller owns the body. */
export async function send(req: HttpRequest, opts: TransportOptions): Promise<HttpResponse> {
  const attempts = req.method === 'POST' ? 1 : (opts.attempts ?? 4);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await sendFollowingRedirects(req, opts);
      if (RETRYABLE_STATUS.has(res.status) && attempt < attempts) {
        const wait = retryDelay(header(res, 'retry-after'), attempt, opts.maxRetryDelayMs ?? 30_000);
        await res.body.dump().catch(() => undefined);
        await sleep(wait);
        continue;
      }
      return res;
    } catch (err) {
      if (err instanceof VerifyImageError || attempt >= attempts || !isTransient(err)) throw toConnectionError(err, req.url);
      lastError = err;
      await sleep(retryDelay(undefined, attempt, opts.maxRetryDelayMs ?? 30_000));
    }
  }
  throw toConnectionError(lastError, req.url);
}

async function sendFollowingRedirects(req: HttpRequest, opts: TransportOptions): Promise<HttpResponse> {
  const origin = new URL(req.url).origin;
  let url = new URL(req.url);
  const maxRedirects = opts.maxRedirects ?? 10;
  for (let hop = 0; ; hop++) {
    if (url.protocol === 'http:' && !opts.allowHttp(url)) {
      throw new VerifyImageError(
        'protocol',
        `refusing plain http to ${url.host}: only loopback hosts and hosts listed in insecure-registries may use http`,
      );
    }
    const headers: Record<string, string> = {
      'user-agent': opts.userAgent ?? 'verify-image',
      'accept-encoding': 'identity',
      ...req.headers,
    };
    if (req.authorization && url.origin === origin) headers.authorization = req.authorization;
    const res = await request(url, {
      method: req.method,
      headers,
      body: req.body,
      dispatcher: agent,
    });
    const location = header(res, 'location');
    if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304 && location) {
      await res.body.dump().catch(() => undefined);
      if (hop >= maxRedirects) {
        throw new VerifyImageError('protocol', `too many redirects (over ${maxRedirects}) fetching ${req.url}`);
      }
      const next = new URL(location, url);
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new VerifyImageError('protocol', `refusing redirect from https to http (${next.host}) fetching ${redact(req.url)}`);
      }
      url = next;
      continue;
    }
    return { status: res.statusCode, headers: res.headers, url: url.toString(), body: res.body };
  }
}

/** Reads a whole body, refusing to hold more than `cap` bytes. */
export async function readCapped(body: HttpResponse['body'], cap: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > cap) {
      body.destroy();
      throw new VerifyImageError('protocol', `${what} is larger than ${cap} bytes; refusing to read it`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

/** Turns a registry error body into one readable line, e.g. `MANIFEST_UNKNOWN: manifest unknown`. */
export async function errorLine(res: HttpResponse): Promise<string> {
  let text: string;
  try {
    text = (await readCapped(res.body, 64 * 1024, 'error body')).toString('utf8');
  } catch {
    return `HTTP ${res.status}`;
  }
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      return parsed.errors
        .map((e) => [e.code, e.message].filter(Boolean).join(': '))
        .join('; ')
        .slice(0, 300);
    }
  } catch {
    // not JSON: some registries (ECR) answer plain text
  }
  const plain = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return plain ? `HTTP ${res.status}: ${plain}` : `HTTP ${res.status}`;
}

function retryDelay(retryAfter: string | undefined, attempt: number, capMs: number): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, capMs);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.min(Math.max(0, date - Date.now()), capMs);
  }
  const base = 250 * 2 ** (attempt - 1);
  return Math.min(base + Math.random() * base, capMs);
}

function isTransient(err: unknown): boolean {
  if (err instanceof undiciErrors.UndiciError) {
    return !(err instanceof undiciErrors.InvalidArgumentError);
  }
  const code = (err as { code?: string } | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN';
}

function toConnectionError(err: unknown, url: string): Error {
  if (err instanceof VerifyImageError) return err;
  const u = new URL(url);
  const code = (err as { code?: string } | undefined)?.code;
  const reason = code ?? (err instanceof Error ? err.message : String(err));
  return new VerifyImageError(
    'unreachable',
    `cannot reach registry ${u.host} (${reason}): check the registry address and that it is up`,
  );
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
