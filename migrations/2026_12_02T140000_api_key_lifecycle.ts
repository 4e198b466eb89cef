// API key lifecycle: an optional expiry, and the list of a tenant's keys paged by
// (created_at, id) like the other lists (millisecond precision so a cursor is exact).
// Frozen in time: imports nothing from the app.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table api_keys alter column created_at type timestamptz(3)`.execute(db);
  await db.schema
    .alterTable('api_keys')
    .addColumn('expires_at', sql`timestamptz(3)`)
    .execute();
  await db.schema.createIndex('api_keys_tenant_created_idx').on('api_keys').columns(['tenant_id', 'created_at desc', 'id desc']).execute();
  await db.schema.dropIndex('api_keys_tenant_idx').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('api_keys_tenant_idx').ifNotExists().on('api_keys').column('tenant_id').execute();
  await db.schema.dropIndex('api_keys_tenant_created_idx').ifExists().execute();
  await db.schema.alterTable('api_keys').dropColumn('expires_at').execute();
  await sql`alter table api_keys alter column created_at type timestamptz`.execute(db);
}
