// Endpoint health statistics (issue 13): the attempt log answers "how is this endpoint doing over
// this window" from one index range. Attempts carry their endpoint's id (written with the attempt,
// copied here for older rows) and a covering index over (endpoint, start time) holds every column
// the statistics read, so a window is an index-only scan of that endpoint's attempts and nothing else.
// Frozen in time: imports nothing from the app.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('attempts').addColumn('endpoint_id', 'text').execute();
  await sql`update attempts a set endpoint_id = d.endpoint_id from deliveries d where d.id = a.delivery_id`.execute(db);
  await db.schema
    .alterTable('attempts')
    .alterColumn('endpoint_id', (column) => column.setNotNull())
    .execute();
  await sql`create index attempts_endpoint_stats_idx on attempts (endpoint_id, started_at)
    include (delivery_id, duration_ms, response_status, error_kind)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('attempts_endpoint_stats_idx').ifExists().execute();
  await db.schema.alterTable('attempts').dropColumn('endpoint_id').execute();
}
