// Pure retry arithmetic, used by the delivery workflow (so it must stay deterministic:
// randomness comes in as a function, which in a workflow is Temporal's seeded Math.random).
import type { RetryPolicy } from './retry-policy';

/** 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts in all (SPEC §5). */
export const defaultRetryPolicy: RetryPolicy = {
  strategy: 'schedule',
  delaysSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000],
  jitter: 0.2,
};

export const DEFAULT_JITTER = 0.2;

export function maxAttempts(policy: RetryPolicy): number {
  return policy.strategy === 'schedule' ? policy.delaysSeconds.length + 1 : policy.maxAttempts;
}

/** The un-jittered delay in seconds after failed attempt number `failedAttempt` (1-based), or null when none follows. */
export function scheduledDelaySeconds(policy: RetryPolicy, failedAttempt: number): number | null {
  if (failedAttempt < 1 || failedAttempt >= maxAttempts(policy)) return null;
  switch (policy.strategy) {
    case 'schedule':
      return policy.delaysSeconds[failedAttempt - 1] ?? null;
    case 'linear':
      return policy.initialDelaySeconds + (failedAttempt - 1) * policy.intervalSeconds;
    case 'exponential':
      return Math.min(policy.maxDelaySeconds, policy.initialDelaySeconds * policy.multiplier ** (failedAttempt - 1));
  }
}

export interface NextRetryInput {
  policy: RetryPolicy;
  /** The attempt that just failed, 1-based. */
  failedAttempt: number;
  /** Uniform in [0, 1). */
  random: () => number;
  /** Seconds from a Retry-After header on a 429/503, if any. */
  retryAfterSeconds?: number | null;
}

/** Milliseconds to wait before the next attempt, or null when attempts are exhausted. */
export function nextRetryDelayMs({ policy, failedAttempt, random, retryAfterSeconds }: NextRetryInput): number | null {
  const base = scheduledDelaySeconds(policy, failedAttempt);
  if (base === null) return null;
  const jitter = policy.jitter ?? DEFAULT_JITTER;
  const jittered = base * 1000 * (1 + jitter * (2 * random() - 1));
  const delay = Math.max(0, Math.round(jittered));
  if (retryAfterSeconds === undefined || retryAfterSeconds === null || !Number.isFinite(retryAfterSeconds)) return delay;
  // Honour Retry-After, but never sooner than scheduled nor later than twice that.
  return Math.min(Math.max(Math.round(retryAfterSeconds * 1000), delay), 2 * delay);
}

/** Parses a Retry-After value (delta-seconds or HTTP-date) relative to `now`. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP-date names its weekday and month; anything else ("-5", "2026") is not one.
  if (!/^[A-Za-z]{3},/.test(trimmed)) return null;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}
