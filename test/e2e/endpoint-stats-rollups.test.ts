// Endpoint statistics from rollups on the real PostgreSQL: three days of varied attempts (retries
// across slices, hours and days, resends after a success, every status class and error kind), the
// rollup job run to full coverage, then every bucket size over several windows answered from
// rollups + the log's tail exactly as from the log alone, and the counts as a plain count of the
// rows says; a late-recorded attempt is counted at once; a step repeated, crashed or killed (its
// database session terminated mid-write) changes nothing; retention removes rollups with the rows
// they came from.
import { sql } from 'kysely';
import { Client as PgClient } from 'pg';
import { purgeExpiredLog } from '../../src/activities/retention';
import { backfillStep, rollUpEndpointStats, rollUpForward, rollUpLateAttempts } from '../../src/activities/endpoint-stats-rollup';
import { ensureAttemptPartitions } from '../../src/db/attempt-partitions.repository';
import { recordAttempt } from '../../src/db/attempts.repository';
import { endpointStatsStatement, planEndpointStats, queryEndpointStats } from '../../src/db/endpoint-stats.repository';
import { lockRollupCoverage, readRollupCoverage, rollUpSlices } from '../../src/db/endpoint-stats-rollups.repository';
import { resolveStatsWindow, type StatsAggregateRow, type StatsBucket, type StatsWindow } from '../../src/domain/endpoint-stats';
import { LATENCY_RELATIVE_ERROR, latencyBin, percentileFromBins } from '../../src/domain/endpoint-stats-rollup';
import { newId } from '../../src/domain/ids';
import { insertAttemptRows } from '../support/attempt-rows';
import { createTestDatabase, type TestDatabase } from '../support/stack';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A small deterministic generator, so a failure can be rerun as it was. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

interface Seeded {
  deliveryId: string;
  number: number;
  startedAt: Date;
  durationMs: number;
  status: number | null;
  errorKind: string | null;
}

describe('endpoint statistics from rollups', () => {
  let database: TestDatabase;
  const now = new Date(Math.floor(Date.now() / MINUTE) * MINUTE);
  const tenantId = newId('ten');
  const otherTenantId = newId('ten');
  const endpointId = newId('ep');
  const otherEndpointId = newId('ep');
  const seeded: Seeded[] = [];

  async function createDelivery(tenant: string, endpoint: string, createdAt: Date): Promise<string> {
    const eventId = newId('evt');
    const deliveryId = newId('dlv');
    await database.db
      .insertInto('events')
      .values({
        id: eventId,
        tenant_id: tenant,
        type: 'invoice.paid',
        data: JSON.stringify({}),
        occurred_at: createdAt,
        created_at: createdAt,
      })
      .execute();
    await database.db
      .insertInto('deliveries')
      .values({
        id: deliveryId,
        tenant_id: tenant,
        event_id: eventId,
        endpoint_id: endpoint,
        event_type: 'invoice.paid',
        status: 'succeeded',
        attempt_count: 1,
        workflow_id: `delivery-${deliveryId}`,
        created_at: createdAt,
        updated_at: createdAt,
      })
      .execute();
    return deliveryId;
  }

  const outcomes: Array<Pick<Seeded, 'status' | 'errorKind'>> = [
    { status: 200, errorKind: null },
    { status: 204, errorKind: null },
    { status: 503, errorKind: null },
    { status: 404, errorKind: null },
    { status: 301, errorKind: null },
    { status: 600, errorKind: null },
    { status: null, errorKind: 'timeout' },
    { status: null, errorKind: 'connection' },
    { status: 200, errorKind: 'too_large' },
  ];
  // Gaps between attempts: the same slice, the next, another hour, another day.
  const gaps = [20_000, 4 * MINUTE, 40 * MINUTE, 3 * HOUR, 26 * HOUR];

  /** Three days of deliveries to two endpoints (two tenants), the last minutes included. */
  async function seedLog(): Promise<void> {
    const next = random(13);
    await ensureAttemptPartitions(database.db, new Date(now.getTime() - 4 * DAY), now);
    for (const [tenant, name] of [
      [tenantId, 'busy'],
      [otherTenantId, 'other'],
    ] as const) {
      await database.db.insertInto('tenants').values({ id: tenant, name }).execute();
    }
    for (const [tenant, endpoint] of [
      [tenantId, endpointId],
      [otherTenantId, otherEndpointId],
    ] as const) {
      await database.db
        .insertInto('endpoints')
        .values({ id: endpoint, tenant_id: tenant, name: 'e', url: 'https://example.com/hook', event_types: ['*'], enabled: true })
        .execute();
    }
    const rows: Parameters<typeof insertAttemptRows>[1] = [];
    for (let i = 0; i < 450; i++) {
      const endpoint = i % 5 === 4 ? otherEndpointId : endpointId;
      // Most in the last three days, a tenth in the last 20 minutes (the unfinished tail).
      const age = i % 10 === 0 ? next() * 20 * MINUTE : next() * 3 * DAY;
      const createdAt = new Date(now.getTime() - age);
      const deliveryId = await createDelivery(endpoint === endpointId ? tenantId : otherTenantId, endpoint, createdAt);
      const attempts = 1 + Math.floor(next() * 4);
      let startedAt = createdAt.getTime() + Math.floor(next() * 1000);
      for (let number = 1; number <= attempts; number++) {
        if (startedAt >= now.getTime()) break;
        const outcome = number === attempts && next() < 0.7 ? outcomes[0]! : outcomes[Math.floor(next() * outcomes.length)]!;
        const attempt: Seeded = {
          deliveryId,
          number,
          startedAt: new Date(startedAt),
          durationMs: Math.floor(2 ** (next() * 14)) - 1,
          ...outcome,
        };
        if (endpoint === endpointId) seeded.push(attempt);
        rows.push({
          delivery_id: deliveryId,
          endpoint_id: endpoint,
          number,
          trigger: 'scheduled',
          started_at: attempt.startedAt,
          duration_ms: attempt.durationMs,
          request_url: 'https://example.com/hook',
          request_headers: JSON.stringify({}),
          response_status: attempt.status,
          response_headers: attempt.status === null ? null : JSON.stringify({}),
          error_kind: attempt.errorKind,
          error_message: attempt.errorKind && 'seeded',
        });
        startedAt += gaps[Math.floor(next() * gaps.length)]!;
      }
    }
    for (let i = 0; i < rows.length; i += 200) await insertAttemptRows(database.db, rows.slice(i, i + 200));
  }

  /** The job until nothing is left: history backfilled, finished slices rolled up. */
  async function rollUpEverything(at = new Date()): Promise<void> {
    while (await backfillStep(database.db));
    while (await rollUpForward(database.db, at));
  }

  const windowOf = (sinceAgo: number, bucket: StatsBucket, untilAgo = 0): StatsWindow => {
    const resolved = resolveStatsWindow(
      { since: new Date(now.getTime() - sinceAgo), until: new Date(now.getTime() - untilAgo + MINUTE), bucket },
      now,
    );
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.errors));
    return resolved.window;
  };
  const windows: Array<[string, StatsWindow]> = [
    ['3 days in hours', windowOf(3 * DAY, '1h')],
    ['4 days in days', windowOf(4 * DAY, '1d')],
    ['3 days in 6 hours', windowOf(3 * DAY, '6h')],
    ['2 days in 15 minutes', windowOf(2 * DAY, '15m')],
    ['a day in 5 minutes, ending 5 hours ago', windowOf(29 * HOUR, '5m', 5 * HOUR)],
    ['2 hours in minutes', windowOf(2 * HOUR, '1m')],
  ];

  /** The same window read from the log alone. */
  async function fromLogOnly(endpoint: string, window: StatsWindow): Promise<StatsAggregateRow[]> {
    const { rows } = await endpointStatsStatement(endpoint, window, {
      hours: [],
      slices: [],
      log: [{ from: window.since, to: window.until }],
    }).execute(database.db);
    const rollupFree = rows.map((row) => ({ ...row, latency: row.latency ?? {} }));
    return rollupFree.map((row) => {
      const bins = new Map(Object.entries(row.latency).map(([bin, n]) => [Number(bin), n]));
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

  const byStart = (rows: StatsAggregateRow[]) =>
    [...rows].sort((a, b) => (a.start?.getTime() ?? -1) - (b.start?.getTime() ?? -1)).map((row) => ({ ...row }));

  /** Counts as a plain reading of the seeded rows says them: each delivery once per bucket, once in the window. */
  function counted(window: StatsWindow) {
    const size = window.bucketSeconds * 1000;
    const inWindow = seeded.filter((a) => a.startedAt >= window.since && a.startedAt < window.until);
    const figures = (attempts: Seeded[]) => {
      const ok = (a: Seeded) => a.errorKind === null && a.status !== null && a.status >= 200 && a.status <= 299;
      const answered = attempts.filter((a) => a.status !== null).map((a) => a.durationMs);
      return {
        attempts: attempts.length,
        succeeded: attempts.filter(ok).length,
        deliveries: new Set(attempts.map((a) => a.deliveryId)).size,
        deliveriesSucceeded: new Set(attempts.filter(ok).map((a) => a.deliveryId)).size,
        answered,
      };
    };
    const buckets = new Map<number, Seeded[]>();
    for (const attempt of inWindow) {
      const start = Math.floor(attempt.startedAt.getTime() / size) * size;
      buckets.set(start, [...(buckets.get(start) ?? []), attempt]);
    }
    return { totals: figures(inWindow), buckets: new Map([...buckets].map(([start, attempts]) => [start, figures(attempts)])) };
  }

  function expectWithinBinError(read: number | null, values: number[], q: number): void {
    const sorted = [...values].sort((a, b) => a - b);
    const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? null;
    if (exact === null) return expect(read).toBeNull();
    expect(read).not.toBeNull();
    expect(Math.abs(read! - exact)).toBeLessThanOrEqual(Math.max(1, exact * LATENCY_RELATIVE_ERROR));
  }

  async function expectExact(label: string): Promise<void> {
    for (const [name, window] of windows) {
      const answered = byStart(await queryEndpointStats(database.db, endpointId, window));
      expect({ label, name, rows: answered }).toEqual({ label, name, rows: byStart(await fromLogOnly(endpointId, window)) });
      const reference = counted(window);
      const totals = answered.find((row) => row.start === null)!;
      expect({ name, ...pickCounts(totals) }).toEqual({ name, ...pickCounts(reference.totals) });
      expectWithinBinError(totals.latencyP50, reference.totals.answered, 0.5);
      expectWithinBinError(totals.latencyP95, reference.totals.answered, 0.95);
      for (const row of answered.filter((r) => r.start !== null)) {
        const expected = reference.buckets.get(row.start!.getTime());
        expect({ name, start: row.start, ...pickCounts(row) }).toEqual({ name, start: row.start, ...pickCounts(expected!) });
      }
      expect(answered.filter((r) => r.start !== null)).toHaveLength(reference.buckets.size);
    }
  }
  const pickCounts = (row: { attempts: number; succeeded: number; deliveries: number; deliveriesSucceeded: number }) => ({
    attempts: row.attempts,
    succeeded: row.succeeded,
    deliveries: row.deliveries,
    deliveriesSucceeded: row.deliveriesSucceeded,
  });
  const rollupRows = async () =>
    (
      await sql<
        Record<string, unknown>
      >`select * from endpoint_stats_rollups order by endpoint_id, slice_seconds, slice_start, delivery_day`.execute(database.db)
    ).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedLog();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it('answers every bucket size from rollups plus the log exactly as from the log alone', async () => {
    await expectExact('before any rollup');
    await rollUpEverything();
    const coverage = await readRollupCoverage(database.db);
    expect(coverage.from.getTime()).toBeLessThanOrEqual(now.getTime() - 3 * DAY);
    expect(coverage.until.getTime()).toBeGreaterThan(now.getTime() - 15 * MINUTE);
    const hourly = await sql<{ n: number }>`select count(*)::int as n from endpoint_stats_rollups where slice_seconds = 3600`.execute(
      database.db,
    );
    expect(hourly.rows[0]!.n).toBeGreaterThan(50);
    // The hourly windows read whole hours and slices from the rollups, the log only for the tail.
    const plan = await planEndpointStats(database.db, endpointId, windows[0]![1]);
    expect(plan.hours.length).toBeGreaterThan(0);
    // The coverage's last, unfinished hour comes as 5-minute slices (none when it ends on the hour).
    const lastHour = new Date(Math.floor(coverage.until.getTime() / HOUR) * HOUR);
    expect(plan.slices).toEqual(lastHour < coverage.until ? [{ from: lastHour, to: coverage.until }] : []);
    expect(plan.log).toEqual([{ from: coverage.until, to: windows[0]![1].until }]);
    const fiveMinutes = await planEndpointStats(database.db, endpointId, windows[4]![1]);
    expect(fiveMinutes).toMatchObject({ hours: [], log: [] });
    await expectExact('rolled up');
  });

  it('counts an attempt recorded late into a rolled-up slice at once, and after the job sums it again', async () => {
    const createdAt = new Date(now.getTime() - 2 * DAY - 7 * MINUTE);
    const deliveryId = await createDelivery(tenantId, endpointId, createdAt);
    const late: Seeded = {
      deliveryId,
      number: 1,
      startedAt: new Date(createdAt.getTime() + 1000),
      durationMs: 77,
      status: 200,
      errorKind: null,
    };
    // Through the insert path the worker uses: recorded two days after it started, it is marked late.
    await recordAttempt(
      database.db,
      {
        delivery_id: deliveryId,
        endpoint_id: endpointId,
        number: 1,
        trigger: 'scheduled',
        started_at: late.startedAt,
        duration_ms: late.durationMs,
        request_url: 'https://example.com/hook',
        request_headers: JSON.stringify({}),
        response_status: 200,
        response_headers: JSON.stringify({}),
        error_kind: null,
        error_message: null,
      },
      { attempt_count: 1 },
      { id: endpointId, succeeded: true },
    );
    seeded.push(late);
    // One recorded on time (the other endpoint's, outside the windows compared) leaves no mark.
    const onTime = await createDelivery(otherTenantId, otherEndpointId, new Date(Date.now() - 2000));
    await recordAttempt(
      database.db,
      {
        delivery_id: onTime,
        endpoint_id: otherEndpointId,
        number: 1,
        trigger: 'scheduled',
        started_at: new Date(Date.now() - 1000),
        duration_ms: 12,
        request_url: 'https://example.com/hook',
        request_headers: JSON.stringify({}),
        response_status: 200,
        response_headers: JSON.stringify({}),
        error_kind: null,
        error_message: null,
      },
      { attempt_count: 1 },
      { id: otherEndpointId, succeeded: true },
    );
    const marks = await database.db.selectFrom('endpoint_stats_late_attempts').selectAll().execute();
    expect(marks).toEqual([expect.objectContaining({ endpoint_id: endpointId })]);
    await expectExact('late attempt, marked');
    expect(await rollUpLateAttempts(database.db)).toBe(1);
    expect(await database.db.selectFrom('endpoint_stats_late_attempts').selectAll().execute()).toEqual([]);
    await expectExact('late attempt, rolled up again');
  });

  it('changes nothing when a step runs twice, runs concurrently, or crashes halfway', async () => {
    const before = await rollupRows();
    const coverage = await readRollupCoverage(database.db);
    const range = { from: new Date(coverage.until.getTime() - 6 * HOUR), to: coverage.until };
    await rollUpSlices(database.db, range);
    expect(await rollupRows()).toEqual(before);

    // A crash after the slices were rewritten and before the coverage moved: nothing of it stays.
    await expect(
      database.db.transaction().execute(async (trx) => {
        await lockRollupCoverage(trx);
        await sql`delete from endpoint_stats_rollups where slice_start >= ${range.from}`.execute(trx);
        await rollUpSlices(trx, { from: range.from, to: new Date(range.to.getTime() + HOUR) });
        throw new Error('worker killed');
      }),
    ).rejects.toThrow('worker killed');
    expect(await rollupRows()).toEqual(before);
    expect(await readRollupCoverage(database.db)).toEqual(coverage);

    // Two runs at once (two workers' schedules): the coverage lock puts one after the other.
    const later = new Date(Date.now() + 20 * MINUTE);
    await Promise.all([rollUpEndpointStats(database.db, later), rollUpEndpointStats(database.db, later)]);
    const after = await readRollupCoverage(database.db);
    expect(after.until.getTime()).toBeGreaterThan(coverage.until.getTime());
    await expectExact('after concurrent runs');
    const once = await rollupRows();
    await rollUpEndpointStats(database.db, later);
    expect(await rollupRows()).toEqual(once);
  });

  it('a step whose database session is killed mid-write leaves nothing behind, and the next run does its work', async () => {
    const before = await rollupRows();
    const coverage = await readRollupCoverage(database.db);
    // A late mark on a rolled-up slice with attempts: its re-roll first deletes the slice's rows.
    const target = seeded.find((attempt) => attempt.startedAt.getTime() < now.getTime() - DAY)!;
    expect(target.startedAt.getTime()).toBeGreaterThanOrEqual(coverage.from.getTime());
    await database.db
      .insertInto('endpoint_stats_late_attempts')
      .values({ endpoint_id: endpointId, started_at: target.startedAt })
      .execute();
    // The log held by another session: the step deletes, then waits for its lock on the attempts and
    // is killed there. The waiting session is found by its lock: pg_stat_activity may still show the
    // statement before, since a parameterized statement takes its locks before it is reported.
    const locker = new PgClient({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table attempts in access exclusive mode');
      const running = rollUpLateAttempts(database.db);
      let settled: string | undefined;
      running.then(
        (slices) => (settled = `finished without waiting (${slices} slices)`),
        () => undefined,
      );
      const pid = await waitFor(
        async () => {
          const { rows } = await locker.query<{ pid: number }>(
            `select pid from pg_locks where locktype = 'relation' and relation = 'attempts'::regclass and not granted`,
          );
          if (settled) throw new Error(settled);
          return rows[0]?.pid;
        },
        { what: 'the rollup step waiting to read the log' },
      );
      await locker.query('select pg_terminate_backend($1)', [pid]);
      await expect(running).rejects.toThrow();
      await locker.query('rollback');
    } finally {
      await locker.end();
    }
    expect(await rollupRows()).toEqual(before);
    expect(await readRollupCoverage(database.db)).toEqual(coverage);
    expect(await database.db.selectFrom('endpoint_stats_late_attempts').select('endpoint_id').execute()).toEqual([
      { endpoint_id: endpointId },
    ]);
    // The next run re-rolls the slice (to the same rows: nothing changed in it) and clears the mark.
    expect(await rollUpLateAttempts(database.db)).toBe(1);
    expect(await database.db.selectFrom('endpoint_stats_late_attempts').selectAll().execute()).toEqual([]);
    expect(await rollupRows()).toEqual(before);
    await expectExact('after a killed step');
  });

  it("follows retention: dropped days and a tenant's shorter retention take their rollups along", async () => {
    await database.db.updateTable('tenants').set({ retention_days: 2 }).where('id', '=', tenantId).execute();
    // The deployment keeps 3 days: the oldest partition goes whole; the tenant keeps 2.
    await purgeExpiredLog(database.db, { retentionDays: 3, batchSize: 50, now });
    const cutoffDay = new Date(Math.floor((now.getTime() - 2 * DAY) / DAY) * DAY);
    const tenantCutoff = new Date(now.getTime() - 2 * DAY);
    const older = await sql<{ n: number }>`select count(*)::int as n from endpoint_stats_rollups
      where endpoint_id = ${endpointId} and delivery_day < ${cutoffDay}`.execute(database.db);
    expect(older.rows[0]!.n).toBe(0);
    const kept = new Set(
      (await database.db.selectFrom('deliveries').select('id').where('created_at', '>=', tenantCutoff).execute()).map((d) => d.id),
    );
    const before = seeded.length;
    seeded.splice(0, seeded.length, ...seeded.filter((attempt) => kept.has(attempt.deliveryId)));
    expect(seeded.length).toBeLessThan(before);
    await expectExact('after retention');
    // The other tenant kept 3 days: its oldest rollups are those of the partitions still there.
    const other = await sql<{
      n: number;
    }>`select count(*)::int as n from endpoint_stats_rollups where endpoint_id = ${otherEndpointId}`.execute(database.db);
    expect(other.rows[0]!.n).toBeGreaterThan(0);
  });

  it('reads latency bins within the documented error', () => {
    for (const value of [0, 1, 2, 3, 7, 10, 42, 99, 100, 1000, 12_345, 29_999]) {
      const read = percentileFromBins(new Map([[latencyBin(value), 1]]), 0.5)!;
      expect(Math.abs(read - value)).toBeLessThanOrEqual(Math.max(1, value * LATENCY_RELATIVE_ERROR));
    }
  });
});
