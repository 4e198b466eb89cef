// Retry policy shapes (SPEC §5). The zod schema is the source of truth for the API, the
// stored JSON and the TypeScript type; retry-schedule.ts holds the arithmetic.
import { z } from 'zod';

const common = {
  jitter: z.number().min(0).max(1).optional().describe('Fraction of each delay to randomise (default 0.2; 0 for exact timing)'),
  disableEndpointOnExhaustion: z.boolean().optional(),
};
const seconds = z
  .number()
  .int()
  .min(1)
  .max(30 * 24 * 3600);

export const retryPolicySchema = z.discriminatedUnion('strategy', [
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

export type RetryPolicy = z.infer<typeof retryPolicySchema>;
