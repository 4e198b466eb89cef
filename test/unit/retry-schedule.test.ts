import { retryPolicySchema, type RetryPolicy } from '../../src/domain/retry-policy';
import { defaultRetryPolicy, maxAttempts, nextRetryDelayMs, parseRetryAfter, scheduledDelaySeconds } from '../../src/domain/retry-schedule';

const noJitter = () => 0.5; // 2·0.5 − 1 = 0: exactly the scheduled delay
const allDelays = (policy: RetryPolicy) => Array.from({ length: maxAttempts(policy) }, (_, i) => scheduledDelaySeconds(policy, i + 1));

describe('retry schedule', () => {
  it('defaults to 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts in all', () => {
    expect(maxAttempts(defaultRetryPolicy)).toBe(8);
    expect(allDelays(defaultRetryPolicy)).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000, null]);
  });

  it('applies ±20% jitter by default, at the extremes and in between', () => {
    expect(nextRetryDelayMs({ policy: defaultRetryPolicy, failedAttempt: 2, random: () => 0 })).toBe(240_000);
    expect(nextRetryDelayMs({ policy: defaultRetryPolicy, failedAttempt: 2, random: () => 0.999999 })).toBeCloseTo(360_000, -2);
    expect(nextRetryDelayMs({ policy: defaultRetryPolicy, failedAttempt: 2, random: noJitter })).toBe(300_000);
    for (let i = 0; i < 200; i++) {
      const delay = nextRetryDelayMs({ policy: defaultRetryPolicy, failedAttempt: 1, random: Math.random })!;
      expect(delay).toBeGreaterThanOrEqual(4000);
      expect(delay).toBeLessThanOrEqual(6000);
    }
  });

  it('expresses "retry in 5 min, then in 10 min, stop after 3 failed attempts" exactly', () => {
    const policy = retryPolicySchema.parse({ strategy: 'schedule', delaysSeconds: [300, 600], jitter: 0 });
    expect(maxAttempts(policy)).toBe(3);
    expect(nextRetryDelayMs({ policy, failedAttempt: 1, random: Math.random })).toBe(300_000);
    expect(nextRetryDelayMs({ policy, failedAttempt: 2, random: Math.random })).toBe(600_000);
    expect(nextRetryDelayMs({ policy, failedAttempt: 3, random: Math.random })).toBeNull();
  });

  it('computes linear delays as initial + (k−1)·interval', () => {
    const policy = retryPolicySchema.parse({
      strategy: 'linear',
      initialDelaySeconds: 300,
      intervalSeconds: 300,
      maxAttempts: 4,
      jitter: 0,
    });
    expect(allDelays(policy)).toEqual([300, 600, 900, null]);
  });

  it('computes exponential delays capped at the maximum', () => {
    const policy = retryPolicySchema.parse({
      strategy: 'exponential',
      initialDelaySeconds: 5,
      multiplier: 2,
      maxDelaySeconds: 30,
      maxAttempts: 7,
    });
    expect(allDelays(policy)).toEqual([5, 10, 20, 30, 30, 30, null]);
  });

  it('gives up at once for a policy with no delays (a single attempt)', () => {
    const policy = retryPolicySchema.parse({ strategy: 'schedule', delaysSeconds: [] });
    expect(maxAttempts(policy)).toBe(1);
    expect(nextRetryDelayMs({ policy, failedAttempt: 1, random: Math.random })).toBeNull();
  });

  it('honours Retry-After between the scheduled delay and twice it', () => {
    const policy = retryPolicySchema.parse({ strategy: 'schedule', delaysSeconds: [300], jitter: 0 });
    const next = (retryAfterSeconds: number | null) =>
      nextRetryDelayMs({ policy, failedAttempt: 1, random: Math.random, retryAfterSeconds });
    expect(next(null)).toBe(300_000);
    expect(next(10)).toBe(300_000); // never sooner than scheduled
    expect(next(450)).toBe(450_000);
    expect(next(5000)).toBe(600_000); // never later than twice the schedule
    expect(nextRetryDelayMs({ policy, failedAttempt: 2, random: Math.random, retryAfterSeconds: 10 })).toBeNull();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 7 ', now)).toBe(7);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });

  it('rejects malformed policies', () => {
    const bad = [
      { strategy: 'schedule' },
      { strategy: 'schedule', delaysSeconds: [0] },
      { strategy: 'schedule', delaysSeconds: [5], jitter: 2 },
      { strategy: 'linear', initialDelaySeconds: 5, intervalSeconds: 5 },
      { strategy: 'exponential', initialDelaySeconds: 5, multiplier: 0.5, maxDelaySeconds: 10, maxAttempts: 3 },
      { strategy: 'fibonacci' },
      { strategy: 'schedule', delaysSeconds: [5], extra: true },
    ];
    for (const policy of bad) expect(retryPolicySchema.safeParse(policy).success).toBe(false);
  });
});
