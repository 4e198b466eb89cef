// Operations on an endpoint that reach its deliveries through Temporal: enable, disable (with its
// operational `endpoint.disabled` event and the stop of its waiting deliveries) and the test event.
// Each commits first and then does its Temporal work by followUp (see follow-up.service.ts).
import { disableEndpointIfEnabled, enableEndpointRow, findEndpoint } from '../db/endpoints.repository';
import type { EndpointRow } from '../db/schema';
import { NotFoundError } from '../domain/errors';
import { newId } from '../domain/ids';
import { ENDPOINT_DISABLED_EVENT_TYPE, TEST_EVENT_TYPE } from '../domain/operational-event-types';
import type { ServiceContext } from './context';
import { followUp, type FollowUpOptions } from './follow-up.service';
import { recordEvent } from './publishing.service';
import { requestStopOfWaitingDeliveries } from './stop-requests.service';

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
    return { endpoint: disabled, filteredOut: recorded.filteredOut, work: { stopRequest, deliveries: recorded.deliveries } };
  });
  if (changed.filteredOut) ctx.metrics?.eventsFilteredOut?.(changed.filteredOut);
  if (changed.work) await followUp(ctx, changed.work, options);
  return changed.endpoint;
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
