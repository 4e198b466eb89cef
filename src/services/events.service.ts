// Publishing: validate against the catalog, then hand the event to the publish workflow,
// which records it and fans out durably.
import { findEvent, listEvents as queryEvents } from '../db/events.repository';
import { readCursor, toPage } from '../db/pagination';
import { NotFoundError } from '../domain/errors';
import type { ListEventsQuery, PublishEventBody } from '../api/schemas';
import { publishEvent } from '../temporal/client';
import type { PublishEventResult } from '../workflows/contracts';
import type { ServiceContext } from './context';
import { assertPublishable } from './event-types.service';
import { getTenant } from './tenants.service';

export async function publish(ctx: ServiceContext, tenantId: string, input: PublishEventBody): Promise<PublishEventResult> {
  await getTenant(ctx, tenantId);
  // Checked here for a clean 400 before any workflow starts; recordEvent checks again for
  // publishers that start the workflow through the Temporal client.
  await assertPublishable(ctx, input);
  return publishEvent(ctx.temporal, { tenantId, ...input }, { taskQueue: ctx.taskQueue });
}

export async function getEvent(ctx: ServiceContext, tenantId: string, id: string) {
  const event = await findEvent(ctx.db, tenantId, id);
  if (!event) throw new NotFoundError('event', id);
  return event;
}

export async function listEvents(ctx: ServiceContext, tenantId: string, query: ListEventsQuery) {
  await getTenant(ctx, tenantId); // an unknown tenant is a 404, not an empty list
  const rows = await queryEvents(ctx.db, {
    tenantId,
    type: query.type,
    resourceId: query.resourceId,
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
    cursor: readCursor(query.cursor),
    limit: query.limit,
  });
  return toPage(rows, query.limit);
}
