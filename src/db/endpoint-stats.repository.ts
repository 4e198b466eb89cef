// The endpoint health statistics query: the rollups (db/endpoint-stats-rollups.repository.ts) for
// the finished slices they cover, the attempt log's covering index attempts_endpoint_stats_idx
// (endpoint, started_at) for the rest (the unfinished tail, slices with a late attempt, history not
// backfilled yet), summed per bucket and for the whole window in one statement. Counts are exact;
// latency percentiles are read from the histogram both sources share (domain/endpoint-stats-rollup).
// A log range also bounds the partition key: an attempt's delivery was created before the attempt
// started, so the daily partitions of deliveries created after the range are pruned unread.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { StatsAggregateRow, StatsWindow, StatusClass } from '../domain/endpoint-stats';
import {
  HOUR_SECONDS,
  percentileFromBins,
  planStatsSources,
  SLICE_SECONDS,
  type StatsSources,
  type TimeRange,
} from '../domain/endpoint-stats-rollup';
import { lateSliceStarts, readRollupCoverage } from './endpoint-stats-rollups.repository';
import { deliveriesCreatedBefore, latencyBinSql, previousAttemptsLateral, succeededSql } from './endpoint-stats-sql';
import type { Database } from './schema';

interface StatsQueryRow {
  start: Date | null;
  attempts: number;
  succeeded: number;
  deliveries: number;
  deliveries_succeeded: number;
  latency: Record<string, number> | null;
  status_classes: Record<StatusClass, number>;
  error_kinds: Record<string, number> | null;
}

const inRanges = (column: string, ranges: readonly TimeRange[]) =>
  ranges.length === 0
    ? sql`false`
    : sql`(${sql.join(
        ranges.map((range) => sql`(${sql.ref(column)} >= ${range.from} and ${sql.ref(column)} < ${range.to})`),
        sql` or `,
      )})`;

/** Each log range is its own index range scan, numbered so a delivery's attempts are ordered within one. */
const logRanges = (endpointId: string, ranges: readonly TimeRange[]) =>
  ranges.length === 0
    ? sql`select null::int as part, a.delivery_id, a.delivery_created_at, a.number, a.started_at, a.duration_ms,
        a.response_status, a.error_kind, null::int as bin from attempts a where false`
    : sql.join(
        ranges.map(
          (range, part) => sql`select ${sql.lit(part)}::int as part, a.delivery_id, a.delivery_created_at, a.number, a.started_at,
            a.duration_ms, a.response_status, a.error_kind, ${latencyBinSql('a')} as bin
          from attempts a where a.endpoint_id = ${endpointId} and a.started_at >= ${range.from} and a.started_at < ${range.to}
            and a.delivery_created_at < ${deliveriesCreatedBefore(range.to)}`,
        ),
        sql` union all `,
      );

/** A delivery counts in a bucket (or the window) at its first attempt there: none before `start` since it began. */
const countedFrom = (start: RawBuilder<unknown>) => sql`
    select ${start} as b,
      first_attempts + coalesce((select sum(u.n) from unnest(previous_slices, previous_counts) as u(s, n) where u.s < ${start}), 0) as d,
      first_successes + coalesce((select sum(u.n) from unnest(previous_success_slices, previous_success_counts) as u(s, n)
        where u.s < ${start}), 0) as ds
    from rollup`;

/** The statement itself (the benchmark explains it). */
export function endpointStatsStatement(endpointId: string, window: StatsWindow, sources: StatsSources) {
  const bucketOf = (column: string) =>
    sql`date_bin(make_interval(secs => ${sql.lit(window.bucketSeconds)}), ${sql.ref(column)}, timestamptz 'epoch')`;
  const since = sql`${window.since}::timestamptz`;
  return sql<StatsQueryRow>`
    with rollup as materialized (
      select slice_start, attempts, succeeded, status_2xx, status_3xx, status_4xx, status_5xx, status_other, error_kinds,
        latency_bins, latency_counts, first_attempts, previous_slices, previous_counts, first_successes,
        previous_success_slices, previous_success_counts
      from endpoint_stats_rollups
      where endpoint_id = ${endpointId} and (
        (slice_seconds = ${sql.lit(HOUR_SECONDS)} and ${inRanges('slice_start', sources.hours)})
        or (slice_seconds = ${sql.lit(SLICE_SECONDS)} and ${inRanges('slice_start', sources.slices)}))
    ),
    log_rows as materialized (${logRanges(endpointId, sources.log)}),
    log_ordered as (
      select l.*, ${succeededSql('l')} as ok,
        lag(l.started_at) over w as in_part_previous,
        max(l.started_at) filter (where ${succeededSql('l')}) over (w rows between unbounded preceding and 1 preceding) as in_part_previous_success
      from log_rows l
      window w as (partition by l.part, l.delivery_id order by l.started_at, l.number)
    ),
    -- Only an attempt first in its range (or a success first there) asks the log for what came before.
    log_attempts as materialized (
      select o.*, coalesce(o.in_part_previous, lookup.at) as previous_at, coalesce(o.in_part_previous_success, lookup.success_at) as previous_success_at
      from log_ordered o
      left join ${previousAttemptsLateral('o', deliveriesCreatedBefore(window.until), sql`(o.in_part_previous is null or (o.ok and o.in_part_previous_success is null))`)} lookup on true
    ),
    counts as (
      select b as start, grouping(b) = 1 as is_total, coalesce(sum(attempts), 0)::int as attempts,
        coalesce(sum(succeeded), 0)::int as succeeded,
        jsonb_build_object('2xx', coalesce(sum(s2), 0)::int, '3xx', coalesce(sum(s3), 0)::int, '4xx', coalesce(sum(s4), 0)::int,
          '5xx', coalesce(sum(s5), 0)::int, 'other', coalesce(sum(so), 0)::int) as status_classes
      from (
        select ${bucketOf('slice_start')} as b, attempts, succeeded, status_2xx as s2, status_3xx as s3, status_4xx as s4, status_5xx as s5,
          status_other as so
        from rollup
        union all
        select ${bucketOf('started_at')}, 1, ok::int, (response_status between 200 and 299)::int, (response_status between 300 and 399)::int,
          (response_status between 400 and 499)::int, (response_status between 500 and 599)::int,
          (response_status is not null and response_status not between 200 and 599)::int
        from log_attempts
      ) x
      group by grouping sets ((b), ())
    ),
    deliveries as (
      select b as start, false as is_total, sum(d)::int as deliveries, sum(ds)::int as deliveries_succeeded from (
        ${countedFrom(bucketOf('slice_start'))}
        union all
        select ${bucketOf('started_at')}, (previous_at is null or previous_at < ${bucketOf('started_at')})::int,
          (ok and (previous_success_at is null or previous_success_at < ${bucketOf('started_at')}))::int
        from log_attempts
      ) x group by b
      union all
      select null, true, coalesce(sum(d), 0)::int, coalesce(sum(ds), 0)::int from (
        ${countedFrom(since)}
        union all
        select ${since}, (previous_at is null or previous_at < ${since})::int,
          (ok and (previous_success_at is null or previous_success_at < ${since}))::int
        from log_attempts
      ) x
    ),
    latency as (
      select b as start, is_total, jsonb_object_agg(bin, n) as latency from (
        select b, grouping(b) = 1 as is_total, bin, sum(n)::int as n from (
          select ${bucketOf('slice_start')} as b, u.bin, u.n from rollup, unnest(latency_bins, latency_counts) as u(bin, n)
          union all
          select ${bucketOf('started_at')}, bin, 1 from log_attempts where bin is not null
        ) y group by grouping sets ((b, bin), (bin))
      ) x group by b, is_total
    ),
    error_kinds as (
      select b as start, is_total, jsonb_object_agg(kind, n) as error_kinds from (
        select b, grouping(b) = 1 as is_total, kind, sum(n)::int as n from (
          select ${bucketOf('slice_start')} as b, e.key as kind, e.value::int as n from rollup, jsonb_each_text(rollup.error_kinds) e
          union all
          select ${bucketOf('started_at')}, error_kind, 1 from log_attempts where error_kind is not null
        ) y group by grouping sets ((b, kind), (kind))
      ) x group by b, is_total
    )
    select c.start, c.attempts, c.succeeded, c.status_classes, l.latency, e.error_kinds,
      coalesce(d.deliveries, 0) as deliveries, coalesce(d.deliveries_succeeded, 0) as deliveries_succeeded
    from counts c
    left join deliveries d on d.is_total = c.is_total and d.start is not distinct from c.start
    left join latency l on l.is_total = c.is_total and l.start is not distinct from c.start
    left join error_kinds e on e.is_total = c.is_total and e.start is not distinct from c.start
  `;
}

/** Sorts and hashes of a busy window's log part stay in memory, for this statement's transaction only. */
export const STATS_WORK_MEM = '64MB';

/** Which sources a window reads now: the rollups' coverage and the endpoint's late slices. */
export async function planEndpointStats(db: Kysely<Database>, endpointId: string, window: StatsWindow): Promise<StatsSources> {
  const coverage = await readRollupCoverage(db);
  const late = await lateSliceStarts(db, endpointId, { from: window.since, to: window.until });
  return planStatsSources({ from: window.since, to: window.until, bucketSeconds: window.bucketSeconds }, coverage, late);
}

export async function queryEndpointStats(db: Kysely<Database>, endpointId: string, window: StatsWindow): Promise<StatsAggregateRow[]> {
  // One snapshot: a rollup step moves the coverage with its rows, a late attempt comes with its mark.
  const { rows } = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`select set_config('work_mem', ${STATS_WORK_MEM}, true)`.execute(trx);
      const sources = await planEndpointStats(trx, endpointId, window);
      return endpointStatsStatement(endpointId, window, sources).execute(trx);
    });
  return rows.map((row) => {
    const bins = new Map(Object.entries(row.latency ?? {}).map(([bin, n]) => [Number(bin), n]));
    return {
      start: row.start,
      attempts: row.attempts,
      succeeded: row.succeeded,
      deliveries: row.deliveries,
      deliveriesSucceeded: row.deliveries_succeeded,
      latencyP50: percentileFromBins(bins, 0.5),
      latencyP95: percentileFromBins(bins, 0.95),
      statusClasses: row.status_classes,
      errorKinds: row.error_kinds ?? {},
    };
  });
}
