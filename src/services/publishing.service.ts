// Publishing, shared by every path in: record the event and its deliveries in one transaction,
// then start one delivery workflow per delivery and mark those deliveries started.
//   - the API calls recordEventAndStartDeliveries directly (one workflow per delivery, nothing else);
//   - the publish workflow (Temporal-client publishers) runs the same thing as a local activity;
//   - startStrandedDeliveries, run by the worker, starts every delivery row recorded but never
//     started, whatever wrote it (the API process died between commit and start, Temporal was
//     unreachable, or a resend, recover, test or operational event left it to the sweeper).
// Starting is idempotent (workflow id = delivery id, a closed one is never started again), so
// every path may repeat it.
import { sql, type Kysely } from 'kysely';
import { countDeliveriesOfEvent, insertFanOutDeliveries } from '../db/deliveries.repository';
import { findPlannedDeliveriesOfEvent, findUnstartedDeliveries, markWorkflowsStarted } from '../db/delivery-starts.repository';
import { findEndpointForTargetedDelivery } from '../db/endpoints.repository';
import { findEvent, findEventByIdempotencyKey, insertEvent, releaseIdempotencyKey } from '../db/events.repository';
import type { Database } from '../db/schema';
import { passesStoredFilter } from '../domain/payload-filter-evaluation';
import { NotFoundError } from '../domain/errors';
import { deliveryWorkflowId, newId } from '../domain/ids';
import { idempotencyLockKey } from '../domain/publish-batch';
import { startDeliveryWorkflow } from '../temporal/client';
import type { PlannedDelivery, PublishEventInput, PublishEventResult, RecordedEvent } from '../workflows/contracts';
import { forEachWithConcurrency } from './bounded-concurrency';
import { defaultFanOut, type ServiceContext } from './context';
import { assertPublishableAs } from './event-types.service';
import { storedEnvelope } from './payload-filter.service';
import { directLookups, type PublishLookups } from './publish-lookups';

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface RecordOptions {
  /** The caller generated the event id just now (the API), so no earlier attempt can have recorded it. */
  freshEventId?: boolean;
  /** The reads before the insert; a batch passes one memo for all its events (see publish-lookups). */
  lookups?: PublishLookups;
}

/**
 * Records the event (once per idempotency key per 24 h) and plans one delivery per subscribed
 * endpoint. Returns the deliveries still to start: the planned ones, or for a repeat of an
 * event whose deliveries were never started, those. Throws NotFoundError (tenant) and
 * InvalidInputError (catalog). Given a transaction, records inside it (an operational event
 * recorded with the change that raises it).
 */
export async function recordEvent(db: Kysely<Database>, input: PublishEventInput, options: RecordOptions = {}): Promise<RecordedEvent> {
  return inTransaction(db, async (trx) => {
    // A retry of this same publish: an earlier attempt committed but its result was lost (the
    // process died). Hand back what it planned, so every delivery is still started.
    const recorded = options.freshEventId ? undefined : await findEvent(trx, input.tenantId, input.eventId);
    if (recorded) {
      const deliveries = await findPlannedDeliveriesOfEvent(trx, recorded.id);
      return { eventId: recorded.id, deliveryCount: deliveries.length, duplicate: false, deliveries, filteredOut: 0 };
    }
    if (input.idempotencyKey) {
      // Serialise publishers of the same key so two concurrent requests cannot both fan out.
      await advisoryLock(trx, idempotencyLockKey(input.tenantId, input.idempotencyKey));
      const existing = await findEventByIdempotencyKey(trx, input.tenantId, input.idempotencyKey);
      if (existing && existing.created_at.getTime() > Date.now() - IDEMPOTENCY_WINDOW_MS) {
        // The original publish may have died before starting its deliveries: this repeat does it.
        const unstarted = await findPlannedDeliveriesOfEvent(trx, existing.id, { unstartedOnly: true });
        return {
          eventId: existing.id,
          deliveryCount: await countDeliveriesOfEvent(trx, existing.id),
          duplicate: true,
          deliveries: unstarted,
          filteredOut: 0,
        };
      }
      if (existing) await releaseIdempotencyKey(trx, existing.id);
    }
    const lookups = options.lookups ?? directLookups;
    if (!(await lookups.tenantExists(trx, input.tenantId))) throw new NotFoundError('tenant', input.tenantId);
    if (!input.targetEndpointId) assertPublishableAs(await lookups.eventType(trx, input.type), input);

    // A targeted delivery (the endpoint's test event) goes whatever the endpoint's filter says.
    const subscribed = input.targetEndpointId
      ? await findEndpointForTargetedDelivery(trx, input.tenantId, input.targetEndpointId)
      : await lookups.subscribedEndpoints(trx, input.tenantId, input.type);
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
    });
    const envelope = storedEnvelope(event);
    const endpoints = subscribed.filter((endpoint) => !('filter' in endpoint) || passesStoredFilter(endpoint.filter, envelope));
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
      {
        tenantId: input.tenantId,
        eventId: event.id,
        eventType: event.type,
        resourceId: event.resource_id,
        workflowStartedAt: null,
      },
      deliveries.map((delivery) => ({ id: delivery.deliveryId, endpointId: delivery.endpointId, workflowId: delivery.workflowId })),
    );
    return {
      eventId: event.id,
      deliveryCount: deliveries.length,
      duplicate: false,
      deliveries,
      filteredOut: subscribed.length - endpoints.length,
    };
  });
}

/** Starts the workflows of recorded deliveries and marks them; throws if any start failed (see tryStartDeliveries). */
export async function startDeliveries(ctx: ServiceContext, deliveries: PlannedDelivery[]): Promise<void> {
  const result = await tryStartDeliveries(ctx, deliveries);
  if (result.failed > 0) throw result.firstError;
}

export interface DeliveryStartResult {
  started: number;
  /** Left unstarted for the sweeper; `firstError` says why. */
  failed: number;
  firstError?: unknown;
}

/** Starts are marked per chunk, so a long fan-out shows its progress and a retry redoes at most one chunk. */
const START_MARK_CHUNK = 500;

/**
 * Starts the workflows of recorded deliveries (harmless if some already run or ran), at most
 * `fanOut.startConcurrency` at once, and marks those that started, one statement per chunk of
 * START_MARK_CHUNK. After a chunk with a failed start no further chunk is tried: the rest is left
 * to the caller's retry or the sweeper.
 */
export async function tryStartDeliveries(ctx: ServiceContext, deliveries: PlannedDelivery[]): Promise<DeliveryStartResult> {
  const result: DeliveryStartResult = { started: 0, failed: 0 };
  const options = { taskQueue: ctx.taskQueue, eager: ctx.eagerWorkflowStart };
  const { startConcurrency } = ctx.fanOut ?? defaultFanOut;
  for (let offset = 0; offset < deliveries.length; offset += START_MARK_CHUNK) {
    const chunk = deliveries.slice(offset, offset + START_MARK_CHUNK);
    const started: string[] = [];
    await forEachWithConcurrency(chunk, startConcurrency, async (delivery) => {
      try {
        await startDeliveryWorkflow(ctx.temporal, delivery, options);
        started.push(delivery.deliveryId);
      } catch (error) {
        result.firstError ??= error;
      }
    });
    await markWorkflowsStarted(ctx.db, started);
    result.started += started.length;
    if (started.length < chunk.length) {
      result.failed = deliveries.length - result.started;
      return result;
    }
  }
  return result;
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
export async function recordEventAndStartDeliveries(
  ctx: ServiceContext,
  input: PublishEventInput,
  options: PublishOptions = {},
): Promise<PublishEventResult> {
  const recorded = await recordEvent(ctx.db, input, { freshEventId: options.freshEventId });
  if (recorded.filteredOut > 0) ctx.metrics?.eventsFilteredOut?.(recorded.filteredOut);
  await startRecordedDeliveries(ctx, recorded.deliveries, options);
  return { eventId: recorded.eventId, deliveryCount: recorded.deliveryCount, duplicate: recorded.duplicate };
}

/**
 * Starts what a committed publish (one event or a batch) recorded: awaited up to
 * `fanOut.inlineStartMaxDeliveries` deliveries, in the background above. A failure leaves the
 * rest to the sweeper and goes to the hooks (thrown when there is no `onStartFailed`).
 */
export async function startRecordedDeliveries(
  ctx: ServiceContext,
  deliveries: PlannedDelivery[],
  options: Pick<PublishOptions, 'onStartFailed' | 'onBackgroundStartFailed'>,
): Promise<void> {
  if (deliveries.length > (ctx.fanOut ?? defaultFanOut).inlineStartMaxDeliveries) {
    // Nobody awaits this: failures are reported, and whatever was not started is swept.
    void startDeliveries(ctx, deliveries).catch((error: unknown) => (options.onBackgroundStartFailed ?? options.onStartFailed)?.(error));
    return;
  }
  try {
    await startDeliveries(ctx, deliveries);
  } catch (error) {
    // Committed in PostgreSQL, so accepted: the worker's sweeper starts them (startStrandedDeliveries).
    if (!options.onStartFailed) throw error;
    options.onStartFailed(error);
  }
}

/**
 * Starts every delivery recorded more than `olderThanMs` ago whose workflow was never started,
 * whatever recorded it. Run periodically by the worker; normally finds nothing. Walks the
 * unstarted rows once (keyset), so a delivery that cannot be started delays no other, and
 * stops at a batch of which nothing started.
 */
export async function startStrandedDeliveries(
  ctx: ServiceContext,
  options: { olderThanMs: number; batchSize?: number },
): Promise<DeliveryStartResult> {
  const batchSize = options.batchSize ?? 500;
  const total: DeliveryStartResult = { started: 0, failed: 0 };
  const createdBefore = new Date(Date.now() - options.olderThanMs);
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const batch = await findUnstartedDeliveries(ctx.db, { createdBefore, after, limit: batchSize });
    if (batch.length === 0) return total;
    const result = await tryStartDeliveries(ctx, batch);
    total.started += result.started;
    total.failed += result.failed;
    total.firstError ??= result.firstError;
    // Nothing would start (Temporal unreachable): the next sweep tries again.
    if (result.started === 0 && result.failed > 0) return total;
    const last = batch[batch.length - 1]!;
    after = { createdAt: last.createdAt, id: last.deliveryId };
    if (batch.length < batchSize) return total;
  }
}

/** Runs `work` in the given transaction, or in a new one. */
export async function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Held until the transaction ends; taking it again in the same transaction does not wait. */
export async function advisoryLock(trx: Kysely<Database>, key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
