// Queries on the event type catalog.
import type { Kysely } from 'kysely';
import type { Database, EventTypeRow, EventTypeUpdate, NewEventTypeRow } from './schema';

export async function insertEventType(db: Kysely<Database>, row: NewEventTypeRow): Promise<EventTypeRow | undefined> {
  return db
    .insertInto('event_types')
    .values(row)
    .onConflict((oc) => oc.column('name').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findEventType(db: Kysely<Database>, name: string): Promise<EventTypeRow | undefined> {
  return db.selectFrom('event_types').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function findEventTypes(db: Kysely<Database>, names: string[]): Promise<EventTypeRow[]> {
  if (names.length === 0) return [];
  return db.selectFrom('event_types').selectAll().where('name', 'in', names).execute();
}

export async function listEventTypes(db: Kysely<Database>, options: { includeArchived: boolean }): Promise<EventTypeRow[]> {
  let query = db.selectFrom('event_types').selectAll();
  if (!options.includeArchived) query = query.where('archived', '=', false);
  return query.orderBy('group_name').orderBy('name').execute();
}

export async function updateEventType(db: Kysely<Database>, name: string, update: EventTypeUpdate): Promise<EventTypeRow | undefined> {
  return db
    .updateTable('event_types')
    .set({ ...update, updated_at: new Date() })
    .where('name', '=', name)
    .returningAll()
    .executeTakeFirst();
}
