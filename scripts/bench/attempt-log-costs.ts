// Part of `npm run bench:log`: what the partitioned attempt log costs and saves.
//   - insert cost per attempt: the real recordAttempt on the partitioned table against the same
//     statement on the table as it was before partitioning (one table, bigserial key, foreign key
//     to deliveries, unique (delivery_id, number), created_at index, and every other index the
//     attempt log has today), filled with the same rows;
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
  // Every other index the attempt log has today (the endpoint-stats covering index, say) was on the
  // table before partitioning too, or would have been: the copy gets it, so only partitioning differs.
  const otherIndexes = await sql<{ indexdef: string }>`select indexdef from pg_indexes
    where tablename = 'attempts' and indexname not in ('attempts_pkey', 'attempts_delivery_number_idx')`.execute(db);
  for (const index of otherIndexes.rows) {
    await sql
      .raw(index.indexdef.replace(/^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S*attempts /, `CREATE $1INDEX ON ${BEFORE_TABLE} `))
      .execute(db);
  }
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
          // The same columns recordAttempt overwrites (all but the row's identity), so the two
          // statements differ only in what partitioning changed.
          oc.columns(['delivery_id', 'number']).doUpdateSet((eb) =>
            Object.fromEntries(
              Object.keys(attempt)
                .filter((column) => !['delivery_id', 'number', 'endpoint_id'].includes(column))
                .map((column) => [column, eb.ref(`excluded.${column}` as 'excluded.started_at')]),
            ),
          ),
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
    // The timing columns a real attempt carries (activities/attempt-records.ts).
    tls_failure_reason: null,
    dns_ms: 1,
    connect_ms: 1,
    tls_ms: null,
    ttfb_ms: 30,
    connection_reused: false,
    remote_address: '127.0.0.1',
    request_body_bytes: 120,
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
 * Records `perTable` new attempts (numbers past the seeded ones) into each table: the copy as it
 * was before partitioning, and the partitioned log with its key given (as the worker records) and
 * looked up (as recorded before the key travelled with the attempt). The deliveries are the newest
 * day's, as in production (new attempts belong to recent deliveries).
 */
export async function measureInsertCost(
  db: Kysely<Database>,
  perTable: number,
): Promise<{ before: InsertCost; afterLookup: InsertCost; after: InsertCost }> {
  const deliveries = await db
    .selectFrom('deliveries')
    // The partition key as the worker reads it with the delivery (loadDeliveryForAttempt).
    .select(['id', 'endpoint_id', sql<string>`to_json(created_at) #>> '{}'`.as('createdAt')])
    .orderBy('created_at', 'desc')
    .limit(perTable)
    .execute();
  const sides = ['before', 'afterLookup', 'after'] as const;
  const timings = { before: [] as number[], afterLookup: [] as number[], after: [] as number[] };
  const record = (side: (typeof sides)[number], delivery: (typeof deliveries)[number]) => {
    // A new attempt number per side on the partitioned log: each insert is a new row, never an update.
    const attempt = attemptFor(delivery.id, delivery.endpoint_id, side === 'after' ? 1001 : 1000);
    const endpoint = { id: delivery.endpoint_id, succeeded: true };
    if (side === 'before') return recordAttemptBefore(db, attempt, delivery.endpoint_id);
    // afterLookup: the partition key read from the delivery's row, as attempts recorded by a
    // worker from before the key travelled with the attempt are.
    const keyed = side === 'after' ? { ...attempt, delivery_created_at: delivery.createdAt } : attempt;
    return recordAttempt(db, keyed, { attempt_count: 1000 }, endpoint);
  };
  // Rotating the order one by one, so a burst of load on a shared machine lands on every side alike.
  for (const [i, delivery] of deliveries.entries()) {
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(i + k) % sides.length]!;
      const began = performance.now();
      await record(side, delivery);
      timings[side].push(performance.now() - began);
    }
  }
  return {
    before: summarize(`${BEFORE_TABLE} (before)`, timings.before),
    afterLookup: summarize('attempts, partitioned, key looked up', timings.afterLookup),
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
