// No half-done writes (issue 11 part 3): what a committed change still has to do through
// Temporal is recorded in the same transaction, and the worker's sweeper carries it out.
//   - deliveries.workflow_started_at: null until the delivery's workflow was started, whatever
//     created the row (publish, resend, test event, recover, operational event); the partial
//     index finds the unstarted ones cheaply. Existing rows count as started, except those of
//     events the old per-event sweep (events.deliveries_started_at, dropped here) had not started.
//   - deliveries.recover_key: the recover request that created the row; unique per original
//     delivery, so a repeated or interrupted recover never resends the same delivery twice.
//   - delivery_stop_requests: "cancel the waiting deliveries of endpoint X (except Y)", written
//     with the disable or delete that asks for it, completed once every workflow was signalled.
// Frozen in time: imports nothing from the app.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('workflow_started_at', sql`timestamptz(3)`, (column) => column.defaultTo(sql`now()`))
    .addColumn('recover_key', 'text')
    .execute();
  await sql`update deliveries d set workflow_started_at = null
    from events e where e.id = d.event_id and e.deliveries_started_at is null and d.retry_of_id is null`.execute(db);
  await db.schema
    .createIndex('deliveries_workflow_not_started_idx')
    .on('deliveries')
    .columns(['created_at', 'id'])
    .where(sql.ref('workflow_started_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('deliveries_recover_key_idx')
    .on('deliveries')
    .columns(['recover_key', 'retry_of_id'])
    .unique()
    .where(sql.ref('recover_key'), 'is not', null)
    .execute();

  await db.schema.dropIndex('events_deliveries_not_started_idx').ifExists().execute();
  await db.schema.alterTable('events').dropColumn('deliveries_started_at').execute();

  await db.schema
    .createTable('delivery_stop_requests')
    .addColumn('id', 'bigserial', (column) => column.primaryKey())
    .addColumn('endpoint_id', 'text', (column) => column.notNull().references('endpoints.id').onDelete('cascade'))
    .addColumn('except_delivery_id', 'text')
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('created_at', sql`timestamptz(3)`, (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', sql`timestamptz(3)`)
    .execute();
  await db.schema
    .createIndex('delivery_stop_requests_pending_idx')
    .on('delivery_stop_requests')
    .columns(['created_at', 'id'])
    .where(sql.ref('completed_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('delivery_stop_requests').ifExists().execute();
  await db.schema
    .alterTable('events')
    .addColumn('deliveries_started_at', sql`timestamptz(3)`, (column) => column.defaultTo(sql`now()`))
    .execute();
  await sql`update events e set deliveries_started_at = null where exists (
    select 1 from deliveries d where d.event_id = e.id and d.retry_of_id is null and d.workflow_started_at is null)`.execute(db);
  await db.schema
    .createIndex('events_deliveries_not_started_idx')
    .on('events')
    .column('created_at')
    .where(sql.ref('deliveries_started_at'), 'is', null)
    .execute();
  await db.schema.dropIndex('deliveries_recover_key_idx').ifExists().execute();
  await db.schema.dropIndex('deliveries_workflow_not_started_idx').ifExists().execute();
  await db.schema.alterTable('deliveries').dropColumn('recover_key').dropColumn('workflow_started_at').execute();
}
