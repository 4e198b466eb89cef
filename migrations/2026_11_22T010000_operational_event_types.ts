// Seeds the event types hookrelay itself publishes: endpoint.disabled (operational) and
// webhook.test (the endpoint "send test event" action). Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

const types = [
  { name: 'endpoint.disabled', description: 'hookrelay disabled one of your endpoints (reason in data.reason)', group_name: 'Operational' },
  { name: 'webhook.test', description: 'A test event sent on request to one endpoint', group_name: 'Operational' },
];

export async function up(db: Kysely<any>): Promise<void> {
  await db
    .insertInto('event_types')
    .values(types)
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  // Fast "deliveries of this endpoint still in flight" for stopping them on disable/delete.
  await db.schema
    .createIndex('deliveries_endpoint_open_idx')
    .on('deliveries')
    .column('endpoint_id')
    .where(sql.ref('status'), 'in', sql`('pending', 'retrying')`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deliveries_endpoint_open_idx').ifExists().execute();
  await db
    .deleteFrom('event_types')
    .where(
      'name',
      'in',
      types.map((t) => t.name),
    )
    .execute();
}
