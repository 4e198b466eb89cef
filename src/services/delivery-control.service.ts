// Operations that steer one delivery, or an endpoint's failed ones, through Temporal: resend,
// cancel and recover. Changes commit first and do their Temporal work by followUp
// (follow-up.service.ts), so an unreachable Temporal leaves the work to the worker's sweeper.
import { WorkflowNotFoundError } from '@temporalio/client';
import { findDelivery, insertDeliveries } from '../db/deliveries.repository';
import { insertRecoverResends, listFailedDeliveriesToRecover, listRecoverResends } from '../db/recover-resends.repository';
import { findEndpoint } from '../db/endpoints.repository';
import type { DeliveryRow, EndpointRow, ReplayRow } from '../db/schema';
import { insertReplay, lockReplay, replayDeliveryTotals, updateReplay } from '../db/replays.repository';
import { OPEN_REPLAY_STATUSES, replayWorkflowId } from '../domain/replay';
import { lockLineForPlacement } from '../db/delivery-ordering.repository';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import { isOpenDeliveryStatus } from '../domain/delivery-status';
import { deliveryWorkflowId, newId } from '../domain/ids';
import { recoverKey } from '../domain/recover-key';
import { orderingLine, parseEndpointOrdering } from '../domain/delivery-ordering';
import type { PlannedDelivery } from '../workflows/contracts';
import { cancelSignal, resendSignal } from '../workflows/messages';
import type { ServiceContext } from './context';
import { followUp, type FollowUpOptions } from './follow-up.service';
import { claimIdempotencyKey, startReplay } from './replays.service';

export const MAX_RECOVER_DELIVERIES = 10_000;

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
 * Resends every failed delivery of the endpoint created in [since, until) as new deliveries, as a
 * replay (mode `failed`) whose workflow sends them at its pace. Idempotent and resumable: the
 * resends are recorded in one transaction under a key naming the request (endpoint and window, an
 * open window by its start), and a delivery is resent at most once per key. A repeat answers every
 * resend of the key and records the failed deliveries of the window not yet resent by it: into
 * the key's replay while that still runs, else into a new replay that takes the key over.
 */
export async function recoverEndpoint(
  ctx: ServiceContext,
  tenantId: string,
  endpointId: string,
  window: { since: Date; until?: Date },
  options: FollowUpOptions = {},
): Promise<{ replayId: string; deliveryIds: string[] }> {
  const until = window.until ?? new Date();
  if (window.since >= until) throw new InvalidInputError('Empty window', [{ path: 'body.since', message: 'must be before until' }]);
  const key = recoverKey(endpointId, window);
  const { replay, resends } = await ctx.db.transaction().execute(async (trx) => {
    const endpoint = await findEndpoint(trx, tenantId, endpointId);
    if (!endpoint) throw new NotFoundError('endpoint', endpointId);
    const existing = await claimIdempotencyKey(trx, tenantId, `recover:${key}`);
    const open = existing && (await lockReplay(trx, existing.id));
    const failed = await listFailedDeliveriesToRecover(trx, {
      tenantId,
      endpointId,
      since: window.since,
      until,
      recoverKey: key,
      limit: MAX_RECOVER_DELIVERIES,
    });
    let replay = open && isOpenReplay(open) ? open : existing;
    if (!replay || (failed.length > 0 && !isOpenReplay(replay))) {
      if (replay) await updateReplay(trx, replay.id, { idempotency_key: null });
      const id = newId('rpl');
      replay = await insertReplay(trx, {
        id,
        tenant_id: tenantId,
        mode: 'failed',
        filter: JSON.stringify({ endpointIds: [endpointId], since: window.since.toISOString(), until: until.toISOString() }),
        idempotency_key: `recover:${key}`,
        workflow_id: replayWorkflowId(id),
        // The recover plans its resends itself (below): the replay only starts them, paced.
        planning_done: true,
      });
    }
    await insertRecoverResends(
      trx,
      key,
      replay.id,
      failed.map((delivery) => {
        const id = newId('dlv');
        return { id, workflowId: deliveryWorkflowId(id), retryOfId: delivery.id };
      }),
    );
    const { total } = await replayDeliveryTotals(trx, replay.id);
    await updateReplay(trx, replay.id, { matched: total });
    return { replay, resends: await listRecoverResends(trx, endpointId, key) };
  });
  if (replay.workflow_started_at === null && isOpenReplay(replay)) await startReplay(ctx, replay, options);
  return { replayId: replay.id, deliveryIds: resends.map((resend) => resend.deliveryId) };
}

function isOpenReplay(replay: ReplayRow): boolean {
  return (OPEN_REPLAY_STATUSES as readonly string[]).includes(replay.status);
}
