// (g) what the endpoint limits cost per delivery: the same closed-loop run as (c) against an
// endpoint without limits and against one with a rate limit and a concurrency limit set too high
// to ever hold a delivery back, so the difference is the limiter's own work (its transaction per
// admission, the lease taken and released), not waiting.
import { createEndpointGate } from '../../src/activities/endpoint-gate';
import { loadDeliveryForAttempt } from '../../src/db/attempts.repository';
import { createEndpoint } from '../../src/services/endpoints.service';
import { createTenant } from '../../src/services/tenants.service';
import { publishViaApi } from './fixtures';
import { CONCURRENCY, SHORT } from './flags';
import { endToEnd } from './load';
import { measured } from './measured';
import { countingDatabase } from './counting-db';
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
  return { runs, admission: await measureAdmission(stack, limited.id) };
}

/**
 * The limiter's own cost, free of the machine's other load: one admission and its release
 * (the gate's admit and settle, as an attempt runs them) back to back against the real database,
 * for a delivery of the limited endpoint: wall time and this process's CPU per admission.
 */
async function measureAdmission({ db, databaseUrl }: Stack, tenantId: string, rounds = 2000) {
  const row = await db.selectFrom('deliveries').select('id').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const delivery = (await loadDeliveryForAttempt(db, row.id, new Date()))!;
  // The gate on a pg pool that counts every query it sends (as (e) counts an attempt's).
  const { db: countingDb, roundTrips } = countingDatabase(databaseUrl);
  const gate = createEndpointGate({ db: countingDb, defaultTimeoutMs: 15_000, circuit: null });
  const input = { deliveryId: row.id, attemptNumber: 1, trigger: 'scheduled' as const };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const deferral = await gate.admit(delivery, input, new Date());
    if (deferral) throw new Error(`the never-binding limits deferred an admission: ${deferral.reason}`);
    await gate.settle(delivery, {} as never, { outcome: 'succeeded', status: 200 });
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await countingDb.destroy();
  return {
    rounds,
    wallMsPerAdmission: wallMs / rounds,
    benchCpuMsPerAdmission: (cpu.user + cpu.system) / 1000 / rounds,
    databaseRoundTripsPerAdmission: roundTrips() / rounds,
  };
}
