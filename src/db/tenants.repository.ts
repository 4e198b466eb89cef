// Queries on tenants.
import type { Kysely } from 'kysely';
import { afterCursor, type PageCursor } from './pagination';
import type { Database, NewTenantRow, TenantRow, TenantUpdate } from './schema';

export async function insertTenant(db: Kysely<Database>, row: NewTenantRow): Promise<TenantRow> {
  return db.insertInto('tenants').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateTenant(db: Kysely<Database>, id: string, update: TenantUpdate): Promise<TenantRow | undefined> {
  return db
    .updateTable('tenants')
    .set({ ...update, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function findTenantById(db: Kysely<Database>, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Newest first; reads `limit + 1` rows (see toPage). */
export async function listTenants(db: Kysely<Database>, filter: { cursor?: PageCursor; limit: number }): Promise<TenantRow[]> {
  let query = db.selectFrom('tenants').selectAll();
  if (filter.cursor) query = query.where(afterCursor(filter.cursor));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}
