// Activities: every side effect of publishing and delivering. Built by a factory so the worker
// injects the database, Temporal client, secret box and HTTP client (and tests inject theirs).
import { ApplicationFailure, cancellationSignal, Context } from '@temporalio/activity';
import { findDeliveryById, loadDeliveryForAttempt, purgeOlderThan, recordAttempt, updateDelivery } from '../db/deliveries.repository';
import { authHeaders, endpointAuthSchema, redactHeaders, sensitiveHeaderNames, type EndpointAuth } from '../domain/endpoint-auth';
import { envelopeBody } from '../domain/envelope';
import { retryPolicySchema } from '../domain/retry-policy';
import { parseRetryAfter } from '../domain/retry-schedule';
import { webhookHeaders } from '../domain/signature';
import type { ServiceContext } from '../services/context';
import { disableEndpoint } from '../services/delivery-control.service';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import * as publishing from '../services/publishing.service';
import type {
  AttemptInput,
  AttemptOutcome,
  FinishDeliveryInput,
  PublishEventInput,
  PublishEventResult,
  PurgeInput,
  PurgeResult,
  RecordedEvent,
  ScheduleRetryInput,
} from '../workflows/contracts';
import type { DeliveryMetrics } from '../metrics/metrics';
import type { WebhookHttpClient } from './webhook-http';

/** ApplicationFailure type of a publish the catalog refuses (unknown type, data against the schema). */
export const INVALID_EVENT_FAILURE = 'InvalidEvent';
/** Event types delivered even to a disabled endpoint (only ever targeted at one endpoint). */
const TEST_EVENT_TYPE = 'webhook.test';

export interface ActivityDependencies {
  services: ServiceContext;
  http: WebhookHttpClient;
  userAgent: string;
  defaultTimeoutMs: number;
  /** An endpoint failing without a single success for this long is disabled. */
  disableFailingEndpointAfterMs: number;
  /** Counts attempts and finished deliveries (Prometheus); optional so tests may leave it out. */
  metrics?: DeliveryMetrics;
}

export function createActivities(deps: ActivityDependencies) {
  const { services, http } = deps;
  const { db, secretBox } = services;

  /**
   * Records the event and starts its delivery workflows (client starts, not children): the
   * publish workflow's only step. Repeating it after a crash starts whatever is missing.
   */
  async function publishAndStartDeliveries(input: PublishEventInput): Promise<PublishEventResult> {
    // A large fan-out's starts outlive this activity (see publishAndStartDeliveries): keep its logger.
    const log = Context.current().log;
    return asActivityFailure(() =>
      publishing.publishAndStartDeliveries(services, input, {
        onBackgroundStartFailed: (error) =>
          log.warn('event recorded; starting its delivery workflows failed, the worker sweeper starts the rest', { error: String(error) }),
      }),
    );
  }

  /** Publish workflows from before `publishAndStartDeliveries`: record only; the workflow starts children. */
  async function recordEvent(input: PublishEventInput): Promise<RecordedEvent> {
    return asActivityFailure(() => publishing.recordEvent(db, input, { deliveriesStartedByCaller: true }));
  }

  /**
   * Loads, signs and POSTs one attempt, then records it. The receiver's answer is returned,
   * never thrown; only our own faults (database, bugs) throw and are retried by Temporal.
   */
  async function attemptDelivery(input: AttemptInput): Promise<AttemptOutcome> {
    const now = new Date();
    const delivery = await loadDeliveryForAttempt(db, input.deliveryId, now);
    if (!delivery) return { outcome: 'skipped', reason: 'delivery no longer exists', status: 'cancelled' };
    if (delivery.deliveryStatus === 'succeeded' || delivery.deliveryStatus === 'failed' || delivery.deliveryStatus === 'cancelled') {
      return { outcome: 'skipped', reason: `delivery already ${delivery.deliveryStatus}`, status: delivery.deliveryStatus };
    }
    if (delivery.endpointDeletedAt) return stopDelivery(input.deliveryId, 'endpoint deleted');
    if (!delivery.endpointEnabled && delivery.eventType !== TEST_EVENT_TYPE) return stopDelivery(input.deliveryId, 'endpoint disabled');

    const auth: EndpointAuth = delivery.authSealed
      ? endpointAuthSchema.parse(JSON.parse(secretBox.open(delivery.authSealed)))
      : { type: 'none' };
    const body = envelopeBody({
      id: delivery.eventId,
      type: delivery.eventType,
      tenantId: delivery.tenantId,
      occurredAt: delivery.occurredAt,
      resourceId: delivery.resourceId,
      operation: delivery.operation,
      triggeredBy: delivery.triggeredBy,
      data: delivery.eventData,
      previous: delivery.previous,
    });
    const headers: Record<string, string> = {
      ...delivery.customHeaders,
      ...authHeaders(auth),
      'content-type': 'application/json',
      'user-agent': deps.userAgent,
      ...webhookHeaders({
        messageId: delivery.eventId,
        timestamp: now,
        body,
        secrets: delivery.sealedSecrets.map((sealed) => secretBox.open(sealed)),
      }),
    };
    // Cancelled (worker shutdown past its grace time): post() throws, nothing is recorded, Temporal retries.
    const cancellation = cancellationSignal();
    const timeoutMs = delivery.timeoutMs ?? deps.defaultTimeoutMs;
    const result = await http.post({ url: delivery.url, headers, body, timeoutMs, cancellation });

    const succeeded = result.kind === 'response' && result.status >= 200 && result.status < 300;
    const status = result.kind === 'response' ? result.status : null;
    await recordAttempt(
      db,
      {
        delivery_id: input.deliveryId,
        number: input.attemptNumber,
        trigger: input.trigger,
        started_at: now,
        duration_ms: result.durationMs,
        request_url: delivery.url,
        request_headers: JSON.stringify(redactHeaders(headers, sensitiveHeaderNames(auth))),
        response_status: status,
        response_headers: result.kind === 'response' ? JSON.stringify(result.headers) : null,
        response_body: result.kind === 'response' ? result.body : null,
        error_kind: result.kind === 'error' ? result.errorKind : null,
        error_message: result.kind === 'error' ? result.message : null,
      },
      {
        attempt_count: input.attemptNumber,
        last_response_status: status,
        last_error_kind: result.kind === 'error' ? result.errorKind : null,
        next_attempt_at: null,
        ...(succeeded ? { status: 'succeeded', finished_at: new Date(), status_reason: null } : {}),
      },
      { id: delivery.endpointId, succeeded },
    );
    deps.metrics?.attemptFinished({ status, errorKind: result.kind === 'error' ? result.errorKind : null, durationMs: result.durationMs });
    if (succeeded) {
      deps.metrics?.deliveryFinished('succeeded');
      return { outcome: 'succeeded', status: status! };
    }

    const failingSince = delivery.endpointFailingSince;
    if (failingSince && now.getTime() - failingSince.getTime() >= deps.disableFailingEndpointAfterMs && delivery.endpointEnabled) {
      const hours = Math.round((now.getTime() - failingSince.getTime()) / 3_600_000);
      await disableEndpoint(
        services,
        delivery.tenantId,
        delivery.endpointId,
        `every delivery failed for ${hours} h (since ${failingSince.toISOString()})`,
        {
          exceptDeliveryId: input.deliveryId,
        },
      );
    }
    return {
      outcome: 'failed',
      status,
      errorKind: result.kind === 'error' ? result.errorKind : null,
      retryAfterSeconds:
        result.kind === 'response' && (result.status === 429 || result.status === 503)
          ? parseRetryAfter(result.headers['retry-after'], now)
          : null,
      gone: status === 410,
      retryPolicy: delivery.retryPolicy ? retryPolicySchema.parse(delivery.retryPolicy) : null,
    };
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

  async function finishDelivery(input: FinishDeliveryInput): Promise<void> {
    await updateDelivery(db, input.deliveryId, {
      status: input.status,
      status_reason: input.reason,
      next_attempt_at: null,
      finished_at: new Date(),
    });
    if (input.disableEndpointReason) {
      const delivery = await findDeliveryById(db, input.deliveryId);
      if (delivery) {
        await disableEndpoint(services, delivery.tenant_id, delivery.endpoint_id, input.disableEndpointReason, {
          exceptDeliveryId: input.deliveryId,
        });
      }
    }
    deps.metrics?.deliveryFinished(input.status);
  }

  async function purgeExpiredData(input: PurgeInput): Promise<PurgeResult> {
    const cutoff = new Date(Date.now() - input.retentionDays * 24 * 3_600_000);
    return purgeOlderThan(db, cutoff, input.batchSize ?? 5000);
  }

  return { publishAndStartDeliveries, recordEvent, attemptDelivery, scheduleRetry, finishDelivery, purgeExpiredData };
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
    if (error instanceof NotFoundError) throw ApplicationFailure.nonRetryable(error.message, 'NotFound');
    throw error;
  }
}

export type Activities = ReturnType<typeof createActivities>;
