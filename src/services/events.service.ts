// Publishing through the API: record the event and its deliveries, start the delivery
// workflows, answer. No publish workflow in between (see publishing.service.ts).
import type { PortalView } from '../domain/portal-sessions';
import { findEvent, listEvents as queryEvents } from '../db/events.repository';
import { toPage } from '../db/pagination';
import { NotFoundError } from '../domain/errors';
import { newId } from '../domain/ids';
import { assertPublisherMayPublish } from '../domain/operational-event-types';
import type { PublishEventInput, PublishEventResult } from '../workflows/contracts';
import type { ServiceContext } from './context';
import { readCursor, type PageQuery } from './cursor';
import { recordEventsAndStartDeliveries } from './batch-publishing.service';
import { recordEventAndStartDeliveries } from './publishing.service';
import { getTenant } from './tenants.service';

/**
 * Publishes an event sent to the API (`POST …/events`). Once recorded it is accepted: if Temporal
 * cannot take the delivery workflows right now, `onStartFailed` hears of it and the worker's
 * sweeper starts them later.
 */
/** An event as a tenant's publisher sends it (api/schemas' publishEventBody satisfies it). */
export type PublishEventRequest = Omit<PublishEventInput, 'eventId' | 'tenantId' | 'targetEndpointId'>;

/** A page of a tenant's events; `since`/`until` are ISO-8601 (api/schemas' listEventsQuery satisfies it). */
export interface ListEventsInput extends PageQuery {
  type?: string | undefined;
  resourceId?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

export async function publishFromApi(
  ctx: ServiceContext,
  tenantId: string,
  input: PublishEventRequest,
  hooks: { onStartFailed?: (error: unknown) => void } = {},
): Promise<PublishEventResult> {
  assertPublisherMayPublish(input.type);
  return recordEventAndStartDeliveries(ctx, { tenantId, eventId: newId('evt'), ...input }, { ...hooks, freshEventId: true });
}

/**
 * Publishes a batch sent to the API (`POST …/events/batch`): every event recorded in one
 * transaction, or none (see batch-publishing.service); one result per event, in order.
 */
export async function publishBatchFromApi(
  ctx: ServiceContext,
  tenantId: string,
  inputs: PublishEventRequest[],
  hooks: { onStartFailed?: (error: unknown) => void } = {},
): Promise<PublishEventResult[]> {
  inputs.forEach((input, index) => assertPublisherMayPublish(input.type, `body.events.${index}.type`));
  return recordEventsAndStartDeliveries(
    ctx,
    inputs.map((input) => ({ tenantId, eventId: newId('evt'), ...input })),
    { ...hooks, freshEventId: true },
  );
}

export async function getEvent(ctx: ServiceContext, tenantId: string, id: string) {
  const event = await findEvent(ctx.db, tenantId, id);
  if (!event) throw new NotFoundError('event', id);
  return event;
}

/** `view`: a limited portal session's (absent for keys). */
export async function listEvents(ctx: ServiceContext, tenantId: string, query: ListEventsInput, view?: PortalView) {
  await getTenant(ctx, tenantId); // an unknown tenant is a 404, not an empty list
  const rows = await queryEvents(ctx.db, {
    tenantId,
    view,
    type: query.type,
    resourceId: query.resourceId,
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
    cursor: readCursor(query.cursor),
    limit: query.limit,
  });
  return toPage(rows, query.limit);
}
