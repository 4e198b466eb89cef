// The attempt log partitioned by day (issue 15): `attempts` becomes a table partitioned by range
// on `delivery_created_at`, the creation time of the attempt's delivery (UTC days), so retention
// drops a whole day at once and a delivery's attempts sit in one partition (they are read and
// upserted by delivery id plus that time, which prunes to it). The primary key and the one-row-
// per-attempt-number key include the partition key, as PostgreSQL requires. The foreign key to
// deliveries goes: from a partitioned table its cascade probes every partition per deleted
// delivery; the purge deletes a delivery's attempts itself, in the same statement.
// Existing rows are copied with their delivery's creation time. Whatever columns, checks and
// indexes other migrations gave `attempts` before this one come along. A tenant may also ask for a
// shorter retention than the deployment's (tenants.retention_days). Frozen in time.
import { Kysely, sql } from 'kysely';

const PARTITIONS_AHEAD_DAYS = 7;
const DAY_MS = 24 * 3_600_000;
const LEGACY = 'attempts_before_partitioning';
/** Indexes this migration replaces with partition-key-aware ones. */
const REPLACED_INDEXES = ['attempts_pkey', 'attempts_delivery_number_idx', 'attempts_created_idx'];

const partitionName = (day: Date) => `attempts_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;

async function createDayPartition(db: Kysely<any>, parent: string, day: Date): Promise<void> {
  const next = new Date(day.getTime() + DAY_MS);
  await sql`create table if not exists ${sql.table(partitionName(day))} partition of ${sql.table(parent)}
    for values from (${sql.lit(day.toISOString())}) to (${sql.lit(next.toISOString())})`.execute(db);
}

const utcDay = (time: Date) => new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);

async function columnsOf(db: Kysely<any>, table: string): Promise<string[]> {
  const result = await sql<{ column_name: string }>`select column_name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
  return result.rows.map((row) => row.column_name);
}

export async function up(db: Kysely<any>): Promise<void> {
  const otherIndexes = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes
    where schemaname = current_schema() and tablename = 'attempts'`.execute(db);
  await sql`alter table attempts rename to ${sql.table(LEGACY)}`.execute(db);
  await sql`create table attempts (
      like ${sql.table(LEGACY)} including defaults including constraints including generated including storage including comments,
      delivery_created_at timestamptz(3) not null
    ) partition by range (delivery_created_at)`.execute(db);
  await sql`comment on column attempts.delivery_created_at is 'the creation time of the delivery: the partition key (one partition per UTC day)'`.execute(
    db,
  );
  // The id sequence belongs to the new table now, or dropping the old one would drop it.
  await sql`alter sequence attempts_id_seq owned by attempts.id`.execute(db);

  const days = await sql<{ day: Date }>`select distinct date_trunc('day', d.created_at, 'UTC') as day
    from ${sql.table(LEGACY)} a join deliveries d on d.id = a.delivery_id`.execute(db);
  const today = utcDay(new Date());
  const wanted = new Map<number, Date>();
  for (const { day } of days.rows) wanted.set(utcDay(new Date(day)).getTime(), utcDay(new Date(day)));
  for (let ahead = -1; ahead <= PARTITIONS_AHEAD_DAYS; ahead++) {
    const day = new Date(today.getTime() + ahead * DAY_MS);
    wanted.set(day.getTime(), day);
  }
  for (const day of wanted.values()) await createDayPartition(db, 'attempts', day);

  const columns = (await columnsOf(db, LEGACY)).map((column) => sql.ref(column));
  const sourceColumns = (await columnsOf(db, LEGACY)).map((column) => sql.ref(`a.${column}`));
  await sql`insert into attempts (${sql.join(columns)}, delivery_created_at)
    select ${sql.join(sourceColumns)}, d.created_at from ${sql.table(LEGACY)} a join deliveries d on d.id = a.delivery_id`.execute(db);
  await sql`drop table ${sql.table(LEGACY)}`.execute(db);

  // Indexes after the copy: built once each rather than maintained row by row.
  await sql`alter table attempts add constraint attempts_pkey primary key (id, delivery_created_at)`.execute(db);
  // One row per attempt number: a retried activity that already recorded its attempt does not record it twice.
  await sql`create unique index attempts_delivery_number_idx on attempts (delivery_id, number, delivery_created_at)`.execute(db);
  for (const index of otherIndexes.rows) {
    if (REPLACED_INDEXES.includes(index.indexname)) continue;
    // Another migration's index: the same definition on the partitioned table (`on only` is not wanted).
    await sql.raw(index.indexdef.replace(/ ON (ONLY )?\S*attempts /, ' ON attempts ')).execute(db);
  }

  await sql`alter table tenants add column retention_days integer constraint tenants_retention_days_check check (retention_days > 0)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table tenants drop column retention_days`.execute(db);
  const otherIndexes = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes
    where schemaname = current_schema() and tablename = 'attempts'`.execute(db);
  await sql`alter table attempts rename to ${sql.table('attempts_partitioned')}`.execute(db);
  await sql`create table attempts (like attempts_partitioned including defaults including constraints including storage including comments)`.execute(
    db,
  );
  await sql`alter sequence attempts_id_seq owned by attempts.id`.execute(db);
  await sql`insert into attempts select * from attempts_partitioned`.execute(db);
  await sql`drop table attempts_partitioned`.execute(db);
  await sql`alter table attempts drop column delivery_created_at`.execute(db);
  await sql`alter table attempts add constraint attempts_pkey primary key (id)`.execute(db);
  await sql`alter table attempts add constraint attempts_delivery_id_fkey foreign key (delivery_id) references deliveries (id) on delete cascade`.execute(
    db,
  );
  await sql`create unique index attempts_delivery_number_idx on attempts (delivery_id, number)`.execute(db);
  await sql`create index attempts_created_idx on attempts (created_at)`.execute(db);
  for (const index of otherIndexes.rows) {
    if (REPLACED_INDEXES.includes(index.indexname)) continue;
    await sql.raw(index.indexdef.replace(/ ON (ONLY )?\S*attempts /, ' ON attempts ')).execute(db);
  }
}
