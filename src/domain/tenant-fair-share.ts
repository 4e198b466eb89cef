// Tenant fairness (issue 12): how many POSTs one tenant may have in flight on one worker, and how
// long a delivery over that share waits on a workflow timer before it asks again. Pure: the
// worker's counters (activities/tenant-fair-share-rule.ts) feed it.
//
// An attempt is a local activity: while its POST waits for the receiver, it holds one of the
// worker's workflow-task slots. A tenant whose endpoint answers slowly would hold them all, and
// every other tenant's deliveries would queue behind its backlog. So a slow tenant (or one not
// known yet) may hold at most `tenantShare` of the POST slots the other tenants leave free (at
// least one), and all tenants together at most `maxConcurrentPosts`; the slots above that stay
// free for everyone else. A tenant whose POSTs come back quickly gives its slots back at once and
// is held to the total only, so a busy tenant alone on the worker is not slowed down.

export interface FairShareLimits {
  /** POSTs in flight on this worker, all tenants together. */
  maxConcurrentPosts: number;
  /** Fraction (0–1] of the slots the other tenants leave free that one slow tenant may hold. */
  tenantShare: number;
  /** A tenant whose typical POST, or oldest POST in flight, lasts this long is slow. */
  slowPostMs: number;
}

/** What the worker knows of a tenant's POSTs. */
export interface TenantPosts {
  inFlight: number;
  /** Its recent POST duration (ms); null before one finished on this worker. */
  typicalPostMs: number | null;
  /** How long its oldest POST in flight has lasted (ms; 0 when none). */
  oldestInFlightMs: number;
}

/** Slow, or not known yet: held to its share. */
export function isSlowTenant(limits: FairShareLimits, tenant: TenantPosts): boolean {
  return tenant.typicalPostMs === null || tenant.typicalPostMs >= limits.slowPostMs || tenant.oldestInFlightMs >= limits.slowPostMs;
}

/** The waits a deferred delivery draws from: never shorter than MIN, never longer than MAX. */
export const FAIR_SHARE_MIN_WAIT_MS = 1_000;
export const FAIR_SHARE_MAX_WAIT_MS = 300_000;

/** How many POSTs this tenant may have in flight now (0: none, the worker is full). */
export function tenantAllowance(limits: FairShareLimits, inFlightTotal: number, inFlightOfTenant: number): number {
  const free = Math.max(0, limits.maxConcurrentPosts - (inFlightTotal - inFlightOfTenant));
  return Math.min(free, Math.max(1, Math.floor(limits.tenantShare * free)));
}

/** Whether one more POST of this tenant may start now. */
export function admitsPost(limits: FairShareLimits, inFlightTotal: number, tenant: TenantPosts): boolean {
  if (inFlightTotal >= limits.maxConcurrentPosts) return false;
  return !isSlowTenant(limits, tenant) || tenant.inFlight < tenantAllowance(limits, inFlightTotal, tenant.inFlight);
}

/**
 * How long a delivery over its tenant's share waits at most before it asks again. Its turn
 * normally comes sooner: each POST of its tenant that ends wakes the delivery first in line (the
 * `wake` signal). The timer is the fallback for a lost wake, so it is set past the time the line
 * ahead needs at the tenant's allowance (each turn lasts about one of its POSTs), drawn between
 * once and twice that, so a long line never wakes in a herd.
 */
export function fairShareWaitMs(input: {
  /** The tenant's POST duration on this worker (ms): typical, or assumed while unknown. */
  typicalPostMs: number;
  /** Deliveries of the tenant already waiting for their turn on this worker. */
  waitingOfTenant: number;
  /** tenantAllowance now (at least 1 is assumed). */
  allowance: number;
  /** A draw in [0, 1). */
  random: number;
}): number {
  const clamp = (ms: number) => Math.min(FAIR_SHARE_MAX_WAIT_MS, Math.max(FAIR_SHARE_MIN_WAIT_MS, ms));
  const turns = Math.ceil((Math.max(0, input.waitingOfTenant) + 1) / Math.max(1, input.allowance));
  const turn = clamp(input.typicalPostMs * turns);
  return Math.round(clamp(turn * (1 + input.random)));
}
