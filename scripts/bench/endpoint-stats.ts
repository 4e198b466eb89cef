// Benchmark of endpoint statistics (npm run bench:stats): a throwaway embedded PostgreSQL with
// 3.6M attempts over the 30 days up to now (200 endpoints; one busy endpoint takes half of them,
// 1.8M, 60,000 a day), then every window and bucket size the API allows for the busy endpoint
// (a day, a week, 30 days; 8 hours in minutes), each read two ways: "before", the statement over
// the attempt log alone (what the API did before the rollups), and "after", the real service
// call (getEndpointStats: rollups for the finished slices, the log for the tail) once the rollup
// job has backfilled the history. Prints p50/p99 in ms, what the rollup job took per step, and
// the insert cost of the late-attempt mark and the BRIN index (stats-insert-cost.ts).
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { backfillStep, rollUpForward } from '../../src/activities/endpoint-stats-rollup';
import { ensureAttemptPartitions } from '../../src/db/attempt-partitions.repository';
import { createDatabase } from '../../src/db/connection';
import { endpointStatsStatement, planEndpointStats, STATS_WORK_MEM } from '../../src/db/endpoint-stats.repository';
import { migrateToLatest } from '../../src/db/migrate';
import type { Database } from '../../src/db/schema';
import { resolveStatsWindow, toStatsSeries, type StatsBucket, type StatsWindow } from '../../src/domain/endpoint-stats';
import { percentileFromBins } from '../../src/domain/endpoint-stats-rollup';
import type { ServiceContext } from '../../src/services/context';
import { getEndpointStats } from '../../src/services/endpoint-stats.service';
import { measureStatsInsertCost } from './stats-insert-cost';
import { printTable, summarize } from './stats';
import { startThrowawayDatabase } from './throwaway-database';

const TENANTS = 20;
const ENDPOINTS = 200;
const EVENTS = 300_000;
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 1_200_000);
const ATTEMPTS_PER_DELIVERY = 3; // 3.6M attempts
const SPAN_DAYS = 30;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The log ends now (to the minute): the rollups cover all but the last few minutes, as in production. */
const UNTIL = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
/** The log-only statement of a 30-day window reads 1.8M attempts: a few runs say what it costs. */
const RAW_RUNS = Number(process.env.BENCH_RAW_RUNS ?? 3);
const WARMUP = 3;
const INSERTS = Number(process.env.BENCH_INSERTS ?? 2000);

const id = (prefix: string, n: unknown) => sql`${sql.lit(prefix)} || lpad((${n})::text, 26, '0')`;
const busyEndpoint = 'ep_' + '1'.padStart(26, '0');
const tenantOf = (endpoint: number) => 'ten_' + String(((endpoint - 1) % TENANTS) + 1).padStart(26, '0');

/** Endpoint 1 gets every second delivery; the other 199 share the rest. */
async function seed(db: Kysely<Database>): Promise<void> {
  const since = sql.lit(new Date(UNTIL.getTime() - SPAN_DAYS * DAY_MS).toISOString());
  await sql`select setseed(0.13)`.execute(db);
  await sql`insert into tenants (id, name) select ${id('ten_', sql`g`)}, 'Tenant ' || g from generate_series(1, ${sql.lit(TENANTS)}) g`.execute(
    db,
  );
  await sql`insert into event_types (name, group_name) values ('bench.happened', 'Bench')`.execute(db);
  await sql`insert into endpoints (id, tenant_id, name, url, event_types, enabled)
    select ${id('ep_', sql`g`)}, ${id('ten_', sql`((g - 1) % ${sql.lit(TENANTS)}) + 1`)}, 'endpoint ' || g, 'https://example.com/hook/' || g, array['*'], true
    from generate_series(1, ${sql.lit(ENDPOINTS)}) g`.execute(db);
  await sql`insert into events (id, tenant_id, type, data, occurred_at, created_at)
    select ${id('evt_', sql`g`)}, ${id('ten_', sql`((g - 1) % ${sql.lit(TENANTS)}) + 1`)}, 'bench.happened', '{}'::jsonb, t, t
    from generate_series(1, ${sql.lit(EVENTS)}) g, lateral (select ${since}::timestamptz + random() * interval '${sql.raw(String(SPAN_DAYS))} days' as t) r`.execute(
    db,
  );
  await sql`create temporary table spread as
    select g, case when g % 2 = 0 then 1 else 2 + g % ${sql.lit(ENDPOINTS - 1)} end as endpoint,
      ${since}::timestamptz + random() * interval '${sql.raw(String(SPAN_DAYS))} days' as created_at
    from generate_series(1, ${sql.lit(DELIVERIES)}) g`.execute(db);
  await sql`insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, workflow_id, created_at, updated_at)
    select ${id('dlv_', sql`g`)}, ${id('ten_', sql`((endpoint - 1) % ${sql.lit(TENANTS)}) + 1`)}, ${id('evt_', sql`(g % ${sql.lit(EVENTS)}) + 1`)},
      ${id('ep_', sql`endpoint`)}, 'bench.happened', 'succeeded', ${sql.lit(ATTEMPTS_PER_DELIVERY)}, 'delivery-' || ${id('dlv_', sql`g`)}, created_at, created_at
    from spread`.execute(db);
  // 88% 2xx, 5% 5xx, 2% 4xx, 5% no answer (timeout or connection); latency mostly tens of ms, a long tail.
  await ensureAttemptPartitions(db, new Date(UNTIL.getTime() - (SPAN_DAYS + 1) * DAY_MS), UNTIL);
  await sql`insert into attempts (delivery_id, endpoint_id, number, trigger, started_at, duration_ms, request_url, request_headers,
      response_status, error_kind, error_message, delivery_created_at)
    select ${id('dlv_', sql`s.g`)}, ${id('ep_', sql`s.endpoint`)}, n, 'scheduled', s.created_at + (n - 1) * interval '5 minutes',
      (15 + 3000 * power(random(), 6))::int, 'https://example.com/hook', '{}'::jsonb,
      case when r < 0.88 then 200 when r < 0.93 then 503 when r < 0.95 then 404 else null end,
      case when r >= 0.97 then 'timeout' when r >= 0.95 then 'connection' else null end,
      case when r >= 0.95 then 'bench' else null end, s.created_at::timestamptz(3)
    from spread s cross join generate_series(1, ${sql.lit(ATTEMPTS_PER_DELIVERY)}) n, lateral (select random() + 0 * n as r) x`.execute(db);
  await sql`vacuum analyze`.execute(db);
}

/** Every window and bucket size the API allows, for the busy endpoint. */
const CASES: Array<{ window: string; hours: number; buckets: StatsBucket[] }> = [
  { window: '8 hours', hours: 8, buckets: ['1m'] },
  { window: 'day', hours: 24, buckets: ['5m', '15m', '1h', '6h', '1d'] },
  { window: 'week', hours: 7 * 24, buckets: ['1h', '6h', '1d'] },
  { window: '30 days', hours: 30 * 24, buckets: ['6h', '1d'] },
];

function windowOf(hours: number, bucket: StatsBucket): StatsWindow {
  const resolved = resolveStatsWindow({ since: new Date(UNTIL.getTime() - hours * HOUR_MS), until: UNTIL, bucket }, UNTIL);
  if (!resolved.ok) throw new Error(`bench window refused: ${JSON.stringify(resolved.errors)}`);
  return resolved.window;
}

/** "Before": the statement over the attempt log alone, in the transaction the service uses, as a series. */
async function fromLogOnly(db: Kysely<Database>, window: StatsWindow) {
  const { rows } = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      await sql`select set_config('work_mem', ${STATS_WORK_MEM}, true)`.execute(trx);
      return endpointStatsStatement(busyEndpoint, window, {
        hours: [],
        slices: [],
        log: [{ from: window.since, to: window.until }],
      }).execute(trx);
    });
  return toStatsSeries(
    window,
    rows.map((row) => {
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
    }),
  );
}

async function timed<T>(runs: number, warmup: number, run: () => Promise<T>): Promise<{ p50: number; p99: number; last: T }> {
  const timings: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < warmup + runs; i++) {
    const started = performance.now();
    last = await run();
    if (i >= warmup) timings.push(performance.now() - started);
  }
  const { p50, p99 } = summarize(timings);
  return { p50, p99, last: last! };
}

/** The rollup job until the history is backfilled and the finished slices rolled up: each step timed. */
async function rollUpEverything(db: Kysely<Database>): Promise<{ steps: number[]; forward: number[] }> {
  const steps: number[] = [];
  const forward: number[] = [];
  for (;;) {
    const began = performance.now();
    if (!(await backfillStep(db))) break;
    steps.push(performance.now() - began);
  }
  for (;;) {
    const began = performance.now();
    if (!(await rollUpForward(db, UNTIL))) break;
    forward.push(performance.now() - began);
  }
  return { steps, forward };
}

async function main(): Promise<void> {
  const postgres = await startThrowawayDatabase({ durable: false });
  const db = createDatabase({ connectionString: postgres.connectionString, poolSize: 2 });
  try {
    await migrateToLatest(db);
    const seeding = performance.now();
    await seed(db);
    const total = await sql<{ n: string; busy: string }>`select count(*) as n, count(*) filter (where endpoint_id = ${busyEndpoint}) as busy
      from attempts`.execute(db);
    console.log(
      `Seeded ${total.rows[0]!.n} attempts (${total.rows[0]!.busy} of the busy endpoint) over the ${SPAN_DAYS} days to ${UNTIL.toISOString()} in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );
    const rolling = performance.now();
    const job = await rollUpEverything(db);
    await sql`vacuum analyze endpoint_stats_rollups`.execute(db);
    const rollups = await sql<{ n: string }>`select count(*) as n from endpoint_stats_rollups`.execute(db);
    const slowest = (list: number[]) => (list.length === 0 ? 0 : Math.max(...list));
    console.log(
      `Rollup job: backfilled ${job.steps.length} steps of 6 h in ${((performance.now() - rolling) / 1000).toFixed(1)} s ` +
        `(slowest step ${slowest(job.steps).toFixed(0)} ms, median ${summarize(job.steps).p50.toFixed(0)} ms), ` +
        `${job.forward.length} forward steps; ${rollups.rows[0]!.n} rollup rows`,
    );
    console.log(
      `Before: ${RAW_RUNS} runs per row (log only); after: ${RUNS} runs (getEndpointStats); after ${WARMUP} warm-up runs (before: 1)\n`,
    );

    const ctx = { db } as ServiceContext;
    const rows: Array<Record<string, string | number>> = [];
    for (const c of CASES) {
      for (const bucket of c.buckets) {
        const window = windowOf(c.hours, bucket);
        const after = await timed(RUNS, WARMUP, () =>
          getEndpointStats(
            ctx,
            tenantOf(1),
            busyEndpoint,
            { since: window.since.toISOString(), until: window.until.toISOString(), bucket },
            UNTIL,
          ),
        );
        const before = await timed(RAW_RUNS, 1, () => fromLogOnly(db, window));
        // Both ways answer the same figures (exact counts; the same latency bins).
        const agree = JSON.stringify(before.last) === JSON.stringify(after.last);
        if (!agree) console.error(`${c.window} ${bucket}: the rollups and the log answer differently`);
        const sources = await planEndpointStats(db, busyEndpoint, window);
        const span = (ranges: Array<{ from: Date; to: Date }>, unit: number) =>
          ranges.reduce((sum, range) => sum + (Math.min(range.to.getTime(), UNTIL.getTime()) - range.from.getTime()), 0) / unit;
        const reads = `${span(sources.hours, HOUR_MS)} h + ${span(sources.slices, 300_000)} slices + ${span(sources.log, 60_000).toFixed(0)} min of log`;
        rows.push({
          window: c.window,
          bucket,
          attempts: after.last.totals.attempts.total,
          'before p50 ms': before.p50,
          'before p99 ms': before.p99,
          'after p50 ms': after.p50,
          'after p99 ms': after.p99,
          same: agree ? 'yes' : 'NO',
          'after reads': reads,
        });
      }
    }
    printTable(rows);
    console.log(
      '(wall clock of the call; "after reads": the hourly and 5-minute rollups and the minutes of log up to now the call read)\n',
    );

    console.log(`Insert cost per attempt (${INSERTS} inserts per statement and phase, alternating):`);
    const cost = await measureStatsInsertCost(db, INSERTS);
    printTable(
      cost.map((row) => ({
        statement: row.statement,
        'BRIN index': row.brin ? 'yes' : 'no',
        inserts: row.inserts,
        'mean µs': row.meanUs,
        'p50 µs': row.p50Us,
        'p99 µs': row.p99Us,
      })),
    );
  } finally {
    await db.destroy();
    await postgres.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
