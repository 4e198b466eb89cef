// Replays (issue 14): a durable job that resends what an endpoint failed to get (`failed`) or
// never got (`missing`), paced, as a Temporal workflow. The job's row holds its filters and where
// its paging stands; every delivery it creates names it (deliveries.replay_id), and a unique index
// lets it create at most one delivery per event and endpoint, so a step repeated after a crash
// never sends twice. Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('replays')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('mode', 'text', (col) => col.notNull())
    .addColumn('filter', 'jsonb', (col) => col.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addColumn('matched', 'integer', (col) => col.notNull().defaultTo(0))
    // Keyset position of the last match the job planned: { t, id, endpointId }; null before the first.
    .addColumn('cursor', 'jsonb')
    .addColumn('planning_done', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('workflow_id', 'text', (col) => col.notNull())
    .addColumn('workflow_started_at', 'timestamptz')
    .addColumn('cancel_requested_at', 'timestamptz')
    .addColumn('status_reason', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('replays_idempotency_key_idx')
    .on('replays')
    .columns(['tenant_id', 'idempotency_key'])
    .unique()
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();
  await db.schema.createIndex('replays_tenant_created_idx').on('replays').columns(['tenant_id', 'created_at', 'id']).execute();
  await db.schema
    .createIndex('replays_unstarted_idx')
    .on('replays')
    .column('created_at')
    .where(sql<boolean>`workflow_started_at is null and status in ('pending', 'running', 'settling')`)
    .execute();

  await db.schema
    .alterTable('deliveries')
    .addColumn('replay_id', 'text', (col) => col.references('replays.id').onDelete('set null'))
    .execute();
  await db.schema
    .createIndex('deliveries_replay_idx')
    .on('deliveries')
    .columns(['replay_id', 'endpoint_id'])
    .where(sql.ref('replay_id'), 'is not', null)
    .execute();
  // One delivery per event and endpoint per replay (a recover's resends are kept apart by recover_key).
  await db.schema
    .createIndex('deliveries_replay_event_endpoint_idx')
    .on('deliveries')
    .columns(['replay_id', 'event_id', 'endpoint_id'])
    .unique()
    .where(sql<boolean>`replay_id is not null and recover_key is null`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_replay_event_endpoint_idx').execute();
  await db.schema.dropIndex('deliveries_replay_idx').execute();
  await db.schema.alterTable('deliveries').dropColumn('replay_id').execute();
  await db.schema.dropTable('replays').execute();
}
