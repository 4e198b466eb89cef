// Benchmark of endpoint statistics (npm run bench:stats): a throwaway embedded PostgreSQL with
// 2.4M attempts over 30 days (200 endpoints; one busy endpoint takes a quarter of them), then the
// real service call (getEndpointStats) for a day and a week window of the busy endpoint and of a
// typical one, and a 30-day window of the busy one. Prints p50/p99 in ms and the plan's shape;
// the last row repeats the busy week without the covering index, to show what it is worth.
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { ensureAttemptPartitions } from '../../src/db/attempt-partitions.repository';
import { createDatabase } from '../../src/db/connection';
import { endpointStatsStatement, STATS_WORK_MEM } from '../../src/db/endpoint-stats.repository';
import { migrateToLatest } from '../../src/db/migrate';
import type { Database } from '../../src/db/schema';
import { resolveStatsWindow } from '../../src/domain/endpoint-stats';
import type { ServiceContext } from '../../src/services/context';
import { getEndpointStats } from '../../src/services/endpoint-stats.service';
import { printTable, summarize } from './stats';
import { startThrowawayDatabase } from './throwaway-database';

const TENANTS = 20;
const ENDPOINTS = 200;
const EVENTS = 300_000;
const DELIVERIES = 800_000;
const ATTEMPTS_PER_DELIVERY = 3; // 2.4M attempts
const SPAN_DAYS = 30;
const UNTIL = new Date('2026-12-03T00:00:00Z');
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const WARMUP = 5;
const DAY_MS = 86_400_000;

const id = (prefix: string, n: unknown) => sql`${sql.lit(prefix)} || lpad((${n})::text, 26, '0')`;
const busyEndpoint = 'ep_' + '1'.padStart(26, '0');
const typicalEndpoint = 'ep_' + '2'.padStart(26, '0');
const tenantOf = (endpoint: number) => 'ten_' + String(((endpoint - 1) % TENANTS) + 1).padStart(26, '0');

/** Endpoint 1 gets every fourth delivery; the other 199 share the rest. */
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
    select g, case when g % 4 = 0 then 1 else 2 + g % ${sql.lit(ENDPOINTS - 1)} end as endpoint,
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

interface Case {
  name: string;
  endpointId: string;
  days: number;
  timings: number[];
}

async function main(): Promise<void> {
  const postgres = await startThrowawayDatabase({ durable: false });
  const db = createDatabase({ connectionString: postgres.connectionString, poolSize: 2 });
  try {
    await migrateToLatest(db);
    const seeding = performance.now();
    await seed(db);
    const total = await sql<{ n: string }>`select count(*) as n from attempts`.execute(db);
    console.log(`Seeded ${total.rows[0]!.n} attempts over ${SPAN_DAYS} days in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
    console.log(`${RUNS} runs per row after ${WARMUP} warm-up runs, round-robin; windows end ${UNTIL.toISOString()}, default buckets\n`);

    const ctx = { db } as ServiceContext;
    const cases: Case[] = [
      { name: 'busy endpoint, day', endpointId: busyEndpoint, days: 1, timings: [] },
      { name: 'busy endpoint, week', endpointId: busyEndpoint, days: 7, timings: [] },
      { name: 'busy endpoint, 30 days', endpointId: busyEndpoint, days: 30, timings: [] },
      { name: 'typical endpoint, day', endpointId: typicalEndpoint, days: 1, timings: [] },
      { name: 'typical endpoint, week', endpointId: typicalEndpoint, days: 7, timings: [] },
    ];
    const run = (c: Case) => getEndpointStats(ctx, tenantOf(Number(c.endpointId.slice(3))), c.endpointId, windowOf(c.days), UNTIL);
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const c of cases) {
        const started = performance.now();
        await run(c);
        if (i >= WARMUP) c.timings.push(performance.now() - started);
      }
    }
    const rows: Array<Record<string, string | number>> = [];
    for (const c of cases) {
      const { p50, p99 } = summarize(c.timings);
      const plan = await explain(db, c.endpointId, c.days);
      rows.push({ window: c.name, attempts: plan.attempts, 'p50 ms': p50, 'p99 ms': p99, 'in-db ms': plan.executionMs, scan: plan.scan });
    }
    // The same busy week without the covering index: what a query over the log without it costs.
    await sql`drop index attempts_endpoint_stats_idx`.execute(db);
    const withoutIndex: number[] = [];
    const slow = cases[1]!;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await run(slow);
      withoutIndex.push(performance.now() - started);
    }
    const plan = await explain(db, slow.endpointId, slow.days);
    const { p50, p99 } = summarize(withoutIndex);
    rows.push({
      window: `${slow.name}, no index (5 runs)`,
      attempts: plan.attempts,
      'p50 ms': p50,
      'p99 ms': p99,
      'in-db ms': plan.executionMs,
      scan: plan.scan,
    });
    printTable(rows);
    console.log(
      '(p50/p99: the service call as the API makes it, wall clock; in-db: EXPLAIN ANALYZE execution time; BENCH_EXPLAIN=1 prints the plans)',
    );
  } finally {
    await db.destroy();
    await postgres.stop();
  }
}

function windowOf(days: number) {
  return { since: new Date(UNTIL.getTime() - days * DAY_MS).toISOString(), until: UNTIL.toISOString() };
}

/** The plan of the statistics statement: its execution time, the attempts it read, and how it found them. */
async function explain(db: Kysely<Database>, endpointId: string, days: number) {
  const resolved = resolveStatsWindow({ since: new Date(UNTIL.getTime() - days * DAY_MS), until: UNTIL }, UNTIL);
  if (!resolved.ok) throw new Error('bench window refused');
  // With the work_mem the service's transaction sets.
  const { rows } = await db.transaction().execute(async (trx) => {
    await sql`select set_config('work_mem', ${STATS_WORK_MEM}, true)`.execute(trx);
    return sql<{
      'QUERY PLAN': string;
    }>`explain (analyze, buffers, costs off) ${endpointStatsStatement(endpointId, resolved.window)}`.execute(trx);
  });
  const text = rows.map((row) => row['QUERY PLAN']).join('\n');
  if (process.env.BENCH_EXPLAIN) console.log(`\n-- ${endpointId}, ${days} days\n${text}`);
  const scanLine = /(Index Only Scan|Index Scan|Bitmap Heap Scan|Parallel Seq Scan|Seq Scan)[^\n]*\n[^\n]*?rows=(\d+)/.exec(text);
  return {
    executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? NaN),
    attempts: Number(/on attempts[^\n]*rows=(\d+)/.exec(text)?.[1] ?? scanLine?.[2] ?? NaN),
    scan: /(Index Only Scan|Index Scan|Bitmap Heap Scan|Parallel Seq Scan|Seq Scan)( using \w+)? on attempts/.exec(text)?.[0] ?? '?',
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
