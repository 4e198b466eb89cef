// The arithmetic of an endpoint's concurrency limit (issue 12): how long an in-flight lease lives
// and when a refused delivery's fallback timer fires. Pure: the leases and the line of waiters
// live in db/concurrency-limit.repository.ts.

/** A lease outlives its POST's timeout by this much, so a crashed worker's lease frees itself. */
export const LEASE_MARGIN_MS = 5_000;

/** A waiter woken this long ago and not back yet may be woken again by the next POST that ends. */
export const WAKE_CLAIM_MS = 5_000;

/** When the lease of a POST admitted at `nowMs` expires. */
export function leaseExpiresAtMs(nowMs: number, timeoutMs: number): number {
  return nowMs + timeoutMs + LEASE_MARGIN_MS;
}

/**
 * The fallback timer of a refused delivery; the POST that frees a slot normally wakes the oldest
 * waiter long before. Even if every wake were lost, the `limit` waiters ahead in each round get
 * a slot at the latest when the leases in flight expire, one lease lifetime per round: so the
 * waiter at `position` (0: oldest) tries again after its round, and hundreds of waiters do not
 * poll together.
 */
export function concurrencyFallbackAtMs(input: {
  nowMs: number;
  /** The earliest expiry among the leases in flight (null: none, which a refusal never sees). */
  soonestExpiryMs: number | null;
  /** Waiters ahead of this one. */
  position: number;
  limit: number;
  timeoutMs: number;
}): number {
  const round = Math.floor(input.position / input.limit);
  const firstSlotMs = Math.max(input.soonestExpiryMs ?? input.nowMs, input.nowMs);
  return firstSlotMs + round * (input.timeoutMs + LEASE_MARGIN_MS);
}
