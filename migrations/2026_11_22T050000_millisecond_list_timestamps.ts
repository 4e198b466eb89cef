// List cursors carry `created_at` as a JavaScript Date (millisecond precision). PostgreSQL keeps
// microseconds, so a cursor could fall between two rows and skip some. Storing the list-ordering
// columns at millisecond precision makes the cursor exact. Also indexes the tenant list.
// Frozen in time: imports nothing from the app.
import { Kysely, sql } from 'kysely';

const LISTED_TABLES = ['tenants', 'endpoints', 'events', 'deliveries'];

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of LISTED_TABLES) {
    await sql`alter table ${sql.table(table)} alter column created_at type timestamptz(3)`.execute(db);
  }
  await db.schema.createIndex('tenants_created_idx').on('tenants').columns(['created_at desc', 'id desc']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tenants_created_idx').ifExists().execute();
  for (const table of LISTED_TABLES) {
    await sql`alter table ${sql.table(table)} alter column created_at type timestamptz`.execute(db);
  }
}
