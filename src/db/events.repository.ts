// Queries on events.
import type { Kysely } from 'kysely';
import { afterCursor, cursorImpliesUntil, type PageCursor } from './pagination';
import { eventInPortalView } from './portal-view.repository';
import type { PortalView } from '../domain/portal-sessions';
import type { Database, EventRow, NewEventRow } from './schema';

/** What an event's envelope is made of (services/payload-filter.service's storedEnvelope). */
export type EnvelopeFields = Pick<
  EventRow,
  'id' | 'type' | 'tenant_id' | 'occurred_at' | 'resource_id' | 'operation' | 'triggered_by' | 'data' | 'previous'
>;

export async function insertEvent(db: Kysely<Database>, row: NewEventRow): Promise<EventRow> {
  return db.insertInto('events').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findEvent(db: Kysely<Database>, tenantId: string, id: string): Promise<EventRow | undefined> {
  return db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function findEventByIdempotencyKey(
  db: Kysely<Database>,
  tenantId: string,
  idempotencyKey: string,
): Promise<EventRow | undefined> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}

/** Frees an expired idempotency key so it can be used again (keys are unique per tenant). */
export async function releaseIdempotencyKey(db: Kysely<Database>, eventId: string): Promise<void> {
  await db.updateTable('events').set({ idempotency_key: null }).where('id', '=', eventId).execute();
}

export interface EventFilter {
  tenantId: string;
  type?: string;
  resourceId?: string;
  since?: Date;
  until?: Date;
  cursor?: PageCursor;
  limit: number;
  /** A limited portal session's view; absent for keys. */
  view?: PortalView | undefined;
}

/** Newest first; reads `limit + 1` rows (see toPage). */
export async function listEvents(db: Kysely<Database>, filter: EventFilter): Promise<EventRow[]> {
  let query = db.selectFrom('events').selectAll().where('tenant_id', '=', filter.tenantId);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.resourceId) query = query.where('resource_id', '=', filter.resourceId);
  if (filter.view) query = query.where(eventInPortalView(db, filter.tenantId, filter.view));
  if (filter.since) query = query.where('created_at', '>=', filter.since);
  if (filter.until && !cursorImpliesUntil(filter.cursor, filter.until)) query = query.where('created_at', '<', filter.until);
  if (filter.cursor) query = query.where(afterCursor(filter.cursor));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

/** The tenant's newest event of one of these types (`*` among them: of any type). */
export async function findNewestEventOfTypes(
  db: Kysely<Database>,
  tenantId: string,
  types: readonly string[],
): Promise<EventRow | undefined> {
  let query = db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId);
  if (!types.includes('*')) query = query.where('type', 'in', types.length > 0 ? [...types] : ['']);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}
