// Endpoint statistics from rollups (issue 13): finished 5-minute slices of each endpoint's
// attempts, and whole hours of them, summed once by a periodic job, so a window reads a few rows
// per hour instead of every attempt. Rows are kept per UTC day of the delivery's creation (the
// attempt log's partition key), so retention removes them with the partitions they came from.
// The table starts empty on a populated log and the job backfills it a bounded step per run; until
// then the statistics read the log for what the rollups do not cover yet. A late-recorded attempt
// (its slice already rolled up) leaves a mark, read by the statistics and cleared by the job.
// A BRIN index on started_at lets the job find a slice's attempts in every partition without a
// B-tree on the insert path. Frozen in time: imports nothing from the app.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table endpoint_stats_rollups (
      endpoint_id text not null,
      slice_seconds integer not null constraint endpoint_stats_rollups_slice_check check (slice_seconds in (300, 3600)),
      slice_start timestamptz not null,
      delivery_day timestamptz not null,
      attempts integer not null,
      succeeded integer not null,
      status_2xx integer not null,
      status_3xx integer not null,
      status_4xx integer not null,
      status_5xx integer not null,
      status_other integer not null,
      error_kinds jsonb not null,
      latency_bins smallint[] not null,
      latency_counts integer[] not null,
      first_attempts integer not null,
      previous_slices timestamptz[] not null,
      previous_counts integer[] not null,
      first_successes integer not null,
      previous_success_slices timestamptz[] not null,
      previous_success_counts integer[] not null,
      primary key (endpoint_id, slice_seconds, slice_start, delivery_day)
    )`.execute(db);
  await sql`comment on table endpoint_stats_rollups is 'endpoint statistics per 5-minute slice (and whole hour) of attempts started, per UTC day of delivery creation; see src/db/endpoint-stats-rollups.repository.ts'`.execute(
    db,
  );
  await sql`create index endpoint_stats_rollups_day_idx on endpoint_stats_rollups (delivery_day)`.execute(db);
  // The job's steps rewrite a time range of all endpoints: without this, each would scan the table.
  await sql`create index endpoint_stats_rollups_slice_idx on endpoint_stats_rollups (slice_seconds, slice_start)`.execute(db);
  await sql`create table endpoint_stats_rollup_coverage (
      singleton boolean primary key default true constraint endpoint_stats_rollup_coverage_singleton check (singleton),
      rolled_from timestamptz not null,
      rolled_until timestamptz not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
  // Starts empty just before now: the job extends it forward and backfills the history behind it.
  await sql`insert into endpoint_stats_rollup_coverage (rolled_from, rolled_until)
    select t, t from (select date_bin(interval '5 minutes', now() - interval '5 minutes', timestamptz 'epoch') as t) s`.execute(db);
  await sql`create table endpoint_stats_late_attempts (
      id bigserial primary key,
      endpoint_id text not null,
      started_at timestamptz not null,
      recorded_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index endpoint_stats_late_attempts_endpoint_idx on endpoint_stats_late_attempts (endpoint_id, started_at)`.execute(db);
  await sql`create index attempts_started_brin_idx on attempts using brin (started_at) with (pages_per_range = 32, autosummarize = on)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists attempts_started_brin_idx`.execute(db);
  await sql`drop table if exists endpoint_stats_late_attempts`.execute(db);
  await sql`drop table if exists endpoint_stats_rollup_coverage`.execute(db);
  await sql`drop table if exists endpoint_stats_rollups`.execute(db);
}
