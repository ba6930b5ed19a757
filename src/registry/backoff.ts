// When to try a registry request again: exponential backoff with jitter, `Retry-After` (seconds
// or an HTTP date) honoured up to a cap, and a total deadline past which no retry starts. Pure,
// so the timing rules are tested without waiting.

/** Statuses worth another try: request timeout, rate limit, and the server-side 5xx family. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** First backoff step; each later step doubles it. */
  baseDelayMs: number;
  /** Longest single wait, whether from backoff or from `Retry-After`. */
  maxDelayMs: number;
  /** No retry starts, and no wait ends, later than this long after the first try. */
  deadlineMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 30_000, deadlineMs: 120_000 };

/**
 * "Equal jitter": half of the doubled step is fixed, half random. Spreads clients that failed
 * together (so they do not all come back at once) while still guaranteeing the wait grows.
 * attempt 1 → [base, 2·base), attempt 2 → [2·base, 4·base), … capped at maxDelayMs.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const jittered = step + Math.floor(random() * step);
  return Math.min(jittered, policy.maxDelayMs);
}

/** `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // An HTTP date always names a weekday or month; this keeps Date.parse from reading "12" as a year.
  if (!/[A-Za-z]/.test(v)) return undefined;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export type RetryDecision = { retry: true; waitMs: number } | { retry: false; reason: 'attempts' | 'deadline' | 'retry-after-too-long' };

/**
 * Whether to try again after failed attempt `attempt` (1-based), started at `startedAt`.
 * A `Retry-After` longer than we would wait is not shortened: asking again early only earns
 * another refusal, so the caller reports the refusal instead.
 */
export function decideRetry(
  attempt: number,
  policy: RetryPolicy,
  startedAt: number,
  now: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): RetryDecision {
  if (attempt >= policy.attempts) return { retry: false, reason: 'attempts' };
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) return { retry: false, reason: 'retry-after-too-long' };
  const waitMs = retryAfterMs ?? backoffDelay(attempt, policy, random);
  if (now + waitMs > startedAt + policy.deadlineMs) return { retry: false, reason: 'deadline' };
  return { retry: true, waitMs };
}
