// The endpoint health statistics query: one statement over one range of the covering index
// attempts_endpoint_stats_idx (endpoint, started_at), per bucket and for the whole window at once
// (grouping sets), so its cost follows the endpoint's attempts in the window, not the log's size.
// It also bounds the partition key: an attempt's delivery was created before the attempt started,
// so the daily partitions of deliveries created after the window are pruned unread.
import { sql, type Kysely } from 'kysely';
import type { StatsAggregateRow, StatsWindow, StatusClass } from '../domain/endpoint-stats';
import type { Database } from './schema';

interface StatsQueryRow {
  start: Date | null;
  attempts: number;
  succeeded: number;
  deliveries: number;
  deliveries_succeeded: number;
  latency_p50: number | null;
  latency_p95: number | null;
  status_classes: Record<StatusClass, number>;
  error_kinds: Record<string, number> | null;
}

/**
 * Slack on the partition bound: a delivery's created_at is the database's clock and its attempts'
 * started_at the worker's, so a skewed worker could record an attempt a little "before" its delivery.
 */
const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

/** The statement itself (the benchmark explains it). */
export function endpointStatsStatement(endpointId: string, window: StatsWindow) {
  const createdBefore = new Date(window.until.getTime() + CLOCK_SKEW_ALLOWANCE_MS);
  return sql<StatsQueryRow>`
    with windowed as materialized (
      select date_bin(make_interval(secs => ${window.bucketSeconds}), started_at, timestamptz 'epoch') as start,
             delivery_id, duration_ms, response_status, error_kind,
             (error_kind is null and response_status between 200 and 299) as ok
      from attempts
      where endpoint_id = ${endpointId} and started_at >= ${window.since} and started_at < ${window.until}
        and delivery_created_at < ${createdBefore}
    ),
    by_bucket as (
      select start, grouping(start) = 1 as is_total,
             count(*)::int as attempts,
             count(*) filter (where ok)::int as succeeded,
             percentile_disc(0.5) within group (order by duration_ms) filter (where response_status is not null) as latency_p50,
             percentile_disc(0.95) within group (order by duration_ms) filter (where response_status is not null) as latency_p95,
             jsonb_build_object(
               '2xx', count(*) filter (where response_status between 200 and 299),
               '3xx', count(*) filter (where response_status between 300 and 399),
               '4xx', count(*) filter (where response_status between 400 and 499),
               '5xx', count(*) filter (where response_status between 500 and 599),
               'other', count(*) filter (where response_status is not null and response_status not between 200 and 599)
             ) as status_classes
      from windowed
      group by grouping sets ((start), ())
    ),
    -- A delivery attempted in two buckets counts in both, and once in the window's totals.
    per_delivery as (
      select start, grouping(start) = 1 as is_total, bool_or(ok) as ok
      from windowed
      group by grouping sets ((start, delivery_id), (delivery_id))
    ),
    deliveries as (
      select start, is_total, count(*)::int as deliveries, count(*) filter (where ok)::int as deliveries_succeeded
      from per_delivery
      group by start, is_total
    ),
    per_error_kind as (
      select start, grouping(start) = 1 as is_total, error_kind, count(*)::int as n
      from windowed
      where error_kind is not null
      group by grouping sets ((start, error_kind), (error_kind))
    ),
    error_kinds as (
      select start, is_total, jsonb_object_agg(error_kind, n) as error_kinds
      from per_error_kind
      group by start, is_total
    )
    select b.start, b.attempts, b.succeeded, b.latency_p50, b.latency_p95, b.status_classes,
           coalesce(d.deliveries, 0) as deliveries, coalesce(d.deliveries_succeeded, 0) as deliveries_succeeded, e.error_kinds
    from by_bucket b
    left join deliveries d on d.is_total = b.is_total and d.start is not distinct from b.start
    left join error_kinds e on e.is_total = b.is_total and e.start is not distinct from b.start
  `;
}

/**
 * Sorts and hashes of a busy endpoint's week (~140k attempts) would spill to disk at the default
 * 4 MB work_mem (EXPLAIN: external merge sorts, temp files; a third of the time): this statement
 * gets more, for its own transaction only.
 */
export const STATS_WORK_MEM = '64MB';

export async function queryEndpointStats(db: Kysely<Database>, endpointId: string, window: StatsWindow): Promise<StatsAggregateRow[]> {
  const { rows } = await db.transaction().execute(async (trx) => {
    await sql`select set_config('work_mem', ${STATS_WORK_MEM}, true)`.execute(trx);
    return endpointStatsStatement(endpointId, window).execute(trx);
  });
  return rows.map((row) => ({
    start: row.start,
    attempts: row.attempts,
    succeeded: row.succeeded,
    deliveries: row.deliveries,
    deliveriesSucceeded: row.deliveries_succeeded,
    latencyP50: row.latency_p50,
    latencyP95: row.latency_p95,
    statusClasses: row.status_classes,
    errorKinds: row.error_kinds ?? {},
  }));
}
