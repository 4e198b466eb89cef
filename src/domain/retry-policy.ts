// Retry policy shapes (SPEC §5). The zod schema is the source of truth for the API, the
// stored JSON and the TypeScript type; retry-schedule.ts holds the arithmetic.
import { z } from 'zod';
import { MAX_REPEATING_ATTEMPTS, MAX_REPEATING_SPAN_SECONDS, attemptsPerSequence, scheduledSpanSeconds } from './retry-schedule';

const common = {
  jitter: z.number().min(0).max(1).optional().describe('Fraction of each delay to randomise (default 0.2; 0 for exact timing)'),
  disableEndpointOnExhaustion: z
    .boolean()
    .optional()
    .describe('Disable the endpoint when a delivery gives up (after its last repeat, when the sequence repeats)'),
  repeatCount: z
    .number()
    .int()
    .min(0)
    .max(10)
    .optional()
    .describe('How many more times the whole sequence runs once it is exhausted (default 0: it runs once)'),
  repeatAfterSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .optional()
    .describe('Seconds to wait on a timer before each repeat of the sequence; required when repeatCount > 0'),
};
const seconds = z
  .number()
  .int()
  .min(1)
  .max(30 * 24 * 3600);

export const retryPolicySchema = z
  .discriminatedUnion('strategy', [
    z.strictObject({
      strategy: z.literal('schedule'),
      delaysSeconds: z.array(seconds).max(50),
      ...common,
    }),
    z.strictObject({
      strategy: z.literal('linear'),
      initialDelaySeconds: seconds,
      intervalSeconds: z
        .number()
        .int()
        .min(0)
        .max(30 * 24 * 3600),
      maxAttempts: z.number().int().min(1).max(50),
      ...common,
    }),
    z.strictObject({
      strategy: z.literal('exponential'),
      initialDelaySeconds: seconds,
      multiplier: z.number().min(1).max(10),
      maxDelaySeconds: seconds,
      maxAttempts: z.number().int().min(1).max(50),
      ...common,
    }),
  ])
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

export type RetryPolicy = z.infer<typeof retryPolicySchema>;
