// Pure retry arithmetic, used by the delivery workflow (so it must stay deterministic:
// randomness comes in as a function, which in a workflow is Temporal's seeded Math.random).
import type { RetryPolicy } from './retry-policy-shape';

/** 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts in all (SPEC §5). */
export const defaultRetryPolicy: RetryPolicy = {
  strategy: 'schedule',
  delaysSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000],
  jitter: 0.2,
};

export const DEFAULT_JITTER = 0.2;

/** A repeating policy makes at most this many attempts, over all its runs. */
export const MAX_REPEATING_ATTEMPTS = 200;
/** A repeating policy's un-jittered delays and pauses add up to at most this (30 days). */
export const MAX_REPEATING_SPAN_SECONDS = 30 * 24 * 3600;

/** Attempts in one run of the sequence: the first attempt and one per delay. */
export function attemptsPerSequence(policy: RetryPolicy): number {
  return policy.strategy === 'schedule' ? policy.delaysSeconds.length + 1 : policy.maxAttempts;
}

/** How many times the whole sequence runs: once, plus `repeatCount` repeats. */
export function sequenceRuns(policy: RetryPolicy): number {
  return 1 + (policy.repeatCount ?? 0);
}

/** Every attempt the policy allows, over all runs of the sequence. */
export function maxAttempts(policy: RetryPolicy): number {
  return attemptsPerSequence(policy) * sequenceRuns(policy);
}

/** Where attempt number `attempt` (1-based, counted over all runs) falls: its run and its place in that run, both 1-based. */
export function sequencePosition(policy: RetryPolicy, attempt: number): { run: number; attemptInRun: number } {
  const perRun = attemptsPerSequence(policy);
  return { run: Math.floor((attempt - 1) / perRun) + 1, attemptInRun: ((attempt - 1) % perRun) + 1 };
}

/**
 * The un-jittered delay in seconds after failed attempt `failedAttempt` of one run of the
 * sequence (1-based), or null when it was the run's last.
 */
export function scheduledDelaySeconds(policy: RetryPolicy, failedAttempt: number): number | null {
  if (failedAttempt < 1 || failedAttempt >= attemptsPerSequence(policy)) return null;
  switch (policy.strategy) {
    case 'schedule':
      return policy.delaysSeconds[failedAttempt - 1] ?? null;
    case 'linear':
      return policy.initialDelaySeconds + (failedAttempt - 1) * policy.intervalSeconds;
    case 'exponential':
      return Math.min(policy.maxDelaySeconds, policy.initialDelaySeconds * policy.multiplier ** (failedAttempt - 1));
  }
}

/** Seconds from the first attempt to the last, un-jittered and without Retry-After: every run's delays and every pause. */
export function scheduledSpanSeconds(policy: RetryPolicy): number {
  let perRun = 0;
  for (let attempt = 1; attempt < attemptsPerSequence(policy); attempt++) perRun += scheduledDelaySeconds(policy, attempt) ?? 0;
  const repeats = sequenceRuns(policy) - 1;
  return perRun * (repeats + 1) + repeats * (policy.repeatAfterSeconds ?? 0);
}

export interface NextRetryInput {
  policy: RetryPolicy;
  /** The attempt that just failed, 1-based, counted over all runs of the sequence. */
  failedAttempt: number;
  /** Uniform in [0, 1). */
  random: () => number;
  /** Seconds from a Retry-After header on a 429/503, if any. */
  retryAfterSeconds?: number | null;
}

/**
 * What follows a failed attempt. `retry`: the next attempt of the same run, after `delayMs`.
 * `repeat`: the run is exhausted and another follows after the pause `delayMs`; `run` is the one
 * about to start. `exhausted`: the last run is over, the delivery gives up.
 */
export type RetryStep =
  | { kind: 'retry'; delayMs: number; run: number; attemptInRun: number }
  | { kind: 'repeat'; delayMs: number; run: number }
  | { kind: 'exhausted' };

export function nextRetryStep({ policy, failedAttempt, random, retryAfterSeconds }: NextRetryInput): RetryStep {
  if (failedAttempt < 1 || failedAttempt >= maxAttempts(policy)) return { kind: 'exhausted' };
  const { run, attemptInRun } = sequencePosition(policy, failedAttempt);
  const retry = scheduledDelaySeconds(policy, attemptInRun);
  const delayMs = (baseSeconds: number) => retryDelayMs(policy, baseSeconds, random, retryAfterSeconds);
  if (retry !== null) return { kind: 'retry', delayMs: delayMs(retry), run, attemptInRun: attemptInRun + 1 };
  // maxAttempts counts more runs only when repeatCount > 0, which requires repeatAfterSeconds.
  return { kind: 'repeat', delayMs: delayMs(policy.repeatAfterSeconds ?? 0), run: run + 1 };
}

/** Milliseconds to wait before the next attempt (a retry or a repeat of the sequence), or null when attempts are exhausted. */
export function nextRetryDelayMs(input: NextRetryInput): number | null {
  const step = nextRetryStep(input);
  return step.kind === 'exhausted' ? null : step.delayMs;
}

/** A scheduled delay with jitter applied, then Retry-After honoured: never sooner than the jittered delay nor later than twice it. */
function retryDelayMs(
  policy: RetryPolicy,
  baseSeconds: number,
  random: () => number,
  retryAfterSeconds: number | null | undefined,
): number {
  const jitter = policy.jitter ?? DEFAULT_JITTER;
  const jittered = baseSeconds * 1000 * (1 + jitter * (2 * random() - 1));
  const delay = Math.max(0, Math.round(jittered));
  if (retryAfterSeconds === undefined || retryAfterSeconds === null || !Number.isFinite(retryAfterSeconds)) return delay;
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
