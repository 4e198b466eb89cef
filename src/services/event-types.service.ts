// The deployment-wide event type catalog, and the JSON Schemas its entries hold for `data`.
import {
  findEventType,
  findEventTypes,
  insertEventType,
  listEventTypes as queryEventTypes,
  updateEventType as updateEventTypeRow,
} from '../db/event-types.repository';
import type { EventTypeRow, EventTypeUpdate } from '../db/schema';
import { eventDataViolations, jsonSchemaProblem } from '../domain/event-data-schema';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import { isOperationalEventType } from '../domain/operational-event-types';
import type { ServiceContext } from './context';

/** A catalog entry, as an admin describes it (api/schemas' createEventTypeBody satisfies it). */
export interface CreateEventTypeInput {
  name: string;
  description?: string | undefined;
  group?: string | undefined;
  schema?: Record<string, unknown> | undefined;
}

/** Admin edits of a catalog entry; `schema: null` removes the schema. */
export interface UpdateEventTypeInput {
  description?: string | undefined;
  group?: string | undefined;
  schema?: Record<string, unknown> | null | undefined;
  archived?: boolean | undefined;
}

export async function createEventType(ctx: ServiceContext, input: CreateEventTypeInput) {
  if (input.schema !== undefined) assertUsableSchema(input.schema);
  const row = await insertEventType(ctx.db, {
    name: input.name,
    description: input.description ?? '',
    group_name: input.group ?? '',
    schema: input.schema === undefined ? null : JSON.stringify(input.schema),
  });
  if (!row) throw new ConflictError(`event type ${input.name} already exists`);
  return row;
}

export interface EventTypeGroup {
  group: string;
  eventTypes: EventTypeRow[];
}

/** The catalog, grouped by `group` (groups and names in alphabetical order). */
export async function listEventTypes(ctx: ServiceContext, options: { includeArchived: boolean }): Promise<EventTypeGroup[]> {
  const groups: EventTypeGroup[] = [];
  for (const row of await queryEventTypes(ctx.db, options)) {
    const last = groups[groups.length - 1];
    if (last?.group === row.group_name) last.eventTypes.push(row);
    else groups.push({ group: row.group_name, eventTypes: [row] });
  }
  return groups;
}

/** Archive or unarchive, describe, regroup, or replace the schema (`null` removes it). */
export async function updateEventType(ctx: ServiceContext, name: string, input: UpdateEventTypeInput) {
  if (input.schema) assertUsableSchema(input.schema);
  // hookrelay raises these itself (disabling an endpoint, a test send): archiving one would make those fail.
  if (input.archived && isOperationalEventType(name)) {
    throw new InvalidInputError('Operational event type', [
      { path: 'body.archived', message: `"${name}" is raised by hookrelay itself and cannot be archived` },
    ]);
  }
  const update: EventTypeUpdate = {};
  if (input.description !== undefined) update.description = input.description;
  if (input.group !== undefined) update.group_name = input.group;
  if (input.archived !== undefined) update.archived = input.archived;
  if (input.schema !== undefined) update.schema = input.schema === null ? null : JSON.stringify(input.schema);
  const row = await updateEventTypeRow(ctx.db, name, update);
  if (!row) throw new NotFoundError('event type', name);
  return row;
}

/** Endpoints may subscribe only to known, unarchived types or to `*`. */
export async function assertSubscribableTypes(ctx: ServiceContext, names: string[]): Promise<void> {
  const wanted = [...new Set(names.filter((name) => name !== '*'))];
  const known = await findEventTypes(ctx.db, wanted);
  const usable = new Set(known.filter((row) => !row.archived).map((row) => row.name));
  const unknown = wanted.filter((name) => !usable.has(name));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      'Unknown event types',
      unknown.map((name) => ({ path: 'body.eventTypes', message: `unknown or archived event type "${name}"` })),
    );
  }
}

/** Published `data` must conform to its type's schema, when the type has one. */
/** A publish must name a known, unarchived type, and its data must match the type's schema. */
export async function assertPublishable(
  ctx: Pick<ServiceContext, 'db'>,
  input: { type: string; data: Record<string, unknown> },
): Promise<void> {
  assertPublishableAs(await findEventType(ctx.db, input.type), input);
}

/** The same checks against an event type already read (`undefined`: not in the catalog). */
export function assertPublishableAs(eventType: EventTypeRow | undefined, input: { type: string; data: Record<string, unknown> }): void {
  if (!eventType || eventType.archived) {
    throw new InvalidInputError('Unknown event type', [{ path: 'body.type', message: `unknown or archived event type "${input.type}"` }]);
  }
  assertDataMatchesSchema(eventType, input.data);
}

export function assertDataMatchesSchema(eventType: EventTypeRow, data: Record<string, unknown>): void {
  if (!eventType.schema) return;
  const violations = eventDataViolations(eventType.schema, data);
  if (violations.length > 0) {
    throw new InvalidInputError(
      `data does not match the schema of ${eventType.name}`,
      violations.map((violation) => ({ path: ['body.data', violation.path].filter(Boolean).join('.'), message: violation.message })),
    );
  }
}

function assertUsableSchema(schema: Record<string, unknown>): void {
  const problem = jsonSchemaProblem(schema);
  if (problem) throw new InvalidInputError('Invalid JSON Schema', [{ path: 'body.schema', message: problem }]);
}
