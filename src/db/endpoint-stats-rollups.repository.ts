// The rollup job's statements: a range of 5-minute slices summed from the attempt log (replacing
// what the rollups held for it, so running one twice changes nothing), whole hours summed from
// those slices, the coverage row, late marks, and removal with retention. Every statement works
// on a bounded range; the job (activities/endpoint-stats-rollup.ts) decides which.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { DAY_MS } from '../domain/attempt-partitions';
import { HOUR_SECONDS, SLICE_SECONDS, type RollupCoverage, type TimeRange } from '../domain/endpoint-stats-rollup';
import { deliveriesCreatedBefore, latencyBinSql, previousAttemptsLateral, sliceOf, succeededSql } from './endpoint-stats-sql';
import type { Database } from './schema';

/** Which rows a step rewrites: all of a range, or only one endpoint's, one tenant's, one delivery day's. */
export interface RollupScope {
  endpointId?: string;
  tenantId?: string;
  deliveryDay?: Date;
}

type Executor = Kysely<Database> | Transaction<Database>;

const tenantEndpoints = (tenantId: string) => sql`(select id from endpoints where tenant_id = ${tenantId})`;

function attemptScope(scope: RollupScope): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (scope.endpointId) parts.push(sql`and a.endpoint_id = ${scope.endpointId}`);
  if (scope.tenantId) parts.push(sql`and a.endpoint_id in ${tenantEndpoints(scope.tenantId)}`);
  if (scope.deliveryDay) {
    const next = new Date(scope.deliveryDay.getTime() + DAY_MS);
    parts.push(sql`and a.delivery_created_at >= ${scope.deliveryDay} and a.delivery_created_at < ${next}`);
  }
  return sql.join(parts, sql` `);
}

function rollupScope(scope: RollupScope): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (scope.endpointId) parts.push(sql`and endpoint_id = ${scope.endpointId}`);
  if (scope.tenantId) parts.push(sql`and endpoint_id in ${tenantEndpoints(scope.tenantId)}`);
  if (scope.deliveryDay) parts.push(sql`and delivery_day = ${scope.deliveryDay}`);
  return sql.join(parts, sql` `);
}

const KEY = sql`endpoint_id, slice_start, delivery_day`;
const COLUMNS = sql`endpoint_id, slice_seconds, slice_start, delivery_day, attempts, succeeded,
  status_2xx, status_3xx, status_4xx, status_5xx, status_other, error_kinds, latency_bins, latency_counts,
  first_attempts, previous_slices, previous_counts, first_successes, previous_success_slices, previous_success_counts`;

/**
 * The parts every summing statement shares, over a CTE `src` with the key columns and: the
 * counts (`n_*`), `error_kind`+`n_error`, `bin`+`n_bin`, `previous_slice`+`n_previous`,
 * `previous_success_slice`+`n_previous_success` — each list aggregated per key and joined.
 */
function summedInsert(sliceSeconds: number, lists: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`${lists},
    errors as (select ${KEY}, jsonb_object_agg(error_kind, n) as v from error_list group by ${KEY}),
    latency as (select ${KEY}, array_agg(bin order by bin)::smallint[] as bins, array_agg(n order by bin) as counts from bin_list group by ${KEY}),
    previous as (select ${KEY}, array_agg(s order by s) as slices, array_agg(n order by s) as counts from previous_list group by ${KEY}),
    previous_success as (select ${KEY}, array_agg(s order by s) as slices, array_agg(n order by s) as counts from previous_success_list group by ${KEY})
    insert into endpoint_stats_rollups (${COLUMNS})
    select k.endpoint_id, ${sql.lit(sliceSeconds)}, k.slice_start, k.delivery_day, k.attempts, k.succeeded,
      k.status_2xx, k.status_3xx, k.status_4xx, k.status_5xx, k.status_other, coalesce(e.v, '{}'::jsonb),
      coalesce(l.bins, '{}'), coalesce(l.counts, '{}'), k.first_attempts, coalesce(p.slices, '{}'), coalesce(p.counts, '{}'),
      k.first_successes, coalesce(ps.slices, '{}'), coalesce(ps.counts, '{}')
    from keys k
    left join errors e using (endpoint_id, slice_start, delivery_day)
    left join latency l using (endpoint_id, slice_start, delivery_day)
    left join previous p using (endpoint_id, slice_start, delivery_day)
    left join previous_success ps using (endpoint_id, slice_start, delivery_day)`;
}

/** Sums the 5-minute slices of `range` from the attempt log, replacing what the rollups held for them. */
export async function rollUpSlices(db: Executor, range: TimeRange, scope: RollupScope = {}): Promise<number> {
  await sql`delete from endpoint_stats_rollups where slice_seconds = ${sql.lit(SLICE_SECONDS)}
    and slice_start >= ${range.from} and slice_start < ${range.to} ${rollupScope(scope)}`.execute(db);
  const lists = sql`with src as materialized (
      select a.endpoint_id, ${sliceOf(sql.ref('a.started_at'))} as slice_start,
        date_trunc('day', a.delivery_created_at, 'UTC') as delivery_day,
        ${succeededSql('a')} as ok, a.response_status, a.error_kind, ${latencyBinSql('a')} as bin,
        previous.at is null as first, ${sliceOf(sql.ref('previous.at'))} as previous_slice,
        previous.success_at is null as first_success, ${sliceOf(sql.ref('previous.success_at'))} as previous_success_slice
      from attempts a
      left join ${previousAttemptsLateral('a', deliveriesCreatedBefore(range.to))} previous on true
      where a.started_at >= ${range.from} and a.started_at < ${range.to} and a.delivery_created_at < ${deliveriesCreatedBefore(range.to)} ${attemptScope(scope)}
    ),
    keys as (
      select ${KEY}, count(*)::int as attempts, count(*) filter (where ok)::int as succeeded,
        count(*) filter (where response_status between 200 and 299)::int as status_2xx,
        count(*) filter (where response_status between 300 and 399)::int as status_3xx,
        count(*) filter (where response_status between 400 and 499)::int as status_4xx,
        count(*) filter (where response_status between 500 and 599)::int as status_5xx,
        count(*) filter (where response_status is not null and response_status not between 200 and 599)::int as status_other,
        count(*) filter (where first)::int as first_attempts,
        count(*) filter (where ok and first_success)::int as first_successes
      from src group by ${KEY}
    ),
    error_list as (select ${KEY}, error_kind, count(*)::int as n from src where error_kind is not null group by ${KEY}, error_kind),
    bin_list as (select ${KEY}, bin, count(*)::int as n from src where bin is not null group by ${KEY}, bin),
    -- An earlier attempt in the same slice never makes this one count anywhere: only earlier slices are kept.
    previous_list as (select ${KEY}, previous_slice as s, count(*)::int as n from src
      where previous_slice < slice_start group by ${KEY}, previous_slice),
    previous_success_list as (select ${KEY}, previous_success_slice as s, count(*)::int as n from src
      where ok and previous_success_slice < slice_start group by ${KEY}, previous_success_slice)`;
  const result = await summedInsert(SLICE_SECONDS, lists).execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Sums the whole hours of `range` (hour-aligned) from their 5-minute slices, replacing the hourly rows. */
export async function rollUpHours(db: Executor, range: TimeRange, scope: RollupScope = {}): Promise<void> {
  await sql`delete from endpoint_stats_rollups where slice_seconds = ${sql.lit(HOUR_SECONDS)}
    and slice_start >= ${range.from} and slice_start < ${range.to} ${rollupScope(scope)}`.execute(db);
  const lists = sql`with src as materialized (
      select *, date_bin(make_interval(secs => ${sql.lit(HOUR_SECONDS)}), slice_start, timestamptz 'epoch') as hour
      from endpoint_stats_rollups
      where slice_seconds = ${sql.lit(SLICE_SECONDS)} and slice_start >= ${range.from} and slice_start < ${range.to} ${rollupScope(scope)}
    ),
    keys as (
      select endpoint_id, hour as slice_start, delivery_day, sum(attempts)::int as attempts, sum(succeeded)::int as succeeded,
        sum(status_2xx)::int as status_2xx, sum(status_3xx)::int as status_3xx, sum(status_4xx)::int as status_4xx,
        sum(status_5xx)::int as status_5xx, sum(status_other)::int as status_other,
        sum(first_attempts)::int as first_attempts, sum(first_successes)::int as first_successes
      from src group by endpoint_id, hour, delivery_day
    ),
    error_list as (select endpoint_id, hour as slice_start, delivery_day, e.key as error_kind, sum(e.value::int)::int as n
      from src, jsonb_each_text(src.error_kinds) e group by endpoint_id, hour, delivery_day, e.key),
    bin_list as (select endpoint_id, hour as slice_start, delivery_day, u.bin, sum(u.n)::int as n
      from src, unnest(src.latency_bins, src.latency_counts) as u(bin, n) group by endpoint_id, hour, delivery_day, u.bin),
    previous_list as (select endpoint_id, hour as slice_start, delivery_day, u.s, sum(u.n)::int as n
      from src, unnest(src.previous_slices, src.previous_counts) as u(s, n) where u.s < src.hour group by endpoint_id, hour, delivery_day, u.s),
    previous_success_list as (select endpoint_id, hour as slice_start, delivery_day, u.s, sum(u.n)::int as n
      from src, unnest(src.previous_success_slices, src.previous_success_counts) as u(s, n) where u.s < src.hour
      group by endpoint_id, hour, delivery_day, u.s)`;
  await summedInsert(HOUR_SECONDS, lists).execute(db);
}

export async function readRollupCoverage(db: Executor): Promise<RollupCoverage> {
  const row = await db.selectFrom('endpoint_stats_rollup_coverage').select(['rolled_from', 'rolled_until']).executeTakeFirstOrThrow();
  return { from: row.rolled_from, until: row.rolled_until };
}

/** The coverage, locked for this transaction: one rollup step at a time, whoever runs it. */
export async function lockRollupCoverage(trx: Transaction<Database>): Promise<RollupCoverage> {
  const row = await trx
    .selectFrom('endpoint_stats_rollup_coverage')
    .select(['rolled_from', 'rolled_until'])
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { from: row.rolled_from, until: row.rolled_until };
}

export async function setRollupCoverage(trx: Transaction<Database>, coverage: RollupCoverage): Promise<void> {
  await trx
    .updateTable('endpoint_stats_rollup_coverage')
    .set({ rolled_from: coverage.from, rolled_until: coverage.until, updated_at: new Date() })
    .execute();
}

export interface LateMark {
  id: string;
  endpointId: string;
  startedAt: Date;
}

/** The oldest late marks; the job re-rolls their slices, then deletes exactly these (newer ones stay). */
export async function oldestLateMarks(trx: Transaction<Database>, limit: number): Promise<LateMark[]> {
  const rows = await trx
    .selectFrom('endpoint_stats_late_attempts')
    .select(['id', 'endpoint_id', 'started_at'])
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, endpointId: row.endpoint_id, startedAt: row.started_at }));
}

export async function deleteLateMarks(trx: Transaction<Database>, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await trx.deleteFrom('endpoint_stats_late_attempts').where('id', 'in', ids).execute();
}

/** The 5-minute slices of one endpoint in a window with a late attempt not rolled up again yet. */
export async function lateSliceStarts(db: Executor, endpointId: string, range: TimeRange): Promise<Date[]> {
  const result = await sql<{ slice_start: Date }>`select distinct ${sliceOf(sql.ref('started_at'))} as slice_start
    from endpoint_stats_late_attempts where endpoint_id = ${endpointId} and started_at >= ${range.from} and started_at < ${range.to}`.execute(
    db,
  );
  return result.rows.map((row) => row.slice_start);
}

/** Rows per retention delete, so removing a day of rollups never holds many locks at once. */
const DELETE_BATCH = 5000;

/** Removes the rollups of deliveries created before `day` (a UTC day), with the partitions dropped. */
export async function deleteRollupsBefore(db: Kysely<Database>, day: Date, tenantId?: string): Promise<number> {
  const tenant = tenantId ? sql`and endpoint_id in ${tenantEndpoints(tenantId)}` : sql``;
  let deleted = 0;
  for (;;) {
    const result = await sql`delete from endpoint_stats_rollups where ctid in (
        select ctid from endpoint_stats_rollups where delivery_day < ${day} ${tenant} limit ${sql.lit(DELETE_BATCH)})`.execute(db);
    const count = Number(result.numAffectedRows ?? 0);
    deleted += count;
    if (count < DELETE_BATCH) return deleted;
  }
}
