// The transactional-outbox migration on real PostgreSQL: deliveries an older release recorded but
// never started (their event's deliveries_started_at was null) are still found by the new
// per-delivery sweep, rows already started are not, and the migration goes down and up again.
// Retention keeps the new stop-request table small.
import { Migrator, sql, type Kysely } from 'kysely';
import { migrations } from '../../migrations';
import { purgeExpiredLog } from '../../src/activities/retention';
import { createTestDatabase, type TestDatabase } from '../support/stack';

const BEFORE = '2026_11_22T080000_event_deliveries_started';

describe('transactional outbox migration', () => {
  let database: TestDatabase;
  let db: Kysely<any>;
  const migrator = () => new Migrator({ db, provider: { getMigrations: async () => migrations } });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db as Kysely<any>;
  });
  afterAll(() => database?.destroy());

  it('keeps unstarted deliveries of the per-event sweep unstarted, the others started, and reverses cleanly', async () => {
    expect((await migrator().migrateTo(BEFORE)).error).toBeUndefined();
    await db.insertInto('tenants').values({ id: 'ten_m', name: 'M' }).execute();
    await db
      .insertInto('endpoints')
      .values({ id: 'ep_m', tenant_id: 'ten_m', name: 'm', url: 'http://127.0.0.1:9/', event_types: ['*'] })
      .execute();
    const event = (id: string, started: boolean) => ({
      id,
      tenant_id: 'ten_m',
      type: 'webhook.test',
      data: '{}',
      occurred_at: new Date(),
      deliveries_started_at: started ? new Date() : null,
    });
    await db
      .insertInto('events')
      .values([event('evt_started', true), event('evt_stranded', false)])
      .execute();
    const delivery = (id: string, eventId: string) => ({
      id,
      tenant_id: 'ten_m',
      event_id: eventId,
      endpoint_id: 'ep_m',
      event_type: 'webhook.test',
      workflow_id: `delivery-${id}`,
    });
    await db
      .insertInto('deliveries')
      .values([delivery('dlv_started', 'evt_started'), delivery('dlv_stranded', 'evt_stranded')])
      .execute();

    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    const rows = await db.selectFrom('deliveries').select(['id', 'workflow_started_at', 'recover_key']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'dlv_started', workflow_started_at: expect.any(Date), recover_key: null },
      { id: 'dlv_stranded', workflow_started_at: null, recover_key: null },
    ]);
    const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'deliveries'`.execute(db);
    expect(indexes.rows.map((row) => row.indexname)).toEqual(
      expect.arrayContaining(['deliveries_workflow_not_started_idx', 'deliveries_recover_key_idx']),
    );

    // Down to the per-event column and back: the stranded event is still the only unstarted one.
    expect((await migrator().migrateTo(BEFORE)).error).toBeUndefined();
    const events = await db.selectFrom('events').select(['id', 'deliveries_started_at']).orderBy('id').execute();
    expect(events).toEqual([
      { id: 'evt_started', deliveries_started_at: expect.any(Date) },
      { id: 'evt_stranded', deliveries_started_at: null },
    ]);
    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    expect(await db.selectFrom('delivery_stop_requests').selectAll().execute()).toEqual([]);
  });

  it('retention purges stop requests completed before the cutoff, never pending ones', async () => {
    const longAgo = new Date(Date.now() - 40 * 24 * 3_600_000);
    await db
      .insertInto('delivery_stop_requests')
      .values([
        { endpoint_id: 'ep_m', reason: 'old, done', created_at: longAgo, completed_at: longAgo },
        { endpoint_id: 'ep_m', reason: 'old, still pending', created_at: longAgo },
        { endpoint_id: 'ep_m', reason: 'recent, done', completed_at: new Date() },
      ])
      .execute();
    await purgeExpiredLog(database.db, { retentionDays: 30, batchSize: 100, now: new Date() });
    const left = await db.selectFrom('delivery_stop_requests').select('reason').orderBy('id').execute();
    expect(left.map((row) => row.reason)).toEqual(['old, still pending', 'recent, done']);
  });
});
