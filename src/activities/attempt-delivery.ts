// The attempt activities: pass the endpoint gate, sign and POST one attempt, record it. I/O only:
// the request is assembled by domain/attempt-request, the next step decided by domain/attempt-outcome,
// and what must happen to other deliveries or the endpoint comes back as follow-ups for the workflow.
import { ApplicationFailure, CancelledFailure, cancellationSignal } from '@temporalio/activity';
import { describeDatabaseError, isPermanentDatabaseError } from '../db/database-errors';
import { loadDeliveryForAttempt, recordAttempt, type AttemptToRecord, type DeliveryForAttempt } from '../db/attempts.repository';
import { markDeliveryWaiting, updateDelivery } from '../db/deliveries.repository';
import type { DeliveryUpdate } from '../db/schema';
import { attemptOutcome, type FollowUps } from '../domain/attempt-outcome';
import { attemptRequest } from '../domain/attempt-request';
import { isFinishedDeliveryStatus } from '../domain/delivery-status';
import { failingEndpointDisableReason } from '../domain/failing-endpoint';
import { TEST_EVENT_TYPE } from '../domain/operational-event-types';
import { retryPolicySchema } from '../domain/retry-policy';
import { storableText } from '../domain/response-body';
import type { AttemptInput, AttemptOutcome, SentAttempt, UnrecordedAttemptReport } from '../workflows/contracts';
import { UNDELIVERABLE_FAILURE } from '../workflows/contracts';
import { attemptRow, sentAttempt } from './attempt-records';
import { tracedPost } from './attempt-tracing';
import { openEndpointCredentials } from './endpoint-credentials';
import type { EndpointGate } from './endpoint-gate';
import type { ActivityDependencies } from './dependencies';

export function createAttemptActivities(deps: ActivityDependencies, gate: EndpointGate) {
  const { db, secretBox, http } = deps;

  /**
   * Loads, passes the endpoint gate, signs and POSTs one attempt, then records it. The receiver's
   * answer is returned, never thrown; a gate that holds the attempt back answers `deferred` (nothing
   * sent, no attempt spent). Before the POST our own faults throw (Temporal retries them: nothing
   * was sent); a delivery that cannot be sent from what is stored fails non-retryably. After the
   * POST nothing throws: an attempt that could not be recorded comes back `unrecorded`, for the
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
    const deferral = await gate.admit(delivery, input, now);
    if (deferral) {
      await markDeliveryWaiting(db, input.deliveryId, deferral);
      deps.metrics?.attemptDeferred(deferral.waitReason);
      return { outcome: 'deferred', ...deferral };
    }
    // A worker shutting down past its grace time aborts the POST: post() throws, nothing is
    // recorded, and the attempt runs again elsewhere. The delivery's own cancel does not: a POST
    // already on its way finishes (bounded by the endpoint timeout) and is recorded, so the
    // receiver never gets a POST the log does not show (the workflow waits for this step).
    const cancellation = abortedUnlessCancelRequested(cancellationSignal());
    const timeoutMs = delivery.timeoutMs ?? deps.defaultTimeoutMs;
    const subject = { ...delivery, deliveryId: input.deliveryId, attemptNumber: input.attemptNumber };
    const result = await tracedPost(subject, prepared.headers, deps.sendTraceparent ?? false, (headers) =>
      http.post({ url: delivery.url, headers, body: prepared.body, timeoutMs, cancellation }),
    );
    const sent = sentAttempt(input, now, delivery, prepared, result);
    const status = sent.response?.status ?? null;
    deps.metrics?.attemptFinished({ status, errorKind: sent.error?.kind ?? null, durationMs: sent.durationMs });
    let outcome: AttemptOutcome;
    try {
      outcome = await recordSentAttempt(sent);
    } catch (error) {
      const reason = describeDatabaseError(error);
      deps.logger?.warn(
        { deliveryId: sent.deliveryId, attemptNumber: sent.attemptNumber, status, err: { message: reason } },
        'attempt not recorded yet; recording it in a step of its own',
      );
      outcome = { outcome: 'unrecorded', attempt: sent, reason };
    }
    return withWakes(outcome, await settle(delivery, sent, outcome));
  }

  /** The gate's bookkeeping after a POST; a fault here never fails the attempt (permits also expire). */
  async function settle(delivery: DeliveryForAttempt, sent: SentAttempt, outcome: AttemptOutcome): Promise<string[]> {
    try {
      return await gate.settle(delivery, sent, outcome);
    } catch (error) {
      deps.logger?.warn(
        { deliveryId: sent.deliveryId, endpointId: delivery.endpointId, err: { message: describeDatabaseError(error) } },
        'endpoint gate not settled after an attempt; its permits expire on their own',
      );
      return [];
    }
  }

  /**
   * Opens what is stored (auth, secret headers, signing secrets) and assembles the request
   * (domain/attempt-request). Everything that can fail on stored data, before anything is sent:
   * a failure here is permanent.
   */
  function prepareRequest(delivery: DeliveryForAttempt, input: AttemptInput, now: Date) {
    try {
      const { auth, customHeaders, signingSecrets } = openEndpointCredentials(delivery, secretBox);
      const retryPolicy = delivery.retryPolicy ? retryPolicySchema.parse(delivery.retryPolicy) : null;
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
   * Records one POST that happened and the endpoint's failing streak; the failing-for-days rule
   * comes back as a follow-up for the workflow to carry out. Idempotent (the attempt row is
   * upserted), so the workflow's own recording step may run it again. Transient database faults
   * throw; a permanent refusal of a value (SQLSTATE class 22, 23, …) ends the attempt as
   * `record_failed` without the receiver's details, logged and counted, and the delivery goes on
   * by its rules.
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
      wait_reason: null,
      ...(succeeded ? { status: 'succeeded', finished_at: new Date(), status_reason: null } : {}),
    };
    const endpoint = { id: sent.endpoint.id, succeeded };
    try {
      await recordAttempt(db, attemptRow(sent), delivery, endpoint);
    } catch (error) {
      if (!isPermanentDatabaseError(error)) throw error;
      await recordWithoutDetails(sent, delivery, endpoint, describeDatabaseError(error));
    }
    if (succeeded) {
      deps.metrics?.deliveryFinished('succeeded');
      return outcome;
    }
    const disableEndpointReason = failingEndpointDisableReason(sent.endpoint, new Date(sent.startedAt), deps.disableFailingEndpointAfterMs);
    return disableEndpointReason ? { ...outcome, followUps: { disableEndpointReason } } : outcome;
  }

  /** The database refused the attempt's details: record a summary of it, logged and counted. */
  async function recordWithoutDetails(
    sent: SentAttempt,
    delivery: DeliveryUpdate,
    endpoint: { id: string; succeeded: boolean },
    reason: string,
  ): Promise<void> {
    const status = sent.response?.status ?? null;
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
    const minimal: AttemptToRecord = {
      ...attemptRow({ ...sent, response: sent.response && { ...sent.response, headers: {}, bodyBase64: '' } }),
      request_headers: JSON.stringify({}),
      response_body_bytes: null,
      remote_address: null,
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
      if (endpoint.succeeded)
        await updateDelivery(db, sent.deliveryId, { status: 'succeeded', finished_at: new Date(), status_reason: null });
    }
  }

  /** The workflow's last word on a POST whose attempt could not be recorded at all: a log line and a metric. */
  async function reportUnrecordedAttempt(report: UnrecordedAttemptReport): Promise<void> {
    deps.metrics?.attemptRecordFailed('unrecorded');
    deps.logger?.error({ ...report }, 'attempt not recorded: the database stayed unavailable; the delivery goes on without it');
  }

  /** The endpoint went away: the delivery fails (so a later recover can resend it) without an attempt. */
  async function stopDelivery(deliveryId: string, reason: string): Promise<AttemptOutcome> {
    await updateDelivery(db, deliveryId, {
      status: 'failed',
      status_reason: reason,
      wait_reason: null,
      next_attempt_at: null,
      finished_at: new Date(),
    });
    deps.metrics?.deliveryFinished('failed');
    return { outcome: 'skipped', reason, status: 'failed' };
  }

  return { attemptDelivery, recordSentAttempt, reportUnrecordedAttempt };
}

/** Adds workflow ids to wake to an outcome that can carry follow-ups. */
function withWakes(outcome: AttemptOutcome, wakeWorkflowIds: string[]): AttemptOutcome {
  if (wakeWorkflowIds.length === 0) return outcome;
  if (outcome.outcome !== 'succeeded' && outcome.outcome !== 'failed') return outcome;
  const followUps: FollowUps = { ...outcome.followUps, wakeWorkflowIds };
  return { ...outcome, followUps };
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
