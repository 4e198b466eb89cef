// The fields of a retry policy, before the bounds that span fields (retry-policy.ts adds those
// with the arithmetic of retry-schedule.ts, which reads this type: kept apart so neither imports the other).
import { z } from 'zod';

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

export const retryPolicyShape = z.discriminatedUnion('strategy', [
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
]);

export type RetryPolicy = z.infer<typeof retryPolicyShape>;
