// Operations that steer running deliveries through Temporal: resend, cancel, recover, the
// endpoint's enable/disable (with its operational event) and the test event.
import { WorkflowNotFoundError } from '@temporalio/client';
import { findDelivery, insertDeliveries, listFailedDeliveriesOfEndpoint, listOpenDeliveriesOfEndpoint } from '../db/deliveries.repository';
import { disableEndpointIfEnabled, enableEndpointRow, findEndpoint } from '../db/endpoints.repository';
import type { DeliveryRow, EndpointRow } from '../db/schema';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import { deliveryWorkflowId, newId } from '../domain/ids';
import { publishInternal, startDeliveryWorkflow, startPublish } from '../temporal/client';
import { cancelSignal, resendSignal } from '../workflows/messages';
import type { ServiceContext } from './context';

const OPEN_STATUSES = new Set<DeliveryRow['status']>(['pending', 'retrying']);
export const MAX_RECOVER_DELIVERIES = 10_000;

export type ResendResult =
  /** 202: the waiting workflow attempts now. */
  | { deliveryId: string; mode: 'signalled' }
  /** 202: the delivery had finished; a new one (retryOfId) was started. */
  | { deliveryId: string; mode: 'new' };

export async function resendDelivery(ctx: ServiceContext, tenantId: string, deliveryId: string): Promise<ResendResult> {
  const delivery = await findDelivery(ctx.db, tenantId, deliveryId);
  if (!delivery) throw new NotFoundError('delivery', deliveryId);
  if (OPEN_STATUSES.has(delivery.status)) {
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
  const created = await createRetryDelivery(ctx, delivery, endpoint);
  return { deliveryId: created.id, mode: 'new' };
}

async function createRetryDelivery(ctx: ServiceContext, original: DeliveryRow, endpoint: EndpointRow): Promise<DeliveryRow> {
  const id = newId('dlv');
  const [row] = await insertDeliveries(ctx.db, [
    {
      id,
      tenant_id: original.tenant_id,
      event_id: original.event_id,
      endpoint_id: original.endpoint_id,
      event_type: original.event_type,
      resource_id: original.resource_id,
      retry_of_id: original.id,
      workflow_id: deliveryWorkflowId(id),
    },
  ]);
  await startDeliveryWorkflow(
    ctx.temporal,
    {
      deliveryId: id,
      workflowId: deliveryWorkflowId(id),
      endpointId: endpoint.id,
      endpointUrl: endpoint.url,
      eventType: original.event_type,
      tenantId: original.tenant_id,
    },
    { taskQueue: ctx.taskQueue, eager: ctx.eagerWorkflowStart },
  );
  return row!;
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
  if (!OPEN_STATUSES.has(delivery.status)) throw new ConflictError(`delivery ${deliveryId} is already ${delivery.status}`);
  try {
    await ctx.temporal.workflow.getHandle(delivery.workflow_id).signal(cancelSignal, { reason });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new ConflictError(`delivery ${deliveryId} has already finished`);
    throw error;
  }
  return { deliveryId, status: 'cancelling' };
}

/** Resends every failed delivery of the endpoint created in [since, until) as new deliveries. */
export async function recoverEndpoint(
  ctx: ServiceContext,
  tenantId: string,
  endpointId: string,
  window: { since: Date; until?: Date },
): Promise<{ deliveryIds: string[] }> {
  const until = window.until ?? new Date();
  if (window.since >= until) throw new InvalidInputError('Empty window', [{ path: 'body.since', message: 'must be before until' }]);
  const endpoint = await findEndpoint(ctx.db, tenantId, endpointId);
  if (!endpoint) throw new NotFoundError('endpoint', endpointId);
  const failed = await listFailedDeliveriesOfEndpoint(ctx.db, {
    tenantId,
    endpointId,
    since: window.since,
    until,
    limit: MAX_RECOVER_DELIVERIES,
  });
  const deliveryIds: string[] = [];
  for (const delivery of failed) deliveryIds.push((await createRetryDelivery(ctx, delivery, endpoint)).id);
  return { deliveryIds };
}

export async function enableEndpoint(ctx: ServiceContext, tenantId: string, endpointId: string): Promise<EndpointRow> {
  const row = await enableEndpointRow(ctx.db, tenantId, endpointId);
  if (!row) throw new NotFoundError('endpoint', endpointId);
  return row;
}

/**
 * Disables an endpoint: records why, stops its pending retries, and publishes the operational
 * `endpoint.disabled` event to its tenant. Safe to call again (an already disabled endpoint is left as is).
 */
export async function disableEndpoint(
  ctx: ServiceContext,
  tenantId: string,
  endpointId: string,
  reason: string,
  options: { exceptDeliveryId?: string } = {},
): Promise<EndpointRow> {
  const endpoint = await findEndpoint(ctx.db, tenantId, endpointId);
  if (!endpoint) throw new NotFoundError('endpoint', endpointId);
  const disabled = await disableEndpointIfEnabled(ctx.db, endpointId, reason);
  if (!disabled) return endpoint;
  await startPublish(
    ctx.temporal,
    {
      eventId: newId('evt'),
      tenantId,
      type: 'endpoint.disabled',
      resourceId: endpointId,
      operation: 'UPDATE',
      data: { endpointId, name: disabled.name, url: disabled.url, reason, disabledAt: disabled.updated_at.toISOString() },
      idempotencyKey: `endpoint.disabled:${endpointId}:${disabled.updated_at.getTime()}`,
    },
    { taskQueue: ctx.taskQueue },
  );
  await stopPendingDeliveries(ctx, endpointId, `endpoint disabled: ${reason}`, options.exceptDeliveryId);
  return disabled;
}

/** Signals `cancel` to every delivery of the endpoint still waiting or attempting. */
export async function stopPendingDeliveries(
  ctx: ServiceContext,
  endpointId: string,
  reason: string,
  exceptDeliveryId?: string,
): Promise<number> {
  const open = (await listOpenDeliveriesOfEndpoint(ctx.db, endpointId)).filter((d) => d.id !== exceptDeliveryId);
  const CONCURRENCY = 16;
  for (let i = 0; i < open.length; i += CONCURRENCY) {
    await Promise.all(
      open.slice(i, i + CONCURRENCY).map((delivery) =>
        ctx.temporal.workflow
          .getHandle(delivery.workflow_id)
          .signal(cancelSignal, { reason })
          .catch((error: unknown) => {
            if (!(error instanceof WorkflowNotFoundError)) throw error;
          }),
      ),
    );
  }
  return open.length;
}

/** Sends a `webhook.test` event to this one endpoint now, enabled or not. */
export async function sendTestEvent(
  ctx: ServiceContext,
  tenantId: string,
  endpointId: string,
): Promise<{ eventId: string; deliveryCount: number }> {
  const endpoint = await findEndpoint(ctx.db, tenantId, endpointId);
  if (!endpoint) throw new NotFoundError('endpoint', endpointId);
  const eventId = newId('evt');
  const result = await publishInternal(
    ctx.temporal,
    {
      eventId,
      tenantId,
      type: 'webhook.test',
      resourceId: endpointId,
      data: { message: 'This is a test event from hookrelay.', endpointId },
      targetEndpointId: endpointId,
    },
    { taskQueue: ctx.taskQueue },
  );
  return { eventId: result.eventId, deliveryCount: result.deliveryCount };
}
