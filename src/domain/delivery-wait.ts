// Why a delivery waits without spending an attempt: the receiver-protection rules that hold an
// attempt back before anything is sent. A deferred attempt sleeps on a workflow timer (no worker
// slot is held) until `until`, or until something wakes it earlier (a wake signal, a resend).

export const WAIT_REASONS = [
  /** The endpoint's rateLimitPerSecond: the next free slot is at `until`. */
  'rate_limit',
  /** The endpoint's maxConcurrentRequests are all in flight. */
  'concurrency_limit',
  /** The endpoint asked us to slow down (429/503, Retry-After) or kept timing out. */
  'endpoint_backing_off',
  /** The endpoint's circuit is open: only one probe at a time until it answers 2xx. */
  'endpoint_open',
  /** FIFO endpoint: an earlier delivery in the same line goes first. */
  'ordering',
  /** The tenant already holds its share of this worker's in-flight POSTs. */
  'tenant_fair_share',
] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

/** An attempt held back before anything was sent: no attempt is spent. */
export interface Deferral {
  /** ISO-8601: when to try again at the latest (a wake signal may come sooner). */
  until: string;
  waitReason: WaitReason;
  /** For people: what the delivery waits for ("rate limit 5/s: next free slot in 1.2 s"). */
  reason: string;
}
