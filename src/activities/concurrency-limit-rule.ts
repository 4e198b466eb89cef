// The endpoint's maxConcurrentRequests as a gate rule: leases in PostgreSQL count the POSTs in
// flight across every worker; the POST that ends wakes the oldest waiter (domain/concurrency-limit.ts).
import { acquireConcurrencyLease, releaseConcurrencyLease, returnConcurrencyLease } from '../db/concurrency-limit.repository';
import { concurrencyFallbackAtMs, leaseExpiresAtMs } from '../domain/concurrency-limit';
import type { Kysely } from 'kysely';
import type { DeliveryForAttempt } from '../db/attempts.repository';
import type { Database } from '../db/schema';
import type { Deferral } from '../domain/delivery-wait';
import type { GateRule } from './gate-rule';

/** The concurrency limit's hooks in the endpoint gate (activities/endpoint-gate.ts composes them). */
export function concurrencyLimitRule(deps: { db: Kysely<Database>; defaultTimeoutMs: number }): GateRule {
  return {
    async admit(delivery: DeliveryForAttempt, _input: unknown, now: Date): Promise<Deferral | null> {
      const limit = delivery.maxConcurrentRequests;
      if (limit === null) return null;
      const nowMs = now.getTime();
      const timeoutMs = delivery.timeoutMs ?? deps.defaultTimeoutMs;
      const lease = await acquireConcurrencyLease(deps.db, {
        endpointId: delivery.endpointId,
        deliveryId: delivery.deliveryId,
        workflowId: delivery.workflowId,
        limit,
        nowMs,
        expiresAtMs: leaseExpiresAtMs(nowMs, timeoutMs),
      });
      if (lease.acquired) return null;
      const untilMs = concurrencyFallbackAtMs({
        nowMs,
        soonestExpiryMs: lease.soonestExpiryMs,
        position: lease.position,
        limit,
        timeoutMs,
      });
      return {
        until: new Date(untilMs).toISOString(),
        waitReason: 'concurrency_limit',
        reason: `${limit} of ${limit} concurrent requests in flight: ${lease.position} delivered before this one`,
      };
    },
    async cancelAdmission(delivery: DeliveryForAttempt): Promise<void> {
      if (delivery.maxConcurrentRequests === null) return;
      await returnConcurrencyLease(deps.db, delivery.endpointId, delivery.deliveryId);
    },
    async settle(delivery: DeliveryForAttempt): Promise<string[]> {
      if (delivery.maxConcurrentRequests === null) return [];
      return releaseConcurrencyLease(deps.db, delivery.endpointId, delivery.deliveryId);
    },
  };
}
