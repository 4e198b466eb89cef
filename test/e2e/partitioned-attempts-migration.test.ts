// The partitioned attempt log migration on a populated database: every attempt row comes across
// unchanged into the partition of its delivery's day, with the columns and indexes other
// migrations gave the table; the delivery log reads them back; new attempts record; and the
// migration goes down and up again without losing a row.
import { Migrator, sql, type Kysely } from 'kysely';
import { migrations } from '../../migrations';
import { listAttemptPartitions } from '../../src/db/attempt-partitions.repository';
import { listAttempts, recordAttempt } from '../../src/db/attempts.repository';
import type { Database } from '../../src/db/schema';
import { partitionName } from '../../src/domain/attempt-partitions';
import type { ServiceContext } from '../../src/services/context';
import { getDeliveryWithAttempts, listDeliveries } from '../../src/services/deliveries.service';
import { createTestDatabase, type TestDatabase } from '../support/stack';

const BEFORE = '2026_12_02T230000_delivery_ordering';
const THIS = '2026_12_03T050000_partitioned_attempt_log';
/** The migration right before this one (others' migrations of attempts may come in between). */
const JUST_BEFORE = Object.keys(migrations)[Object.keys(migrations).indexOf(THIS) - 1]!;
const DELIVERIES = 600;
const ATTEMPTS_PER_DELIVERY = 3;
const DAYS = 6;

describe('partitioned attempt log migration', () => {
  let database: TestDatabase;
  let db: Kysely<any>;
  const migrator = () => new Migrator({ db, provider: { getMigrations: async () => migrations } });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db as Kysely<any>;
  });
  afterAll(() => database?.destroy());

  /** Today's attempts as comparable JSON, keyed by id (the partition key left out). */
  /** The columns of the layout this migration started from: later migrations' columns are theirs to test. */
  let columnsBefore: string[] | undefined;
  async function snapshot(): Promise<Map<string, string>> {
    const rows = await sql<Record<string, unknown>>`select * from attempts order by id`.execute(db);
    columnsBefore ??= Object.keys(rows.rows[0] ?? {}).filter((column) => column !== 'delivery_created_at');
    const columns = columnsBefore;
    return new Map(
      rows.rows.map((row) => {
        const kept = Object.fromEntries(columns.map((column) => [column, row[column]]));
        return [String(row.id), JSON.stringify(kept, (_key, value: unknown) => (value instanceof Buffer ? value.toString('hex') : value))];
      }),
    );
  }

  it('moves every attempt into its day, keeps other migrations’ columns and indexes, and reverses cleanly', async () => {
    expect((await migrator().migrateTo(BEFORE)).error).toBeUndefined();
    // As a concurrent migration might have: a column and an index of its own on attempts.
    await sql`alter table attempts add column extra_note integer`.execute(db);
    await sql`create index attempts_status_started_idx on attempts (response_status, started_at)`.execute(db);

    await sql`insert into tenants (id, name) values ('ten_a', 'A'), ('ten_b', 'B')`.execute(db);
    await sql`insert into endpoints (id, tenant_id, name, url, event_types)
      values ('ep_a', 'ten_a', 'a', 'https://example.com/a', array['*']), ('ep_b', 'ten_b', 'b', 'https://example.com/b', array['*'])`.execute(
      db,
    );
    // Spread over DAYS days ending now, with a few microseconds on each timestamp as now() makes.
    await sql`insert into events (id, tenant_id, type, data, resource_id, occurred_at, created_at)
      select 'evt_' || g, case when g % 2 = 0 then 'ten_a' else 'ten_b' end, 'invoice.paid', jsonb_build_object('n', g), 'res_' || (g % 7),
        now() - (g * ${sql.lit((DAYS * 86_400) / DELIVERIES)} || ' seconds')::interval, now() - (g * ${sql.lit((DAYS * 86_400) / DELIVERIES)} || ' seconds')::interval
      from generate_series(1, ${sql.lit(DELIVERIES)}) g`.execute(db);
    await sql`insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, resource_id, status, attempt_count, workflow_id, created_at)
      select 'dlv_' || lpad(g::text, 6, '0'), e.tenant_id, e.id, case when e.tenant_id = 'ten_a' then 'ep_a' else 'ep_b' end, e.type, e.resource_id,
        case when g % 5 = 0 then 'failed' else 'succeeded' end, ${sql.lit(ATTEMPTS_PER_DELIVERY)}, 'delivery-dlv_' || g, e.created_at
      from events e join generate_series(1, ${sql.lit(DELIVERIES)}) g on e.id = 'evt_' || g`.execute(db);
    await sql`insert into attempts (delivery_id, number, trigger, started_at, duration_ms, request_url, request_headers, response_status,
        response_headers, response_body, response_body_bytes, response_body_truncated, response_body_length, error_kind, error_message, extra_note)
      select d.id, n, case when n = 3 then 'manual' else 'scheduled' end, d.created_at + n * interval '1 minute', 10 * n, 'https://example.com/hook',
        jsonb_build_object('webhook-id', d.event_id), case when n = 2 then null else 200 + n end, case when n = 2 then null else '{"x":"y"}'::jsonb end,
        case when n = 1 then 'old text body' end, case when n = 3 then '\\x00ff1f'::bytea end, n = 3, case when n = 3 then 70000 end,
        case when n = 2 then 'timeout' end, case when n = 2 then 'no answer' end, n
      from deliveries d cross join generate_series(1, ${sql.lit(ATTEMPTS_PER_DELIVERY)}) n`.execute(db);
    expect((await migrator().migrateTo(JUST_BEFORE)).error).toBeUndefined();
    const before = await snapshot();
    expect(before.size).toBe(DELIVERIES * ATTEMPTS_PER_DELIVERY);

    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    const partitioned = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_partitioned_table where partrelid = 'attempts'::regclass`.execute(db);
    expect(partitioned.rows[0]!.n).toBe(1);
    expect(await snapshot()).toEqual(before);
    const misplaced = await sql<{ n: number }>`select count(*)::int as n from attempts a join deliveries d on d.id = a.delivery_id
      where a.delivery_created_at <> d.created_at`.execute(db);
    expect(misplaced.rows[0]!.n).toBe(0);
    // One partition per day that has attempts, each holding only its day.
    const partitions = (await listAttemptPartitions(db as Kysely<Database>)).map((partition) => partition.name);
    const days = await sql<{ day: Date }>`select distinct date_trunc('day', created_at, 'UTC') as day from deliveries`.execute(db);
    expect(partitions).toEqual(expect.arrayContaining(days.rows.map((row) => partitionName(new Date(row.day)))));
    const strays = await sql<{ n: number }>`select count(*)::int as n from attempts
      where to_char(delivery_created_at at time zone 'UTC', '"attempts_p"YYYYMMDD') <> tableoid::regclass::text`.execute(db);
    expect(strays.rows[0]!.n).toBe(0);
    const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'attempts'`.execute(db);
    expect(indexes.rows.map((row) => row.indexname)).toEqual(
      expect.arrayContaining(['attempts_pkey', 'attempts_delivery_number_idx', 'attempts_status_started_idx']),
    );

    // The delivery log reads each delivery's attempts from its partition, as before.
    const ctx = { db } as unknown as ServiceContext;
    const page = await listDeliveries(ctx, 'ten_a', { limit: 20, status: 'failed' });
    expect(page.data.length).toBe(20);
    for (const delivery of page.data) {
      const { attempts } = await getDeliveryWithAttempts(ctx, 'ten_a', delivery.id);
      expect(attempts.map((attempt) => attempt.number)).toEqual([1, 2, 3]);
      expect(attempts[0]).toMatchObject({ response_body: 'old text body', extra_note: 1 });
      expect(attempts[2]!.response_body_bytes).toEqual(Buffer.from([0x00, 0xff, 0x1f]));
    }

    // A new attempt of an old delivery lands in its delivery's day; recording it again overwrites it.
    const oldest = await db
      .selectFrom('deliveries')
      .select(['id', 'created_at', 'endpoint_id'])
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirstOrThrow();
    const attempt = {
      delivery_id: oldest.id,
      endpoint_id: oldest.endpoint_id,
      number: 4,
      trigger: 'manual' as const,
      started_at: new Date(),
      duration_ms: 5,
      request_url: 'https://example.com/hook',
      request_headers: '{}',
      response_status: 200,
    };
    await recordAttempt(db as Kysely<Database>, attempt, { attempt_count: 4 }, { id: 'ep_a', succeeded: true });
    await recordAttempt(
      db as Kysely<Database>,
      { ...attempt, response_status: 204 },
      { attempt_count: 4 },
      { id: 'ep_a', succeeded: true },
    );
    const oldestAttempts = await listAttempts(db as Kysely<Database>, oldest);
    expect(oldestAttempts.map((row) => [row.number, row.response_status])).toEqual([
      [1, 201],
      [2, null],
      [3, 203],
      [4, 204],
    ]);

    // Down (one unpartitioned table again) and up: not a row lost or changed.
    const withNew = await snapshot();
    expect((await migrator().migrateTo(JUST_BEFORE)).error).toBeUndefined();
    const flat = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_partitioned_table where partrelid = 'attempts'::regclass`.execute(db);
    expect(flat.rows[0]!.n).toBe(0);
    const flatIndexes = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'attempts'`.execute(db);
    expect(flatIndexes.rows.map((row) => row.indexname)).toEqual(expect.arrayContaining(['attempts_status_started_idx']));
    expect(await snapshot()).toEqual(withNew);
    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    expect(await snapshot()).toEqual(withNew);
  });

  it('makes the partition a new attempt needs when none was made ahead', async () => {
    const far = new Date(Date.now() + 40 * 24 * 3_600_000);
    await sql`insert into events (id, tenant_id, type, data, occurred_at, created_at) values ('evt_far', 'ten_a', 'invoice.paid', '{}', now(), ${far})`.execute(
      db,
    );
    await sql`insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, workflow_id, created_at)
      values ('dlv_far', 'ten_a', 'evt_far', 'ep_a', 'invoice.paid', 'delivery-dlv_far', ${far})`.execute(db);
    const attempt = {
      delivery_id: 'dlv_far',
      endpoint_id: 'ep_a',
      number: 1,
      trigger: 'scheduled' as const,
      started_at: new Date(),
      duration_ms: 5,
      request_url: 'https://example.com/hook',
      request_headers: '{}',
      response_status: 200,
    };
    await recordAttempt(db as Kysely<Database>, attempt, { attempt_count: 1 }, { id: 'ep_a', succeeded: true });
    const partitions = (await listAttemptPartitions(db as Kysely<Database>)).map((partition) => partition.name);
    expect(partitions).toContain(partitionName(far));
    expect(await db.selectFrom('attempts').select('number').where('delivery_id', '=', 'dlv_far').execute()).toEqual([{ number: 1 }]);
  });
});
