// Docker Hub's pull quota as its registry reports it (`ratelimit-limit: 100;w=21600`,
// `ratelimit-remaining: 76;w=21600`): read from any response, reported once when it runs low,
// and quoted when the registry finally answers 429. Parsing is pure.

import type { Logger } from '../log.js';
import { header, type HttpResponse } from './http.js';

export interface RateLimit {
  limit?: number;
  remaining: number;
  /** The window the quota is counted over, in seconds. */
  windowSeconds?: number;
}

/** Parses `N` or `N;w=SECONDS` (RFC draft syntax); undefined when absent or unreadable. */
function parseQuota(value: string | undefined): { n: number; w?: number } | undefined {
  if (!value) return undefined;
  const [count, ...params] = value.split(';');
  const n = Number(count?.trim());
  if (!count?.trim() || !Number.isInteger(n) || n < 0) return undefined;
  const w = params.map((p) => /^\s*w\s*=\s*(\d+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
  return { n, w: w === undefined ? undefined : Number(w) };
}

export function parseRateLimit(headers: { headers: HttpResponse['headers'] }): RateLimit | undefined {
  const remaining = parseQuota(header(headers, 'ratelimit-remaining'));
  if (!remaining) return undefined;
  const limit = parseQuota(header(headers, 'ratelimit-limit'));
  return { limit: limit?.n, remaining: remaining.n, windowSeconds: remaining.w ?? limit?.w };
}

/** Low means at most a tenth of the quota, or at most 10 pulls when the quota is not given. */
export function isLow(r: RateLimit): boolean {
  return r.limit !== undefined && r.limit > 0 ? r.remaining <= Math.max(1, Math.floor(r.limit / 10)) : r.remaining <= 10;
}

export function describeRateLimit(r: RateLimit): string {
  const window = r.windowSeconds ? ` per ${humanWindow(r.windowSeconds)}` : '';
  return r.limit !== undefined ? `${r.remaining} of ${r.limit} pulls left${window}` : `${r.remaining} pulls left${window}`;
}

function humanWindow(s: number): string {
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

/** Watches a client's responses and warns once when the quota runs low. */
export class RateLimitWatcher {
  private warned = false;
  last: RateLimit | undefined;

  constructor(
    private readonly registry: string,
    private readonly logger: Logger,
  ) {}

  observe(res: { headers: HttpResponse['headers'] }): void {
    const r = parseRateLimit(res);
    if (!r) return;
    this.last = r;
    if (this.warned || !isLow(r)) return;
    this.warned = true;
    this.logger.warning(
      `${this.registry} pull rate limit is running low: ${describeRateLimit(r)}: log in (docker/login-action) for a higher limit, or pull less often`,
    );
  }
}
