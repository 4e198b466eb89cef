// Tenant fairness (issue 12): how many POSTs one tenant may have in flight on one worker, and how
// long a delivery over that share waits on a workflow timer before it asks again. Pure: the
// worker's counters (activities/tenant-post-slots.ts) feed it.
//
// An attempt is a local activity: while its POST waits for the receiver, it holds one of the
// worker's workflow-task slots. A tenant whose endpoint answers slowly would hold them all, and
// every other tenant's deliveries would queue behind its backlog. So a tenant may hold at most
// `tenantShare` of the POST slots the other tenants leave free (at least one), and all tenants
// together at most `maxConcurrentPosts`; the slots above that stay free for everyone else.

export interface FairShareLimits {
  /** POSTs in flight on this worker, all tenants together. */
  maxConcurrentPosts: number;
  /** Fraction (0–1] of the slots the other tenants leave free that one tenant may hold. */
  tenantShare: number;
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
export function admitsPost(limits: FairShareLimits, inFlightTotal: number, inFlightOfTenant: number): boolean {
  return inFlightTotal < limits.maxConcurrentPosts && inFlightOfTenant < tenantAllowance(limits, inFlightTotal, inFlightOfTenant);
}

/**
 * How long a delivery over its tenant's share waits before it asks again: a draw spread over the
 * time the tenant's waiting deliveries need at its allowance (each turn lasts about one of its
 * POSTs), so a long line wakes a few at a time instead of all at once, and none wakes before a
 * POST of its tenant could have finished.
 */
export function fairShareWaitMs(input: {
  /** Recent POST duration of the tenant on this worker (ms). */
  typicalPostMs: number;
  /** Deliveries of the tenant already waiting for their turn on this worker. */
  waitingOfTenant: number;
  /** tenantAllowance now (at least 1 is assumed). */
  allowance: number;
  /** A draw in [0, 1). */
  random: number;
}): number {
  const clamp = (ms: number) => Math.min(FAIR_SHARE_MAX_WAIT_MS, Math.max(FAIR_SHARE_MIN_WAIT_MS, ms));
  const shortest = clamp(input.typicalPostMs);
  const turns = Math.ceil((Math.max(0, input.waitingOfTenant) + 1) / Math.max(1, input.allowance));
  const longest = clamp(input.typicalPostMs * turns);
  return Math.round(shortest + input.random * (longest - shortest));
}
