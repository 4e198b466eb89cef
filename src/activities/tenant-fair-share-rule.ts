// The tenant fair share (issue 12) as an endpoint-gate rule: the worker's count of POSTs in
// flight, per tenant, checked against domain/tenant-fair-share.ts before each POST. Per worker on
// purpose: what a slow tenant exhausts is this worker's workflow-task slots (an attempt's POST
// holds one while it waits for the receiver), so each worker guards its own, and a deployment of
// several workers is fair because each of them is. Nothing here is shared or stored.
import type { DeliveryForAttempt } from '../db/attempts.repository';
import type { SentAttempt } from '../domain/attempt-outcome';
import type { Deferral } from '../domain/delivery-wait';
import { deliveryWorkflowId } from '../domain/ids';
import { admitsPost, fairShareWaitMs, tenantAllowance, type FairShareLimits } from '../domain/tenant-fair-share';
import type { AttemptInput } from '../workflows/contracts';
import type { GateRule } from './gate-rule';

export type PostSlot = { admitted: true } | { admitted: false; waitMs: number; inFlight: number; allowance: number };

interface Permit {
  tenantId: string;
  startedAt: number;
}

interface TenantHistory {
  /** Exponentially weighted POST duration (ms); null until one finished. */
  typicalPostMs: number | null;
  /**
   * The deliveries this worker deferred, in the order they were first deferred (their line), with
   * when their timer fires (ms, monotonic clock).
   */
  waiting: Map<string, number>;
  /** Its last acquire or release (ms, monotonic clock). */
  lastSeen: number;
}

/** A tenant's POST duration assumed until one of its POSTs finished on this worker. */
const UNKNOWN_POST_MS = 10_000;
/** Weight of the newest POST in the tenant's typical duration. */
const DURATION_WEIGHT = 0.2;
/**
 * A permit not released within this long is dropped: the attempt step's own bound (its
 * startToCloseTimeout), so a POST aborted without a settle (worker shutdown) never leaks a slot.
 */
const PERMIT_TTL_MS = 3 * 60_000;
/** A tenant idle this long is forgotten (its typical duration with it); checked at most once a minute. */
const TENANT_IDLE_MS = 10 * 60_000;

export class TenantPostSlots {
  /** By attempt key (delivery id and attempt number). */
  private readonly permits = new Map<string, Permit>();
  private readonly tenants = new Map<string, TenantHistory>();
  private lastPrune = 0;

  constructor(
    private readonly limits: FairShareLimits,
    private readonly clock: { now(): number; random(): number } = { now: () => performance.now(), random: Math.random },
  ) {}

  /**
   * Takes a POST slot for the delivery's attempt `key`, or says how long the delivery should wait
   * for one (it joins its tenant's line, or keeps its place in it).
   */
  acquire(tenantId: string, key: string, deliveryId: string): PostSlot {
    const now = this.clock.now();
    this.prune(now);
    const history = this.tenants.get(tenantId) ?? { typicalPostMs: null, waiting: new Map<string, number>(), lastSeen: now };
    history.lastSeen = now;
    this.tenants.set(tenantId, history);
    if (this.permits.has(key)) return { admitted: true };
    const mine = [...this.permits.values()].filter((permit) => permit.tenantId === tenantId);
    const total = this.permits.size;
    const oldestInFlightMs = Math.max(0, ...mine.map((permit) => now - permit.startedAt));
    if (admitsPost(this.limits, total, { inFlight: mine.length, typicalPostMs: history.typicalPostMs, oldestInFlightMs })) {
      this.permits.set(key, { tenantId, startedAt: now });
      history.waiting.delete(deliveryId);
      return { admitted: true };
    }
    const allowance = tenantAllowance(this.limits, total, mine.length);
    const ahead = [...history.waiting.keys()].indexOf(deliveryId);
    const waitMs = fairShareWaitMs({
      // Its POSTs in flight have lasted at least as long as the oldest of them.
      typicalPostMs: Math.max(history.typicalPostMs ?? UNKNOWN_POST_MS, oldestInFlightMs),
      waitingOfTenant: ahead < 0 ? history.waiting.size : ahead,
      allowance,
      random: this.clock.random(),
    });
    history.waiting.set(deliveryId, now + waitMs);
    return { admitted: false, waitMs, inFlight: mine.length, allowance };
  }

  /**
   * Gives the slot taken under `key` back (once; an unknown key is ignored), learns its duration,
   * and answers the delivery first in its tenant's line (still waiting on its timer) to wake, if any.
   */
  release(key: string, options: { wake: boolean } = { wake: true }): string | null {
    const permit = this.permits.get(key);
    if (!permit) return null;
    this.permits.delete(key);
    const now = this.clock.now();
    const history = this.tenants.get(permit.tenantId);
    if (!history) return null;
    const durationMs = now - permit.startedAt;
    history.lastSeen = now;
    history.typicalPostMs =
      history.typicalPostMs === null ? durationMs : history.typicalPostMs + DURATION_WEIGHT * (durationMs - history.typicalPostMs);
    if (!options.wake) return null;
    for (const [deliveryId, due] of history.waiting) {
      history.waiting.delete(deliveryId);
      // One whose timer fired is already asking again.
      if (due > now) return deliveryId;
    }
    return null;
  }

  /** Drops permits past their bound and tenants idle for long (nothing in flight, nobody waiting). */
  private prune(now: number): void {
    for (const [held, permit] of this.permits) if (now - permit.startedAt > PERMIT_TTL_MS) this.permits.delete(held);
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    const busy = new Set([...this.permits.values()].map((permit) => permit.tenantId));
    for (const [tenantId, history] of this.tenants) {
      for (const [deliveryId, due] of history.waiting) if (due <= now - PERMIT_TTL_MS) history.waiting.delete(deliveryId);
      const waiting = history.waiting.size > 0;
      if (!busy.has(tenantId) && !waiting && now - history.lastSeen > TENANT_IDLE_MS) this.tenants.delete(tenantId);
    }
  }

  /** POSTs in flight on this worker (a gauge). */
  inFlight(): number {
    return this.permits.size;
  }
}

const attemptKey = (deliveryId: string, attemptNumber: number) => `${deliveryId}#${attemptNumber}`;

/** The gate rule: a delivery whose tenant holds its share waits (`tenant_fair_share`) instead of POSTing. */
export function tenantFairShareRule(slots: TenantPostSlots): GateRule {
  return {
    async admit(delivery: DeliveryForAttempt, input: AttemptInput, now: Date): Promise<Deferral | null> {
      const slot = slots.acquire(delivery.tenantId, attemptKey(input.deliveryId, input.attemptNumber), input.deliveryId);
      if (slot.admitted) return null;
      return {
        until: new Date(now.getTime() + slot.waitMs).toISOString(),
        waitReason: 'tenant_fair_share',
        reason: `the tenant holds its share of this worker's POSTs (${slot.inFlight} in flight, ${slot.allowance} allowed); next try in ${(slot.waitMs / 1000).toFixed(1)} s`,
      };
    },
    async cancelAdmission(_delivery: DeliveryForAttempt, input: AttemptInput): Promise<void> {
      slots.release(attemptKey(input.deliveryId, input.attemptNumber), { wake: false });
    },
    /** The slot is free: the first of the tenant's line gets the `wake` signal (its timer is the fallback). */
    async settle(_delivery: DeliveryForAttempt, sent: SentAttempt): Promise<string[]> {
      const next = slots.release(attemptKey(sent.deliveryId, sent.attemptNumber));
      return next ? [deliveryWorkflowId(next)] : [];
    },
  };
}
