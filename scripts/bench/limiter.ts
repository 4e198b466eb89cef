// (f) what the endpoint limits cost per delivery: the same closed-loop run as (c) against an
// endpoint without limits and against one with a rate limit and a concurrency limit set too high
// to ever hold a delivery back, so the difference is the limiter's own work (its transaction per
// admission, the lease taken and released), not waiting.
import { createEndpoint } from '../../src/services/endpoints.service';
import { createTenant } from '../../src/services/tenants.service';
import { publishViaApi } from './fixtures';
import { CONCURRENCY, SHORT } from './flags';
import { endToEnd } from './load';
import { measured } from './measured';
import type { Stack } from './stack';

export async function measureLimiter(stack: Stack, unlimitedTenantId: string) {
  const { ctx, receiver } = stack;
  const limited = await createTenant(ctx, { name: 'bench-limited' });
  await createEndpoint(ctx, limited.id, {
    name: 'limited',
    url: receiver.url('/limited'),
    eventTypes: ['bench.event'],
    enabled: true,
    rateLimitPerSecond: 10_000,
    maxConcurrentRequests: 1000,
  });
  const runs: Array<Record<string, string | number>> = [];
  for (const [name, tenantId] of [
    ['limiter off (no limits)', unlimitedTenantId],
    ['limiter on (rate 10000/s + 1000 in flight, never binding)', limited.id],
  ] as const) {
    const run = `${name}, ${SHORT}s`;
    const result = await measured(run, [], () => endToEnd(receiver, publishViaApi(stack, tenantId), 1, SHORT, CONCURRENCY));
    runs.push({ run, ...result });
  }
  return runs;
}
