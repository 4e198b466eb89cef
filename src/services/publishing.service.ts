// Publishing, shared by every path in: record the event and its deliveries in one transaction,
// then start one delivery workflow per delivery and mark the event "deliveries started".
//   - the API calls publishAndStartDeliveries directly (one workflow per delivery, nothing else);
//   - the publish workflow (Temporal-client publishers) runs the same thing as a local activity;
//   - startStrandedDeliveries, run by the worker, starts what was recorded but never started
//     (the API process died between commit and start, or Temporal was unreachable).
// Starting is idempotent (workflow id = delivery id, a closed one is never started again), so
// every path may repeat it.
import { sql, type Kysely } from 'kysely';
import { countDeliveriesOfEvent, findPlannedDeliveriesOfEvent, insertFanOutDeliveries } from '../db/deliveries.repository';
import { findEndpointForTargetedDelivery, findSubscribedEndpoints } from '../db/endpoints.repository';
import {
  findEvent,
  findEventByIdempotencyKey,
  findEventsWithUnstartedDeliveries,
  insertEvent,
  markDeliveriesStarted,
  releaseIdempotencyKey,
} from '../db/events.repository';
import type { Database } from '../db/schema';
import { findTenantById } from '../db/tenants.repository';
import { NotFoundError } from '../domain/errors';
import { deliveryWorkflowId, newId } from '../domain/ids';
import { startDeliveryWorkflow } from '../temporal/client';
import type { PlannedDelivery, PublishEventInput, PublishEventResult, RecordedEvent } from '../workflows/contracts';
import { forEachWithConcurrency } from './bounded-concurrency';
import { defaultFanOut, type ServiceContext } from './context';
import { assertPublishable } from './event-types.service';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface RecordOptions {
  /**
   * Whoever records also starts the deliveries: true when a (legacy) publish workflow starts
   * them as children, so the sweeper never looks at the event.
   */
  deliveriesStartedByCaller?: boolean;
  /** The caller generated the event id just now (the API), so no earlier attempt can have recorded it. */
  freshEventId?: boolean;
}

/**
 * Records the event (once per idempotency key per 24 h) and plans one delivery per subscribed
 * endpoint. Returns the deliveries still to start: the planned ones, or for a repeat of an
 * event whose deliveries were never started, those. Throws NotFoundError (tenant) and
 * InvalidInputError (catalog).
 */
export async function recordEvent(db: Kysely<Database>, input: PublishEventInput, options: RecordOptions = {}): Promise<RecordedEvent> {
  return db.transaction().execute(async (trx) => {
    // A retry of this same publish: an earlier attempt committed but its result was lost (the
    // process died). Hand back what it planned, so every delivery is still started.
    const recorded = options.freshEventId ? undefined : await findEvent(trx, input.tenantId, input.eventId);
    if (recorded) {
      const deliveries = await findPlannedDeliveriesOfEvent(trx, recorded.id);
      return { eventId: recorded.id, deliveryCount: deliveries.length, duplicate: false, deliveries };
    }
    if (input.idempotencyKey) {
      // Serialise publishers of the same key so two concurrent requests cannot both fan out.
      await advisoryLock(trx, `${input.tenantId}:${input.idempotencyKey}`);
      const existing = await findEventByIdempotencyKey(trx, input.tenantId, input.idempotencyKey);
      if (existing && existing.created_at.getTime() > Date.now() - IDEMPOTENCY_WINDOW_MS) {
        // The original publish may have died before starting its deliveries: this repeat does it.
        const unstarted = existing.deliveries_started_at === null ? await findPlannedDeliveriesOfEvent(trx, existing.id) : [];
        return {
          eventId: existing.id,
          deliveryCount: await countDeliveriesOfEvent(trx, existing.id),
          duplicate: true,
          deliveries: unstarted,
        };
      }
      if (existing) await releaseIdempotencyKey(trx, existing.id);
    }
    const tenant = await findTenantById(trx, input.tenantId);
    if (!tenant) throw new NotFoundError('tenant', input.tenantId);
    if (!input.targetEndpointId) await assertPublishable({ db: trx }, input);

    const endpoints = input.targetEndpointId
      ? await findEndpointForTargetedDelivery(trx, input.tenantId, input.targetEndpointId)
      : await findSubscribedEndpoints(trx, input.tenantId, input.type);
    const now = new Date();
    const event = await insertEvent(trx, {
      id: input.eventId,
      tenant_id: input.tenantId,
      type: input.type,
      data: JSON.stringify(input.data),
      resource_id: input.resourceId ?? null,
      operation: input.operation ?? null,
      previous: input.previous === undefined ? null : JSON.stringify(input.previous),
      triggered_by: input.triggeredBy ?? null,
      idempotency_key: input.idempotencyKey ?? null,
      occurred_at: input.occurredAt ? new Date(input.occurredAt) : now,
      // Nothing to start (no subscriber) is already "started".
      deliveries_started_at: options.deliveriesStartedByCaller || endpoints.length === 0 ? now : null,
    });
    const deliveries: PlannedDelivery[] = endpoints.map((endpoint) => {
      const id = newId('dlv');
      return {
        deliveryId: id,
        workflowId: deliveryWorkflowId(id),
        endpointId: endpoint.id,
        endpointUrl: endpoint.url,
        eventType: event.type,
        tenantId: input.tenantId,
      };
    });
    // One statement for any fan-out (20,000 endpoints and more): see insertFanOutDeliveries.
    await insertFanOutDeliveries(
      trx,
      { tenantId: input.tenantId, eventId: event.id, eventType: event.type, resourceId: event.resource_id },
      deliveries.map((delivery) => ({ id: delivery.deliveryId, endpointId: delivery.endpointId, workflowId: delivery.workflowId })),
    );
    return { eventId: event.id, deliveryCount: deliveries.length, duplicate: false, deliveries };
  });
}

/**
 * Starts the delivery workflows of a recorded event (harmless if some already run or ran) and
 * marks it. At most `fanOut.startConcurrency` starts are in flight at once; after a failed start
 * no new one begins, and the error is thrown once the running ones have settled.
 */
export async function startDeliveries(ctx: ServiceContext, eventId: string, deliveries: PlannedDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  const options = { taskQueue: ctx.taskQueue, eager: ctx.eagerWorkflowStart };
  const { startConcurrency } = ctx.fanOut ?? defaultFanOut;
  await forEachWithConcurrency(deliveries, startConcurrency, (delivery) => startDeliveryWorkflow(ctx.temporal, delivery, options));
  await markDeliveriesStarted(ctx.db, eventId);
}

export interface PublishOptions extends Pick<RecordOptions, 'freshEventId'> {
  /** The starts failed after the commit; the event stays accepted and the sweeper starts them. Without it, the error is thrown. */
  onStartFailed?: (error: unknown) => void;
  /** Starts running in the background (a large fan-out) failed; the sweeper starts the rest. */
  onBackgroundStartFailed?: (error: unknown) => void;
}

/**
 * Records the event and starts its deliveries: publishing in one call, with no publish workflow.
 * Accepted means committed in PostgreSQL: every recorded delivery is then started, by this call,
 * by the background starts of a large fan-out, or by the worker's sweeper. A fan-out above
 * `fanOut.inlineStartMaxDeliveries` answers right after the commit, so a publish to 20,000
 * endpoints takes about as long as its insert, not as long as 20,000 start requests.
 */
export async function publishAndStartDeliveries(
  ctx: ServiceContext,
  input: PublishEventInput,
  options: PublishOptions = {},
): Promise<PublishEventResult> {
  const recorded = await recordEvent(ctx.db, input, { freshEventId: options.freshEventId });
  const result = { eventId: recorded.eventId, deliveryCount: recorded.deliveryCount, duplicate: recorded.duplicate };
  if (recorded.deliveries.length > (ctx.fanOut ?? defaultFanOut).inlineStartMaxDeliveries) {
    // Nobody awaits this: failures are reported, and whatever was not started is swept.
    void startDeliveries(ctx, recorded.eventId, recorded.deliveries).catch((error: unknown) =>
      (options.onBackgroundStartFailed ?? options.onStartFailed)?.(error),
    );
    return result;
  }
  try {
    await startDeliveries(ctx, recorded.eventId, recorded.deliveries);
  } catch (error) {
    // Committed in PostgreSQL, so accepted: the worker's sweeper starts them (startStrandedDeliveries).
    if (!options.onStartFailed) throw error;
    options.onStartFailed(error);
  }
  return result;
}

export interface StrandedSweepResult {
  events: number;
  deliveries: number;
}

/**
 * Starts the deliveries of events recorded more than `olderThanMs` ago whose workflows were
 * never started. Run periodically by the worker; normally finds nothing.
 */
export async function startStrandedDeliveries(
  ctx: ServiceContext,
  options: { olderThanMs: number; batchSize?: number },
): Promise<StrandedSweepResult> {
  const result: StrandedSweepResult = { events: 0, deliveries: 0 };
  const recordedBefore = new Date(Date.now() - options.olderThanMs);
  for (;;) {
    const events = await findEventsWithUnstartedDeliveries(ctx.db, recordedBefore, options.batchSize ?? 100);
    for (const event of events) {
      const deliveries = await findPlannedDeliveriesOfEvent(ctx.db, event.id);
      await startDeliveries(ctx, event.id, deliveries);
      if (deliveries.length === 0) await markDeliveriesStarted(ctx.db, event.id);
      result.events += 1;
      result.deliveries += deliveries.length;
    }
    if (events.length < (options.batchSize ?? 100)) return result;
  }
}

async function advisoryLock(trx: Kysely<Database>, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
