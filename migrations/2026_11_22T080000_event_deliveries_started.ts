// The API records an event and its deliveries in one transaction, then starts the delivery
// workflows itself (no publish workflow in between). `deliveries_started_at` is set once they
// are started; an event whose deliveries were recorded but never started (the API died in
// between, or Temporal was unreachable) is found by the partial index and started by the
// worker's sweeper. Null only when written so on purpose: rows from before this migration
// (started by publish workflows) and rows inserted by other means default to "started".
// Frozen in time: imports nothing from the app.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('deliveries_started_at', sql`timestamptz(3)`, (column) => column.defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('events_deliveries_not_started_idx')
    .on('events')
    .column('created_at')
    .where(sql.ref('deliveries_started_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_deliveries_not_started_idx').ifExists().execute();
  await db.schema.alterTable('events').dropColumn('deliveries_started_at').execute();
}
