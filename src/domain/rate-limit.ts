// The arithmetic of an endpoint's rate limit (issue 12): a GCRA (generic cell rate algorithm)
// over the POSTs actually admitted, plus a line of reserved slots, so that the deliveries a busy
// endpoint refuses each get a distinct, evenly spaced slot instead of polling together. Pure: the
// state lives in db/rate-limit.repository.ts, read and written under a row lock.

/** The limiter's state for one endpoint, in epoch milliseconds. */
export interface RateLimitState {
  /** GCRA's theoretical arrival time: when the next POST would be exactly on schedule. */
  theoreticalArrivalMs: number;
  /** The end of the line of reserved slots: the next refused delivery's slot is here (or later). */
  lineEndsMs: number;
}

export interface RateLimit {
  /** The endpoint's rateLimitPerSecond. */
  perSecond: number;
}

/**
 * The documented burst: an endpoint limited to N/s receives at most N + burst POSTs in any
 * one-second window. The limiter admits at most N + burst − 1 in any one-second window of its own
 * clock; the last one of the burst is kept as margin for the jitter between admission and arrival.
 */
export function rateLimitBurst(limit: RateLimit): number {
  return Math.max(2, Math.ceil(limit.perSecond / 10));
}

/** Milliseconds between two POSTs on schedule. */
export function emissionIntervalMs(limit: RateLimit): number {
  return 1000 / limit.perSecond;
}

/** How far ahead of schedule an admission may be: (burst − 1) intervals, at least one. */
export function toleranceMs(limit: RateLimit): number {
  return (rateLimitBurst(limit) - 1) * emissionIntervalMs(limit);
}

/** A slot reserved this close before its time is due (clocks of workers and timers differ a little). */
export const SLOT_CLOCK_SKEW_MS = 25;

export type RateLimitDecision =
  /** Send now; the state records the POST. */
  | { admit: true; next: RateLimitState }
  /** Wait for the slot at `slotMs` (reserved in `next`, which is null when nothing changes). */
  | { admit: false; slotMs: number; next: RateLimitState | null };

/**
 * What a delivery may do now. `reservedSlotMs` is the slot this delivery was given when it was
 * last refused (null for a newcomer). A newcomer is admitted only when no line is waiting and the
 * POST conforms; a delivery whose reserved slot has come is admitted when the POST conforms (the
 * check is always against what was sent, so timers firing late or together never exceed the
 * limit); one woken before its slot waits for it again. Anyone refused takes the next slot at the
 * end of the line, so a lost race never makes deliveries collide again and again.
 */
export function decideRateLimit(state: RateLimitState, nowMs: number, limit: RateLimit, reservedSlotMs: number | null): RateLimitDecision {
  if (reservedSlotMs !== null && isBeforeSlot(nowMs, reservedSlotMs)) return { admit: false, slotMs: reservedSlotMs, next: null };
  const interval = emissionIntervalMs(limit);
  const tolerance = toleranceMs(limit);
  const current = state;
  const conforms = current.theoreticalArrivalMs - tolerance <= nowMs;
  const lineWaiting = current.lineEndsMs > nowMs;
  if (conforms && (reservedSlotMs !== null || !lineWaiting)) {
    return {
      admit: true,
      next: { ...current, theoreticalArrivalMs: Math.max(current.theoreticalArrivalMs, nowMs) + interval },
    };
  }
  const slotMs = Math.max(current.lineEndsMs, current.theoreticalArrivalMs - tolerance, nowMs);
  return { admit: false, slotMs, next: { ...current, lineEndsMs: slotMs + interval } };
}

/** A delivery woken before its reserved slot (a wake, a resend) waits for it again: no state is read. */
export function isBeforeSlot(nowMs: number, reservedSlotMs: number): boolean {
  return nowMs + SLOT_CLOCK_SKEW_MS < reservedSlotMs;
}

/** The state of an endpoint limited for the first time: idle, nobody in line. */
export function idleRateLimitState(nowMs: number): RateLimitState {
  return { theoreticalArrivalMs: nowMs, lineEndsMs: nowMs };
}

/** An admission a later rule refused gives its POST back. */
export function refundRateLimit(state: RateLimitState, limit: RateLimit): RateLimitState {
  return { ...state, theoreticalArrivalMs: state.theoreticalArrivalMs - emissionIntervalMs(limit) };
}
