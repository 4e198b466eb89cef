// Activities: every side effect of publishing and delivering. Built by a factory so the worker
// injects the database, secret box, HTTP client and the use cases an activity hands work to
// (services/activity-use-cases.ts); activities import db and domain, never a service.
import { ApplicationFailure, CancelledFailure, cancellationSignal, Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { describeDatabaseError, isPermanentDatabaseError } from '../db/database-errors';
import { loadDeliveryForAttempt, recordAttempt, type DeliveryForAttempt } from '../db/attempts.repository';
import { findDeliveryById, finishOpenDelivery, updateDelivery } from '../db/deliveries.repository';
import { purgeOlderThan } from '../db/retention.repository';
import type { Database, DeliveryStatus, DeliveryUpdate, NewAttemptRow } from '../db/schema';
import { attemptOutcome } from '../domain/attempt-outcome';
import { attemptRequest } from '../domain/attempt-request';
import { isFinishedDeliveryStatus } from '../domain/delivery-status';
import { endpointAuthSchema, type EndpointAuth } from '../domain/endpoint-auth';
import { openCustomHeaders } from '../domain/endpoint-headers';
import { failingEndpointDisableReason } from '../domain/failing-endpoint';
import { TEST_EVENT_TYPE } from '../domain/operational-event-types';
import { retryPolicySchema } from '../domain/retry-policy';
import { storableText } from '../domain/response-body';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import type { SecretBox } from '../domain/secret-box';
import type {
  AttemptInput,
  AttemptOutcome,
  FinishDeliveryInput,
  PublishEventInput,
  PublishEventResult,
  PurgeInput,
  PurgeResult,
  ScheduleRetryInput,
  SentAttempt,
  UnrecordedAttemptReport,
} from '../workflows/contracts';
import { INVALID_EVENT_FAILURE, NOT_FOUND_FAILURE, UNDELIVERABLE_FAILURE } from '../workflows/contracts';
import type { DeliveryMetrics } from '../metrics/metrics';
import { attemptRow, sentAttempt } from './attempt-records';
import type { WebhookHttpClient } from './webhook-http';

/**
 * The use cases activities hand work to, bound to the process's context by the worker
 * (services/activity-use-cases.ts), so that activities depend on these signatures only.
 */
export interface ActivityUseCases {
  /** Records the event and starts its delivery workflows (services/publishing.service). */
  recordEventAndStartDeliveries(
    input: PublishEventInput,
    options: { onBackgroundStartFailed: (error: unknown) => void },
  ): Promise<PublishEventResult>;
  /** Disables the endpoint and stops its waiting deliveries but `exceptDeliveryId` (services/endpoint-control.service). */
  disableEndpoint(tenantId: string, endpointId: string, reason: string, options: { exceptDeliveryId: string }): Promise<unknown>;
}

export interface ActivityDependencies {
  db: Kysely<Database>;
  secretBox: SecretBox;
  useCases: ActivityUseCases;
  http: WebhookHttpClient;
  userAgent: string;
  defaultTimeoutMs: number;
  /** An endpoint failing without a single success for this long is disabled. */
  disableFailingEndpointAfterMs: number;
  /** Counts attempts and finished deliveries (Prometheus); optional so tests may leave it out. */
  metrics?: DeliveryMetrics;
  /** Where an attempt that could not be recorded, or a delivery that cannot be sent, is reported. */
  logger?: Logger;
}

export function createActivities(deps: ActivityDependencies) {
  const { db, secretBox, http, useCases } = deps;

  /**
   * Records the event and starts its delivery workflows (client starts, not children): the
   * publish workflow's only step. Repeating it after a crash starts whatever is missing. Its name
   * is the activity type in recorded publish histories, so it stays.
   */
  async function publishAndStartDeliveries(input: PublishEventInput): Promise<PublishEventResult> {
    // A large fan-out's starts outlive this activity (see recordEventAndStartDeliveries): keep its logger.
    const log = Context.current().log;
    return asActivityFailure(() =>
      useCases.recordEventAndStartDeliveries(input, {
        onBackgroundStartFailed: (error) =>
          log.warn('event recorded; starting its delivery workflows failed, the worker sweeper starts the rest', { error: String(error) }),
      }),
    );
  }

  /**
   * Loads, signs and POSTs one attempt, then records it. The receiver's answer is returned,
   * never thrown. Before the POST our own faults throw (Temporal retries them: nothing was sent);
   * a delivery that cannot be sent from what is stored fails non-retryably. After the POST
   * nothing throws: an attempt that could not be recorded comes back `unrecorded`, for the
   * workflow to record in a step of its own, so a POST is never repeated for our fault.
   */
  async function attemptDelivery(input: AttemptInput): Promise<AttemptOutcome> {
    const now = new Date();
    const delivery = await loadDeliveryForAttempt(db, input.deliveryId, now);
    if (!delivery) return { outcome: 'skipped', reason: 'delivery no longer exists', status: 'cancelled' };
    if (isFinishedDeliveryStatus(delivery.deliveryStatus)) {
      return { outcome: 'skipped', reason: `delivery already ${delivery.deliveryStatus}`, status: delivery.deliveryStatus };
    }
    if (delivery.endpointDeletedAt) return stopDelivery(input.deliveryId, 'endpoint deleted');
    if (!delivery.endpointEnabled && delivery.eventType !== TEST_EVENT_TYPE) return stopDelivery(input.deliveryId, 'endpoint disabled');

    const prepared = prepareRequest(delivery, input, now);
    // A worker shutting down past its grace time aborts the POST: post() throws, nothing is
    // recorded, and the attempt runs again elsewhere. The delivery's own cancel does not: a POST
    // already on its way finishes (bounded by the endpoint timeout) and is recorded, so the
    // receiver never gets a POST the log does not show (the workflow waits for this step).
    const cancellation = abortedUnlessCancelRequested(cancellationSignal());
    const timeoutMs = delivery.timeoutMs ?? deps.defaultTimeoutMs;
    const result = await http.post({ url: delivery.url, headers: prepared.headers, body: prepared.body, timeoutMs, cancellation });
    const sent = sentAttempt(input, now, delivery, prepared, result);
    const status = sent.response?.status ?? null;
    deps.metrics?.attemptFinished({ status, errorKind: sent.error?.kind ?? null, durationMs: sent.durationMs });
    try {
      return await recordSentAttempt(sent);
    } catch (error) {
      const reason = describeDatabaseError(error);
      deps.logger?.warn(
        { deliveryId: sent.deliveryId, attemptNumber: sent.attemptNumber, status, err: { message: reason } },
        'attempt not recorded yet; recording it in a step of its own',
      );
      return { outcome: 'unrecorded', attempt: sent, reason };
    }
  }

  /**
   * Opens what is stored (auth, secret headers, signing secrets) and assembles the request
   * (domain/attempt-request). Everything that can fail on stored data, before anything is sent:
   * a failure here is permanent.
   */
  function prepareRequest(delivery: DeliveryForAttempt, input: AttemptInput, now: Date) {
    try {
      const auth: EndpointAuth = delivery.authSealed
        ? endpointAuthSchema.parse(JSON.parse(secretBox.open(delivery.authSealed)))
        : { type: 'none' };
      const retryPolicy = delivery.retryPolicy ? retryPolicySchema.parse(delivery.retryPolicy) : null;
      const customHeaders = openCustomHeaders(delivery.customHeaders, secretBox);
      const signingSecrets = delivery.sealedSecrets.map((sealed) => secretBox.open(sealed));
      const request = attemptRequest({
        event: {
          id: delivery.eventId,
          type: delivery.eventType,
          tenantId: delivery.tenantId,
          occurredAt: delivery.occurredAt,
          resourceId: delivery.resourceId,
          operation: delivery.operation,
          triggeredBy: delivery.triggeredBy,
          data: delivery.eventData,
          previous: delivery.previous,
        },
        storedCustomHeaders: delivery.customHeaders,
        customHeaders,
        auth,
        signingSecrets,
        userAgent: deps.userAgent,
        timestamp: now,
      });
      return { ...request, retryPolicy };
    } catch (error) {
      const message = `cannot send this delivery from what is stored: ${(error as Error).message}`;
      deps.logger?.error({ deliveryId: input.deliveryId, endpointId: delivery.endpointId, err: { message } }, 'delivery cannot be sent');
      throw ApplicationFailure.nonRetryable(message, UNDELIVERABLE_FAILURE);
    }
  }

  /**
   * Records one POST that happened and applies its consequences (the endpoint's streak, the
   * failing-for-days rule). Idempotent (the attempt row is upserted), so the workflow's own
   * recording step may run it again. Transient database faults throw; a permanent refusal of a
   * value (SQLSTATE class 22, 23, …) ends the attempt as `record_failed` without the receiver's
   * details, logged and counted, and the delivery goes on by its rules.
   */
  async function recordSentAttempt(sent: SentAttempt): Promise<AttemptOutcome> {
    const outcome = attemptOutcome(sent, new Date(sent.startedAt));
    const succeeded = outcome.outcome === 'succeeded';
    const status = sent.response?.status ?? null;
    const delivery: DeliveryUpdate = {
      attempt_count: sent.attemptNumber,
      last_response_status: status,
      last_error_kind: sent.error?.kind ?? null,
      next_attempt_at: null,
      ...(succeeded ? { status: 'succeeded', finished_at: new Date(), status_reason: null } : {}),
    };
    const endpoint = { id: sent.endpoint.id, succeeded };
    try {
      await recordAttempt(db, attemptRow(sent), delivery, endpoint);
    } catch (error) {
      if (!isPermanentDatabaseError(error)) throw error;
      const reason = describeDatabaseError(error);
      deps.metrics?.attemptRecordFailed('refused');
      deps.logger?.error(
        {
          deliveryId: sent.deliveryId,
          attemptNumber: sent.attemptNumber,
          status,
          errorKind: sent.error?.kind ?? null,
          err: { message: reason },
        },
        'attempt recorded without its details: the database refused them',
      );
      const original = sent.error ? ` The attempt's own error was ${sent.error.kind}: ${sent.error.message}` : '';
      const minimal: NewAttemptRow = {
        ...attemptRow({ ...sent, response: sent.response && { ...sent.response, headers: {}, bodyBase64: '' } }),
        request_headers: JSON.stringify({}),
        response_body_bytes: null,
        error_kind: 'record_failed',
        error_message: storableText(`the database refused this attempt's details (${reason}).${original}`).slice(0, 4000),
      };
      try {
        await recordAttempt(db, minimal, { ...delivery, last_error_kind: sent.error?.kind ?? 'record_failed' }, endpoint);
      } catch (again) {
        if (!isPermanentDatabaseError(again)) throw again;
        deps.logger?.error(
          { deliveryId: sent.deliveryId, attemptNumber: sent.attemptNumber, err: { message: describeDatabaseError(again) } },
          'attempt not recorded: the database refused even its summary',
        );
        if (succeeded) await updateDelivery(db, sent.deliveryId, { status: 'succeeded', finished_at: new Date(), status_reason: null });
      }
    }
    if (succeeded) {
      deps.metrics?.deliveryFinished('succeeded');
      return outcome;
    }

    const disableReason = failingEndpointDisableReason(sent.endpoint, new Date(sent.startedAt), deps.disableFailingEndpointAfterMs);
    if (disableReason) {
      await useCases.disableEndpoint(sent.endpoint.tenantId, sent.endpoint.id, disableReason, { exceptDeliveryId: sent.deliveryId });
    }
    return outcome;
  }

  /** The workflow's last word on a POST whose attempt could not be recorded at all: a log line and a metric. */
  async function reportUnrecordedAttempt(report: UnrecordedAttemptReport): Promise<void> {
    deps.metrics?.attemptRecordFailed('unrecorded');
    deps.logger?.error({ ...report }, 'attempt not recorded: the database stayed unavailable; the delivery goes on without it');
  }

  /** The endpoint went away: the delivery fails (so a later recover can resend it) without an attempt. */
  async function stopDelivery(deliveryId: string, reason: string): Promise<AttemptOutcome> {
    await updateDelivery(db, deliveryId, { status: 'failed', status_reason: reason, next_attempt_at: null, finished_at: new Date() });
    deps.metrics?.deliveryFinished('failed');
    return { outcome: 'skipped', reason, status: 'failed' };
  }

  async function scheduleRetry(input: ScheduleRetryInput): Promise<void> {
    await updateDelivery(db, input.deliveryId, { status: 'retrying', next_attempt_at: new Date(input.nextAttemptAt) });
  }

  /** Answers the status the delivery ends with (see finishOpenDelivery). */
  async function finishDelivery(input: FinishDeliveryInput): Promise<DeliveryStatus> {
    // The endpoint is disabled first, so whoever sees the delivery finished sees the endpoint disabled.
    if (input.disableEndpointReason) {
      const delivery = await findDeliveryById(db, input.deliveryId);
      if (delivery) {
        await useCases.disableEndpoint(delivery.tenant_id, delivery.endpoint_id, input.disableEndpointReason, {
          exceptDeliveryId: input.deliveryId,
        });
      }
    }
    const stored = await finishOpenDelivery(db, input.deliveryId, {
      status: input.status,
      status_reason: input.reason,
      next_attempt_at: null,
      finished_at: new Date(),
    });
    // Already finished by an attempt (a 2xx recorded as a cancel was being handled): that stands.
    if (stored && stored !== input.status) return stored;
    deps.metrics?.deliveryFinished(input.status);
    return input.status;
  }

  async function purgeExpiredData(input: PurgeInput): Promise<PurgeResult> {
    const cutoff = new Date(Date.now() - input.retentionDays * 24 * 3_600_000);
    return purgeOlderThan(db, cutoff, input.batchSize ?? 5000);
  }

  return {
    publishAndStartDeliveries,
    attemptDelivery,
    recordSentAttempt,
    reportUnrecordedAttempt,
    scheduleRetry,
    finishDelivery,
    purgeExpiredData,
  };
}

/**
 * Follows the activity's cancellation except a cancel the workflow asked for (reason CANCELLED,
 * the delivery's cancel signal): worker shutdown, timeouts and the like still abort.
 */
function abortedUnlessCancelRequested(activityCancellation: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const follow = () => {
    const reason: unknown = activityCancellation.reason;
    if (reason instanceof CancelledFailure && reason.message === 'CANCELLED') return;
    controller.abort(reason);
  };
  if (activityCancellation.aborted) follow();
  else activityCancellation.addEventListener('abort', follow, { once: true });
  return controller.signal;
}

/**
 * A publish that can never succeed, as a non-retryable failure: an unknown tenant, or a catalog
 * refusal the publishing client turns back into InvalidInputError.
 */
async function asActivityFailure<T>(publish: () => Promise<T>): Promise<T> {
  try {
    return await publish();
  } catch (error) {
    if (error instanceof InvalidInputError) throw ApplicationFailure.nonRetryable(error.message, INVALID_EVENT_FAILURE, error.errors);
    if (error instanceof NotFoundError) throw ApplicationFailure.nonRetryable(error.message, NOT_FOUND_FAILURE);
    throw error;
  }
}

export type Activities = ReturnType<typeof createActivities>;
