// The endpoint-wide circuit (issue 12 part 3), pure: what one POST's answer says about the
// endpoint, how long the endpoint is left alone, and when each waiting delivery looks again.
// healthy → backing-off (429/503, or TIMEOUTS_TO_BACK_OFF timeouts/refusals in a row) → one probe
// → healthy on 2xx, else open with a longer wait → one probe → … The gate rule
// (activities/endpoint-circuit-rule.ts) carries it out; the state lives on the endpoint's row.

export const ENDPOINT_HEALTH_STATES = ['healthy', 'backing-off', 'open'] as const;
export type EndpointHealthState = (typeof ENDPOINT_HEALTH_STATES)[number];

/** Timeouts or refused connections in a row (no answer in between) that make a healthy endpoint back off. */
export const TIMEOUTS_TO_BACK_OFF = 3;
/** Waiting deliveries woken at once when a probe closes the circuit; the rest follow on their staggered timers. */
export const RECOVERY_WAKE_BATCH = 25;

export interface CircuitPolicy {
  /** First back-off without a Retry-After; each failed probe doubles it. */
  baseBackoffMs: number;
  /** Cap of the doubling. */
  maxBackoffMs: number;
}

export const DEFAULT_CIRCUIT_POLICY: CircuitPolicy = { baseBackoffMs: 5_000, maxBackoffMs: 600_000 };
/** A Retry-After is honoured between these bounds: the endpoint says when, within reason. */
export const MIN_RETRY_AFTER_MS = 1_000;
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** What one POST (or health check) says about the endpoint. */
export type EndpointSignal =
  /** A complete 2xx answer. */
  | { kind: 'healthy' }
  /** 429 or 503: the endpoint asks us to slow down, maybe with a Retry-After. */
  | { kind: 'slow-down'; status: number; retryAfterMs: number | null }
  /** No answer: timed out or the connection was refused / reset. */
  | { kind: 'unreachable'; errorKind: string }
  /** Any other answer (a 500, a 404…): the endpoint is there; not the circuit's business. */
  | { kind: 'answered'; status: number }
  /** A failure of ours or of the name (ssrf_blocked, dns, invalid_url…): says nothing about load. */
  | { kind: 'neutral' };

export function endpointSignal(
  result: { status: number | null; errorKind: string | null; complete: boolean },
  retryAfterSeconds: number | null,
): EndpointSignal {
  const { status, errorKind } = result;
  if (status !== null && result.complete && status >= 200 && status < 300) return { kind: 'healthy' };
  if (status === 429 || status === 503)
    return { kind: 'slow-down', status, retryAfterMs: retryAfterSeconds === null ? null : retryAfterSeconds * 1000 };
  if (status !== null) return { kind: 'answered', status };
  if (errorKind === 'timeout' || errorKind === 'connection') return { kind: 'unreachable', errorKind };
  return { kind: 'neutral' };
}

/** How long the endpoint is left alone after `failedProbes` failed probes (0: the first back-off). */
export function backoffMs(failedProbes: number, retryAfterMs: number | null, policy: CircuitPolicy): number {
  const exponential = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.min(failedProbes, 30));
  if (retryAfterMs === null) return exponential;
  const honoured = Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_AFTER_MS, retryAfterMs));
  // The first back-off follows the endpoint's Retry-After; after a failed probe it never gets shorter.
  return failedProbes === 0 ? honoured : Math.max(honoured, exponential);
}

function describe(signal: EndpointSignal): string {
  switch (signal.kind) {
    case 'slow-down':
      return `answered ${signal.status}${signal.retryAfterMs === null ? '' : ` with Retry-After ${Math.round(signal.retryAfterMs / 1000)} s`}`;
    case 'unreachable':
      return signal.errorKind === 'timeout' ? 'timed out' : 'refused the connection';
    case 'answered':
      return `answered ${signal.status}`;
    case 'healthy':
      return 'answered 2xx';
    case 'neutral':
      return 'could not be reached';
  }
}

/** The circuit's state as loaded with the delivery (endpoint row columns). */
export interface CircuitView {
  state: EndpointHealthState;
  failedProbes: number;
  timeoutStreak: number;
  nextProbeAt: Date | null;
  probeHolder: string | null;
  probeUntil: Date | null;
}

/** A state change to write (only ever on a change: a healthy endpoint's row is not rewritten). */
export interface CircuitChange {
  state: EndpointHealthState;
  reason: string | null;
  nextProbeAt: Date | null;
  failedProbes: number;
}

/** What a healthy endpoint's answer changes: back off, count a timeout, forget the timeouts, or nothing. */
export type HealthyStep =
  { step: 'back-off'; change: CircuitChange } | { step: 'count-timeout' } | { step: 'reset-timeouts' } | { step: 'none' };

export function stepWhileHealthy(signal: EndpointSignal, view: CircuitView, policy: CircuitPolicy, now: Date): HealthyStep {
  if (signal.kind === 'slow-down') return { step: 'back-off', change: backingOff(signal, now, policy) };
  if (signal.kind === 'unreachable') return { step: 'count-timeout' };
  if ((signal.kind === 'healthy' || signal.kind === 'answered') && view.timeoutStreak > 0) return { step: 'reset-timeouts' };
  return { step: 'none' };
}

/** The timeout streak reached TIMEOUTS_TO_BACK_OFF: back off. */
export function backingOffAfterTimeouts(streak: number, signal: EndpointSignal, policy: CircuitPolicy, now: Date): CircuitChange {
  const what = describe(signal);
  return {
    state: 'backing-off',
    reason: `${what} (${streak} attempts in a row without an answer)`,
    nextProbeAt: new Date(now.getTime() + backoffMs(0, null, policy)),
    failedProbes: 0,
  };
}

function backingOff(signal: Extract<EndpointSignal, { kind: 'slow-down' }>, now: Date, policy: CircuitPolicy): CircuitChange {
  return {
    state: 'backing-off',
    reason: describe(signal),
    nextProbeAt: new Date(now.getTime() + backoffMs(0, signal.retryAfterMs, policy)),
    failedProbes: 0,
  };
}

/** A probe's result: 2xx closes the circuit (full rate at once), anything else opens it for longer. */
export function stepAfterProbe(
  signal: EndpointSignal,
  view: CircuitView,
  policy: CircuitPolicy,
  now: Date,
  probe: 'delivery' | 'health check',
): CircuitChange {
  if (signal.kind === 'healthy') return { state: 'healthy', reason: null, nextProbeAt: null, failedProbes: 0 };
  const failedProbes = view.failedProbes + 1;
  const retryAfterMs = signal.kind === 'slow-down' ? signal.retryAfterMs : null;
  const waitMs = backoffMs(failedProbes, retryAfterMs, policy);
  return {
    state: 'open',
    reason: `${probe} probe ${failedProbes} ${describe(signal)}; next probe in ${Math.round(waitMs / 1000)} s`,
    nextProbeAt: new Date(now.getTime() + waitMs),
    failedProbes,
  };
}

/**
 * When a delivery held back by the circuit looks again: a moment after the probe can have told,
 * spread by a stable fraction of the delivery id over `spread` (the wait itself, within 1 s and
 * 60 s), so that hundreds of waiters never arrive together: each looks once per probe, not in a herd.
 */
export function waiterWakeAt(probeDecidedAt: Date, deliveryId: string, waitMs: number): Date {
  const spread = Math.min(60_000, Math.max(1_000, waitMs));
  return new Date(probeDecidedAt.getTime() + Math.round(stableFraction(deliveryId) * spread));
}

/** A number in [0, 1) from the id (FNV-1a, then murmur3's finaliser so similar ids spread), the same on every worker. */
export function stableFraction(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}

/** May this delivery take the probe now? (the lease is free or expired, or already its own). */
export function probeMayGo(view: CircuitView, holder: string, now: Date): boolean {
  if (view.state === 'healthy') return false;
  if (view.nextProbeAt && view.nextProbeAt.getTime() > now.getTime()) return false;
  return view.probeHolder === holder || view.probeUntil === null || view.probeUntil.getTime() <= now.getTime();
}
