// Portal sessions (issue 13): a one-time link a tenant hands to its customer's browser, exchanged
// once for a short-lived session credential. Only SHA-256 hashes of the link and session tokens
// are stored. Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('portal_sessions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id'))
    .addColumn('link_token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('session_token_hash', 'text', (col) => col.unique())
    .addColumn('read_only', 'boolean', (col) => col.notNull())
    .addColumn('endpoint_ids', sql`text[]`)
    .addColumn('event_types', sql`text[]`)
    .addColumn('allowed_origins', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn('branding', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('exchanged_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('portal_sessions_tenant_idx').on('portal_sessions').columns(['tenant_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('portal_sessions').execute();
}
