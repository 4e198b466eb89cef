// Recording a publish to 20,000 subscribed endpoints against real PostgreSQL: every delivery is
// planned, in statements far below PostgreSQL's 65,535 bind parameters (issue 11 part 4).
import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import { Pool } from 'pg';
import type { Database } from '../../src/db/schema';
import { newId } from '../../src/domain/ids';
import { SecretBox } from '../../src/domain/secret-box';
import { recordEvent } from '../../src/services/publishing.service';
import { insertSubscribedEndpoints } from '../support/bulk-endpoints';
import { createTestDatabase, type TestDatabase } from '../support/stack';

describe('recording a large fan-out', () => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let pool: Pool;
  const statements: Array<{ sql: string; parameters: number }> = [];
  const tenantId = newId('ten');

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new Pool({ connectionString: database.url, max: 2 });
    // Every statement recordEvent sends, with its bind-parameter count.
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      log: (event: LogEvent) => {
        if (event.level === 'query') statements.push({ sql: event.query.sql, parameters: event.query.parameters.length });
      },
    });
    await db.insertInto('tenants').values({ id: tenantId, name: 'Fan-out' }).execute();
    await db.insertInto('event_types').values({ name: 'order.shipped', group_name: 'order' }).execute();
    await insertSubscribedEndpoints(db, {
      tenantId,
      eventType: 'order.shipped',
      count: 20_000,
      url: (index) => `http://127.0.0.1:9/endpoint/${index}`,
      secretBox: new SecretBox(SecretBox.generateKey()),
    });
    // An endpoint of the same tenant that is not subscribed gets nothing.
    await insertSubscribedEndpoints(db, {
      tenantId,
      eventType: 'order.cancelled',
      count: 3,
      url: () => 'http://127.0.0.1:9/other',
      secretBox: new SecretBox(SecretBox.generateKey()),
    });
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    await database?.destroy();
  });

  it('plans one delivery per subscribed endpoint for 20,000 endpoints, no statement near the bind-parameter limit', async () => {
    statements.length = 0;
    const recorded = await recordEvent(db, { eventId: newId('evt'), tenantId, type: 'order.shipped', data: { order: 1 } });

    expect(recorded.deliveryCount).toBe(20_000);
    expect(recorded.deliveries).toHaveLength(20_000);
    const rows = await db
      .selectFrom('deliveries')
      .select(['id', 'endpoint_id', 'workflow_id', 'status', 'event_type', 'tenant_id'])
      .where('event_id', '=', recorded.eventId)
      .execute();
    expect(rows).toHaveLength(20_000);
    expect(new Set(rows.map((row) => row.endpoint_id)).size).toBe(20_000);
    const subscribed = await db
      .selectFrom('endpoints')
      .select('id')
      .where(sql<boolean>`'order.shipped' = any(event_types)`)
      .execute();
    expect(new Set(rows.map((row) => row.endpoint_id))).toEqual(new Set(subscribed.map((row) => row.id)));
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'pending', event_type: 'order.shipped', tenant_id: tenantId, workflow_id: `delivery-${row.id}` });
    }
    // What the starts use matches what was stored.
    const planned = new Map(recorded.deliveries.map((delivery) => [delivery.deliveryId, delivery]));
    for (const row of rows) expect(planned.get(row.id)?.endpointId).toBe(row.endpoint_id);

    const largest = Math.max(...statements.map((statement) => statement.parameters));
    expect(largest).toBeLessThanOrEqual(20);
    // begin, event lookups, tenant, catalog, endpoints, event insert, one delivery insert, commit
    expect(statements.length).toBeLessThanOrEqual(12);
    expect(statements.filter((statement) => /insert into "?deliveries/i.test(statement.sql))).toHaveLength(1);
  });

  it('a repeat of the same publish hands back the 20,000 planned deliveries without planning more', async () => {
    const eventId = newId('evt');
    await recordEvent(db, { eventId, tenantId, type: 'order.shipped', data: { order: 2 } });
    const repeat = await recordEvent(db, { eventId, tenantId, type: 'order.shipped', data: { order: 2 } });
    expect(repeat.deliveries).toHaveLength(20_000);
    const { count } = await db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(20_000);
  });
});
