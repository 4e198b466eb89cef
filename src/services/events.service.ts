// Publishing: validate against the catalog, then hand the event to the publish workflow,
// which records it and fans out durably.
import { findEvent } from '../db/events.repository';
import { findEventType } from '../db/event-types.repository';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import type { PublishEventBody } from '../api/schemas';
import { publishEvent } from '../temporal/client';
import type { PublishEventResult } from '../workflows/contracts';
import type { ServiceContext } from './context';
import { getTenant } from './tenants.service';

export async function publish(ctx: ServiceContext, tenantId: string, input: PublishEventBody): Promise<PublishEventResult> {
  await getTenant(ctx, tenantId);
  const eventType = await findEventType(ctx.db, input.type);
  if (!eventType || eventType.archived) {
    throw new InvalidInputError('Unknown event type', [{ path: 'body.type', message: `unknown or archived event type "${input.type}"` }]);
  }
  return publishEvent(ctx.temporal, { tenantId, ...input }, { taskQueue: ctx.taskQueue });
}

export async function getEvent(ctx: ServiceContext, tenantId: string, id: string) {
  const event = await findEvent(ctx.db, tenantId, id);
  if (!event) throw new NotFoundError('event', id);
  return event;
}
