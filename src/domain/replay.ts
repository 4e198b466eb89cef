// Replays (issue 14), pure: what a replay matches, the states it goes through, and how fast it
// may send. A replay resends what an endpoint failed to get (`failed`) or never got (`missing`,
// say while it was disabled), at most once per event and endpoint, paced per endpoint.
import type { AttemptErrorKind, ResponseStatusClass } from './attempt-error-kinds';

export const REPLAY_MODES = ['failed', 'missing'] as const;
export type ReplayMode = (typeof REPLAY_MODES)[number];

/**
 * pending: recorded, its workflow not started yet; running: paging through its matches and
 * starting deliveries; settling: every match started, waiting for their outcomes; completed;
 * cancelled (deliveries already started go on by their own rules).
 */
export const REPLAY_STATUSES = ['pending', 'running', 'settling', 'completed', 'cancelled'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];
export const OPEN_REPLAY_STATUSES = ['pending', 'running', 'settling'] as const satisfies readonly ReplayStatus[];

/** Which finished deliveries a `failed` replay resends (default `failed`). */
export const REPLAYABLE_DELIVERY_STATUSES = ['failed', 'cancelled'] as const;
export type ReplayableDeliveryStatus = (typeof REPLAYABLE_DELIVERY_STATUSES)[number];

/** What a replay matches, as stored on its row (times as ISO-8601; `until` fixed at creation). */
export interface ReplayFilter {
  endpointIds?: string[];
  eventTypes?: string[];
  /** `failed` mode only. */
  status?: ReplayableDeliveryStatus[];
  /** `failed` mode only: the delivery's last response status. */
  statusClass?: ResponseStatusClass;
  /** `failed` mode only: the delivery's last error kind (timeout, connection, tls…). */
  errorKind?: AttemptErrorKind;
  resourceId?: string;
  since?: string;
  until: string;
}

/** A replay's keyset position: the last match it planned, in (createdAt, id, endpointId) order. */
export interface ReplayCursor {
  t: string;
  id: string;
  endpointId: string;
}

export interface ReplayPacing {
  /** Deliveries started per second to an endpoint without a rateLimitPerSecond (HOOKRELAY_REPLAY_DEFAULT_RATE_PER_SECOND). */
  defaultPerSecond: number;
  /** A replay's unfinished deliveries to one endpoint before it starts more (HOOKRELAY_REPLAY_MAX_IN_FLIGHT_PER_ENDPOINT). */
  maxInFlightPerEndpoint: number;
}

export const DEFAULT_REPLAY_PACING: ReplayPacing = { defaultPerSecond: 10, maxInFlightPerEndpoint: 100 };

/** A step's length: each step starts at most one second's worth of deliveries per endpoint, then waits this long. */
export const REPLAY_STEP_MS = 1_000;
/** Deliveries one step starts at most, whatever the endpoints' rates. */
export const MAX_REPLAY_STEP_STARTS = 500;

/** One endpoint as pacing sees it. */
export interface EndpointPace {
  /** rateLimitPerSecond, or null for none (then the default pace). */
  rateLimitPerSecond: number | null;
  /** The endpoint circuit's state: anything but healthy holds the endpoint's share of the replay. */
  healthy: boolean;
  /** This replay's deliveries to it that have not finished yet. */
  inFlight: number;
}

/** How many deliveries to this endpoint one step may start. */
export function stepAllowance(endpoint: EndpointPace, pacing: ReplayPacing): number {
  if (!endpoint.healthy) return 0;
  const perStep = Math.max(1, Math.floor(((endpoint.rateLimitPerSecond ?? pacing.defaultPerSecond) * REPLAY_STEP_MS) / 1000));
  return Math.max(0, Math.min(perStep, pacing.maxInFlightPerEndpoint - endpoint.inFlight));
}

/**
 * The leading run of `candidates` (in match order) that fits the allowances, which it spends. It
 * stops at the first candidate whose endpoint has none left, so the cursor can move past exactly
 * what was taken and no match is ever skipped.
 */
export function takeWithinAllowance<T extends { endpointId: string }>(
  candidates: readonly T[],
  allowance: Map<string, number>,
  maxCount: number,
): T[] {
  const taken: T[] = [];
  for (const candidate of candidates) {
    if (taken.length >= maxCount) break;
    const left = allowance.get(candidate.endpointId) ?? 0;
    if (left <= 0) break;
    allowance.set(candidate.endpointId, left - 1);
    taken.push(candidate);
  }
  return taken;
}

/** Waits between steps once every match is started: from one step to a minute, growing, while deliveries finish. */
export function settlingWaitMs(settlingSteps: number): number {
  return Math.min(60_000, REPLAY_STEP_MS * 2 ** Math.min(settlingSteps, 6));
}

export interface ReplayCounts {
  /** Deliveries the replay found to send (counted when it starts; exact once it has paged through all). */
  matched: number;
  /** Deliveries it created and started. */
  started: number;
  delivered: number;
  /** Ended failed or cancelled. */
  failed: number;
}

export function replayWorkflowId(replayId: string): string {
  return `replay-${replayId}`;
}
