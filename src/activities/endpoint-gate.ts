// The receiver-protection gate every attempt passes through (issue 12): before the POST it admits
// the attempt or defers it (nothing sent, no attempt spent: the workflow sleeps on a timer), after
// the POST it releases what admission took and learns from the answer, and when a delivery
// finishes it hands its turn on. Each rule lives in a module of its own; this file composes them.
import type { Kysely } from 'kysely';
import type { DeliveryForAttempt } from '../db/attempts.repository';
import type { Database } from '../db/schema';
import type { AttemptOutcome, SentAttempt } from '../domain/attempt-outcome';
import type { Deferral } from '../domain/delivery-wait';
import type { AttemptInput } from '../workflows/contracts';
import { tenantFairShareRule, type TenantPostSlots } from './tenant-fair-share-rule';
import { concurrencyLimitRule } from './concurrency-limit-rule';
import { rateLimitRule } from './rate-limit-rule';
import { endpointCircuitRule, type EndpointCircuitDependencies } from './endpoint-circuit-rule';
import type { GateRule } from './gate-rule';
import { createOrderingRule } from './ordering-rule';

export type { GateRule } from './gate-rule';

export interface EndpointGate {
  admit(delivery: DeliveryForAttempt, input: AttemptInput, now: Date): Promise<Deferral | null>;
  settle(delivery: DeliveryForAttempt, sent: SentAttempt, outcome: AttemptOutcome): Promise<string[]>;
  handOver(deliveryId: string): Promise<string[]>;
  retryScheduled(deliveryId: string): Promise<string[]>;
}

/** Rules run in order; the first deferral wins and the rules admitted before it give back their permits. */
export function composeEndpointGate(rules: readonly GateRule[]): EndpointGate {
  return {
    async admit(delivery, input, now) {
      const admitted: GateRule[] = [];
      for (const rule of rules) {
        const deferral = (await rule.admit?.(delivery, input, now)) ?? null;
        if (deferral) {
          for (const earlier of admitted.reverse()) await earlier.cancelAdmission?.(delivery, input);
          return deferral;
        }
        admitted.push(rule);
      }
      return null;
    },
    async settle(delivery, sent, outcome) {
      const wake: string[] = [];
      for (const rule of rules) wake.push(...((await rule.settle?.(delivery, sent, outcome)) ?? []));
      return wake;
    },
    async handOver(deliveryId) {
      const wake: string[] = [];
      for (const rule of rules) wake.push(...((await rule.handOver?.(deliveryId)) ?? []));
      return wake;
    },
    async retryScheduled(deliveryId) {
      const wake: string[] = [];
      for (const rule of rules) wake.push(...((await rule.retryScheduled?.(deliveryId)) ?? []));
      return wake;
    },
  };
}

/** What the rules read and write. */
export interface EndpointGateDependencies {
  db: Kysely<Database>;
  /** The worker's POSTs in flight per tenant (the tenant fair share); no share when absent. */
  postSlots?: TenantPostSlots;
  /** The POST timeout of endpoints without timeoutMs (a concurrency lease outlives it). */
  defaultTimeoutMs: number;
  /** The circuit's probes and health checks (endpoint-circuit-rule); null: no circuit (HOOKRELAY_CIRCUIT_ENABLED=false). */
  circuit: Omit<EndpointCircuitDependencies, 'db'> | null;
}

/** The deployment's gate: the rules in the order they are checked (cheapest refusals first). */
export function createEndpointGate(deps: EndpointGateDependencies): EndpointGate {
  return composeEndpointGate([
    // Order: ordering → circuit → tenant fair share (in memory) → rate/concurrency.
    createOrderingRule(deps.db),
    ...(deps.circuit ? [endpointCircuitRule({ db: deps.db, ...deps.circuit })] : []),
    ...(deps.postSlots ? [tenantFairShareRule(deps.postSlots)] : []),
    rateLimitRule(deps),
    concurrencyLimitRule(deps),
  ]);
}
