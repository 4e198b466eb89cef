// Operations that steer running deliveries through Temporal: resend, cancel, recover, the
// endpoint's enable/disable (with its operational event) and the test event.
// No half-done writes: a change is committed in one transaction together with what it still has
// to do through Temporal (delivery rows not yet started, a stop request), then that work is done
// right away, best-effort. If Temporal is unreachable the change still stands and is answered as
// done; the worker's sweeper (startStrandedDeliveries, carryOutStopRequests) finishes the work.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Transaction } from 'kysely';
import { findDelivery, insertDeliveries, listOpenDeliveriesOfEndpoint } from '../db/deliveries.repository';
import { insertRecoverResends, listFailedDeliveriesToRecover, listRecoverResends } from '../db/recover-resends.repository';
import { lockLineForPlacement } from '../db/delivery-ordering.repository';
import { completeStopRequest, findPendingStopRequests, insertStopRequest } from '../db/delivery-stop-requests.repository';
import { disableEndpointIfEnabled, enableEndpointRow, findEndpoint } from '../db/endpoints.repository';
import type { Database, DeliveryRow, DeliveryStopRequestRow, EndpointRow } from '../db/schema';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import { isOpenDeliveryStatus } from '../domain/delivery-status';
import { deliveryWorkflowId, newId } from '../domain/ids';
import { ENDPOINT_DISABLED_EVENT_TYPE, TEST_EVENT_TYPE } from '../domain/operational-event-types';
import { recoverKey } from '../domain/recover-key';
import { orderingLine, parseEndpointOrdering } from '../domain/delivery-ordering';
import type { PlannedDelivery } from '../workflows/contracts';
import { cancelSignal, resendSignal } from '../workflows/messages';
import type { ServiceContext } from './context';
import { recordEvent, startDeliveries } from './publishing.service';

export const MAX_RECOVER_DELIVERIES = 10_000;

/** For changes whose Temporal follow-up may fail after the commit (it is then left to the sweeper). */
export interface FollowUpOptions {
  /** Called when the follow-up failed; the change itself is committed. The API logs it. */
  onFollowUpFailed?: (error: unknown) => void;
}

export type ResendResult =
  /** 202: the waiting workflow attempts now. */
  | { deliveryId: string; mode: 'signalled' }
  /** 202: the delivery had finished; a new one (retryOfId) was recorded and started (or left to the sweeper). */
  | { deliveryId: string; mode: 'new' };

export interface ResendOptions extends FollowUpOptions {
  /**
   * Where a new delivery to a FIFO endpoint stands in its line: `back` (default) behind every
   * delivery in it; `next` right behind the head now being attempted (it never interrupts it).
   */
  position?: 'back' | 'next';
}

export async function resendDelivery(
  ctx: ServiceContext,
  tenantId: string,
  deliveryId: string,
  options: ResendOptions = {},
): Promise<ResendResult> {
  const delivery = await findDelivery(ctx.db, tenantId, deliveryId);
  if (!delivery) throw new NotFoundError('delivery', deliveryId);
  if (isOpenDeliveryStatus(delivery.status) && delivery.workflow_started_at === null) {
    // Recorded but its workflow not started yet: starting it makes it attempt now.
    const endpoint = await findEndpoint(ctx.db, tenantId, delivery.endpoint_id);
    if (endpoint) await followUp(ctx, { deliveries: [plannedDelivery(delivery, endpoint)] }, options);
    return { deliveryId, mode: 'signalled' };
  }
  if (isOpenDeliveryStatus(delivery.status)) {
    try {
      await ctx.temporal.workflow.getHandle(delivery.workflow_id).signal(resendSignal);
      return { deliveryId, mode: 'signalled' };
    } catch (error) {
      // The workflow finished between our read and the signal: fall through to a new delivery.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  const endpoint = await findEndpoint(ctx.db, tenantId, delivery.endpoint_id);
  if (!endpoint) throw new ConflictError(`endpoint ${delivery.endpoint_id} was deleted; its deliveries cannot be resent`);
  const ordering = options.position === 'next' ? parseEndpointOrdering(endpoint.ordering) : null;
  const row = await ctx.db.transaction().execute(async (trx) => {
    // At the back, the insert trigger gives the position; `next` takes the head's, with a newer id.
    const head = ordering
      ? await lockLineForPlacement(trx, orderingLine(ordering, { endpointId: endpoint.id, resourceId: delivery.resource_id }))
      : undefined;
    const afterHead = head && idAfter(head.id);
    const id = afterHead ?? newId('dlv');
    const [inserted] = await insertDeliveries(trx, [
      {
        id,
        tenant_id: delivery.tenant_id,
        event_id: delivery.event_id,
        endpoint_id: delivery.endpoint_id,
        event_type: delivery.event_type,
        resource_id: delivery.resource_id,
        retry_of_id: delivery.id,
        workflow_id: deliveryWorkflowId(id),
        ...(head && afterHead && { ordering_position: head.position }),
      },
    ]);
    return inserted!;
  });
  await followUp(ctx, { deliveries: [plannedDelivery(row, endpoint)] }, options);
  return { deliveryId: row.id, mode: 'new' };
}

/**
 * A delivery id that sorts after the head's (ids are time-ordered; the process that created the
 * head may run a millisecond ahead). Undefined if this clock lags by more than a second: the
 * resend then goes to the back of the line.
 */
function idAfter(id: string): string | undefined {
  const giveUpAt = Date.now() + 1000;
  while (Date.now() < giveUpAt) {
    const next = newId('dlv');
    if (next > id) return next;
  }
  return undefined;
}

function plannedDelivery(delivery: DeliveryRow, endpoint: EndpointRow): PlannedDelivery {
  return {
    deliveryId: delivery.id,
    workflowId: delivery.workflow_id,
    endpointId: endpoint.id,
    endpointUrl: endpoint.url,
    eventType: delivery.event_type,
    tenantId: delivery.tenant_id,
  };
}

export type CancelResult = { deliveryId: string; status: 'cancelling' };

/** Stops a delivery that is still pending or retrying; it ends `cancelled` (an attempt in flight finishes first). */
export async function cancelDelivery(
  ctx: ServiceContext,
  tenantId: string,
  deliveryId: string,
  reason = 'cancelled by request',
): Promise<CancelResult> {
  const delivery = await findDelivery(ctx.db, tenantId, deliveryId);
  if (!delivery) throw new NotFoundError('delivery', deliveryId);
  if (!isOpenDeliveryStatus(delivery.status)) throw new ConflictError(`delivery ${deliveryId} is already ${delivery.status}`);
  try {
    await ctx.temporal.workflow.getHandle(delivery.workflow_id).signal(cancelSignal, { reason });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new ConflictError(`delivery ${deliveryId} has already finished`);
    throw error;
  }
  return { deliveryId, status: 'cancelling' };
}

/**
 * Resends every failed delivery of the endpoint created in [since, until) as new deliveries.
 * Idempotent and resumable: the resends are recorded in one transaction under a key naming the
 * request (endpoint and window, an open window by its start), and a delivery is resent at most
 * once per key. A repeat answers every resend of the key, starts those an interrupted earlier
 * run left unstarted, and resends only failed deliveries of the window not yet resent by it.
 */
export async function recoverEndpoint(
  ctx: ServiceContext,
  tenantId: string,
  endpointId: string,
  window: { since: Date; until?: Date },
  options: FollowUpOptions = {},
): Promise<{ deliveryIds: string[] }> {
  const until = window.until ?? new Date();
  if (window.since >= until) throw new InvalidInputError('Empty window', [{ path: 'body.since', message: 'must be before until' }]);
  const key = recoverKey(endpointId, window);
  const resends = await ctx.db.transaction().execute(async (trx) => {
    const endpoint = await findEndpoint(trx, tenantId, endpointId);
    if (!endpoint) throw new NotFoundError('endpoint', endpointId);
    const failed = await listFailedDeliveriesToRecover(trx, {
      tenantId,
      endpointId,
      since: window.since,
      until,
      recoverKey: key,
      limit: MAX_RECOVER_DELIVERIES,
    });
    await insertRecoverResends(
      trx,
      key,
      failed.map((delivery) => {
        const id = newId('dlv');
        return { id, workflowId: deliveryWorkflowId(id), retryOfId: delivery.id };
      }),
    );
    return listRecoverResends(trx, endpointId, key);
  });
  await followUp(ctx, { deliveries: resends.filter((resend) => !resend.started) }, options);
  return { deliveryIds: resends.map((resend) => resend.deliveryId) };
}

export async function enableEndpoint(ctx: ServiceContext, tenantId: string, endpointId: string): Promise<EndpointRow> {
  const row = await enableEndpointRow(ctx.db, tenantId, endpointId);
  if (!row) throw new NotFoundError('endpoint', endpointId);
  return row;
}

/**
 * Disables an endpoint: records why, the operational `endpoint.disabled` event (with its
 * deliveries) and a request to stop its waiting deliveries, all in one transaction; then starts
 * those deliveries and stops the waiting ones, or leaves that to the sweeper. Safe to call again
 * (an already disabled endpoint is left as is, and no second event is raised).
 */
export async function disableEndpoint(
  ctx: ServiceContext,
  tenantId: string,
  endpointId: string,
  reason: string,
  options: { exceptDeliveryId?: string } & FollowUpOptions = {},
): Promise<EndpointRow> {
  const changed = await ctx.db.transaction().execute(async (trx) => {
    const endpoint = await findEndpoint(trx, tenantId, endpointId);
    if (!endpoint) throw new NotFoundError('endpoint', endpointId);
    const disabled = await disableEndpointIfEnabled(trx, endpointId, reason);
    if (!disabled) return { endpoint };
    const recorded = await recordEvent(
      trx,
      {
        eventId: newId('evt'),
        tenantId,
        type: ENDPOINT_DISABLED_EVENT_TYPE,
        resourceId: endpointId,
        operation: 'UPDATE',
        data: { endpointId, name: disabled.name, url: disabled.url, reason, disabledAt: disabled.updated_at.toISOString() },
        idempotencyKey: `${ENDPOINT_DISABLED_EVENT_TYPE}:${endpointId}:${disabled.updated_at.getTime()}`,
      },
      { freshEventId: true },
    );
    const stopRequest = await requestStopOfWaitingDeliveries(trx, endpointId, `endpoint disabled: ${reason}`, options.exceptDeliveryId);
    return { endpoint: disabled, work: { stopRequest, deliveries: recorded.deliveries } };
  });
  if (changed.work) await followUp(ctx, changed.work, options);
  return changed.endpoint;
}

/**
 * Records, in the caller's transaction, that the deliveries of the endpoint waiting or attempting
 * now (but `exceptDeliveryId`) are to be cancelled. Carry it out with followUp after the commit.
 */
export async function requestStopOfWaitingDeliveries(
  trx: Transaction<Database>,
  endpointId: string,
  reason: string,
  exceptDeliveryId?: string,
): Promise<DeliveryStopRequestRow> {
  return insertStopRequest(trx, { endpoint_id: endpointId, reason, except_delivery_id: exceptDeliveryId ?? null });
}

/**
 * Signals `cancel` to every delivery the request covers (open, and created before the request:
 * a test event sent to the endpoint afterwards is not stopped), then marks it done. Repeating it
 * is harmless: a finished workflow is skipped and a second cancel changes nothing.
 */
async function carryOutStopRequest(ctx: ServiceContext, request: DeliveryStopRequestRow): Promise<number> {
  const open = (await listOpenDeliveriesOfEndpoint(ctx.db, request.endpoint_id, request.created_at)).filter(
    (delivery) => delivery.id !== request.except_delivery_id,
  );
  const CONCURRENCY = 16;
  for (let i = 0; i < open.length; i += CONCURRENCY) {
    await Promise.all(
      open.slice(i, i + CONCURRENCY).map((delivery) =>
        ctx.temporal.workflow
          .getHandle(delivery.workflow_id)
          .signal(cancelSignal, { reason: request.reason })
          .catch((error: unknown) => {
            // Finished, or never started (the sweeper starts it; its first attempt sees the endpoint gone).
            if (!(error instanceof WorkflowNotFoundError)) throw error;
          }),
      ),
    );
  }
  await completeStopRequest(ctx.db, request.id);
  return open.length;
}

/**
 * Carries out the stop requests recorded more than `olderThanMs` ago and not done yet (their
 * change committed, but Temporal was unreachable or the process died). Run by the worker's
 * sweeper; stops at the first failure and leaves the rest for the next sweep.
 */
export async function carryOutStopRequests(
  ctx: ServiceContext,
  options: { olderThanMs: number; batchSize?: number },
): Promise<{ requests: number; deliveries: number }> {
  const batchSize = options.batchSize ?? 100;
  const createdBefore = new Date(Date.now() - options.olderThanMs);
  const result = { requests: 0, deliveries: 0 };
  for (;;) {
    const requests = await findPendingStopRequests(ctx.db, createdBefore, batchSize);
    for (const request of requests) {
      result.deliveries += await carryOutStopRequest(ctx, request);
      result.requests += 1;
    }
    if (requests.length < batchSize) return result;
  }
}

/** What a committed change still has to do through Temporal. */
export interface FollowUpWork {
  stopRequest?: DeliveryStopRequestRow;
  deliveries?: PlannedDelivery[];
}

/**
 * How long a change waits for its follow-up before answering. Without a bound, an unreachable
 * Temporal would hold the answer for the client's whole gRPC retry budget (about 20 s); what is
 * not done by then (say, the starts of a large recover) the sweeper finishes.
 */
export const FOLLOW_UP_DEADLINE_MS = 5_000;

/** Does it now, best-effort: whatever fails is left to the sweeper, which finds it in the database. */
export async function followUp(ctx: ServiceContext, work: FollowUpWork, options: FollowUpOptions = {}): Promise<void> {
  try {
    await ctx.temporal.withDeadline(Date.now() + FOLLOW_UP_DEADLINE_MS, async () => {
      if (work.stopRequest) await carryOutStopRequest(ctx, work.stopRequest);
      if (work.deliveries?.length) await startDeliveries(ctx, work.deliveries);
    });
  } catch (error) {
    options.onFollowUpFailed?.(error);
  }
}

/** Sends a `webhook.test` event to this one endpoint now, enabled or not. */
export async function sendTestEvent(
  ctx: ServiceContext,
  tenantId: string,
  endpointId: string,
  options: FollowUpOptions = {},
): Promise<{ eventId: string; deliveryCount: number }> {
  const endpoint = await findEndpoint(ctx.db, tenantId, endpointId);
  if (!endpoint) throw new NotFoundError('endpoint', endpointId);
  const recorded = await recordEvent(
    ctx.db,
    {
      eventId: newId('evt'),
      tenantId,
      type: TEST_EVENT_TYPE,
      resourceId: endpointId,
      data: { message: 'This is a test event from hookrelay.', endpointId },
      targetEndpointId: endpointId,
    },
    { freshEventId: true },
  );
  await followUp(ctx, { deliveries: recorded.deliveries }, options);
  return { eventId: recorded.eventId, deliveryCount: recorded.deliveryCount };
}
