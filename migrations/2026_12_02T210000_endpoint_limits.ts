// Enforced rate and concurrency limits per endpoint (issue 12): the new maxConcurrentRequests
// column, the rate limiter's state (one row per limited endpoint), the in-flight leases and the
// deliveries waiting for one. Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('endpoints').addColumn('max_concurrent_requests', 'integer').execute();
  await db.schema
    .createTable('endpoint_rate_limits')
    .addColumn('endpoint_id', 'text', (col) => col.primaryKey().references('endpoints.id').onDelete('cascade'))
    // Epoch milliseconds as doubles: 1000 / N is rarely a whole number of milliseconds.
    .addColumn('theoretical_arrival_ms', 'double precision', (col) => col.notNull())
    .addColumn('line_ends_ms', 'double precision', (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('endpoint_concurrency_leases')
    .addColumn('endpoint_id', 'text', (col) => col.notNull().references('endpoints.id').onDelete('cascade'))
    .addColumn('delivery_id', 'text', (col) => col.notNull().references('deliveries.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('endpoint_concurrency_leases_pkey', ['endpoint_id', 'delivery_id'])
    .execute();
  await db.schema
    .createTable('endpoint_concurrency_waiters')
    .addColumn('endpoint_id', 'text', (col) => col.notNull().references('endpoints.id').onDelete('cascade'))
    .addColumn('delivery_id', 'text', (col) => col.notNull().references('deliveries.id').onDelete('cascade'))
    .addColumn('workflow_id', 'text', (col) => col.notNull())
    .addColumn('since', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('woken_at', 'timestamptz')
    .addPrimaryKeyConstraint('endpoint_concurrency_waiters_pkey', ['endpoint_id', 'delivery_id'])
    .execute();
  await db.schema
    .createIndex('endpoint_concurrency_waiters_line_idx')
    .on('endpoint_concurrency_waiters')
    .columns(['endpoint_id', 'since'])
    .execute();
  // Deleting a delivery (retention) must not scan the leases and waiters.
  await db.schema.createIndex('endpoint_concurrency_leases_delivery_idx').on('endpoint_concurrency_leases').column('delivery_id').execute();
  await db.schema
    .createIndex('endpoint_concurrency_waiters_delivery_idx')
    .on('endpoint_concurrency_waiters')
    .column('delivery_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('endpoint_concurrency_waiters').ifExists().execute();
  await db.schema.dropTable('endpoint_concurrency_leases').ifExists().execute();
  await db.schema.dropTable('endpoint_rate_limits').ifExists().execute();
  await db.schema.alterTable('endpoints').dropColumn('max_concurrent_requests').execute();
}
