// Retry policy shapes (SPEC §5). The zod schema is the source of truth for the API, the
// stored JSON and the TypeScript type; retry-schedule.ts holds the arithmetic.
import { retryPolicyShape } from './retry-policy-shape';
import { MAX_REPEATING_ATTEMPTS, MAX_REPEATING_SPAN_SECONDS, attemptsPerSequence, scheduledSpanSeconds } from './retry-schedule';

export type { RetryPolicy } from './retry-policy-shape';

export const retryPolicySchema = retryPolicyShape
  // Bounds on a repeating policy only: policies stored before repeats existed keep parsing.
  .superRefine((policy, ctx) => {
    const repeats = policy.repeatCount ?? 0;
    if (repeats === 0) return;
    if (policy.repeatAfterSeconds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['repeatAfterSeconds'], message: 'required when repeatCount is above 0' });
      return;
    }
    const attempts = attemptsPerSequence(policy) * (repeats + 1);
    if (attempts > MAX_REPEATING_ATTEMPTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['repeatCount'],
        message: `the sequence repeated ${repeats} times makes ${attempts} attempts; at most ${MAX_REPEATING_ATTEMPTS} are allowed`,
      });
    }
    const span = scheduledSpanSeconds(policy);
    if (span > MAX_REPEATING_SPAN_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['repeatCount'],
        message: `the delays and pauses add up to ${span} s; a repeating policy may span at most ${MAX_REPEATING_SPAN_SECONDS} s (30 days)`,
      });
    }
  });
