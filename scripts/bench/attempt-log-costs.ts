// Part of `npm run bench:log`: what the partitioned attempt log costs and saves.
//   - insert cost per attempt: the real recordAttempt on the partitioned table against the same
//     statement on the table as it was before partitioning (one table, bigserial key, foreign key
//     to deliveries, unique (delivery_id, number), created_at index), filled with the same rows;
//   - dropping a day: the retention's own detach-concurrently-and-drop of one day partition, with
//     a writer recording attempts meanwhile (its slowest insert shows whether anything waited).
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { dropAttemptPartitionsBefore } from '../../src/db/attempt-partitions.repository';
import { recordAttempt, type AttemptToRecord } from '../../src/db/attempts.repository';
import type { AttemptTable, Database } from '../../src/db/schema';
import { DAY_MS, partitionName } from '../../src/domain/attempt-partitions';

const BEFORE_TABLE = 'attempts_unpartitioned';

type BeforeDatabase = Database & { attempts_unpartitioned: Omit<AttemptTable, 'delivery_created_at'> };

/** The attempt table as it was before partitioning, with the same rows. */
export async function createUnpartitionedCopy(db: Kysely<Database>): Promise<void> {
  await sql`create table ${sql.table(BEFORE_TABLE)} (like attempts including defaults)`.execute(db);
  await sql`alter table ${sql.table(BEFORE_TABLE)} drop column delivery_created_at`.execute(db);
  await sql`alter table ${sql.table(BEFORE_TABLE)} alter column id set default nextval('attempts_id_seq')`.execute(db);
  const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns
    where table_name = ${BEFORE_TABLE} order by ordinal_position`.execute(db);
  const list = sql.join(columns.rows.map((row) => sql.ref(row.column_name)));
  await sql`insert into ${sql.table(BEFORE_TABLE)} (${list}) select ${list} from attempts`.execute(db);
  await sql`alter table ${sql.table(BEFORE_TABLE)} add primary key (id)`.execute(db);
  await sql`alter table ${sql.table(BEFORE_TABLE)} add foreign key (delivery_id) references deliveries (id) on delete cascade`.execute(db);
  await sql`create unique index on ${sql.table(BEFORE_TABLE)} (delivery_id, number)`.execute(db);
  await sql`create index on ${sql.table(BEFORE_TABLE)} (created_at)`.execute(db);
  await sql`vacuum analyze ${sql.table(BEFORE_TABLE)}`.execute(db);
}

/** recordAttempt's statement as it was before partitioning, on the copy. */
async function recordAttemptBefore(db: Kysely<Database>, attempt: AttemptToRecord, endpointId: string): Promise<void> {
  const before = db.withTables<{ attempts_unpartitioned: BeforeDatabase['attempts_unpartitioned'] }>();
  await before
    .with('recorded_attempt', (qb) =>
      qb
        .insertInto('attempts_unpartitioned')
        .values(attempt)
        .onConflict((oc) =>
          oc.columns(['delivery_id', 'number']).doUpdateSet((eb) => ({
            started_at: eb.ref('excluded.started_at'),
            duration_ms: eb.ref('excluded.duration_ms'),
            response_status: eb.ref('excluded.response_status'),
          })),
        )
        .returning('delivery_id'),
    )
    .with('updated_delivery', (qb) =>
      qb
        .updateTable('deliveries')
        .set({ attempt_count: attempt.number, updated_at: new Date() })
        .where('id', '=', attempt.delivery_id)
        .returning('id'),
    )
    .with('updated_endpoint', (qb) =>
      qb
        .updateTable('endpoints')
        .set({ failing_since: null })
        .where('id', '=', endpointId)
        .where('failing_since', 'is not', null)
        .returning('id'),
    )
    .selectFrom('recorded_attempt')
    .select('delivery_id')
    .execute();
}

function attemptFor(deliveryId: string, endpointId: string, number: number): AttemptToRecord {
  return {
    delivery_id: deliveryId,
    endpoint_id: endpointId,
    number,
    trigger: 'scheduled',
    started_at: new Date(),
    duration_ms: 42,
    request_url: 'https://example.com/hook',
    request_headers: JSON.stringify({ 'content-type': 'application/json', 'webhook-id': 'evt' }),
    response_status: 200,
    response_headers: JSON.stringify({ 'content-type': 'text/plain' }),
    response_body: null,
    response_body_bytes: Buffer.from('ok'),
    response_body_truncated: false,
    response_body_length: 2,
    error_kind: null,
    error_message: null,
  };
}

export interface InsertCost {
  table: string;
  count: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

function summarize(table: string, timings: number[]): InsertCost {
  const sorted = [...timings].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, t) => sum + t, 0) / sorted.length;
  return { table, count: sorted.length, meanUs: mean * 1000, p50Us: percentile(sorted, 50) * 1000, p99Us: percentile(sorted, 99) * 1000 };
}

/**
 * Records `perTable` new attempts (numbers past the seeded ones) into each table. The deliveries
 * are the newest day's, as in production (new attempts belong to recent deliveries).
 */
export async function measureInsertCost(db: Kysely<Database>, perTable: number): Promise<{ before: InsertCost; after: InsertCost }> {
  const deliveries = await db
    .selectFrom('deliveries')
    .select(['id', 'endpoint_id'])
    .orderBy('created_at', 'desc')
    .limit(perTable)
    .execute();
  const timings = { before: [] as number[], after: [] as number[] };
  // Alternating one by one, so a burst of load on this shared machine lands on both alike.
  for (const [i, delivery] of deliveries.entries()) {
    for (const side of i % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)) {
      const began = performance.now();
      if (side === 'before') await recordAttemptBefore(db, attemptFor(delivery.id, delivery.endpoint_id, 1000), delivery.endpoint_id);
      else
        await recordAttempt(
          db,
          attemptFor(delivery.id, delivery.endpoint_id, 1000),
          { attempt_count: 1000 },
          { id: delivery.endpoint_id, succeeded: true },
        );
      timings[side].push(performance.now() - began);
    }
  }
  return {
    before: summarize(`${BEFORE_TABLE} (before)`, timings.before),
    after: summarize('attempts, partitioned (after)', timings.after),
  };
}

export interface DayDrop {
  partition: string;
  attempts: number;
  dropMs: number;
  writerInserts: number;
  writerSlowestMs: number;
}

/** Drops the oldest day through the retention code while another connection keeps recording attempts. */
export async function measureDayDrop(db: Kysely<Database>, firstDay: Date): Promise<DayDrop> {
  const partition = partitionName(firstDay);
  const counted = await sql<{ n: string }>`select count(*) as n from ${sql.table(partition)}`.execute(db);
  const writerDeliveries = await db
    .selectFrom('deliveries')
    .select(['id', 'endpoint_id'])
    .orderBy('created_at', 'desc')
    .limit(5000)
    .execute();
  let dropping = true;
  let writerInserts = 0;
  let writerSlowestMs = 0;
  const writer = (async () => {
    for (let i = 0; dropping && i < writerDeliveries.length; i++) {
      const delivery = writerDeliveries[i]!;
      const began = performance.now();
      await recordAttempt(
        db,
        attemptFor(delivery.id, delivery.endpoint_id, 2000),
        { attempt_count: 2000 },
        { id: delivery.endpoint_id, succeeded: true },
      );
      writerSlowestMs = Math.max(writerSlowestMs, performance.now() - began);
      writerInserts++;
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 200)); // the writer is under way
  const began = performance.now();
  const dropped = await dropAttemptPartitionsBefore(db, new Date(firstDay.getTime() + DAY_MS));
  const dropMs = performance.now() - began;
  dropping = false;
  await writer;
  if (!dropped.includes(partition)) throw new Error(`expected ${partition} dropped, dropped ${dropped.join(', ') || 'nothing'}`);
  return { partition, attempts: Number(counted.rows[0]!.n), dropMs, writerInserts, writerSlowestMs };
}
