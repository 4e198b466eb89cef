// The endpoint's rateLimitPerSecond as a gate rule: a PostgreSQL-backed GCRA per endpoint shared
// by every worker, with reserved slots for the deliveries it refuses (domain/rate-limit.ts).
import { updateRateLimitState } from '../db/rate-limit.repository';
import { decideRateLimit, isBeforeSlot, refundRateLimit, type RateLimitDecision } from '../domain/rate-limit';
import type { Kysely } from 'kysely';
import type { DeliveryForAttempt } from '../db/attempts.repository';
import type { Database } from '../db/schema';
import type { Deferral } from '../domain/delivery-wait';
import type { GateRule } from './gate-rule';

/** The rate limit's hooks in the endpoint gate (activities/endpoint-gate.ts composes them). */
export function rateLimitRule(deps: { db: Kysely<Database> }): GateRule {
  return {
    async admit(delivery: DeliveryForAttempt): Promise<Deferral | null> {
      const perSecond = delivery.rateLimitPerSecond;
      if (perSecond === null) return null;
      const limit = { perSecond };
      // The clock is read when the decision is made, under the lock, not when the attempt began:
      // loading and queueing for the lock take long on a busy machine, and a stale clock hands out
      // slots already past, whose holders then all come back late together.
      let nowMs = Date.now();
      // A delivery refused before holds the slot it was given (its nextAttemptAt).
      const reservedSlotMs = delivery.waitReason === 'rate_limit' && delivery.nextAttemptAt ? delivery.nextAttemptAt.getTime() : null;
      const decision: RateLimitDecision =
        reservedSlotMs !== null && isBeforeSlot(nowMs, reservedSlotMs)
          ? { admit: false, slotMs: reservedSlotMs, next: null }
          : await updateRateLimitState(deps.db, delivery.endpointId, nowMs, (state) => {
              nowMs = Date.now();
              const decided = decideRateLimit(state, nowMs, limit, reservedSlotMs);
              return { next: decided.next, result: decided };
            });
      if (decision.admit) return null;
      const waitMs = Math.max(0, decision.slotMs - nowMs);
      return {
        until: new Date(Math.ceil(decision.slotMs)).toISOString(),
        waitReason: 'rate_limit',
        reason: `rate limit ${perSecond}/s: next free slot in ${(waitMs / 1000).toFixed(1)} s`,
      };
    },
    async cancelAdmission(delivery: DeliveryForAttempt): Promise<void> {
      const perSecond = delivery.rateLimitPerSecond;
      if (perSecond === null) return;
      await updateRateLimitState(deps.db, delivery.endpointId, Date.now(), (state) => ({
        next: refundRateLimit(state, { perSecond }),
        result: undefined,
      }));
    },
  };
}
