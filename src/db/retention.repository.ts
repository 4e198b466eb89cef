// The retention purge of one tenant's log: its attempts, finished deliveries and orphaned events
// older than a cutoff, in small batches walked by (created_at, id), each one short statement. The
// deployment-wide retention drops whole attempt partitions first (attempt-partitions.repository);
// this catches the rest: a tenant's shorter retention, and the part of a day before the cutoff.
import { sql, type Kysely } from 'kysely';
import { FINISHED_DELIVERY_STATUSES } from '../domain/delivery-status';
import type { Database } from './schema';

export interface PurgeCounts {
  attempts: number;
  deliveries: number;
  events: number;
}

interface BatchResult {
  scanned: number;
  last_created_at: Date | null;
  last_id: string | null;
  deleted: number;
  attempts: number;
}

/** Where the walk through a tenant's old rows stands: after this (created_at, id). */
type WalkPosition = { createdAt: Date; id: string } | undefined;

const after = (position: WalkPosition) => (position ? sql`and (created_at, id) > (${position.createdAt}, ${position.id})` : sql``);

/**
 * One batch of a tenant's deliveries older than the cutoff: every attempt of them goes (open
 * deliveries lose their old attempts, as a dropped partition takes them too), the finished
 * deliveries go; open ones stay for their workflow.
 */
async function purgeDeliveryBatch(
  db: Kysely<Database>,
  tenantId: string,
  cutoff: Date,
  position: WalkPosition,
  batchSize: number,
): Promise<BatchResult> {
  const result = await sql<BatchResult>`
    with batch as (
      select id, created_at from deliveries
      where tenant_id = ${tenantId} and created_at < ${cutoff} ${after(position)}
      order by created_at, id limit ${batchSize}
    ), gone_attempts as (
      delete from attempts a using batch b
      where a.delivery_id = b.id and a.delivery_created_at = b.created_at and a.delivery_created_at < ${cutoff}
      returning 1
    ), gone as (
      delete from deliveries d using batch b
      where d.id = b.id and d.status in (${sql.join(FINISHED_DELIVERY_STATUSES)})
      returning 1
    ), last as (select created_at, id from batch order by created_at desc, id desc limit 1)
    select (select count(*) from batch)::int as scanned, (select created_at from last) as last_created_at,
      (select id from last) as last_id, (select count(*) from gone)::int as deleted, (select count(*) from gone_attempts)::int as attempts`.execute(
    db,
  );
  return result.rows[0]!;
}

/** One batch of a tenant's events older than the cutoff; those without deliveries left go. */
async function purgeEventBatch(
  db: Kysely<Database>,
  tenantId: string,
  cutoff: Date,
  position: WalkPosition,
  batchSize: number,
): Promise<BatchResult> {
  const result = await sql<BatchResult>`
    with batch as (
      select id, created_at from events
      where tenant_id = ${tenantId} and created_at < ${cutoff} ${after(position)}
      order by created_at, id limit ${batchSize}
    ), gone as (
      delete from events ev using batch b
      where ev.id = b.id and not exists (select 1 from deliveries d where d.event_id = ev.id)
      returning 1
    ), last as (select created_at, id from batch order by created_at desc, id desc limit 1)
    select (select count(*) from batch)::int as scanned, (select created_at from last) as last_created_at,
      (select id from last) as last_id, (select count(*) from gone)::int as deleted, 0 as attempts`.execute(db);
  return result.rows[0]!;
}

async function walk(step: (position: WalkPosition) => Promise<BatchResult>, batchSize: number) {
  const total = { deleted: 0, attempts: 0 };
  let position: WalkPosition;
  for (;;) {
    const batch = await step(position);
    total.deleted += batch.deleted;
    total.attempts += batch.attempts;
    if (batch.scanned < batchSize || !batch.last_created_at || !batch.last_id) return total;
    position = { createdAt: batch.last_created_at, id: batch.last_id };
  }
}

/** Purges what of one tenant's log is older than `cutoff`, `batchSize` rows per statement. */
export async function purgeTenantOlderThan(db: Kysely<Database>, tenantId: string, cutoff: Date, batchSize: number): Promise<PurgeCounts> {
  const deliveries = await walk((position) => purgeDeliveryBatch(db, tenantId, cutoff, position, batchSize), batchSize);
  const events = await walk((position) => purgeEventBatch(db, tenantId, cutoff, position, batchSize), batchSize);
  return { attempts: deliveries.attempts, deliveries: deliveries.deleted, events: events.deleted };
}

/** Every tenant with the retention it asked for (null: the deployment's). */
export async function listTenantRetentions(db: Kysely<Database>): Promise<{ id: string; retention_days: number | null }[]> {
  return db.selectFrom('tenants').select(['id', 'retention_days']).orderBy('id').execute();
}

/** Stop requests carried out long ago say nothing the delivery log does not (their table is small). */
export async function purgeStopRequestsBefore(db: Kysely<Database>, cutoff: Date): Promise<void> {
  await db.deleteFrom('delivery_stop_requests').where('completed_at', '<', cutoff).execute();
}
