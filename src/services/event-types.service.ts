// The deployment-wide event type catalog.
import { findEventTypes, insertEventType } from '../db/event-types.repository';
import { ConflictError, InvalidInputError } from '../domain/errors';
import type { CreateEventTypeBody } from '../api/schemas';
import type { ServiceContext } from './context';

export async function createEventType(ctx: ServiceContext, input: CreateEventTypeBody) {
  const row = await insertEventType(ctx.db, {
    name: input.name,
    description: input.description ?? '',
    group_name: input.group ?? '',
    schema: input.schema === undefined ? null : JSON.stringify(input.schema),
  });
  if (!row) throw new ConflictError(`event type ${input.name} already exists`);
  return row;
}

/** Endpoints may subscribe only to known, unarchived types or to `*`. */
export async function assertSubscribableTypes(ctx: ServiceContext, names: string[]): Promise<void> {
  const wanted = [...new Set(names.filter((name) => name !== '*'))];
  const known = await findEventTypes(ctx.db, wanted);
  const usable = new Set(known.filter((row) => !row.archived).map((row) => row.name));
  const unknown = wanted.filter((name) => !usable.has(name));
  if (unknown.length > 0) {
    throw new InvalidInputError('Unknown event types', unknown.map((name) => ({ path: 'body.eventTypes', message: `unknown or archived event type "${name}"` })));
  }
}
