// Queries on events.
import type { Kysely } from 'kysely';
import type { Database, EventRow, NewEventRow } from './schema';

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
