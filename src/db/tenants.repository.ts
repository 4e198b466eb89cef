// Queries on tenants.
import type { Kysely } from 'kysely';
import type { Database, NewTenantRow, TenantRow } from './schema';

export async function insertTenant(db: Kysely<Database>, row: NewTenantRow): Promise<TenantRow> {
  return db.insertInto('tenants').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findTenantById(db: Kysely<Database>, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}
