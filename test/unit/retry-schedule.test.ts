import { retryPolicySchema, type RetryPolicy } from '../../src/domain/retry-policy';
import {
  MAX_REPEATING_ATTEMPTS,
  attemptsPerSequence,
  defaultRetryPolicy,
  maxAttempts,
  nextRetryDelayMs,
  nextRetryStep,
  parseRetryAfter,
  scheduledDelaySeconds,
  scheduledSpanSeconds,
  sequencePosition,
} from '../../src/domain/retry-schedule';

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

describe('retry sequences that repeat', () => {
  const repeating = retryPolicySchema.parse({
    strategy: 'schedule',
    delaysSeconds: [10, 20],
    jitter: 0,
    repeatCount: 2,
    repeatAfterSeconds: 3600,
  });
  const steps = (policy: RetryPolicy, random: () => number = noJitter) =>
    Array.from({ length: maxAttempts(policy) }, (_, i) => nextRetryStep({ policy, failedAttempt: i + 1, random }));

  it('counts every run in maxAttempts and maps an attempt to its run and its place in the run', () => {
    expect(attemptsPerSequence(repeating)).toBe(3);
    expect(maxAttempts(repeating)).toBe(9);
    expect(Array.from({ length: 9 }, (_, i) => sequencePosition(repeating, i + 1))).toEqual([
      { run: 1, attemptInRun: 1 },
      { run: 1, attemptInRun: 2 },
      { run: 1, attemptInRun: 3 },
      { run: 2, attemptInRun: 1 },
      { run: 2, attemptInRun: 2 },
      { run: 2, attemptInRun: 3 },
      { run: 3, attemptInRun: 1 },
      { run: 3, attemptInRun: 2 },
      { run: 3, attemptInRun: 3 },
    ]);
  });

  it('runs the sequence, pauses, runs it again, and gives up after the last run', () => {
    expect(steps(repeating)).toEqual([
      { kind: 'retry', delayMs: 10_000, run: 1, attemptInRun: 2 },
      { kind: 'retry', delayMs: 20_000, run: 1, attemptInRun: 3 },
      { kind: 'repeat', delayMs: 3_600_000, run: 2 },
      { kind: 'retry', delayMs: 10_000, run: 2, attemptInRun: 2 },
      { kind: 'retry', delayMs: 20_000, run: 2, attemptInRun: 3 },
      { kind: 'repeat', delayMs: 3_600_000, run: 3 },
      { kind: 'retry', delayMs: 10_000, run: 3, attemptInRun: 2 },
      { kind: 'retry', delayMs: 20_000, run: 3, attemptInRun: 3 },
      { kind: 'exhausted' },
    ]);
    expect(nextRetryStep({ policy: repeating, failedAttempt: 10, random: noJitter })).toEqual({ kind: 'exhausted' });
    expect(nextRetryDelayMs({ policy: repeating, failedAttempt: 3, random: noJitter })).toBe(3_600_000);
    expect(nextRetryDelayMs({ policy: repeating, failedAttempt: 9, random: noJitter })).toBeNull();
  });

  it('repeats linear and exponential sequences from their first delay', () => {
    const linear = retryPolicySchema.parse({
      strategy: 'linear',
      initialDelaySeconds: 60,
      intervalSeconds: 60,
      maxAttempts: 3,
      jitter: 0,
      repeatCount: 1,
      repeatAfterSeconds: 600,
    });
    expect(steps(linear).map((step) => (step.kind === 'exhausted' ? null : step.delayMs / 1000))).toEqual([60, 120, 600, 60, 120, null]);
    const exponential = retryPolicySchema.parse({
      strategy: 'exponential',
      initialDelaySeconds: 5,
      multiplier: 2,
      maxDelaySeconds: 15,
      maxAttempts: 4,
      jitter: 0,
      repeatCount: 1,
      repeatAfterSeconds: 60,
    });
    expect(steps(exponential).map((step) => (step.kind === 'exhausted' ? null : step.delayMs / 1000))).toEqual([
      5,
      10,
      15,
      60,
      5,
      10,
      15,
      null,
    ]);
  });

  it('repeats a single-attempt sequence: one attempt per run, a pause between', () => {
    const single = retryPolicySchema.parse({ strategy: 'schedule', delaysSeconds: [], jitter: 0, repeatCount: 3, repeatAfterSeconds: 60 });
    expect(maxAttempts(single)).toBe(4);
    expect(steps(single).map((step) => step.kind)).toEqual(['repeat', 'repeat', 'repeat', 'exhausted']);
  });

  it('jitters the pause like any delay and honours Retry-After on it within [pause, 2× pause]', () => {
    const jittered = { ...repeating, jitter: 0.2 };
    expect(nextRetryDelayMs({ policy: jittered, failedAttempt: 3, random: () => 0 })).toBe(2_880_000);
    expect(nextRetryDelayMs({ policy: jittered, failedAttempt: 3, random: () => 0.999999 })).toBeCloseTo(4_320_000, -3);
    const pause = (retryAfterSeconds: number) =>
      nextRetryDelayMs({ policy: repeating, failedAttempt: 3, random: noJitter, retryAfterSeconds });
    expect(pause(10)).toBe(3_600_000);
    expect(pause(5000)).toBe(5_000_000);
    expect(pause(100_000)).toBe(7_200_000);
  });

  it('leaves policies without repeatCount as they were (repeatCount 0 runs once)', () => {
    const once = retryPolicySchema.parse({ strategy: 'schedule', delaysSeconds: [10, 20], jitter: 0, repeatCount: 0 });
    expect(maxAttempts(once)).toBe(3);
    expect(steps(once).map((step) => step.kind)).toEqual(['retry', 'retry', 'exhausted']);
    expect(steps(defaultRetryPolicy).map((step) => step.kind)).toEqual([...Array<string>(7).fill('retry'), 'exhausted']);
  });

  it('adds up the span of every run and pause, un-jittered', () => {
    expect(scheduledSpanSeconds(repeating)).toBe(3 * 30 + 2 * 3600);
    expect(scheduledSpanSeconds(defaultRetryPolicy)).toBe(5 + 300 + 1800 + 7200 + 18000 + 36000 + 36000);
  });

  it('rejects repeating policies out of bounds, naming the field', () => {
    const issues = (policy: unknown) =>
      (retryPolicySchema.safeParse(policy).error?.issues ?? []).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const base = { strategy: 'schedule', delaysSeconds: [10], jitter: 0 };
    expect(issues({ ...base, repeatCount: 1 })).toEqual([{ path: 'repeatAfterSeconds', message: 'required when repeatCount is above 0' }]);
    expect(issues({ ...base, repeatCount: 11, repeatAfterSeconds: 60 })[0]?.path).toBe('repeatCount');
    expect(issues({ ...base, repeatCount: -1, repeatAfterSeconds: 60 })[0]?.path).toBe('repeatCount');
    expect(issues({ ...base, repeatCount: 1.5, repeatAfterSeconds: 60 })[0]?.path).toBe('repeatCount');
    expect(issues({ ...base, repeatCount: 1, repeatAfterSeconds: 59 })[0]?.path).toBe('repeatAfterSeconds');
    expect(issues({ ...base, repeatCount: 1, repeatAfterSeconds: 7 * 24 * 3600 + 1 })[0]?.path).toBe('repeatAfterSeconds');
    // 50 attempts per run, 5 runs: 250 attempts.
    const tooMany = issues({
      strategy: 'linear',
      initialDelaySeconds: 1,
      intervalSeconds: 0,
      maxAttempts: 50,
      repeatCount: 4,
      repeatAfterSeconds: 60,
    });
    expect(tooMany).toEqual([
      { path: 'repeatCount', message: `the sequence repeated 4 times makes 250 attempts; at most ${MAX_REPEATING_ATTEMPTS} are allowed` },
    ]);
    // Five days of pauses six times over: past 30 days.
    const tooLong = issues({ ...base, repeatCount: 6, repeatAfterSeconds: 5 * 24 * 3600 });
    expect(tooLong).toHaveLength(1);
    expect(tooLong[0]).toMatchObject({ path: 'repeatCount', message: expect.stringContaining('at most 2592000 s (30 days)') });
    // The longest default-like repeat stays inside the bounds.
    expect(issues({ ...defaultRetryPolicy, repeatCount: 10, repeatAfterSeconds: 86_400 })).toEqual([]);
  });

  it('keeps accepting long policies that do not repeat, as stored before repeats existed', () => {
    const long = { strategy: 'linear', initialDelaySeconds: 30 * 24 * 3600, intervalSeconds: 30 * 24 * 3600, maxAttempts: 50 };
    expect(retryPolicySchema.safeParse(long).success).toBe(true);
  });
});
