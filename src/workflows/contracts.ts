// Inputs and results exchanged between workflows, activities and clients. Types only
// (plus zod-free plain data), so workflow code can import it.
import type { FinishedDeliveryStatus } from '../domain/delivery-status';
import type { AttemptOutcome, FollowUps, SentAttempt } from '../domain/attempt-outcome';
import type { Deferral, WaitReason } from '../domain/delivery-wait';
import type { DeliveryStatus, AttemptTrigger, PlannedDelivery } from '../domain/delivery-status';

export type { DeliveryStatus, AttemptTrigger, AttemptOutcome, Deferral, FollowUps, PlannedDelivery, SentAttempt, WaitReason };

export type EventOperation = 'INSERT' | 'UPDATE' | 'DELETE';

/** What a publisher sends; the event id is chosen by the caller so a repeated start is harmless. */
export interface PublishEventInput {
  eventId: string;
  tenantId: string;
  type: string;
  data: Record<string, unknown>;
  resourceId?: string;
  operation?: EventOperation;
  previous?: Record<string, unknown>;
  triggeredBy?: string;
  /** ISO-8601; defaults to the time the event is recorded. */
  occurredAt?: string;
  idempotencyKey?: string;
  /**
   * Internal (the endpoint "send test event" action): deliver to this one endpoint only,
   * whatever its subscriptions, even while it is disabled.
   */
  targetEndpointId?: string;
}

/** A batch of events for publishEventsWorkflow: recorded all in one transaction, or none. */
export interface PublishBatchInput {
  events: PublishEventInput[];
}

export interface PublishEventResult {
  eventId: string;
  deliveryCount: number;
  duplicate: boolean;
}

export interface RecordedEvent extends PublishEventResult {
  /**
   * Deliveries to start: the planned ones; for a duplicate, none, unless the original publish
   * recorded them without starting them (then those).
   */
  deliveries: PlannedDelivery[];
  /** Subscribed endpoints whose payload filter refused the event: no delivery for them. */
  filteredOut: number;
}

export interface DeliveryWorkflowInput {
  deliveryId: string;
}

export interface AttemptInput {
  deliveryId: string;
  attemptNumber: number;
  trigger: AttemptTrigger;
}

/** ApplicationFailure type of a delivery that cannot be sent from what is stored (unopenable secret, malformed policy). */
export const UNDELIVERABLE_FAILURE = 'UndeliverableDelivery';
/** ApplicationFailure type of a publish the catalog refuses (unknown type, data against the schema); details: the field errors. */
export const INVALID_EVENT_FAILURE = 'InvalidEvent';
/** ApplicationFailure type of a publish whose tenant does not exist (NotFoundError). */
export const NOT_FOUND_FAILURE = 'NotFound';

/** What is logged and counted when a POST's attempt could not be recorded at all. */
export interface UnrecordedAttemptReport {
  deliveryId: string;
  attemptNumber: number;
  status: number | null;
  errorKind: string | null;
  reason: string;
}

export interface DeliveryState {
  deliveryId: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastResponseStatus: number | null;
  reason: string | null;
}

export interface FinishDeliveryInput {
  deliveryId: string;
  /** `succeeded` only for a 2xx whose attempt could not be recorded (the attempt step would have set it). */
  status: FinishedDeliveryStatus;
  reason: string;
  /**
   * Also disable the delivery's endpoint with this reason (410 Gone, disableEndpointOnExhaustion):
   * only from workflows started before DISABLE_AS_STEP_PATCH, which now call disableEndpoint first.
   */
  disableEndpointReason?: string;
}

/** What finishDelivery answers: the status the delivery ends with, and the waiting deliveries its end lets go. */
export interface FinishedDelivery {
  status: DeliveryStatus;
  wakeWorkflowIds: string[];
}

export interface DisableEndpointInput {
  /** The delivery whose endpoint is disabled; it goes on by its own rules, the endpoint's other deliveries stop. */
  deliveryId: string;
  reason: string;
}

export interface PurgeInput {
  retentionDays: number;
  /** Rows deleted per statement, so a large purge never holds long locks. */
  batchSize?: number;
}

export interface PurgeResult {
  /** Rows deleted in batches (a tenant's shorter retention, the part of a day before the cutoff). */
  attempts: number;
  deliveries: number;
  events: number;
  /** Attempt partitions (one per UTC day) made ahead, and dropped whole past the retention period. */
  partitionsCreated?: string[];
  partitionsDropped?: string[];
  tenantsWithShorterRetention?: number;
  /** Portal sessions deleted, ended (expired or revoked) more than PORTAL_SESSION_GRACE_DAYS ago. */
  portalSessions?: number;
}

export interface ScheduleRetryInput {
  deliveryId: string;
  nextAttemptAt: string;
}

/** What scheduling a retry asks of the workflow (histories from before it hold no result). */
export interface ScheduledRetry {
  /** Deliveries to wake so they look again at what they wait behind (a FIFO line's head now retries). */
  wakeWorkflowIds: string[];
}

export interface ReplayWorkflowInput {
  replayId: string;
}

/** What one step of a replay says to do next. */
export type ReplayStep =
  /** Step again after `waitMs` (the pace, or an endpoint's circuit holding the replay). */
  | { outcome: 'continue'; waitMs: number }
  /** Every match is started; step again (slower and slower) until their deliveries finish. */
  | { outcome: 'settling' }
  /** The replay is over: completed, cancelled, or its row is gone (tenant deleted). */
  | { outcome: 'finished'; status: 'completed' | 'cancelled' | 'gone' };
