import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError } from './errors.ts';

/**
 * How often and how long to try an operation that failed with a retryable
 * error (5xx, 429, connection refused/reset, timeout). Both bounds hold:
 * at most `attempts` tries, and no new try starts after `maxElapsedMs`.
 */
export interface RetryPolicy {
  /** Total tries, the first included. @default 5 */
  readonly attempts: number;
  /** Delay before the second try; doubles for each further try. @default 500 */
  readonly baseDelayMs: number;
  /** Upper bound of one delay (also caps a registry's Retry-After). @default 8000 */
  readonly maxDelayMs: number;
  /** No try starts later than this after the first. @default 60000 */
  readonly maxElapsedMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 8_000, maxElapsedMs: 60_000 };

/** What a retry looked like, for progress output and tests. */
export interface RetryNotice {
  readonly what: string;
  /** The try that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or the policy is exhausted. */
export async function withRetry<T>(what: string, policy: RetryPolicy, fn: (attempt: number) => Promise<T>, onRetry?: (n: RetryNotice) => void | Promise<void>): Promise<T> {
  const start = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof RegistryError) || !e.retryable) throw e;
      const delayMs = retryDelay(policy, attempt, e.retryAfterMs);
      const elapsed = Date.now() - start;
      if (attempt >= policy.attempts || elapsed + delayMs > policy.maxElapsedMs) {
        throw new RegistryError(`${e.message} (gave up after ${attempt} ${attempt === 1 ? 'try' : 'tries'} in ${(elapsed / 1000).toFixed(1)}s)`, {
          ...(e.status === undefined ? {} : { status: e.status }),
          ...(e.code === undefined ? {} : { code: e.code }),
          retryable: false,
          cause: e,
        });
      }
      await onRetry?.({ what, attempt, delayMs, reason: e.message });
      await sleep(delayMs);
    }
  }
}

/** The delay after the `attempt`-th failed try: exponential, at least a registry's Retry-After, capped. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.min(policy.maxDelayMs, Math.max(backoff, retryAfterMs ?? 0));
}

/** Retry-After as milliseconds (seconds or an HTTP date), if present and sane. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^[0-9]+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
