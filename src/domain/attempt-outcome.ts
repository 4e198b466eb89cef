// The rules that turn one POST's result into the delivery's next step (success, retry with a
// Retry-After, 410 Gone). Pure and deterministic: the attempt step and the delivery workflow
// (when an attempt could not be recorded) both use it.
import type { AttemptTiming } from './attempt-timing';
import type { AttemptTrigger, DeliveryStatus } from './delivery-status';
import type { TlsFailureReason } from './tls-failure';
import type { Deferral } from './delivery-wait';
import type { RetryPolicy } from './retry-policy';
import { parseRetryAfter } from './retry-schedule';

/**
 * One POST that happened, as plain data: what recording it needs and what the workflow needs to
 * go on without a record. Crosses into workflow history only when recording it failed.
 */
export interface SentAttempt {
  deliveryId: string;
  attemptNumber: number;
  trigger: AttemptTrigger;
  /** ISO-8601. */
  startedAt: string;
  durationMs: number;
  request: { url: string; headers: Record<string, string> };
  /** The answer, or its beginning when it broke off (then `error` says how). */
  response: {
    status: number;
    headers: Record<string, string>;
    bodyBase64: string;
    bodyTruncated: boolean;
    bodyLength: number | null;
  } | null;
  /** tlsFailureReason: set with kind `tls` (domain/tls-failure.ts); absent in histories from before it. */
  error: { kind: string; message: string; tlsFailureReason?: TlsFailureReason | null } | null;
  /** Where the time went; absent in histories recorded before the attempt log kept it. */
  timing?: AttemptTiming;
  /**
   * The delivery's creation time exactly as stored (ISO-8601 to the microsecond): the attempt
   * log's partition key, so recording needs no lookup. Absent in histories from before it.
   */
  deliveryCreatedAt?: string;
  endpoint: { id: string; tenantId: string; enabled: boolean; failingSince: string | null };
  retryPolicy: RetryPolicy | null;
}

/**
 * What the delivery workflow carries out after a step, so that activities never act on other
 * deliveries or endpoints themselves: disable the endpoint (through one service), wake deliveries
 * waiting for this one (a concurrency slot or a FIFO turn freed).
 */
export interface FollowUps {
  /** Disable the endpoint with this reason (the failing-for-days rule). */
  disableEndpointReason?: string;
  /** Workflow ids of waiting deliveries that get the wake signal: try now rather than at their timer. */
  wakeWorkflowIds?: string[];
}

/** The endpoint's answer is an outcome, not an exception: only our own faults throw. */
export type AttemptOutcome =
  | { outcome: 'succeeded'; status: number; followUps?: FollowUps }
  | {
      outcome: 'failed';
      followUps?: FollowUps;
      status: number | null;
      errorKind: string | null;
      retryAfterSeconds: number | null;
      /** 410 Gone: stop and disable the endpoint. */
      gone: boolean;
      retryPolicy: RetryPolicy | null;
    }
  /** Endpoint deleted or disabled (→ failed, so a recover can resend it), or the delivery was finished elsewhere. */
  | { outcome: 'skipped'; reason: string; status: DeliveryStatus }
  /** Held back before anything was sent (rate limit, back-off, ordering…): wait, no attempt spent. */
  | ({ outcome: 'deferred' } & Deferral)
  /** The POST happened but recording it failed (database down): record it in a step of its own, never POST again. */
  | { outcome: 'unrecorded'; attempt: SentAttempt; reason: string };

/** A complete answer with a 2xx status; an answer that broke off mid-body is not one. */
export function attemptSucceeded(attempt: Pick<SentAttempt, 'response' | 'error'>): boolean {
  return attempt.error === null && attempt.response !== null && attempt.response.status >= 200 && attempt.response.status < 300;
}

export function attemptOutcome(attempt: SentAttempt, now: Date): Extract<AttemptOutcome, { outcome: 'succeeded' | 'failed' }> {
  const status = attempt.response?.status ?? null;
  if (attemptSucceeded(attempt)) return { outcome: 'succeeded', status: status! };
  const retryAfter = status === 429 || status === 503 ? attempt.response?.headers['retry-after'] : undefined;
  return {
    outcome: 'failed',
    status,
    errorKind: attempt.error?.kind ?? null,
    retryAfterSeconds: retryAfter === undefined ? null : parseRetryAfter(retryAfter, now),
    gone: status === 410,
    retryPolicy: attempt.retryPolicy,
  };
}
