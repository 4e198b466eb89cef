// A delivery may wait without spending an attempt (status 'waiting', issue 12): why it waits, and
// the partial index of open deliveries covers the new status. Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('wait_reason', 'text').execute();
  await db.schema.dropIndex('deliveries_endpoint_open_idx').ifExists().execute();
  await db.schema
    .createIndex('deliveries_endpoint_open_idx')
    .on('deliveries')
    .column('endpoint_id')
    .where(sql.ref('status'), 'in', sql`('pending', 'retrying', 'waiting')`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('deliveries').set({ status: 'retrying' }).where('status', '=', 'waiting').execute();
  await db.schema.dropIndex('deliveries_endpoint_open_idx').ifExists().execute();
  await db.schema
    .createIndex('deliveries_endpoint_open_idx')
    .on('deliveries')
    .column('endpoint_id')
    .where(sql.ref('status'), 'in', sql`('pending', 'retrying')`)
    .execute();
  await db.schema.alterTable('deliveries').dropColumn('wait_reason').execute();
}
